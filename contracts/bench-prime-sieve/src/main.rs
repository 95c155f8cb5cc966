//! Prime sieve benchmark: counts the primes up to ten million with a bit-packed
//! sieve of Eratosthenes that only tracks odd numbers (`bench_kernels::prime_sieve`).
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU32, Ordering};

use bench_kernels::prime_sieve::{count_primes, KNOWN, LIMIT, WORDS};

// More than the linker's 8 KiB default, so that the VM must honour it.
pvm_guest::min_stack_size!(16 * 1024);

pvm_guest::panic_handler!();

/// The sieve's backing storage; lives in `.bss`, so it costs nothing in the blob.
static mut BITS: [u64; WORDS] = [0; WORDS];

static RESULT: AtomicU32 = AtomicU32::new(0);

fn sieve(limit: u32) -> u32 {
    assert!(limit <= LIMIT);
    // SAFETY: the guest is single-threaded and this is the only place that
    // borrows `BITS`, and the borrow does not outlive this call.
    let bits = unsafe { &mut *core::ptr::addr_of_mut!(BITS) };
    count_primes(limit, bits)
}

/// Sanity-checks the sieve on small inputs; traps if any result is wrong.
#[pvm_guest::polkavm_export]
extern "C" fn initialize() {
    for (limit, expected) in KNOWN {
        assert_eq!(sieve(limit), expected);
    }
    RESULT.store(0, Ordering::Relaxed);
}

#[pvm_guest::polkavm_export]
extern "C" fn run() {
    RESULT.store(sieve(LIMIT), Ordering::Relaxed);
}

#[pvm_guest::polkavm_export]
extern "C" fn get_result() -> u32 {
    RESULT.load(Ordering::Relaxed)
}
