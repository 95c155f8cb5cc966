//! A runtime interface through which a Substrate runtime runs `pvm` programs on the
//! node, where the recompiler is, instead of in its own Wasm: the design of
//! polkadot-sdk's `sp-virtualization`, for this VM.
//!
//! The runtime prepares a module from code (the node caches translations by code hash),
//! creates instances, sets registers and gas, runs an instance until it stops (it
//! finished, trapped, ran out of gas, or calls the host: the runtime serves the host
//! call itself, from its own state, and runs the instance again), reads and writes its
//! memory, and destroys it. Everything is checked on the node side: an unknown handle,
//! an access outside guest memory or too many instances is an [`Error`], never a node
//! panic.
//!
//! The node keeps the instances of one runtime call in an externalities extension,
//! [`PvmHostExt`] (with `std`), which it registers for block import and authoring;
//! without it, every function returns [`Error::Unavailable`], and the runtime falls
//! back to running the interpreter itself. Handles count up from 1 in each runtime
//! call, so they are the same on every node whatever its cache holds; so are results
//! and gas, since the two backends agree exactly.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(missing_docs)]

extern crate alloc;

use alloc::vec::Vec;

use codec::{Decode, Encode};
use sp_runtime_interface::pass_by::{AllocateAndReturnByCodec, PassFatPointerAndDecode, PassFatPointerAndRead};
use sp_runtime_interface::runtime_interface;

#[cfg(feature = "std")]
mod host;
#[cfg(feature = "std")]
pub use host::{Host, Limits, PvmHostExt};

/// A prepared module (in one runtime call).
pub type ModuleHandle = u32;
/// An instance (in one runtime call).
pub type InstanceHandle = u32;

/// How a module is prepared.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Encode, Decode)]
pub struct ModuleSettings {
    /// The code's hash, under which the node caches its translation. The runtime
    /// vouches for it (it stores code under its hash).
    pub code_hash: [u8; 32],
    /// How far `sbrk` may grow the heap (`None`: as far as the memory map allows).
    pub max_heap_size: Option<u32>,
}

/// Where a run stopped.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
pub enum Stop {
    /// The program returned to the host.
    Finished,
    /// The program trapped at `pc`.
    Trap {
        /// The trapping instruction.
        pc: u32,
        /// Why.
        reason: TrapReason,
    },
    /// The program calls import `index`; running again resumes after the call.
    HostCall {
        /// The import's index.
        index: u32,
    },
    /// The gas ran out before the block at `pc`; running again after refuelling resumes.
    NotEnoughGas {
        /// Where execution stopped.
        pc: u32,
    },
}

/// Why a program trapped (as [`pvm::TrapReason`], in a form that crosses the
/// interface).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode)]
pub enum TrapReason {
    /// A `trap` instruction, or running off the end of the code.
    Explicit,
    /// Bytes that are not an instruction.
    InvalidInstruction,
    /// A jump to something that is not a valid target.
    InvalidJump {
        /// The target.
        target: u32,
    },
    /// An access to memory the program may not access.
    MemoryAccess {
        /// The first byte that could not be accessed.
        address: u32,
        /// Whether it was a write.
        is_write: bool,
    },
}

/// Why a call of the interface failed.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode)]
pub enum Error {
    /// The node does not provide the interface's state (no [`PvmHostExt`] registered).
    Unavailable,
    /// The code is not a valid program (the message says why).
    InvalidCode(Vec<u8>),
    /// No module with this handle.
    UnknownModule,
    /// No instance with this handle.
    UnknownInstance,
    /// The limit on live instances is reached.
    TooManyInstances,
    /// The limit on prepared modules is reached.
    TooManyModules,
    /// Not an instruction start (a call's entry point).
    InvalidPc,
    /// The module has no export of this name.
    NoSuchExport,
    /// Not a register index (0..13).
    InvalidRegister,
    /// Guest memory could not be accessed at this address.
    MemoryAccess {
        /// The first byte that could not be accessed.
        address: u32,
    },
    /// The node could not set the instance up (out of memory).
    Resources,
}

/// The interface. Each function is called by the runtime and runs on the node.
#[runtime_interface]
pub trait PvmHost {
    /// Prepares `code` to run: translates it, or finds the translation in the node's
    /// cache. Preparing the same settings again in a runtime call gives the same handle.
    fn prepare(
        &mut self,
        settings: PassFatPointerAndDecode<ModuleSettings>,
        code: PassFatPointerAndRead<&[u8]>,
    ) -> AllocateAndReturnByCodec<Result<ModuleHandle, Error>> {
        with_host(*self, |host| host.prepare(settings, code))
    }

    /// The pc of a module's export.
    fn export_pc(
        &mut self,
        module: ModuleHandle,
        name: PassFatPointerAndRead<&[u8]>,
    ) -> AllocateAndReturnByCodec<Result<u32, Error>> {
        with_host(*self, |host| host.export_pc(module, name))
    }

    /// A module's imports (their symbols), in index order.
    fn imports(&mut self, module: ModuleHandle) -> AllocateAndReturnByCodec<Result<Vec<Vec<u8>>, Error>> {
        with_host(*self, |host| host.imports(module))
    }

    /// Creates an instance of a module with fresh memory.
    fn instantiate(&mut self, module: ModuleHandle) -> AllocateAndReturnByCodec<Result<InstanceHandle, Error>> {
        with_host(*self, |host| host.instantiate(module))
    }

    /// Prepares a call of the code at `pc` with `args` in `a0`.. (registers cleared, the
    /// stack pointer and return address set).
    fn prepare_call(
        &mut self,
        instance: InstanceHandle,
        pc: u32,
        args: PassFatPointerAndDecode<Vec<u64>>,
    ) -> AllocateAndReturnByCodec<Result<(), Error>> {
        with_host(*self, |host| host.prepare_call(instance, pc, &args))
    }

    /// Runs until the program stops.
    fn run(&mut self, instance: InstanceHandle) -> AllocateAndReturnByCodec<Result<Stop, Error>> {
        with_host(*self, |host| host.run(instance))
    }

    /// The remaining gas.
    fn gas(&mut self, instance: InstanceHandle) -> AllocateAndReturnByCodec<Result<i64, Error>> {
        with_host(*self, |host| host.gas(instance))
    }

    /// Sets the remaining gas.
    fn set_gas(&mut self, instance: InstanceHandle, gas: i64) -> AllocateAndReturnByCodec<Result<(), Error>> {
        with_host(*self, |host| host.set_gas(instance, gas))
    }

    /// Reads register `index` (0..13, in `pvm::Reg` order).
    fn reg(&mut self, instance: InstanceHandle, index: u32) -> AllocateAndReturnByCodec<Result<u64, Error>> {
        with_host(*self, |host| host.reg(instance, index))
    }

    /// Writes register `index`.
    fn set_reg(
        &mut self,
        instance: InstanceHandle,
        index: u32,
        value: u64,
    ) -> AllocateAndReturnByCodec<Result<(), Error>> {
        with_host(*self, |host| host.set_reg(instance, index, value))
    }

    /// Reads `len` bytes of guest memory at `address`.
    fn read_memory(
        &mut self,
        instance: InstanceHandle,
        address: u32,
        len: u32,
    ) -> AllocateAndReturnByCodec<Result<Vec<u8>, Error>> {
        with_host(*self, |host| host.read_memory(instance, address, len))
    }

    /// Writes guest memory at `address`.
    fn write_memory(
        &mut self,
        instance: InstanceHandle,
        address: u32,
        data: PassFatPointerAndRead<&[u8]>,
    ) -> AllocateAndReturnByCodec<Result<(), Error>> {
        with_host(*self, |host| host.write_memory(instance, address, data))
    }

    /// The heap size (how far `sbrk` grew it).
    fn heap_size(&mut self, instance: InstanceHandle) -> AllocateAndReturnByCodec<Result<u32, Error>> {
        with_host(*self, |host| host.heap_size(instance))
    }

    /// Whether `sbrk` was refused because of the heap limit (since the instance was
    /// created): the guest's allocation failed, which explains a trap that follows.
    fn heap_limit_reached(&mut self, instance: InstanceHandle) -> AllocateAndReturnByCodec<Result<bool, Error>> {
        with_host(*self, |host| host.heap_limit_reached(instance))
    }

    /// The node's backend (`"compiler"` or `"interpreter"`): which one runs the
    /// runtime's programs.
    fn backend(&mut self) -> AllocateAndReturnByCodec<Result<Vec<u8>, Error>> {
        with_host(*self, |host| Ok(host.backend().name().as_bytes().to_vec()))
    }

    /// Destroys an instance.
    fn destroy(&mut self, instance: InstanceHandle) -> AllocateAndReturnByCodec<Result<(), Error>> {
        with_host(*self, |host| host.destroy(instance))
    }
}

/// Runs `f` on the node's state for this runtime call, if the node registered it.
#[cfg(feature = "std")]
fn with_host<R>(
    mut externalities: &mut dyn sp_externalities::Externalities,
    f: impl FnOnce(&mut Host) -> Result<R, Error>,
) -> Result<R, Error> {
    use sp_externalities::ExternalitiesExt;
    match externalities.extension::<PvmHostExt>() {
        Some(extension) => f(&mut extension.0),
        None => Err(Error::Unavailable),
    }
}
