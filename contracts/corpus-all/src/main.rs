//! The whole corpus in one program: every workload of `corpus_kernels` (real
//! third-party crates: hashes, Ed25519, zlib, JSON, postcard, regexes, big integers,
//! libm, collections, a SCALE token ledger) as an export of the same name, which takes
//! the input size and returns the checksum. The largest guest program.
#![no_std]
#![no_main]

use corpus_kernels::{bigint, collections, compression, float, hashes, ledger, parsing, serialization, signatures};

#[global_allocator]
static HEAP: corpus_kernels::heap::Heap = corpus_kernels::heap::Heap::new();

// `miniz_oxide`'s compressor state (some 300 KB) passes through the stack.
pvm_guest::min_stack_size!(512 * 1024);

pvm_guest::panic_handler!();

#[pvm_guest::polkavm_export]
extern "C" fn sha2(n: u32) -> u64 {
    hashes::sha2(n)
}

#[pvm_guest::polkavm_export]
extern "C" fn sha3(n: u32) -> u64 {
    hashes::sha3(n)
}

#[pvm_guest::polkavm_export]
extern "C" fn blake2(n: u32) -> u64 {
    hashes::blake2(n)
}

#[pvm_guest::polkavm_export]
extern "C" fn blake3(n: u32) -> u64 {
    hashes::blake3(n)
}

#[pvm_guest::polkavm_export]
extern "C" fn ed25519_sign(n: u32) -> u64 {
    signatures::ed25519_sign(n)
}

#[pvm_guest::polkavm_export]
extern "C" fn ed25519_verify(n: u32) -> u64 {
    signatures::ed25519_verify(n)
}

#[pvm_guest::polkavm_export]
extern "C" fn miniz(n: u32) -> u64 {
    compression::miniz(n)
}

#[pvm_guest::polkavm_export]
extern "C" fn json(n: u32) -> u64 {
    serialization::json(n)
}

#[pvm_guest::polkavm_export]
extern "C" fn postcard(n: u32) -> u64 {
    serialization::postcard(n)
}

#[pvm_guest::polkavm_export]
extern "C" fn regex(n: u32) -> u64 {
    parsing::regex(n)
}

#[pvm_guest::polkavm_export]
extern "C" fn bigint(n: u32) -> u64 {
    bigint::bigint(n)
}

#[pvm_guest::polkavm_export]
extern "C" fn libm(n: u32) -> u64 {
    float::libm(n)
}

#[pvm_guest::polkavm_export]
extern "C" fn collections(n: u32) -> u64 {
    collections::collections(n)
}

#[pvm_guest::polkavm_export]
extern "C" fn ledger(n: u32) -> u64 {
    ledger::ledger(n)
}
