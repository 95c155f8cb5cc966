//! What the instructions that compute register values do: the one definition of the
//! arithmetic, logic, shifts, comparisons, conditional moves and branch conditions,
//! shared by the interpreter and by the linker's constant folding (`pvm-linker`).
//!
//! Each function is a pure function of an [`Opcode`] and operand values, and returns
//! `None` for opcodes it does not cover. All are `#[inline(always)]`: called with a
//! constant opcode (as the interpreter's dispatch arms do), they compile to that
//! opcode's code alone.
//!
//! # Operands
//!
//! `x` is the first source register (register 1 of the encoding, after the
//! destination; register 0 of a branch) and `y` the second source: register 2 of
//! three-register forms, the immediate of register-register-immediate and
//! register-immediate forms (sign-extended from 32 bits to 64), register 1 of
//! two-register branches. Two-register instructions (`move_reg`, counts, sign and zero
//! extensions, `reverse_byte`) read `x` alone; `load_imm` and `load_imm64` produce `y`.
//!
//! The `_alt` forms have the immediate as their first operand: `shift_logical_left_imm_alt_32
//! d, s, imm` is `d = imm << s`, that is [`alu`]`(ShiftLogicalLeftImmAlt32, _, x = s, y =
//! imm)` computes `y << x`. Likewise `negate_and_add_imm` is `y - x` and
//! `set_greater_than_*_imm` is `x > y` (`y < x`).
//!
//! # Width
//!
//! Registers are 64 bits wide. On the 32-bit instruction set (Latest32) every register
//! holds a sign-extended 32-bit value, and given such inputs every instruction but
//! `reverse_byte` and the `mul_upper_*` family computes the same result at either width;
//! those two take `is_64_bit = false` there, and produce sign-extended 32-bit results.
//! Instructions named `_32` compute on the low 32 bits of their inputs and sign-extend
//! the 32-bit result; shift amounts are taken modulo the width (5 or 6 bits), as are
//! rotate amounts.
//!
//! # Division
//!
//! Division never traps (RISC-V semantics): `x / 0` is all ones, `x % 0` is `x`,
//! `MIN / -1` is `MIN` (it overflows) and `MIN % -1` is 0.

use crate::isa::Opcode;

/// The sign extension of a 32-bit value to 64 bits (what every `_32` instruction does
/// with its result, and how immediates are widened).
#[inline(always)]
pub const fn sext32(value: u32) -> u64 {
    value as i32 as i64 as u64
}

/// The size `sbrk` grows the heap by, from its operand register: on 64-bit
/// instruction sets a value above `u32::MAX` counts as 0 (so `sbrk` returns the heap
/// top unchanged), like the reference.
#[inline]
pub const fn sbrk_size(is_64_bit: bool, value: u64) -> u32 {
    if is_64_bit && value > u32::MAX as u64 {
        0
    } else {
        value as u32
    }
}

/// The result of a register-producing instruction that is a pure function of its
/// operands `x` and `y` (see the [module documentation](self) for which operand is
/// which, and for `is_64_bit`): arithmetic, logic, shifts, rotates, comparisons, counts,
/// extensions, `move_reg`, `load_imm` and `load_imm64`. `None` for other opcodes,
/// including the conditional moves (whose result also depends on the destination's old
/// value; see [`cmov`]).
#[inline(always)]
pub fn alu(opcode: Opcode, is_64_bit: bool, x: u64, y: u64) -> Option<u64> {
    use Opcode as O;
    Some(match opcode {
        O::LoadImm | O::LoadImm64 => y,
        O::MoveReg => x,

        O::CountSetBits64 => u64::from(x.count_ones()),
        O::CountSetBits32 => u64::from((x as u32).count_ones()),
        O::CountLeadingZeroBits64 => u64::from(x.leading_zeros()),
        O::CountLeadingZeroBits32 => u64::from((x as u32).leading_zeros()),
        O::CountTrailingZeroBits64 => u64::from(x.trailing_zeros()),
        O::CountTrailingZeroBits32 => u64::from((x as u32).trailing_zeros()),
        O::SignExtend8 => x as i8 as i64 as u64,
        O::SignExtend16 => x as i16 as i64 as u64,
        O::ZeroExtend16 => u64::from(x as u16),
        O::ReverseByte if is_64_bit => x.swap_bytes(),
        O::ReverseByte => sext32((x as u32).swap_bytes()),

        O::Add32 | O::AddImm32 => sext32((x as u32).wrapping_add(y as u32)),
        O::Add64 | O::AddImm64 => x.wrapping_add(y),
        O::Sub32 => sub32(x, y),
        O::NegateAndAddImm32 => sub32(y, x),
        O::Sub64 => sub64(x, y),
        O::NegateAndAddImm64 => sub64(y, x),
        O::Mul32 | O::MulImm32 => sext32((x as u32).wrapping_mul(y as u32)),
        O::Mul64 | O::MulImm64 => x.wrapping_mul(y),
        O::MulUpperSignedSigned if is_64_bit => ((i128::from(x as i64) * i128::from(y as i64)) >> 64) as u64,
        O::MulUpperSignedSigned => sext32(((i64::from(x as i32) * i64::from(y as i32)) >> 32) as u32),
        O::MulUpperUnsignedUnsigned if is_64_bit => ((u128::from(x) * u128::from(y)) >> 64) as u64,
        O::MulUpperUnsignedUnsigned => sext32(((u64::from(x as u32) * u64::from(y as u32)) >> 32) as u32),
        // Signed `x` times unsigned `y`.
        O::MulUpperSignedUnsigned if is_64_bit => ((i128::from(x as i64) * i128::from(y)) >> 64) as u64,
        O::MulUpperSignedUnsigned => sext32(((i64::from(x as i32) * i64::from(y as u32)) >> 32) as u32),
        O::DivUnsigned32 => sext32(w32::div_unsigned(x as u32, y as u32)),
        O::DivSigned32 => sext32(w32::div_signed(x as i32, y as i32) as u32),
        O::RemUnsigned32 => sext32(w32::rem_unsigned(x as u32, y as u32)),
        O::RemSigned32 => sext32(w32::rem_signed(x as i32, y as i32) as u32),
        O::DivUnsigned64 => w64::div_unsigned(x, y),
        O::DivSigned64 => w64::div_signed(x as i64, y as i64) as u64,
        O::RemUnsigned64 => w64::rem_unsigned(x, y),
        O::RemSigned64 => w64::rem_signed(x as i64, y as i64) as u64,

        O::And | O::AndImm => x & y,
        O::Xor | O::XorImm => x ^ y,
        O::Or | O::OrImm => x | y,
        O::AndInverted => x & !y,
        O::OrInverted => x | !y,
        O::Xnor => !(x ^ y),

        O::SetLessThanUnsigned | O::SetLessThanUnsignedImm => less_unsigned(x, y),
        O::SetGreaterThanUnsignedImm => less_unsigned(y, x),
        O::SetLessThanSigned | O::SetLessThanSignedImm => less_signed(x, y),
        O::SetGreaterThanSignedImm => less_signed(y, x),
        O::Maximum => (x as i64).max(y as i64) as u64,
        O::MaximumUnsigned => x.max(y),
        O::Minimum => (x as i64).min(y as i64) as u64,
        O::MinimumUnsigned => x.min(y),

        O::ShiftLogicalLeft32 | O::ShiftLogicalLeftImm32 => shl32(x, y),
        O::ShiftLogicalLeftImmAlt32 => shl32(y, x),
        O::ShiftLogicalRight32 | O::ShiftLogicalRightImm32 => shr32(x, y),
        O::ShiftLogicalRightImmAlt32 => shr32(y, x),
        O::ShiftArithmeticRight32 | O::ShiftArithmeticRightImm32 => sar32(x, y),
        O::ShiftArithmeticRightImmAlt32 => sar32(y, x),
        O::ShiftLogicalLeft64 | O::ShiftLogicalLeftImm64 => shl64(x, y),
        O::ShiftLogicalLeftImmAlt64 => shl64(y, x),
        O::ShiftLogicalRight64 | O::ShiftLogicalRightImm64 => shr64(x, y),
        O::ShiftLogicalRightImmAlt64 => shr64(y, x),
        O::ShiftArithmeticRight64 | O::ShiftArithmeticRightImm64 => sar64(x, y),
        O::ShiftArithmeticRightImmAlt64 => sar64(y, x),
        O::RotateLeft32 => sext32((x as u32).rotate_left(y as u32 & 31)),
        O::RotateLeft64 => x.rotate_left(y as u32 & 63),
        O::RotateRight32 | O::RotateRightImm32 => rotr32(x, y),
        O::RotateRightImmAlt32 => rotr32(y, x),
        O::RotateRight64 | O::RotateRightImm64 => rotr64(x, y),
        O::RotateRightImmAlt64 => rotr64(y, x),
        _ => return None,
    })
}

/// Whether a conditional move moves, given its condition: `y` (the second source
/// register) for `cmov_if_zero` and `cmov_if_not_zero`, which then move `x`; `x` (the
/// source register) for `cmov_if_zero_imm` and `cmov_if_not_zero_imm`, which then move
/// the immediate. The destination keeps its value otherwise. `None` for other opcodes.
#[inline(always)]
pub fn cmov(opcode: Opcode, condition: u64) -> Option<bool> {
    use Opcode as O;
    match opcode {
        O::CmovIfZero | O::CmovIfZeroImm => Some(condition == 0),
        O::CmovIfNotZero | O::CmovIfNotZeroImm => Some(condition != 0),
        _ => None,
    }
}

/// Whether a conditional branch is taken: `x` is its register, `y` its second register
/// or its immediate (sign-extended). `None` for other opcodes.
#[inline(always)]
pub fn branch_taken(opcode: Opcode, x: u64, y: u64) -> Option<bool> {
    use Opcode as O;
    let (sx, sy) = (x as i64, y as i64);
    Some(match opcode {
        O::BranchEq | O::BranchEqImm => x == y,
        O::BranchNotEq | O::BranchNotEqImm => x != y,
        O::BranchLessUnsigned | O::BranchLessUnsignedImm => x < y,
        O::BranchLessSigned | O::BranchLessSignedImm => sx < sy,
        O::BranchGreaterOrEqualUnsigned | O::BranchGreaterOrEqualUnsignedImm => x >= y,
        O::BranchGreaterOrEqualSigned | O::BranchGreaterOrEqualSignedImm => sx >= sy,
        O::BranchLessOrEqualUnsignedImm => x <= y,
        O::BranchLessOrEqualSignedImm => sx <= sy,
        O::BranchGreaterUnsignedImm => x > y,
        O::BranchGreaterSignedImm => sx > sy,
        _ => return None,
    })
}

// The operations that some instruction applies with its operands swapped.

#[inline(always)]
fn sub32(x: u64, y: u64) -> u64 {
    sext32((x as u32).wrapping_sub(y as u32))
}

#[inline(always)]
fn sub64(x: u64, y: u64) -> u64 {
    x.wrapping_sub(y)
}

#[inline(always)]
fn less_unsigned(x: u64, y: u64) -> u64 {
    u64::from(x < y)
}

#[inline(always)]
fn less_signed(x: u64, y: u64) -> u64 {
    u64::from((x as i64) < (y as i64))
}

#[inline(always)]
fn shl32(value: u64, amount: u64) -> u64 {
    sext32((value as u32).wrapping_shl(amount as u32))
}

#[inline(always)]
fn shr32(value: u64, amount: u64) -> u64 {
    sext32((value as u32).wrapping_shr(amount as u32))
}

#[inline(always)]
fn sar32(value: u64, amount: u64) -> u64 {
    sext32((value as i32).wrapping_shr(amount as u32) as u32)
}

#[inline(always)]
fn shl64(value: u64, amount: u64) -> u64 {
    value.wrapping_shl(amount as u32)
}

#[inline(always)]
fn shr64(value: u64, amount: u64) -> u64 {
    value.wrapping_shr(amount as u32)
}

#[inline(always)]
fn sar64(value: u64, amount: u64) -> u64 {
    (value as i64).wrapping_shr(amount as u32) as u64
}

#[inline(always)]
fn rotr32(value: u64, amount: u64) -> u64 {
    sext32((value as u32).rotate_right(amount as u32 & 31))
}

#[inline(always)]
fn rotr64(value: u64, amount: u64) -> u64 {
    value.rotate_right(amount as u32 & 63)
}

/// Division and remainder at one width, with the edge cases of the module
/// documentation, written once for both.
macro_rules! division {
    ($width:ident, $unsigned:ty, $signed:ty) => {
        mod $width {
            #[inline(always)]
            pub fn div_unsigned(x: $unsigned, y: $unsigned) -> $unsigned {
                x.checked_div(y).unwrap_or(<$unsigned>::MAX)
            }

            #[inline(always)]
            pub fn rem_unsigned(x: $unsigned, y: $unsigned) -> $unsigned {
                x.checked_rem(y).unwrap_or(x)
            }

            #[inline(always)]
            pub fn div_signed(x: $signed, y: $signed) -> $signed {
                if y == 0 {
                    -1
                } else {
                    x.wrapping_div(y)
                }
            }

            #[inline(always)]
            pub fn rem_signed(x: $signed, y: $signed) -> $signed {
                if y == 0 {
                    x
                } else {
                    x.wrapping_rem(y)
                }
            }
        }
    };
}
division!(w32, u32, i32);
division!(w64, u64, i64);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::Shape;
    use Opcode as O;

    const MIN32: u64 = sext32(i32::MIN as u32);
    const MINUS_ONE: u64 = u64::MAX;

    fn alu64(opcode: Opcode, x: u64, y: u64) -> u64 {
        alu(opcode, true, x, y).unwrap_or_else(|| panic!("{opcode} is an ALU instruction"))
    }

    fn alu32(opcode: Opcode, x: u64, y: u64) -> u64 {
        alu(opcode, false, x, y).unwrap_or_else(|| panic!("{opcode} is an ALU instruction"))
    }

    #[test]
    fn division_by_zero_and_overflow() {
        for (div, rem) in [(O::DivUnsigned32, O::RemUnsigned32), (O::DivSigned32, O::RemSigned32)] {
            assert_eq!(alu64(div, 7, 0), MINUS_ONE, "{div}");
            assert_eq!(alu64(rem, 7, 0), 7, "{rem}");
            // The dividend's low half, sign-extended.
            assert_eq!(alu64(rem, 0x1_8000_0000, 0), MIN32, "{rem}");
        }
        for (div, rem) in [(O::DivUnsigned64, O::RemUnsigned64), (O::DivSigned64, O::RemSigned64)] {
            assert_eq!(alu64(div, 7, 0), MINUS_ONE, "{div}");
            assert_eq!(alu64(rem, 0x1_8000_0000, 0), 0x1_8000_0000, "{rem}");
        }
        assert_eq!(alu64(O::DivSigned32, MIN32, MINUS_ONE), MIN32);
        assert_eq!(alu64(O::RemSigned32, MIN32, MINUS_ONE), 0);
        assert_eq!(alu64(O::DivSigned64, i64::MIN as u64, MINUS_ONE), i64::MIN as u64);
        assert_eq!(alu64(O::RemSigned64, i64::MIN as u64, MINUS_ONE), 0);
        // Unsigned division of what is negative as a signed number.
        assert_eq!(alu64(O::DivUnsigned32, MIN32, 2), 0x4000_0000);
        assert_eq!(alu64(O::DivSigned32, MIN32, 2), sext32(0xc000_0000));
        assert_eq!(alu64(O::RemSigned64, -7i64 as u64, 2), MINUS_ONE);
        assert_eq!(alu64(O::RemUnsigned64, -7i64 as u64, 2), 1);
    }

    #[test]
    fn shift_amounts_wrap_at_the_width() {
        assert_eq!(alu64(O::ShiftLogicalLeft32, 1, 32), 1);
        assert_eq!(alu64(O::ShiftLogicalLeft32, 1, 33), 2);
        assert_eq!(alu64(O::ShiftLogicalLeftImm32, 1, 31), MIN32);
        assert_eq!(alu64(O::ShiftLogicalRight32, MIN32, 63), 1);
        assert_eq!(alu64(O::ShiftArithmeticRight32, MIN32, 63), MINUS_ONE);
        assert_eq!(alu64(O::ShiftLogicalLeft64, 1, 64), 1);
        assert_eq!(alu64(O::ShiftLogicalLeft64, 1, 65), 2);
        assert_eq!(alu64(O::ShiftLogicalRightImm64, 1 << 63, 127), 1);
        assert_eq!(alu64(O::ShiftArithmeticRightImm64, 1 << 63, 127), MINUS_ONE);
        // The alternative forms shift the immediate `y` by the register `x`.
        assert_eq!(alu64(O::ShiftLogicalLeftImmAlt32, 33, 1), 2);
        assert_eq!(alu64(O::ShiftLogicalRightImmAlt32, 31, MIN32), 1);
        assert_eq!(alu64(O::ShiftArithmeticRightImmAlt32, 31, MIN32), MINUS_ONE);
        assert_eq!(alu64(O::ShiftLogicalLeftImmAlt64, 3, MINUS_ONE), 0xffff_ffff_ffff_fff8);
        assert_eq!(alu64(O::ShiftLogicalRightImmAlt64, 64 + 60, MINUS_ONE), 0xf);
        assert_eq!(alu64(O::ShiftArithmeticRightImmAlt64, 60, 1 << 63), 0xffff_ffff_ffff_fff8);
    }

    #[test]
    fn results_of_32_bit_operations_are_sign_extended() {
        assert_eq!(alu64(O::AddImm32, 0x7fff_ffff, 1), MIN32);
        assert_eq!(alu64(O::Add32, 0xffff_ffff_8000_0000, MINUS_ONE), 0x7fff_ffff);
        assert_eq!(alu64(O::Sub32, 0, 1), MINUS_ONE);
        assert_eq!(alu64(O::NegateAndAddImm32, 1, 0), MINUS_ONE);
        assert_eq!(alu64(O::NegateAndAddImm64, 3, 0), 3u64.wrapping_neg());
        assert_eq!(alu64(O::Mul32, 0x1_0000, 0x8000), MIN32);
        assert_eq!(alu64(O::MulImm32, 0x1_0000_0003, 2), 6);
        assert_eq!(alu64(O::CountLeadingZeroBits32, 0xffff_ffff_0000_0001, 0), 31);
        assert_eq!(alu64(O::CountSetBits32, MINUS_ONE, 0), 32);
        assert_eq!(alu64(O::SignExtend8, 0x80, 0), sext32(0xffff_ff80));
        assert_eq!(alu64(O::SignExtend16, 0x1_7fff, 0), 0x7fff);
        assert_eq!(alu64(O::ZeroExtend16, MINUS_ONE, 0), 0xffff);
        // `reverse_byte` at either width.
        assert_eq!(alu64(O::ReverseByte, 0x0102_0304_0506_0780, 0), 0x8007_0605_0403_0201);
        assert_eq!(alu32(O::ReverseByte, 0x0506_0780, 0), sext32(0x8007_0605));
        assert_eq!(alu32(O::ReverseByte, 0x0506_0708, 0), 0x0807_0605);
    }

    #[test]
    fn rotates() {
        assert_eq!(alu64(O::RotateLeft32, sext32(0x8000_0001), 1), 3);
        assert_eq!(alu64(O::RotateLeft32, 1, 31 + 32), MIN32);
        assert_eq!(alu64(O::RotateRight32, 3, 1), MIN32 | 1);
        assert_eq!(alu64(O::RotateRightImm32, 1, 33), MIN32);
        assert_eq!(alu64(O::RotateRightImmAlt32, 33, 1), MIN32);
        assert_eq!(alu64(O::RotateLeft64, (1 << 63) | 1, 65), 3);
        assert_eq!(alu64(O::RotateRight64, 3, 1), (1 << 63) | 1);
        assert_eq!(alu64(O::RotateRightImm64, 1, 64 + 1), 1 << 63);
        assert_eq!(alu64(O::RotateRightImmAlt64, 4, 0xf), 0xf000_0000_0000_0000);
    }

    #[test]
    fn upper_halves_of_products() {
        let minus_two = -2i64 as u64;
        // 64-bit: -2 * 3 = -6, its upper half all ones; as unsigned, 2^64 - 2 times 3.
        assert_eq!(alu64(O::MulUpperSignedSigned, minus_two, 3), MINUS_ONE);
        assert_eq!(alu64(O::MulUpperUnsignedUnsigned, minus_two, 3), 2);
        assert_eq!(alu64(O::MulUpperSignedUnsigned, minus_two, 3), MINUS_ONE);
        // -2 times 2^64 - 1 (unsigned) is -2^65 + 2: upper half -2.
        assert_eq!(alu64(O::MulUpperSignedUnsigned, minus_two, MINUS_ONE), minus_two);
        assert_eq!(alu64(O::MulUpperSignedSigned, minus_two, MINUS_ONE), 0);
        assert_eq!(alu64(O::MulUpperSignedSigned, i64::MIN as u64, i64::MIN as u64), 1 << 62);
        // 32-bit: the same on the low halves, sign-extended.
        assert_eq!(alu32(O::MulUpperSignedSigned, minus_two, 3), MINUS_ONE);
        assert_eq!(alu32(O::MulUpperUnsignedUnsigned, minus_two, 3), 2);
        assert_eq!(alu32(O::MulUpperUnsignedUnsigned, MINUS_ONE, MINUS_ONE), sext32(0xffff_fffe));
        assert_eq!(alu32(O::MulUpperSignedUnsigned, minus_two, MINUS_ONE), minus_two);
        assert_eq!(alu32(O::MulUpperSignedSigned, MIN32, MIN32), 0x4000_0000);
    }

    #[test]
    fn comparisons() {
        assert_eq!(alu64(O::SetLessThanUnsigned, 1, MINUS_ONE), 1);
        assert_eq!(alu64(O::SetLessThanSigned, 1, MINUS_ONE), 0);
        assert_eq!(alu64(O::SetGreaterThanUnsignedImm, MINUS_ONE, 1), 1);
        assert_eq!(alu64(O::SetGreaterThanSignedImm, MINUS_ONE, 1), 0);
        assert_eq!(alu64(O::Maximum, MINUS_ONE, 1), 1);
        assert_eq!(alu64(O::MaximumUnsigned, MINUS_ONE, 1), MINUS_ONE);
        assert_eq!(alu64(O::Minimum, MINUS_ONE, 1), MINUS_ONE);
        assert_eq!(alu64(O::MinimumUnsigned, MINUS_ONE, 1), 1);
        assert_eq!(branch_taken(O::BranchLessUnsigned, 1, MINUS_ONE), Some(true));
        assert_eq!(branch_taken(O::BranchLessSignedImm, 1, MINUS_ONE), Some(false));
        assert_eq!(branch_taken(O::BranchGreaterSignedImm, 1, MINUS_ONE), Some(true));
        assert_eq!(branch_taken(O::BranchLessOrEqualUnsignedImm, 5, 5), Some(true));
        assert_eq!(cmov(O::CmovIfZero, 0), Some(true));
        assert_eq!(cmov(O::CmovIfNotZeroImm, 0), Some(false));
    }

    #[test]
    fn every_opcode_is_covered_by_one_function() {
        for &opcode in Opcode::ALL {
            let is_alu = alu(opcode, true, 0, 0).is_some();
            assert_eq!(is_alu, alu(opcode, false, 0, 0).is_some());
            let is_branch = branch_taken(opcode, 0, 0).is_some();
            let is_cmov = cmov(opcode, 0).is_some();
            let expected_branch =
                matches!(opcode.shape(), Shape::RegRegOffset | Shape::RegImmOffset) && opcode != O::LoadImmAndJump;
            assert_eq!(is_branch, expected_branch, "{opcode}");
            let expected_cmov =
                matches!(opcode, O::CmovIfZero | O::CmovIfNotZero | O::CmovIfZeroImm | O::CmovIfNotZeroImm);
            assert_eq!(is_cmov, expected_cmov, "{opcode}");
            // Every instruction that only writes a register computed from its operands.
            let expected_alu = match opcode.shape() {
                Shape::RegRegReg => !expected_cmov,
                Shape::RegReg => opcode != O::Sbrk,
                Shape::RegRegImm => {
                    !expected_cmov && !opcode.name().starts_with("load") && !opcode.name().starts_with("store")
                }
                Shape::RegImm64 => true,
                _ => opcode == O::LoadImm,
            };
            assert_eq!(is_alu, expected_alu, "{opcode}");
        }
    }
}
