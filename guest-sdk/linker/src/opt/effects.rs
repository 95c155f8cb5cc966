//! What each instruction reads and writes, for the data-flow analyses.

use pvm::isa::Shape;
use pvm::Opcode as O;

use crate::lower::Item;

/// A set of PVM registers (bit `n` = register `n`).
#[derive(Copy, Clone, PartialEq, Eq, Default, Debug)]
pub struct Regs(pub u16);

/// The number of PVM registers.
pub const REG_COUNT: u8 = 13;
/// The link register (`ra`).
pub const RA: u8 = 0;

impl Regs {
    pub const NONE: Regs = Regs(0);
    pub const ALL: Regs = Regs((1 << REG_COUNT) - 1);

    pub fn one(reg: u8) -> Regs {
        Regs(1 << reg)
    }

    pub fn contains(self, reg: u8) -> bool {
        self.0 & (1 << reg) != 0
    }

    pub fn with(self, reg: u8) -> Regs {
        Regs(self.0 | 1 << reg)
    }

    pub fn without(self, reg: u8) -> Regs {
        Regs(self.0 & !(1 << reg))
    }

    pub fn union(self, other: Regs) -> Regs {
        Regs(self.0 | other.0)
    }

    pub fn minus(self, other: Regs) -> Regs {
        Regs(self.0 & !other.0)
    }

    pub fn iter(self) -> impl Iterator<Item = u8> {
        (0..REG_COUNT).filter(move |&reg| self.contains(reg))
    }
}

const A0: u8 = 7;
const A1: u8 = 8;
const A2: u8 = 9;

/// How an instruction touches registers.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct Effects {
    /// Registers whose value the instruction may use.
    pub reads: Regs,
    /// Registers it certainly overwrites (unless it traps).
    pub writes: Regs,
    /// Registers it may change: `writes` plus whatever a host call may change.
    pub clobbers: Regs,
    /// Whether writing its destination is all it does: it can go if that is dead.
    pub pure: bool,
}

impl Effects {
    fn new(reads: Regs, writes: Regs, pure: bool) -> Effects {
        Effects { reads, writes, clobbers: writes, pure }
    }
}

/// The register effects of `item` (of its register operands; control flow is the
/// analyses' business).
pub fn effects(item: &Item) -> Effects {
    let reg = |n: usize| Regs::one(item.args.regs[n]);
    let none = Regs::NONE;
    match item.opcode.shape() {
        Shape::None => match item.opcode {
            O::Memset => Effects::new(Regs::one(A0).with(A1).with(A2), Regs::one(A0).with(A2), false),
            _ => Effects::new(none, none, false),
        },
        // A host call may read and change any register but the link register: the host
        // ABI passes arguments and results in `a0`-`a5`/`t0`-`t2` (`polkavm-linker`
        // assumes the same), and the link register holds the guest's own return address.
        Shape::Imm => {
            Effects { reads: Regs::ALL.without(RA), writes: none, clobbers: Regs::ALL.without(RA), pure: false }
        }
        Shape::Offset | Shape::ImmImm => Effects::new(none, none, false),
        Shape::RegImm64 => Effects::new(none, reg(0), true),
        Shape::RegImm => match item.opcode {
            O::LoadImm => Effects::new(none, reg(0), true),
            O::LoadU8 | O::LoadI8 | O::LoadU16 | O::LoadI16 | O::LoadU32 | O::LoadI32 | O::LoadU64 => {
                Effects::new(none, reg(0), false)
            }
            // Stores and `jump_indirect`.
            _ => Effects::new(reg(0), none, false),
        },
        Shape::RegImmImm => Effects::new(reg(0), none, false),
        Shape::RegImmOffset => match item.opcode {
            O::LoadImmAndJump => Effects::new(none, reg(0), false),
            _ => Effects::new(reg(0), none, false),
        },
        Shape::RegReg => match item.opcode {
            O::Sbrk => Effects::new(reg(1), reg(0), false),
            _ => Effects::new(reg(1), reg(0), true),
        },
        Shape::RegRegImm => match item.opcode {
            O::StoreIndirectU8 | O::StoreIndirectU16 | O::StoreIndirectU32 | O::StoreIndirectU64 => {
                Effects::new(reg(0).union(reg(1)), none, false)
            }
            O::LoadIndirectU8
            | O::LoadIndirectI8
            | O::LoadIndirectU16
            | O::LoadIndirectI16
            | O::LoadIndirectU32
            | O::LoadIndirectI32
            | O::LoadIndirectU64 => Effects::new(reg(1), reg(0), false),
            // A conditional move keeps the old value when the condition fails.
            O::CmovIfZeroImm | O::CmovIfNotZeroImm => Effects::new(reg(0).union(reg(1)), reg(0), true),
            _ => Effects::new(reg(1), reg(0), true),
        },
        Shape::RegRegOffset => Effects::new(reg(0).union(reg(1)), none, false),
        Shape::RegRegReg => match item.opcode {
            O::CmovIfZero | O::CmovIfNotZero => Effects::new(reg(0).union(reg(1)).union(reg(2)), reg(0), true),
            _ => Effects::new(reg(1).union(reg(2)), reg(0), true),
        },
        Shape::RegRegImmImm => Effects::new(reg(1), reg(0), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cfg::tests::item;

    #[test]
    fn operand_roles() {
        let add = effects(&item(O::Add64, [7, 8, 9], 0, 0));
        assert_eq!((add.reads, add.writes, add.pure), (Regs::one(8).with(9), Regs::one(7), true));
        let store = effects(&item(O::StoreIndirectU64, [7, 1, 0], 8, 0));
        assert_eq!((store.reads, store.writes, store.pure), (Regs::one(7).with(1), Regs::NONE, false));
        let load = effects(&item(O::LoadIndirectU64, [7, 1, 0], 8, 0));
        assert_eq!((load.reads, load.writes, load.pure), (Regs::one(1), Regs::one(7), false));
        let cmov = effects(&item(O::CmovIfZero, [7, 8, 9], 0, 0));
        assert!(cmov.reads.contains(7));
        let ecalli = effects(&item(O::Ecalli, [0; 3], 3, 0));
        assert!(!ecalli.reads.contains(RA) && ecalli.reads.contains(7) && ecalli.clobbers == Regs::ALL.without(RA));
        assert_eq!(effects(&item(O::LoadImm, [3, 0, 0], 5, 0)).writes, Regs::one(3));
    }
}
