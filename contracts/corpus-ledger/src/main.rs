//! A contract-sized corpus program: the token ledger of `corpus_kernels::ledger` (SCALE
//! decoding and encoding, BLAKE2 storage keys, B-tree storage) as the export `ledger`,
//! which takes the number of transactions and returns the checksum.
#![no_std]
#![no_main]

#[global_allocator]
static HEAP: corpus_kernels::heap::Heap = corpus_kernels::heap::Heap::new();

pvm_guest::min_stack_size!(64 * 1024);

pvm_guest::panic_handler!();

#[pvm_guest::polkavm_export]
extern "C" fn ledger(n: u32) -> u64 {
    corpus_kernels::ledger::ledger(n)
}
