//! Focused tests of the relocation kinds `pvm-linker` supports, one per kind: each
//! builds a minimal RISC-V ELF file in memory, links it and runs the blob in the `pvm`
//! VM (for every instruction set of the file's width, with and without the optimiser).
//! Then the ways bad relocations and malformed files must be rejected: a typed
//! [`LinkError`] whose message names the symbol or the address, never a panic.
//!
//! The files look like what the PolkaVM targets produce (`--emit-relocs` links, as
//! `readelf -a target/guest/riscv64emac-unknown-none-polkavm/release/hello-world`
//! shows): a position-independent executable (`ET_DYN`) with `RVC | RVE` flags, every
//! allocated section at its virtual address, relocations addressed by virtual address,
//! and the relocated values already in the bytes (the [`elf::Elf::build`] step applies
//! them like a static linker would). `object::write::Object` cannot make such files (it
//! writes `ET_REL` objects, every section at address 0), so they are written with
//! `object::build::elf::Builder`.
//!
//! Set `PVM_LINKER_TEST_ELF_DIR` to a directory to get every file built here written
//! there (for `llvm-objdump -dr --mattr=+c` and `readelf -Sr`).

use elf::{rv, Elf, DATA, RODATA, TEXT};
use object::elf::*;
use pvm::{CallError, Engine, InstructionSet, Linker, Module, ModuleConfig};
use pvm_linker::LinkError;
use rv::{A0, A1, A2, RA, SP, T0, T1, ZERO};

/// Building the test ELF files: RISC-V instruction encoders and a tiny "static linker".
mod elf {
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use object::build::elf::{Builder, Relocation, SectionData};
    use object::elf::*;
    use object::Endianness;

    /// RISC-V instruction encoders (immediates as the instruction sees them).
    pub mod rv {
        pub const ZERO: u32 = 0;
        pub const RA: u32 = 1;
        pub const SP: u32 = 2;
        pub const T0: u32 = 5;
        pub const T1: u32 = 6;
        pub const A0: u32 = 10;
        pub const A1: u32 = 11;
        pub const A2: u32 = 12;

        fn i_type(opcode: u32, funct3: u32, rd: u32, rs1: u32, imm: i32) -> u32 {
            ((imm as u32 & 0xfff) << 20) | (rs1 << 15) | (funct3 << 12) | (rd << 7) | opcode
        }
        fn s_type(funct3: u32, rs2: u32, rs1: u32, imm: i32) -> u32 {
            s_imm(imm) | (rs2 << 20) | (rs1 << 15) | (funct3 << 12) | 0x23
        }
        fn r_type(funct7: u32, rd: u32, rs1: u32, rs2: u32) -> u32 {
            (funct7 << 25) | (rs2 << 20) | (rs1 << 15) | (rd << 7) | 0x33
        }

        pub fn lui(rd: u32, hi20: u32) -> u32 {
            (hi20 << 12) | (rd << 7) | 0x37
        }
        pub fn auipc(rd: u32, hi20: u32) -> u32 {
            (hi20 << 12) | (rd << 7) | 0x17
        }
        pub fn addi(rd: u32, rs1: u32, imm: i32) -> u32 {
            i_type(0x13, 0, rd, rs1, imm)
        }
        pub fn li(rd: u32, imm: i32) -> u32 {
            addi(rd, ZERO, imm)
        }
        pub fn slli(rd: u32, rs1: u32, shamt: i32) -> u32 {
            i_type(0x13, 1, rd, rs1, shamt)
        }
        pub fn add(rd: u32, rs1: u32, rs2: u32) -> u32 {
            r_type(0, rd, rs1, rs2)
        }
        pub fn sub(rd: u32, rs1: u32, rs2: u32) -> u32 {
            r_type(0x20, rd, rs1, rs2)
        }
        pub fn lbu(rd: u32, rs1: u32, imm: i32) -> u32 {
            i_type(0x03, 4, rd, rs1, imm)
        }
        pub fn lhu(rd: u32, rs1: u32, imm: i32) -> u32 {
            i_type(0x03, 5, rd, rs1, imm)
        }
        pub fn lw(rd: u32, rs1: u32, imm: i32) -> u32 {
            i_type(0x03, 2, rd, rs1, imm)
        }
        pub fn ld(rd: u32, rs1: u32, imm: i32) -> u32 {
            i_type(0x03, 3, rd, rs1, imm)
        }
        pub fn sw(rs2: u32, rs1: u32, imm: i32) -> u32 {
            s_type(2, rs2, rs1, imm)
        }
        pub fn sd(rs2: u32, rs1: u32, imm: i32) -> u32 {
            s_type(3, rs2, rs1, imm)
        }
        pub fn jalr(rd: u32, rs1: u32, imm: i32) -> u32 {
            i_type(0x67, 0, rd, rs1, imm)
        }
        pub fn ret() -> u32 {
            jalr(ZERO, RA, 0)
        }
        pub fn jal(rd: u32, offset: i64) -> u32 {
            j_imm(offset) | (rd << 7) | 0x6f
        }
        pub fn beq(rs1: u32, rs2: u32, offset: i64) -> u32 {
            b_imm(offset) | (rs2 << 20) | (rs1 << 15) | 0x63
        }
        pub fn bne(rs1: u32, rs2: u32, offset: i64) -> u32 {
            b_imm(offset) | (rs2 << 20) | (rs1 << 15) | (1 << 12) | 0x63
        }
        pub fn c_j(offset: i64) -> u16 {
            0xa001 | cj_imm(offset)
        }
        /// `c.beqz` (`rs1` is one of `s0`, `s1`, `a0`-`a5`).
        pub fn c_beqz(rs1: u32, offset: i64) -> u16 {
            0xc001 | (((rs1 - 8) << 7) as u16) | cb_imm(offset)
        }
        pub fn c_nop() -> u16 {
            0x0001
        }

        /// `%hi(value)`: the upper 20 bits, rounded so that `%lo` can be added signed.
        pub fn hi20(value: u64) -> u32 {
            (value.wrapping_add(0x800) >> 12) as u32 & 0xf_ffff
        }
        /// `%lo(value)`: the low 12 bits, sign-extended.
        pub fn lo12(value: u64) -> i32 {
            ((value as u32) << 20) as i32 >> 20
        }
        pub fn i_imm(imm: i32) -> u32 {
            (imm as u32 & 0xfff) << 20
        }
        pub fn s_imm(imm: i32) -> u32 {
            let imm = imm as u32;
            ((imm >> 5 & 0x7f) << 25) | ((imm & 0x1f) << 7)
        }
        pub fn j_imm(offset: i64) -> u32 {
            let o = offset as u32;
            ((o >> 20 & 1) << 31) | ((o >> 1 & 0x3ff) << 21) | ((o >> 11 & 1) << 20) | ((o >> 12 & 0xff) << 12)
        }
        pub fn b_imm(offset: i64) -> u32 {
            let o = offset as u32;
            ((o >> 12 & 1) << 31) | ((o >> 5 & 0x3f) << 25) | ((o >> 1 & 0xf) << 8) | ((o >> 11 & 1) << 7)
        }
        pub fn cj_imm(offset: i64) -> u16 {
            let o = offset as u32;
            (((o >> 11 & 1) << 12)
                | ((o >> 4 & 1) << 11)
                | ((o >> 8 & 3) << 9)
                | ((o >> 10 & 1) << 8)
                | ((o >> 6 & 1) << 7)
                | ((o >> 7 & 1) << 6)
                | ((o >> 1 & 7) << 3)
                | ((o >> 5 & 1) << 2)) as u16
        }
        pub fn cb_imm(offset: i64) -> u16 {
            let o = offset as u32;
            (((o >> 8 & 1) << 12)
                | ((o >> 3 & 3) << 10)
                | ((o >> 6 & 3) << 5)
                | ((o >> 1 & 3) << 3)
                | ((o >> 5 & 1) << 2)) as u16
        }
    }

    pub const EXPORTS: &str = ".polkavm_exports";
    /// The export names (kept out of `.rodata` so that the tests' data is alone there).
    pub const NAMES: &str = ".rodata.names";
    pub const RODATA: &str = ".rodata";
    pub const TEXT: &str = ".text";
    pub const DATA: &str = ".data";
    pub const METADATA: &str = ".polkavm_metadata";

    struct Section {
        name: String,
        sh_type: u32,
        flags: u32,
        address: u64,
        data: Vec<u8>,
    }

    struct Reloc {
        /// The section whose `.rela` table holds it (by default the one containing `address`).
        section: Option<String>,
        /// Whether [`Elf::build`] writes the relocated value into the section bytes.
        applied: bool,
        address: u64,
        r_type: u32,
        /// `None`: no symbol (`r_sym` 0).
        symbol: Option<String>,
        addend: i64,
    }

    /// An ELF file being put together: sections at fixed addresses that grow as bytes
    /// are appended, symbols, and relocations naming symbols (a name that is never
    /// defined becomes an undefined symbol).
    pub struct Elf {
        pub is_64: bool,
        pub e_type: u16,
        pub e_machine: u16,
        sections: Vec<Section>,
        symbols: BTreeMap<String, (u64, bool)>,
        relocs: Vec<Reloc>,
        labels: usize,
    }

    impl Elf {
        /// An empty program: `.polkavm_exports` at 0x200, the export names at 0x800,
        /// `.rodata` at 0x1000, `.text` at 0x2000, `.data` at 0x3000, `.polkavm_metadata`
        /// at 0x4000.
        pub fn new(is_64: bool) -> Elf {
            let mut elf = Elf {
                is_64,
                e_type: ET_DYN,
                e_machine: EM_RISCV,
                sections: Vec::new(),
                symbols: BTreeMap::new(),
                relocs: Vec::new(),
                labels: 0,
            };
            elf.add_section(EXPORTS, 0x200, SHF_ALLOC);
            elf.add_section(NAMES, 0x800, SHF_ALLOC);
            elf.add_section(RODATA, 0x1000, SHF_ALLOC);
            elf.add_section(TEXT, 0x2000, SHF_ALLOC | SHF_EXECINSTR);
            elf.add_section(DATA, 0x3000, SHF_ALLOC | SHF_WRITE);
            elf.add_section(METADATA, 0x4000, SHF_ALLOC | SHF_WRITE);
            elf
        }

        /// Adds a `SHT_PROGBITS` section (address 0 and no `SHF_ALLOC` for debug sections).
        pub fn add_section(&mut self, name: &str, address: u64, flags: u32) {
            let section = Section { name: name.into(), sh_type: SHT_PROGBITS, flags, address, data: Vec::new() };
            self.sections.push(section);
        }

        fn section_mut(&mut self, name: &str) -> &mut Section {
            self.sections.iter_mut().find(|s| s.name == name).unwrap_or_else(|| panic!("no section {name}"))
        }

        pub fn pointer_size(&self) -> usize {
            if self.is_64 {
                8
            } else {
                4
            }
        }

        /// Appends `bytes` to `section` at a multiple of `align`; returns their address.
        pub fn append(&mut self, section: &str, align: usize, bytes: &[u8]) -> u64 {
            let section = self.section_mut(section);
            while section.data.len() % align != 0 {
                section.data.push(0);
            }
            let address = section.address + section.data.len() as u64;
            section.data.extend_from_slice(bytes);
            address
        }

        /// Defines the symbol `name` at `address` (in the section that contains it).
        pub fn define(&mut self, name: &str, address: u64) {
            assert!(self.symbols.insert(name.into(), (address, false)).is_none(), "{name} defined twice");
        }

        /// Defines an absolute (`SHN_ABS`) symbol.
        pub fn define_absolute(&mut self, name: &str, value: u64) {
            self.symbols.insert(name.into(), (value, true));
        }

        pub fn address(&self, symbol: &str) -> u64 {
            self.symbols.get(symbol).unwrap_or_else(|| panic!("{symbol} is not defined")).0
        }

        /// Appends a data object `name` to `section`; returns its address.
        pub fn object(&mut self, section: &str, name: &str, align: usize, bytes: &[u8]) -> u64 {
            let address = self.append(section, align, bytes);
            self.define(name, address);
            address
        }

        /// Appends a data object `name` holding a pointer to `target + addend`
        /// (`R_RISCV_64` or `R_RISCV_32`, by the file's width).
        pub fn pointer(&mut self, section: &str, name: &str, target: &str, addend: i64) -> u64 {
            let size = self.pointer_size();
            let address = self.object(section, name, size, &vec![0; size]);
            let r_type = if self.is_64 { R_RISCV_64 } else { R_RISCV_32 };
            self.reloc(address, r_type, Some(target), addend);
            address
        }

        /// Adds a relocation; it goes to the `.rela` table of the section containing `address`.
        pub fn reloc(&mut self, address: u64, r_type: u32, symbol: Option<&str>, addend: i64) {
            let symbol = symbol.map(Into::into);
            self.relocs.push(Reloc { section: None, applied: true, address, r_type, symbol, addend });
        }

        /// Adds a relocation to the `.rela` table of `section`, whatever its address.
        pub fn reloc_in(&mut self, section: &str, address: u64, r_type: u32, symbol: Option<&str>, addend: i64) {
            let (section, symbol) = (Some(section.into()), symbol.map(Into::into));
            self.relocs.push(Reloc { section, applied: true, address, r_type, symbol, addend });
        }

        /// Adds a relocation whose value is not written into the bytes (for sites that
        /// are not where a relocation can be: the bytes around stay as they are).
        pub fn reloc_unapplied(&mut self, address: u64, r_type: u32, symbol: &str) {
            let symbol = Some(symbol.into());
            self.relocs.push(Reloc { section: None, applied: false, address, r_type, symbol, addend: 0 });
        }

        // --- Code ---------------------------------------------------------------------

        /// The address the next instruction gets.
        pub fn here(&self) -> u64 {
            let text = self.sections.iter().find(|s| s.name == TEXT).expect(".text");
            text.address + text.data.len() as u64
        }

        /// Defines `name` at the next instruction.
        pub fn label(&mut self, name: &str) -> u64 {
            let address = self.here();
            self.define(name, address);
            address
        }

        /// Defines a fresh local label at the next instruction and returns its name.
        pub fn fresh_label(&mut self) -> String {
            self.labels += 1;
            let name = format!(".Ltmp{}", self.labels);
            self.label(&name);
            name
        }

        /// Starts the function `name` and exports it under the same name.
        pub fn export(&mut self, name: &str) {
            self.label(name);
            let pointer = self.pointer_size();
            self.object(NAMES, &format!("{name}.name"), 1, name.as_bytes());
            // `version, flags, symbol_length, symbol, input_regs, output_regs`.
            let mut metadata = vec![1u8];
            metadata.extend(0u32.to_le_bytes());
            metadata.extend((name.len() as u32).to_le_bytes());
            metadata.extend(vec![0; pointer]);
            metadata.extend([6, 1]);
            let metadata_address = self.object(METADATA, &format!("{name}.metadata"), 1, &metadata);
            let r_type = if self.is_64 { R_RISCV_64 } else { R_RISCV_32 };
            self.reloc(metadata_address + 9, r_type, Some(&format!("{name}.name")), 0);
            // `version`, then pointers to the metadata and the code, both carried by
            // `R_RISCV_PCREL_HI20` as `polkavm-derive` writes them.
            let mut entry = vec![1u8];
            for _ in 0..2 {
                entry.extend(rv::auipc(rv::ZERO, 0).to_le_bytes());
                entry.extend(vec![0; pointer - 4]);
            }
            let entry_address = self.append(EXPORTS, 1, &entry);
            self.reloc(entry_address + 1, R_RISCV_PCREL_HI20, Some(&format!("{name}.metadata")), 0);
            self.reloc(entry_address + 1 + pointer as u64, R_RISCV_PCREL_HI20, Some(name), 0);
        }

        /// Appends a 4-byte instruction; returns its address.
        pub fn insn(&mut self, insn: u32) -> u64 {
            self.append(TEXT, 2, &insn.to_le_bytes())
        }

        /// Appends a 2-byte (compressed) instruction; returns its address.
        pub fn insn16(&mut self, insn: u16) -> u64 {
            self.append(TEXT, 2, &insn.to_le_bytes())
        }

        /// Appends an instruction with a relocation against `symbol + addend`.
        pub fn insn_r(&mut self, insn: u32, r_type: u32, symbol: &str, addend: i64) -> u64 {
            let address = self.insn(insn);
            self.reloc(address, r_type, Some(symbol), addend);
            address
        }

        /// Appends a compressed instruction with a relocation against `symbol`.
        pub fn insn16_r(&mut self, insn: u16, r_type: u32, symbol: &str) -> u64 {
            let address = self.insn16(insn);
            self.reloc(address, r_type, Some(symbol), 0);
            address
        }

        /// `auipc rd, %pcrel_hi(symbol + addend)` (`hi_type`: `PCREL_HI20` or
        /// `GOT_HI20`), then `low` with `%pcrel_lo` of it (`lo_type`: `PCREL_LO12_I/S`).
        pub fn pcrel(&mut self, hi_type: u32, rd: u32, symbol: &str, addend: i64, lo_type: u32, low: u32) {
            let hi = self.fresh_label();
            self.insn_r(rv::auipc(rd, 0), hi_type, symbol, addend);
            self.insn_r(low, lo_type, &hi, 0);
        }

        /// `auipc rd, ..; jalr link, ..(rd)` with `r_type` (`CALL` or `CALL_PLT`).
        pub fn call(&mut self, r_type: u32, rd: u32, link: u32, symbol: &str) {
            self.insn_r(rv::auipc(rd, 0), r_type, symbol, 0);
            self.insn(rv::jalr(link, rd, 0));
        }

        /// A load of pointer size.
        pub fn load_pointer(&self, rd: u32, rs1: u32, imm: i32) -> u32 {
            if self.is_64 {
                rv::ld(rd, rs1, imm)
            } else {
                rv::lw(rd, rs1, imm)
            }
        }

        /// Saves `ra` in a new stack frame.
        pub fn push_ra(&mut self) {
            self.insn(rv::addi(rv::SP, rv::SP, -16));
            let store = if self.is_64 { rv::sd(rv::RA, rv::SP, 8) } else { rv::sw(rv::RA, rv::SP, 8) };
            self.insn(store);
        }

        /// Restores `ra` and drops the frame of [`Elf::push_ra`].
        pub fn pop_ra(&mut self) {
            self.insn(self.load_pointer(rv::RA, rv::SP, 8));
            self.insn(rv::addi(rv::SP, rv::SP, 16));
        }

        // --- Writing ------------------------------------------------------------------

        fn containing_section(&self, address: u64, inclusive_end: bool) -> Option<usize> {
            self.sections.iter().position(|s| {
                let end = s.address + s.data.len() as u64;
                s.flags & SHF_ALLOC != 0 && s.address <= address && (address < end || inclusive_end && address == end)
            })
        }

        /// Writes the relocated values into the section bytes, as a static linker does.
        fn apply(&self, sections: &mut [Vec<u8>]) {
            let value_of = |reloc: &Reloc| {
                let symbol = self.symbols.get(reloc.symbol.as_deref()?)?;
                Some(symbol.0.wrapping_add_signed(reloc.addend))
            };
            for reloc in self.relocs.iter().filter(|r| r.applied) {
                let (Some(value), Some(index)) = (value_of(reloc), self.containing_section(reloc.address, false))
                else {
                    continue;
                };
                let p = reloc.address;
                let offset = (p - self.sections[index].address) as usize;
                let bytes = &mut sections[index];
                let size = match reloc.r_type {
                    R_RISCV_SET6 | R_RISCV_SUB6 | R_RISCV_SET8 | R_RISCV_ADD8 | R_RISCV_SUB8 => 1,
                    R_RISCV_SET16 | R_RISCV_ADD16 | R_RISCV_SUB16 | R_RISCV_RVC_BRANCH | R_RISCV_RVC_JUMP => 2,
                    R_RISCV_64 | R_RISCV_ADD64 | R_RISCV_SUB64 | R_RISCV_CALL | R_RISCV_CALL_PLT => 8,
                    _ => 4,
                };
                let Some(site) = bytes.get_mut(offset..offset + size) else { continue };
                let mut word = [0u8; 8];
                word[..size].copy_from_slice(site);
                let old = u64::from_le_bytes(word);
                let pcrel = value.wrapping_sub(p);
                let insn = |mask: u32, imm: u32| u64::from(old as u32 & mask | imm);
                let new =
                    match reloc.r_type {
                        R_RISCV_32 | R_RISCV_64 | R_RISCV_SET8 | R_RISCV_SET16 => value,
                        R_RISCV_ADD8 | R_RISCV_ADD16 | R_RISCV_ADD32 | R_RISCV_ADD64 => old.wrapping_add(value),
                        R_RISCV_SUB8 | R_RISCV_SUB16 | R_RISCV_SUB32 | R_RISCV_SUB64 => old.wrapping_sub(value),
                        R_RISCV_SET6 => old & 0xc0 | value & 0x3f,
                        R_RISCV_SUB6 => old & 0xc0 | old.wrapping_sub(value) & 0x3f,
                        R_RISCV_HI20 => insn(0xfff, rv::hi20(value) << 12),
                        R_RISCV_LO12_I => insn(0xf_ffff, rv::i_imm(rv::lo12(value))),
                        R_RISCV_LO12_S => insn(0x01ff_f07f, rv::s_imm(rv::lo12(value))),
                        R_RISCV_PCREL_HI20 | R_RISCV_GOT_HI20 => insn(0xfff, rv::hi20(pcrel) << 12),
                        R_RISCV_PCREL_LO12_I | R_RISCV_PCREL_LO12_S => {
                            // The low part of what the `auipc` at the label computes.
                            let Some(hi) = self.relocs.iter().find(|r| {
                                r.address == value && matches!(r.r_type, R_RISCV_PCREL_HI20 | R_RISCV_GOT_HI20)
                            }) else {
                                continue;
                            };
                            let Some(target) = value_of(hi) else { continue };
                            let lo = rv::lo12(target.wrapping_sub(value));
                            if reloc.r_type == R_RISCV_PCREL_LO12_I {
                                insn(0xf_ffff, rv::i_imm(lo))
                            } else {
                                insn(0x01ff_f07f, rv::s_imm(lo))
                            }
                        }
                        R_RISCV_CALL | R_RISCV_CALL_PLT => {
                            let auipc = old as u32 & 0xfff | rv::hi20(pcrel) << 12;
                            let jalr = (old >> 32) as u32 & 0xf_ffff | rv::i_imm(rv::lo12(pcrel));
                            u64::from(auipc) | u64::from(jalr) << 32
                        }
                        R_RISCV_JAL => insn(0xfff, rv::j_imm(pcrel as i64)),
                        R_RISCV_BRANCH => insn(0x01ff_f07f, rv::b_imm(pcrel as i64)),
                        R_RISCV_RVC_JUMP => old & 0xe003 | u64::from(rv::cj_imm(pcrel as i64)),
                        R_RISCV_RVC_BRANCH => old & 0xe383 | u64::from(rv::cb_imm(pcrel as i64)),
                        _ => continue,
                    };
                site.copy_from_slice(&new.to_le_bytes()[..size]);
            }
        }

        /// The ELF file. With `relocatable`, an `ET_REL` object instead: every section
        /// at address 0, symbols and relocation offsets relative to their sections.
        pub fn build_as(&self, relocatable: bool) -> Vec<u8> {
            let mut contents: Vec<Vec<u8>> = self.sections.iter().map(|s| s.data.clone()).collect();
            self.apply(&mut contents);
            let mut builder = Builder::new(Endianness::Little, self.is_64);
            builder.header.e_type = if relocatable { ET_REL } else { self.e_type };
            builder.header.e_machine = self.e_machine;
            builder.header.e_flags = EF_RISCV_RVC | EF_RISCV_RVE | EF_RISCV_FLOAT_ABI_SOFT;
            let base = |index: Option<usize>| match index {
                Some(index) if relocatable => self.sections[index].address,
                _ => 0,
            };
            // Empty sections are left out, as linkers do (symbols there become absolute).
            let mut ids = Vec::new();
            for (section, data) in self.sections.iter().zip(contents) {
                let named = self.relocs.iter().any(|r| r.section.as_ref() == Some(&section.name));
                if data.is_empty() && !named {
                    ids.push(None);
                    continue;
                }
                let out = builder.sections.add();
                out.name = section.name.as_bytes().to_vec().into();
                out.sh_type = section.sh_type;
                out.sh_flags = section.flags.into();
                out.sh_addr = if relocatable { 0 } else { section.address };
                out.sh_addralign = 1;
                out.data = SectionData::Data(data.into());
                ids.push(Some(out.id()));
            }
            let symtab = builder.sections.add();
            symtab.name = b".symtab"[..].into();
            symtab.sh_type = SHT_SYMTAB;
            symtab.sh_addralign = 8;
            symtab.data = SectionData::Symbol;
            let symtab = symtab.id();
            for (name, data) in [(".strtab", SectionData::String), (".shstrtab", SectionData::SectionString)] {
                let section = builder.sections.add();
                section.name = name.as_bytes().into();
                section.sh_type = SHT_STRTAB;
                section.sh_addralign = 1;
                section.data = data;
            }
            let mut symbol_ids = BTreeMap::new();
            let mut add_symbol = |builder: &mut Builder, name: &str, value: u64, absolute: bool| {
                let section = if absolute { None } else { self.containing_section(value, true) };
                let symbol = builder.symbols.add();
                symbol.name = name.as_bytes().to_vec().into();
                symbol.section = section.and_then(|index| ids[index]);
                symbol.st_shndx = if symbol.section.is_none() { SHN_ABS } else { SHN_UNDEF };
                let bind = if name.starts_with(".L") { STB_LOCAL } else { STB_GLOBAL };
                symbol.set_st_info(bind, STT_NOTYPE);
                symbol.st_value = value - base(section);
                symbol_ids.insert(name.to_owned(), symbol.id());
            };
            for (name, &(value, absolute)) in &self.symbols {
                add_symbol(&mut builder, name, value, absolute);
            }
            for name in self.relocs.iter().filter_map(|r| r.symbol.as_deref()) {
                if !symbol_ids.contains_key(name) {
                    // Undefined: `SHN_UNDEF`, value 0.
                    let symbol = builder.symbols.add();
                    symbol.name = name.as_bytes().to_vec().into();
                    symbol.set_st_info(STB_GLOBAL, STT_NOTYPE);
                    symbol_ids.insert(name.to_owned(), symbol.id());
                }
            }
            let mut tables: BTreeMap<usize, Vec<Relocation>> = BTreeMap::new();
            for reloc in &self.relocs {
                let index = match &reloc.section {
                    Some(name) => self.sections.iter().position(|s| &s.name == name).expect("section"),
                    None => self.containing_section(reloc.address, false).unwrap_or_else(|| {
                        panic!("relocation at 0x{:x} is outside every section; use reloc_in", reloc.address)
                    }),
                };
                tables.entry(index).or_default().push(Relocation {
                    r_offset: reloc.address.wrapping_sub(base(Some(index))),
                    symbol: reloc.symbol.as_deref().map(|name| symbol_ids[name]),
                    r_type: reloc.r_type,
                    r_addend: reloc.addend,
                });
            }
            for (index, relocations) in tables {
                let section = builder.sections.add();
                section.name = format!(".rela{}", self.sections[index].name).into_bytes().into();
                section.sh_type = SHT_RELA;
                section.sh_flags = SHF_INFO_LINK.into();
                section.sh_addralign = 8;
                section.sh_entsize = if self.is_64 { 24 } else { 12 };
                section.sh_link_section = Some(symtab);
                section.sh_info_section = ids[index];
                section.data = SectionData::Relocation(relocations);
            }
            let mut bytes = Vec::new();
            builder.write(&mut bytes).expect("the test ELF file can be written");
            dump(&bytes);
            bytes
        }

        /// The ELF file (an `ET_DYN` executable, like the real guest programs).
        pub fn build(&self) -> Vec<u8> {
            self.build_as(false)
        }
    }

    /// Writes `bytes` to `$PVM_LINKER_TEST_ELF_DIR/<test name>.<n>.elf` if the variable is set.
    fn dump(bytes: &[u8]) {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        if let Some(dir) = std::env::var_os("PVM_LINKER_TEST_ELF_DIR") {
            let test = std::thread::current().name().unwrap_or("elf").replace("::", "-");
            let n = COUNT.fetch_add(1, Ordering::Relaxed);
            let path = std::path::Path::new(&dir).join(format!("{test}.{n}.elf"));
            std::fs::write(&path, bytes).unwrap_or_else(|error| panic!("cannot write {}: {error}", path.display()));
        }
    }
}

// --- Running ------------------------------------------------------------------------

/// `pvm_linker::link` or `pvm_linker::link_unoptimized`.
type LinkFn = fn(&[u8], InstructionSet) -> pvm_linker::Result<Vec<u8>>;

/// An instruction encoder `load(rd, rs1, offset)`.
type Load = fn(u32, u32, i32) -> u32;

/// The instruction sets a file of this width links for.
fn isas(is_64: bool) -> &'static [InstructionSet] {
    if is_64 {
        &[InstructionSet::ReviveV1, InstructionSet::JamV1, InstructionSet::Latest64]
    } else {
        &[InstructionSet::Latest32]
    }
}

/// Calls `export` on a fresh instance of `blob`.
fn run(blob: &[u8], export: &str, args: &[u64]) -> Result<u64, CallError> {
    let module = Module::new(&Engine::default(), &ModuleConfig::default(), blob)
        .unwrap_or_else(|error| panic!("the blob does not load: {error:?}"));
    let mut instance = Linker::<()>::new().instantiate(&module).expect("the blob instantiates");
    instance.set_gas(i64::MAX);
    instance.call(&mut (), export, args)
}

/// Links `elf` for every instruction set of its width, with and without the optimiser,
/// and checks that each call `(export, args, expected)` returns `expected`.
fn check(elf: &Elf, calls: &[(&str, &[u64], u64)]) {
    let bytes = elf.build();
    let linkers: [(&str, LinkFn); 2] = [("optimised", pvm_linker::link), ("unoptimised", pvm_linker::link_unoptimized)];
    for &isa in isas(elf.is_64) {
        for (how, link) in linkers {
            let blob = link(&bytes, isa).unwrap_or_else(|error| panic!("linking for {isa} ({how}) failed: {error}"));
            for &(export, args, expected) in calls {
                let result = run(&blob, export, args)
                    .unwrap_or_else(|error| panic!("{export}({args:?}) for {isa} ({how}) failed: {error}"));
                assert_eq!(result, expected, "{export}({args:?}) for {isa} ({how})");
            }
        }
    }
}

/// Links `bytes` for `isa`, expecting an error (a panic fails the test with a clear message).
fn link_error_for(bytes: &[u8], isa: InstructionSet) -> LinkError {
    match std::panic::catch_unwind(|| pvm_linker::link(bytes, isa)) {
        Ok(Ok(_)) => panic!("the file linked; expected an error"),
        Ok(Err(error)) => error,
        Err(_) => panic!("the linker panicked instead of returning an error"),
    }
}

/// Links `elf` for the latest instruction set of its width, expecting an error.
fn link_error(elf: &Elf) -> LinkError {
    let isa = if elf.is_64 { InstructionSet::Latest64 } else { InstructionSet::Latest32 };
    link_error_for(&elf.build(), isa)
}

/// Checks that the error's message contains every one of `parts`.
fn assert_mentions(error: &LinkError, parts: &[&str]) {
    let message = error.to_string();
    for part in parts {
        assert!(message.contains(part), "the error `{message}` does not mention `{part}`");
    }
}

/// Appends an export `name` that loads `symbol` with `load` through `lui` + `load`
/// (`R_RISCV_HI20` + `R_RISCV_LO12_I`) and returns it.
fn export_load(elf: &mut Elf, name: &str, symbol: &str, load: Load) {
    elf.export(name);
    elf.insn_r(rv::lui(A0, 0), R_RISCV_HI20, symbol, 0);
    elf.insn_r(load(A0, A0, 0), R_RISCV_LO12_I, symbol, 0);
    elf.insn(rv::ret());
}

/// `lui rd, %hi(symbol); addi rd, rd, %lo(symbol)`.
fn load_address(elf: &mut Elf, rd: u32, symbol: &str) {
    elf.insn_r(rv::lui(rd, 0), R_RISCV_HI20, symbol, 0);
    elf.insn_r(rv::addi(rd, rd, 0), R_RISCV_LO12_I, symbol, 0);
}

fn words32(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// `add_100(a, b) = a + b + 100`, a function to call.
fn add_100(elf: &mut Elf) {
    elf.label("add_100");
    elf.insn(rv::add(A0, A0, A1));
    elf.insn(rv::addi(A0, A0, 100));
    elf.insn(rv::ret());
}

// --- The encoders ---------------------------------------------------------------------

/// The instruction encoders agree with `llvm-mc -triple=riscv64 -mattr=+c -show-encoding`.
#[test]
fn encoders_match_llvm_mc() {
    assert_eq!(rv::c_j(8), 0xa021);
    assert_eq!(rv::c_j(-2046), 0xb009);
    assert_eq!(rv::c_beqz(A0, 10), 0xc509);
    assert_eq!(rv::c_beqz(A0, -256), 0xd101);
    assert_eq!(rv::jal(RA, -12), 0xff5f_f0ef);
    assert_eq!(rv::beq(A0, A1, 12), 0x00b5_0663);
    assert_eq!(rv::bne(A0, ZERO, -8), 0xfe05_1ce3);
    assert_eq!(rv::sw(A0, A1, -5), 0xfea5_ada3);
    assert_eq!(rv::sd(RA, SP, 8), 0x0011_3423);
    assert_eq!(rv::lui(A0, 0x12345), 0x1234_5537);
    assert_eq!(rv::auipc(T1, 0xfffff), 0xffff_f317);
    assert_eq!(rv::jalr(ZERO, T1, -4), 0xffc3_0067);
    assert_eq!(rv::jalr(RA, T0, 0), 0x0002_80e7);
    assert_eq!(rv::ld(T0, T0, 16), 0x0102_b283);
    assert_eq!(rv::addi(A0, A0, -1), 0xfff5_0513);
    assert_eq!(rv::lw(A0, A0, -4), 0xffc5_2503);
    assert_eq!(rv::lbu(A0, A0, 3), 0x0035_4503);
    assert_eq!(rv::lhu(A0, A0, 2), 0x0025_5503);
    assert_eq!(rv::slli(A2, A0, 3), 0x0035_1613);
    assert_eq!(rv::add(A2, A2, A1), 0x00b6_0633);
    assert_eq!(rv::sub(A1, A1, A2), 0x40c5_85b3);
    assert_eq!((rv::hi20(0x1234_5fff), rv::lo12(0x1234_5fff)), (0x12346, -1));
}

// --- Absolute addresses -----------------------------------------------------------------

/// `HI20` + `LO12_I`: `lui` + load, one `lui` for two loads, and `lui` + `addi` read `.rodata`.
#[test]
fn hi20_lo12_i_read_rodata() {
    for is_64 in [false, true] {
        let mut elf = Elf::new(is_64);
        elf.object(RODATA, "table", 4, &words32(&[11, 22, 33]));
        elf.export("load");
        elf.insn_r(rv::lui(A0, 0), R_RISCV_HI20, "table", 8);
        elf.insn_r(rv::lw(A0, A0, 0), R_RISCV_LO12_I, "table", 8);
        elf.insn(rv::ret());
        elf.export("load_two");
        elf.insn_r(rv::lui(A1, 0), R_RISCV_HI20, "table", 0);
        elf.insn_r(rv::lw(A0, A1, 0), R_RISCV_LO12_I, "table", 0);
        elf.insn_r(rv::lw(A1, A1, 0), R_RISCV_LO12_I, "table", 4);
        elf.insn(rv::add(A0, A0, A1));
        elf.insn(rv::ret());
        elf.export("address");
        load_address(&mut elf, A0, "table");
        elf.insn(rv::lw(A0, A0, 4));
        elf.insn(rv::ret());
        check(&elf, &[("load", &[], 33), ("load_two", &[], 33), ("address", &[], 22)]);
    }
}

/// `HI20` + `LO12_S`: `lui` + store (of a register, of `zero`) write `.data`; read back another way.
#[test]
fn hi20_lo12_s_write_data() {
    for is_64 in [false, true] {
        let mut elf = Elf::new(is_64);
        elf.object(DATA, "var", 4, &words32(&[7]));
        elf.export("store");
        elf.insn_r(rv::lui(A1, 0), R_RISCV_HI20, "var", 0);
        elf.insn_r(rv::sw(A0, A1, 0), R_RISCV_LO12_S, "var", 0);
        load_address(&mut elf, A2, "var");
        elf.insn(rv::lw(A0, A2, 0));
        elf.insn(rv::ret());
        elf.export("clear");
        elf.insn_r(rv::lui(A1, 0), R_RISCV_HI20, "var", 0);
        elf.insn_r(rv::sw(ZERO, A1, 0), R_RISCV_LO12_S, "var", 0);
        load_address(&mut elf, A2, "var");
        elf.insn(rv::lw(A0, A2, 0));
        elf.insn(rv::ret());
        export_load(&mut elf, "load", "var", rv::lw);
        check(&elf, &[("load", &[], 7), ("store", &[42], 42), ("clear", &[], 0)]);
    }
}

/// `HI20` + `LO12_I` against a function: the address in a register is callable with `jalr`.
#[test]
fn hi20_lo12_i_function_address() {
    for is_64 in [false, true] {
        let mut elf = Elf::new(is_64);
        add_100(&mut elf);
        elf.export("call");
        elf.push_ra();
        load_address(&mut elf, T0, "add_100");
        elf.insn(rv::jalr(RA, T0, 0));
        elf.pop_ra();
        elf.insn(rv::ret());
        check(&elf, &[("call", &[1, 2], 103)]);
    }
}

// --- PC-relative addresses --------------------------------------------------------------

/// `PCREL_HI20` + `PCREL_LO12_I`: `auipc` + load, `auipc` + `addi` of a data and of a code address.
#[test]
fn pcrel_hi20_lo12_i() {
    for is_64 in [false, true] {
        let mut elf = Elf::new(is_64);
        elf.object(RODATA, "table", 4, &words32(&[11, 22, 33]));
        add_100(&mut elf);
        elf.export("load");
        elf.pcrel(R_RISCV_PCREL_HI20, A0, "table", 4, R_RISCV_PCREL_LO12_I, rv::lw(A0, A0, 0));
        elf.insn(rv::ret());
        elf.export("address");
        elf.pcrel(R_RISCV_PCREL_HI20, A0, "table", 0, R_RISCV_PCREL_LO12_I, rv::addi(A0, A0, 0));
        elf.insn(rv::lw(A0, A0, 8));
        elf.insn(rv::ret());
        elf.export("call");
        elf.push_ra();
        elf.pcrel(R_RISCV_PCREL_HI20, T0, "add_100", 0, R_RISCV_PCREL_LO12_I, rv::addi(T0, T0, 0));
        elf.insn(rv::jalr(RA, T0, 0));
        elf.pop_ra();
        elf.insn(rv::ret());
        check(&elf, &[("load", &[], 22), ("address", &[], 33), ("call", &[1, 2], 103)]);
    }
}

/// `PCREL_LO12_S`: one `auipc` shared by a load and a store, as LLVM emits for `*var += x`.
#[test]
fn pcrel_lo12_s_shared_auipc() {
    for is_64 in [false, true] {
        let mut elf = Elf::new(is_64);
        elf.object(DATA, "var", 4, &words32(&[7]));
        elf.export("add_to_var");
        let hi = elf.fresh_label();
        elf.insn_r(rv::auipc(A1, 0), R_RISCV_PCREL_HI20, "var", 0);
        elf.insn_r(rv::lw(A2, A1, 0), R_RISCV_PCREL_LO12_I, &hi, 0);
        elf.insn(rv::add(A2, A2, A0));
        elf.insn_r(rv::sw(A2, A1, 0), R_RISCV_PCREL_LO12_S, &hi, 0);
        load_address(&mut elf, A0, "var");
        elf.insn(rv::lw(A0, A0, 0));
        elf.insn(rv::ret());
        check(&elf, &[("add_to_var", &[5], 12)]);
    }
}

/// `GOT_HI20` + `PCREL_LO12_I`: the GOT load gives the symbol's address (of data, of a function).
#[test]
fn got_hi20() {
    for is_64 in [false, true] {
        let mut elf = Elf::new(is_64);
        elf.object(DATA, "value", 4, &words32(&[77]));
        add_100(&mut elf);
        elf.export("load");
        let load = elf.load_pointer(A0, A0, 0);
        elf.pcrel(R_RISCV_GOT_HI20, A0, "value", 0, R_RISCV_PCREL_LO12_I, load);
        elf.insn(rv::lw(A0, A0, 0));
        elf.insn(rv::ret());
        elf.export("call");
        elf.push_ra();
        let load = elf.load_pointer(T0, T0, 0);
        elf.pcrel(R_RISCV_GOT_HI20, T0, "add_100", 0, R_RISCV_PCREL_LO12_I, load);
        elf.insn(rv::jalr(RA, T0, 0));
        elf.pop_ra();
        elf.insn(rv::ret());
        check(&elf, &[("load", &[], 77), ("call", &[1, 2], 103)]);
    }
}

// --- Calls, jumps and branches ------------------------------------------------------------

/// `auipc` + `jalr` calls with `r_type`: a call that returns, and a tail call through `t1`.
fn check_call(r_type: u32) {
    for is_64 in [false, true] {
        let mut elf = Elf::new(is_64);
        add_100(&mut elf);
        elf.export("call");
        elf.push_ra();
        elf.call(r_type, RA, RA, "add_100");
        elf.insn(rv::addi(A0, A0, 1));
        elf.pop_ra();
        elf.insn(rv::ret());
        elf.export("tail");
        elf.call(r_type, T1, ZERO, "add_100");
        check(&elf, &[("call", &[1, 2], 104), ("tail", &[1, 2], 103)]);
    }
}

/// `R_RISCV_CALL`: `auipc ra` + `jalr ra` calls, and `auipc t1` + `jr t1` tail calls.
#[test]
fn call() {
    check_call(R_RISCV_CALL);
}

/// `R_RISCV_CALL_PLT` (what LLVM emits for calls): as `R_RISCV_CALL`.
#[test]
fn call_plt() {
    check_call(R_RISCV_CALL_PLT);
}

/// `R_RISCV_JAL`: `jal ra` (a call, backwards), `j` (a tail call) and a forward `j`.
#[test]
fn jal() {
    for is_64 in [false, true] {
        let mut elf = Elf::new(is_64);
        add_100(&mut elf);
        elf.export("call");
        elf.push_ra();
        elf.insn_r(rv::jal(RA, 0), R_RISCV_JAL, "add_100", 0);
        elf.insn(rv::addi(A0, A0, 1));
        elf.pop_ra();
        elf.insn(rv::ret());
        elf.export("tail");
        elf.insn_r(rv::jal(ZERO, 0), R_RISCV_JAL, "add_100", 0);
        elf.export("skip");
        elf.insn_r(rv::jal(ZERO, 0), R_RISCV_JAL, ".Lskip", 0);
        elf.insn(rv::li(A0, 1));
        elf.insn(rv::ret());
        elf.label(".Lskip");
        elf.insn(rv::li(A0, 2));
        elf.insn(rv::ret());
        check(&elf, &[("call", &[1, 2], 104), ("tail", &[1, 2], 103), ("skip", &[], 2)]);
    }
}

/// `R_RISCV_BRANCH`: a forward `beq` and a backward `bne` (a loop).
#[test]
fn branch() {
    for is_64 in [false, true] {
        let mut elf = Elf::new(is_64);
        elf.export("equal");
        elf.insn_r(rv::beq(A0, A1, 0), R_RISCV_BRANCH, ".Lequal", 0);
        elf.insn(rv::li(A0, 2));
        elf.insn(rv::ret());
        elf.label(".Lequal");
        elf.insn(rv::li(A0, 1));
        elf.insn(rv::ret());
        elf.export("sum");
        elf.insn(rv::li(A1, 0));
        elf.label(".Lloop");
        elf.insn(rv::add(A1, A1, A0));
        elf.insn(rv::addi(A0, A0, -1));
        elf.insn_r(rv::bne(A0, ZERO, 0), R_RISCV_BRANCH, ".Lloop", 0);
        elf.insn(rv::addi(A0, A1, 0));
        elf.insn(rv::ret());
        check(&elf, &[("equal", &[3, 3], 1), ("equal", &[3, 4], 2), ("sum", &[4], 10)]);
    }
}

/// `R_RISCV_RVC_BRANCH`: a forward `c.beqz`.
#[test]
fn rvc_branch() {
    for is_64 in [false, true] {
        let mut elf = Elf::new(is_64);
        elf.export("is_zero");
        elf.insn16_r(rv::c_beqz(A0, 0), R_RISCV_RVC_BRANCH, ".Lzero");
        elf.insn(rv::li(A0, 2));
        elf.insn(rv::ret());
        elf.label(".Lzero");
        elf.insn(rv::li(A0, 1));
        elf.insn(rv::ret());
        check(&elf, &[("is_zero", &[0], 1), ("is_zero", &[5], 2)]);
    }
}

/// `R_RISCV_RVC_JUMP`: a forward `c.j`, and a backward one closing a loop.
#[test]
fn rvc_jump() {
    for is_64 in [false, true] {
        let mut elf = Elf::new(is_64);
        elf.export("skip");
        elf.insn16_r(rv::c_j(0), R_RISCV_RVC_JUMP, ".Lover");
        elf.insn(rv::li(A0, 9));
        elf.insn(rv::ret());
        elf.label(".Lover");
        elf.insn(rv::addi(A0, A0, 1));
        elf.insn(rv::ret());
        elf.export("sum");
        elf.insn(rv::li(A1, 0));
        elf.label(".Lloop");
        elf.insn(rv::add(A1, A1, A0));
        elf.insn(rv::addi(A0, A0, -1));
        elf.insn16_r(rv::c_beqz(A0, 0), R_RISCV_RVC_BRANCH, ".Ldone");
        elf.insn16_r(rv::c_j(0), R_RISCV_RVC_JUMP, ".Lloop");
        elf.label(".Ldone");
        elf.insn(rv::addi(A0, A1, 0));
        elf.insn(rv::ret());
        check(&elf, &[("skip", &[5], 6), ("sum", &[4], 10)]);
    }
}

// --- Pointers in data -------------------------------------------------------------------

/// A function pointer in `.data` (called through the jump table) and a pointer in
/// `.rodata` to `.data` (with an addend), as `R_RISCV_64` or `R_RISCV_32`.
fn check_pointers(is_64: bool) {
    let mut elf = Elf::new(is_64);
    elf.object(DATA, "values", 4, &words32(&[5, 6, 7]));
    elf.label("plus_five");
    elf.insn(rv::addi(A0, A0, 5));
    elf.insn(rv::ret());
    elf.pointer(DATA, "handler", "plus_five", 0);
    elf.pointer(RODATA, "third", "values", 8);
    elf.export("call_handler");
    elf.push_ra();
    elf.insn_r(rv::lui(T0, 0), R_RISCV_HI20, "handler", 0);
    let load = elf.load_pointer(T0, T0, 0);
    elf.insn_r(load, R_RISCV_LO12_I, "handler", 0);
    elf.insn(rv::jalr(RA, T0, 0));
    elf.pop_ra();
    elf.insn(rv::ret());
    elf.export("load_third");
    elf.insn_r(rv::lui(A0, 0), R_RISCV_HI20, "third", 0);
    let load = elf.load_pointer(A0, A0, 0);
    elf.insn_r(load, R_RISCV_LO12_I, "third", 0);
    elf.insn(rv::lw(A0, A0, 0));
    elf.insn(rv::ret());
    check(&elf, &[("call_handler", &[10], 15), ("load_third", &[], 7)]);
}

/// `R_RISCV_64`: a function pointer and a data pointer (64-bit).
#[test]
fn r64_pointers() {
    check_pointers(true);
}

/// `R_RISCV_32`: a function pointer and a data pointer (32-bit).
#[test]
fn r32_pointers() {
    check_pointers(false);
}

// --- Differences ----------------------------------------------------------------------------

/// A `switch` through a table of `case - table` words (`add`/`sub` pairs of `r_types`,
/// `entry` bytes each), as LLVM emits for jump tables.
fn check_relative_jump_table(is_64: bool, entry: usize, (add, sub): (u32, u32)) {
    let mut elf = Elf::new(is_64);
    let table = elf.object(RODATA, "table", entry, &vec![0; 3 * entry]);
    for case in 0..3 {
        let site = table + (case * entry) as u64;
        elf.reloc(site, add, Some(&format!(".Lcase{case}")), 0);
        elf.reloc(site, sub, Some("table"), 0);
    }
    elf.export("switch");
    load_address(&mut elf, A1, "table");
    elf.insn(rv::slli(A2, A0, entry.trailing_zeros() as i32));
    elf.insn(rv::add(A2, A2, A1));
    elf.insn(if entry == 8 { rv::ld(A2, A2, 0) } else { rv::lw(A2, A2, 0) });
    elf.insn(rv::add(A2, A2, A1));
    elf.insn(rv::jalr(ZERO, A2, 0));
    for (case, result) in [10, 20, 30].into_iter().enumerate() {
        elf.label(&format!(".Lcase{case}"));
        elf.insn(rv::li(A0, result));
        elf.insn(rv::ret());
    }
    check(&elf, &[("switch", &[0], 10), ("switch", &[1], 20), ("switch", &[2], 30)]);
}

/// `R_RISCV_ADD32` + `R_RISCV_SUB32`: a relative jump table of code-address differences.
#[test]
fn add32_sub32_jump_table() {
    check_relative_jump_table(false, 4, (R_RISCV_ADD32, R_RISCV_SUB32));
    check_relative_jump_table(true, 4, (R_RISCV_ADD32, R_RISCV_SUB32));
}

/// `R_RISCV_ADD64` + `R_RISCV_SUB64`: a relative jump table of 8-byte entries.
#[test]
fn add64_sub64_jump_table() {
    check_relative_jump_table(true, 8, (R_RISCV_ADD64, R_RISCV_SUB64));
}

/// `R_RISCV_ADD/SUB 8/16/32/64`: differences of two `.rodata` symbols, both ways round.
#[test]
fn add_sub_data_differences() {
    let mut elf = Elf::new(true);
    elf.object(RODATA, "first", 8, &[0; 8]);
    let kinds: [(&str, usize, u32, u32, Load); 4] = [
        ("8", 1, R_RISCV_ADD8, R_RISCV_SUB8, rv::lbu),
        ("16", 2, R_RISCV_ADD16, R_RISCV_SUB16, rv::lhu),
        ("32", 4, R_RISCV_ADD32, R_RISCV_SUB32, rv::lw),
        ("64", 8, R_RISCV_ADD64, R_RISCV_SUB64, rv::ld),
    ];
    for (bits, size, add, sub, _) in kinds {
        let forward = elf.object(RODATA, &format!("last_minus_first{bits}"), size, &vec![0; size]);
        elf.reloc(forward, add, Some("last"), 0);
        elf.reloc(forward, sub, Some("first"), 0);
        let backward = elf.object(RODATA, &format!("first_minus_last{bits}"), size, &vec![0; size]);
        elf.reloc(backward, add, Some("first"), 0);
        elf.reloc(backward, sub, Some("last"), 0);
    }
    elf.object(RODATA, "last", 0x40, &[0; 8]);
    let distance = elf.address("last") - elf.address("first");
    for (bits, _, _, _, load) in kinds {
        export_load(&mut elf, &format!("forward{bits}"), &format!("last_minus_first{bits}"), load);
        export_load(&mut elf, &format!("backward{bits}"), &format!("first_minus_last{bits}"), load);
    }
    let negative = distance.wrapping_neg();
    check(
        &elf,
        &[
            ("forward8", &[], distance),
            ("forward16", &[], distance),
            ("forward32", &[], distance),
            ("forward64", &[], distance),
            ("backward8", &[], negative & 0xff),
            ("backward16", &[], negative & 0xffff),
            ("backward32", &[], negative),
            ("backward64", &[], negative),
        ],
    );
}

/// `ADD32/64` + `SUB32/64` from `.rodata` to `.data`: the difference of VM (not ELF) addresses.
#[test]
fn add_sub_across_sections() {
    // The code computes `&var - &first` itself; the stored difference must equal it.
    let mut elf = Elf::new(true);
    elf.object(RODATA, "first", 8, &[0; 8]);
    elf.object(DATA, "var", 8, &[0; 8]);
    for (name, size, add, sub) in
        [("diff32", 4, R_RISCV_ADD32, R_RISCV_SUB32), ("diff64", 8, R_RISCV_ADD64, R_RISCV_SUB64)]
    {
        let site = elf.object(RODATA, name, size, &vec![0; size]);
        elf.reloc(site, add, Some("var"), 0);
        elf.reloc(site, sub, Some("first"), 0);
    }
    for (name, load) in [("diff32", rv::lw as Load), ("diff64", rv::ld)] {
        // `diff - (&var - &first)`: zero.
        elf.export(&format!("check_{name}"));
        elf.insn_r(rv::lui(A0, 0), R_RISCV_HI20, name, 0);
        elf.insn_r(load(A0, A0, 0), R_RISCV_LO12_I, name, 0);
        load_address(&mut elf, A1, "var");
        load_address(&mut elf, A2, "first");
        elf.insn(rv::sub(A1, A1, A2));
        elf.insn(rv::sub(A0, A0, A1));
        elf.insn(rv::ret());
    }
    export_load(&mut elf, "load_diff32", "diff32", rv::lw);
    check(&elf, &[("check_diff32", &[], 0), ("check_diff64", &[], 0)]);
    let blob = pvm_linker::link(&elf.build(), InstructionSet::Latest64).unwrap();
    let elf_distance = elf.address("var") - elf.address("first");
    assert_ne!(run(&blob, "load_diff32", &[]).unwrap(), elf_distance, "the ELF distance was kept");
}

/// `SET6` + `SUB6` (top two bits kept), `SET8` + `SUB8`, `SET16` + `SUB16`: `.rodata` differences.
#[test]
fn set_sub_pairs() {
    let mut elf = Elf::new(true);
    elf.object(RODATA, "first", 1, &[0]);
    let kinds = [("6", 1, R_RISCV_SET6, R_RISCV_SUB6), ("8", 1, R_RISCV_SET8, R_RISCV_SUB8)];
    for (bits, size, set, sub) in kinds.into_iter().chain([("16", 2, R_RISCV_SET16, R_RISCV_SUB16)]) {
        // `DW_CFA_advance_loc` style: the opcode lives in the top two bits of the byte.
        let site = elf.object(RODATA, &format!("delta{bits}"), size, &[0x40, 0][..size]);
        elf.reloc(site, set, Some("last"), 0);
        elf.reloc(site, sub, Some("first"), 0);
    }
    let last = elf.address("first") + 42;
    let padding = (last - elf.address("delta16") - 2) as usize;
    elf.append(RODATA, 1, &vec![0; padding]);
    elf.object(RODATA, "last", 1, &[0]);
    export_load(&mut elf, "load_delta6", "delta6", rv::lbu);
    export_load(&mut elf, "load_delta8", "delta8", rv::lbu);
    export_load(&mut elf, "load_delta16", "delta16", rv::lhu);
    check(&elf, &[("load_delta6", &[], 0x40 | 42), ("load_delta8", &[], 42), ("load_delta16", &[], 42)]);
}

// --- Relocations the linker skips -------------------------------------------------------------

/// `SET/SUB_ULEB128` in a debug section and `SET6`/`ADD32`/`32_PCREL` in `.eh_frame` are ignored.
#[test]
fn uleb128_and_unwind_relocations_are_ignored() {
    let mut elf = Elf::new(true);
    elf.add_section(".debug_rnglists", 0, 0);
    elf.add_section(".eh_frame", 0x5000, SHF_ALLOC);
    elf.export("seven");
    elf.insn(rv::li(A0, 7));
    let end = elf.insn(rv::ret()) + 4;
    elf.define(".Lend", end);
    elf.append(".debug_rnglists", 1, &[0; 8]);
    elf.reloc_in(".debug_rnglists", 1, R_RISCV_SET_ULEB128, Some(".Lend"), 0);
    elf.reloc_in(".debug_rnglists", 1, R_RISCV_SUB_ULEB128, Some("seven"), 0);
    let fde = elf.append(".eh_frame", 4, &[0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    elf.reloc(fde, R_RISCV_SET6, Some(".Lend"), 0);
    elf.reloc(fde, R_RISCV_SUB6, Some("seven"), 0);
    elf.reloc(fde + 4, R_RISCV_ADD32, Some(".Lend"), 0);
    elf.reloc(fde + 4, R_RISCV_SUB32, Some("seven"), 0);
    elf.reloc(fde + 8, R_RISCV_32_PCREL, Some("seven"), 0);
    check(&elf, &[("seven", &[], 7)]);
}

/// `RELAX` (with `CALL_PLT`, `HI20`, `LO12_I`), `ALIGN` (on padding), `NONE` (in data) change nothing.
#[test]
fn relax_align_none_are_ignored() {
    let mut elf = Elf::new(true);
    elf.object(RODATA, "value", 4, &words32(&[33]));
    let padding = elf.insn16(rv::c_nop());
    elf.reloc(padding, R_RISCV_ALIGN, None, 2);
    add_100(&mut elf);
    elf.export("call");
    elf.push_ra();
    let site = elf.here();
    elf.call(R_RISCV_CALL_PLT, RA, RA, "add_100");
    elf.reloc(site, R_RISCV_RELAX, None, 0);
    elf.pop_ra();
    elf.insn(rv::ret());
    elf.export("load");
    let hi = elf.insn_r(rv::lui(A0, 0), R_RISCV_HI20, "value", 0);
    elf.reloc(hi, R_RISCV_RELAX, None, 0);
    let lo = elf.insn_r(rv::lw(A0, A0, 0), R_RISCV_LO12_I, "value", 0);
    elf.reloc(lo, R_RISCV_RELAX, None, 0);
    elf.insn(rv::ret());
    elf.reloc(elf.address("value"), R_RISCV_NONE, None, 0);
    check(&elf, &[("call", &[1, 2], 103), ("load", &[], 33)]);
}

// --- Errors -------------------------------------------------------------------------------

/// A relocation in code against an undefined symbol names the symbol and the address.
#[test]
fn undefined_symbol_in_code() {
    let mut elf = Elf::new(true);
    elf.export("f");
    let site = elf.insn_r(rv::lui(A0, 0), R_RISCV_HI20, "missing_value", 0);
    elf.insn_r(rv::lw(A0, A0, 0), R_RISCV_LO12_I, "missing_value", 0);
    elf.insn(rv::ret());
    let error = link_error(&elf);
    assert!(matches!(error, LinkError::Relocation { .. }), "{error:?}");
    assert_mentions(&error, &["missing_value", &format!("0x{site:x}"), ".text"]);
}

/// A pointer in data to an undefined symbol names the symbol and the address.
#[test]
fn undefined_symbol_in_data() {
    let mut elf = Elf::new(true);
    let site = elf.pointer(DATA, "handler", "missing_function", 0);
    export_load(&mut elf, "f", "handler", rv::ld);
    let error = link_error(&elf);
    assert!(matches!(error, LinkError::Relocation { .. }), "{error:?}");
    assert_mentions(&error, &["missing_function", &format!("0x{site:x}"), ".data"]);
}

/// An unsupported relocation type in code (`TPREL_HI20`, for TLS) names the type and the address.
#[test]
fn unsupported_relocation_in_code() {
    let mut elf = Elf::new(true);
    elf.object(DATA, "tls", 4, &[0; 4]);
    elf.export("f");
    let site = elf.insn_r(rv::lui(A0, 0), R_RISCV_TPREL_HI20, "tls", 0);
    elf.insn(rv::ret());
    let error = link_error(&elf);
    assert!(matches!(error, LinkError::Relocation { .. }), "{error:?}");
    assert_mentions(&error, &[&format!("0x{site:x}"), &R_RISCV_TPREL_HI20.to_string()]);
}

/// An unsupported relocation type in data (`R_RISCV_32_PCREL`) names the type and the address.
#[test]
fn unsupported_relocation_in_data() {
    let mut elf = Elf::new(true);
    elf.object(DATA, "var", 4, &[0; 4]);
    let site = elf.object(RODATA, "offset", 4, &[0; 4]);
    elf.reloc(site, R_RISCV_32_PCREL, Some("var"), 0);
    export_load(&mut elf, "f", "offset", rv::lw);
    let error = link_error(&elf);
    assert!(matches!(error, LinkError::Relocation { .. }), "{error:?}");
    assert_mentions(&error, &[&format!("0x{site:x}"), &R_RISCV_32_PCREL.to_string(), ".rodata"]);
}

/// `SET_ULEB128` + `SUB_ULEB128` in loaded data (not supported yet) give an error naming the address.
#[test]
fn uleb128_in_loaded_data() {
    let mut elf = Elf::new(true);
    let first = elf.object(RODATA, "first", 1, &[0]);
    let site = elf.object(RODATA, "length", 1, &[0]);
    elf.define("last", first + 0x20);
    elf.reloc(site, R_RISCV_SET_ULEB128, Some("last"), 0);
    elf.reloc(site, R_RISCV_SUB_ULEB128, Some("first"), 0);
    export_load(&mut elf, "f", "length", rv::lbu);
    let error = link_error(&elf);
    assert!(matches!(error, LinkError::Relocation { .. }), "{error:?}");
    assert_mentions(&error, &[&format!("0x{site:x}"), &R_RISCV_SET_ULEB128.to_string()]);
}

/// An `R_RISCV_ADD32` without its `R_RISCV_SUB32` names the address.
#[test]
fn unpaired_add32() {
    let mut elf = Elf::new(true);
    elf.object(DATA, "var", 4, &[0; 4]);
    let site = elf.object(RODATA, "half_difference", 4, &[0; 4]);
    elf.reloc(site, R_RISCV_ADD32, Some("var"), 0);
    export_load(&mut elf, "f", "half_difference", rv::lw);
    let error = link_error(&elf);
    assert!(matches!(error, LinkError::Relocation { .. }), "{error:?}");
    assert_mentions(&error, &[&format!("0x{site:x}")]);
}

/// A `PCREL_LO12_I` whose label is not on a `PCREL_HI20` names the label's address.
#[test]
fn pcrel_lo12_without_hi20() {
    let mut elf = Elf::new(true);
    elf.object(RODATA, "value", 4, &[0; 4]);
    elf.export("f");
    let hi = elf.fresh_label();
    let not_auipc = elf.insn(rv::addi(A0, ZERO, 0));
    elf.insn_r(rv::lw(A0, A0, 0), R_RISCV_PCREL_LO12_I, &hi, 0);
    elf.insn(rv::ret());
    let error = link_error(&elf);
    assert!(matches!(error, LinkError::Relocation { .. }), "{error:?}");
    assert_mentions(&error, &[&format!("0x{not_auipc:x}"), "PCREL_HI20"]);
}

/// `HI20` not on a `lui`, and `CALL` not on `auipc` + `jalr`, give errors naming the address.
#[test]
fn relocation_on_the_wrong_instruction() {
    let mut elf = Elf::new(true);
    elf.object(RODATA, "value", 4, &[0; 4]);
    elf.export("f");
    let site = elf.insn_r(rv::addi(A0, A0, 0), R_RISCV_HI20, "value", 0);
    elf.insn(rv::ret());
    let error = link_error(&elf);
    assert!(matches!(error, LinkError::Relocation { .. }), "{error:?}");
    assert_mentions(&error, &[&format!("0x{site:x}"), "lui"]);

    let mut elf = Elf::new(true);
    add_100(&mut elf);
    elf.export("f");
    let site = elf.insn_r(rv::lui(RA, 0), R_RISCV_CALL, "add_100", 0);
    elf.insn(rv::jalr(RA, RA, 0));
    elf.insn(rv::ret());
    let error = link_error(&elf);
    assert!(matches!(error, LinkError::Relocation { .. }), "{error:?}");
    assert_mentions(&error, &[&format!("0x{site:x}"), "auipc"]);
}

/// A call whose `jalr` would lie past the end of `.text` names an address.
#[test]
fn call_at_the_end_of_text() {
    let mut elf = Elf::new(true);
    add_100(&mut elf);
    elf.export("f");
    let site = elf.insn_r(rv::auipc(RA, 0), R_RISCV_CALL, "add_100", 0);
    let error = link_error(&elf);
    assert_mentions(&error, &[&format!("0x{:x}", site + 4)]);
}

/// A code relocation in the middle of an instruction (a `lw`) names the address.
#[test]
fn relocation_in_the_middle_of_an_instruction() {
    let mut elf = Elf::new(true);
    elf.object(RODATA, "value", 4, &[0; 4]);
    elf.export("f");
    elf.insn_r(rv::lui(A0, 0), R_RISCV_HI20, "value", 0);
    let site = elf.insn(rv::lw(A0, A0, 0)) + 2;
    elf.reloc_unapplied(site, R_RISCV_LO12_I, "value");
    elf.insn(rv::ret());
    let error = link_error(&elf);
    assert_mentions(&error, &[&format!("0x{site:x}")]);
}

/// A call to a code address that is not the start of an instruction names the address.
#[test]
fn call_into_the_middle_of_an_instruction() {
    let mut elf = Elf::new(true);
    add_100(&mut elf);
    elf.export("f");
    elf.push_ra();
    elf.insn_r(rv::auipc(RA, 0), R_RISCV_CALL, "add_100", 2);
    elf.insn(rv::jalr(RA, RA, 0));
    elf.pop_ra();
    elf.insn(rv::ret());
    let error = link_error(&elf);
    assert!(matches!(error, LinkError::BadCodeAddress(_)), "{error:?}");
    assert_mentions(&error, &[&format!("0x{:x}", elf.address("add_100") + 2)]);
}

/// Pointers (in data, in code) to an address outside every section name it and where it is used.
#[test]
fn pointer_to_nowhere() {
    let mut elf = Elf::new(true);
    elf.define_absolute("nowhere", 0x7777_0000);
    let site = elf.pointer(DATA, "dangling", "nowhere", 0);
    export_load(&mut elf, "f", "dangling", rv::ld);
    let error = link_error(&elf);
    assert!(matches!(error, LinkError::DanglingAddress { .. }), "{error:?}");
    assert_mentions(&error, &["0x77770000", &format!("0x{site:x}")]);

    let mut elf = Elf::new(true);
    elf.define_absolute("nowhere", 0x7777_0000);
    export_load(&mut elf, "f", "nowhere", rv::ld);
    let error = link_error(&elf);
    assert!(matches!(error, LinkError::DanglingAddress { .. }), "{error:?}");
    assert_mentions(&error, &["0x77770000"]);
}

/// A relocation (in `.rela.text`) whose offset lies outside every section names the offset.
#[test]
fn relocation_outside_every_section() {
    let mut elf = Elf::new(true);
    elf.object(RODATA, "value", 4, &[0; 4]);
    export_load(&mut elf, "f", "value", rv::lw);
    elf.reloc_in(TEXT, 0x9000, R_RISCV_HI20, Some("value"), 0);
    let error = link_error(&elf);
    assert_mentions(&error, &["0x9000"]);
}

/// An entry of `.rela.text` whose offset lies in another section (`.data`) is not applied
/// there: relocations belong to the section their table names (`sh_info`).
#[test]
fn relocation_in_another_sections_table() {
    // `f` returns `*pointer`, where `pointer` holds the address of `value`; `table` is the
    // section whose `.rela` table gets the pointer's relocation.
    let program = |table: &str| {
        let mut elf = Elf::new(true);
        elf.object(RODATA, "value", 4, &words32(&[5]));
        let site = elf.object(DATA, "pointer", 8, &[0; 8]);
        elf.reloc_in(table, site, R_RISCV_64, Some("value"), 0);
        elf.export("f");
        elf.insn_r(rv::lui(A0, 0), R_RISCV_HI20, "pointer", 0);
        elf.insn_r(rv::ld(A0, A0, 0), R_RISCV_LO12_I, "pointer", 0);
        elf.insn(rv::lw(A0, A0, 0));
        elf.insn(rv::ret());
        (elf, site)
    };
    check(&program(DATA).0, &[("f", &[], 5)]);
    let (elf, site) = program(TEXT);
    let error = link_error(&elf);
    assert!(matches!(error, LinkError::Relocation { .. }), "{error:?}");
    assert_mentions(&error, &[&format!("0x{site:x}"), "'.text'"]);
}

/// A data relocation reaching past the end of its section (`R_RISCV_64` on 4 bytes) names the address.
#[test]
fn data_relocation_past_the_end_of_its_section() {
    let mut elf = Elf::new(true);
    elf.object(RODATA, "value", 4, &[0; 4]);
    let site = elf.object(DATA, "short", 4, &[0; 4]);
    elf.reloc(site, R_RISCV_64, Some("value"), 0);
    export_load(&mut elf, "f", "short", rv::lw);
    let error = link_error(&elf);
    assert_mentions(&error, &[&format!("0x{site:x}")]);
}

/// A relocation whose symbol index is past the end of the symbol table is an ELF error.
#[test]
fn bad_symbol_index() {
    use object::read::elf::{ElfFile64, SectionHeader};
    use object::Object;
    let mut elf = Elf::new(true);
    elf.object(RODATA, "value", 4, &[0; 4]);
    export_load(&mut elf, "f", "value", rv::lw);
    let mut bytes = elf.build();
    let file = ElfFile64::<object::Endianness>::parse(&*bytes).unwrap();
    let rela = file.section_by_name(".rela.text").unwrap();
    let (offset, _) = rela.elf_section_header().file_range(file.endian()).unwrap();
    // `r_info` of the first entry: symbol 0xffff, type HI20.
    let r_info = (0xffffu64 << 32) | u64::from(R_RISCV_HI20);
    bytes[offset as usize + 8..offset as usize + 16].copy_from_slice(&r_info.to_le_bytes());
    let error = link_error_for(&bytes, InstructionSet::Latest64);
    let LinkError::Elf(cause) = &error else { panic!("expected an ELF error, got {error:?}") };
    assert!(cause.to_string().contains("symbol index"), "{cause}");
}

/// The message of an ELF parsing error says what is wrong with the file, once: the
/// cause is not also a `source()`, which callers printing the chain (anyhow's `{:#}`)
/// would print a second time.
#[test]
fn elf_error_message_has_the_cause() {
    let mut elf = Elf::new(true);
    elf.object(RODATA, "value", 4, &[0; 4]);
    export_load(&mut elf, "f", "value", rv::lw);
    let bytes = elf.build();
    let error = link_error_for(&bytes[..bytes.len() - 1], InstructionSet::Latest64);
    let LinkError::Elf(cause) = &error else { panic!("expected an ELF error, got {error:?}") };
    let cause = cause.to_string();
    assert_mentions(&error, &[&cause]);
    assert!(std::error::Error::source(&error).is_none(), "the cause would be printed twice");
}

/// Every truncation of a valid file is an ELF error, never a panic.
#[test]
fn truncated_elf() {
    let mut elf = Elf::new(true);
    elf.object(RODATA, "value", 4, &words32(&[5]));
    export_load(&mut elf, "f", "value", rv::lw);
    let bytes = elf.build();
    pvm_linker::link(&bytes, InstructionSet::Latest64).expect("the whole file links");
    for length in 0..bytes.len() {
        match std::panic::catch_unwind(|| pvm_linker::link(&bytes[..length], InstructionSet::Latest64)) {
            Ok(Err(LinkError::Elf(_))) => {}
            Ok(Err(other)) => panic!("truncated to {length} bytes: expected an ELF error, got `{other}`"),
            Ok(Ok(_)) => panic!("truncated to {length} bytes, the file still links"),
            Err(_) => panic!("truncated to {length} bytes, the linker panicked"),
        }
    }
}

/// Corrupting any one byte of a valid file (0x00, 0xff, a bit flipped) never makes the linker panic.
#[test]
fn corrupted_elf() {
    let mut elf = Elf::new(true);
    elf.object(RODATA, "value", 4, &words32(&[5]));
    elf.pointer(DATA, "pointer", "value", 0);
    add_100(&mut elf);
    elf.export("f");
    elf.call(R_RISCV_CALL_PLT, T1, ZERO, "add_100");
    export_load(&mut elf, "g", "pointer", rv::ld);
    let bytes = elf.build();
    let mut panics = Vec::new();
    for position in 0..bytes.len() {
        let original = bytes[position];
        for value in [0x00, 0xff, original ^ 0x01, original ^ 0x80] {
            let mut corrupted = bytes.clone();
            corrupted[position] = value;
            if std::panic::catch_unwind(|| pvm_linker::link(&corrupted, InstructionSet::Latest64)).is_err() {
                panics.push(format!("byte {position} = 0x{value:02x}"));
            }
        }
    }
    assert!(panics.is_empty(), "the linker panicked for: {}", panics.join(", "));
}

/// A file for another architecture is rejected naming it.
#[test]
fn not_risc_v() {
    let mut elf = Elf::new(true);
    elf.e_machine = EM_X86_64;
    elf.object(RODATA, "value", 4, &[0; 4]);
    export_load(&mut elf, "f", "value", rv::lw);
    let error = link_error(&elf);
    assert!(matches!(error, LinkError::NotRiscV(_)), "{error:?}");
    assert_mentions(&error, &["X86_64"]);
}

/// A 32-bit file linked for a 64-bit instruction set (and the reverse) is rejected.
#[test]
fn wrong_width_for_the_instruction_set() {
    let mut elf = Elf::new(false);
    elf.object(RODATA, "value", 4, &[0; 4]);
    export_load(&mut elf, "f", "value", rv::lw);
    let error = link_error_for(&elf.build(), InstructionSet::Latest64);
    assert!(matches!(error, LinkError::WrongInstructionSet { .. }), "{error:?}");
    assert_mentions(&error, &["32-bit"]);
    let mut elf = Elf::new(true);
    elf.object(RODATA, "value", 4, &[0; 4]);
    export_load(&mut elf, "f", "value", rv::lw);
    let error = link_error_for(&elf.build(), InstructionSet::Latest32);
    assert_mentions(&error, &["64-bit"]);
}

/// A relocatable object (`ET_REL`, an unlinked file) is rejected with an error saying so.
#[test]
fn relocatable_object() {
    // Every section is at address 0, offsets are relative to their sections.
    let mut elf = Elf::new(true);
    elf.object(RODATA, "value", 4, &words32(&[5]));
    export_load(&mut elf, "f", "value", rv::lw);
    let bytes = elf.build_as(true);
    let error = link_error_for(&bytes, InstructionSet::Latest64);
    assert_mentions(&error, &["relocatable"]);
}
