//! The CKB-VM side of a program: a CKB-VM program runs from its entry point to its
//! exit, so the program itself loops over the samples and asks the host, through
//! syscalls of its own, for the plan and to take the time between samples.
//!
//! Syscalls (`ecall`, the number in `a7`, as CKB's own syscalls):
//! - [`SYSCALL_PLAN`]: returns the samples in `a0` and the calls per sample in `a1`;
//! - [`SYSCALL_MARK`]: the host notes the time (one mark before each sample and one
//!   after the last);
//! - [`SYSCALL_RESULT`]: the result export's value, in `a0`;
//! - 93: exit (CKB's, and Linux's).

use crate::Kernel;

/// Asks the host for the plan.
pub const SYSCALL_PLAN: u64 = 9000;
/// Asks the host to note the time.
pub const SYSCALL_MARK: u64 = 9001;
/// Hands the host the result.
pub const SYSCALL_RESULT: u64 = 9002;
/// Ends the program, with the exit code in `a0`.
const SYSCALL_EXIT: u64 = 93;

/// Calls syscall `number` with `a0`, returning `a0` and `a1`.
fn syscall(number: u64, a0: u64) -> (u64, u64) {
    let (out0, out1);
    // SAFETY: `ecall` hands control to the host, which only reads and writes `a0`/`a1`.
    unsafe {
        core::arch::asm!("ecall", inlateout("a0") a0 => out0, lateout("a1") out1, in("a7") number, options(nostack))
    };
    (out0, out1)
}

/// Runs `kernel` following the host's plan: `initialize`, a warm-up sample and the
/// timed ones, each of `calls` calls of `run`, a mark before each; then the result,
/// and exit.
pub fn main(kernel: &Kernel) -> ! {
    (kernel.initialize)();
    let (samples, calls) = syscall(SYSCALL_PLAN, 0);
    for _ in 0..=samples {
        syscall(SYSCALL_MARK, 0);
        for _ in 0..calls {
            (kernel.run)();
        }
    }
    syscall(SYSCALL_MARK, 0);
    syscall(SYSCALL_RESULT, u64::from((kernel.result)()));
    syscall(SYSCALL_EXIT, 0);
    unreachable!("the host ends the program at exit")
}
