//! Shared code of the fuzz targets: the blob harness (`blob_parse`, `blob_mutate`) and
//! the structure-aware blob mutator (`blob_mutate`).

pub mod mutate;

use std::fmt::Write as _;

use pvm::program::{Disassembly, ProgramBlob};
use pvm::{Interrupt, Module, ModuleConfig, Reg};

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
/// jump-table targets with a small gas limit.
pub fn exercise_blob(data: &[u8]) {
    let Ok(blob) = ProgramBlob::parse(data) else {
        return;
    };
    let config = ModuleConfig { max_heap_size: Some(MAX_MEMORY as u32), ..ModuleConfig::default() };
    let Ok(module) = Module::from_blob(&config, blob) else {
        return;
    };

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
        run_from(&module, pc);
    }
}

fn run_from(module: &Module, pc: u32) {
    let mut instance = module.instantiate();
    if instance.prepare_call(pc, &[1, 2, 3]).is_err() {
        return;
    }
    instance.set_gas(GAS);
    for _ in 0..MAX_INTERRUPTS {
        match instance.run() {
            Interrupt::Ecalli(_) => continue,
            Interrupt::NotEnoughGas => instance.set_gas(REFUEL),
            _ => break,
        }
    }
    let _ = instance.trap_reason();
    let _ = instance.program_counter();
    let _ = instance.next_program_counter();
    let _ = instance.reg(Reg::A0);
    let sp = instance.reg(Reg::SP) as u32;
    let _ = instance.read_memory_vec(sp.wrapping_sub(16), 32);
}
