//! Minimal benchmark: measures the overhead of calling into the guest and of
//! indirect calls within it. Each `run()` bumps a global counter by one,
//! dispatching through a small table of function pointers.
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU32, Ordering};

pvm_guest::panic_handler!();

/// The counter; the guest is single-threaded, so relaxed atomics are plain loads/stores.
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Which handler the next `run()` dispatches to; rotates through `HANDLERS`.
static NEXT: AtomicU32 = AtomicU32::new(0);

#[inline(never)]
fn add_one(value: u32) -> u32 {
    value.wrapping_add(1)
}

#[inline(never)]
fn add_two_sub_one(value: u32) -> u32 {
    value.wrapping_add(2).wrapping_sub(1)
}

#[inline(never)]
fn inc_via_sub(value: u32) -> u32 {
    value.wrapping_sub(u32::MAX)
}

#[inline(never)]
fn inc_via_xor(value: u32) -> u32 {
    // Same result as `value + 1`, computed differently so that the handlers stay distinct.
    (value ^ 0xffff_ffff).wrapping_neg()
}

static HANDLERS: [fn(u32) -> u32; 4] = [add_one, add_two_sub_one, inc_via_sub, inc_via_xor];

#[pvm_guest::polkavm_export]
extern "C" fn initialize() {
    COUNTER.store(0, Ordering::Relaxed);
    NEXT.store(0, Ordering::Relaxed);
}

#[pvm_guest::polkavm_export]
extern "C" fn run() {
    let index = NEXT.load(Ordering::Relaxed) as usize % HANDLERS.len();
    NEXT.store((index + 1) as u32, Ordering::Relaxed);

    // `black_box` keeps the call indirect instead of letting LLVM resolve it.
    let handler = core::hint::black_box(HANDLERS[index]);
    COUNTER.store(handler(COUNTER.load(Ordering::Relaxed)), Ordering::Relaxed);
}

#[pvm_guest::polkavm_export]
extern "C" fn get_counter() -> u32 {
    COUNTER.load(Ordering::Relaxed)
}
