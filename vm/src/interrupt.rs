//! How a run stops, the same for every backend: an [`Interrupt`] from
//! `RawInstance::run`, and for a trap its [`TrapReason`].

use crate::memory::Fault;

/// Why execution stopped.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Interrupt {
    /// The program jumped to the return-to-host address.
    Finished,
    /// The program trapped; [`TrapReason`] says why. Not resumable.
    Trap,
    /// A host call (`ecalli n`); resuming continues after the `ecalli`.
    Ecalli(u32),
    /// A memory access hit an inaccessible page (only when page faults are reported
    /// instead of trapping); the state is as before the faulting instruction, so the
    /// host may map the page and resume.
    PageFault(Fault),
    /// The next basic block (or `memset` byte) could not be paid for; the gas is
    /// unchanged and resuming retries it.
    NotEnoughGas,
}

/// Why a program trapped.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum TrapReason {
    /// An explicit `trap` instruction, or running off the end of the code.
    Explicit,
    /// Bytes that are not a valid instruction.
    InvalidInstruction,
    /// A jump or branch to something that is not the start of a basic block.
    InvalidJump {
        /// The target address (a code offset, or a dynamic jump-table address).
        target: u32,
    },
    /// A load or store outside the accessible memory, or a store to read-only memory.
    MemoryAccess(Fault),
    /// A host function asked to stop execution.
    Host,
}
