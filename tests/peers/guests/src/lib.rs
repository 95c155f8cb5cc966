//! The `bench-kernels` computations as the `contracts/bench-*` guest programs wrap
//! them: state in statics, set up by `initialize`, advanced by `run`, read by the
//! result export. The shells for each target (wasm32 modules in examples/, CKB-VM
//! programs in src/bin/) only forward to the [`Kernel`]s here, so that every target
//! runs the same code.
#![no_std]

use core::ptr::addr_of_mut;

use bench_kernels::emulator::Nes;
use bench_kernels::minimal::State;
use bench_kernels::{memset, prime_sieve};

#[cfg(target_arch = "riscv64")]
pub mod ckb;

/// One program: its three exports.
pub struct Kernel {
    /// Sets the state up (the guest program's `initialize`; a no-op for `memset`).
    pub initialize: fn(),
    /// The benchmark (the guest program's `run`).
    pub run: fn(),
    /// The result to check (`get_result`, `checksum` or `get_counter`).
    pub result: fn() -> u32,
}

// The statics below are only touched by the functions of their kernel, each of which
// takes one borrow and drops it before returning; every target is single-threaded.

static mut SIEVE_BITS: [u64; prime_sieve::WORDS] = [0; prime_sieve::WORDS];
static mut SIEVE_RESULT: u32 = 0;

/// `bench-prime-sieve`.
pub const PRIME_SIEVE: Kernel = Kernel {
    initialize: || {
        for (limit, expected) in prime_sieve::KNOWN {
            // SAFETY: see above: one borrow, single-threaded.
            assert_eq!(prime_sieve::count_primes(limit, unsafe { &mut *addr_of_mut!(SIEVE_BITS) }), expected);
        }
    },
    run: || {
        // SAFETY: see above: one borrow, single-threaded.
        let count = prime_sieve::count_primes(prime_sieve::LIMIT, unsafe { &mut *addr_of_mut!(SIEVE_BITS) });
        // SAFETY: see above.
        unsafe { SIEVE_RESULT = count };
    },
    // SAFETY: see above.
    result: || unsafe { SIEVE_RESULT },
};

static mut MEMSET_BUFFER: [u8; memset::BUFFER_LEN] = [0; memset::BUFFER_LEN];

/// `bench-memset` (its `run`: `fill`).
pub const MEMSET: Kernel = Kernel {
    initialize: || {},
    // SAFETY: see above: one borrow, single-threaded.
    run: || memset::fill(unsafe { &mut *addr_of_mut!(MEMSET_BUFFER) }, 1),
    // SAFETY: see above.
    result: || memset::checksum(unsafe { &*addr_of_mut!(MEMSET_BUFFER) }),
};

static mut NES: Nes = Nes::new();

/// `bench-emulator`.
pub const EMULATOR: Kernel = Kernel {
    // SAFETY: see above: one borrow, single-threaded.
    initialize: || unsafe { &mut *addr_of_mut!(NES) }.load_cartridge(),
    // SAFETY: see above.
    run: || unsafe { &mut *addr_of_mut!(NES) }.run_benchmark(),
    // SAFETY: see above.
    result: || unsafe { &*addr_of_mut!(NES) }.checksum(),
};

static mut MINIMAL: State = State::new();

/// `bench-minimal`.
pub const MINIMAL_CALL: Kernel = Kernel {
    // SAFETY: see above: one borrow, single-threaded.
    initialize: || unsafe { *addr_of_mut!(MINIMAL) = State::new() },
    // SAFETY: see above.
    run: || unsafe { &mut *addr_of_mut!(MINIMAL) }.step(),
    // SAFETY: see above.
    result: || unsafe { (*addr_of_mut!(MINIMAL)).counter },
};

/// Exports a kernel's functions under the guest programs' names (for wasm32).
#[macro_export]
macro_rules! export_kernel {
    ($kernel:expr, $result:ident) => {
        #[no_mangle]
        extern "C" fn initialize() {
            ($kernel.initialize)()
        }

        #[no_mangle]
        extern "C" fn run() {
            ($kernel.run)()
        }

        #[no_mangle]
        extern "C" fn $result() -> u32 {
            ($kernel.result)()
        }
    };
}

/// A panic traps: `unreachable` in wasm32, an illegal instruction in RISC-V.
#[cfg(not(test))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    #[cfg(target_arch = "wasm32")]
    core::arch::wasm32::unreachable();
    #[cfg(target_arch = "riscv64")]
    // SAFETY: `unimp` traps; nothing runs after it.
    unsafe {
        core::arch::asm!("unimp", options(noreturn))
    };
    #[allow(unreachable_code)]
    loop {}
}
