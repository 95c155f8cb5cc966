//! Turning hardware faults in generated code into guest traps.
//!
//! A guest load or store that the memory map forbids hits an inaccessible or
//! read-only page of the instance's reservation, and the kernel raises `SIGSEGV`. The
//! handler, installed once per process, acts only if the faulting thread is running
//! guest code ([`Running`]) and the faulting instruction lies in that code: it saves
//! the guest registers from the signal context into the instance's [`Context`] (the
//! faulting instruction has changed nothing yet), records where it faulted, and
//! resumes the thread at the code's exit sequence, which returns to the host. Any
//! other fault goes to the handler that was installed before ours, or gets the default
//! action. Each thread has its own running instance, so a fault on one thread never
//! touches another's.
#![allow(unsafe_code)]

use core::cell::Cell;
use core::mem::MaybeUninit;
use std::sync::Once;

use super::emit::HOST_REG;
use super::sandbox::Context;

/// What `Context::exit_reason` says after the handler caught a fault.
pub(crate) const FAULT_EXIT: u32 = u32::MAX;

thread_local! {
    /// The context of the instance this thread is running guest code for, or null.
    /// A const-initialised `Cell` of a pointer: reading it needs no allocation or lazy
    /// initialisation, so the signal handler may.
    static RUNNING: Cell<*mut Context> = const { Cell::new(core::ptr::null_mut()) };
}

/// The handlers that were installed before ours, for the signals we take.
struct Previous {
    segv: MaybeUninit<libc::sigaction>,
    bus: MaybeUninit<libc::sigaction>,
}

static INSTALL: Once = Once::new();
static mut PREVIOUS: Previous = Previous { segv: MaybeUninit::uninit(), bus: MaybeUninit::uninit() };
static mut INSTALLED: bool = false;

/// Installs the handler (once per process); whether it is installed.
pub(crate) fn install() -> bool {
    INSTALL.call_once(|| {
        // SAFETY: `sigaction` with a zeroed struct, our handler and `SA_SIGINFO |
        // SA_ONSTACK | SA_NODEFER`; the previous actions are written into statics only
        // here, inside `call_once`, before any handler of ours can run and read them.
        unsafe {
            let mut action: libc::sigaction = core::mem::zeroed();
            action.sa_sigaction = handle as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
            libc::sigemptyset(&mut action.sa_mask);
            let previous = &raw mut PREVIOUS;
            let segv = libc::sigaction(libc::SIGSEGV, &action, (*previous).segv.as_mut_ptr());
            let bus = libc::sigaction(libc::SIGBUS, &action, (*previous).bus.as_mut_ptr());
            INSTALLED = segv == 0 && bus == 0;
        }
    });
    // SAFETY: written once inside `call_once`, which has completed.
    unsafe { INSTALLED }
}

/// Marks this thread as running guest code of `context` while it lives.
pub(crate) struct Running {
    previous: *mut Context,
}

impl Running {
    pub fn new(context: *mut Context) -> Running {
        Running { previous: RUNNING.with(|running| running.replace(context)) }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.with(|running| running.set(self.previous));
    }
}

/// The `ucontext_t` register slot of each host register number (x86-64 encoding).
const GREG_OF_HOST: [libc::c_int; 16] = [
    libc::REG_RAX,
    libc::REG_RCX,
    libc::REG_RDX,
    libc::REG_RBX,
    libc::REG_RSP,
    libc::REG_RBP,
    libc::REG_RSI,
    libc::REG_RDI,
    libc::REG_R8,
    libc::REG_R9,
    libc::REG_R10,
    libc::REG_R11,
    libc::REG_R12,
    libc::REG_R13,
    libc::REG_R14,
    libc::REG_R15,
];

extern "C" fn handle(signal: libc::c_int, info: *mut libc::siginfo_t, ucontext: *mut libc::c_void) {
    let context = RUNNING.with(Cell::get);
    if !context.is_null() && !ucontext.is_null() {
        // SAFETY: the kernel passes a valid `ucontext_t` for an `SA_SIGINFO` handler;
        // `context` is the live context of the instance this thread is running (set
        // by `Running` around the call into guest code and reset after it).
        unsafe {
            let ucontext = &mut *ucontext.cast::<libc::ucontext_t>();
            let gregs = &mut ucontext.uc_mcontext.gregs;
            let rip = gregs[libc::REG_RIP as usize] as u64;
            let context = &mut *context;
            if (context.code_start..context.code_end).contains(&rip) {
                for (guest, &host) in HOST_REG.iter().enumerate() {
                    context.regs[guest] = gregs[GREG_OF_HOST[usize::from(host)] as usize] as u64;
                }
                context.fault_rip = rip;
                context.exit_reason = FAULT_EXIT;
                gregs[libc::REG_RIP as usize] = context.fault_exit as i64;
                return;
            }
        }
    }
    // SAFETY: `PREVIOUS` was written before this handler was installed and is never
    // written again.
    unsafe { chain(signal, info, ucontext) }
}

/// Passes a fault that is not ours to the handler installed before ours; with none,
/// restores the default action, so that returning re-runs the faulting instruction
/// and the process gets the signal's normal outcome.
///
/// # Safety
/// The arguments are those of a signal handler invocation.
unsafe fn chain(signal: libc::c_int, info: *mut libc::siginfo_t, ucontext: *mut libc::c_void) {
    // SAFETY: read-only after installation (see `install`).
    let previous = unsafe {
        let previous = &raw const PREVIOUS;
        if signal == libc::SIGBUS {
            (*previous).bus.assume_init_ref()
        } else {
            (*previous).segv.assume_init_ref()
        }
    };
    let handler = previous.sa_sigaction;
    if handler == libc::SIG_IGN {
        return;
    }
    if handler == libc::SIG_DFL {
        // SAFETY: restoring the default action for this signal.
        unsafe {
            let mut action: libc::sigaction = core::mem::zeroed();
            action.sa_sigaction = libc::SIG_DFL;
            libc::sigaction(signal, &action, core::ptr::null_mut());
        }
        return;
    }
    // SAFETY: the previous handler was installed for this signal with these flags, so
    // calling it the way the kernel would is what it expects.
    unsafe {
        if previous.sa_flags & libc::SA_SIGINFO != 0 {
            let function: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                core::mem::transmute(handler);
            function(signal, info, ucontext);
        } else {
            let function: extern "C" fn(libc::c_int) = core::mem::transmute(handler);
            function(signal);
        }
    }
}
