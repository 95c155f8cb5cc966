//! The compiler's instance state: a reservation holding the guest's memory and the
//! context (registers, gas), the memory map as a descriptor of what is accessible,
//! and the same program-counter bookkeeping as the interpreter's, in operations of
//! the shared lowered form.
#![allow(unsafe_code)]

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::mem::ManuallyDrop;

use super::emit::{exit, Program};
use super::sandbox::{Access, Context, MapError, ModulePool, Reservation};
use super::signal::{Running, FAULT_EXIT};
use crate::backend::BackendInstance;
use crate::gas::Gas;
use crate::interrupt::{Interrupt, TrapReason};
use crate::memory::{self, Fault, Fill, Memory, MemsetStop};
use crate::semantics::{self, sext32};

pub(crate) struct Instance {
    /// Taken out only when the instance is dropped.
    reservation: ManuallyDrop<Reservation>,
    /// Where the reservation goes back for the next instance of the module, if it can
    /// be reset to the module's initial layout: the writable ranges of that layout, and
    /// how many ranges it opened (the heap grows beyond them).
    reuse: Option<Reuse>,
    /// What is accessible and how (no contents: those are in the reservation). Its
    /// `sbrk` decides heap growth, its lookups the faults, exactly as for the
    /// interpreter's memory.
    layout: Memory,
    next_op: u32,
    interrupted_op: u32,
    trap_reason: Option<TrapReason>,
    ecalli_next_pc: Option<u32>,
    /// Gas for a block entered in its middle, charged when execution resumes.
    pending_charge: Option<u32>,
    report_page_faults: bool,
}

/// How to return an instance's reservation to its module's pool.
struct Reuse {
    pool: Arc<ModulePool>,
    writable: Vec<(u32, u32)>,
    opened: usize,
}

impl Instance {
    /// An instance whose memory is `layout`, with the initial `contents` (address and
    /// bytes, inside the layout's regions) written in. With `pooled`, the reservation
    /// comes from (and goes back to) the module's pool: only for the module's
    /// standard layout.
    pub fn new(
        program: &Program,
        layout: Memory,
        contents: &[(u32, &[u8])],
        report_page_faults: bool,
        pooled: bool,
    ) -> Result<Instance, MapError> {
        let reused = if pooled { program.pool.take() } else { None };
        let (reservation, fresh) = match reused {
            Some(reservation) => (reservation, false),
            None => (Reservation::take()?, true),
        };
        let reservation = Self::set_up(reservation, &layout, contents, fresh)?;
        let reuse = pooled.then(|| Reuse {
            pool: program.pool.clone(),
            writable: layout.spans().filter(|&(_, _, writable)| writable).map(|(start, len, _)| (start, len)).collect(),
            opened: reservation.opened_count(),
        });
        let mut instance = Instance {
            reservation: ManuallyDrop::new(reservation),
            reuse,
            layout,
            next_op: 0,
            interrupted_op: 0,
            trap_reason: None,
            ecalli_next_pc: None,
            pending_charge: None,
            report_page_faults,
        };
        let (code_start, code_end) = program.code_range();
        let context = instance.context_mut();
        *context = Context::default();
        context.code_start = code_start;
        context.code_end = code_end;
        context.fault_exit = program.fault_exit_address();
        Ok(instance)
    }

    /// Opens `layout`'s regions in a blank reservation and writes `contents`; in a
    /// reused one (not `fresh`: regions open, read-only contents in place), writes the
    /// writable regions' contents only.
    fn set_up(
        mut reservation: Reservation,
        layout: &Memory,
        contents: &[(u32, &[u8])],
        fresh: bool,
    ) -> Result<Reservation, MapError> {
        if !fresh {
            for &(address, bytes) in contents {
                let len = u32::try_from(bytes.len()).map_err(|_| MapError)?;
                if layout.region_for(address, len, true).is_ok() {
                    // SAFETY: the range lies in a writable region, which a reused
                    // reservation has open read-write.
                    unsafe { reservation.write(address, bytes) };
                }
            }
            return Ok(reservation);
        }
        let spans: alloc::vec::Vec<_> = layout.spans().collect();
        for &(start, len, _) in &spans {
            reservation.protect(start, len, Access::ReadWrite)?;
        }
        for &(address, bytes) in contents {
            let len = u32::try_from(bytes.len()).map_err(|_| MapError)?;
            // Contents that do not fit the layout are a caller bug; refuse them rather
            // than write outside the opened ranges.
            layout.region_for(address, len, false).map_err(|_| MapError)?;
            // SAFETY: the range lies in a region opened read-write just above.
            unsafe { reservation.write(address, bytes) };
        }
        for &(start, len, writable) in &spans {
            if !writable {
                reservation.protect(start, len, Access::Read)?;
            }
        }
        Ok(reservation)
    }

    fn context(&self) -> &Context {
        // SAFETY: the context page is mapped read-write for the reservation's life, and
        // only this instance (through `&self`/`&mut self`) or code it runs touches it.
        unsafe { &*self.reservation.context() }
    }

    fn context_mut(&mut self) -> &mut Context {
        // SAFETY: as in `context`, with exclusive access through `&mut self`.
        unsafe { &mut *self.reservation.context() }
    }

    fn grow_heap(&mut self, size: u32) -> Option<u32> {
        let before = self.layout.heap_region_end()?;
        let top = self.layout.sbrk(size)?;
        let after = self.layout.heap_region_end()?;
        if after > before {
            // Opening pages of our own reservation only fails if the kernel is out of
            // memory for its bookkeeping; the guest then sees a failed `sbrk`.
            let opened = self.reservation.protect(before as u32, (after - before) as u32, Access::ReadWrite);
            if opened.is_err() {
                return None;
            }
        }
        Some(top)
    }

    /// Stops at operation `op`: interrupted there, and continuing there.
    fn stop_at(&mut self, op: u32, interrupt: Interrupt) -> Interrupt {
        self.interrupted_op = op;
        self.next_op = op;
        interrupt
    }

    fn trap(&mut self, op: u32, reason: TrapReason) -> Interrupt {
        self.trap_reason = Some(reason);
        self.stop_at(op, Interrupt::Trap)
    }

    /// A load, store or `memset` at operation `op` could not access memory.
    fn fault(&mut self, op: u32, fault: Fault) -> Interrupt {
        if self.report_page_faults {
            let page = u64::from(self.layout.page_size());
            let address = (u64::from(fault.address) / page * page) as u32;
            self.stop_at(op, Interrupt::PageFault(Fault { address, ..fault }))
        } else {
            self.trap(op, TrapReason::MemoryAccess(fault))
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        // SAFETY: the reservation is taken out once, here, and not used afterwards.
        let mut reservation = unsafe { ManuallyDrop::take(&mut self.reservation) };
        if let Some(reuse) = self.reuse.take() {
            let reset = reservation
                .close_after(reuse.opened)
                .and_then(|()| reuse.writable.iter().try_for_each(|&(address, len)| reservation.discard(address, len)));
            if reset.is_ok() {
                reuse.pool.give(reservation);
            }
        }
    }
}

/// The instance's memory as `memset` fills it.
struct Mapped<'a> {
    layout: &'a Memory,
    reservation: &'a mut Reservation,
}

impl Fill for Mapped<'_> {
    fn fill(&mut self, address: u32, value: u8, count: u32) -> (u32, Option<Fault>) {
        let mut written = 0u32;
        while written < count {
            let cursor = address.wrapping_add(written);
            let Some((_, run)) = self.layout.writable_run(cursor) else {
                return (written, Some(Fault { address: cursor, is_write: true }));
            };
            let chunk = (count - written).min(run);
            // SAFETY: `[cursor, cursor + chunk)` lies in one writable region, which the
            // reservation has open read-write.
            unsafe { self.reservation.fill(cursor, value, chunk) };
            written += chunk;
        }
        (written, None)
    }
}

impl Clone for Instance {
    /// A copy with its own reservation. Like a failed allocation, running out of
    /// address space for it aborts.
    fn clone(&self) -> Self {
        let copy = || -> Result<Instance, MapError> {
            let mut reservation = Reservation::take()?;
            for (start, len, writable) in self.layout.spans() {
                reservation.protect(start, len, Access::ReadWrite)?;
                let mut bytes = alloc::vec![0u8; len as usize];
                // SAFETY: every span of the layout is accessible in `self`'s
                // reservation, and was just opened read-write in the new one.
                unsafe {
                    self.reservation.read(start, &mut bytes);
                    reservation.write(start, &bytes);
                }
                if !writable {
                    reservation.protect(start, len, Access::Read)?;
                }
            }
            let context = self.context();
            // SAFETY: the new reservation's context page is mapped read-write and ours.
            let target = unsafe { &mut *reservation.context() };
            target.regs = context.regs;
            target.gas = context.gas;
            target.code_start = context.code_start;
            target.code_end = context.code_end;
            target.fault_exit = context.fault_exit;
            Ok(Instance {
                reservation: ManuallyDrop::new(reservation),
                // The copy's regions were opened as they are now (the heap perhaps
                // grown), not as a new instance has them: it does not go to the pool.
                reuse: None,
                layout: self.layout.clone(),
                next_op: self.next_op,
                interrupted_op: self.interrupted_op,
                trap_reason: self.trap_reason,
                ecalli_next_pc: self.ecalli_next_pc,
                pending_charge: self.pending_charge,
                report_page_faults: self.report_page_faults,
            })
        };
        match copy() {
            Ok(instance) => instance,
            Err(_) => std::process::abort(),
        }
    }
}

impl BackendInstance for Instance {
    type Program = Program;

    fn reg(&self, index: usize) -> u64 {
        self.context().regs[index]
    }

    fn set_reg(&mut self, index: usize, value: u64) {
        self.context_mut().regs[index] = value;
    }

    fn clear_regs(&mut self) {
        self.context_mut().regs = [0; 16];
    }

    fn gas(&self) -> Gas {
        self.context().gas
    }

    fn set_gas(&mut self, gas: Gas) {
        self.context_mut().gas = gas;
    }

    fn read_memory(&self, address: u32, buffer: &mut [u8]) -> Result<(), Fault> {
        let size = u32::try_from(buffer.len()).map_err(|_| Fault { address, is_write: false })?;
        self.layout.region_for(address, size, false)?;
        // SAFETY: the range lies in one accessible region, which the reservation has
        // open at least for reading.
        unsafe { self.reservation.read(address, buffer) };
        Ok(())
    }

    fn write_memory(&mut self, address: u32, data: &[u8]) -> Result<(), Fault> {
        let size = u32::try_from(data.len()).map_err(|_| Fault { address, is_write: true })?;
        if self.layout.region_for(address, size, true).is_ok() {
            // SAFETY: the range lies in one writable region, open read-write.
            unsafe { self.reservation.write(address, data) };
            return Ok(());
        }
        self.layout.region_for(address, size, false).map_err(|fault| Fault { is_write: true, ..fault })?;
        // Read-only contents differ from the module's now: the reservation cannot be
        // reused for another instance.
        self.reuse = None;
        // SAFETY: the range lies in one read-only region, open for reading.
        unsafe { self.reservation.write_read_only(address, data) }.map_err(|_| Fault { address, is_write: true })
    }

    fn sbrk(&mut self, size: u32) -> Option<u32> {
        self.grow_heap(size)
    }

    fn heap_size(&self) -> u32 {
        self.layout.heap_size()
    }

    fn sbrk_refused(&self) -> bool {
        self.layout.sbrk_refused()
    }

    fn trap_reason(&self) -> Option<TrapReason> {
        self.trap_reason
    }

    fn set_trap_reason(&mut self, reason: Option<TrapReason>) {
        self.trap_reason = reason;
    }

    fn program_counter(&self, program: &Program) -> u32 {
        program.lowered.pc_of_op(self.interrupted_op)
    }

    fn next_program_counter(&self, program: &Program) -> u32 {
        self.ecalli_next_pc.unwrap_or_else(|| program.lowered.pc_of_op(self.next_op))
    }

    fn set_next_instruction(&mut self, program: &Program, pc: u32, block_cost: Option<u32>) {
        self.next_op = program.lowered.translated_op_at(pc);
        // Until it runs, the instruction to run is the current one (if gas stops it).
        self.interrupted_op = self.next_op;
        self.pending_charge = block_cost.filter(|_| program.lowered.metering);
        self.trap_reason = None;
        self.ecalli_next_pc = None;
    }

    fn run(&mut self, program: &Program) -> Interrupt {
        // A host function may have left the gas negative: nothing runs until refuelled.
        if self.gas() < 0 {
            return Interrupt::NotEnoughGas;
        }
        if let Some(cost) = self.pending_charge {
            if self.gas() < Gas::from(cost) {
                return Interrupt::NotEnoughGas;
            }
            let gas = self.gas() - Gas::from(cost);
            self.set_gas(gas);
            self.pending_charge = None;
        }
        self.ecalli_next_pc = None;
        let lowered = &program.lowered;
        loop {
            {
                let _running = Running::new(self.reservation.context());
                // SAFETY: the reservation was set up for this program's module (its
                // memory map and code range), this thread is marked as running it, and
                // `next_op` is a valid operation (from `translated_op_at`, an interrupted
                // operation or the successor of one that continues).
                unsafe { program.enter(self.reservation.base(), self.next_op) };
            }
            let context = self.context();
            let (reason, op, argument) = (context.exit_reason, context.exit_op, context.exit_arg);
            match reason {
                exit::FINISHED => return self.stop_at(op, Interrupt::Finished),
                exit::TRAP => return self.trap(op, TrapReason::Explicit),
                exit::INVALID_INSTRUCTION => return self.trap(op, TrapReason::InvalidInstruction),
                exit::INVALID_JUMP => return self.trap(op, TrapReason::InvalidJump { target: argument }),
                exit::NOT_ENOUGH_GAS => return self.stop_at(op, Interrupt::NotEnoughGas),
                exit::ECALLI => {
                    self.interrupted_op = op;
                    self.next_op = op + 1;
                    self.ecalli_next_pc = Some(lowered.ops[op as usize].target);
                    return Interrupt::Ecalli(argument);
                }
                exit::SBRK => {
                    let operation = lowered.ops[op as usize];
                    let size = semantics::sbrk_size(lowered.is_64_bit, self.reg(usize::from(operation.a)));
                    let top = self.grow_heap(size).unwrap_or(0);
                    self.set_reg(usize::from(operation.d), sext32(top));
                    self.next_op = op + 1;
                }
                exit::MEMSET => {
                    // The registers and gas are copied out and back so that `Mapped`
                    // may borrow the reservation.
                    let (mut regs, mut gas) = (self.context().regs, self.context().gas);
                    let mut mapped = Mapped { layout: &self.layout, reservation: &mut self.reservation };
                    let result = memory::memset(&mut mapped, &mut regs, &mut gas, lowered.metering, lowered.is_64_bit);
                    let context = self.context_mut();
                    context.regs = regs;
                    context.gas = gas;
                    match result {
                        Ok(()) => self.next_op = op + 1,
                        Err(MemsetStop::NotEnoughGas) => return self.stop_at(op, Interrupt::NotEnoughGas),
                        Err(MemsetStop::Fault(fault)) => return self.fault(op, fault),
                    }
                }
                FAULT_EXIT => {
                    let rip = context.fault_rip;
                    let regs = context.regs;
                    let op = program.op_at(rip).unwrap_or(self.next_op);
                    let access = lowered.ops.get(op as usize).and_then(|operation| operation.access(&regs));
                    let Some((address, size, is_write)) = access else {
                        // Only loads and stores touch guest memory; any other fault in an
                        // operation's code is the host stack running out (a push), which
                        // Rust treats as fatal too.
                        std::eprintln!("pvm: fault in compiled code outside a guest memory access (op {op})");
                        std::process::abort();
                    };
                    let fault = match self.layout.region_for(address, size, is_write) {
                        Err(fault) => fault,
                        // The protections follow the layout, so an access it allows does
                        // not fault; were it to, reporting the access is still a trap.
                        Ok(_) => Fault { address, is_write },
                    };
                    return self.fault(op, fault);
                }
                _ => unreachable!("generated code stops only with the reasons in `exit`"),
            }
        }
    }
}
