//! Memory layout: where each data section lands in the VM, the blob's memory
//! configuration, and the data relocations that patch pointers in RO/RW data.
//!
//! The layout matches `polkavm-linker`'s for the same sections: RO data from
//! 0x10000 in section order (each section at its alignment), RW data and then BSS
//! at the RW base the memory map assigns, stack = max(8 KiB, `.polkavm_min_stack_size`)
//! rounded up to 4 KiB.

use object::elf;
use pvm::MemoryMap;

use crate::elf::{Input, Role, Section};
use crate::error::{LinkError, Result};

/// The default (and minimum) stack size.
const DEFAULT_STACK_SIZE: u32 = 8 * 1024;
/// The most RO or RW data (including BSS) accepted; guards against absurd sizes in
/// corrupted inputs.
const MAX_DATA_SIZE: u64 = 1 << 30;
/// The page size the layout is computed for (the memory map's minimum).
const PAGE_SIZE: u32 = 0x1000;

/// Where a data section lives in the VM.
#[derive(Clone, Debug)]
pub struct Placed {
    /// The section's name.
    pub name: String,
    /// ELF address range.
    pub elf_start: u64,
    pub elf_end: u64,
    /// VM address of `elf_start`.
    pub vm_start: u32,
    pub writable: bool,
}

/// The memory image of the program.
#[derive(Clone, Debug)]
pub struct Layout {
    pub placed: Vec<Placed>,
    pub ro_data: Vec<u8>,
    pub ro_size: u32,
    pub rw_data: Vec<u8>,
    pub rw_size: u32,
    pub stack_size: u32,
    pub map: MemoryMap,
}

impl Layout {
    /// Places every RO, RW and BSS section.
    pub fn new(input: &Input) -> Result<Layout> {
        let ro_start = 0x10000u32;
        let ro_sections: Vec<&Section> = input.with_role(Role::ReadOnly).collect();
        let (ro_placed, ro_data, ro_size) = place(&ro_sections, ro_start, false)?;
        let stack_size = stack_size(input)?;
        let probe = MemoryMap::new(PAGE_SIZE, ro_size, 0, stack_size, 0).map_err(LinkError::Memory)?;
        let rw_start = probe.rw_data_address;
        let rw_sections: Vec<&Section> = input.with_role(Role::ReadWrite).chain(input.with_role(Role::Bss)).collect();
        let (rw_placed, rw_data, rw_size) = place(&rw_sections, rw_start, true)?;
        let map = MemoryMap::new(PAGE_SIZE, ro_size, rw_size, stack_size, 0).map_err(LinkError::Memory)?;
        debug_assert_eq!(map.rw_data_address, rw_start);
        let placed = ro_placed.into_iter().chain(rw_placed).collect();
        Ok(Layout { placed, ro_data, ro_size, rw_data, rw_size, stack_size, map })
    }

    /// The VM address of a data ELF address (section ends included, for
    /// one-past-the-end pointers).
    pub fn data_address(&self, address: u64) -> Option<u32> {
        let placed = self
            .placed
            .iter()
            .find(|p| (p.elf_start..p.elf_end).contains(&address))
            .or_else(|| self.placed.iter().find(|p| p.elf_end == address))?;
        u32::try_from(u64::from(placed.vm_start) + (address - placed.elf_start)).ok()
    }

    /// Writes `value` (little-endian, `size` bytes) at the VM image of ELF address `site`.
    pub fn patch(&mut self, site: u64, size: usize, value: u64) -> Result<()> {
        let placed = self.placed.iter().find(|p| (p.elf_start..p.elf_end).contains(&site));
        let placed = placed.ok_or(LinkError::DanglingAddress { address: site, from: site })?;
        // `data_relocations` rejects such sites; never write over the next section.
        let end = site.saturating_add(size as u64);
        if end > placed.elf_end {
            return Err(LinkError::Relocation {
                section: placed.name.clone(),
                address: site,
                reason: format!("the {size}-byte value reaches past the end of the section (0x{:x})", placed.elf_end),
            });
        }
        let (image, base) = if placed.writable {
            (&mut self.rw_data, self.map.rw_data_address)
        } else {
            (&mut self.ro_data, self.map.ro_data_address())
        };
        let offset = (u64::from(placed.vm_start) + (site - placed.elf_start) - u64::from(base)) as usize;
        let bytes = &value.to_le_bytes()[..size];
        if image.len() < offset + size {
            image.resize(offset + size, 0);
        }
        image[offset..offset + size].copy_from_slice(bytes);
        Ok(())
    }

    /// The current byte of the VM image at ELF address `site`.
    pub fn byte(&self, site: u64) -> Option<u8> {
        let placed = self.placed.iter().find(|p| (p.elf_start..p.elf_end).contains(&site))?;
        let (image, base) = if placed.writable {
            (&self.rw_data, self.map.rw_data_address)
        } else {
            (&self.ro_data, self.map.ro_data_address())
        };
        let offset = (u64::from(placed.vm_start) + (site - placed.elf_start) - u64::from(base)) as usize;
        Some(image.get(offset).copied().unwrap_or(0))
    }

    /// Drops trailing zeros from the images (the VM zero-fills up to the declared sizes).
    pub fn trim(&mut self) {
        for image in [&mut self.ro_data, &mut self.rw_data] {
            let used = image.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
            image.truncate(used);
        }
    }
}

/// Lays `sections` out from `start`; returns their placement, the image and the size.
fn place(sections: &[&Section], start: u32, writable: bool) -> Result<(Vec<Placed>, Vec<u8>, u32)> {
    let mut placed = Vec::new();
    let mut image = Vec::new();
    let mut cursor = u64::from(start);
    for section in sections {
        let overflow = LinkError::Overflow("the data layout");
        cursor = cursor.div_ceil(section.align).checked_mul(section.align).ok_or(overflow)?;
        if cursor - u64::from(start) > MAX_DATA_SIZE {
            return Err(LinkError::Memory("more than 1 GiB of RO or RW data"));
        }
        let vm_start = u32::try_from(cursor).map_err(|_| LinkError::Overflow("the data layout"))?;
        let offset = (cursor - u64::from(start)) as usize;
        if !section.data.is_empty() {
            image.resize(offset, 0);
            image.extend_from_slice(&section.data);
        }
        placed.push(Placed {
            name: section.name.clone(),
            elf_start: section.address,
            elf_end: section.end(),
            vm_start,
            writable,
        });
        cursor = cursor.checked_add(section.size).ok_or(LinkError::Overflow("the data layout"))?;
    }
    if cursor - u64::from(start) > MAX_DATA_SIZE {
        return Err(LinkError::Memory("more than 1 GiB of RO or RW data"));
    }
    let size = u32::try_from(cursor - u64::from(start)).map_err(|_| LinkError::Overflow("the data size"))?;
    Ok((placed, image, size))
}

/// The stack size: the largest of the default and every `.polkavm_min_stack_size` value.
fn stack_size(input: &Input) -> Result<u32> {
    let mut size = DEFAULT_STACK_SIZE;
    for section in input.with_role(Role::MinStackSize) {
        if section.data.len() % 4 != 0 {
            return Err(LinkError::BadStackSize);
        }
        for chunk in section.data.chunks_exact(4) {
            size = size.max(u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]));
        }
    }
    size.checked_next_multiple_of(PAGE_SIZE).ok_or(LinkError::Overflow("the stack size"))
}

/// How one data relocation site is computed.
#[derive(Copy, Clone, Debug)]
pub enum DataReloc {
    /// `value(target)`, `size` bytes.
    Abs { target: u64, size: usize },
    /// `value(target) - value(origin)`, `size` bytes (`ADD*`+`SUB*`, `SET*`+`SUB*`
    /// pairs; jump tables of code-address differences).
    Diff { target: u64, origin: u64, size: usize },
    /// The low six bits: `value(target) - value(origin)` (`SET6`+`SUB6`).
    Diff6 { target: u64, origin: u64 },
}

impl DataReloc {
    /// The ELF addresses this relocation refers to.
    pub fn targets(&self) -> impl Iterator<Item = u64> {
        let (a, b) = match *self {
            DataReloc::Abs { target, .. } => (target, None),
            DataReloc::Diff { target, origin, .. } | DataReloc::Diff6 { target, origin } => (target, Some(origin)),
        };
        core::iter::once(a).chain(b)
    }
}

/// Interprets the relocations of a data section, one [`DataReloc`] per site.
pub fn data_relocations(input: &Input, section: &Section) -> Result<Vec<(u64, DataReloc)>> {
    let mut out = Vec::new();
    for (&site, relocs) in input.relocs.range(section.address..section.end()) {
        let error = |reason: String| LinkError::Relocation { section: section.name.clone(), address: site, reason };
        let size_of = |r_type| match r_type {
            elf::R_RISCV_32 | elf::R_RISCV_ADD32 | elf::R_RISCV_SUB32 => Some(4),
            elf::R_RISCV_64 | elf::R_RISCV_ADD64 | elf::R_RISCV_SUB64 => Some(8),
            elf::R_RISCV_ADD16 | elf::R_RISCV_SUB16 | elf::R_RISCV_SET16 => Some(2),
            elf::R_RISCV_ADD8 | elf::R_RISCV_SUB8 | elf::R_RISCV_SET8 => Some(1),
            _ => None,
        };
        let is_sub =
            |r_type| matches!(r_type, elf::R_RISCV_SUB8 | elf::R_RISCV_SUB16 | elf::R_RISCV_SUB32 | elf::R_RISCV_SUB64);
        let reloc = match relocs.as_slice() {
            [a] if section.role == Role::Exports && a.r_type == elf::R_RISCV_PCREL_HI20 => {
                DataReloc::Abs { target: a.target, size: input.pointer_size() as usize }
            }
            [a] if matches!(a.r_type, elf::R_RISCV_32 | elf::R_RISCV_64 | elf::R_RISCV_SET8 | elf::R_RISCV_SET16) => {
                DataReloc::Abs { target: a.target, size: size_of(a.r_type).unwrap_or(0) }
            }
            [a, b] if a.r_type == elf::R_RISCV_SET6 && b.r_type == elf::R_RISCV_SUB6 => {
                DataReloc::Diff6 { target: a.target, origin: b.target }
            }
            [a, b]
                if !is_sub(a.r_type)
                    && is_sub(b.r_type)
                    && size_of(a.r_type).is_some()
                    && size_of(a.r_type) == size_of(b.r_type) =>
            {
                DataReloc::Diff { target: a.target, origin: b.target, size: size_of(a.r_type).unwrap_or(0) }
            }
            other => return Err(error(format!("unsupported relocation combination (types {:?})", types(other)))),
        };
        let size = match reloc {
            DataReloc::Abs { size, .. } | DataReloc::Diff { size, .. } => size as u64,
            DataReloc::Diff6 { .. } => 1,
        };
        if site.saturating_add(size) > section.end() {
            return Err(error(format!(
                "the {size}-byte value reaches past the end of the section (0x{:x})",
                section.end()
            )));
        }
        out.push((site, reloc));
    }
    Ok(out)
}

fn types(relocs: &[crate::elf::Reloc]) -> Vec<u32> {
    relocs.iter().map(|r| r.r_type).collect()
}
