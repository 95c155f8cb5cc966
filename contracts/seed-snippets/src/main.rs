//! The seed document's guest snippets, as it writes them: the unit `LeakingAllocator`,
//! `min_stack_size!`, an import block mixing a plain import with a `&str` one, plain
//! `fn` exports, `sbrk`. The SDK goes by the seed's name, `polkavm_derive` (see
//! Cargo.toml). `tests/guest-programs/tests/our_vm.rs` runs it on both VMs.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;

#[global_allocator]
static ALLOCATOR: polkavm_derive::LeakingAllocator = polkavm_derive::LeakingAllocator;

polkavm_derive::min_stack_size!(32 * 1024);

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    polkavm_derive::trap()
}

#[polkavm_derive::polkavm_import]
extern "C" {
    fn get_third_number() -> u32;
    fn host_log(message: &str);
}

#[polkavm_derive::polkavm_export]
fn add(a: u32, b: u32) -> u32 {
    a + b
}

/// `a + b + get_third_number()`.
#[polkavm_derive::polkavm_export]
fn add_numbers(a: u32, b: u32) -> u32 {
    // SAFETY: a host function without arguments.
    a.wrapping_add(b).wrapping_add(unsafe { get_third_number() })
}

/// Logs a greeting through the host: a `&str` in two registers, address and length.
#[polkavm_derive::polkavm_export]
fn say_hello() {
    // SAFETY: the host only reads the message.
    unsafe { host_log("hello from the seed's snippets") }
}

/// Grows the heap by `size` bytes with `sbrk`; returns where the new bytes start (0 if
/// the heap cannot grow that much).
#[polkavm_derive::polkavm_export]
fn grow(size: u32) -> u32 {
    polkavm_derive::sbrk(size as usize) as usize as u32
}

/// 1 + 2 + ... + n, from a vector on the heap (the allocator's).
#[polkavm_derive::polkavm_export]
fn sum_up_to(n: u32) -> u32 {
    let numbers: Vec<u32> = (1..=n).collect();
    numbers.iter().fold(0, |sum, number| sum.wrapping_add(*number))
}
