//! The compiler's sandbox: a guest never reads, writes or jumps outside its memory and
//! code, and every bad access or jump stops it exactly as the interpreter stops it
//! (same interrupt, trap reason and fault address, pc, registers and gas). Accesses at
//! every region boundary and near 2^32, wrap-around address arithmetic, jumps to
//! arbitrary addresses, recursion into the stack guard, `sbrk` to the limit, `memset`
//! across a boundary, faults on many threads at once.
//!
//! Each test compares the compiler with the interpreter (the oracle); where the
//! compiler cannot run on this machine, the tests say so and pass.

use pvm::program::{Args, BlobBuilder};
use pvm::{
    Backend, Config, Engine, InstructionSet, Interrupt, Module, ModuleConfig, Opcode, RawInstance, Reg, TrapReason,
};

/// Everything observable about where a run stopped.
#[derive(Debug, PartialEq)]
struct Outcome {
    interrupt: Interrupt,
    trap: Option<TrapReason>,
    pc: u32,
    regs: Vec<u64>,
    gas: i64,
    heap: u32,
}

fn engine(backend: Backend) -> Engine {
    Engine::new(&Config { backend }).unwrap()
}

/// Both backends' engines, or `None` (with a note) where the compiler is unavailable.
fn engines() -> Option<[Engine; 2]> {
    if !Backend::Compiler.is_available() {
        eprintln!("skipped: the compiler backend is not available on this machine");
        return None;
    }
    Some([engine(Backend::Interpreter), engine(Backend::Compiler)])
}

fn outcome(instance: &mut RawInstance) -> Outcome {
    let interrupt = instance.run();
    Outcome {
        interrupt,
        trap: instance.trap_reason(),
        pc: instance.program_counter(),
        regs: Reg::ALL.iter().map(|&reg| instance.reg(reg)).collect(),
        gas: instance.gas(),
        heap: instance.heap_size(),
    }
}

/// Runs `blob`'s first export on both backends with `setup` applied, and returns the
/// (equal) outcome.
fn run_both(engines: &[Engine; 2], blob: &[u8], setup: &dyn Fn(&mut RawInstance)) -> Outcome {
    let outcomes: Vec<Outcome> = engines
        .iter()
        .map(|engine| {
            let module = Module::new(engine, &ModuleConfig::default(), blob).unwrap();
            let mut instance = module.instantiate();
            instance.prepare_call(module.exports()[0].pc, &[]).unwrap();
            instance.set_gas(1_000_000);
            setup(&mut instance);
            outcome(&mut instance)
        })
        .collect();
    assert_eq!(outcomes[0], outcomes[1], "interpreter (left) and compiler (right) differ");
    outcomes.into_iter().next().unwrap()
}

fn args(regs: [Reg; 3], imm1: u32, imm2: u32) -> Args {
    Args { regs: regs.map(|r| r as u8), imm1, imm2 }
}

/// A program with RO and RW data, a heap and a stack: `instructions`, then `trap`.
fn program(isa: InstructionSet, instructions: &[(Opcode, Args)]) -> Vec<u8> {
    let mut builder = BlobBuilder::new(isa);
    builder.ro_data(&[0x5a; 100], 0x1800);
    builder.rw_data(&[0xa5; 100], 0x2100);
    builder.stack_size(0x3000);
    builder.export_here("main");
    for &(opcode, args) in instructions {
        builder.push(opcode, args);
    }
    builder.push(Opcode::Trap, Args::default());
    builder.build()
}

const ISAS: [InstructionSet; 2] = [InstructionSet::Latest64, InstructionSet::Latest32];

/// The loads and stores of every width `isa` has, each reading its address from `a0`.
fn accesses(isa: InstructionSet) -> Vec<(Opcode, Args)> {
    use Opcode::*;
    let load = |opcode| (opcode, args([Reg::A1, Reg::A0, Reg::A0], 0, 0));
    let store = |opcode| (opcode, args([Reg::A2, Reg::A0, Reg::A0], 0, 0));
    vec![
        load(LoadIndirectU8),
        load(LoadIndirectI16),
        load(LoadIndirectU32),
        load(LoadIndirectU64),
        store(StoreIndirectU8),
        store(StoreIndirectU16),
        store(StoreIndirectU32),
        store(StoreIndirectU64),
    ]
    .into_iter()
    .filter(|&(opcode, _)| isa.supports(opcode))
    .collect()
}

fn region_boundaries(module: &Module) -> Vec<u32> {
    let map = module.memory_map();
    vec![
        map.ro_data_address(),
        map.ro_data_address() + map.ro_data_size,
        map.rw_data_address,
        map.rw_data_address + map.rw_data_size,
        map.stack_address_low(),
        map.stack_address_high,
        map.aux_data_address,
        0,
        u32::MAX - 7,
    ]
}

#[test]
fn accesses_at_every_region_boundary_stop_like_the_interpreter() {
    let Some(engines) = engines() else { return };
    let mut traps = 0;
    for isa in ISAS {
        for access in accesses(isa) {
            let blob = program(isa, &[access]);
            let module = Module::new(&engines[0], &ModuleConfig::default(), &blob).unwrap();
            for boundary in region_boundaries(&module) {
                for delta in -9i64..=9 {
                    let address = (i64::from(boundary) + delta) as u32;
                    let outcome = run_both(&engines, &blob, &|i| {
                        i.set_reg(Reg::A0, u64::from(address));
                        i.set_reg(Reg::A2, 0x0102_0304_0506_0708);
                    });
                    if let Some(TrapReason::MemoryAccess(_)) = outcome.trap {
                        traps += 1;
                    }
                }
            }
        }
    }
    assert!(traps > 500, "only {traps} accesses faulted");
}

#[test]
fn addresses_near_the_top_and_wrapping_around_fault_inside_the_sandbox() {
    let Some(engines) = engines() else { return };
    for isa in ISAS {
        for (opcode, mut args) in accesses(isa) {
            // Offsets that wrap the 32-bit address around, from bases near the top.
            for (base, offset) in [
                (0xffff_fff0u64, 0x20u32),
                (0xffff_ffff, 1),
                (0xffff_fff9, 0),
                (0x10, 0xffff_fff0),
                (0x8000_0000, 0x8000_0000),
                (0xdead_beef_0003_0000, 0),
                (u64::MAX, 0x3_0001),
            ] {
                args.imm1 = offset;
                let blob = program(isa, &[(opcode, args)]);
                let outcome = run_both(&engines, &blob, &|i| i.set_reg(Reg::A0, base));
                let address = (base as u32).wrapping_add(offset);
                let rw = 0x30000..0x30000 + 0x3000;
                if !rw.contains(&address) {
                    assert!(
                        matches!(outcome.trap, Some(TrapReason::MemoryAccess(_))),
                        "{opcode} at {address:#x} did not fault: {outcome:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn dynamic_jumps_to_arbitrary_addresses_stop_like_the_interpreter() {
    let Some(engines) = engines() else { return };
    for isa in ISAS {
        let mut builder = BlobBuilder::new(isa);
        builder.stack_size(0x1000);
        builder.export_here("main");
        builder.push(Opcode::JumpIndirect, args([Reg::A0, Reg::A0, Reg::A0], 0, 0));
        let target = builder.push(Opcode::LoadImm, args([Reg::A1, Reg::A0, Reg::A0], 7, 0));
        let middle = builder.push(Opcode::LoadImm, args([Reg::A2, Reg::A0, Reg::A0], 8, 0));
        builder.push(Opcode::JumpIndirect, args([Reg::RA, Reg::A0, Reg::A0], 0, 0));
        builder.jump_table_entry(target);
        builder.jump_table_entry(middle);
        builder.jump_table_entry(target);
        let blob = builder.build();
        let mut finished = 0;
        for address in [
            0u64,
            1,
            2,
            3,
            4,
            5,
            6,
            7,
            8,
            0x7fff_ffff,
            0x8000_0000,
            0xfffe_ffff,
            0xffff_0000,
            0xffff_0001,
            0xffff_fffe,
            0xffff_ffff,
            0x1_0000_0002,
            u64::MAX,
        ] {
            let outcome = run_both(&engines, &blob, &|i| i.set_reg(Reg::A0, address));
            finished += usize::from(outcome.interrupt == Interrupt::Finished);
        }
        assert!(finished >= 3, "valid jumps did not finish");
    }
}

#[test]
fn deep_recursion_runs_into_the_stack_guard() {
    let Some(engines) = engines() else { return };
    for isa in ISAS {
        // loop: sp -= 16; [sp + 8] = ra; jump loop
        let mut builder = BlobBuilder::new(isa);
        builder.stack_size(0x3000);
        builder.export_here("main");
        builder.push(Opcode::Fallthrough, Args::default());
        let add = if isa.is_64_bit() { Opcode::AddImm64 } else { Opcode::AddImm32 };
        let store = if isa.is_64_bit() { Opcode::StoreIndirectU64 } else { Opcode::StoreIndirectU32 };
        let start = builder.push(add, args([Reg::SP, Reg::SP, Reg::SP], (-16i32) as u32, 0));
        builder.push(store, args([Reg::RA, Reg::SP, Reg::SP], 8, 0));
        builder.push(Opcode::Jump, args([Reg::A0, Reg::A0, Reg::A0], start, 0));
        let blob = builder.build();
        let outcome = run_both(&engines, &blob, &|_| {});
        let module = Module::new(&engines[1], &ModuleConfig::default(), &blob).unwrap();
        let low = module.memory_map().stack_address_low();
        match outcome.trap {
            Some(TrapReason::MemoryAccess(fault)) => assert_eq!(fault.address, low - 8, "{isa:?}"),
            other => panic!("{isa:?}: expected a fault below the stack, got {other:?}"),
        }
    }
}

#[test]
fn sbrk_to_the_limit_and_memset_across_a_boundary() {
    let Some(engines) = engines() else { return };
    for isa in ISAS {
        // a1 = sbrk(a0); memset(a0 = a3, a1 = 0x77, a2 = a4)
        let blob = program(
            isa,
            &[
                (Opcode::Sbrk, args([Reg::A1, Reg::A0, Reg::A0], 0, 0)),
                (Opcode::MoveReg, args([Reg::S0, Reg::A1, Reg::A0], 0, 0)),
                (Opcode::MoveReg, args([Reg::A0, Reg::A3, Reg::A0], 0, 0)),
                (Opcode::LoadImm, args([Reg::A1, Reg::A0, Reg::A0], 0x77, 0)),
                (Opcode::MoveReg, args([Reg::A2, Reg::A4, Reg::A0], 0, 0)),
                (Opcode::Memset, Args::default()),
                (Opcode::LoadIndirectU8, args([Reg::S1, Reg::A3, Reg::A0], 0, 0)),
            ],
        );
        for (grow, start, count) in [
            (0u64, 0x30000u64 + 0x2100 - 10, 100u64),
            (0x1000, 0x30000 + 0x3000 - 10, 100),
            (0x1000, 0x30000 + 0x2ff0, 16),
            (0x7fff_0000, 0x30000, 0x10),
            (0xffff_ffff, 0x30000, 0),
            (0x8000_0000, 0x8000_0000, 0x1000),
            (0x1000, 0xfffd_0000 - 8, 0x20),
        ] {
            let outcome = run_both(&engines, &blob, &|i| {
                i.set_reg(Reg::A0, grow);
                i.set_reg(Reg::A3, start);
                i.set_reg(Reg::A4, count);
            });
            assert_ne!(outcome.interrupt, Interrupt::NotEnoughGas);
        }
        // Grow the heap to nearly 4 GiB, write at its top, then past the limit.
        let grow = program(
            isa,
            &[
                (Opcode::Sbrk, args([Reg::A1, Reg::A0, Reg::A0], 0, 0)),
                (Opcode::StoreIndirectU8, args([Reg::A0, Reg::A1, Reg::A0], u32::MAX, 0)),
                (Opcode::Sbrk, args([Reg::A2, Reg::A0, Reg::A0], 0, 0)),
            ],
        );
        let outcome = run_both(&engines, &grow, &|i| i.set_reg(Reg::A0, 0xfff0_0000));
        assert_eq!(outcome.trap, Some(TrapReason::Explicit), "{isa:?}");
        assert_ne!(outcome.regs[Reg::A1 as usize], 0, "{isa:?}: the heap may grow to nearly 4 GiB");
        assert_eq!(outcome.regs[Reg::A2 as usize], 0, "{isa:?}: an sbrk past the limit returns 0");
    }
}

#[test]
fn faults_on_many_threads_stay_on_their_threads() {
    let Some(_) = engines() else { return };
    let faulting = program(InstructionSet::Latest64, &[(Opcode::LoadU8, args([Reg::A0, Reg::A0, Reg::A0], 0x1234, 0))]);
    // a0 = sum of 1..=n, in a loop.
    let mut builder = BlobBuilder::new(InstructionSet::Latest64);
    builder.stack_size(0x1000);
    builder.export_here("main");
    builder.push(Opcode::Fallthrough, Args::default());
    let top = builder.push(Opcode::Add64, args([Reg::A0, Reg::A0, Reg::A1], 0, 0));
    builder.push(Opcode::AddImm64, args([Reg::A1, Reg::A1, Reg::A1], u32::MAX, 0));
    builder.push(Opcode::BranchNotEqImm, args([Reg::A1, Reg::A1, Reg::A1], 0, top));
    builder.push(Opcode::JumpIndirect, args([Reg::RA, Reg::A0, Reg::A0], 0, 0));
    let summing = builder.build();

    let threads: Vec<_> = (0..4u64)
        .map(|thread| {
            let (faulting, summing) = (faulting.clone(), summing.clone());
            std::thread::spawn(move || {
                let engine = engine(Backend::Compiler);
                let config = ModuleConfig::default();
                let faulting = Module::new(&engine, &config, &faulting).unwrap();
                let summing = Module::new(&engine, &config, &summing).unwrap();
                for round in 0..200u64 {
                    let mut instance = faulting.instantiate();
                    instance.prepare_call(0, &[]).unwrap();
                    instance.set_gas(100);
                    assert_eq!(instance.run(), Interrupt::Trap);
                    assert!(matches!(instance.trap_reason(), Some(TrapReason::MemoryAccess(fault)) if fault.address == 0x1234));

                    let n = 1000 + thread * 7 + round;
                    let mut instance = summing.instantiate();
                    instance.prepare_call(0, &[0, n]).unwrap();
                    instance.set_gas(1_000_000);
                    assert_eq!(instance.run(), Interrupt::Finished);
                    assert_eq!(instance.reg(Reg::A0), n * (n + 1) / 2);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
}

#[test]
fn host_memory_is_out_of_reach() {
    let Some(engines) = engines() else { return };
    // A host buffer's address, given to the guest as a base register: the guest sees
    // only its low 32 bits, an address in its own space.
    let canary = vec![0xc5u8; 1 << 20];
    let host_address = canary.as_ptr() as u64;
    for offset in [0u32, 8, 0x1000, 0x8_0000] {
        let blob = program(
            InstructionSet::Latest64,
            &[(Opcode::LoadIndirectU64, args([Reg::A1, Reg::A0, Reg::A0], offset, 0))],
        );
        let outcome = run_both(&engines, &blob, &|i| i.set_reg(Reg::A0, host_address));
        assert_ne!(outcome.regs[Reg::A1 as usize], u64::from_le_bytes([0xc5; 8]));
    }
    drop(canary);
}

#[test]
fn a_reused_reservation_starts_like_a_new_one() {
    let Some(engines) = engines() else { return };
    // Grow the heap by a page, write RW data, the new heap page and the stack; read
    // them back in `a1`..`a3`.
    let blob = program(
        InstructionSet::Latest64,
        &[
            (Opcode::LoadIndirectU64, args([Reg::A1, Reg::A4, Reg::A0], 0, 0)),
            (Opcode::LoadIndirectU64, args([Reg::A2, Reg::A5, Reg::A0], 0, 0)),
            (Opcode::LoadIndirectU64, args([Reg::A3, Reg::SP, Reg::A0], (-8i32) as u32, 0)),
            (Opcode::Sbrk, args([Reg::S0, Reg::A0, Reg::A0], 0, 0)),
            (Opcode::StoreIndirectU64, args([Reg::S1, Reg::A4, Reg::A0], 0, 0)),
            (Opcode::StoreIndirectU64, args([Reg::S1, Reg::A5, Reg::A0], 0, 0)),
            (Opcode::StoreIndirectU64, args([Reg::S1, Reg::SP, Reg::A0], (-8i32) as u32, 0)),
        ],
    );
    let heap_page = 0x30000 + 0x3000;
    let setup = |instance: &mut RawInstance| {
        instance.set_reg(Reg::A0, 0x1000);
        instance.set_reg(Reg::A4, 0x30000);
        instance.set_reg(Reg::A5, u64::from(heap_page));
        instance.set_reg(Reg::S1, 0x1122_3344_5566_7788);
    };
    // The first run reads RW data instead of the heap page (not there yet); the
    // second, on a new instance, faults on the heap page the first one grew.
    for engine in &engines {
        let module = Module::new(engine, &ModuleConfig::default(), &blob).unwrap();
        for round in 0..3 {
            let mut instance = module.instantiate();
            instance.prepare_call(0, &[]).unwrap();
            instance.set_gas(1000);
            setup(&mut instance);
            instance.set_reg(Reg::A5, 0x30008);
            let first = outcome(&mut instance);
            assert_eq!(first.trap, Some(TrapReason::Explicit), "{:?} round {round}", engine.backend());
            assert_eq!(first.regs[Reg::A1 as usize], 0xa5a5_a5a5_a5a5_a5a5, "initial RW data");
            assert_eq!(first.regs[Reg::A3 as usize], 0, "a zero stack");
            assert_eq!(instance.heap_size(), 0x1000);
            // Write into the grown heap, so that the next instance would see it.
            instance.write_memory(heap_page, &[0xee; 8]).unwrap();
            drop(instance);

            // A new instance: the heap page is inaccessible again.
            let mut instance = module.instantiate();
            assert_eq!(instance.heap_size(), 0);
            assert!(instance.read_memory(heap_page, &mut [0; 8]).is_err(), "the heap page is closed again");
            let mut bytes = [0; 8];
            instance.read_memory(0x30000, &mut bytes).unwrap();
            assert_eq!(bytes, [0xa5; 8], "RW data is initial again");
            instance.prepare_call(0, &[]).unwrap();
            instance.set_gas(1000);
            setup(&mut instance);
            let second = outcome(&mut instance);
            assert!(
                matches!(second.trap, Some(TrapReason::MemoryAccess(fault)) if fault.address == heap_page),
                "loading from the old heap page faults: {second:?}"
            );
        }
    }
}

#[test]
fn host_writes_to_read_only_memory_do_not_leak_into_the_next_instance() {
    let Some(_) = engines() else { return };
    let blob = program(InstructionSet::Latest64, &[]);
    let module = Module::new(&engine(Backend::Compiler), &ModuleConfig::default(), &blob).unwrap();
    let mut instance = module.instantiate();
    instance.write_memory(0x10000, &[1, 2, 3]).unwrap();
    let mut bytes = [0; 3];
    instance.read_memory(0x10000, &mut bytes).unwrap();
    assert_eq!(bytes, [1, 2, 3]);
    drop(instance);
    let instance = module.instantiate();
    instance.read_memory(0x10000, &mut bytes).unwrap();
    assert_eq!(bytes, [0x5a; 3]);
}
