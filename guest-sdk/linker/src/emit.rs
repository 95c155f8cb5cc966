//! Code layout and blob writing.
//!
//! 1. The jump table holds every code address the program can reach dynamically
//!    (return addresses, code addresses loaded into registers or stored in data),
//!    in address order; entry `i` has the run-time address `(i + 1) * 2`.
//! 2. The layout passes compute each instruction's pc by encoding into a scratch
//!    `BlobBuilder`. The first uses placeholder targets and full-size offsets, so its
//!    pcs are an upper bound; the next ones encode branch offsets in as few bytes as
//!    the previous pcs need, until the pcs stop changing. An offset is the distance
//!    from the instruction to its target both in the previous layout, so in the bitmask
//!    encodings distances, and with them sizes, only shrink from pass to pass: the
//!    layout converges, and every offset ends up in as few bytes as it needs. In the
//!    extended encoding macro-block padding can move code forward again, so after a
//!    few passes instructions may only grow (each keeps at least its size of the pass
//!    before), which converges. Should it still not, the full-size layout is kept.
//! 3. Pass two encodes, with `fallthrough` inserted where a jump target would
//!    otherwise sit in the middle of a PVM basic block, and a `jump` where a block's
//!    successor is not laid out right after it.
//!
//! Blocks of the [`Cfg`] that are not jump targets simply continue the PVM basic block
//! before them.

use std::collections::{BTreeMap, BTreeSet};

use pvm::isa::Shape;
use pvm::program::{Args, BlobBuilder};
use pvm::{InstructionSet, Opcode};

use crate::cfg::Cfg;
use crate::error::{LinkError, Result};
use crate::layout::{DataReloc, Layout};
use crate::lower::{Fix, Item};
use crate::meta::Export;

/// Everything the emitter needs.
pub struct Program<'a> {
    pub isa: InstructionSet,
    pub cfg: &'a Cfg,
    /// The ELF address of every translated instruction (before optimisation): what
    /// counts as a code address.
    pub code_addresses: &'a BTreeSet<u64>,
    pub layout: Layout,
    pub exports: &'a [Export],
    pub imports: &'a [Vec<u8>],
    pub data_relocs: &'a [(u64, DataReloc)],
}

/// Address resolution: code addresses, jump table and pcs.
struct Resolver<'a> {
    layout: &'a Layout,
    insn_addresses: &'a BTreeSet<u64>,
    jump_table: Vec<u64>,
    pcs: BTreeMap<u64, u32>,
}

impl Resolver<'_> {
    fn is_code(&self, address: u64) -> bool {
        self.insn_addresses.contains(&address)
            && !self.layout.placed.iter().any(|p| (p.elf_start..p.elf_end).contains(&address))
    }

    /// The run-time value of an ELF address: jump-table address for code, VM address for data.
    fn value(&self, address: u64, from: u64) -> Result<u32> {
        if self.is_code(address) {
            let index = self.jump_table.binary_search(&address).map_err(|_| LinkError::BadCodeAddress(address))?;
            return u32::try_from((index + 1) * 2).map_err(|_| LinkError::Overflow("a jump table address"));
        }
        self.layout.data_address(address).ok_or(LinkError::DanglingAddress { address, from })
    }

    /// The pc of a code address (0 during the sizing pass).
    fn pc(&self, address: u64, sizing: bool) -> Result<u32> {
        if sizing {
            return Ok(0);
        }
        self.pcs.get(&address).copied().ok_or(LinkError::BadCodeAddress(address))
    }

    /// The item's operands with every late-bound one filled in.
    fn args(&self, item: &Item, from: u64, sizing: bool) -> Result<Args> {
        let mut args = item.args;
        match item.fix {
            Fix::None => {}
            Fix::Addr(address) => args.imm1 = self.value(address, from)?,
            Fix::Target(address) => {
                let pc = self.pc(address, sizing)?;
                match item.opcode.shape() {
                    Shape::RegImmOffset => args.imm2 = pc,
                    _ => args.imm1 = pc,
                }
            }
            Fix::Call { ret, target } => {
                args.imm1 = self.value(ret, from)?;
                args.imm2 = self.pc(target, sizing)?;
            }
            Fix::CallIndirect { ret } => args.imm1 = self.value(ret, from)?,
        }
        Ok(args)
    }
}

/// Code addresses that must be reachable through the jump table, and those that
/// must start a basic block.
fn collect_targets(program: &Program, resolver: &Resolver) -> (BTreeSet<u64>, BTreeSet<u64>) {
    let mut dynamic = BTreeSet::new();
    let mut starts: BTreeSet<u64> = program.exports.iter().map(|e| e.address).collect();
    let blocks = &program.cfg.blocks;
    for (n, block) in blocks.iter().enumerate() {
        for item in &block.items {
            match item.fix {
                Fix::None => {}
                Fix::Addr(address) if resolver.is_code(address) => {
                    dynamic.insert(address);
                }
                Fix::Addr(_) => {}
                Fix::Target(target) => {
                    starts.insert(target);
                }
                Fix::Call { ret, target } => {
                    dynamic.insert(ret);
                    starts.insert(target);
                }
                Fix::CallIndirect { ret } => {
                    dynamic.insert(ret);
                }
            }
        }
        // A successor laid out elsewhere is reached with a jump.
        if let Some(next) = block.next {
            if blocks.get(n + 1).map(|b| b.label) != Some(next) {
                starts.insert(next);
            }
        }
    }
    for (_, reloc) in program.data_relocs {
        dynamic.extend(reloc.targets().filter(|&address| resolver.is_code(address)));
    }
    starts.extend(dynamic.iter().copied());
    (dynamic, starts)
}

/// How many compact layout passes to try before keeping full-size offsets.
const MAX_LAYOUT_PASSES: usize = 48;

/// How many compact layout passes may shrink instructions. Later passes only let them
/// grow (each instruction is at least as long as in the pass before), which reaches a
/// fixed point in the extended encoding too, where macro-block padding can otherwise
/// make the layout oscillate.
const FREE_LAYOUT_PASSES: usize = 16;

/// Lays out and encodes the code; returns the blob.
pub fn write(mut program: Program) -> Result<Vec<u8>> {
    let layout = program.layout.clone();
    let mut resolver = Resolver {
        layout: &layout,
        insn_addresses: program.code_addresses,
        jump_table: Vec::new(),
        pcs: BTreeMap::new(),
    };
    let (dynamic, starts) = collect_targets(&program, &resolver);
    let labels: BTreeSet<u64> = program.cfg.blocks.iter().map(|b| b.label).collect();
    for &address in &starts {
        if !labels.contains(&address) {
            return Err(LinkError::BadCodeAddress(address));
        }
    }
    resolver.jump_table = dynamic.into_iter().collect();

    // Layout: sizes and pcs, to a fixed point.
    let mut sizer = Sizer::new(program.isa, Vec::new(), Vec::new(), false);
    resolver.pcs = walk(&program, &resolver, &starts, true, &mut sizer)?;
    let full_size_pcs = resolver.pcs.clone();
    let mut compact = false;
    let mut sizes = Vec::new();
    let mut insn_pcs = sizer.pcs;
    for pass in 0..MAX_LAYOUT_PASSES {
        let grow_only = pass >= FREE_LAYOUT_PASSES;
        let mut sizer = Sizer::new(program.isa, std::mem::take(&mut sizes), insn_pcs.clone(), grow_only);
        sizer.builder.compact_offsets(true);
        let pcs = walk(&program, &resolver, &starts, false, &mut sizer)?;
        sizes = sizer.sizes;
        // Every instruction where it was: the offsets measured in the previous layout are
        // this layout's.
        let settled = pcs == resolver.pcs && sizer.pcs == insn_pcs;
        insn_pcs = sizer.pcs;
        if settled {
            compact = true;
            break;
        }
        resolver.pcs = pcs;
    }
    if !compact {
        resolver.pcs = full_size_pcs;
        sizes.clear();
    }

    // The real encoding.
    let mut builder = BlobBuilder::new(program.isa);
    builder.compact_offsets(compact);
    let mut writer = Writer { builder: &mut builder, exports: program.exports, sizes: &sizes, index: 0 };
    let pcs = walk(&program, &resolver, &starts, false, &mut writer)?;
    // Targets were resolved with the layout's pcs: a different encoding would be wrong code.
    if pcs != resolver.pcs {
        return Err(LinkError::Internal("the final encoding does not match the layout"));
    }
    for address in &resolver.jump_table {
        builder.jump_table_entry(resolver.pcs[address]);
    }

    apply_data_relocations(&mut program, &resolver)?;
    let layout = &mut program.layout;
    layout.trim();
    builder
        .ro_data(&layout.ro_data, layout.ro_size)
        .rw_data(&layout.rw_data, layout.rw_size)
        .stack_size(layout.stack_size);
    for symbol in program.imports {
        let name =
            std::str::from_utf8(symbol).map_err(|_| LinkError::Imports("an import symbol is not UTF-8".into()))?;
        builder.import(name);
    }
    Ok(builder.build())
}

/// Receives the instruction stream of a pass.
trait Sink {
    /// Called when the instruction at ELF `address` starts (after any `fallthrough`).
    fn begin(&mut self, address: u64) -> Result<()>;
    /// Appends one instruction; returns its pc.
    fn push(&mut self, opcode: Opcode, args: Args, address: u64) -> Result<u32>;
    /// The pc of the next instruction.
    fn pc(&self) -> u32;
}

/// A layout pass. Every pass pushes the same instruction sequence, so the `n`th push
/// is the same instruction in all of them.
struct Sizer {
    builder: BlobBuilder,
    /// The size of every instruction pushed (in the previous pass, until overwritten).
    sizes: Vec<usize>,
    /// The pc of every instruction in the previous pass (empty in the first).
    previous_pcs: Vec<u32>,
    /// The pc of every instruction pushed.
    pcs: Vec<u32>,
    /// Whether instructions keep at least their size of the previous pass.
    grow_only: bool,
    /// The number of instructions pushed.
    index: usize,
}

impl Sizer {
    fn new(isa: InstructionSet, sizes: Vec<usize>, previous_pcs: Vec<u32>, grow_only: bool) -> Self {
        Sizer { builder: BlobBuilder::new(isa), sizes, previous_pcs, pcs: Vec::new(), grow_only, index: 0 }
    }
}

/// `args` with the target moved by as much as the instruction moved from `previous_pc`
/// to `pc`: the offset becomes the distance of the previous layout, where the target's pc
/// comes from.
fn rebased(opcode: Opcode, mut args: Args, previous_pc: u32, pc: u32) -> Args {
    let target = match opcode.shape() {
        Shape::Offset | Shape::RegRegOffset => &mut args.imm1,
        Shape::RegImmOffset => &mut args.imm2,
        _ => return args,
    };
    *target = target.wrapping_sub(previous_pc).wrapping_add(pc);
    args
}

impl Sink for Sizer {
    fn begin(&mut self, _address: u64) -> Result<()> {
        Ok(())
    }

    fn push(&mut self, opcode: Opcode, args: Args, address: u64) -> Result<u32> {
        let isa = self.builder.isa();
        if !isa.supports(opcode) {
            return Err(LinkError::MissingOpcode { opcode, isa, address });
        }
        if self.builder.pc() > pvm::program::MAX_CODE_SIZE {
            return Err(LinkError::Overflow("the code size"));
        }
        let min_size = if self.grow_only { self.sizes.get(self.index).copied().unwrap_or(0) } else { 0 };
        let args = match self.previous_pcs.get(self.index) {
            Some(&previous_pc) => rebased(opcode, args, previous_pc, self.builder.pc()),
            None => args,
        };
        let pc = self.builder.push_at_least(opcode, args, min_size);
        self.pcs.push(pc);
        let size = (self.builder.pc() - pc) as usize;
        match self.sizes.get_mut(self.index) {
            Some(slot) => *slot = size,
            None => self.sizes.push(size),
        }
        self.index += 1;
        Ok(pc)
    }

    fn pc(&self) -> u32 {
        self.builder.pc()
    }
}

struct Writer<'a> {
    builder: &'a mut BlobBuilder,
    exports: &'a [Export],
    /// The instruction sizes of the last layout pass (empty for full-size offsets).
    sizes: &'a [usize],
    /// The number of instructions pushed.
    index: usize,
}

impl Sink for Writer<'_> {
    fn begin(&mut self, address: u64) -> Result<()> {
        for export in self.exports.iter().filter(|e| e.address == address) {
            let name = std::str::from_utf8(&export.metadata.symbol)
                .map_err(|_| LinkError::Metadata { address, reason: "export symbol is not UTF-8".into() })?;
            self.builder.export_here(name);
        }
        Ok(())
    }

    fn push(&mut self, opcode: Opcode, args: Args, _address: u64) -> Result<u32> {
        // The sizing pass has already checked that the instruction set has `opcode`.
        let min_size = self.sizes.get(self.index).copied().unwrap_or(0);
        self.index += 1;
        Ok(self.builder.push_at_least(opcode, args, min_size))
    }

    fn pc(&self) -> u32 {
        self.builder.pc()
    }
}

/// Walks all blocks in order, feeding `sink`; returns the pc of every block label.
fn walk(
    program: &Program,
    resolver: &Resolver,
    starts: &BTreeSet<u64>,
    sizing: bool,
    sink: &mut dyn Sink,
) -> Result<BTreeMap<u64, u32>> {
    let mut pcs = BTreeMap::new();
    let mut block_open = false;
    let blocks = &program.cfg.blocks;
    for (n, block) in blocks.iter().enumerate() {
        if block_open && starts.contains(&block.label) {
            sink.push(Opcode::Fallthrough, Args::default(), block.label)?;
            block_open = false;
        }
        pcs.insert(block.label, sink.pc());
        sink.begin(block.label)?;
        for item in &block.items {
            let args = resolver.args(item, block.label, sizing)?;
            sink.push(item.opcode, args, block.label)?;
            block_open = !item.opcode.ends_basic_block();
        }
        match block.next {
            Some(next) if blocks.get(n + 1).map(|b| b.label) != Some(next) => {
                let jump = Item { opcode: Opcode::Jump, args: Args::default(), fix: Fix::Target(next) };
                let args = resolver.args(&jump, block.label, sizing)?;
                sink.push(Opcode::Jump, args, block.label)?;
                block_open = false;
            }
            Some(_) => {}
            None if block_open => {
                // The optimiser keeps an unconditional transfer at the end of such
                // blocks; should one lack it, running off the end must not go on.
                sink.push(Opcode::Trap, Args::default(), block.label)?;
                block_open = false;
            }
            None => {}
        }
    }
    Ok(pcs)
}

/// Patches pointers in RO/RW data: code addresses become jump-table addresses,
/// data addresses VM addresses.
fn apply_data_relocations(program: &mut Program, resolver: &Resolver) -> Result<()> {
    for &(site, reloc) in program.data_relocs {
        match reloc {
            DataReloc::Abs { target, size } => {
                let value = resolver.value(target, site)?;
                program.layout.patch(site, size, u64::from(value))?;
            }
            DataReloc::Diff { target, origin, size } => {
                let value = resolver.value(target, site)?.wrapping_sub(resolver.value(origin, site)?);
                // Sign-extend so that 8-byte differences stay negative.
                program.layout.patch(site, size, value as i32 as i64 as u64)?;
            }
            DataReloc::Diff6 { target, origin } => {
                let value = resolver.value(target, site)?.wrapping_sub(resolver.value(origin, site)?);
                let old = program.layout.byte(site).unwrap_or(0);
                program.layout.patch(site, 1, u64::from((old & !0x3f) | (value as u8 & 0x3f)))?;
            }
        }
    }
    Ok(())
}
