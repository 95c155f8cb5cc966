//! Import/export metadata (`.polkavm_metadata`, `.polkavm_exports`) and import
//! index assignment.
//!
//! Metadata record (packed, little-endian): `u8 version (1|2)`, `u32 flags (0)`,
//! `u32 symbol_length`, pointer to the symbol (relocated), `u8 input_regs`,
//! `u8 output_regs`, and for version 2 `u8 has_index`, `u32 index`.
//! Export record: `u8 version (1)`, pointer to metadata, pointer to code (both
//! carried by `R_RISCV_PCREL_HI20` relocations that mean "absolute pointer").

use std::collections::BTreeMap;

use object::elf;

use crate::elf::{Input, Role};
use crate::error::{LinkError, Result};

/// The parsed metadata of one import or export.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Metadata {
    pub symbol: Vec<u8>,
    pub index: Option<u32>,
    pub input_regs: u8,
    pub output_regs: u8,
}

/// An export: its metadata and the ELF address of its code.
#[derive(Clone, Debug)]
pub struct Export {
    pub metadata: Metadata,
    pub address: u64,
}

/// Reads the absolute pointer stored at `site`: the target of its single
/// relocation (`R_RISCV_32/64`, or `PCREL_HI20` in the places that use it as a pointer).
pub fn pointer_at(input: &Input, site: u64) -> Result<u64> {
    let reloc = input.single_reloc(site).ok_or_else(|| LinkError::Metadata {
        address: site,
        reason: "expected exactly one relocation for a pointer".into(),
    })?;
    match reloc.r_type {
        elf::R_RISCV_32 | elf::R_RISCV_64 | elf::R_RISCV_PCREL_HI20 => Ok(reloc.target),
        other => Err(LinkError::Metadata { address: site, reason: format!("unexpected relocation type {other}") }),
    }
}

fn read<const N: usize>(input: &Input, address: u64) -> Result<[u8; N]> {
    let bytes = input
        .bytes(address, N as u64)
        .ok_or_else(|| LinkError::Metadata { address, reason: "truncated record".into() })?;
    Ok(bytes.try_into().unwrap_or([0; N]))
}

/// Parses the metadata record at ELF address `address`.
pub fn parse_metadata(input: &Input, address: u64) -> Result<Metadata> {
    let error = |reason: String| LinkError::Metadata { address, reason };
    let [version] = read::<1>(input, address)?;
    if version != 1 && version != 2 {
        return Err(error(format!("unsupported metadata version {version}")));
    }
    let flags = u32::from_le_bytes(read(input, address.wrapping_add(1))?);
    if flags != 0 {
        return Err(error(format!("unsupported flags 0x{flags:x}")));
    }
    let symbol_length = u32::from_le_bytes(read(input, address.wrapping_add(5))?);
    let symbol_address = pointer_at(input, address.wrapping_add(9))?;
    let symbol = input
        .bytes(symbol_address, u64::from(symbol_length))
        .ok_or_else(|| error("the symbol name is out of bounds".into()))?
        .to_vec();
    let after = address.wrapping_add(9 + input.pointer_size());
    let [input_regs, output_regs] = read::<2>(input, after)?;
    if input_regs > 9 || output_regs > 2 {
        return Err(error(format!("too many registers ({input_regs} in, {output_regs} out)")));
    }
    let index = if version == 2 {
        let [has_index] = read::<1>(input, after.wrapping_add(2))?;
        let index = u32::from_le_bytes(read(input, after.wrapping_add(3))?);
        (has_index != 0).then_some(index)
    } else {
        None
    };
    Ok(Metadata { symbol, index, input_regs, output_regs })
}

/// Parses every `.polkavm_exports` section.
pub fn parse_exports(input: &Input) -> Result<Vec<Export>> {
    let mut exports = Vec::new();
    let pointer = input.pointer_size();
    for section in input.with_role(Role::Exports) {
        let mut cursor = section.address;
        while cursor < section.end() {
            let [version] = read::<1>(input, cursor)?;
            if version != 1 {
                return Err(LinkError::Metadata {
                    address: cursor,
                    reason: format!("unsupported export version {version}"),
                });
            }
            let metadata = parse_metadata(input, pointer_at(input, cursor.wrapping_add(1))?)?;
            let address = pointer_at(input, cursor.wrapping_add(1 + pointer))?;
            exports.push(Export { metadata, address });
            cursor = cursor.saturating_add(1 + 2 * pointer);
        }
    }
    Ok(exports)
}

/// Assigns import indices. Imports with an explicit index keep it; the others take
/// the lowest free indices in the order of their symbols. Holes become imports with
/// an empty symbol. Returns the import table (symbol per index) and, for each entry
/// of `imports`, its index.
pub fn assign_import_indices(imports: &[Metadata]) -> Result<(Vec<Vec<u8>>, Vec<u32>)> {
    let mut by_symbol: BTreeMap<&[u8], &Metadata> = BTreeMap::new();
    for import in imports {
        if let Some(previous) = by_symbol.insert(&import.symbol, import) {
            if previous != import {
                let name = String::from_utf8_lossy(&import.symbol);
                return Err(LinkError::Imports(format!("'{name}' is imported with different prototypes")));
            }
        }
    }
    let mut table: BTreeMap<u32, &[u8]> = BTreeMap::new();
    for import in by_symbol.values() {
        if let Some(index) = import.index {
            if index >= pvm::program::MAX_IMPORT_COUNT {
                let name = String::from_utf8_lossy(&import.symbol);
                return Err(LinkError::Imports(format!("'{name}' has the out-of-range index {index}")));
            }
            if let Some(other) = table.insert(index, &import.symbol) {
                let (a, b) = (String::from_utf8_lossy(other), String::from_utf8_lossy(&import.symbol));
                return Err(LinkError::Imports(format!("'{a}' and '{b}' both use index {index}")));
            }
        }
    }
    let mut next_free = 0u32;
    let mut index_of: BTreeMap<&[u8], u32> = table.iter().map(|(&index, &symbol)| (symbol, index)).collect();
    for (symbol, import) in &by_symbol {
        if import.index.is_none() {
            while table.contains_key(&next_free) {
                next_free += 1;
            }
            table.insert(next_free, symbol);
            index_of.insert(symbol, next_free);
        }
    }
    let count = table.keys().next_back().map_or(0, |&last| last as usize + 1);
    let mut symbols = vec![Vec::new(); count];
    for (&index, &symbol) in &table {
        symbols[index as usize] = symbol.to_vec();
    }
    let indices = imports.iter().map(|import| index_of[import.symbol.as_slice()]).collect();
    Ok((symbols, indices))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import(symbol: &str, index: Option<u32>) -> Metadata {
        Metadata { symbol: symbol.as_bytes().to_vec(), index, input_regs: 0, output_regs: 1 }
    }

    #[test]
    fn named_imports_fill_the_holes_in_symbol_order() {
        let imports = [import("zeta", None), import("fixed", Some(1)), import("alpha", None), import("beta", None)];
        let (table, indices) = assign_import_indices(&imports).unwrap();
        assert_eq!(table, vec![b"alpha".to_vec(), b"fixed".to_vec(), b"beta".to_vec(), b"zeta".to_vec()]);
        assert_eq!(indices, vec![3, 1, 0, 2]);
    }

    #[test]
    fn holes_become_empty_imports() {
        let (table, indices) = assign_import_indices(&[import("late", Some(2))]).unwrap();
        assert_eq!(table, vec![Vec::new(), Vec::new(), b"late".to_vec()]);
        assert_eq!(indices, vec![2]);
    }

    #[test]
    fn conflicting_prototypes_are_rejected() {
        let mut other = import("f", None);
        other.input_regs = 3;
        assert!(assign_import_indices(&[import("f", None), other]).is_err());
        assert!(assign_import_indices(&[import("a", Some(0)), import("b", Some(0))]).is_err());
    }
}
