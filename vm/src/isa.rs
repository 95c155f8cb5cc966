//! The instruction set: one table from which opcode numbering, operand shapes,
//! basic-block rules and mnemonics are all derived.
//!
//! Every instruction is listed exactly once in the `define_opcodes!` table below, with:
//! - its operand shape ([`Shape`]),
//! - its byte value in each "legacy" encoded instruction set (ReviveV1, JamV1,
//!   Latest32), `_` where the set lacks it,
//! - its raw opcodes in the "extended" encoding that `polkavm-linker` 0.37 uses for
//!   Latest64: a list of `args_length: raw_opcode` pairs (raw opcodes >= 255 are
//!   written as the prefix byte 0xFF followed by `raw - 255`).
//!
//! Decoding ([`crate::program::Code`]), the interpreter's translator, gas costs and
//! the disassembler all match on [`Opcode`], so adding an instruction here makes the
//! compiler point at every consumer that does not handle it yet.

use core::fmt;

/// How an instruction's operands are laid out after its opcode.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Shape {
    /// No operands.
    None,
    /// One immediate (`ecalli`).
    Imm,
    /// One pc-relative offset (`jump`).
    Offset,
    /// A register and an immediate.
    RegImm,
    /// A register, an immediate and a pc-relative offset.
    RegImmOffset,
    /// A register and two immediates.
    RegImmImm,
    /// Two registers and an immediate.
    RegRegImm,
    /// Two registers and a pc-relative offset.
    RegRegOffset,
    /// Three registers.
    RegRegReg,
    /// Two immediates.
    ImmImm,
    /// Two registers.
    RegReg,
    /// Two registers and two immediates (`load_imm_and_jump_indirect`).
    RegRegImmImm,
    /// A register and a full 64-bit immediate (`load_imm64`).
    RegImm64,
}

/// The instruction sets a program blob can be encoded in (the blob's version byte).
#[derive(Copy, Clone, PartialEq, Eq, Debug, Hash)]
pub enum InstructionSet {
    /// 64-bit, what pallet-revive deploys and the JAM PVM test vectors (v0.4) use. Version byte 0.
    ReviveV1,
    /// 32-bit, with `sbrk` and `memset`. Version byte 1.
    Latest32,
    /// 64-bit, with `sbrk` and `memset`, in the extended (bitmask-free) encoding of
    /// polkavm 0.37. Version byte 2.
    Latest64,
    /// 64-bit, the JAM instruction set (Gray Paper 0.8 numbering). Version byte 3.
    JamV1,
}

impl InstructionSet {
    /// Maps a blob's version byte to its instruction set.
    pub fn from_blob_version(version: u8) -> Option<Self> {
        match version {
            0 => Some(Self::ReviveV1),
            1 => Some(Self::Latest32),
            2 => Some(Self::Latest64),
            3 => Some(Self::JamV1),
            _ => None,
        }
    }

    /// The blob version byte of this instruction set.
    pub fn blob_version(self) -> u8 {
        match self {
            Self::ReviveV1 => 0,
            Self::Latest32 => 1,
            Self::Latest64 => 2,
            Self::JamV1 => 3,
        }
    }

    /// Whether registers are 64 bits wide.
    pub fn is_64_bit(self) -> bool {
        !matches!(self, Self::Latest32)
    }

    /// Whether code is encoded with an instruction-start bitmask ("legacy" encoding)
    /// rather than with fixed per-opcode lengths in 1 KiB macro blocks ("extended").
    pub fn uses_bitmask(self) -> bool {
        !matches!(self, Self::Latest64)
    }

    /// A short lowercase name, as used in listings.
    pub fn name(self) -> &'static str {
        match self {
            Self::ReviveV1 => "revive_v1",
            Self::Latest32 => "latest32",
            Self::Latest64 => "latest64",
            Self::JamV1 => "jam_v1",
        }
    }

    /// The opcode for a raw byte of a bitmask-encoded instruction set.
    #[inline]
    pub fn legacy_opcode(self, byte: u8) -> Option<Opcode> {
        let table = match self {
            Self::ReviveV1 => &tables::REVIVE_V1,
            Self::JamV1 => &tables::JAM_V1,
            Self::Latest32 => &tables::LATEST32,
            Self::Latest64 => return None,
        };
        table[usize::from(byte)]
    }

    /// The raw byte of `opcode` in a bitmask-encoded instruction set.
    pub fn legacy_byte(self, opcode: Opcode) -> Option<u8> {
        match self {
            Self::ReviveV1 => opcode.info().revive_v1,
            Self::JamV1 => opcode.info().jam_v1,
            Self::Latest32 => opcode.info().latest32,
            Self::Latest64 => None,
        }
    }

    /// Whether `opcode` exists in this instruction set.
    pub fn supports(self, opcode: Opcode) -> bool {
        match self {
            Self::Latest64 => !opcode.info().extended.is_empty(),
            _ => self.legacy_byte(opcode).is_some(),
        }
    }
}

impl fmt::Display for InstructionSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Static facts about one opcode, taken from the instruction table.
#[derive(Copy, Clone, Debug)]
pub struct OpcodeInfo {
    /// The mnemonic, as in the reference implementation.
    pub name: &'static str,
    /// The operand shape.
    pub shape: Shape,
    /// Byte value in ReviveV1.
    pub revive_v1: Option<u8>,
    /// Byte value in JamV1.
    pub jam_v1: Option<u8>,
    /// Byte value in Latest32.
    pub latest32: Option<u8>,
    /// `(args_length, raw_opcode)` pairs in the extended encoding (Latest64).
    pub extended: &'static [(u8, u16)],
}

macro_rules! opt_byte {
    (_) => {
        None
    };
    ($value:literal) => {
        Some($value)
    };
}

macro_rules! define_opcodes {
    ($(
        $variant:ident $name:ident : $shape:ident =
            [$revive:tt, $jam:tt, $l32:tt] [$($len:literal : $raw:literal),*];
    )+) => {
        /// Every instruction of every supported instruction set.
        #[derive(Copy, Clone, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Opcode {
            $(
                #[doc = concat!("`", stringify!($name), "`")]
                $variant,
            )+
        }

        impl Opcode {
            /// All opcodes, in table order.
            pub const ALL: &'static [Opcode] = &[$(Opcode::$variant,)+];

            /// Static facts about this opcode.
            #[inline]
            pub fn info(self) -> &'static OpcodeInfo {
                &INFO[self as usize]
            }

            /// The operand shape. A `match` rather than a look-up in `INFO`, so that it folds
            /// to a constant for a constant opcode (the interpreter relies on it).
            #[inline(always)]
            pub const fn shape(self) -> Shape {
                match self {
                    $(Opcode::$variant => Shape::$shape,)+
                }
            }
        }

        static INFO: &[OpcodeInfo] = &[$(
            OpcodeInfo {
                name: stringify!($name),
                shape: Shape::$shape,
                revive_v1: opt_byte!($revive),
                jam_v1: opt_byte!($jam),
                latest32: opt_byte!($l32),
                extended: &[$(($len, $raw)),*],
            },
        )+];
    };
}

define_opcodes! {
    //                                                        ReviveV1 JamV1 Latest32   Latest64 (extended)
    Trap trap: None                                          = [0, 0, 0] [0: 0];
    Fallthrough fallthrough: None                            = [1, 1, 1] [0: 1];
    Memset memset: None                                      = [_, _, 2] [0: 510];
    Unlikely unlikely: None                                  = [_, 2, 3] [0: 2];

    Ecalli ecalli: Imm                                       = [10, 10, 10] [1: 221, 4: 308];
    LoadImm64 load_imm64: RegImm64                           = [20, 20, _] [9: 239];

    StoreImmU8 store_imm_u8: ImmImm                          = [30, 30, 30] [6: 222, 9: 309];
    StoreImmU16 store_imm_u16: ImmImm                        = [31, 31, 31] [9: 310];
    StoreImmU32 store_imm_u32: ImmImm                        = [32, 32, 32] [5: 223, 6: 224, 9: 225];
    StoreImmU64 store_imm_u64: ImmImm                        = [33, 33, _] [5: 226, 9: 311];

    Jump jump: Offset                                        = [40, 40, 40] [1: 217, 2: 218, 3: 219, 4: 220];

    JumpIndirect jump_indirect: RegImm                       = [50, 50, 50] [1: 3, 5: 255];
    LoadImm load_imm: RegImm                                 = [51, 51, 51] [1: 4, 2: 5, 3: 6, 4: 7, 5: 8];
    LoadU8 load_u8: RegImm                                   = [52, 52, 52] [5: 9];
    LoadI8 load_i8: RegImm                                   = [53, 53, 53] [4: 10, 5: 256];
    LoadU16 load_u16: RegImm                                 = [54, 54, 54] [5: 11];
    LoadI16 load_i16: RegImm                                 = [55, 55, 55] [5: 12];
    LoadU32 load_u32: RegImm                                 = [56, 56, _] [5: 15];
    LoadI32 load_i32: RegImm                                 = [57, 57, 57] [4: 13, 5: 14];
    LoadU64 load_u64: RegImm                                 = [58, 58, _] [4: 16, 5: 17];
    StoreU8 store_u8: RegImm                                 = [59, 59, 59] [5: 18];
    StoreU16 store_u16: RegImm                               = [60, 60, 60] [5: 19];
    StoreU32 store_u32: RegImm                               = [61, 61, 61] [5: 20];
    StoreU64 store_u64: RegImm                               = [62, 62, _] [4: 21, 5: 22];

    StoreImmIndirectU8 store_imm_indirect_u8: RegImmImm      = [70, 70, 70] [1: 66, 2: 67, 3: 68, 4: 69, 5: 70, 9: 262];
    StoreImmIndirectU16 store_imm_indirect_u16: RegImmImm    = [71, 71, 71] [2: 71, 3: 72, 4: 73, 5: 74, 9: 263];
    StoreImmIndirectU32 store_imm_indirect_u32: RegImmImm    = [72, 72, 72] [1: 75, 2: 76, 3: 77, 4: 78, 6: 79, 9: 80];
    StoreImmIndirectU64 store_imm_indirect_u64: RegImmImm    = [73, 73, _] [1: 81, 2: 82, 3: 83, 4: 84, 5: 85, 6: 86, 7: 87, 9: 264];

    LoadImmAndJump load_imm_and_jump: RegImmOffset           = [80, 80, 80] [4: 23, 5: 24, 6: 25, 7: 26, 8: 27, 9: 257];
    BranchEqImm branch_eq_imm: RegImmOffset                  = [81, 81, 81] [2: 28, 3: 29, 4: 30, 5: 31, 6: 32, 9: 33];
    BranchNotEqImm branch_not_eq_imm: RegImmOffset           = [82, 82, 82] [2: 34, 3: 35, 4: 36, 6: 37, 9: 258];
    BranchLessUnsignedImm branch_less_unsigned_imm: RegImmOffset = [83, 83, 83] [3: 38, 4: 39, 5: 40, 9: 41];
    BranchLessOrEqualUnsignedImm branch_less_or_equal_unsigned_imm: RegImmOffset = [84, 84, 84] [3: 55, 4: 56, 6: 57, 9: 261];
    BranchGreaterOrEqualUnsignedImm branch_greater_or_equal_unsigned_imm: RegImmOffset = [85, 85, 85] [3: 46, 4: 47, 5: 48, 9: 259];
    BranchGreaterUnsignedImm branch_greater_unsigned_imm: RegImmOffset = [86, 86, 86] [3: 62, 4: 63, 5: 64, 9: 65];
    BranchLessSignedImm branch_less_signed_imm: RegImmOffset = [87, 87, 87] [2: 42, 3: 43, 4: 44, 9: 45];
    BranchLessOrEqualSignedImm branch_less_or_equal_signed_imm: RegImmOffset = [88, 88, 88] [2: 52, 3: 53, 6: 54, 9: 260];
    BranchGreaterOrEqualSignedImm branch_greater_or_equal_signed_imm: RegImmOffset = [89, 89, 89] [2: 49, 3: 50, 9: 51];
    BranchGreaterSignedImm branch_greater_signed_imm: RegImmOffset = [90, 90, 90] [3: 58, 4: 59, 5: 60, 9: 61];

    MoveReg move_reg: RegReg                                 = [100, 100, 100] [1: 227];
    Sbrk sbrk: RegReg                                        = [_, _, 101] [1: 509];
    CountSetBits64 count_set_bits_64: RegReg                 = [102, 101, _] [1: 232];
    CountSetBits32 count_set_bits_32: RegReg                 = [103, 102, 103] [1: 231];
    CountLeadingZeroBits64 count_leading_zero_bits_64: RegReg = [104, 103, _] [1: 229];
    CountLeadingZeroBits32 count_leading_zero_bits_32: RegReg = [105, 104, 105] [1: 228];
    CountTrailingZeroBits64 count_trailing_zero_bits_64: RegReg = [106, 105, _] [1: 230];
    CountTrailingZeroBits32 count_trailing_zero_bits_32: RegReg = [107, 106, 107] [1: 312];
    SignExtend8 sign_extend_8: RegReg                        = [108, 107, 108] [1: 233];
    SignExtend16 sign_extend_16: RegReg                      = [109, 108, 109] [1: 234];
    ZeroExtend16 zero_extend_16: RegReg                      = [110, 109, 110] [1: 235];
    ReverseByte reverse_byte: RegReg                         = [111, 110, 111] [1: 236];

    StoreIndirectU8 store_indirect_u8: RegRegImm             = [120, 120, 120] [1: 88, 2: 89, 3: 90, 5: 265];
    StoreIndirectU16 store_indirect_u16: RegRegImm           = [121, 121, 121] [1: 91, 2: 92, 3: 93, 5: 266];
    StoreIndirectU32 store_indirect_u32: RegRegImm           = [122, 122, 122] [1: 94, 2: 95, 3: 96, 5: 267];
    StoreIndirectU64 store_indirect_u64: RegRegImm           = [123, 123, _] [1: 97, 2: 98, 3: 99, 5: 268];
    LoadIndirectU8 load_indirect_u8: RegRegImm               = [124, 124, 124] [1: 100, 2: 101, 3: 102, 5: 269];
    LoadIndirectI8 load_indirect_i8: RegRegImm               = [125, 125, 125] [1: 103, 2: 104, 3: 105, 5: 270];
    LoadIndirectU16 load_indirect_u16: RegRegImm             = [126, 126, 126] [1: 106, 2: 107, 3: 108, 5: 271];
    LoadIndirectI16 load_indirect_i16: RegRegImm             = [127, 127, 127] [1: 109, 2: 110, 3: 111, 5: 272];
    LoadIndirectU32 load_indirect_u32: RegRegImm             = [128, 128, _] [1: 115, 2: 116, 3: 117, 5: 274];
    LoadIndirectI32 load_indirect_i32: RegRegImm             = [129, 129, 129] [1: 112, 2: 113, 3: 114, 5: 273];
    LoadIndirectU64 load_indirect_u64: RegRegImm             = [130, 130, _] [1: 118, 2: 119, 3: 120, 5: 275];
    AddImm32 add_imm_32: RegRegImm                           = [131, 131, 131] [1: 121, 2: 122, 3: 123, 5: 124];
    AndImm and_imm: RegRegImm                                = [132, 132, 132] [2: 129, 3: 130, 5: 131];
    XorImm xor_imm: RegRegImm                                = [133, 133, 133] [2: 132, 3: 133, 5: 134];
    OrImm or_imm: RegRegImm                                  = [134, 134, 134] [2: 135, 3: 136, 5: 137];
    MulImm32 mul_imm_32: RegRegImm                           = [135, 135, 135] [5: 138];
    SetLessThanUnsignedImm set_less_than_unsigned_imm: RegRegImm = [136, 136, 136] [2: 142, 3: 143, 5: 144];
    SetLessThanSignedImm set_less_than_signed_imm: RegRegImm = [137, 137, 137] [1: 145, 2: 146, 5: 276];
    ShiftLogicalLeftImm32 shift_logical_left_imm_32: RegRegImm = [138, 138, 138] [2: 147, 5: 277];
    ShiftLogicalRightImm32 shift_logical_right_imm_32: RegRegImm = [139, 139, 139] [2: 149, 5: 279];
    ShiftArithmeticRightImm32 shift_arithmetic_right_imm_32: RegRegImm = [140, 140, 140] [2: 151, 5: 281];
    NegateAndAddImm32 negate_and_add_imm_32: RegRegImm       = [141, 141, 141] [1: 153, 3: 154, 5: 283];
    SetGreaterThanUnsignedImm set_greater_than_unsigned_imm: RegRegImm = [142, 142, 142] [1: 158, 5: 159];
    SetGreaterThanSignedImm set_greater_than_signed_imm: RegRegImm = [143, 143, 143] [1: 160, 5: 284];
    ShiftLogicalLeftImmAlt32 shift_logical_left_imm_alt_32: RegRegImm = [144, 144, 144] [5: 163];
    ShiftLogicalRightImmAlt32 shift_logical_right_imm_alt_32: RegRegImm = [145, 145, 145] [5: 285];
    ShiftArithmeticRightImmAlt32 shift_arithmetic_right_imm_alt_32: RegRegImm = [146, 146, 146] [5: 286];
    CmovIfZeroImm cmov_if_zero_imm: RegRegImm               = [147, 147, 147] [1: 165, 2: 166, 5: 167];
    CmovIfNotZeroImm cmov_if_not_zero_imm: RegRegImm        = [148, 148, 148] [1: 168, 2: 169, 5: 170];
    AddImm64 add_imm_64: RegRegImm                           = [149, 149, _] [2: 125, 3: 126, 4: 127, 5: 128];
    MulImm64 mul_imm_64: RegRegImm                           = [150, 150, _] [2: 139, 3: 140, 5: 141];
    ShiftLogicalLeftImm64 shift_logical_left_imm_64: RegRegImm = [151, 151, _] [2: 148, 5: 278];
    ShiftLogicalRightImm64 shift_logical_right_imm_64: RegRegImm = [152, 152, _] [2: 150, 5: 280];
    ShiftArithmeticRightImm64 shift_arithmetic_right_imm_64: RegRegImm = [153, 153, _] [2: 152, 5: 282];
    NegateAndAddImm64 negate_and_add_imm_64: RegRegImm       = [154, 154, _] [1: 155, 2: 156, 5: 157];
    ShiftLogicalLeftImmAlt64 shift_logical_left_imm_alt_64: RegRegImm = [155, 155, _] [2: 164, 5: 288];
    ShiftLogicalRightImmAlt64 shift_logical_right_imm_alt_64: RegRegImm = [156, 156, _] [2: 161, 5: 162];
    ShiftArithmeticRightImmAlt64 shift_arithmetic_right_imm_alt_64: RegRegImm = [157, 157, _] [5: 287];
    RotateRightImm64 rotate_right_imm_64: RegRegImm          = [158, 158, _] [2: 172, 5: 291];
    RotateRightImmAlt64 rotate_right_imm_alt_64: RegRegImm   = [159, 159, _] [5: 292];
    RotateRightImm32 rotate_right_imm_32: RegRegImm          = [160, 160, 160] [2: 171, 5: 289];
    RotateRightImmAlt32 rotate_right_imm_alt_32: RegRegImm   = [161, 161, 161] [5: 290];

    BranchEq branch_eq: RegRegOffset                         = [170, 170, 170] [2: 173, 3: 174, 5: 175];
    BranchNotEq branch_not_eq: RegRegOffset                  = [171, 171, 171] [2: 176, 3: 177, 5: 178];
    BranchLessUnsigned branch_less_unsigned: RegRegOffset    = [172, 172, 172] [2: 179, 3: 180, 5: 293];
    BranchLessSigned branch_less_signed: RegRegOffset        = [173, 173, 173] [2: 181, 3: 182, 5: 294];
    BranchGreaterOrEqualUnsigned branch_greater_or_equal_unsigned: RegRegOffset = [174, 174, 174] [2: 183, 3: 184, 5: 295];
    BranchGreaterOrEqualSigned branch_greater_or_equal_signed: RegRegOffset = [175, 175, 175] [2: 185, 3: 186, 5: 296];

    LoadImmAndJumpIndirect load_imm_and_jump_indirect: RegRegImmImm = [180, 180, 180] [4: 237, 5: 238, 10: 313];

    Add32 add_32: RegRegReg                                  = [190, 190, 190] [2: 187];
    Sub32 sub_32: RegRegReg                                  = [191, 191, 191] [2: 189];
    Mul32 mul_32: RegRegReg                                  = [192, 192, 192] [2: 194];
    DivUnsigned32 div_unsigned_32: RegRegReg                 = [193, 193, 193] [2: 203];
    DivSigned32 div_signed_32: RegRegReg                     = [194, 194, 194] [2: 205];
    RemUnsigned32 rem_unsigned_32: RegRegReg                 = [195, 195, 195] [2: 206];
    RemSigned32 rem_signed_32: RegRegReg                     = [196, 196, 196] [2: 208];
    ShiftLogicalLeft32 shift_logical_left_32: RegRegReg      = [197, 197, 197] [2: 199];
    ShiftLogicalRight32 shift_logical_right_32: RegRegReg    = [198, 198, 198] [2: 201];
    ShiftArithmeticRight32 shift_arithmetic_right_32: RegRegReg = [199, 199, 199] [2: 299];
    Add64 add_64: RegRegReg                                  = [200, 200, _] [2: 188];
    Sub64 sub_64: RegRegReg                                  = [201, 201, _] [2: 190];
    Mul64 mul_64: RegRegReg                                  = [202, 202, _] [2: 195];
    DivUnsigned64 div_unsigned_64: RegRegReg                 = [203, 203, _] [2: 204];
    DivSigned64 div_signed_64: RegRegReg                     = [204, 204, _] [2: 301];
    RemUnsigned64 rem_unsigned_64: RegRegReg                 = [205, 205, _] [2: 207];
    RemSigned64 rem_signed_64: RegRegReg                     = [206, 206, _] [2: 302];
    ShiftLogicalLeft64 shift_logical_left_64: RegRegReg      = [207, 207, _] [2: 200];
    ShiftLogicalRight64 shift_logical_right_64: RegRegReg    = [208, 208, _] [2: 202];
    ShiftArithmeticRight64 shift_arithmetic_right_64: RegRegReg = [209, 209, _] [2: 300];
    And and: RegRegReg                                       = [210, 210, 210] [2: 191];
    Xor xor: RegRegReg                                       = [211, 211, 211] [2: 192];
    Or or: RegRegReg                                         = [212, 212, 212] [2: 193];
    MulUpperSignedSigned mul_upper_signed_signed: RegRegReg  = [213, 213, 213] [2: 297];
    MulUpperUnsignedUnsigned mul_upper_unsigned_unsigned: RegRegReg = [214, 214, 214] [2: 196];
    MulUpperSignedUnsigned mul_upper_signed_unsigned: RegRegReg = [215, 215, 215] [2: 298];
    SetLessThanUnsigned set_less_than_unsigned: RegRegReg    = [216, 216, 216] [2: 197];
    SetLessThanSigned set_less_than_signed: RegRegReg        = [217, 217, 217] [2: 198];
    CmovIfZero cmov_if_zero: RegRegReg                       = [218, 218, 218] [2: 209];
    CmovIfNotZero cmov_if_not_zero: RegRegReg                = [219, 219, 219] [2: 210];
    RotateLeft64 rotate_left_64: RegRegReg                   = [220, 220, _] [2: 216];
    RotateLeft32 rotate_left_32: RegRegReg                   = [221, 221, 221] [2: 305];
    RotateRight64 rotate_right_64: RegRegReg                 = [222, 222, _] [2: 307];
    RotateRight32 rotate_right_32: RegRegReg                 = [223, 223, 223] [2: 306];
    AndInverted and_inverted: RegRegReg                      = [224, 224, 224] [2: 211];
    OrInverted or_inverted: RegRegReg                        = [225, 225, 225] [2: 212];
    Xnor xnor: RegRegReg                                     = [226, 226, 226] [2: 213];
    Maximum maximum: RegRegReg                               = [227, 227, 227] [2: 303];
    MaximumUnsigned maximum_unsigned: RegRegReg              = [228, 228, 228] [2: 214];
    Minimum minimum: RegRegReg                               = [229, 229, 229] [2: 304];
    MinimumUnsigned minimum_unsigned: RegRegReg              = [230, 230, 230] [2: 215];
}

impl Opcode {
    /// The mnemonic.
    #[inline]
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Whether this instruction ends a basic block (the next instruction, if any,
    /// starts a new one and is a valid jump target).
    ///
    /// `ecalli`, `memset`, `sbrk` and `unlikely` do not end a block.
    #[inline]
    pub const fn ends_basic_block(self) -> bool {
        // A table: this is asked of every instruction when a program is loaded.
        const ENDS_BASIC_BLOCK: [bool; Opcode::ALL.len()] = {
            let mut table = [false; Opcode::ALL.len()];
            let mut index = 0;
            while index < table.len() {
                let opcode = Opcode::ALL[index];
                table[index] = matches!(
                    opcode.shape(),
                    Shape::Offset | Shape::RegImmOffset | Shape::RegRegOffset | Shape::RegRegImmImm
                ) || matches!(opcode, Opcode::Trap | Opcode::Fallthrough | Opcode::JumpIndirect);
                index += 1;
            }
            table
        };
        ENDS_BASIC_BLOCK[self as usize]
    }
}

impl Opcode {
    /// Whether execution can continue at the next instruction after this one
    /// (everything but `trap` and the unconditional jumps).
    #[inline]
    pub fn can_fall_through(self) -> bool {
        !matches!(
            self,
            Opcode::Trap
                | Opcode::Jump
                | Opcode::JumpIndirect
                | Opcode::LoadImmAndJump
                | Opcode::LoadImmAndJumpIndirect
        )
    }
}

impl fmt::Display for Opcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Byte-to-opcode lookup tables for the bitmask-encoded instruction sets, and the
/// raw-opcode tables of the extended encoding, built once from the instruction table.
pub(crate) mod tables {
    use super::{Opcode, INFO};

    /// Number of raw opcodes in the extended encoding: 255 one-byte ones, then
    /// `0xFF` followed by a second byte (raw = 255 + byte), plus "invalid".
    pub const EXTENDED_RAW_OPCODE_COUNT: usize = 511;

    pub static REVIVE_V1: [Option<Opcode>; 256] = build_legacy(0);
    pub static JAM_V1: [Option<Opcode>; 256] = build_legacy(1);
    pub static LATEST32: [Option<Opcode>; 256] = build_legacy(2);

    /// For each raw opcode of the extended encoding: the opcode and its argument length.
    pub static EXTENDED: [Option<(Opcode, u8)>; EXTENDED_RAW_OPCODE_COUNT] = build_extended();

    /// The one-byte raw opcode of an argument-less opcode in the extended encoding.
    pub fn extended_byte(opcode: Opcode) -> u8 {
        match opcode.info().extended.first() {
            Some(&(0, raw)) if raw < 255 => raw as u8,
            _ => panic!("{opcode} has no one-byte argument-less extended form"),
        }
    }

    const fn build_legacy(column: usize) -> [Option<Opcode>; 256] {
        let mut table = [None; 256];
        let mut index = 0;
        while index < Opcode::ALL.len() {
            let info = &INFO[index];
            let byte = match column {
                0 => info.revive_v1,
                1 => info.jam_v1,
                _ => info.latest32,
            };
            if let Some(byte) = byte {
                assert!(table[byte as usize].is_none(), "duplicate opcode byte");
                table[byte as usize] = Some(Opcode::ALL[index]);
            }
            index += 1;
        }
        table
    }

    pub(crate) const fn build_extended() -> [Option<(Opcode, u8)>; EXTENDED_RAW_OPCODE_COUNT] {
        let mut table = [None; EXTENDED_RAW_OPCODE_COUNT];
        let mut index = 0;
        while index < Opcode::ALL.len() {
            let entries = INFO[index].extended;
            let mut entry = 0;
            while entry < entries.len() {
                let (length, raw) = entries[entry];
                assert!(table[raw as usize].is_none(), "duplicate extended raw opcode");
                table[raw as usize] = Some((Opcode::ALL[index], length));
                entry += 1;
            }
            index += 1;
        }
        table
    }
}

/// A register, as numbered in instruction encodings (0..=12).
#[derive(Copy, Clone, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
#[repr(u8)]
#[allow(missing_docs)]
pub enum Reg {
    RA = 0,
    SP = 1,
    T0 = 2,
    T1 = 3,
    T2 = 4,
    S0 = 5,
    S1 = 6,
    A0 = 7,
    A1 = 8,
    A2 = 9,
    A3 = 10,
    A4 = 11,
    A5 = 12,
}

impl Reg {
    /// All registers in encoding order.
    pub const ALL: [Reg; 13] = [
        Reg::RA,
        Reg::SP,
        Reg::T0,
        Reg::T1,
        Reg::T2,
        Reg::S0,
        Reg::S1,
        Reg::A0,
        Reg::A1,
        Reg::A2,
        Reg::A3,
        Reg::A4,
        Reg::A5,
    ];

    /// Argument registers, in calling-convention order.
    pub const ARGS: [Reg; 6] = [Reg::A0, Reg::A1, Reg::A2, Reg::A3, Reg::A4, Reg::A5];

    /// Decodes a 4-bit register field: values 13..=15 clamp to `a5`, as in the reference.
    #[inline]
    pub fn from_nibble(nibble: u8) -> Reg {
        Reg::ALL[usize::from(nibble & 0xf).min(12)]
    }

    /// The register's index (0..=12).
    #[inline]
    pub fn index(self) -> usize {
        self as usize
    }

    /// The ABI name.
    pub fn name(self) -> &'static str {
        ["ra", "sp", "t0", "t1", "t2", "s0", "s1", "a0", "a1", "a2", "a3", "a4", "a5"][self.index()]
    }
}

impl fmt::Display for Reg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opcode_counts_match_the_reference() {
        let count = |isa: InstructionSet| Opcode::ALL.iter().filter(|&&op| isa.supports(op)).count();
        assert_eq!(count(InstructionSet::ReviveV1), 138);
        assert_eq!(count(InstructionSet::JamV1), 139);
        assert_eq!(count(InstructionSet::Latest32), 106);
        assert_eq!(count(InstructionSet::Latest64), 141);
    }

    #[test]
    fn legacy_tables_round_trip() {
        for isa in [InstructionSet::ReviveV1, InstructionSet::JamV1, InstructionSet::Latest32] {
            for &op in Opcode::ALL {
                if let Some(byte) = isa.legacy_byte(op) {
                    assert_eq!(isa.legacy_opcode(byte), Some(op));
                }
            }
        }
    }

    #[test]
    fn extended_raw_opcodes_have_their_lengths() {
        assert_eq!(tables::EXTENDED[227], Some((Opcode::MoveReg, 1)));
        assert_eq!(tables::EXTENDED[509], Some((Opcode::Sbrk, 1)));
        assert_eq!(tables::EXTENDED[510], Some((Opcode::Memset, 0)));
        assert_eq!(tables::EXTENDED[254], None);
    }

    #[test]
    fn block_terminators() {
        assert!(Opcode::Trap.ends_basic_block());
        assert!(Opcode::BranchEqImm.ends_basic_block());
        assert!(Opcode::LoadImmAndJumpIndirect.ends_basic_block());
        assert!(!Opcode::Ecalli.ends_basic_block());
        assert!(!Opcode::Memset.ends_basic_block());
        assert!(!Opcode::Sbrk.ends_basic_block());
        assert!(!Opcode::Unlikely.ends_basic_block());
        assert!(!Opcode::LoadImm64.ends_basic_block());
    }
}
