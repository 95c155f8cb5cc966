//! CKB-VM 0.24: its Rust interpreter (`DefaultMachine`) and its assembly machine
//! (`AsmMachine`), with the ISA and version CKB runs today (RV64IMC plus A, B and
//! macro-op fusion, version 2) and CKB's cycle costs, on the `riscv64imac-unknown-none-elf`
//! programs of tests/peers/guests (`ckb-*`). A CKB-VM program runs from its entry to its
//! exit, so the program loops over the samples itself and marks each through a syscall
//! of ours (see `peers_guests::ckb`); the host takes the time at each mark.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use ckb_vm::machine::asm::AsmMachine;
use ckb_vm::machine::VERSION2;
use ckb_vm::registers::{A0, A1, A7};
use ckb_vm::{
    Bytes, DefaultCoreMachine, DefaultMachine, DefaultMachineBuilder, DefaultMachineRunner, Register, SparseMemory,
    SupportMachine, Syscalls, WXorXMemory,
};
use peers_native::{Measurement, Plan, Program};

use super::{guest_build, Peer};

/// The syscalls of `peers_guests::ckb`.
const SYSCALL_PLAN: u64 = 9000;
const SYSCALL_MARK: u64 = 9001;
const SYSCALL_RESULT: u64 = 9002;

/// The ISA CKB runs (its VM version 2).
const ISA: u8 = ckb_vm::ISA_IMC | ckb_vm::ISA_A | ckb_vm::ISA_B | ckb_vm::ISA_MOP;

/// The guest's memory: CKB-VM's most, 4 MiB (its memories refuse more), the 1 MiB
/// stack included.
const MEMORY: usize = ckb_vm::RISCV_MAX_MEMORY;

/// Which of CKB-VM's machines runs the program.
#[derive(Copy, Clone)]
pub enum Machine {
    Interpreter,
    Asm,
}

pub struct Ckb(pub Machine);

impl Peer for Ckb {
    fn name(&self) -> String {
        match self.0 {
            Machine::Interpreter => "CKB-VM 0.24 interpreter, rv64imac".into(),
            Machine::Asm => "CKB-VM 0.24 asm machine, rv64imac".into(),
        }
    }

    fn measure(&mut self, program: Program, plan: Plan) -> Result<Measurement, String> {
        if program == Program::Minimal {
            return Err("a CKB-VM program runs from its entry to its exit: no export to call repeatedly".into());
        }
        let code: Bytes = guest_build(&format!("riscv64imac-unknown-none-elf/release/ckb-{}", program.name()))?.into();
        match self.0 {
            Machine::Interpreter => {
                run::<DefaultMachine<DefaultCoreMachine<u64, WXorXMemory<SparseMemory<u64>>>>>(&code, plan)
            }
            Machine::Asm => run::<AsmMachine>(&code, plan),
        }
    }
}

/// What the guest reported through the syscalls.
#[derive(Default)]
struct Record {
    marks: Vec<Instant>,
    result: Option<u32>,
}

/// The host side of the syscalls.
struct Harness {
    plan: Plan,
    record: Arc<Mutex<Record>>,
}

impl<Mac: SupportMachine> Syscalls<Mac> for Harness {
    fn initialize(&mut self, _machine: &mut Mac) -> Result<(), ckb_vm::Error> {
        Ok(())
    }

    fn ecall(&mut self, machine: &mut Mac) -> Result<bool, ckb_vm::Error> {
        let mut record = self.record.lock().expect("no thread panicked holding the record");
        match machine.registers()[A7].to_u64() {
            SYSCALL_MARK => record.marks.push(Instant::now()),
            SYSCALL_PLAN => {
                machine.set_register(A0, Mac::REG::from_u64(u64::from(self.plan.samples)));
                machine.set_register(A1, Mac::REG::from_u64(u64::from(self.plan.calls)));
            }
            SYSCALL_RESULT => record.result = Some(machine.registers()[A0].to_u32()),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Loads `code` into a new machine of type `R` and runs it to its exit.
fn run<R: DefaultMachineRunner>(code: &Bytes, plan: Plan) -> Result<Measurement, String> {
    let record = Arc::new(Mutex::new(Record::default()));
    let start = Instant::now();
    let core = R::Inner::new_with_memory(ISA, VERSION2, u64::MAX, MEMORY);
    let machine = DefaultMachineBuilder::new(core)
        .instruction_cycle_func(Box::new(ckb_vm::cost_model::estimate_cycles))
        .syscall(Box::new(Harness { plan, record: Arc::clone(&record) }))
        .build();
    let mut runner = R::new(machine);
    runner.load_program(code, std::iter::empty()).map_err(|error| {
        format!("cannot load ({error:?}): the program needs more than CKB-VM's {} MiB of memory", MEMORY >> 20)
    })?;
    let load = start.elapsed().as_secs_f64();
    let exit = runner.run().map_err(|error| format!("traps: {error:?}"))?;
    if exit != 0 {
        return Err(format!("exits with {exit}"));
    }
    let record = record.lock().expect("no thread panicked holding the record");
    let calls = f64::from(plan.calls);
    // The first sample (between the first two marks) is the warm-up.
    let samples = record.marks.windows(2).skip(1).map(|pair| (pair[1] - pair[0]).as_secs_f64() / calls).collect();
    let result = record.result.ok_or("the program reported no result")?;
    Ok(Measurement { load: Some(load), samples, result })
}
