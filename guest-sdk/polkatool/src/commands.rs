//! `disassemble` and `run`.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{bail, Context, Result};
use pvm::program::Disassembly;
use pvm::{CallError, Engine, Linker, Module, ModuleConfig, Reg};

/// Reads and loads a blob for `engine`'s backend, with the file name in every error.
pub fn load_module(path: &Path, engine: &Engine) -> Result<Module> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Module::new(engine, &ModuleConfig::default(), &bytes).with_context(|| format!("cannot load {}", path.display()))
}

/// A readable listing: header, memory, imports, exports, then the code with basic
/// block boundaries and export labels.
pub fn disassemble(module: &Module) -> String {
    let blob = module.blob();
    let map = module.memory_map();
    let code = module.code();
    let mut out = String::new();
    let _ = writeln!(out, "// instruction set: {}", module.isa());
    let _ = writeln!(
        out,
        "// RO data: {} bytes declared, {} initialised, at {:#x}",
        blob.ro_data_size,
        blob.ro_data.len(),
        map.ro_data_address()
    );
    let _ = writeln!(
        out,
        "// RW data: {} bytes declared, {} initialised, at {:#x}; heap from {:#x}",
        blob.rw_data_size,
        blob.rw_data.len(),
        map.rw_data_address,
        map.heap_base
    );
    let _ = writeln!(out, "// stack: {} bytes, top at {:#x}", map.stack_size, map.stack_address_high);
    for (index, import) in module.imports().iter().enumerate() {
        let _ = writeln!(out, "// import #{index}: {}", String::from_utf8_lossy(import));
    }
    for (index, &target) in code.jump_table().iter().enumerate() {
        let _ = writeln!(out, "// jump table [{:#x}] = @{target}", (index + 1) * 2);
    }
    for (index, instruction) in code.instructions().iter().enumerate() {
        for export in module.exports().iter().filter(|e| e.pc == instruction.pc) {
            let _ = writeln!(out, "\n{}:", export.name());
        }
        if code.is_block_start(index) {
            let _ = writeln!(out, "      @{}:", instruction.pc);
        }
        let _ = writeln!(out, "{:>8}: {}", instruction.pc, Disassembly(instruction));
    }
    out
}

/// The result of one call of `polkatool run`.
pub struct RunReport {
    pub result: Result<u64, CallError>,
    pub a1: u64,
    pub gas_used: i64,
}

/// Calls each export of `exports` in turn on one instance, with `args` and a trivial
/// host that provides no imports. Stops after the first call that fails.
pub fn run(module: &Module, exports: &[String], args: &[Vec<u64>], gas: i64) -> Result<Vec<RunReport>> {
    for export in exports {
        if module.export(export).is_none() {
            let names: Vec<String> = module.exports().iter().map(|e| e.name().into_owned()).collect();
            bail!("the program has no export named '{export}' (exports: {})", names.join(", "));
        }
    }
    if exports.len() != args.len() {
        bail!("{} exports to call but {} argument lists", exports.len(), args.len());
    }
    if let Some(too_many) = args.iter().find(|args| args.len() > Reg::ARGS.len()) {
        bail!("at most {} arguments are supported, got {}", Reg::ARGS.len(), too_many.len());
    }
    let linker = Linker::<()>::new();
    let mut instance = linker.instantiate(module)?;
    let mut reports = Vec::new();
    for (export, args) in exports.iter().zip(args) {
        instance.set_gas(gas);
        let result = instance.call(&mut (), export, args);
        let failed = result.is_err();
        reports.push(RunReport { result, a1: instance.reg(Reg::A1), gas_used: gas - instance.gas() });
        if failed {
            break;
        }
    }
    Ok(reports)
}

/// `polkatool stats`: sizes and counts of a blob.
pub fn stats(module: &Module, blob_size: usize) -> String {
    let blob = module.blob();
    let code = module.code();
    let map = module.memory_map();
    let instructions = code.instructions();
    let blocks = (0..instructions.len()).filter(|&i| code.is_block_start(i)).count();
    let invalid = instructions.iter().filter(|i| i.opcode.is_none()).count();
    let mut out = String::new();
    let mut line = |label: &str, value: String| {
        let _ = writeln!(out, "{label:<24} {value}");
    };
    line("instruction set", module.isa().to_string());
    line("blob size", format!("{blob_size} bytes"));
    line("code", format!("{} bytes", code.code_len()));
    line("bitmask", format!("{} bytes", blob.code.bitmask.len()));
    line("jump table", format!("{} entries", code.jump_table().len()));
    line("instructions", format!("{} ({} invalid)", instructions.len(), invalid));
    line("basic blocks", blocks.to_string());
    line("RO data", format!("{} bytes initialised, {} declared", blob.ro_data.len(), blob.ro_data_size));
    line("RW data", format!("{} bytes initialised, {} declared", blob.rw_data.len(), blob.rw_data_size));
    line("stack", format!("{} bytes", map.stack_size));
    line("max heap", format!("{} bytes", map.max_heap_size));
    let imports: Vec<String> = module.imports().iter().map(|s| String::from_utf8_lossy(s).into_owned()).collect();
    line("imports", format!("{} {:?}", imports.len(), imports));
    let exports: Vec<String> = module.exports().iter().map(|e| format!("{}@{}", e.name(), e.pc)).collect();
    line("exports", format!("{} {:?}", exports.len(), exports));
    if !blob.metadata_hash.is_empty() {
        let hex: String = blob.metadata_hash.iter().map(|byte| format!("{byte:02x}")).collect();
        line("metadata hash", format!("0x{hex}"));
    }
    out
}

/// Whether `elf` is an ELF64 file (byte 4 of the identification is 2). Anything else,
/// including garbage, counts as 32-bit; the linker then says what is wrong.
pub fn elf_is_64_bit(elf: &[u8]) -> bool {
    elf.get(4) == Some(&2)
}
