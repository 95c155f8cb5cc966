//! Backends: what runs a module's code. Everything else (the blob, the memory map, the
//! gas plan, interrupts and traps, guest program counters as byte offsets into the
//! code) is shared; a backend provides a translated form of the code and an instance
//! state that implements [`BackendInstance`].
//!
//! Two backends: the interpreter, everywhere, and the x86-64 recompiler
//! ([`Backend::Compiler`]) where it is built and the machine supports it.

use crate::api::Error;
use crate::gas::Gas;
use crate::interrupt::{Interrupt, TrapReason};
use crate::memory::Fault;

/// Which backend runs programs.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub enum Backend {
    /// The `no_std` interpreter: available everywhere, including a chain's Wasm runtime.
    Interpreter,
    /// The x86-64 recompiler (x86-64 Linux with the `std` feature).
    Compiler,
    /// The compiler where it is available, else the interpreter.
    #[default]
    Auto,
}

impl Backend {
    /// The environment variable that overrides the configured backend (for tests):
    /// `interpreter`, `compiler` or `auto`.
    pub const ENV: &'static str = "PVM_BACKEND";

    /// Every concrete backend that can run on this machine.
    pub fn available() -> &'static [Backend] {
        #[cfg(pvm_compiler)]
        if crate::compiler::is_supported() {
            return &[Backend::Interpreter, Backend::Compiler];
        }
        &[Backend::Interpreter]
    }

    /// Whether this backend can run here (`Auto` always can).
    pub fn is_available(self) -> bool {
        self == Backend::Auto || Self::available().contains(&self)
    }

    /// The concrete backend this one stands for, or an error if it cannot run here.
    pub fn resolve(self) -> Result<Backend, Error> {
        match self {
            Backend::Auto => Ok(*Self::available().last().unwrap_or(&Backend::Interpreter)),
            backend if backend.is_available() => Ok(backend),
            backend => Err(Error::BackendUnavailable(backend)),
        }
    }

    /// Parses a backend's name (as in [`Backend::ENV`]).
    pub fn from_name(name: &str) -> Option<Backend> {
        match name.trim().to_ascii_lowercase().as_str() {
            "interpreter" => Some(Backend::Interpreter),
            "compiler" => Some(Backend::Compiler),
            "auto" => Some(Backend::Auto),
            _ => None,
        }
    }

    /// The backend's name.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Interpreter => "interpreter",
            Backend::Compiler => "compiler",
            Backend::Auto => "auto",
        }
    }

    /// The override from [`Backend::ENV`], if set (always `None` without `std`).
    pub fn from_env() -> Option<Backend> {
        #[cfg(feature = "std")]
        {
            std::env::var(Self::ENV).ok().and_then(|name| Backend::from_name(&name))
        }
        #[cfg(not(feature = "std"))]
        {
            None
        }
    }
}

impl core::fmt::Display for Backend {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// What `RawInstance` needs from a backend's instance state. Guest program counters
/// are byte offsets into the code; registers are stored as the instruction set keeps
/// them (32-bit values sign-extended on 32-bit instruction sets).
pub(crate) trait BackendInstance {
    /// The module-wide data the backend translated the code into.
    type Program;

    fn reg(&self, index: usize) -> u64;
    fn set_reg(&mut self, index: usize, value: u64);
    fn clear_regs(&mut self);
    fn gas(&self) -> Gas;
    fn set_gas(&mut self, gas: Gas);
    fn read_memory(&self, address: u32, buffer: &mut [u8]) -> Result<(), Fault>;
    /// Writes guest memory; the host may write read-only regions too.
    fn write_memory(&mut self, address: u32, data: &[u8]) -> Result<(), Fault>;
    fn sbrk(&mut self, size: u32) -> Option<u32>;
    fn heap_size(&self) -> u32;
    fn sbrk_refused(&self) -> bool;
    fn trap_reason(&self) -> Option<TrapReason>;
    fn set_trap_reason(&mut self, reason: Option<TrapReason>);
    /// The pc of the instruction that caused the last interrupt.
    fn program_counter(&self, program: &Self::Program) -> u32;
    /// Where the next run continues.
    fn next_program_counter(&self, program: &Self::Program) -> u32;
    /// Continues at the instruction starting at `pc`, which starts a basic block
    /// (`block_cost` = `None`) or is in the middle of one whose whole cost is charged
    /// when the run starts.
    fn set_next_instruction(&mut self, program: &Self::Program, pc: u32, block_cost: Option<u32>);
    fn run(&mut self, program: &Self::Program) -> Interrupt;
}
