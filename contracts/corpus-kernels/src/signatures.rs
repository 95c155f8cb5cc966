//! Ed25519 signatures (`ed25519-dalek`, on `curve25519-dalek`'s serial backend: 64-bit
//! limbs on 64-bit targets, 32-bit limbs on 32-bit ones). Keys come from fixed seeds,
//! and Ed25519 signing is deterministic, so no randomness is needed.

use alloc::vec::Vec;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::{checksum, Rng};

/// The signing key derived from `seed`.
fn signing_key(seed: u32) -> SigningKey {
    let mut secret = [0; 32];
    Rng::new(seed, 5).fill(&mut secret);
    SigningKey::from_bytes(&secret)
}

/// The `index`th message: 100 bytes, like a transaction.
fn message(seed: u32, index: u32) -> [u8; 100] {
    let mut message = [0; 100];
    Rng::new(index, 6 + u64::from(seed)).fill(&mut message);
    message
}

/// Derives a key pair and signs `n` messages with it; the checksum covers the public
/// key and every signature.
pub fn ed25519_sign(n: u32) -> u64 {
    let key = signing_key(n);
    let mut out = Vec::from(key.verifying_key().to_bytes());
    for index in 0..n {
        out.extend_from_slice(&key.sign(&message(n, index)).to_bytes());
    }
    checksum(&out)
}

/// Signs `n` messages, then verifies each signature twice as a contract would: once
/// as it is (it must pass) and once for a message with one bit flipped (it must fail),
/// each time decoding the public key from its bytes; panics if either outcome is
/// wrong. The checksum covers the signatures.
pub fn ed25519_verify(n: u32) -> u64 {
    let key = signing_key(n.wrapping_add(1000));
    let public = key.verifying_key().to_bytes();
    let signed: Vec<([u8; 100], [u8; 64])> = (0..n)
        .map(|index| {
            let message = message(n, index);
            (message, key.sign(&message).to_bytes())
        })
        .collect();
    let mut out = Vec::from(public);
    for (index, (message, signature)) in signed.iter().enumerate() {
        let verify = |message: &[u8]| {
            let key = VerifyingKey::from_bytes(&public).ok()?;
            key.verify_strict(message, &Signature::from_bytes(signature)).ok()
        };
        let mut tampered = *message;
        tampered[index % 100] ^= 1;
        let (valid, forged) = (verify(message).is_some(), verify(&tampered).is_some());
        assert!(valid && !forged, "Ed25519 verification is wrong");
        out.extend_from_slice(signature);
    }
    checksum(&out)
}
