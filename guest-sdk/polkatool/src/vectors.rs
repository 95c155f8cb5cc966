//! Runs JAM PVM test vectors (the JSON format of `jam-pvm-v0.4`): a raw program
//! (code section payload), initial registers, page map, memory and gas, and the
//! expected status, registers, pc, memory and gas.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use pvm::program::{ProgramBlob, RawCode};
use pvm::{EndOfCode, Engine, InstructionSet, Interrupt, Module, ModuleConfig, RawInstance, Reg};
use serde::Deserialize;

/// One test case.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct TestVector {
    pub name: String,
    pub initial_regs: [u64; 13],
    pub initial_pc: u32,
    pub initial_page_map: Vec<PageMapEntry>,
    pub initial_memory: Vec<MemoryChunk>,
    pub initial_gas: i64,
    pub program: Vec<u8>,
    pub expected_status: String,
    pub expected_regs: [u64; 13],
    pub expected_pc: u32,
    pub expected_memory: Vec<MemoryChunk>,
    pub expected_gas: i64,
    #[serde(default)]
    pub expected_page_fault_address: Option<u32>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PageMapEntry {
    pub address: u32,
    pub length: u32,
    pub is_writable: bool,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct MemoryChunk {
    pub address: u32,
    pub contents: Vec<u8>,
}

/// What running a vector produced.
#[derive(Debug, PartialEq, Eq)]
pub struct Outcome {
    pub status: String,
    pub page_fault_address: Option<u32>,
    pub regs: [u64; 13],
    pub pc: u32,
    pub gas: i64,
}

/// Runs one vector; `Ok(None)` if it passes, `Ok(Some(differences))` if not.
pub fn check(vector: &TestVector, engine: &Engine) -> Result<Option<String>> {
    let code = RawCode::parse(&vector.program, InstructionSet::ReviveV1).context("the program does not parse")?;
    let blob = ProgramBlob::from_code(InstructionSet::ReviveV1, code);
    // The vectors follow the Gray Paper at the end of the code.
    let config = ModuleConfig { end_of_code: EndOfCode::ImplicitTrap, ..ModuleConfig::default() };
    let module = Module::from_parsed(engine, &config, blob)?;
    let ranges: Vec<(u32, u32, bool)> =
        vector.initial_page_map.iter().map(|p| (p.address, p.length, p.is_writable)).collect();
    let mut instance = RawInstance::with_page_map(&module, &ranges).map_err(anyhow::Error::msg)?;
    for chunk in &vector.initial_memory {
        instance
            .write_memory(chunk.address, &chunk.contents)
            .map_err(|f| anyhow::anyhow!("initial memory at {:#x} is not mapped", f.address))?;
    }
    for (reg, &value) in Reg::ALL.iter().zip(&vector.initial_regs) {
        instance.set_reg(*reg, value);
    }
    instance.set_gas(vector.initial_gas);
    instance.set_next_pc(vector.initial_pc)?;

    let interrupt = instance.run();
    let (status, page_fault_address) = match interrupt {
        Interrupt::Finished => ("halt", None),
        Interrupt::Trap => ("panic", None),
        Interrupt::PageFault(fault) => ("page-fault", Some(fault.address)),
        Interrupt::NotEnoughGas => ("out-of-gas", None),
        Interrupt::Ecalli(_) => ("host", None),
    };
    let outcome = Outcome {
        status: status.into(),
        page_fault_address,
        regs: Reg::ALL.map(|r| instance.reg(r)),
        pc: instance.program_counter(),
        gas: instance.gas(),
    };

    let mut diff = String::new();
    if outcome.status != vector.expected_status {
        let _ = write!(diff, " status {} (expected {})", outcome.status, vector.expected_status);
    }
    if vector.expected_status == "page-fault" && outcome.page_fault_address != vector.expected_page_fault_address {
        let _ = write!(
            diff,
            " page fault address {:?} (expected {:?})",
            outcome.page_fault_address, vector.expected_page_fault_address
        );
    }
    if outcome.pc != vector.expected_pc {
        let _ = write!(diff, " pc {} (expected {})", outcome.pc, vector.expected_pc);
    }
    if outcome.gas != vector.expected_gas {
        let _ = write!(diff, " gas {} (expected {})", outcome.gas, vector.expected_gas);
    }
    for (i, reg) in Reg::ALL.iter().enumerate() {
        if outcome.regs[i] != vector.expected_regs[i] {
            let _ = write!(diff, " {reg}={:#x} (expected {:#x})", outcome.regs[i], vector.expected_regs[i]);
        }
    }
    for chunk in &vector.expected_memory {
        match instance.read_memory_vec(chunk.address, chunk.contents.len() as u32) {
            Ok(actual) if actual == chunk.contents => {}
            Ok(actual) => {
                let _ = write!(diff, " memory at {:#x} is {actual:?} (expected {:?})", chunk.address, chunk.contents);
            }
            Err(_) => {
                let _ = write!(diff, " memory at {:#x} is not readable", chunk.address);
            }
        }
    }
    Ok((!diff.is_empty()).then_some(diff))
}

/// Loads a vector file.
pub fn load(path: &Path) -> Result<TestVector> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a test vector", path.display()))
}

/// Expands directories into the `.json` files they contain (sorted), keeps files as they are.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("cannot list {}", path.display()))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension().is_some_and(|e| e == "json") && p.file_name().is_some_and(|n| n != "schema.json")
                })
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// Runs every vector in `paths`; prints one line per failure, then `N passed, M failed`.
/// Returns the number of failures.
pub fn run_all(paths: &[PathBuf], engine: &Engine, out: &mut dyn std::io::Write) -> Result<usize> {
    let files = collect_files(paths)?;
    let (mut passed, mut failed) = (0, 0);
    for file in &files {
        let result = load(file).and_then(|vector| check(&vector, engine).map(|diff| (vector.name, diff)));
        match result {
            Ok((_, None)) => passed += 1,
            Ok((name, Some(diff))) => {
                failed += 1;
                writeln!(out, "FAIL {name}:{diff}")?;
            }
            Err(error) => {
                failed += 1;
                writeln!(out, "FAIL {}: {error:#}", file.display())?;
            }
        }
    }
    writeln!(out, "backend: {}", engine.backend())?;
    writeln!(out, "{passed} passed, {failed} failed")?;
    Ok(failed)
}
