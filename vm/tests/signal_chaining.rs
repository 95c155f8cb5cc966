//! The compiler's fault handler acts only on faults in generated code: a fault anywhere
//! else goes to the handler that was installed before it. (A test binary of its own:
//! it installs a process-wide handler first.)
#![cfg(all(target_arch = "x86_64", target_os = "linux"))]

use std::sync::atomic::{AtomicUsize, Ordering};

use pvm::program::{Args, BlobBuilder};
use pvm::{Backend, Config, Engine, InstructionSet, Interrupt, Module, ModuleConfig, Opcode, TrapReason};

static PAGE: AtomicUsize = AtomicUsize::new(0);
static CAUGHT: AtomicUsize = AtomicUsize::new(0);

/// The application's own handler: makes the page it guards accessible and counts.
extern "C" fn application_handler(_: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid `siginfo_t` to an `SA_SIGINFO` handler.
    let address = unsafe { (*info).si_addr() } as usize;
    let page = PAGE.load(Ordering::SeqCst);
    if address >= page && address < page + 4096 {
        CAUGHT.fetch_add(1, Ordering::SeqCst);
        // SAFETY: the page was mapped by the test below; opening it lets the faulting
        // access complete when the handler returns.
        unsafe { libc::mprotect(page as *mut libc::c_void, 4096, libc::PROT_READ | libc::PROT_WRITE) };
    }
}

#[test]
fn faults_outside_generated_code_reach_the_previous_handler() {
    // SAFETY: installing a handler and mapping a page of our own, as an application
    // embedding the VM might.
    let page = unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = application_handler as *const () as usize;
        action.sa_flags = libc::SA_SIGINFO;
        libc::sigaction(libc::SIGSEGV, &action, std::ptr::null_mut());
        libc::mmap(std::ptr::null_mut(), 4096, libc::PROT_NONE, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0)
    };
    assert_ne!(page, libc::MAP_FAILED);
    PAGE.store(page as usize, Ordering::SeqCst);

    // Starting the compiler installs its handler over ours.
    if !Backend::Compiler.is_available() {
        eprintln!("skipped: the compiler backend is not available on this machine");
        return;
    }
    let engine = Engine::new(&Config { backend: Backend::Compiler }).unwrap();
    let mut builder = BlobBuilder::new(InstructionSet::ReviveV1);
    builder.stack_size(0x1000);
    builder.export_here("main");
    builder.push(Opcode::LoadU8, Args { regs: [7, 0, 0], imm1: 0x1234, ..Args::default() });
    builder.push(Opcode::Trap, Args::default());
    let module = Module::new(&engine, &ModuleConfig::default(), &builder.build()).unwrap();

    for _ in 0..3 {
        // A guest fault is the compiler's: a trap, our handler not involved.
        let mut instance = module.instantiate();
        instance.prepare_call(0, &[]).unwrap();
        instance.set_gas(100);
        assert_eq!(instance.run(), Interrupt::Trap);
        assert!(matches!(instance.trap_reason(), Some(TrapReason::MemoryAccess(fault)) if fault.address == 0x1234));
    }
    assert_eq!(CAUGHT.load(Ordering::SeqCst), 0);

    // A fault in host code goes to the application's handler, which fixes it.
    // SAFETY: the page is ours; the write faults once, then the handler opens it.
    unsafe { std::ptr::write_volatile(page.cast::<u8>(), 7) };
    assert_eq!(CAUGHT.load(Ordering::SeqCst), 1);
    // SAFETY: the page is open now.
    assert_eq!(unsafe { std::ptr::read_volatile(page.cast::<u8>()) }, 7);
}
