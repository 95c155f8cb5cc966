//! The interpreter's instance state: the machine, the code translated so far, and the
//! mapping between guest program counters and the interpreter's operations.

use super::compile::{Compiled, Source};
use super::exec::{Machine, Untranslated};
use crate::backend::BackendInstance;
use crate::gas::Gas;
use crate::interrupt::{Interrupt, TrapReason};
use crate::memory::{Fault, Memory};

#[derive(Clone)]
pub(crate) struct Instance {
    machine: Machine,
    /// Gas for a block entered in its middle, charged when execution resumes.
    pending_charge: Option<u32>,
    /// The blocks translated so far: an instance translates the code it runs, when
    /// it first runs it (what is charged does not depend on it).
    compiled: Compiled,
}

impl Instance {
    pub fn new(source: &Source, memory: Memory, report_page_faults: bool) -> Self {
        let mut machine = Machine::new(memory);
        machine.report_page_faults = report_page_faults;
        Instance { machine, pending_charge: None, compiled: Compiled::empty(source) }
    }
}

impl Instance {
    /// See [`Compiled::translate_all`].
    pub fn translate_all(&mut self, source: &Source) {
        self.compiled.translate_all(source);
    }
}

impl BackendInstance for Instance {
    type Program = Source;

    #[inline]
    fn reg(&self, index: usize) -> u64 {
        self.machine.regs[index]
    }

    #[inline]
    fn set_reg(&mut self, index: usize, value: u64) {
        self.machine.regs[index] = value;
    }

    fn clear_regs(&mut self) {
        self.machine.regs = [0; 16];
    }

    fn gas(&self) -> Gas {
        self.machine.gas
    }

    fn set_gas(&mut self, gas: Gas) {
        self.machine.gas = gas;
    }

    fn read_memory(&self, address: u32, buffer: &mut [u8]) -> Result<(), Fault> {
        self.machine.memory.read(address, buffer)
    }

    fn write_memory(&mut self, address: u32, data: &[u8]) -> Result<(), Fault> {
        self.machine.memory.write(address, data, false)
    }

    fn sbrk(&mut self, size: u32) -> Option<u32> {
        self.machine.memory.sbrk(size)
    }

    fn heap_size(&self) -> u32 {
        self.machine.memory.heap_size()
    }

    fn sbrk_refused(&self) -> bool {
        self.machine.memory.sbrk_refused()
    }

    fn trap_reason(&self) -> Option<TrapReason> {
        self.machine.trap_reason
    }

    fn set_trap_reason(&mut self, reason: Option<TrapReason>) {
        self.machine.trap_reason = reason;
    }

    fn program_counter(&self, _source: &Source) -> u32 {
        self.compiled.pc_of_op(self.machine.interrupted_op)
    }

    fn next_program_counter(&self, _source: &Source) -> u32 {
        self.machine.ecalli_next_pc.unwrap_or_else(|| self.compiled.pc_of_op(self.machine.next_op))
    }

    fn set_next_instruction(&mut self, source: &Source, pc: u32, block_cost: Option<u32>) {
        self.machine.next_op = self.compiled.op_at(source, pc);
        // Until it runs, the instruction to run is the current one (if gas stops it).
        self.machine.interrupted_op = self.machine.next_op;
        self.pending_charge = block_cost.filter(|_| source.metering);
        self.machine.trap_reason = None;
        self.machine.ecalli_next_pc = None;
    }

    fn run(&mut self, source: &Source) -> Interrupt {
        // A host function may have left the gas negative: nothing runs until refuelled.
        if self.machine.gas < 0 {
            return Interrupt::NotEnoughGas;
        }
        if let Some(cost) = self.pending_charge {
            if self.machine.gas < Gas::from(cost) {
                return Interrupt::NotEnoughGas;
            }
            self.machine.gas -= Gas::from(cost);
            self.pending_charge = None;
        }
        loop {
            match self.machine.run(&self.compiled) {
                Ok(interrupt) => return interrupt,
                Err(Untranslated::Block(pc)) => self.machine.next_op = self.compiled.block_op(source, pc),
                Err(Untranslated::Slot(slot)) => match self.compiled.slot_op(source, slot as usize) {
                    Some(op) => self.machine.next_op = op,
                    // The dynamic jump traps, as it would have had the slot been
                    // validated before it ran.
                    None => {
                        let target = slot.wrapping_add(1).wrapping_mul(2);
                        self.machine.trap_reason = Some(TrapReason::InvalidJump { target });
                        return Interrupt::Trap;
                    }
                },
            }
        }
    }
}
