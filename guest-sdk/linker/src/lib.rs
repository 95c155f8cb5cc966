//! `pvm-linker`: turns RISC-V ELF files, as rustc produces them for the targets in
//! `guest-sdk/targets/riscv{32,64}emac-unknown-none-polkavm.json`, into `.polkavm`
//! program blobs for the `pvm` VM.
//!
//! ```no_run
//! let elf = std::fs::read("target/guest/riscv64emac-unknown-none-polkavm/release/hello-world").unwrap();
//! let blob = pvm_linker::link(&elf, pvm::InstructionSet::ReviveV1).unwrap();
//! ```
//!
//! # Supported (this first version)
//!
//! - ELF32/ELF64 little-endian RISC-V executables linked with `--emit-relocs`.
//! - Instructions: RV32/RV64 I, M, A, C, Zbb and XTheadCondMov, using only the
//!   registers that map to PVM registers (`ra`, `sp`, `t0`-`t2`, `s0`-`s1`,
//!   `a0`-`a5`). Atomics become plain loads/stores (the VM is single-threaded); the
//!   read-modify-write ones borrow two registers saved just below `sp`.
//! - Sections: `.text*` (code), `.rodata*`/`.srodata*`/`.data.rel.ro*`/`.got` (RO),
//!   `.data*`/`.sdata*` (RW), `.bss*`/`.sbss*` (BSS), `.polkavm_metadata`,
//!   `.polkavm_exports`, `.polkavm_min_stack_size`. Dynamic-linking sections,
//!   `.eh_frame`, comments and debug info are ignored; any other allocated
//!   section is an error naming it.
//! - Relocations: `R_RISCV_32/64`, `ADD/SUB 8/16/32/64`, `SET6/8/16`+`SUB6`,
//!   `HI20`/`LO12_I/S`, `PCREL_HI20` + `PCREL_LO12_I/S`, `GOT_HI20` (the GOT load
//!   becomes a direct address load), `CALL`/`CALL_PLT`; `JAL`, `BRANCH`,
//!   `RVC_BRANCH`, `RVC_JUMP` are accepted (targets are read from the relocated
//!   instruction bits); `RELAX`/`ALIGN`/`NONE` are ignored. Code addresses stored in
//!   data or loaded into registers become jump-table addresses `(index + 1) * 2`;
//!   data addresses become VM addresses.
//! - Memory layout as `polkavm-linker` 0.37 computes it for the same sections
//!   (RO at 0x10000, then RW + BSS), stack = max(8 KiB, `.polkavm_min_stack_size`).
//! - Exports (`.polkavm_exports`), imports (the custom-0 `ecalli` marker plus its
//!   metadata pointer), and the `sbrk`, `memset` and `heap_base` custom instructions.
//! - Import indices: **unlike `polkavm-linker`, explicit and implicit indices may be
//!   mixed.** Imports declared with an index keep it; the others take the lowest
//!   free indices in the order of their symbols; unused indices below the largest
//!   become imports with an empty symbol.
//! - Output instruction sets: ReviveV1, JamV1 and Latest64 (64-bit ELF; Latest64 in
//!   the extended encoding), Latest32 (32-bit ELF). The output is deterministic.
//! - Optimisation (module `opt`): unreachable code is dropped, calls of tiny functions
//!   (such as panic paths that only trap) are inlined, jumps threaded, constants
//!   propagated (branches with known outcomes folded, immediate forms used where that is
//!   smaller), dead computations removed and blocks merged; data no code reaches is left
//!   out; branch offsets take as few bytes as they need. Blobs are no larger than
//!   `polkavm-linker`'s for the guest programs in `contracts/` (Latest64, Latest32; the
//!   corpus programs on every instruction set).
//!   [`link_unoptimized`] skips the optimiser.
//!
//! # Not supported yet
//!
//! - No debug line information.
//! - `orc.b`; `min`/`max`/`div`/`divu` reading `x0` when the destination is also the
//!   other operand; unrelocated `auipc`; indirect jumps with a non-zero offset;
//!   `R_RISCV_SET_ULEB128`/`SUB_ULEB128` in loaded data — each is a
//!   [`LinkError::Untranslatable`] / [`LinkError::Relocation`] naming the address.
#![deny(missing_docs)]

mod cfg;
mod code;
mod elf;
mod emit;
mod error;
mod layout;
mod lower;
mod meta;
mod opt;
mod riscv;

pub use error::{LinkError, Result};
pub use pvm::InstructionSet;

use std::collections::BTreeSet;

use crate::elf::{Input, Role};

/// Links an ELF file into a program blob for `isa`.
pub fn link(elf_bytes: &[u8], isa: InstructionSet) -> Result<Vec<u8>> {
    link_with(elf_bytes, isa, true)
}

/// Links without the optimiser: every RISC-V instruction translated one by one (for
/// comparisons and for debugging the optimiser).
pub fn link_unoptimized(elf_bytes: &[u8], isa: InstructionSet) -> Result<Vec<u8>> {
    link_with(elf_bytes, isa, false)
}

fn link_with(elf_bytes: &[u8], isa: InstructionSet, optimize: bool) -> Result<Vec<u8>> {
    let mut input = Input::parse(elf_bytes)?;
    check_isa(&input, isa)?;
    input.drop_unreferenced_data();
    let layout = layout::Layout::new(&input)?;
    let exports = meta::parse_exports(&input)?;
    let mut code = code::translate(&input, layout.map.heap_base)?;
    let (imports, indices) = meta::assign_import_indices(&code.imports)?;
    code.renumber_imports(&indices);
    let mut data_relocs = Vec::new();
    for section in input.sections.iter().filter(|s| matches!(s.role, Role::ReadOnly | Role::ReadWrite | Role::Bss)) {
        data_relocs.extend(layout::data_relocations(&input, section)?);
    }
    let code_addresses: BTreeSet<u64> = code.insns.iter().map(|insn| insn.address).collect();
    let is_code = |address: u64| {
        code_addresses.contains(&address) && !layout.placed.iter().any(|p| (p.elf_start..p.elf_end).contains(&address))
    };
    let mut roots: BTreeSet<u64> = exports.iter().map(|e| e.address).collect();
    roots.extend(data_relocs.iter().flat_map(|(_, reloc)| reloc.targets()).filter(|&address| is_code(address)));
    let data_value =
        |address: u64, from: u64| layout.data_address(address).ok_or(LinkError::DanglingAddress { address, from });
    let mut cfg = cfg::Cfg::build(isa, input.is_64, &code, roots, is_code, data_value)?;
    if optimize {
        opt::optimize(&mut cfg);
    }
    emit::write(emit::Program {
        isa,
        cfg: &cfg,
        code_addresses: &code_addresses,
        layout,
        exports: &exports,
        imports: &imports,
        data_relocs: &data_relocs,
    })
}

fn check_isa(input: &Input, isa: InstructionSet) -> Result<()> {
    let bits = if input.is_64 { 64 } else { 32 };
    let hint = match isa {
        InstructionSet::ReviveV1 | InstructionSet::JamV1 | InstructionSet::Latest64 if !input.is_64 => {
            " (it needs a 64-bit ELF file)"
        }
        InstructionSet::Latest32 if input.is_64 => " (it needs a 32-bit ELF file)",
        _ => return Ok(()),
    };
    Err(error::LinkError::WrongInstructionSet { bits, isa, hint })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input_is_an_error() {
        assert!(matches!(link(&[], InstructionSet::ReviveV1), Err(LinkError::Elf(_))));
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(link(b"definitely not an ELF file", InstructionSet::ReviveV1).is_err());
    }
}
