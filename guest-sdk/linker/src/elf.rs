//! Reading the input: sections (classified by what the program needs them for),
//! their bytes, and their relocations with targets resolved to ELF addresses.

use std::collections::BTreeMap;

use object::elf;
use object::read::elf::{ElfFile, FileHeader, SectionHeader};
use object::{Endianness, Object, ObjectSection, ObjectSymbol, RelocationFlags, RelocationTarget};

use crate::error::{LinkError, Result};

/// What a section is for.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Role {
    Code,
    ReadOnly,
    ReadWrite,
    Bss,
    Metadata,
    Exports,
    MinStackSize,
    /// Data that no code refers to, directly or through other data (for example the
    /// names in the import and export metadata): left out of the program.
    Unreferenced,
}

/// One section the program is made of.
#[derive(Clone, Debug)]
pub struct Section {
    pub name: String,
    pub role: Role,
    /// ELF virtual address.
    pub address: u64,
    /// Size in memory.
    pub size: u64,
    pub align: u64,
    /// File contents (empty for NOBITS).
    pub data: Vec<u8>,
}

impl Section {
    pub fn end(&self) -> u64 {
        self.address.saturating_add(self.size)
    }
}

/// One relocation: its type and its target (symbol value plus addend).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct Reloc {
    pub r_type: u32,
    pub target: u64,
}

/// The parsed input.
pub struct Input {
    pub is_64: bool,
    /// Sections in section-header order.
    pub sections: Vec<Section>,
    /// Relocations by the ELF address they patch (several may share one site).
    pub relocs: BTreeMap<u64, Vec<Reloc>>,
}

impl Input {
    /// Parses an ELF file's sections and relocations.
    pub fn parse(bytes: &[u8]) -> Result<Input> {
        let kind = object::FileKind::parse(bytes)?;
        match kind {
            object::FileKind::Elf32 => Self::parse_as::<elf::FileHeader32<Endianness>>(bytes),
            object::FileKind::Elf64 => Self::parse_as::<elf::FileHeader64<Endianness>>(bytes),
            other => Err(LinkError::NotRiscV(format!("expected an ELF file, found {other:?}"))),
        }
    }

    fn parse_as<H: FileHeader<Endian = Endianness>>(bytes: &[u8]) -> Result<Input> {
        let file = ElfFile::<H>::parse(bytes)?;
        if file.architecture() != object::Architecture::Riscv32 && file.architecture() != object::Architecture::Riscv64
        {
            return Err(LinkError::NotRiscV(format!("expected RISC-V, found {:?}", file.architecture())));
        }
        if !file.is_little_endian() {
            return Err(LinkError::NotRiscV("big-endian ELF files are not supported".into()));
        }
        // In an object file every section starts at address 0 and relocation offsets are
        // section-relative: nothing below would make sense of it.
        match file.elf_header().e_type(file.endian()) {
            elf::ET_DYN | elf::ET_EXEC => {}
            elf::ET_REL => return Err(LinkError::RelocatableObject),
            other => {
                return Err(LinkError::NotRiscV(format!(
                    "expected an executable (ET_DYN or ET_EXEC), found e_type {other}"
                )))
            }
        }
        let mut input = Input { is_64: file.is_64(), sections: Vec::new(), relocs: BTreeMap::new() };
        for section in file.sections() {
            let name = section.name()?.to_owned();
            let header = section.elf_section_header();
            let flags: u64 = header.sh_flags(file.endian()).into();
            let Some(role) = classify(&name, header.sh_type(file.endian()), flags)? else {
                continue;
            };
            let data =
                if header.sh_type(file.endian()) == elf::SHT_NOBITS { Vec::new() } else { section.data()?.to_vec() };
            let address = section.address();
            for (offset, relocation) in section.relocations() {
                let reloc = resolve_relocation(&file, &name, offset, &relocation)?;
                if let Some(reloc) = reloc {
                    // `relocations()` gives the entries of the tables whose `sh_info` names
                    // this section. Keeping each inside its own section makes the map keyed
                    // by address (the sections of a linked file do not overlap) the same as
                    // keying it per section: an entry pointing elsewhere would otherwise be
                    // dropped silently or applied to another section.
                    if !(address..address.saturating_add(section.size())).contains(&offset) {
                        return Err(LinkError::Relocation {
                            section: name,
                            address: offset,
                            reason: format!(
                                "the relocation lies outside its section (0x{address:x}..0x{:x})",
                                address.saturating_add(section.size())
                            ),
                        });
                    }
                    input.relocs.entry(offset).or_default().push(reloc);
                }
            }
            input.sections.push(Section {
                name,
                role,
                address,
                size: section.size(),
                align: section.align().max(1),
                data,
            });
        }
        if !input.sections.iter().any(|s| s.role == Role::Code) {
            return Err(LinkError::NoCode);
        }
        Ok(input)
    }

    /// Marks the data sections that the code cannot reach as [`Role::Unreferenced`]: a
    /// data section is live if a relocation in the code, or in a live data section,
    /// points into it, or just past its end (an end pointer) where no section starts.
    pub fn drop_unreferenced_data(&mut self) {
        let is_data = |role: Role| matches!(role, Role::ReadOnly | Role::ReadWrite | Role::Bss);
        let mut live: Vec<bool> = self.sections.iter().map(|s| s.role == Role::Code).collect();
        let mut work: Vec<usize> = (0..self.sections.len()).filter(|&i| live[i]).collect();
        while let Some(index) = work.pop() {
            let section = &self.sections[index];
            for relocs in self.relocs.range(section.address..section.end()).map(|(_, relocs)| relocs) {
                for reloc in relocs {
                    // Data sections are often adjacent: an address at the end of one
                    // is the start of the next, and means the next.
                    let inside = |s: &Section| is_data(s.role) && s.address <= reloc.target && reloc.target < s.end();
                    let at_end = |s: &Section| is_data(s.role) && s.end() == reloc.target;
                    let sections = 0..self.sections.len();
                    let mut targets: Vec<usize> = sections.clone().filter(|&i| inside(&self.sections[i])).collect();
                    if targets.is_empty() {
                        targets = sections.filter(|&i| at_end(&self.sections[i])).collect();
                    }
                    for target in targets {
                        if !live[target] {
                            live[target] = true;
                            work.push(target);
                        }
                    }
                }
            }
        }
        for (section, live) in self.sections.iter_mut().zip(live) {
            if is_data(section.role) && !live {
                section.role = Role::Unreferenced;
            }
        }
    }

    /// Reads `len` bytes at ELF address `address` from any section.
    pub fn bytes(&self, address: u64, len: u64) -> Option<&[u8]> {
        let end = address.checked_add(len)?;
        let section = self.sections.iter().find(|s| s.address <= address && end <= s.end())?;
        let start = usize::try_from(address - section.address).ok()?;
        section.data.get(start..start + usize::try_from(len).ok()?)
    }

    /// The single relocation at `site`, if there is exactly one.
    pub fn single_reloc(&self, site: u64) -> Option<Reloc> {
        match self.relocs.get(&site).map(Vec::as_slice) {
            Some([reloc]) => Some(*reloc),
            _ => None,
        }
    }

    /// The sections with `role`.
    pub fn with_role(&self, role: Role) -> impl Iterator<Item = &Section> {
        self.sections.iter().filter(move |s| s.role == role)
    }

    /// Pointer size in bytes.
    pub fn pointer_size(&self) -> u64 {
        if self.is_64 {
            8
        } else {
            4
        }
    }
}

/// Decides what a section is for; `None` for sections the output does not need.
fn classify(name: &str, sh_type: u32, flags: u64) -> Result<Option<Role>> {
    let allocated = flags & u64::from(elf::SHF_ALLOC) != 0;
    let writable = flags & u64::from(elf::SHF_WRITE) != 0;
    let has_prefix = |base: &str| name == base || name.starts_with(&format!("{base}."));
    let bad = |reason| Err(LinkError::BadSectionFlags { name: name.to_owned(), reason });
    let role = match name {
        ".polkavm_metadata" => Role::Metadata,
        ".polkavm_exports" => Role::Exports,
        ".polkavm_min_stack_size" => Role::MinStackSize,
        _ if has_prefix(".text") => Role::Code,
        _ if has_prefix(".rodata") || has_prefix(".srodata") || has_prefix(".data.rel.ro") || name == ".got" => {
            if name == ".rodata" && writable {
                return bad("read-only data must not be writable");
            }
            Role::ReadOnly
        }
        _ if has_prefix(".data") || has_prefix(".sdata") => Role::ReadWrite,
        _ if has_prefix(".bss") || has_prefix(".sbss") => Role::Bss,
        // `.relro_padding` only pads the RELRO segment to a page boundary.
        ".eh_frame" | ".eh_frame_hdr" | ".dynsym" | ".dynstr" | ".dynamic" | ".hash" | ".gnu.hash" | ".rela.dyn"
        | ".relro_padding" | ".comment" | ".riscv.attributes" => return Ok(None),
        _ if !allocated => return Ok(None),
        _ if matches!(
            sh_type,
            elf::SHT_HASH | elf::SHT_GNU_HASH | elf::SHT_DYNSYM | elf::SHT_STRTAB | elf::SHT_RELA
        ) =>
        {
            return Ok(None)
        }
        _ => return Err(LinkError::UnsupportedSection(name.to_owned())),
    };
    match role {
        Role::Code if writable => return bad("code must not be writable"),
        Role::ReadWrite | Role::Bss if !writable => return bad("writable data must be writable"),
        _ => {}
    }
    Ok(Some(role))
}

/// Resolves a relocation's target to `symbol value + addend`. Returns `None` for the
/// relocations that carry no information (`R_RISCV_NONE`, `RELAX`, `ALIGN`).
fn resolve_relocation<H: FileHeader<Endian = Endianness>>(
    file: &ElfFile<H>,
    section: &str,
    site: u64,
    relocation: &object::Relocation,
) -> Result<Option<Reloc>> {
    let error = |reason: String| LinkError::Relocation { section: section.to_owned(), address: site, reason };
    let RelocationFlags::Elf { r_type } = relocation.flags() else {
        return Err(error("not an ELF relocation".into()));
    };
    if matches!(r_type, elf::R_RISCV_NONE | elf::R_RISCV_RELAX | elf::R_RISCV_ALIGN) {
        return Ok(None);
    }
    if relocation.has_implicit_addend() {
        return Err(error("relocations with implicit addends (REL) are not supported".into()));
    }
    let base = match relocation.target() {
        RelocationTarget::Symbol(index) => {
            let symbol = file.symbol_by_index(index)?;
            if symbol.is_undefined() {
                let name = symbol.name().unwrap_or("?");
                return Err(error(format!("refers to the undefined symbol '{name}'")));
            }
            symbol.address()
        }
        RelocationTarget::Absolute => 0,
        other => return Err(error(format!("unsupported relocation target {other:?}"))),
    };
    Ok(Some(Reloc { r_type, target: base.wrapping_add_signed(relocation.addend()) }))
}
