//! Differential tests against polkavm 0.37: random programs from fixed seeds, and
//! hand-written edge programs on every instruction set that has their instructions.
//!
//! Run with `cargo test -p differential --release` for speed (debug also works).
//! `DIFFERENTIAL_SEEDS=N` changes the number of random programs (default 20,000);
//! `DIFFERENTIAL_SEED=S` runs one seed and prints its listing.

use differential::{compare, r, seeded_program, ExportAt, Program, ReferenceBug, Verdict, ISAS, PAGE_SIZE};
use polkavm_common::program::{Instruction as I, InstructionSet as _, InstructionSetKind, Reg};

const RA: Reg = Reg::RA;
const SP: Reg = Reg::SP;
const T0: Reg = Reg::T0;
const T1: Reg = Reg::T1;
const S0: Reg = Reg::S0;
const S1: Reg = Reg::S1;
const A0: Reg = Reg::A0;
const A1: Reg = Reg::A1;
const A2: Reg = Reg::A2;
const A3: Reg = Reg::A3;
const A4: Reg = Reg::A4;
const A5: Reg = Reg::A5;

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|value| value.parse().ok())
}

#[test]
fn random_programs_match_the_reference() {
    if let Some(path) = std::env::var_os("DIFFERENTIAL_INPUT") {
        // A fuzzer input (e.g. an artifact of `cargo fuzz run differential`).
        let bytes = std::fs::read(&path).expect("DIFFERENTIAL_INPUT is readable");
        let program = differential::generate(&mut differential::arbitrary::Unstructured::new(&bytes)).unwrap();
        eprintln!("{program:#?}");
        let verdict = program.check().unwrap_or_else(|diff| panic!("{}: {diff}", path.to_string_lossy()));
        eprintln!("verdict: {verdict:?}");
        return;
    }
    if let Some(seed) = env_u64("DIFFERENTIAL_SEED") {
        let program = seeded_program(seed);
        eprintln!("{program:#?}");
        if let Err(diff) = program.compare() {
            panic!("seed {seed}: {diff}");
        }
        return;
    }
    let count = env_u64("DIFFERENTIAL_SEEDS").unwrap_or(20_000);
    let mut failures = Vec::new();
    let mut tally = Tally::default();
    for seed in 0..count {
        let program = seeded_program(seed);
        match program.check() {
            Ok(verdict) => tally.add(&verdict),
            Err(diff) => {
                eprintln!("seed {seed} diverges:\n{diff}");
                failures.push(seed);
            }
        }
    }
    eprintln!("{count} programs, {} divergent; {tally}", failures.len());
    assert!(tally.inconclusive * 10 < count, "too many inconclusive runs: {}", tally.inconclusive);
    assert!(tally.skipped * 100 < count, "too many skipped runs: {}", tally.skipped);
    assert!(failures.is_empty(), "{} of {count} seeds diverge: {failures:?}", failures.len());
}

/// How many runs ended in each verdict other than a divergence.
#[derive(Default)]
struct Tally {
    same: u64,
    inconclusive: u64,
    skipped: u64,
    stack_below_low: u64,
    memset_zero_extended: u64,
}

impl Tally {
    fn add(&mut self, verdict: &Verdict) {
        match verdict {
            Verdict::Same => self.same += 1,
            Verdict::Inconclusive(_) => self.inconclusive += 1,
            Verdict::Skipped(_) => self.skipped += 1,
            Verdict::ReferenceBug(ReferenceBug::StackAccessBelowTheLowAddress { .. }) => self.stack_below_low += 1,
            Verdict::ReferenceBug(ReferenceBug::MemsetLeavesZeroExtendedAddress) => self.memset_zero_extended += 1,
        }
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} identical, {} inconclusive (the reference panicked), {} skipped (the reference's memory limit); \
             documented reference bugs: {} stack accesses below the low address, {} zero-extended memset addresses",
            self.same, self.inconclusive, self.skipped, self.stack_below_low, self.memset_zero_extended
        )
    }
}

/// Runs `program` on every instruction set where its instructions exist (non-terminators
/// the set lacks are dropped) and with each of `gas` values.
fn check(name: &str, program: impl Fn(InstructionSetKind) -> Option<Program>, gas: &[i64]) {
    let mut ran = 0;
    for isa in ISAS {
        let Some(program) = program(isa) else { continue };
        let program = program.retain_supported();
        for &gas in gas {
            let program = Program { gas, ..program.clone() };
            match program.blob() {
                Ok(_) => {}
                Err(error) if error.contains("is not available") => continue,
                Err(error) => panic!("{name} ({}): {error}", isa.name()),
            }
            match program.check() {
                Ok(Verdict::Same) => {}
                Ok(other) => eprintln!("{name} ({}, gas {gas}): {other:?}", isa.name()),
                Err(diff) => panic!("{name} ({}, gas {gas}): {diff}", isa.name()),
            }
            ran += 1;
        }
    }
    assert!(ran > 0, "{name}: ran on no instruction set");
}

fn ret() -> I {
    I::jump_indirect(r(RA), 0)
}

fn is_latest(isa: InstructionSetKind) -> bool {
    matches!(isa, InstructionSetKind::Latest32 | InstructionSetKind::Latest64)
}

/// The RW data address of a program with no RO data (one 64 KiB zone after RO).
const RW: i32 = 0x30000;

fn with_memory(mut program: Program) -> Program {
    program.ro_data_size = 2 * PAGE_SIZE;
    program.ro_data = (0..100).collect();
    program.rw_data_size = 2 * PAGE_SIZE;
    program.rw_data = (0..=255).rev().collect();
    program.stack_size = 2 * PAGE_SIZE;
    program
}

/// With 2 pages of RO data the RW region starts at 0x30000.
#[test]
fn edge_division() {
    let code = vec![
        I::load_imm(r(A0), 5),
        I::load_imm(r(A1), 0),
        I::div_unsigned_32(r(A2), r(A0), r(A1)),
        I::div_signed_32(r(A3), r(A0), r(A1)),
        I::rem_unsigned_32(r(A4), r(A0), r(A1)),
        I::rem_signed_32(r(A5), r(A0), r(A1)),
        I::div_unsigned_64(r(T0), r(A0), r(A1)),
        I::div_signed_64(r(T1), r(A0), r(A1)),
        I::rem_unsigned_64(r(S0), r(A0), r(A1)),
        I::rem_signed_64(r(S1), r(A0), r(A1)),
        I::ecalli(0),
        // MIN / -1.
        I::load_imm(r(A0), i32::MIN),
        I::load_imm(r(A1), -1),
        I::div_signed_32(r(A2), r(A0), r(A1)),
        I::rem_signed_32(r(A3), r(A0), r(A1)),
        I::div_unsigned_32(r(A4), r(A0), r(A1)),
        I::rem_unsigned_32(r(A5), r(A0), r(A1)),
        I::ecalli(1),
        I::load_imm64(r(A0), i64::MIN as u64),
        I::div_signed_64(r(A2), r(A0), r(A1)),
        I::rem_signed_64(r(A3), r(A0), r(A1)),
        I::div_unsigned_64(r(A4), r(A0), r(A1)),
        I::rem_unsigned_64(r(A5), r(A0), r(A1)),
        // 64-bit operands seen by 32-bit division.
        I::div_signed_32(r(T0), r(A0), r(A1)),
        I::mul_upper_signed_signed(r(T1), r(A0), r(A1)),
        I::mul_upper_unsigned_unsigned(r(S0), r(A0), r(A0)),
        I::mul_upper_signed_unsigned(r(S1), r(A1), r(A0)),
        ret(),
    ];
    check("division", |isa| Some(Program::new(isa, code.clone())), &[100_000]);
}

#[test]
fn edge_shifts() {
    let mut code = vec![I::load_imm(r(A0), -1), I::load_imm(r(T0), 0x1234_5678)];
    for amount in [0, 1, 31, 32, 33, 63, 64, 65, -1, i32::MIN] {
        code.extend([
            I::load_imm(r(A1), amount),
            I::shift_logical_left_32(r(A2), r(A0), r(A1)),
            I::shift_logical_right_32(r(A3), r(A0), r(A1)),
            I::shift_arithmetic_right_32(r(A4), r(A0), r(A1)),
            I::shift_logical_left_64(r(A5), r(T0), r(A1)),
            I::shift_logical_right_64(r(S0), r(A0), r(A1)),
            I::shift_arithmetic_right_64(r(S1), r(A0), r(A1)),
            I::rotate_left_32(r(T1), r(T0), r(A1)),
            I::ecalli(0),
            I::rotate_right_64(r(A2), r(T0), r(A1)),
            I::shift_logical_left_imm_32(r(A3), r(T0), amount),
            I::shift_logical_right_imm_64(r(A4), r(A0), amount),
            I::shift_arithmetic_right_imm_alt_32(r(A5), r(A1), amount),
            I::shift_logical_left_imm_alt_64(r(S0), r(A1), amount),
            I::rotate_right_imm_32(r(S1), r(T0), amount),
            I::rotate_right_imm_alt_64(r(T1), r(A1), amount),
            I::ecalli(1),
        ]);
    }
    code.push(ret());
    check("shifts", |isa| Some(Program::new(isa, code.clone())), &[100_000]);
}

#[test]
fn edge_unaligned_and_page_boundary_accesses() {
    let rw_end = RW + 2 * PAGE_SIZE as i32;
    let cases: Vec<Vec<I>> = vec![
        // Unaligned stores and loads inside RW.
        vec![
            I::load_imm(r(A0), RW + 1),
            I::load_imm64(r(A1), 0x0102_0304_0506_0708),
            I::store_indirect_u32(r(A1), r(A0), 0),
            I::store_indirect_u64(r(A1), r(A0), 5),
            I::load_indirect_u64(r(A2), r(A0), 2),
            I::load_indirect_i16(r(A3), r(A0), 3),
            I::load_i32(r(A4), RW + 7),
            ret(),
        ],
        // Accesses straddling the page boundary inside RW (both pages mapped).
        vec![
            I::load_imm(r(A0), RW + PAGE_SIZE as i32 - 3),
            I::store_imm_indirect_u64(r(A0), 0, -2),
            I::load_indirect_u64(r(A1), r(A0), 0),
            I::load_u32(r(A2), RW + PAGE_SIZE as i32 - 2),
            I::store_u16(r(A1), RW + PAGE_SIZE as i32 - 1),
            ret(),
        ],
        // A load straddling the end of RW traps.
        vec![I::load_imm(r(A0), rw_end - 4), I::load_indirect_u64(r(A1), r(A0), 0), ret()],
        // A store straddling the end of RW traps and writes nothing.
        vec![I::load_imm(r(A0), rw_end - 2), I::store_imm_indirect_u32(r(A0), 0, -1), ret()],
        // The stack: below SP is mapped, the page below the stack is not.
        vec![
            I::store_indirect_u64(r(A0), r(SP), -8),
            I::load_indirect_u64(r(A1), r(SP), -8),
            I::store_imm_indirect_u8(r(SP), -(2 * PAGE_SIZE as i32), 1),
            I::store_imm_indirect_u8(r(SP), -(2 * PAGE_SIZE as i32) - 1, 1),
            ret(),
        ],
        // The stack top itself is not mapped.
        vec![I::load_indirect_u8(r(A0), r(SP), 0), ret()],
        // Reading RO data, including its page-aligned tail and past it.
        vec![
            I::load_u64(r(A0), 0x10000 + 95),
            I::load_u32(r(A1), 0x10000 + 2 * PAGE_SIZE as i32 - 4),
            I::load_u8(r(A2), 0x10000 + 2 * PAGE_SIZE as i32),
            ret(),
        ],
        // Address wrap-around and address 0.
        vec![I::load_imm(r(A0), -2), I::load_indirect_u32(r(A1), r(A0), 0), ret()],
        vec![I::load_u8(r(A1), 0), ret()],
        // 64-bit base registers: the address is the low 32 bits.
        vec![I::load_imm64(r(A0), 0x1_0000_0000 + RW as u64), I::store_imm_indirect_u32(r(A0), 4, 7), ret()],
    ];
    for (n, code) in cases.into_iter().enumerate() {
        check(&format!("memory case {n}"), |isa| Some(with_memory(Program::new(isa, code.clone()))), &[100_000, 3]);
    }
}

#[test]
fn edge_store_to_read_only_memory_traps() {
    for code in [
        vec![I::store_imm_u32(0x10000, 5), ret()],
        vec![I::load_imm(r(A0), 0x10004), I::store_indirect_u8(r(A0), r(A0), 0), ret()],
        vec![I::store_imm_indirect_u64(r(SP), 0x10000 - 0x7ffe_0000, 1), ret()],
    ] {
        check("store to RO", |isa| Some(with_memory(Program::new(isa, code.clone()))), &[100_000]);
    }
}

/// A program whose jump table has one entry (block 1) and that jumps through `address`.
fn jump_through(isa: InstructionSetKind, address: i32, offset: i32) -> Program {
    let code = vec![
        I::load_imm(r(A0), address),
        I::jump_indirect(r(A0), offset),
        // Block 1.
        I::load_imm(r(A1), 77),
        ret(),
    ];
    Program { jump_table: vec![1], ..Program::new(isa, code) }
}

#[test]
fn edge_dynamic_jumps() {
    for (address, offset) in [(2, 0), (0, 2), (0, 0), (1, 0), (3, 0), (4, 0), (0, 4), (-2, 4), (6, -2), (-1, 0)] {
        check(&format!("jump_indirect {address}+{offset}"), |isa| Some(jump_through(isa, address, offset)), &[100]);
    }
    // Return to host through a computed address, and through load_imm_and_jump_indirect.
    check("return to host", |isa| Some(jump_through(isa, -0x10000, 0)), &[100]);
    check("return to host with offset", |isa| Some(jump_through(isa, -0x10004, 4)), &[100]);
    let code = vec![I::load_imm_and_jump_indirect(r(RA), r(RA), 0, 0), I::load_imm(r(A1), 1), ret()];
    check("load_imm_and_jump_indirect through itself", |isa| Some(Program::new(isa, code.clone())), &[100]);
    let code = vec![I::load_imm_and_jump_indirect(r(A0), r(RA), 2, 0), ret(), I::load_imm(r(A1), 1), ret()];
    check(
        "load_imm_and_jump_indirect into the table",
        |isa| Some(Program { jump_table: vec![2], ..Program::new(isa, code.clone()) }),
        &[100, 1],
    );
}

/// A jump-table entry in the middle of a basic block (bitmask instruction sets only,
/// written with pvm's own builder since the reference's takes block indices).
#[test]
fn edge_jump_into_the_middle_of_a_block() {
    use pvm::program::{Args, BlobBuilder};
    use pvm::{InstructionSet, Opcode};
    for isa in [InstructionSet::ReviveV1, InstructionSet::Latest32, InstructionSet::JamV1] {
        let reg = |r: pvm::Reg| r as u8;
        let mut builder = BlobBuilder::new(isa);
        builder.stack_size(PAGE_SIZE);
        builder.export_here("main");
        builder.push(Opcode::LoadImm, Args { regs: [reg(pvm::Reg::A0), 0, 0], imm1: 2, ..Args::default() });
        builder.push(Opcode::JumpIndirect, Args { regs: [reg(pvm::Reg::A0), 0, 0], ..Args::default() });
        builder.push(Opcode::LoadImm, Args { regs: [reg(pvm::Reg::A1), 0, 0], imm1: 1, ..Args::default() });
        let middle =
            builder.push(Opcode::LoadImm, Args { regs: [reg(pvm::Reg::A2), 0, 0], imm1: 2, ..Args::default() });
        builder.push(Opcode::JumpIndirect, Args { regs: [reg(pvm::Reg::RA), 0, 0], ..Args::default() });
        builder.jump_table_entry(middle);
        let blob = builder.build();
        compare(&blob, &[], 100).unwrap_or_else(|diff| panic!("{isa}: {diff}"));
    }
}

#[test]
fn edge_export_in_the_middle_of_a_block() {
    let code = vec![I::load_imm(r(A0), 1), I::load_imm(r(A1), 2), I::load_imm(r(A2), 3), ret()];
    for gas in [0, 1, 3, 4, 5, 100] {
        check(
            "export mid-block",
            |isa| Some(Program { export: ExportAt::Instruction(1), gas, ..Program::new(isa, code.clone()) }),
            &[gas],
        );
    }
}

#[test]
fn edge_out_of_gas_and_resume() {
    // A countdown loop: out of gas at block starts, refuelled and resumed.
    let code = vec![
        I::load_imm(r(A0), 30),
        I::fallthrough,
        // Block 1.
        I::add_imm_64(r(A0), r(A0), -1),
        I::ecalli(3),
        I::branch_not_eq_imm(r(A0), 0, 1),
        // Block 2.
        I::load_imm(r(A1), 5),
        ret(),
    ];
    check("countdown", |isa| Some(Program::new(isa, code.clone())), &[0, 1, 2, 3, 4, 7, 13, 100, 1000]);
    // Gas driven negative by the host between instructions of one block.
    let code = vec![I::ecalli(0), I::load_imm(r(A2), 9), I::ecalli(1), I::fallthrough, I::load_imm(r(A3), 1), ret()];
    check("negative gas after a host call", |isa| Some(Program::new(isa, code.clone())), &[3, 4, 5, 8, 10, 11]);
}

#[test]
fn edge_memset() {
    let program = |isa, address: i32, value: i32, count: i32| {
        is_latest(isa).then(|| {
            with_memory(Program::new(
                isa,
                vec![
                    I::load_imm(r(A0), address),
                    I::load_imm(r(A1), value),
                    I::load_imm(r(A2), count),
                    I::memset,
                    I::load_imm(r(A3), 1),
                    ret(),
                ],
            ))
        })
    };
    // Out of gas mid-way (the block costs 6) and resumed.
    check("memset", |isa| program(isa, RW + 3, 0x1ab, 200), &[0, 6, 7, 30, 56, 57, 100, 1000]);
    check("memset zero bytes", |isa| program(isa, RW, 1, 0), &[6, 100]);
    // Runs into the end of RW and traps mid-way.
    check("memset into unmapped memory", |isa| program(isa, RW + 2 * PAGE_SIZE as i32 - 10, 7, 100), &[100, 40]);
    // Into RO memory.
    check("memset into RO", |isa| program(isa, 0x10000, 7, 10), &[100]);
    // Huge count: stops for gas each refuel.
    check("memset huge", |isa| program(isa, RW, 7, -1), &[100]);
}

#[test]
fn edge_sbrk() {
    let program = |isa, sizes: &[i32]| {
        is_latest(isa).then(|| {
            let mut code = Vec::new();
            for (n, &size) in sizes.iter().enumerate() {
                code.extend([
                    I::load_imm(r(A1), size),
                    I::sbrk(r(A0), r(A1)),
                    I::ecalli(n as i32),
                    // Touch the byte below the new heap top.
                    I::store_imm_indirect_u8(r(A0), -1, 0x55),
                ]);
            }
            code.push(ret());
            let mut program = Program::new(isa, code);
            program.rw_data_size = 100;
            program
        })
    };
    check("sbrk growth", |isa| program(isa, &[0, 1, 4095, 4096, 5000, 0]), &[100_000]);
    check("sbrk failure", |isa| program(isa, &[16, i32::MAX, -1, 0x7fff_0000, 8]), &[100_000]);
    check("sbrk from zero rw", |isa| program(isa, &[0, 1]), &[100_000]);
    // Registers holding 64-bit sizes.
    let code = vec![I::load_imm64(r(A1), 0x1_0000_0010), I::sbrk(r(A0), r(A1)), I::sbrk(r(A2), r(A4)), ret()];
    check("sbrk 64-bit size", |isa| is_latest(isa).then(|| Program::new(isa, code.clone())), &[100]);
}

#[test]
fn edge_falling_off_the_end_and_invalid_targets() {
    // Falling off the end of the code.
    check("fall off the end", |isa| Some(Program::new(isa, vec![I::load_imm(r(A0), 1), I::fallthrough])), &[10]);
    // A branch taken and not taken to the last block.
    let code = vec![I::branch_eq(r(A0), r(A1), 1), I::load_imm(r(A2), 3), I::trap, I::ecalli(5), ret()];
    check("branch", |isa| Some(Program::new(isa, code.clone())), &[10, 1]);
    let code = vec![I::load_imm_and_jump(r(A5), -7, 1), I::trap, I::move_reg(r(A0), r(A5)), ret()];
    check("load_imm_and_jump", |isa| Some(Program::new(isa, code.clone())), &[10, 2]);
}

// Regression cases: minimised divergences found by the random programs and the fuzzer,
// all fixed in pvm. Each names the first seed that showed it and says what the reference
// does and what pvm did before the fix.

/// JamV1: the reference's interpreter rejects a blob whose linear decoding contains an
/// `invalid` instruction, including the implicit one after a last instruction that can
/// fall through (seeds 7, 12, 14, ...). pvm accepted it.
#[test]
fn regression_jam_v1_rejects_code_that_can_fall_off_the_end() {
    for code in [vec![I::load_imm(r(A0), 1), I::fallthrough], vec![I::branch_eq(r(A0), r(A1), 0)]] {
        let program = Program::new(InstructionSetKind::JamV1, code);
        program.compare().unwrap_or_else(|diff| panic!("{diff}"));
    }
}

/// A `fallthrough` into the end of the code: the reference traps at the `fallthrough`
/// itself without charging the implicit trap; pvm reported pc = code length and charged
/// one more unit of gas (seeds 41, 98).
#[test]
fn regression_fallthrough_off_the_end() {
    check("fallthrough off the end", |isa| Some(Program::new(isa, vec![I::fallthrough])), &[10]);
}

/// A conditional branch whose fall-through is not a valid target (the branch is the last
/// instruction): the reference traps at the branch whatever the condition; pvm took it
/// (seed 6).
#[test]
fn regression_branch_at_the_end_of_the_code() {
    let code = vec![I::load_imm(r(A0), 1), I::fallthrough, I::branch_eq_imm(r(A0), 1, 0)];
    check("taken branch at the end", |isa| Some(Program::new(isa, code.clone())), &[100]);
}

/// A host call that leaves the gas negative: the reference's `run` returns
/// `NotEnoughGas` at once (nothing executes until the host refuels); pvm ran on to the
/// end of the already-paid block (seeds 263, 802).
#[test]
fn regression_negative_gas_after_a_host_call() {
    let code = vec![I::ecalli(0), I::load_imm(r(A2), 9), ret()];
    check("negative gas after ecalli", |isa| Some(Program::new(isa, code.clone())), &[5]);
}

/// `next_program_counter` after an `ecalli` followed by `fallthrough` (or `unlikely`):
/// the reference reports the `fallthrough`'s pc, pvm reported the pc after it (seeds 14, 179).
#[test]
fn regression_ecalli_next_pc_before_fallthrough() {
    let code = vec![I::ecalli(0), I::fallthrough, ret()];
    check("ecalli; fallthrough", |isa| Some(Program::new(isa, code.clone())), &[100]);
    let code = vec![I::ecalli(0), I::unlikely, I::load_imm(r(A0), 1), ret()];
    check("ecalli; unlikely", |isa| Some(Program::new(isa, code.clone())), &[100]);
}

/// A jump table whose entries all point at pc 0 is written with an entry size of 0; the
/// reference then treats the table as empty (every dynamic jump traps), pvm decoded
/// entries of value 0 and jumped to pc 0 (seeds 384, 1371).
#[test]
fn regression_jump_table_with_zero_entry_size() {
    let code = vec![I::branch_eq_imm(r(A3), 7, 2), I::load_imm(r(A3), 7), I::jump_indirect(r(A4), 0), ret()];
    check(
        "jump table [0, 0]",
        |isa| Some(Program { jump_table: vec![0, 0], args: vec![0, 0, 0, 0, 2], ..Program::new(isa, code.clone()) }),
        &[100],
    );
}

/// A store deep in a stack of 3 pages, read back by the guest (registers) and by the
/// host (memory comparison). Found by the fuzzer: the registers agree but the host-side
/// reads differ, see `deep_stack_store_host_view`.
#[test]
fn edge_deep_stack_store() {
    let code = vec![I::store_imm_indirect_u64(r(SP), -0x2fc0, 65), I::load_indirect_u64(r(A0), r(SP), -0x2fc0), ret()];
    check("deep stack store", |isa| Some(Program { stack_size: 0x2001, ..Program::new(isa, code.clone()) }), &[100]);
}

/// `memset` into the lowest page of the stack, read back by the guest. Found by the
/// fuzzer, where only the host-side view of the page differed (polkavm 0.37's
/// `read_memory` of a partly resident stack; see `differential::generate`).
#[test]
fn edge_memset_into_the_bottom_of_the_stack() {
    let code = vec![
        I::load_imm(r(A0), -0x22ffa),
        I::load_imm(r(A1), 1),
        I::load_imm(r(A2), 0x8c),
        I::memset,
        I::load_indirect_u64(r(A3), r(SP), -0x2ffa),
        I::load_indirect_u64(r(A4), r(SP), -0x2f80),
        ret(),
    ];
    check(
        "memset into the bottom of the stack",
        |isa| is_latest(isa).then(|| Program { stack_size: 0x3000, ..Program::new(isa, code.clone()) }),
        &[100, 30],
    );
}

/// Every straight-line instruction of every instruction set right after an instruction
/// that changes registers behind the program's back (`memset`, `sbrk`, a host call) and
/// right after a resume from out of gas, reading those registers, with register values
/// at the sign boundaries of 32 and 64 bits. Written for the class of
/// `regression_signed_maximum_after_memset`.
#[test]
fn edge_every_instruction_after_memset_sbrk_host_calls_and_resumes() {
    // The stack's top: an address above 2 GiB (negative as a 32-bit value).
    let stack_top = -0x2_0000 - 16;
    let preludes: [(&str, Vec<I>, &[Reg]); 5] = [
        ("memset in the stack", vec![I::load_imm(r(A0), stack_top), I::load_imm(r(A2), 4), I::memset], &[A0, A2, A5]),
        ("memset of nothing", vec![I::memset], &[A0, A2, A5]),
        ("sbrk", vec![I::sbrk(r(A0), r(A1))], &[A0, A1, A5]),
        ("host call", vec![I::ecalli(0)], &[A0, A5]),
        // Gas for the first block only: out of gas, refuelled, resumed at the next.
        ("resume", vec![I::load_imm(r(A3), 1), I::fallthrough], &[A0, A5]),
    ];
    let values: [(u64, u64); 5] = [
        (0x8000_0000, 0),
        (0xffff_ffff, 1),
        (0, 0xffff_ffff_8000_0000),
        (u64::MAX, 0x7fff_ffff),
        (0x8000_0000_0000_0000, 0x1_0000_0000),
    ];
    let mut ran = 0;
    for isa in ISAS {
        for opcode in differential::straight_line_opcodes(isa) {
            for (prelude_name, prelude, regs) in &preludes {
                if !prelude.iter().all(|i| i.opcode().starts_new_basic_block() || isa.supports_opcode(i.opcode())) {
                    continue;
                }
                for seed in 0..3 {
                    let instruction = differential::instruction_reading(opcode, regs, seed);
                    let mut code = prelude.clone();
                    code.extend([instruction, ret()]);
                    for &(a, b) in &values {
                        let program = Program {
                            args: vec![a, a, 0, 0, 0, b],
                            gas: if *prelude_name == "resume" { 2 } else { 100 },
                            ..Program::new(isa, code.clone())
                        };
                        match program.check() {
                            Ok(_) => ran += 1,
                            Err(diff) => panic!("{} after {prelude_name}: {diff}", opcode.name()),
                        }
                    }
                }
            }
        }
    }
    eprintln!("{ran} programs");
}

/// Latest32: `memset` left its end address in a0 zero-extended, where every 32-bit
/// instruction expects a sign-extended value, so `maximum` (and the other signed
/// comparisons, which compare all 64 bits) saw 0x80000000 as positive; the reference
/// compares the 32-bit values. Found by the fuzzer (input below); pvm now writes a0 and
/// a2 back sign-extended on 32-bit instruction sets.
#[test]
fn regression_signed_maximum_after_memset() {
    for a0 in [0x8000_0000, 0xffff_ffff, u64::MAX, 0xfffd_fff0] {
        let code = vec![I::memset, I::maximum(r(A5), r(A5), r(A0)), I::minimum(r(A4), r(A5), r(A0)), I::trap];
        check(
            "memset; maximum",
            |isa| is_latest(isa).then(|| Program { args: vec![a0], ..Program::new(isa, code.clone()) }),
            &[100],
        );
    }
}

/// The reference's memory limit: a program that stores high in a 1.5 GiB heap made
/// polkavm's interpreter allocate 2 GiB (and the fuzzer stop on out-of-memory); pvm's
/// allocation for it was as large and took seconds to zero. Now the reference traps at
/// its limit (counted as skipped) and pvm's zeroed allocation is lazily backed.
#[test]
fn regression_reference_memory_limit() {
    let code = vec![
        I::load_imm(r(RA), 0x5f70_6d75),
        I::sbrk(r(S1), r(RA)),
        I::store_imm_indirect_u32(r(RA), 0, 0),
        I::load_imm(r(RA), 0),
        I::trap,
    ];
    let program = Program {
        ro_data_size: 1,
        rw_data_size: 1,
        stack_size: 0x2000,
        ..Program::new(InstructionSetKind::Latest64, code)
    };
    let verdict = program.check().unwrap_or_else(|diff| panic!("{diff}"));
    assert!(matches!(verdict, Verdict::Skipped(_)), "{verdict:?}");
}

/// A fuzzer input where the stack bug shows through `memset`: it starts one byte below
/// the stack. pvm and polkavm's compiler fault at once, writing nothing; polkavm's
/// interpreter writes on up to the stack's top and faults there, at the same pc.
#[test]
fn regression_stack_bug_through_memset() {
    let bytes = include_bytes!("../../../fuzz/corpus/differential/regression-stack-bug-through-memset.bin");
    let program = differential::generate(&mut differential::arbitrary::Unstructured::new(bytes)).unwrap();
    match program.check() {
        Ok(Verdict::ReferenceBug(ReferenceBug::StackAccessBelowTheLowAddress { address, confirmed_by_compiler })) => {
            assert_eq!(address, 0xfffd_cfff);
            assert_eq!(confirmed_by_compiler, differential::reference_compiler_available());
        }
        other => panic!("expected the stack residency bug, got {other:?}"),
    }
}

/// A fuzzer input (of the campaign that ran both pvm backends) where every stop agrees but
/// the heap does not: on Latest32, polkavm's interpreter leaves `memset`'s end address
/// zero-extended (the documented bug), a signed comparison with it then feeds `sbrk`, and
/// the register is overwritten before the next stop. polkavm's compiler agrees with pvm,
/// heap included.
#[test]
fn regression_memset_bug_seen_only_in_the_heap() {
    let bytes = include_bytes!("../../../fuzz/corpus/differential/regression-memset-bug-seen-in-the-heap.bin");
    let program = differential::generate(&mut differential::arbitrary::Unstructured::new(bytes)).unwrap();
    let verdict = program.check();
    if differential::reference_compiler_available() {
        assert_eq!(verdict, Ok(Verdict::ReferenceBug(ReferenceBug::MemsetLeavesZeroExtendedAddress)));
    } else {
        assert!(verdict.is_err(), "without polkavm's compiler the difference stays unexplained");
    }
}

/// A fuzzer input (of the campaign that ran both pvm backends) where pvm traps on a store
/// below the stack that polkavm's interpreter lets through: the documented stack bug.
/// polkavm's compiler traps there too, but a register computed from an earlier `sbrk`
/// (with a size above 2^32) differs from pvm's and polkavm's interpreter's, so the
/// confirmation compares where each run stops and its gas, not the registers.
#[test]
fn regression_stack_bug_with_a_register_difference_in_polkavms_compiler() {
    let bytes = include_bytes!("../../../fuzz/corpus/differential/regression-stack-bug-with-compiler-sbrk.bin");
    let program = differential::generate(&mut differential::arbitrary::Unstructured::new(bytes)).unwrap();
    match program.check() {
        Ok(Verdict::ReferenceBug(ReferenceBug::StackAccessBelowTheLowAddress { address, confirmed_by_compiler })) => {
            assert_eq!(address, 0xfffd_cff9);
            assert_eq!(confirmed_by_compiler, differential::reference_compiler_available());
        }
        other => panic!("expected the stack residency bug, got {other:?}"),
    }
}

/// **A documented reference bug**, not a divergence of pvm's: polkavm 0.37's
/// interpreter lets a load just below the stack succeed once the stack has grown, see
/// [`ReferenceBug::StackAccessBelowTheLowAddress`]. Found by the fuzzer
/// (a `memset` deep into a 3-page stack, resumed after running out of gas five times,
/// then a load 8 bytes below the stack).
/// pvm traps, as the memory map says and as polkavm's own compiler backend does where it
/// runs (it does on these machines; the test then requires its agreement).
#[test]
fn reference_bug_stack_access_below_the_low_address() {
    let code = vec![
        I::load_imm(r(A0), 0xfffd_d001_u32 as i32),
        I::load_imm(r(A2), 0x112),
        I::memset,
        I::load_indirect_u8(r(A5), r(A5), -143_368),
        I::minimum_unsigned(r(A3), r(A5), r(A5)),
        I::load_imm_and_jump(r(RA), -9, 0),
    ];
    let program = Program {
        rw_data_size: 0xb,
        stack_size: 0x3000,
        gas: 0,
        args: vec![0; 6],
        ..Program::new(InstructionSetKind::Latest32, code)
    };
    let compiler_runs = differential::reference_compiler_available();
    match program.check() {
        Ok(Verdict::ReferenceBug(ReferenceBug::StackAccessBelowTheLowAddress { address, confirmed_by_compiler })) => {
            assert_eq!(address, 0xfffd_cff8);
            assert_eq!(confirmed_by_compiler, compiler_runs);
        }
        other => panic!("expected the stack residency bug, got {other:?}"),
    }
    // The same by hand on every instruction set, for loads and stores of every width:
    // touch the bottom of a 3-page stack (the reference's buffer grows to 4 pages), then
    // access the page below it.
    for (offset, width) in [(-1, 1), (-8, 8), (-0x1000, 4), (-2, 2)] {
        let access = |load: bool| match (load, width) {
            (true, 1) => I::load_indirect_u8(r(A3), r(A0), offset),
            (true, 2) => I::load_indirect_u16(r(A3), r(A0), offset),
            (true, 4) => I::load_indirect_u32(r(A3), r(A0), offset),
            (true, _) => I::load_indirect_u64(r(A3), r(A0), offset),
            (false, 1) => I::store_indirect_u8(r(A3), r(A0), offset),
            (false, 2) => I::store_indirect_u16(r(A3), r(A0), offset),
            (false, 4) => I::store_indirect_u32(r(A3), r(A0), offset),
            (false, _) => I::store_indirect_u64(r(A3), r(A0), offset),
        };
        for load in [true, false] {
            let code = vec![
                // The stack's low address, 0xfffe0000 - 0x3000.
                I::load_imm(r(A0), -0x2_3000),
                I::store_imm_indirect_u8(r(A0), 0, 1),
                access(load),
                ret(),
            ];
            for isa in ISAS.into_iter().filter(|isa| isa.supports_opcode(access(load).opcode())) {
                let program = Program { stack_size: 0x3000, ..Program::new(isa, code.clone()) };
                match program.check() {
                    Ok(Verdict::ReferenceBug(ReferenceBug::StackAccessBelowTheLowAddress {
                        confirmed_by_compiler,
                        ..
                    })) => assert_eq!(confirmed_by_compiler, compiler_runs),
                    other => panic!(
                        "{} {offset} {width} {load}: expected the stack residency bug, got {other:?}",
                        isa.name()
                    ),
                }
            }
        }
    }
}

/// Every superinstruction pair of every instruction set, entered at its first operation
/// (the block start) and at its second (an export in the middle of the block), with
/// dependent registers at the sign boundaries.
#[test]
fn edge_every_superinstruction_pair_entered_at_either_operation() {
    let mut ran = 0;
    for isa in ISAS {
        for (first, second) in differential::fusable_pairs(isa) {
            for seed in 0..4 {
                let mut code = vec![
                    differential::instruction_reading(first, &[A0, A1], seed),
                    differential::instruction_reading(second, &[A0, A1], seed + 100),
                ];
                if !second.starts_new_basic_block() {
                    code.push(ret());
                }
                // A branch's targets: block 0 (a loop, bounded by gas) or the end.
                code.push(I::load_imm(r(A2), 1));
                code.push(ret());
                for export in [ExportAt::Block(0), ExportAt::Instruction(1)] {
                    for (a0, a1) in [(0x8000_0000, 1), (u64::MAX, 0x7fff_ffff), (0, 0xffff_ffff)] {
                        let program =
                            Program { export, args: vec![a0, a1], gas: 50, ..Program::new(isa, code.clone()) };
                        match program.check() {
                            Ok(_) => ran += 1,
                            Err(diff) => panic!("{} + {} at {export:?}: {diff}", first.name(), second.name()),
                        }
                    }
                }
            }
        }
    }
    eprintln!("{ran} programs");
}

/// Loads and stores of every width within a page of every region boundary, for memory
/// maps of several shapes, after the stack has been touched at its bottom and after a
/// resume from out of gas. Only the documented reference bug may differ.
#[test]
fn edge_accesses_near_every_region_boundary() {
    let sizes = [0, 1, PAGE_SIZE, PAGE_SIZE + 1, 0x3000];
    let offsets = [-(PAGE_SIZE as i64), -8, -1, 0, 1, 7, PAGE_SIZE as i64 - 1, PAGE_SIZE as i64];
    let mut ran = 0;
    let mut tally = Tally::default();
    let shapes: Vec<(u32, u32, u32)> = sizes
        .iter()
        .flat_map(|&ro| sizes.iter().flat_map(move |&rw| sizes.map(move |stack| (ro, rw, stack))))
        .collect();
    for (shape, (ro, rw, stack)) in shapes.into_iter().enumerate() {
        let map = pvm::MemoryMap::new(PAGE_SIZE, ro, rw, stack.div_ceil(PAGE_SIZE) * PAGE_SIZE, 0).unwrap();
        let boundaries = [
            map.ro_data_address(),
            map.ro_data_address() + map.ro_data_size,
            map.rw_data_address,
            map.rw_data_address + map.rw_data_size,
            map.stack_address_low(),
            map.stack_address_high,
        ];
        for (index, &boundary) in boundaries.iter().enumerate() {
            for &offset in &offsets {
                let address = (i64::from(boundary) + offset) as u32 as i32;
                // One width and direction per case, rotating through all of them.
                let case = shape + index + ran;
                let access = match case % 6 {
                    0 => I::load_indirect_u8(r(A3), r(A0), 0),
                    1 => I::load_indirect_u16(r(A3), r(A0), 0),
                    2 => I::load_indirect_i32(r(A3), r(A0), 0),
                    3 => I::store_indirect_u8(r(A3), r(A0), 0),
                    4 => I::store_indirect_u16(r(A3), r(A0), 0),
                    _ => I::store_indirect_u32(r(A3), r(A0), 0),
                };
                let code = vec![
                    // Touch the stack's lowest byte (if there is a stack).
                    I::store_imm_indirect_u8(r(SP), -(stack.div_ceil(PAGE_SIZE) as i32 * PAGE_SIZE as i32), 1),
                    I::load_imm(r(A0), address),
                    I::fallthrough,
                    access,
                    I::load_imm(r(A3), 5),
                    ret(),
                ];
                for isa in [InstructionSetKind::Latest32, InstructionSetKind::Latest64] {
                    for gas in [3, 100] {
                        let program = Program {
                            ro_data_size: ro,
                            rw_data_size: rw,
                            stack_size: stack.div_ceil(PAGE_SIZE) * PAGE_SIZE,
                            gas,
                            args: vec![0, 0, 0, 0x1234_5678],
                            ..Program::new(isa, code.clone())
                        };
                        match program.check() {
                            Ok(verdict) => tally.add(&verdict),
                            Err(diff) => panic!("{boundary:#x}{offset:+}: {diff}"),
                        }
                        ran += 1;
                    }
                }
            }
        }
    }
    eprintln!("{ran} programs: {tally}");
    assert_eq!(tally.inconclusive + tally.skipped + tally.memset_zero_extended, 0);
}
