//! Translating the code sections: decode every instruction, apply what the code
//! relocations say (address materialisation, calls), recognise the PolkaVM
//! custom-0 markers, and lower the rest.

use std::collections::BTreeMap;

use object::elf;
use pvm::Opcode as O;

use crate::elf::{Input, Role, Section};
use crate::error::{LinkError, Result};
use crate::lower::{self, Fix, Item, Lowerer};
use crate::meta::{self, Metadata};
use crate::riscv::{self, AluOp, Inst};

/// The raw word of the import marker (`.insn r 0xb, 0, 0, zero, zero, zero`).
const ECALLI_MARKER: u32 = 0x0000_000b;

/// One RISC-V instruction (or import marker with its pointer slot), lowered.
#[derive(Clone, Debug)]
pub struct Insn {
    pub address: u64,
    pub items: Vec<Item>,
}

/// The translated program code.
pub struct Code {
    /// Every instruction, in address order.
    pub insns: Vec<Insn>,
    /// Distinct imports in order of first use; `ecalli` items carry an index into this
    /// list until [`Code::renumber_imports`] is called.
    pub imports: Vec<Metadata>,
}

impl Code {
    /// Replaces the provisional import numbers of `ecalli` items with final indices.
    pub fn renumber_imports(&mut self, indices: &[u32]) {
        for item in self.insns.iter_mut().flat_map(|insn| insn.items.iter_mut()) {
            if item.opcode == O::Ecalli {
                item.args.imm1 = indices[item.args.imm1 as usize];
            }
        }
    }
}

/// Translates every code section.
pub fn translate(input: &Input, heap_base: u32) -> Result<Code> {
    let mut overrides = BTreeMap::new();
    let mut sections: Vec<&Section> = input.with_role(Role::Code).collect();
    sections.sort_by_key(|s| s.address);
    for section in &sections {
        relocation_overrides(input, section, &mut overrides)?;
    }
    let mut code = Code { insns: Vec::new(), imports: Vec::new() };
    for (n, section) in sections.iter().enumerate() {
        translate_section(input, section, heap_base, &mut overrides, &mut code)?;
        // Give the end of the section an instruction (a return address may point
        // there) unless the next section starts right there.
        if sections.get(n + 1).map(|next| next.address) != Some(section.end()) {
            code.insns.push(Insn { address: section.end(), items: vec![trap()] });
        }
    }
    // A relocation that patched something other than an instruction start.
    if let Some((&address, _)) = overrides.iter().next() {
        return Err(LinkError::BadCodeAddress(address));
    }
    Ok(code)
}

fn trap() -> Item {
    Item { opcode: O::Trap, args: Default::default(), fix: Fix::None }
}

fn read_raw(section: &Section, offset: usize) -> Option<(u32, u64)> {
    let first = *section.data.get(offset)?;
    if riscv::is_compressed(first) {
        let bytes = section.data.get(offset..offset + 2)?;
        Some((u32::from(u16::from_le_bytes([bytes[0], bytes[1]])), 2))
    } else {
        let bytes = section.data.get(offset..offset + 4)?;
        Some((u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]), 4))
    }
}

fn translate_section(
    input: &Input,
    section: &Section,
    heap_base: u32,
    overrides: &mut BTreeMap<u64, Vec<Item>>,
    code: &mut Code,
) -> Result<()> {
    let mut offset = 0usize;
    while offset < section.data.len() {
        let address = section.address.wrapping_add(offset as u64);
        let (raw, size) = read_raw(section, offset).ok_or(LinkError::UnsupportedInstruction { raw: 0, address })?;
        let mut lowerer = Lowerer::new(input.is_64, address, size);
        if size == 4 && raw == ECALLI_MARKER {
            let metadata = meta::parse_metadata(input, meta::pointer_at(input, address.wrapping_add(4))?)?;
            let key = match code.imports.iter().position(|m| *m == metadata) {
                Some(key) => key,
                None => {
                    code.imports.push(metadata);
                    code.imports.len() - 1
                }
            };
            lowerer.push(O::Ecalli, [0; 3], key as u32, 0, Fix::None);
            offset += 4 + input.pointer_size() as usize;
        } else {
            if let Some(items) = overrides.remove(&address) {
                lowerer.out = items;
            } else {
                let inst = riscv::decode(raw, input.is_64).ok_or(LinkError::UnsupportedInstruction { raw, address })?;
                match inst {
                    Inst::Custom { funct3, funct7, rd, rs1, rs2 } => {
                        custom(&mut lowerer, heap_base, (funct3, funct7, rd, rs1, rs2), raw)?
                    }
                    Inst::Auipc { rd, value } if unrelocated_call(input, section, overrides, address, rd, value)? => {}
                    other => lowerer.lower(other)?,
                }
            }
            offset += size as usize;
        }
        code.insns.push(Insn { address, items: lowerer.out });
    }
    Ok(())
}

/// An `auipc` + `jalr` pair without relocations is a call (or tail call) that the
/// compiler resolved itself, PC-relative: LLVM emits them for self-recursive calls, such
/// as `core`'s sort. If the `auipc` at `address` starts one, lowers the pair (the
/// `jalr` becomes the call, the `auipc` disappears) and returns true.
fn unrelocated_call(
    input: &Input,
    section: &Section,
    overrides: &mut BTreeMap<u64, Vec<Item>>,
    address: u64,
    rd: u8,
    value: u32,
) -> Result<bool> {
    let next = address.wrapping_add(4);
    if rd == 0 || next >= section.end() || overrides.contains_key(&next) {
        return Ok(false);
    }
    let Inst::Jalr { rd: link, rs1, offset } = decode_at(input, section, next)? else {
        return Ok(false);
    };
    if rs1 != rd {
        return Ok(false);
    }
    // (The `jalr` may be a compressed `c.jalr`/`c.jr`; the return address follows it.)
    let (_, size) = read_raw(section, (next - section.address) as usize).expect("decoded above");
    let target = address.wrapping_add_signed(i64::from(value as i32)).wrapping_add_signed(i64::from(offset));
    let mut call = Lowerer::new(input.is_64, next, size);
    call.jump_or_call(link, target)?;
    overrides.insert(next, call.out);
    Ok(true)
}

/// The PolkaVM custom-0 markers other than `ecalli`: `sbrk rd, rs1`, `memset`, `heap_base rd`.
fn custom(lowerer: &mut Lowerer, heap_base: u32, fields: (u8, u8, u8, u8, u8), raw: u32) -> Result<()> {
    let address = lowerer.address;
    let reg = |r| lower::map_reg(r, address);
    match fields {
        (1, 0, rd, rs1, 0) => match (reg(rd)?, reg(rs1)?) {
            (Some(dst), Some(size)) => lowerer.push(O::Sbrk, [dst, size, 0], 0, 0, Fix::None),
            _ => return Err(LinkError::Untranslatable { address, reason: "sbrk with x0 as an operand".into() }),
        },
        (2, 0, 0, 0, 0) => lowerer.push(O::Memset, [0; 3], 0, 0, Fix::None),
        (3, 0, rd, 0, 0) => {
            if let Some(dst) = reg(rd)? {
                lowerer.load_imm(dst, heap_base);
            }
        }
        _ => return Err(LinkError::UnsupportedInstruction { raw, address }),
    }
    Ok(())
}

fn decode_at(input: &Input, section: &Section, address: u64) -> Result<Inst> {
    let offset = address.checked_sub(section.address).and_then(|o| usize::try_from(o).ok());
    let offset = offset.ok_or(LinkError::UnsupportedInstruction { raw: 0, address })?;
    let (raw, _) = read_raw(section, offset).ok_or(LinkError::UnsupportedInstruction { raw: 0, address })?;
    riscv::decode(raw, input.is_64).ok_or(LinkError::UnsupportedInstruction { raw, address })
}

/// Computes, from a code section's relocations, replacement lowerings for the
/// instructions they patch (an empty list removes the instruction).
fn relocation_overrides(input: &Input, section: &Section, overrides: &mut BTreeMap<u64, Vec<Item>>) -> Result<()> {
    let mut hi: BTreeMap<u64, (u64, bool)> = BTreeMap::new();
    let mut lo: Vec<(u64, u64)> = Vec::new();
    for (&site, relocs) in input.relocs.range(section.address..section.end()) {
        let error = |reason: String| LinkError::Relocation { section: section.name.clone(), address: site, reason };
        let [reloc] = relocs.as_slice() else {
            return Err(error(format!("{} relocations at one code address", relocs.len())));
        };
        let target = reloc.target;
        match reloc.r_type {
            elf::R_RISCV_CALL | elf::R_RISCV_CALL_PLT => {
                let (Inst::Auipc { rd: hi_reg, .. }, Inst::Jalr { rd, rs1, .. }) =
                    (decode_at(input, section, site)?, decode_at(input, section, site.wrapping_add(4))?)
                else {
                    return Err(error("R_RISCV_CALL(_PLT) is not on an auipc + jalr pair".into()));
                };
                if hi_reg != rs1 {
                    return Err(error("R_RISCV_CALL(_PLT) pair uses different registers".into()));
                }
                let mut call = Lowerer::new(input.is_64, site.wrapping_add(4), 4);
                call.jump_or_call(rd, target)?;
                overrides.insert(site, Vec::new());
                overrides.insert(site.wrapping_add(4), call.out);
            }
            elf::R_RISCV_PCREL_HI20 => {
                // The pointer slot after an import marker is handled with the marker.
                if input.bytes(site.wrapping_sub(4), 4) != Some(&ECALLI_MARKER.to_le_bytes()[..]) {
                    hi.insert(site, (target, false));
                }
            }
            elf::R_RISCV_GOT_HI20 => {
                hi.insert(site, (target, true));
            }
            elf::R_RISCV_PCREL_LO12_I | elf::R_RISCV_PCREL_LO12_S => lo.push((site, target)),
            elf::R_RISCV_HI20 => {
                let Inst::Lui { rd, .. } = decode_at(input, section, site)? else {
                    return Err(error("R_RISCV_HI20 is not on a lui".into()));
                };
                overrides.insert(site, address_of(input, site, rd, target)?);
            }
            elf::R_RISCV_LO12_I | elf::R_RISCV_LO12_S => {
                let inst = decode_at(input, section, site)?;
                overrides.insert(site, absolute(input, site, inst, target, false)?);
            }
            // Branch and jump targets are read from the (already relocated) instruction bits.
            elf::R_RISCV_JAL | elf::R_RISCV_BRANCH | elf::R_RISCV_RVC_BRANCH | elf::R_RISCV_RVC_JUMP => {}
            other => return Err(error(format!("relocation type {other} is not supported in code"))),
        }
    }
    for (site, hi_address) in lo {
        let Some(&(target, via_got)) = hi.get(&hi_address) else {
            return Err(LinkError::Relocation {
                section: section.name.clone(),
                address: site,
                reason: format!("PCREL_LO12 refers to 0x{hi_address:x}, which has no PCREL_HI20/GOT_HI20"),
            });
        };
        if !matches!(decode_at(input, section, hi_address)?, Inst::Auipc { .. }) {
            return Err(LinkError::Relocation {
                section: section.name.clone(),
                address: hi_address,
                reason: "PCREL_HI20/GOT_HI20 is not on an auipc".into(),
            });
        }
        let inst = decode_at(input, section, site)?;
        overrides.insert(site, absolute(input, site, inst, target, via_got)?);
        // The full address is an immediate of the low instruction: the auipc goes.
        overrides.insert(hi_address, Vec::new());
    }
    Ok(())
}

/// `rd = <address of target>`.
fn address_of(input: &Input, site: u64, rd: u8, target: u64) -> Result<Vec<Item>> {
    let mut lowerer = Lowerer::new(input.is_64, site, 4);
    if let Some(rd) = lower::map_reg(rd, site)? {
        lowerer.push(O::LoadImm, [rd, 0, 0], 0, 0, Fix::Addr(target));
    }
    Ok(lowerer.out)
}

/// The low half of an address pair: `addi` becomes "load address", loads and stores
/// become absolute ones. Through the GOT, the load of the GOT entry becomes "load address".
fn absolute(input: &Input, site: u64, inst: Inst, target: u64, via_got: bool) -> Result<Vec<Item>> {
    let reg = |r| lower::map_reg(r, site);
    let mut lowerer = Lowerer::new(input.is_64, site, 4);
    match inst {
        Inst::Load { rd, .. } if via_got => return address_of(input, site, rd, target),
        Inst::OpImm { op: AluOp::Add, rd, .. } if !via_got => return address_of(input, site, rd, target),
        Inst::Load { kind, rd, .. } if !via_got => {
            if let Some(rd) = reg(rd)? {
                lowerer.push(lower::load_abs_opcode(kind), [rd, 0, 0], 0, 0, Fix::Addr(target));
            }
        }
        Inst::Store { kind, rs2, .. } if !via_got => {
            let (with_reg, with_imm) = lower::store_abs_opcodes(kind);
            match reg(rs2)? {
                Some(src) => lowerer.push(with_reg, [src, 0, 0], 0, 0, Fix::Addr(target)),
                None => lowerer.push(with_imm, [0; 3], 0, 0, Fix::Addr(target)),
            }
        }
        other => {
            return Err(LinkError::Untranslatable {
                address: site,
                reason: format!("unsupported instruction for a LO12 relocation: {other:?}"),
            })
        }
    }
    Ok(lowerer.out)
}
