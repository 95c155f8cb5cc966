//! Cryptographic hashes of four families, each over one message of `n` KiB and over
//! a chain of short messages (`8 n` rounds of hashing the previous digest), the way a
//! Merkle tree or a contract's storage keys use them.

use alloc::vec::Vec;

use crate::{checksum, Rng};

/// `n` KiB of random bytes, the long message.
fn message(n: u32, stream: u64) -> Vec<u8> {
    Rng::new(n, stream).bytes(n as usize * 1024)
}

/// Hashes the long message and runs the chain with the RustCrypto hash `D`; appends
/// both digests to `out`.
fn digest_both<D: sha2::Digest>(message: &[u8], rounds: u32, out: &mut Vec<u8>) {
    out.extend_from_slice(&D::digest(message));
    // The same message again, fed in uneven pieces.
    let mut hasher = D::new();
    for piece in message.chunks(1000) {
        hasher.update(piece);
    }
    out.extend_from_slice(&hasher.finalize());
    let mut link = D::digest(b"chain");
    for _ in 0..rounds {
        link = D::digest(&link);
    }
    out.extend_from_slice(&link);
}

/// SHA-256 and SHA-512 (the `sha2` crate).
pub fn sha2(n: u32) -> u64 {
    let message = message(n, 1);
    let mut out = Vec::new();
    digest_both::<sha2::Sha256>(&message, 8 * n, &mut out);
    digest_both::<sha2::Sha512>(&message, 8 * n, &mut out);
    checksum(&out)
}

/// SHA3-256 and Keccak-256, Ethereum's hash (the `sha3` crate).
pub fn sha3(n: u32) -> u64 {
    let message = message(n, 2);
    let mut out = Vec::new();
    digest_both::<sha3::Sha3_256>(&message, 8 * n, &mut out);
    digest_both::<sha3::Keccak256>(&message, 8 * n, &mut out);
    checksum(&out)
}

/// BLAKE2b-512 and BLAKE2s-256 (the `blake2` crate; BLAKE2b is Substrate's hash).
pub fn blake2(n: u32) -> u64 {
    let message = message(n, 3);
    let mut out = Vec::new();
    digest_both::<blake2::Blake2b512>(&message, 8 * n, &mut out);
    digest_both::<blake2::Blake2s256>(&message, 8 * n, &mut out);
    checksum(&out)
}

/// BLAKE3 (the `blake3` crate, portable code): the plain hash, a keyed hash, key
/// derivation, 64 bytes of extendable output, and the chain.
pub fn blake3(n: u32) -> u64 {
    let message = message(n, 4);
    let mut out = Vec::new();
    out.extend_from_slice(blake3::hash(&message).as_bytes());
    out.extend_from_slice(blake3::keyed_hash(&[0x42; 32], &message).as_bytes());
    out.extend_from_slice(&blake3::derive_key("corpus-kernels 2024 blake3 workload", &message));
    let mut hasher = blake3::Hasher::new();
    for piece in message.chunks(1000) {
        hasher.update(piece);
    }
    let mut xof = [0; 64];
    hasher.finalize_xof().fill(&mut xof);
    out.extend_from_slice(&xof);
    let mut link = blake3::hash(b"chain");
    for _ in 0..8 * n {
        link = blake3::hash(link.as_bytes());
    }
    out.extend_from_slice(link.as_bytes());
    checksum(&out)
}
