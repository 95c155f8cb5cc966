//! The computations of the benchmark guest programs.
//!
//! Each `contracts/bench-*` guest program is a thin shell around one module here: it
//! keeps the state in statics and exports `initialize`/`run`/result functions to the
//! host. `vm-bench` (tests/bench) links this crate natively, so that it can time the
//! very same code on bare metal next to the VMs.
//!
//! - [`minimal`]: an indirect call that bumps a counter (call overhead),
//! - [`prime_sieve`]: the primes below ten million (a bit-packed sieve),
//! - [`memset`]: filling 4 MiB, with `fill` and with a byte loop,
//! - [`emulator`]: a NES-like system (a 6502 CPU, a tile and sprite video chip, a
//!   controller) running a game-like program for a number of frames.
#![no_std]

pub mod emulator;
pub mod memset;
pub mod minimal;
pub mod prime_sieve;
