//! Links the real guest programs with `pvm-linker`, runs them in the `pvm` VM and
//! checks the results of `tests/guest-programs/tests/reference.rs`. Every scenario
//! also runs on the blob `polkavm-linker` 0.37 makes from the same ELF file (also
//! in `pvm`), and the two must agree call by call. Blob sizes of both are printed
//! (`cargo test -p pvm-linker -- --nocapture`).

use std::path::PathBuf;

use guest_programs::scenarios::{self, Scenario, THIRD_NUMBER};
use polkavm_linker::TargetInstructionSet;
use pvm::{CallError, Config, Engine, Instance, InstructionSet, Linker, Module, ModuleConfig, Reg};
use pvm_linker::LinkError;

const TARGET_32: &str = "riscv32emac-unknown-none-polkavm";
const TARGET_64: &str = "riscv64emac-unknown-none-polkavm";

fn elf(target: &str, program: &str) -> Vec<u8> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let path = root.join("target/guest").join(target).join("release").join(program);
    std::fs::read(&path).unwrap_or_else(|error| {
        panic!(
            "cannot read the guest ELF {} ({error}); run `cargo build --release -p guest-programs` first",
            path.display()
        )
    })
}

/// The ELF target and the reference linker's ISA for one of our ISAs.
fn reference_setup(isa: InstructionSet) -> (&'static str, TargetInstructionSet) {
    match isa {
        InstructionSet::ReviveV1 => (TARGET_64, TargetInstructionSet::ReviveV1),
        InstructionSet::JamV1 => (TARGET_64, TargetInstructionSet::JamV1),
        InstructionSet::Latest64 => (TARGET_64, TargetInstructionSet::Latest),
        _ => (TARGET_32, TargetInstructionSet::Latest),
    }
}

fn reference_blob(elf: &[u8], isa: TargetInstructionSet) -> Option<Vec<u8>> {
    let mut config = polkavm_linker::Config::default();
    config.set_strip(true);
    config.set_optimize(true);
    polkavm_linker::program_from_elf(config, isa, elf).ok()
}

fn instantiate(blob: &[u8]) -> Instance<()> {
    let module = Module::new(&Engine::new(&Config::default()), &ModuleConfig::default(), blob)
        .unwrap_or_else(|error| panic!("the blob does not load: {error:?}"));
    let mut linker: Linker<()> = Linker::new();
    linker.define("get_third_number", |caller| {
        caller.instance.set_reg(Reg::A0, u64::from(THIRD_NUMBER));
        Ok(())
    });
    linker.instantiate(&module).unwrap()
}

/// Runs `scenario` on the reference VM (polkavm 0.37's interpreter, synchronous gas),
/// answering `get_third_number` like `instantiate` does.
fn run_on_polkavm(blob: &[u8], scenario: Scenario) -> Vec<u64> {
    use polkavm::{BackendKind, GasMeteringKind, InterruptKind};
    let mut config = polkavm::Config::new();
    config.set_backend(Some(BackendKind::Interpreter));
    let engine = polkavm::Engine::new(&config).unwrap();
    let mut module_config = polkavm::ModuleConfig::new();
    module_config.set_gas_metering(Some(GasMeteringKind::Sync));
    let module = polkavm::Module::new(&engine, &module_config, blob.to_vec().into())
        .unwrap_or_else(|error| panic!("polkavm 0.37 refuses our blob: {error}"));
    let mut instance = module.instantiate().unwrap();
    let mut call = |name: &str, args: &[u64]| -> u64 {
        let export = module.exports().find(|e| e.symbol().as_bytes() == name.as_bytes()).expect("export exists");
        instance.prepare_call_untyped(export.program_counter(), args);
        instance.set_gas(i64::MAX);
        loop {
            match instance.run().unwrap() {
                InterruptKind::Finished => return instance.reg(polkavm::Reg::A0),
                InterruptKind::Ecalli(_) => instance.set_reg(polkavm::Reg::A0, u64::from(THIRD_NUMBER)),
                other => panic!("calling {name} on polkavm 0.37 stopped with {other:?}"),
            }
        }
    };
    scenario(&mut call)
}

/// Runs `scenario` on our blob in our VM and in polkavm 0.37, and on the reference
/// linker's blob; checks that all agree.
fn check(program: &str, isa: InstructionSet, scenario: Scenario) {
    let (target, reference_isa) = reference_setup(isa);
    let elf = elf(target, program);
    let ours = pvm_linker::link(&elf, isa).unwrap_or_else(|error| panic!("{program} ({isa}): {error}"));
    let reference = reference_blob(&elf, reference_isa);
    let run = |blob: &[u8]| {
        let mut instance = instantiate(blob);
        let mut call = |name: &str, args: &[u64]| -> u64 {
            instance.set_gas(i64::MAX);
            let result = instance.call(&mut (), name, args);
            result.unwrap_or_else(|error: CallError| panic!("{program} ({isa}): calling {name} failed: {error}"))
        };
        scenario(&mut call)
    };
    let our_results = run(&ours);
    assert_eq!(our_results, run_on_polkavm(&ours, scenario), "{program} ({isa}): our blob differs on polkavm 0.37");
    match &reference {
        Some(reference) => {
            eprintln!(
                "{program:>18} {isa:>9}: ours {:>6} bytes, polkavm-linker {:>6} bytes",
                ours.len(),
                reference.len()
            );
            assert_eq!(our_results, run(reference), "{program} ({isa}): results differ from polkavm-linker's blob");
        }
        None => eprintln!("{program:>18} {isa:>9}: ours {:>6} bytes, polkavm-linker cannot link it", ours.len()),
    }
}

const ISAS: [InstructionSet; 4] =
    [InstructionSet::ReviveV1, InstructionSet::JamV1, InstructionSet::Latest32, InstructionSet::Latest64];

#[test]
fn programs_behave_as_their_sources_say() {
    for isa in ISAS {
        check("hello-world", isa, scenarios::hello_world);
        // Built with the reference's guest macros (polkavm-derive 0.37).
        check("derive-compat", isa, scenarios::hello_world);
        check("bench-minimal", isa, scenarios::minimal);
        check("bench-prime-sieve", isa, scenarios::prime_sieve);
    }
}

#[test]
fn memset_fills_the_buffer() {
    // Only the Latest sets have the `memset` instruction that `run_accelerated` uses.
    check("bench-memset", InstructionSet::Latest32, scenarios::memset);
    check("bench-memset", InstructionSet::Latest64, scenarios::memset);
    for isa in [InstructionSet::ReviveV1, InstructionSet::JamV1] {
        let elf = elf(TARGET_64, "bench-memset");
        match pvm_linker::link(&elf, isa) {
            Err(LinkError::MissingOpcode { opcode: pvm::Opcode::Memset, .. }) => {}
            other => panic!("bench-memset ({isa}): expected a missing-memset error, got {:?}", other.map(|b| b.len())),
        }
    }
}

#[test]
fn isa_must_match_the_elf_width() {
    assert!(matches!(
        pvm_linker::link(&elf(TARGET_32, "hello-world"), InstructionSet::ReviveV1),
        Err(LinkError::WrongInstructionSet { bits: 32, .. })
    ));
    assert!(matches!(
        pvm_linker::link(&elf(TARGET_64, "hello-world"), InstructionSet::Latest32),
        Err(LinkError::WrongInstructionSet { bits: 64, .. })
    ));
}

#[test]
fn output_is_deterministic() {
    let elf = elf(TARGET_64, "bench-prime-sieve");
    assert_eq!(
        pvm_linker::link(&elf, InstructionSet::ReviveV1).unwrap(),
        pvm_linker::link(&elf, InstructionSet::ReviveV1).unwrap()
    );
}

#[test]
fn stack_size_follows_min_stack_size() {
    for (program, expected) in [("hello-world", 8 * 1024), ("bench-prime-sieve", 16 * 1024)] {
        let blob = pvm_linker::link(&elf(TARGET_64, program), InstructionSet::ReviveV1).unwrap();
        let module = Module::new(&Engine::new(&Config::default()), &ModuleConfig::default(), &blob).unwrap();
        assert_eq!(module.memory_map().stack_size, expected, "{program}");
    }
}

#[test]
fn malformed_inputs_are_errors() {
    assert!(matches!(pvm_linker::link(&[], InstructionSet::ReviveV1), Err(LinkError::Elf(_))));
    let elf64 = elf(TARGET_64, "hello-world");
    // Truncated at various points: never a panic, always an error.
    for len in [4, 16, 63, 64, 200, elf64.len() / 2, elf64.len() - 1] {
        assert!(pvm_linker::link(&elf64[..len], InstructionSet::ReviveV1).is_err(), "truncated to {len} bytes");
    }
    // A non-RISC-V ELF: patch e_machine (offset 18) to x86-64.
    let mut x86 = elf64.clone();
    x86[18..20].copy_from_slice(&62u16.to_le_bytes());
    assert!(matches!(pvm_linker::link(&x86, InstructionSet::ReviveV1), Err(LinkError::NotRiscV(_))));
    // Corrupted bytes anywhere must not panic (an error or a blob are both fine).
    // Every byte of the headers, a sample of the rest (kept small for debug builds;
    // `PVM_LINKER_FULL_CORRUPTION=1` tries every byte).
    let step = if std::env::var_os("PVM_LINKER_FULL_CORRUPTION").is_some() { 1 } else { 11 };
    let positions = (0..elf64.len().min(512)).chain((512..elf64.len()).step_by(step));
    for position in positions {
        let mut corrupted = elf64.clone();
        corrupted[position] ^= 0xa5;
        let _ = pvm_linker::link(&corrupted, InstructionSet::ReviveV1);
    }
}

/// Every guest ELF that exists (including programs without a scenario above, such
/// as `heap-demo`) links, or fails with an error rather than a panic. Prints the outcome.
#[test]
fn every_guest_elf_links_or_fails_cleanly() {
    for (target, isas) in [(TARGET_64, &ISAS[..2]), (TARGET_32, &ISAS[2..])] {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/guest").join(target).join("release");
        let Ok(entries) = std::fs::read_dir(&root) else { continue };
        let mut paths: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.is_file() && p.extension().is_none() && !p.file_name().unwrap().to_string_lossy().starts_with('.')
            })
            .collect();
        paths.sort();
        for path in paths {
            let elf = std::fs::read(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            for &isa in isas {
                match pvm_linker::link(&elf, isa) {
                    Ok(blob) => eprintln!("{name:>18} {isa:>9}: {} bytes", blob.len()),
                    Err(error) => eprintln!("{name:>18} {isa:>9}: not linked: {error}"),
                }
            }
        }
    }
}

#[test]
fn metadata_strings_stay_out_of_the_data() {
    // hello-world's only read-only data are the names in its import and export
    // metadata, which only the linker reads.
    let blob = pvm_linker::link(&elf(TARGET_64, "hello-world"), InstructionSet::Latest64).unwrap();
    let parsed = pvm::program::ProgramBlob::parse(&blob).unwrap();
    assert_eq!((parsed.ro_data_size, parsed.rw_data_size), (0, 0));
    assert_eq!(parsed.imports, [b"get_third_number".to_vec()]);
}

/// Our blob sizes next to polkavm-linker's, for every program (Latest64); a guard
/// against regressions: ours may not be more than 10% larger.
#[test]
fn blob_sizes_against_the_reference() {
    let (mut ours_total, mut reference_total) = (0, 0);
    for &program in guest_programs::programs() {
        let elf = elf(TARGET_64, program);
        let ours = pvm_linker::link(&elf, InstructionSet::Latest64).unwrap().len();
        let reference = reference_blob(&elf, TargetInstructionSet::Latest).unwrap().len();
        eprintln!("{program:>18}: ours {ours:>6} bytes, polkavm-linker {reference:>6} bytes");
        assert!(ours * 10 <= reference * 11, "{program}: {ours} bytes vs {reference}");
        ours_total += ours;
        reference_total += reference;
    }
    eprintln!("{:>18}: ours {ours_total:>6} bytes, polkavm-linker {reference_total:>6} bytes", "total");
}
