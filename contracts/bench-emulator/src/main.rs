//! Emulator benchmark, standing in for polkavm's `bench-pinky` (a NES emulator): a
//! NES-like system (6502 CPU, tile and sprite video chip, 240 KiB framebuffer) runs a
//! game-like program; see `bench_kernels::emulator`.
//!
//! - `initialize()` inserts the cartridge (assembles the program, generates the tiles),
//! - `run()` powers the system on and emulates `FRAMES_PER_RUN` frames, so every run
//!   does the same work,
//! - `get_result()` hashes the framebuffer, the RAM and the CPU's state,
//! - `get_frames()`, `get_crc()` and `get_passes()` report what the emulated program
//!   did: the frames run, and the last CRC-16 it computed and how many.
#![no_std]
#![no_main]

use bench_kernels::emulator::{program, Nes};

pvm_guest::panic_handler!();

/// The system; all zeros, so it lives in `.bss` and costs nothing in the blob.
static mut NES: Nes = Nes::new();

fn nes() -> &'static mut Nes {
    // SAFETY: the guest is single-threaded and every export takes this borrow at most
    // once, dropping it before returning.
    unsafe { &mut *core::ptr::addr_of_mut!(NES) }
}

#[pvm_guest::polkavm_export]
extern "C" fn initialize() {
    nes().load_cartridge();
}

#[pvm_guest::polkavm_export]
extern "C" fn run() {
    nes().run_benchmark();
}

#[pvm_guest::polkavm_export]
extern "C" fn get_result() -> u32 {
    nes().checksum()
}

#[pvm_guest::polkavm_export]
extern "C" fn get_frames() -> u32 {
    nes().frame()
}

#[pvm_guest::polkavm_export]
extern "C" fn get_crc() -> u32 {
    let ram = &nes().bus.ram;
    let address = usize::from(program::CRC_RESULT);
    u32::from(u16::from_le_bytes([ram[address], ram[address + 1]]))
}

#[pvm_guest::polkavm_export]
extern "C" fn get_passes() -> u32 {
    u32::from(nes().bus.ram[usize::from(program::PASSES)])
}
