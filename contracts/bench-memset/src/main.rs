//! Memset benchmark: fills a 4 MiB buffer in three different ways
//! (`bench_kernels::memset`).
//!
//! Each variant writes a different byte value so that the host can tell from
//! `checksum()` which one ran last:
//!  - `run()`: `slice.fill(1)` (lowered by LLVM to a `memset` call),
//!  - `run_naive()`: a byte-at-a-time volatile loop writing 2,
//!  - `run_accelerated()`: PolkaVM's `memset` instruction writing 3.
#![no_std]
#![no_main]

use bench_kernels::memset::{checksum as sample_sum, fill, fill_naive, BUFFER_LEN};

// More than the linker's 8 KiB default, so that the VM must honour it.
pvm_guest::min_stack_size!(16 * 1024);

pvm_guest::panic_handler!();

static mut BUFFER: [u8; BUFFER_LEN] = [0; BUFFER_LEN];

fn buffer() -> &'static mut [u8; BUFFER_LEN] {
    // SAFETY: the guest is single-threaded and every export takes this
    // borrow at most once, dropping it before returning.
    unsafe { &mut *core::ptr::addr_of_mut!(BUFFER) }
}

#[pvm_guest::polkavm_export]
extern "C" fn initialize() {
    fill(buffer(), 0);
}

#[pvm_guest::polkavm_export]
extern "C" fn run() {
    fill(buffer(), 1);
}

#[pvm_guest::polkavm_export]
extern "C" fn run_naive() {
    fill_naive(buffer(), 2);
}

#[pvm_guest::polkavm_export]
extern "C" fn run_accelerated() {
    let buffer = buffer();
    // SAFETY: the destination range is exactly the (writable) buffer.
    unsafe { pvm_guest::memset(buffer.as_mut_ptr(), 3, buffer.len()) };
}

/// Sums every `CHECKSUM_STRIDE`-th byte of the buffer, starting at 0.
#[pvm_guest::polkavm_export]
extern "C" fn checksum() -> u32 {
    sample_sum(buffer())
}
