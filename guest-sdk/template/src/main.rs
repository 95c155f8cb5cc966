//! A guest program: exports the host can call, a heap through the leaking allocator.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;

#[global_allocator]
static ALLOCATOR: pvm_guest::LeakingAllocator = pvm_guest::LeakingAllocator::new();

pvm_guest::panic_handler!();

#[pvm_guest::polkavm_export]
extern "C" fn add_numbers(a: u32, b: u32) -> u32 {
    a.wrapping_add(b)
}

/// 1 + 2 + ... + n, from a vector on the heap.
#[pvm_guest::polkavm_export]
extern "C" fn sum_up_to(n: u32) -> u64 {
    let numbers: Vec<u64> = (1..=u64::from(n)).collect();
    numbers.iter().sum()
}
