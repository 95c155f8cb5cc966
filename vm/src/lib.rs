//! A virtual machine for PolkaVM program blobs.
//!
//! `pvm` loads `.polkavm` blobs as `polkavm-linker` 0.37 writes them (instruction sets
//! ReviveV1, Latest32, Latest64 and JamV1), validates them, and runs them in a
//! `no_std` interpreter with exact, synchronous per-basic-block gas metering. Results,
//! traps and gas match the reference implementation (`polkavm` 0.37).
//!
//! Layers, bottom up:
//! - [`isa`]: the instruction table (opcode numbering per instruction set, operand
//!   shapes, block terminators) from which everything else is derived;
//! - [`program`]: the blob container, code decoding, and a blob writer;
//! - [`memory`]: the memory map and guest memory;
//! - [`gas`]: cost model and per-block gas plan;
//! - [`semantics`]: what each computing instruction does (ALU results, conditional
//!   moves, branch conditions), defined once for the interpreter and the linker;
//! - backends (`backend`): what runs the code; `interpreter` translates it into a
//!   dispatch-friendly form and executes that; `compiler` (x86-64 Linux, `std`)
//!   translates that form further into machine code;
//! - the embedding API: [`Engine`], [`Module`], [`RawInstance`] / [`Instance`],
//!   [`Linker`].
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]
// Unsafe code is denied everywhere except where an `allow` with a `SAFETY:` comment
// justifies it (the interpreter's operation fetch; the layout's zeroed words; the
// compiler's memory reservation, generated code and fault handler).
#![deny(unsafe_code)]

extern crate alloc;

mod api;
mod backend;
#[cfg(feature = "std")]
mod cache;
#[cfg(pvm_compiler)]
mod compiler;
pub mod gas;
mod interpreter;
mod interrupt;
pub mod isa;
pub mod memory;
pub mod program;
pub mod semantics;

pub use api::{
    CallError, Caller, Config, EndOfCode, Engine, Error, HostError, Instance, Linker, Module, ModuleConfig, RawInstance,
};
pub use backend::Backend;
#[cfg(feature = "std")]
pub use cache::ModuleCache;
pub use gas::{CostModel, Gas};
pub use interrupt::{Interrupt, TrapReason};
pub use isa::{InstructionSet, Opcode, Reg};
pub use memory::{Fault, MemoryMap, RETURN_TO_HOST};

/// The pairs of consecutive operations the interpreter runs as one superinstruction,
/// by the names of its internal operation kinds (`"AddImm64"`, `"BranchNotEq"`, ...).
/// For tests that aim generated programs at them.
#[doc(hidden)]
pub fn superinstruction_pairs() -> alloc::vec::Vec<(alloc::string::String, alloc::string::String)> {
    interpreter::superinstruction_pairs()
}
