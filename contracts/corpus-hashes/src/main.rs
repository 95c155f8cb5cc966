//! A small corpus program: the four hash workloads of `corpus_kernels` (`sha2`, `sha3`,
//! `blake2`, `blake3`), each an export of the same name that takes the input size and
//! returns the checksum.
#![no_std]
#![no_main]

use corpus_kernels::hashes;

#[global_allocator]
static HEAP: corpus_kernels::heap::Heap = corpus_kernels::heap::Heap::new();

pvm_guest::min_stack_size!(64 * 1024);

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
