//! A decoder for the RISC-V instructions the PolkaVM targets can produce:
//! RV32/RV64 I, M, A, C, Zbb and XTheadCondMov (`th.mveqz` / `th.mvnez`).
//!
//! Registers are left as raw numbers (0..=31); mapping them to PVM registers (and
//! rejecting the ones outside RV-E) is the lowering's job. Custom-0 instructions
//! other than the XTheadCondMov pair are returned as [`Inst::Custom`] so that the
//! caller can recognise the PolkaVM markers (`ecalli`, `sbrk`, `memset`, `heap_base`).

/// Conditions of the conditional branches.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Cond {
    Eq,
    Ne,
    Lt,
    Ge,
    Ltu,
    Geu,
}

/// Load widths (`U32` is `lwu`, RV64 only).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum LoadKind {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    U64,
}

/// Store widths.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum StoreKind {
    U8,
    U16,
    U32,
    U64,
}

/// Binary ALU operations (register-register and, for a subset, register-immediate).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum AluOp {
    Add,
    Sub,
    Sll,
    Slt,
    Sltu,
    Xor,
    Srl,
    Sra,
    Or,
    And,
    Mul,
    Mulh,
    Mulhsu,
    Mulhu,
    Div,
    Divu,
    Rem,
    Remu,
    Andn,
    Orn,
    Xnor,
    Min,
    Minu,
    Max,
    Maxu,
    Rol,
    Ror,
}

/// Unary Zbb operations.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum UnaryOp {
    Clz,
    Ctz,
    Cpop,
    SextB,
    SextH,
    ZextH,
    Rev8,
    OrcB,
}

/// Atomic memory operations.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum AmoOp {
    Swap,
    Add,
    Xor,
    And,
    Or,
    Min,
    Max,
    Minu,
    Maxu,
}

/// One decoded instruction. `narrow` means "operates on 32 bits": always true on
/// RV32, true for the `*w` instructions on RV64.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Inst {
    Lui {
        rd: u8,
        value: u32,
    },
    Auipc {
        rd: u8,
        value: u32,
    },
    Jal {
        rd: u8,
        offset: i32,
    },
    Jalr {
        rd: u8,
        rs1: u8,
        offset: i32,
    },
    Branch {
        cond: Cond,
        rs1: u8,
        rs2: u8,
        offset: i32,
    },
    Load {
        kind: LoadKind,
        rd: u8,
        rs1: u8,
        offset: i32,
    },
    Store {
        kind: StoreKind,
        rs1: u8,
        rs2: u8,
        offset: i32,
    },
    OpImm {
        op: AluOp,
        narrow: bool,
        rd: u8,
        rs1: u8,
        imm: i32,
    },
    Op {
        op: AluOp,
        narrow: bool,
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    Unary {
        op: UnaryOp,
        narrow: bool,
        rd: u8,
        rs1: u8,
    },
    /// `th.mveqz` (`if_zero`) / `th.mvnez`: `if (rs2 ==/!= 0) rd = rs1`.
    Cmov {
        if_zero: bool,
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    Lr {
        wide: bool,
        rd: u8,
        rs1: u8,
    },
    Sc {
        wide: bool,
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    Amo {
        op: AmoOp,
        wide: bool,
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
    Fence,
    Ecall,
    Ebreak,
    Unimp,
    /// Any other custom-0 (opcode 0b0001011) R-type instruction.
    Custom {
        funct3: u8,
        funct7: u8,
        rd: u8,
        rs1: u8,
        rs2: u8,
    },
}

/// Whether the instruction starting with this byte is a 16-bit compressed one.
pub fn is_compressed(first_byte: u8) -> bool {
    first_byte & 0b11 != 0b11
}

fn bits(value: u32, hi: u32, lo: u32) -> u32 {
    (value >> lo) & ((1 << (hi - lo + 1)) - 1)
}

fn sext(value: u32, width: u32) -> i32 {
    let shift = 32 - width;
    ((value << shift) as i32) >> shift
}

/// Decodes one instruction (`raw` holds 16 or 32 bits, as [`is_compressed`] says).
pub fn decode(raw: u32, rv64: bool) -> Option<Inst> {
    if is_compressed(raw as u8) {
        decode_compressed(raw as u16, rv64)
    } else {
        decode_full(raw, rv64)
    }
}

fn decode_full(op: u32, rv64: bool) -> Option<Inst> {
    let rd = bits(op, 11, 7) as u8;
    let rs1 = bits(op, 19, 15) as u8;
    let rs2 = bits(op, 24, 20) as u8;
    let funct3 = bits(op, 14, 12);
    let funct7 = bits(op, 31, 25);
    let imm_i = sext(op >> 20, 12);
    Some(match op & 0x7f {
        0x37 => Inst::Lui { rd, value: op & 0xffff_f000 },
        0x17 => Inst::Auipc { rd, value: op & 0xffff_f000 },
        0x6f => {
            let imm = bits(op, 31, 31) << 20 | bits(op, 19, 12) << 12 | bits(op, 20, 20) << 11 | bits(op, 30, 21) << 1;
            Inst::Jal { rd, offset: sext(imm, 21) }
        }
        0x67 if funct3 == 0 => Inst::Jalr { rd, rs1, offset: imm_i },
        0x63 => {
            let imm = bits(op, 31, 31) << 12 | bits(op, 7, 7) << 11 | bits(op, 30, 25) << 5 | bits(op, 11, 8) << 1;
            let cond = [
                Some(Cond::Eq),
                Some(Cond::Ne),
                None,
                None,
                Some(Cond::Lt),
                Some(Cond::Ge),
                Some(Cond::Ltu),
                Some(Cond::Geu),
            ][funct3 as usize]?;
            Inst::Branch { cond, rs1, rs2, offset: sext(imm, 13) }
        }
        0x03 => {
            use LoadKind as K;
            let kind = match funct3 {
                0 => K::I8,
                1 => K::I16,
                2 => K::I32,
                3 if rv64 => K::U64,
                4 => K::U8,
                5 => K::U16,
                6 if rv64 => K::U32,
                _ => return None,
            };
            Inst::Load { kind, rd, rs1, offset: imm_i }
        }
        0x23 => {
            let kind = match funct3 {
                0 => StoreKind::U8,
                1 => StoreKind::U16,
                2 => StoreKind::U32,
                3 if rv64 => StoreKind::U64,
                _ => return None,
            };
            Inst::Store { kind, rs1, rs2, offset: sext(funct7 << 5 | u32::from(rd), 12) }
        }
        0x13 => decode_op_imm(op, rv64, false)?,
        0x1b if rv64 => decode_op_imm(op, rv64, true)?,
        0x33 => decode_op(op, rv64, false)?,
        0x3b if rv64 => decode_op(op, rv64, true)?,
        0x0f => Inst::Fence,
        0x73 => match op {
            0x0000_0073 => Inst::Ecall,
            0x0010_0073 => Inst::Ebreak,
            0xc000_1073 => Inst::Unimp,
            _ => return None,
        },
        0x2f => decode_atomic(op, rv64)?,
        0x0b => match (funct3, funct7) {
            (1, 0b010_0000) => Inst::Cmov { if_zero: true, rd, rs1, rs2 },
            (1, 0b010_0001) => Inst::Cmov { if_zero: false, rd, rs1, rs2 },
            _ => Inst::Custom { funct3: funct3 as u8, funct7: funct7 as u8, rd, rs1, rs2 },
        },
        _ => return None,
    })
}

/// `OP-IMM` (0x13) and, with `word`, `OP-IMM-32` (0x1b).
fn decode_op_imm(op: u32, rv64: bool, word: bool) -> Option<Inst> {
    let rd = bits(op, 11, 7) as u8;
    let rs1 = bits(op, 19, 15) as u8;
    let funct3 = bits(op, 14, 12);
    let narrow = word || !rv64;
    // Shift amounts: 6 bits on RV64 (non-word), 5 bits otherwise.
    let (shamt, high) =
        if rv64 && !word { (bits(op, 25, 20), bits(op, 31, 26) << 1) } else { (bits(op, 24, 20), bits(op, 31, 25)) };
    let imm = sext(op >> 20, 12);
    let with_imm = |op: AluOp, imm: i32| Some(Inst::OpImm { op, narrow, rd, rs1, imm });
    let unary = |op: UnaryOp| Some(Inst::Unary { op, narrow, rd, rs1 });
    match funct3 {
        0 => with_imm(AluOp::Add, imm),
        2 if !word => with_imm(AluOp::Slt, imm),
        3 if !word => with_imm(AluOp::Sltu, imm),
        4 if !word => with_imm(AluOp::Xor, imm),
        6 if !word => with_imm(AluOp::Or, imm),
        7 if !word => with_imm(AluOp::And, imm),
        1 => match (bits(op, 31, 25), bits(op, 24, 20)) {
            (0b011_0000, 0) => unary(UnaryOp::Clz),
            (0b011_0000, 1) => unary(UnaryOp::Ctz),
            (0b011_0000, 2) => unary(UnaryOp::Cpop),
            (0b011_0000, 4) if !word => unary(UnaryOp::SextB),
            (0b011_0000, 5) if !word => unary(UnaryOp::SextH),
            _ if high == 0 => with_imm(AluOp::Sll, shamt as i32),
            _ => None,
        },
        5 => match (op >> 20, high) {
            (0x287, _) if !word => unary(UnaryOp::OrcB),
            (0x698, _) if !word && !rv64 => unary(UnaryOp::Rev8),
            (0x6b8, _) if !word && rv64 => unary(UnaryOp::Rev8),
            (_, 0) => with_imm(AluOp::Srl, shamt as i32),
            (_, 0b010_0000) => with_imm(AluOp::Sra, shamt as i32),
            (_, 0b011_0000) => with_imm(AluOp::Ror, shamt as i32),
            _ => None,
        },
        _ => None,
    }
}

/// `OP` (0x33) and, with `word`, `OP-32` (0x3b).
fn decode_op(op: u32, rv64: bool, word: bool) -> Option<Inst> {
    use AluOp as A;
    let rd = bits(op, 11, 7) as u8;
    let rs1 = bits(op, 19, 15) as u8;
    let rs2 = bits(op, 24, 20) as u8;
    let narrow = word || !rv64;
    // zext.h: OP on RV32, OP-32 on RV64.
    if bits(op, 31, 25) == 0b000_0100 && bits(op, 14, 12) == 4 && rs2 == 0 && word == rv64 {
        return Some(Inst::Unary { op: UnaryOp::ZextH, narrow, rd, rs1 });
    }
    let alu = match (bits(op, 31, 25), bits(op, 14, 12)) {
        (0, 0) => A::Add,
        (0, 1) => A::Sll,
        (0, 5) => A::Srl,
        (0b010_0000, 0) => A::Sub,
        (0b010_0000, 5) => A::Sra,
        (1, 0) => A::Mul,
        (1, 4) => A::Div,
        (1, 5) => A::Divu,
        (1, 6) => A::Rem,
        (1, 7) => A::Remu,
        (0b011_0000, 1) => A::Rol,
        (0b011_0000, 5) => A::Ror,
        _ if word => return None,
        (0, 2) => A::Slt,
        (0, 3) => A::Sltu,
        (0, 4) => A::Xor,
        (0, 6) => A::Or,
        (0, 7) => A::And,
        (1, 1) => A::Mulh,
        (1, 2) => A::Mulhsu,
        (1, 3) => A::Mulhu,
        (0b010_0000, 4) => A::Xnor,
        (0b010_0000, 6) => A::Orn,
        (0b010_0000, 7) => A::Andn,
        (0b000_0101, 4) => A::Min,
        (0b000_0101, 5) => A::Minu,
        (0b000_0101, 6) => A::Max,
        (0b000_0101, 7) => A::Maxu,
        _ => return None,
    };
    Some(Inst::Op { op: alu, narrow, rd, rs1, rs2 })
}

fn decode_atomic(op: u32, rv64: bool) -> Option<Inst> {
    let rd = bits(op, 11, 7) as u8;
    let rs1 = bits(op, 19, 15) as u8;
    let rs2 = bits(op, 24, 20) as u8;
    let wide = match bits(op, 14, 12) {
        2 => false,
        3 if rv64 => true,
        _ => return None,
    };
    let amo = |op| Some(Inst::Amo { op, wide, rd, rs1, rs2 });
    match bits(op, 31, 27) {
        0b00010 if rs2 == 0 => Some(Inst::Lr { wide, rd, rs1 }),
        0b00011 => Some(Inst::Sc { wide, rd, rs1, rs2 }),
        0b00001 => amo(AmoOp::Swap),
        0b00000 => amo(AmoOp::Add),
        0b00100 => amo(AmoOp::Xor),
        0b01100 => amo(AmoOp::And),
        0b01000 => amo(AmoOp::Or),
        0b10000 => amo(AmoOp::Min),
        0b10100 => amo(AmoOp::Max),
        0b11000 => amo(AmoOp::Minu),
        0b11100 => amo(AmoOp::Maxu),
        _ => None,
    }
}

/// The compressed-register field (3 bits) names x8..x15.
fn creg(field: u32) -> u8 {
    8 + field as u8
}

fn decode_compressed(op: u16, rv64: bool) -> Option<Inst> {
    let op = u32::from(op);
    if op == 0 {
        return Some(Inst::Unimp);
    }
    match (op & 0b11, bits(op, 15, 13)) {
        (0, _) => decode_c0(op, rv64),
        (1, _) => decode_c1(op, rv64),
        (2, _) => decode_c2(op, rv64),
        _ => None,
    }
}

/// Quadrant 0: `c.addi4spn`, `c.lw`, `c.ld`, `c.sw`, `c.sd`.
fn decode_c0(op: u32, rv64: bool) -> Option<Inst> {
    let rd = creg(bits(op, 4, 2));
    let rs1 = creg(bits(op, 9, 7));
    let offset_w = (bits(op, 12, 10) << 3 | bits(op, 6, 6) << 2 | bits(op, 5, 5) << 6) as i32;
    let offset_d = (bits(op, 12, 10) << 3 | bits(op, 6, 5) << 6) as i32;
    Some(match bits(op, 15, 13) {
        0 => {
            let imm = bits(op, 12, 11) << 4 | bits(op, 10, 7) << 6 | bits(op, 6, 6) << 2 | bits(op, 5, 5) << 3;
            if imm == 0 {
                return None;
            }
            Inst::OpImm { op: AluOp::Add, narrow: !rv64, rd, rs1: 2, imm: imm as i32 }
        }
        2 => Inst::Load { kind: LoadKind::I32, rd, rs1, offset: offset_w },
        3 if rv64 => Inst::Load { kind: LoadKind::U64, rd, rs1, offset: offset_d },
        6 => Inst::Store { kind: StoreKind::U32, rs1, rs2: rd, offset: offset_w },
        7 if rv64 => Inst::Store { kind: StoreKind::U64, rs1, rs2: rd, offset: offset_d },
        _ => return None,
    })
}

fn cj_offset(op: u32) -> i32 {
    let imm = bits(op, 12, 12) << 11
        | bits(op, 11, 11) << 4
        | bits(op, 10, 9) << 8
        | bits(op, 8, 8) << 10
        | bits(op, 7, 7) << 6
        | bits(op, 6, 6) << 7
        | bits(op, 5, 3) << 1
        | bits(op, 2, 2) << 5;
    sext(imm, 12)
}

/// Quadrant 1: immediates, `c.j`/`c.jal`, `c.beqz`/`c.bnez` and the ALU group.
fn decode_c1(op: u32, rv64: bool) -> Option<Inst> {
    let rd = bits(op, 11, 7) as u8;
    let imm6 = sext(bits(op, 12, 12) << 5 | bits(op, 6, 2), 6);
    let narrow = !rv64;
    Some(match bits(op, 15, 13) {
        0 => Inst::OpImm { op: AluOp::Add, narrow, rd, rs1: rd, imm: imm6 },
        1 if !rv64 => Inst::Jal { rd: 1, offset: cj_offset(op) },
        1 if rd != 0 => Inst::OpImm { op: AluOp::Add, narrow: true, rd, rs1: rd, imm: imm6 },
        2 => Inst::OpImm { op: AluOp::Add, narrow, rd, rs1: 0, imm: imm6 },
        3 if rd == 2 => {
            let imm = bits(op, 12, 12) << 9
                | bits(op, 6, 6) << 4
                | bits(op, 5, 5) << 6
                | bits(op, 4, 3) << 7
                | bits(op, 2, 2) << 5;
            Inst::OpImm { op: AluOp::Add, narrow, rd: 2, rs1: 2, imm: sext(imm, 10) }
        }
        3 if imm6 != 0 => Inst::Lui { rd, value: (imm6 << 12) as u32 },
        4 => decode_c1_alu(op, rv64)?,
        5 => Inst::Jal { rd: 0, offset: cj_offset(op) },
        6 | 7 => {
            let imm = bits(op, 12, 12) << 8
                | bits(op, 11, 10) << 3
                | bits(op, 6, 5) << 6
                | bits(op, 4, 3) << 1
                | bits(op, 2, 2) << 5;
            let cond = if bits(op, 15, 13) == 6 { Cond::Eq } else { Cond::Ne };
            Inst::Branch { cond, rs1: creg(bits(op, 9, 7)), rs2: 0, offset: sext(imm, 9) }
        }
        _ => return None,
    })
}

fn decode_c1_alu(op: u32, rv64: bool) -> Option<Inst> {
    let rd = creg(bits(op, 9, 7));
    let rs2 = creg(bits(op, 4, 2));
    let narrow = !rv64;
    let shamt = (bits(op, 12, 12) << 5 | bits(op, 6, 2)) as i32;
    if !rv64 && shamt >= 32 && bits(op, 11, 10) < 2 {
        return None;
    }
    let alu = |op, narrow| Some(Inst::Op { op, narrow, rd, rs1: rd, rs2 });
    match (bits(op, 11, 10), bits(op, 12, 12), bits(op, 6, 5)) {
        (0, _, _) => Some(Inst::OpImm { op: AluOp::Srl, narrow, rd, rs1: rd, imm: shamt }),
        (1, _, _) => Some(Inst::OpImm { op: AluOp::Sra, narrow, rd, rs1: rd, imm: shamt }),
        (2, _, _) => {
            let imm = sext(bits(op, 12, 12) << 5 | bits(op, 6, 2), 6);
            Some(Inst::OpImm { op: AluOp::And, narrow, rd, rs1: rd, imm })
        }
        (3, 0, 0) => alu(AluOp::Sub, narrow),
        (3, 0, 1) => alu(AluOp::Xor, narrow),
        (3, 0, 2) => alu(AluOp::Or, narrow),
        (3, 0, 3) => alu(AluOp::And, narrow),
        (3, 1, 0) if rv64 => alu(AluOp::Sub, true),
        (3, 1, 1) if rv64 => alu(AluOp::Add, true),
        _ => None,
    }
}

/// Quadrant 2: `c.slli`, stack-relative loads/stores, `c.jr`/`c.jalr`/`c.mv`/`c.add`.
fn decode_c2(op: u32, rv64: bool) -> Option<Inst> {
    let rd = bits(op, 11, 7) as u8;
    let rs2 = bits(op, 6, 2) as u8;
    let narrow = !rv64;
    Some(match bits(op, 15, 13) {
        0 => {
            let shamt = bits(op, 12, 12) << 5 | bits(op, 6, 2);
            if !rv64 && shamt >= 32 {
                return None;
            }
            Inst::OpImm { op: AluOp::Sll, narrow, rd, rs1: rd, imm: shamt as i32 }
        }
        2 if rd != 0 => {
            let offset = bits(op, 12, 12) << 5 | bits(op, 6, 4) << 2 | bits(op, 3, 2) << 6;
            Inst::Load { kind: LoadKind::I32, rd, rs1: 2, offset: offset as i32 }
        }
        3 if rv64 && rd != 0 => {
            let offset = bits(op, 12, 12) << 5 | bits(op, 6, 5) << 3 | bits(op, 4, 2) << 6;
            Inst::Load { kind: LoadKind::U64, rd, rs1: 2, offset: offset as i32 }
        }
        4 => match (bits(op, 12, 12), rd, rs2) {
            (0, 0, _) => return None,
            (0, _, 0) => Inst::Jalr { rd: 0, rs1: rd, offset: 0 },
            (0, _, _) => Inst::Op { op: AluOp::Add, narrow, rd, rs1: 0, rs2 },
            (_, 0, 0) => Inst::Ebreak,
            (_, _, 0) => Inst::Jalr { rd: 1, rs1: rd, offset: 0 },
            _ => Inst::Op { op: AluOp::Add, narrow, rd, rs1: rd, rs2 },
        },
        6 => {
            let offset = bits(op, 12, 9) << 2 | bits(op, 8, 7) << 6;
            Inst::Store { kind: StoreKind::U32, rs1: 2, rs2, offset: offset as i32 }
        }
        7 if rv64 => {
            let offset = bits(op, 12, 10) << 3 | bits(op, 9, 7) << 6;
            Inst::Store { kind: StoreKind::U64, rs1: 2, rs2, offset: offset as i32 }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_common_instructions() {
        // addi sp, sp, -16 (c.addi16sp)
        assert_eq!(decode(0x1141, true), Some(Inst::OpImm { op: AluOp::Add, narrow: false, rd: 2, rs1: 2, imm: -16 }));
        // sd ra, 8(sp) (c.sdsp)
        assert_eq!(decode(0xe406, true), Some(Inst::Store { kind: StoreKind::U64, rs1: 2, rs2: 1, offset: 8 }));
        // add s0, a1, a0
        assert_eq!(
            decode(0x00a5_8433, true),
            Some(Inst::Op { op: AluOp::Add, narrow: false, rd: 8, rs1: 11, rs2: 10 })
        );
        // jalr 22(ra)
        assert_eq!(decode(0x0160_80e7, true), Some(Inst::Jalr { rd: 1, rs1: 1, offset: 22 }));
        // ret (c.jr ra)
        assert_eq!(decode(0x8082, true), Some(Inst::Jalr { rd: 0, rs1: 1, offset: 0 }));
        // slli a0, a0, 32 (c.slli)
        assert_eq!(decode(0x1502, true), Some(Inst::OpImm { op: AluOp::Sll, narrow: false, rd: 10, rs1: 10, imm: 32 }));
        // srli a0, a0, 32 (c.srli)
        assert_eq!(decode(0x9101, true), Some(Inst::OpImm { op: AluOp::Srl, narrow: false, rd: 10, rs1: 10, imm: 32 }));
        // ld ra, 8(sp) (c.ldsp)
        assert_eq!(decode(0x60a2, true), Some(Inst::Load { kind: LoadKind::U64, rd: 1, rs1: 2, offset: 8 }));
        // the PolkaVM import marker
        assert_eq!(decode(0x0000_000b, true), Some(Inst::Custom { funct3: 0, funct7: 0, rd: 0, rs1: 0, rs2: 0 }));
    }

    #[test]
    fn rejects_garbage() {
        assert_eq!(decode(0xffff_ffff, true), None);
        assert_eq!(decode(0x0000_0007, true), None); // FLW
    }
}
