//! Minimal benchmark: measures the overhead of calling into the guest and of
//! indirect calls within it. Each `run()` bumps a global counter by one,
//! dispatching through a small table of function pointers
//! (`bench_kernels::minimal`).
#![no_std]
#![no_main]

use core::sync::atomic::{AtomicU32, Ordering};

use bench_kernels::minimal::State;

pvm_guest::panic_handler!();

/// The counter; the guest is single-threaded, so relaxed atomics are plain loads/stores.
static COUNTER: AtomicU32 = AtomicU32::new(0);

/// Which handler the next `run()` dispatches to.
static NEXT: AtomicU32 = AtomicU32::new(0);

#[pvm_guest::polkavm_export]
extern "C" fn initialize() {
    let State { counter, next } = State::new();
    COUNTER.store(counter, Ordering::Relaxed);
    NEXT.store(next, Ordering::Relaxed);
}

#[pvm_guest::polkavm_export]
extern "C" fn run() {
    let mut state = State { counter: COUNTER.load(Ordering::Relaxed), next: NEXT.load(Ordering::Relaxed) };
    state.step();
    COUNTER.store(state.counter, Ordering::Relaxed);
    NEXT.store(state.next, Ordering::Relaxed);
}

#[pvm_guest::polkavm_export]
extern "C" fn get_counter() -> u32 {
    COUNTER.load(Ordering::Relaxed)
}
