//! Shared code of the fuzz targets: the blob harness (`blob_parse`, `blob_mutate`) and
//! the structure-aware blob mutator (`blob_mutate`).

pub mod mutate;

use std::fmt::Write as _;

use pvm::program::{Disassembly, ProgramBlob};
use pvm::{Backend, Config, Engine, Interrupt, Module, ModuleConfig, Reg, TrapReason};

/// Gas for each call; a call that runs out is refuelled with [`REFUEL`] a few times.
const GAS: i64 = 2_000;
const REFUEL: i64 = 100;
/// Interrupts handled per call (host calls are skipped, out of gas refuels).
const MAX_INTERRUPTS: usize = 32;
/// Programs that declare more memory than this (RO + RW + stack) are loaded but not
/// run, and the heap is capped at it: memory is made resident as it is touched, and a
/// program that writes to the far end of a large region would cost that much host
/// memory per run (several times that under AddressSanitizer).
const MAX_MEMORY: u64 = 32 << 20;

/// Loads `data` as a program blob; loading must never panic. A blob that loads is
/// disassembled (a bounded number of instructions) and run from a few exports and
/// jump-table targets with a small gas limit, on the interpreter (which translates
/// lazily, as execution reaches code) and on the compiler (which translates everything
/// up front) where it is available: both must stop at the same places in the same
/// states.
pub fn exercise_blob(data: &[u8]) {
    let Ok(blob) = ProgramBlob::parse(data) else {
        return;
    };
    let config = ModuleConfig { max_heap_size: Some(MAX_MEMORY as u32), ..ModuleConfig::default() };
    let Ok(module) = Module::from_parsed(&engine(Backend::Interpreter), &config, blob.clone()) else {
        return;
    };
    let compiled = Module::from_parsed(&engine(Backend::Compiler), &config, blob).ok();

    let code = module.code();
    let mut text = String::new();
    for instruction in code.instructions().iter().take(64) {
        text.clear();
        let _ = write!(text, "{}", Disassembly(instruction));
    }

    let map = module.memory_map();
    let declared = u64::from(map.ro_data_size) + u64::from(map.rw_data_size) + u64::from(map.stack_size);
    if declared > MAX_MEMORY {
        return;
    }

    let mut entries: Vec<u32> = module.exports().iter().take(2).map(|export| export.pc).collect();
    entries.extend(code.jump_table().iter().take(1));
    if entries.is_empty() {
        entries.push(0);
    }
    for pc in entries {
        let interpreted = run_from(&module, pc);
        if let Some(compiled) = &compiled {
            let other = run_from(compiled, pc);
            assert_eq!(interpreted, other, "the interpreter and the compiler disagree, running from pc {pc}");
        }
    }
}

/// An engine for `backend` (the interpreter's where the compiler is unavailable).
fn engine(backend: Backend) -> Engine {
    Engine::new(&Config { backend }).unwrap_or_default()
}

/// Where a run stopped, and in what state.
#[derive(Debug, PartialEq)]
struct Stop {
    interrupt: Interrupt,
    trap_reason: Option<TrapReason>,
    pc: Option<u32>,
    next_pc: Option<u32>,
    gas: i64,
    regs: [u64; 13],
    heap_size: u32,
    stack: Option<Vec<u8>>,
}

fn run_from(module: &Module, pc: u32) -> Vec<Stop> {
    let mut instance = module.instantiate();
    let mut stops = Vec::new();
    if instance.prepare_call(pc, &[1, 2, 3]).is_err() {
        return stops;
    }
    instance.set_gas(GAS);
    for _ in 0..MAX_INTERRUPTS {
        let interrupt = instance.run();
        let sp = instance.reg(Reg::SP) as u32;
        // The program counters where they mean something.
        let (pc, next_pc) = match interrupt {
            Interrupt::Finished => (None, None),
            Interrupt::Trap | Interrupt::PageFault(_) => (Some(instance.program_counter()), None),
            Interrupt::Ecalli(_) | Interrupt::NotEnoughGas => {
                (Some(instance.program_counter()), Some(instance.next_program_counter()))
            }
        };
        stops.push(Stop {
            interrupt,
            trap_reason: instance.trap_reason(),
            pc,
            next_pc,
            gas: instance.gas(),
            regs: Reg::ALL.map(|reg| instance.reg(reg)),
            heap_size: instance.heap_size(),
            stack: instance.read_memory_vec(sp.wrapping_sub(16), 32).ok(),
        });
        match interrupt {
            Interrupt::Ecalli(_) => continue,
            Interrupt::NotEnoughGas => instance.set_gas(REFUEL),
            _ => break,
        }
    }
    stops
}
