//! Where the bytes of a blob go, ours next to `polkavm-linker` 0.37's for the same ELF:
//! sections (jump table, code, RO/RW data), then per opcode the instruction count,
//! bytes and average encoded length of both, sorted by the byte difference and split
//! into a count part (`(ours - ref count) * ref average`) and a length part
//! (`ours count * (ours - ref average)`).
//!
//! `cargo run --release -p pvm-linker --example size_breakdown -- [PROGRAM] [ISA]`
//! (default `corpus-all` `Latest64`; ISA is one of `ReviveV1`, `Latest32`, `Latest64`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use polkavm_linker::TargetInstructionSet;
use pvm::program::{Code, ProgramBlob};
use pvm::InstructionSet;

/// Count and bytes of one opcode, and how its instructions' lengths are spread.
#[derive(Default, Clone, Copy)]
struct Tally {
    count: usize,
    bytes: usize,
}

struct Stats {
    blob: usize,
    code: usize,
    jump_table_entries: usize,
    jump_table_bytes: usize,
    ro_data: usize,
    rw_data: usize,
    instructions: usize,
    per_opcode: BTreeMap<String, Tally>,
    /// Instruction count per (opcode, length).
    per_length: BTreeMap<(String, u32), usize>,
}

fn stats(blob: &[u8]) -> Stats {
    let parsed = ProgramBlob::parse(blob).unwrap();
    let code = Code::decode(parsed.isa, &parsed.code);
    let mut per_opcode: BTreeMap<String, Tally> = BTreeMap::new();
    let mut per_length = BTreeMap::new();
    for instruction in code.instructions() {
        let name = instruction.opcode.map_or("invalid".to_string(), |op| op.name().to_string());
        let tally = per_opcode.entry(name.clone()).or_default();
        tally.count += 1;
        tally.bytes += instruction.len as usize;
        *per_length.entry((name, instruction.len)).or_default() += 1;
    }
    let jump_table = code.jump_table();
    let entry_size = jump_table.iter().map(|&pc| 4 - pc.leading_zeros() as usize / 8).max().unwrap_or(0);
    Stats {
        blob: blob.len(),
        code: parsed.code.code.len(),
        jump_table_entries: jump_table.len(),
        jump_table_bytes: jump_table.len() * entry_size,
        ro_data: parsed.ro_data.len(),
        rw_data: parsed.rw_data.len(),
        instructions: code.instructions().len(),
        per_opcode,
        per_length,
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let program = args.next().unwrap_or_else(|| "corpus-all".into());
    let isa_name = args.next().unwrap_or_else(|| "Latest64".into());
    let (isa, target, reference_isa) = match isa_name.as_str() {
        "ReviveV1" => (InstructionSet::ReviveV1, "riscv64emac-unknown-none-polkavm", TargetInstructionSet::ReviveV1),
        "Latest32" => (InstructionSet::Latest32, "riscv32emac-unknown-none-polkavm", TargetInstructionSet::Latest),
        _ => (InstructionSet::Latest64, "riscv64emac-unknown-none-polkavm", TargetInstructionSet::Latest),
    };
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/guest")
        .join(target)
        .join("release")
        .join(&program);
    let elf = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}; build guest-programs first", path.display()));
    let ours = stats(&pvm_linker::link(&elf, isa).unwrap());
    let mut config = polkavm_linker::Config::default();
    config.set_strip(true);
    config.set_optimize(true);
    let reference = stats(&polkavm_linker::program_from_elf(config, reference_isa, &elf).unwrap());

    println!("## {program} ({isa_name})\n");
    println!("| part | ours | polkavm-linker | difference |");
    println!("|---|---:|---:|---:|");
    let row = |name: &str, a: usize, b: usize| println!("| {name} | {a} | {b} | {:+} |", a as i64 - b as i64);
    row("blob bytes", ours.blob, reference.blob);
    row("code bytes", ours.code, reference.code);
    row("instructions", ours.instructions, reference.instructions);
    row("jump table entries", ours.jump_table_entries, reference.jump_table_entries);
    row("jump table bytes", ours.jump_table_bytes, reference.jump_table_bytes);
    row("RO data bytes", ours.ro_data, reference.ro_data);
    row("RW data bytes", ours.rw_data, reference.rw_data);
    let rest = |s: &Stats| s.blob - s.code - s.jump_table_bytes - s.ro_data - s.rw_data;
    row("other (headers, imports, exports)", rest(&ours), rest(&reference));

    let names: std::collections::BTreeSet<&String> =
        ours.per_opcode.keys().chain(reference.per_opcode.keys()).collect();
    let mut rows: Vec<(&String, Tally, Tally)> = names
        .into_iter()
        .map(|name| {
            let get = |s: &Stats| s.per_opcode.get(name).copied().unwrap_or_default();
            (name, get(&ours), get(&reference))
        })
        .collect();
    rows.sort_by_key(|(_, o, r)| -(o.bytes as i64 - r.bytes as i64).abs());
    println!("\n| opcode | ours: count | ours: bytes | ours: avg | ref: count | ref: bytes | ref: avg | difference | from count | from length |");
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let avg = |t: Tally| if t.count == 0 { 0.0 } else { t.bytes as f64 / t.count as f64 };
    for (name, o, r) in rows {
        let diff = o.bytes as i64 - r.bytes as i64;
        let ref_avg = if r.count == 0 { avg(o) } else { avg(r) };
        let from_count = (o.count as f64 - r.count as f64) * ref_avg;
        let from_length = o.count as f64 * (avg(o) - ref_avg);
        println!(
            "| {name} | {} | {} | {:.2} | {} | {} | {:.2} | {diff:+} | {from_count:+.0} | {from_length:+.0} |",
            o.count,
            o.bytes,
            avg(o),
            r.count,
            r.bytes,
            avg(r)
        );
    }

    if std::env::var_os("LENGTHS").is_some() {
        println!("\n| opcode | length | ours | ref |");
        println!("|---|---:|---:|---:|");
        let keys: std::collections::BTreeSet<&(String, u32)> =
            ours.per_length.keys().chain(reference.per_length.keys()).collect();
        for key in keys {
            let get = |s: &Stats| s.per_length.get(key).copied().unwrap_or(0);
            println!("| {} | {} | {} | {} |", key.0, key.1, get(&ours), get(&reference));
        }
    }
}
