//! Big-integer arithmetic (`num-bigint`): RSA-sized modular exponentiation
//! (Montgomery multiplication), schoolbook and Karatsuba multiplication, division and
//! radix conversion.

use alloc::vec::Vec;

use num_bigint::BigUint;
use num_traits::One;

use crate::{checksum, Rng};

/// A random odd number of `bits` bits (the top bit set).
fn odd_number(rng: &mut Rng, bits: usize) -> BigUint {
    let mut bytes = rng.bytes(bits / 8);
    bytes[0] |= 0x80;
    let last = bytes.len() - 1;
    bytes[last] |= 1;
    BigUint::from_bytes_be(&bytes)
}

/// `n` rounds of `x = x^e mod m` with a 1024-bit modulus and a 256-bit exponent (an
/// RSA-like private-key operation, scaled down), then `(40 n)!` written in decimal and
/// divided back by `n!`. The checksum covers the results' bytes and digits.
pub fn bigint(n: u32) -> u64 {
    let mut rng = Rng::new(n, 11);
    let modulus = odd_number(&mut rng, 1024);
    let exponent = odd_number(&mut rng, 256);
    let mut x = odd_number(&mut rng, 1000);
    let mut out = Vec::new();
    for _ in 0..n {
        x = x.modpow(&exponent, &modulus);
        out.extend_from_slice(&x.to_bytes_le());
    }
    let factorial = |k: u32| (1..=k).fold(BigUint::one(), |product, i| product * i);
    let big = factorial(40 * n);
    out.extend_from_slice(big.to_str_radix(10).as_bytes());
    let quotient = &big / factorial(n);
    out.extend_from_slice(&quotient.to_bytes_le());
    out.extend_from_slice(&(quotient % &modulus).to_bytes_be());
    checksum(&out)
}
