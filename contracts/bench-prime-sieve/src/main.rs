//! Prime sieve benchmark: counts the primes up to ten million with a
//! bit-packed sieve of Eratosthenes that only tracks odd numbers.
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU32, Ordering};

// More than the linker's 8 KiB default, so that the VM must honour it.
pvm_guest::min_stack_size!(16 * 1024);

pvm_guest::panic_handler!();

/// The largest number `run()` sieves up to.
const LIMIT: u32 = 10_000_000;

/// Bit `i` stands for the odd number `2 * i + 1`; a set bit means "composite".
const WORDS: usize = (LIMIT as usize / 2) / 64 + 1;

/// The sieve's backing storage; lives in `.bss`, so it costs nothing in the blob.
static mut BITS: [u64; WORDS] = [0; WORDS];

static RESULT: AtomicU32 = AtomicU32::new(0);

/// Returns the number of primes `<= limit`, using `bits` as scratch space.
fn count_primes(limit: u32, bits: &mut [u64]) -> u32 {
    if limit < 2 {
        return 0;
    }

    // Odd numbers 1, 3, 5, ..., up to `limit`.
    let odd_count = (limit as usize - 1) / 2 + 1;
    let words = odd_count.div_ceil(64);
    let bits = &mut bits[..words];
    bits.fill(0);
    bits[0] = 1; // 1 is not a prime.

    let mut i = 1;
    loop {
        let p = 2 * i + 1;
        if p * p > limit as usize {
            break;
        }
        if bits[i / 64] & (1 << (i % 64)) == 0 {
            // Odd multiples of `p` starting at `p * p` are `2 * j + 1` for
            // `j = (p * p) / 2, (p * p) / 2 + p, ...`.
            let mut j = p * p / 2;
            while j < odd_count {
                bits[j / 64] |= 1 << (j % 64);
                j += p;
            }
        }
        i += 1;
    }

    // Ignore the padding bits of the last word.
    let tail = odd_count % 64;
    if tail != 0 {
        bits[words - 1] |= !0 << tail;
    }

    let odd_primes: u32 = bits.iter().map(|word| word.count_zeros()).sum();
    odd_primes + 1 // The only even prime, 2.
}

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
    const KNOWN: [(u32, u32); 9] =
        [(0, 0), (1, 0), (2, 1), (3, 2), (10, 4), (100, 25), (127, 31), (1000, 168), (65536, 6542)];
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
