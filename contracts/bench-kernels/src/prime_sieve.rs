//! Prime sieve benchmark: counts the primes up to ten million with a bit-packed
//! sieve of Eratosthenes that only tracks odd numbers.

/// The largest number the benchmark sieves up to.
pub const LIMIT: u32 = 10_000_000;

/// The number of primes `<= LIMIT`.
pub const PRIMES_BELOW_LIMIT: u32 = 664_579;

/// The number of `u64` words of scratch space [`count_primes`] needs for `LIMIT`:
/// bit `i` stands for the odd number `2 * i + 1`.
pub const WORDS: usize = (LIMIT as usize / 2) / 64 + 1;

/// Small limits and their prime counts, for sanity checks.
pub const KNOWN: [(u32, u32); 9] =
    [(0, 0), (1, 0), (2, 1), (3, 2), (10, 4), (100, 25), (127, 31), (1000, 168), (65536, 6542)];

/// Returns the number of primes `<= limit`, using `bits` as scratch space (a set bit
/// means "composite"). `bits` needs `(limit / 2) / 64 + 1` words.
pub fn count_primes(limit: u32, bits: &mut [u64]) -> u32 {
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
