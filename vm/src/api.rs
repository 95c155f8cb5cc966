//! The embedding API: `Engine → Module → Instance`, host functions through a
//! [`Linker`], and typed errors.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use pvm::program::{Args, BlobBuilder};
//! use pvm::{Caller, Engine, InstructionSet, Linker, Module, ModuleConfig, Opcode, Reg};
//!
//! // add_numbers(a, b) = a + b + get_third_number()
//! let mut builder = BlobBuilder::new(InstructionSet::ReviveV1);
//! let import = builder.import("get_third_number");
//! builder.export_here("add_numbers");
//! let reg = |r: Reg| r as u8;
//! builder.push(Opcode::Add64, Args { regs: [reg(Reg::S0), reg(Reg::A0), reg(Reg::A1)], ..Args::default() });
//! builder.push(Opcode::Ecalli, Args { imm1: import, ..Args::default() });
//! builder.push(Opcode::Add64, Args { regs: [reg(Reg::A0), reg(Reg::A0), reg(Reg::S0)], ..Args::default() });
//! builder.push(Opcode::JumpIndirect, Args { regs: [reg(Reg::RA), 0, 0], ..Args::default() });
//! let blob = builder.build();
//!
//! let module = Module::new(&Engine::default(), &ModuleConfig::default(), &blob)?;
//! let mut linker = Linker::<u64>::new();
//! linker.define("get_third_number", |caller: Caller<'_, u64>| {
//!     caller.instance.set_reg(Reg::A0, *caller.data);
//!     Ok(())
//! });
//! let mut instance = linker.instantiate(&module)?;
//! instance.set_gas(10_000);
//! assert_eq!(instance.call(&mut 100, "add_numbers", &[1, 2])?, 103);
//! assert_eq!(instance.gas(), 10_000 - 4);
//! # Ok(()) }
//! ```

use alloc::borrow::ToOwned;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use crate::backend::{Backend, BackendInstance};
#[cfg(pvm_compiler)]
use crate::compiler;
use crate::gas::{CostModel, Gas, GasPlan};
use crate::interpreter;
use crate::interrupt::{Interrupt, TrapReason};
use crate::isa::{InstructionSet, Opcode, Reg};
use crate::memory::{Fault, Memory, MemoryMap, RETURN_TO_HOST};
use crate::program::{Code, Export, ParseError, ProgramBlob};

/// Engine-wide settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// Which backend runs programs. The default is [`Backend::Auto`], overridden by
    /// the [`Backend::ENV`] environment variable where set (with `std`).
    pub backend: Backend,
}

impl Default for Config {
    fn default() -> Self {
        Config { backend: Backend::from_env().unwrap_or_default() }
    }
}

/// Shared state for compiling modules: the backend they run on.
#[derive(Clone, Debug)]
pub struct Engine {
    backend: Backend,
}

impl Engine {
    /// Creates an engine; fails if the configured backend cannot run here.
    pub fn new(config: &Config) -> Result<Self, Error> {
        Ok(Engine { backend: config.backend.resolve()? })
    }

    /// The backend this engine's modules run on (never [`Backend::Auto`]).
    pub fn backend(&self) -> Backend {
        self.backend
    }
}

impl Default for Engine {
    /// The engine for [`Config::default`], falling back to the interpreter if the
    /// environment asks for a backend that cannot run here.
    fn default() -> Self {
        Engine::new(&Config::default()).unwrap_or(Engine { backend: Backend::Interpreter })
    }
}

/// Per-module settings.
#[derive(Clone, Debug)]
pub struct ModuleConfig {
    /// Page size used for the memory map (default 4 KiB).
    pub page_size: u32,
    /// Size of the aux data region (default 0).
    pub aux_data_size: u32,
    /// Whether gas is metered (default true).
    pub gas_metering: bool,
    /// Per-instruction costs (default: one unit each).
    pub cost_model: CostModel,
    /// How far `sbrk` may grow the heap, in bytes (default: as far as the memory map
    /// allows, like the reference).
    pub max_heap_size: Option<u32>,
    /// What lies past the end of the code (default: as in polkavm).
    pub end_of_code: EndOfCode,
}

/// What execution finds past the end of the code. The two models differ only for a
/// `fallthrough` or a not-taken branch that is the last instruction.
#[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
pub enum EndOfCode {
    /// polkavm 0.37: the end of the code is not a valid jump target, so a
    /// `fallthrough` into it, or a conditional branch whose not-taken side is the end,
    /// traps at that instruction (the branch whatever its condition). Running off the
    /// end after any other instruction is an implicit trap at the end of the code.
    #[default]
    NotAJumpTarget,
    /// The Gray Paper (and the JAM PVM test vectors): the code is followed by `trap`
    /// instructions, so falling into the end traps there, as a basic block of its own
    /// that costs one `trap`.
    ImplicitTrap,
}

impl Default for ModuleConfig {
    fn default() -> Self {
        ModuleConfig {
            page_size: 0x1000,
            aux_data_size: 0,
            gas_metering: true,
            cost_model: CostModel::naive(),
            max_heap_size: None,
            end_of_code: EndOfCode::default(),
        }
    }
}

/// Everything that can go wrong outside of the guest's own execution.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum Error {
    /// The blob could not be parsed.
    Parse(ParseError),
    /// The blob's declared memory does not fit.
    MemoryMap(&'static str),
    /// An export points at something that is not the start of an instruction.
    InvalidExport {
        /// The export's name.
        name: String,
        /// Its pc.
        pc: u32,
    },
    /// The code has an invalid instruction where the instruction set forbids one
    /// (JamV1 is validated when loaded; the end of the code counts if execution can
    /// run off it).
    InvalidCode {
        /// Where.
        pc: u32,
    },
    /// No export with this name.
    NoSuchExport(String),
    /// A pc that is not an instruction start.
    InvalidPc(u32),
    /// More arguments than argument registers.
    TooManyArguments(usize),
    /// The requested backend cannot run on this machine.
    BackendUnavailable(Backend),
    /// The compiler could not generate code (out of memory for it).
    CompilationFailed,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Parse(e) => write!(f, "invalid program blob: {e}"),
            Error::MemoryMap(why) => write!(f, "invalid memory layout: {why}"),
            Error::InvalidExport { name, pc } => {
                write!(f, "export '{name}' points at pc {pc}, which is not the start of an instruction")
            }
            Error::InvalidCode { pc } => write!(f, "invalid instruction at pc {pc}"),
            Error::NoSuchExport(name) => write!(f, "the program has no export named '{name}'"),
            Error::InvalidPc(pc) => write!(f, "pc {pc} is not the start of an instruction"),
            Error::TooManyArguments(n) => write!(f, "{n} arguments given, at most 6 are supported"),
            Error::BackendUnavailable(backend) => write!(f, "the {backend} backend is not available on this machine"),
            Error::CompilationFailed => f.write_str("the compiler could not generate code for the program"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

impl From<ParseError> for Error {
    fn from(error: ParseError) -> Self {
        Error::Parse(error)
    }
}

struct ModuleInner {
    blob: ProgramBlob,
    map: MemoryMap,
    /// What the interpreter translates from (each instance the blocks it runs).
    source: interpreter::Source,
    program: Program,
    heap_limit: u32,
}

/// The code as a backend translated it.
// One per module, behind the module's `Arc`: its size does not matter.
#[allow(clippy::large_enum_variant)]
enum Program {
    /// The interpreter translates while it runs, from [`ModuleInner::source`].
    Interpreter,
    #[cfg(pvm_compiler)]
    Compiler(compiler::Program),
}

/// An instance's backend state. A compiled module's instance is a compiler instance,
/// or an interpreter instance (translating from the module's source) where the
/// compiler's memory could not be set up (out of address space): the two agree
/// exactly, so only speed differs.
// One per instance, never in a collection: boxing would cost an allocation per
// instantiation for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
enum InstanceState {
    Interpreter(interpreter::Instance),
    #[cfg(pvm_compiler)]
    Compiler(compiler::Instance),
}

/// Calls a [`BackendInstance`] method on an instance's state with its module's program.
macro_rules! with_backend {
    ($instance:expr, |$state:ident, $program:ident| $body:expr) => {
        match (&$instance.module.0.program, &$instance.state) {
            (_, InstanceState::Interpreter($state)) => {
                let $program = &$instance.module.0.source;
                $body
            }
            #[cfg(pvm_compiler)]
            (Program::Compiler($program), InstanceState::Compiler($state)) => $body,
            #[cfg(pvm_compiler)]
            (Program::Interpreter, InstanceState::Compiler(_)) => {
                unreachable!("compiler instances are made for compiled modules only")
            }
        }
    };
    (mut $instance:expr, |$state:ident, $program:ident| $body:expr) => {
        match (&$instance.module.0.program, &mut $instance.state) {
            (_, InstanceState::Interpreter($state)) => {
                let $program = &$instance.module.0.source;
                $body
            }
            #[cfg(pvm_compiler)]
            (Program::Compiler($program), InstanceState::Compiler($state)) => $body,
            #[cfg(pvm_compiler)]
            (Program::Interpreter, InstanceState::Compiler(_)) => {
                unreachable!("compiler instances are made for compiled modules only")
            }
        }
    };
}

/// A parsed, validated and translated program; cheap to clone and to instantiate.
#[derive(Clone)]
pub struct Module(Arc<ModuleInner>);

impl fmt::Debug for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Module")
            .field("isa", &self.0.blob.isa)
            .field("code_len", &self.0.source.layout.code_len())
            .finish()
    }
}

impl Module {
    /// Parses, validates and translates a `.polkavm` blob for `engine`'s backend.
    pub fn new(engine: &Engine, config: &ModuleConfig, blob: &[u8]) -> Result<Self, Error> {
        Self::from_parsed(engine, config, ProgramBlob::parse(blob)?)
    }

    /// Translates an already parsed blob for the default engine's backend.
    pub fn from_blob(config: &ModuleConfig, blob: ProgramBlob) -> Result<Self, Error> {
        Self::from_parsed(&Engine::default(), config, blob)
    }

    /// Translates an already parsed blob for `engine`'s backend.
    pub fn from_parsed(engine: &Engine, config: &ModuleConfig, blob: ProgramBlob) -> Result<Self, Error> {
        let map = MemoryMap::new(
            config.page_size,
            blob.ro_data_size,
            blob.rw_data_size,
            blob.stack_size,
            config.aux_data_size,
        )
        .map_err(Error::MemoryMap)?;
        let source = interpreter::Source::new(
            blob.isa,
            Arc::clone(&blob.code),
            config.cost_model.clone(),
            config.gas_metering,
            config.end_of_code,
        );
        if blob.isa == InstructionSet::JamV1 {
            let code = Code::decode(blob.isa, &blob.code);
            // Like the reference, JamV1 code must decode without invalid instructions,
            // and must not be able to run off its end.
            let instructions = code.instructions();
            let invalid = instructions.iter().find(|i| i.opcode.is_none()).map(|i| i.pc);
            let runs_off_the_end = instructions.last().is_some_and(|i| i.opcode.is_some_and(Opcode::can_fall_through));
            if let Some(pc) = invalid.or(runs_off_the_end.then(|| code.code_len())) {
                return Err(Error::InvalidCode { pc });
            }
        }
        // Like the reference, an export may point into the middle of a basic block
        // (calling it charges the whole block), but it must be an instruction start.
        for export in &blob.exports {
            if !source.layout.is_instruction_start(export.pc) {
                return Err(Error::InvalidExport { name: export.name().into_owned(), pc: export.pc });
            }
        }
        let program = match engine.backend() {
            Backend::Interpreter => Program::Interpreter,
            #[cfg(pvm_compiler)]
            Backend::Compiler => {
                let lowered = interpreter::compile::Compiled::eager(&source);
                Program::Compiler(compiler::Program::new(lowered).map_err(|_| Error::CompilationFailed)?)
            }
            other => return Err(Error::BackendUnavailable(other)),
        };
        let heap_limit = config.max_heap_size.unwrap_or(u32::MAX);
        Ok(Module(Arc::new(ModuleInner { blob, map, source, program, heap_limit })))
    }

    /// The backend this module runs on.
    pub fn backend(&self) -> Backend {
        match self.0.program {
            Program::Interpreter => Backend::Interpreter,
            #[cfg(pvm_compiler)]
            Program::Compiler(_) => Backend::Compiler,
        }
    }

    /// The parsed blob.
    pub fn blob(&self) -> &ProgramBlob {
        &self.0.blob
    }

    /// The decoded code: the whole code section, decoded on every call (the backends
    /// decode only what they run; this is for tools and checks).
    pub fn code(&self) -> Code {
        Code::decode(self.0.blob.isa, &self.0.blob.code)
    }

    /// The instruction set.
    pub fn isa(&self) -> InstructionSet {
        self.0.blob.isa
    }

    /// The memory map.
    pub fn memory_map(&self) -> &MemoryMap {
        &self.0.map
    }

    /// The gas plan (cost of each basic block), computed on every call like
    /// [`Module::code`].
    pub fn gas_plan(&self) -> GasPlan {
        GasPlan::new(&self.code(), &self.0.source.model)
    }

    /// The exports.
    pub fn exports(&self) -> &[Export] {
        &self.0.blob.exports
    }

    /// The imported symbols; an import's index is its position.
    pub fn imports(&self) -> &[Vec<u8>] {
        &self.0.blob.imports
    }

    /// Looks an export up by name.
    pub fn export(&self, name: &str) -> Option<&Export> {
        self.0.blob.export(name)
    }

    /// Creates an instance with fresh memory and no host functions.
    pub fn instantiate(&self) -> RawInstance {
        let inner = &self.0;
        #[cfg(pvm_compiler)]
        if let Program::Compiler(program) = &inner.program {
            let layout = Memory::standard(&inner.map, &[], &[], inner.heap_limit);
            let contents = [
                (inner.map.ro_data_address(), &inner.blob.ro_data[..]),
                (inner.map.rw_data_address, &inner.blob.rw_data[..]),
            ];
            if let Ok(state) = compiler::Instance::new(program, layout, &contents, false, true) {
                return RawInstance { module: self.clone(), state: InstanceState::Compiler(state) };
            }
        }
        let memory = Memory::standard(&inner.map, &inner.blob.ro_data, &inner.blob.rw_data, inner.heap_limit);
        self.interpreter_instance(memory, false)
    }

    fn interpreter_instance(&self, memory: Memory, report_page_faults: bool) -> RawInstance {
        let state = InstanceState::Interpreter(interpreter::Instance::new(&self.0.source, memory, report_page_faults));
        RawInstance { module: self.clone(), state }
    }

    fn is_64_bit(&self) -> bool {
        self.0.blob.isa.is_64_bit()
    }
}

/// A running program without host functions: registers, memory, gas and the
/// `run` loop that returns at every interrupt.
#[derive(Clone)]
pub struct RawInstance {
    module: Module,
    state: InstanceState,
}

impl RawInstance {
    /// An instance over an arbitrary set of mapped ranges (the JAM page-map model):
    /// accesses outside them stop with [`Interrupt::PageFault`].
    pub fn with_page_map(module: &Module, ranges: &[(u32, u32, bool)]) -> Result<Self, &'static str> {
        let memory = Memory::from_ranges(ranges)?;
        #[cfg(pvm_compiler)]
        if let Program::Compiler(program) = &module.0.program {
            if !compiler::supports_ranges(ranges) {
                return Err("the compiler backend needs ranges aligned to 4 KiB pages");
            }
            if let Ok(state) = compiler::Instance::new(program, memory.clone(), &[], true, false) {
                return Ok(RawInstance { module: module.clone(), state: InstanceState::Compiler(state) });
            }
        }
        Ok(module.interpreter_instance(memory, true))
    }

    /// The module this instance runs.
    pub fn module(&self) -> &Module {
        &self.module
    }

    /// Reads a register. On 32-bit programs, the value is the register's 32 bits.
    #[inline]
    pub fn reg(&self, reg: Reg) -> u64 {
        let value = with_backend!(self, |state, _program| state.reg(reg.index()));
        if self.module.is_64_bit() {
            value
        } else {
            value & 0xffff_ffff
        }
    }

    /// Writes a register (truncated to 32 bits on 32-bit programs).
    #[inline]
    pub fn set_reg(&mut self, reg: Reg, value: u64) {
        let value = if self.module.is_64_bit() { value } else { value as u32 as i32 as i64 as u64 };
        with_backend!(mut self, |state, _program| state.set_reg(reg.index(), value))
    }

    /// Remaining gas.
    pub fn gas(&self) -> Gas {
        with_backend!(self, |state, _program| state.gas())
    }

    /// Sets the remaining gas.
    pub fn set_gas(&mut self, gas: Gas) {
        with_backend!(mut self, |state, _program| state.set_gas(gas))
    }

    /// Consumes gas from a host function; fails (consuming nothing) if there is not enough.
    pub fn consume_gas(&mut self, amount: u64) -> Result<(), HostError> {
        let amount = Gas::try_from(amount).unwrap_or(Gas::MAX);
        let gas = self.gas();
        if gas < amount {
            return Err(HostError::OutOfGas);
        }
        self.set_gas(gas - amount);
        Ok(())
    }

    /// Reads guest memory.
    pub fn read_memory(&self, address: u32, buffer: &mut [u8]) -> Result<(), Fault> {
        with_backend!(self, |state, _program| state.read_memory(address, buffer))
    }

    /// Reads `length` bytes of guest memory into a new vector.
    pub fn read_memory_vec(&self, address: u32, length: u32) -> Result<Vec<u8>, Fault> {
        let mut buffer = alloc::vec![0; length as usize];
        self.read_memory(address, &mut buffer)?;
        Ok(buffer)
    }

    /// Writes guest memory. The host may write read-only regions too.
    pub fn write_memory(&mut self, address: u32, data: &[u8]) -> Result<(), Fault> {
        with_backend!(mut self, |state, _program| state.write_memory(address, data))
    }

    /// Grows the heap, as the guest's `sbrk` does.
    pub fn sbrk(&mut self, size: u32) -> Option<u32> {
        with_backend!(mut self, |state, _program| state.sbrk(size))
    }

    /// Current heap size.
    pub fn heap_size(&self) -> u32 {
        with_backend!(self, |state, _program| state.heap_size())
    }

    /// Whether `sbrk` was refused since this instance was created because the heap
    /// would have grown past its limit ([`ModuleConfig::max_heap_size`]): the guest's
    /// allocation failed, which explains a trap that follows.
    pub fn heap_limit_reached(&self) -> bool {
        with_backend!(self, |state, _program| state.sbrk_refused())
    }

    /// Why the last [`Interrupt::Trap`] happened.
    pub fn trap_reason(&self) -> Option<TrapReason> {
        with_backend!(self, |state, _program| state.trap_reason())
    }

    /// The pc of the instruction that caused the last interrupt (for `NotEnoughGas`,
    /// the start of the block that could not be paid for).
    pub fn program_counter(&self) -> u32 {
        with_backend!(self, |state, program| state.program_counter(program))
    }

    /// Where execution continues on the next [`RawInstance::run`].
    pub fn next_program_counter(&self) -> u32 {
        with_backend!(self, |state, program| state.next_program_counter(program))
    }

    /// Continues execution at `pc`. Entering a basic block in its middle charges the
    /// whole block, like the reference.
    pub fn set_next_pc(&mut self, pc: u32) -> Result<(), Error> {
        let inner = &self.module.0;
        let layout = &inner.source.layout;
        if !layout.is_instruction_start(pc) {
            return Err(Error::InvalidPc(pc));
        }
        let block_cost = (!layout.is_block_start(pc)).then(|| inner.source.cost_of_block_containing(pc));
        with_backend!(mut self, |state, program| state.set_next_instruction(program, pc, block_cost));
        Ok(())
    }

    /// Prepares a call of the function at `pc`: clears the registers, sets the stack
    /// pointer, a return address that returns to the host, and the arguments in
    /// `a0`..`a5`.
    pub fn prepare_call(&mut self, pc: u32, args: &[u64]) -> Result<(), Error> {
        if args.len() > Reg::ARGS.len() {
            return Err(Error::TooManyArguments(args.len()));
        }
        self.set_next_pc(pc)?;
        with_backend!(mut self, |state, _program| state.clear_regs());
        self.set_reg(Reg::SP, u64::from(self.module.0.map.stack_address_high));
        self.set_reg(Reg::RA, u64::from(RETURN_TO_HOST));
        for (&reg, &value) in Reg::ARGS.iter().zip(args) {
            self.set_reg(reg, value);
        }
        Ok(())
    }

    /// The interpreter translates code when it first runs it; this translates all of
    /// it now. Nothing observable changes (gas, results and stops are the same either
    /// way): for tests that show it, and for benchmarks. No effect on other backends.
    #[doc(hidden)]
    pub fn translate_all(&mut self) {
        match &mut self.state {
            InstanceState::Interpreter(state) => state.translate_all(&self.module.0.source),
            #[cfg(pvm_compiler)]
            InstanceState::Compiler(_) => {}
        }
    }

    /// Runs until the next interrupt.
    pub fn run(&mut self) -> Interrupt {
        with_backend!(mut self, |state, program| state.run(program))
    }

    /// Records that a host function stopped execution.
    fn stopped_by_host(&mut self) {
        with_backend!(mut self, |state, _program| state.set_trap_reason(Some(TrapReason::Host)))
    }
}

/// A host function failed or asked to stop.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum HostError {
    /// The host function ran out of gas.
    OutOfGas,
    /// Guest memory could not be accessed.
    Memory(Fault),
    /// Any other reason.
    Message(String),
}

impl HostError {
    /// An error with a message.
    pub fn new(message: impl Into<String>) -> Self {
        HostError::Message(message.into())
    }
}

impl From<Fault> for HostError {
    fn from(fault: Fault) -> Self {
        HostError::Memory(fault)
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostError::OutOfGas => f.write_str("out of gas in a host function"),
            HostError::Memory(fault) => write!(f, "guest memory access failed at {:#x}", fault.address),
            HostError::Message(message) => f.write_str(message),
        }
    }
}

/// What a host function sees: the user's data and the calling instance.
pub struct Caller<'a, T> {
    /// The embedder's data passed to [`Instance::call`].
    pub data: &'a mut T,
    /// The instance (registers, memory, gas).
    pub instance: &'a mut RawInstance,
}

type HostFn<T> = dyn Fn(Caller<'_, T>) -> Result<(), HostError> + Send + Sync;

/// Host functions by import name.
pub struct Linker<T> {
    functions: BTreeMap<Vec<u8>, Arc<HostFn<T>>>,
}

impl<T> Default for Linker<T> {
    fn default() -> Self {
        Linker { functions: BTreeMap::new() }
    }
}

impl<T> Linker<T> {
    /// An empty linker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Defines (or replaces) the host function for import `name`. It reads its
    /// arguments from `a0`.. and writes results to `a0`/`a1`.
    pub fn define<F>(&mut self, name: &str, function: F) -> &mut Self
    where
        F: Fn(Caller<'_, T>) -> Result<(), HostError> + Send + Sync + 'static,
    {
        self.functions.insert(name.as_bytes().to_owned(), Arc::new(function));
        self
    }

    /// Instantiates `module`, resolving its imports by name. Imports without a
    /// definition are allowed; calling one stops execution with
    /// [`CallError::UnresolvedImport`].
    pub fn instantiate(&self, module: &Module) -> Result<Instance<T>, Error> {
        let imports = module.imports().iter().map(|symbol| self.functions.get(symbol).cloned()).collect();
        Ok(Instance { raw: module.instantiate(), imports })
    }
}

/// How a call ended, when it did not return normally.
#[derive(Clone, PartialEq, Eq, Debug)]
#[non_exhaustive]
pub enum CallError {
    /// Setting the call up failed.
    Setup(Error),
    /// The guest trapped.
    Trap {
        /// The pc of the trapping instruction.
        pc: u32,
        /// Why.
        reason: TrapReason,
    },
    /// Gas ran out; [`Instance::resume`] continues after refuelling.
    NotEnoughGas {
        /// Where execution stopped.
        pc: u32,
    },
    /// The guest called an import that has no host function.
    UnresolvedImport {
        /// The import's index.
        index: u32,
        /// The import's symbol.
        name: String,
    },
    /// A host function failed.
    Host {
        /// The import's symbol.
        name: String,
        /// The failure.
        error: HostError,
    },
    /// A memory fault reported as a page fault (page-map instances only).
    PageFault(Fault),
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Setup(e) => write!(f, "{e}"),
            CallError::Trap { pc, reason } => match reason {
                TrapReason::Explicit => write!(f, "trap at pc {pc}"),
                TrapReason::InvalidInstruction => write!(f, "trap at pc {pc}: invalid instruction"),
                TrapReason::InvalidJump { target } => {
                    write!(f, "trap at pc {pc}: jump to {target:#x}, which is not a valid jump target")
                }
                TrapReason::MemoryAccess(fault) => write!(
                    f,
                    "trap at pc {pc}: {} of inaccessible memory at {:#x}",
                    if fault.is_write { "write" } else { "read" },
                    fault.address
                ),
                TrapReason::Host => write!(f, "trap at pc {pc}: stopped by the host"),
            },
            CallError::NotEnoughGas { pc } => write!(f, "out of gas at pc {pc}"),
            CallError::UnresolvedImport { index, name } => {
                write!(f, "the program called import #{index} '{name}', which the host does not provide")
            }
            CallError::Host { name, error } => write!(f, "host function '{name}' failed: {error}"),
            CallError::PageFault(fault) => write!(f, "page fault at {:#x}", fault.address),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for CallError {}

impl From<Error> for CallError {
    fn from(error: Error) -> Self {
        CallError::Setup(error)
    }
}

/// An instance with its host functions.
pub struct Instance<T> {
    raw: RawInstance,
    imports: Vec<Option<Arc<HostFn<T>>>>,
}

impl<T> core::ops::Deref for Instance<T> {
    type Target = RawInstance;
    fn deref(&self) -> &RawInstance {
        &self.raw
    }
}

impl<T> core::ops::DerefMut for Instance<T> {
    fn deref_mut(&mut self) -> &mut RawInstance {
        &mut self.raw
    }
}

impl<T> Instance<T> {
    /// Calls an export with up to six arguments and returns `a0`. Host calls are
    /// dispatched to the linker's functions.
    pub fn call(&mut self, data: &mut T, export: &str, args: &[u64]) -> Result<u64, CallError> {
        let pc = self.raw.module.export(export).ok_or_else(|| Error::NoSuchExport(export.into()))?.pc;
        self.raw.prepare_call(pc, args)?;
        self.resume(data)
    }

    /// Continues execution (after [`CallError::NotEnoughGas`] and refuelling) until the
    /// call returns; returns `a0`.
    pub fn resume(&mut self, data: &mut T) -> Result<u64, CallError> {
        loop {
            match self.raw.run() {
                Interrupt::Finished => return Ok(self.raw.reg(Reg::A0)),
                Interrupt::Ecalli(index) => self.host_call(data, index)?,
                Interrupt::Trap => {
                    return Err(CallError::Trap {
                        pc: self.raw.program_counter(),
                        reason: self.raw.trap_reason().unwrap_or(TrapReason::Explicit),
                    })
                }
                Interrupt::NotEnoughGas => return Err(CallError::NotEnoughGas { pc: self.raw.next_program_counter() }),
                Interrupt::PageFault(fault) => return Err(CallError::PageFault(fault)),
            }
        }
    }

    fn host_call(&mut self, data: &mut T, index: u32) -> Result<(), CallError> {
        let result = match self.imports.get(index as usize) {
            Some(Some(function)) => function(Caller { data, instance: &mut self.raw }).map_err(Some),
            _ => Err(None),
        };
        result.map_err(|error| {
            let name = self
                .raw
                .module
                .imports()
                .get(index as usize)
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .unwrap_or_default();
            match error {
                Some(error) => {
                    self.raw.stopped_by_host();
                    CallError::Host { name, error }
                }
                None => CallError::UnresolvedImport { index, name },
            }
        })
    }
}
