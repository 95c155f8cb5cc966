//! Links every guest ELF in `target/guest` (64-bit) for Latest64 with `pvm-linker`
//! (with and without its optimiser) and with `polkavm-linker` 0.37, prints the sizes
//! and our link times as a Markdown table, and, given a directory, writes the blobs
//! there (`NAME.ours.polkavm`, `NAME.plain.polkavm`, `NAME.ref.polkavm`) for
//! `polkatool disassemble`.
//!
//! `cargo run --release -p pvm-linker --example sizes -- [OUT_DIR]`

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let out = std::env::args().nth(1).map(PathBuf::from);
    let root =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/guest/riscv64emac-unknown-none-polkavm/release");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .expect("build the guest programs first: cargo build -p guest-programs")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file() && p.extension().is_none() && !p.file_name().unwrap().to_string_lossy().starts_with('.')
        })
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let (mut ours_total, mut plain_total, mut ref_total) = (0, 0, 0);
    println!("| program | unoptimised | ours | polkavm-linker | ours - polkavm-linker | our link time |");
    println!("|---|---:|---:|---:|---:|---:|");
    for name in names {
        let elf = std::fs::read(root.join(&name)).unwrap();
        let start = Instant::now();
        let ours = pvm_linker::link(&elf, pvm_linker::InstructionSet::Latest64).unwrap();
        let time = start.elapsed();
        let plain = pvm_linker::link_unoptimized(&elf, pvm_linker::InstructionSet::Latest64).unwrap();
        let mut config = polkavm_linker::Config::default();
        config.set_strip(true);
        config.set_optimize(true);
        let reference =
            polkavm_linker::program_from_elf(config, polkavm_linker::TargetInstructionSet::Latest, &elf).unwrap();
        let diff = ours.len() as i64 - reference.len() as i64;
        println!(
            "| {name} | {} | {} | {} | {diff:+} | {:.1} ms |",
            plain.len(),
            ours.len(),
            reference.len(),
            time.as_secs_f64() * 1e3
        );
        ours_total += ours.len();
        plain_total += plain.len();
        ref_total += reference.len();
        if let Some(out) = &out {
            std::fs::create_dir_all(out).unwrap();
            std::fs::write(out.join(format!("{name}.ours.polkavm")), &ours).unwrap();
            std::fs::write(out.join(format!("{name}.plain.polkavm")), &plain).unwrap();
            std::fs::write(out.join(format!("{name}.ref.polkavm")), &reference).unwrap();
        }
    }
    println!("| total | {plain_total} | {ours_total} | {ref_total} | {:+} | |", ours_total as i64 - ref_total as i64);
}
