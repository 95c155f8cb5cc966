//! Heap demo: `pvm_guest::LeakingAllocator` as the global allocator behind `Vec` and
//! `BTreeMap`, host imports that pass 64-bit values and a string, and an export that
//! takes every kind of register argument.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

#[global_allocator]
static ALLOCATOR: pvm_guest::LeakingAllocator = pvm_guest::LeakingAllocator;

pvm_guest::panic_handler!();

#[pvm_guest::polkavm_import]
extern "C" {
    /// Provided by the host: `value * factor + 1`, wrapping. On 32-bit targets
    /// `value` and the result take two registers each.
    fn scale(value: u64, factor: u32) -> u64;

    /// Provided by the host: the sum of the message's bytes. A `&str` takes two
    /// registers, its address and its length.
    fn byte_sum(message: &str) -> u32;
}

/// `byte_sum` of the first `len` bytes of a greeting (at most all of it), through the
/// host: a string argument of an import.
#[pvm_guest::polkavm_export]
fn greeting_byte_sum(len: u32) -> u32 {
    let greeting = "hello from the guest";
    let len = (len as usize).min(greeting.len());
    // SAFETY: the host function only reads the message.
    unsafe { byte_sum(&greeting[..len]) }
}

/// 1² + 2² + ... + n², computed twice: from a `Vec` of the squares, grown one push
/// at a time, and from a `BTreeMap` from each number to its square, filled in
/// reverse. Traps if the two disagree.
#[pvm_guest::polkavm_export]
extern "C" fn sum_squares(n: u32) -> u64 {
    let mut squares = Vec::new();
    for i in 1..=u64::from(n) {
        squares.push(i * i);
    }
    let mut map = BTreeMap::new();
    for i in (1..=n).rev() {
        map.insert(i, u64::from(i) * u64::from(i));
    }
    assert!(map.keys().copied().eq(1..=n));

    let from_vec: u64 = squares.iter().sum();
    let from_map: u64 = map.values().sum();
    // (`assert!` rather than `assert_eq!`, which would pull in the `Debug` formatting code.)
    assert!(from_vec == from_map);
    from_vec
}

/// `scale(sum_squares(n), factor)`: a round trip of a `u64` through the host.
#[pvm_guest::polkavm_export]
extern "C" fn scaled_sum_squares(n: u32, factor: u32) -> u64 {
    // SAFETY: the host function has no preconditions.
    unsafe { scale(sum_squares(n), factor) }
}

/// How many bytes the heap has grown by so far.
#[pvm_guest::polkavm_export]
extern "C" fn heap_size() -> u32 {
    (pvm_guest::sbrk(0) as usize - pvm_guest::heap_base() as usize) as u32
}

/// `±(a + b + c)`, wrapping: six argument registers on 32-bit targets.
#[pvm_guest::polkavm_export]
extern "C" fn mix(a: u64, b: i64, c: i8, negate: bool) -> i64 {
    let sum = (a as i64).wrapping_add(b).wrapping_add(i64::from(c));
    if negate {
        sum.wrapping_neg()
    } else {
        sum
    }
}
