//! The extended encoding (Latest64) written by our `BlobBuilder`: every opcode with
//! assorted operands decodes back to itself in our decoder, the reference (polkavm 0.37)
//! decodes the same instructions at the same offsets, and code longer than a 1 KiB macro
//! block is padded so that no instruction straddles a block boundary.

use pvm::program::{Args, BlobBuilder, Code, ProgramBlob, EXTENDED_BLOCK_SIZE};
use pvm::{InstructionSet, Opcode};

const SAMPLES: [u32; 8] = [0, 1, 0x7f, 0x80, 0xffff_ffff, 0x1234_5678, 0x8000_0000, 0xffff_8000];

/// `opcode` with operands derived from `n`, with the fields its shape does not use zeroed
/// (so that a decoded instruction compares equal).
fn sample_args(opcode: Opcode, n: usize, pc: u32) -> Args {
    use pvm::isa::Shape;
    let regs = [(n % 13) as u8, ((n + 5) % 13) as u8, ((n + 9) % 13) as u8];
    let imm1 = SAMPLES[n % SAMPLES.len()];
    let imm2 = SAMPLES[(n + 3) % SAMPLES.len()];
    // Branch targets: near the instruction (the code has to contain them).
    let target = pc.wrapping_add(2 * n as u32);
    match opcode.shape() {
        Shape::None => Args::default(),
        Shape::Imm => Args { imm1, ..Args::default() },
        Shape::Offset => Args { imm1: target, ..Args::default() },
        Shape::RegImm => Args { regs: [regs[0], 0, 0], imm1, imm2: 0 },
        Shape::RegImmOffset => Args { regs: [regs[0], 0, 0], imm1, imm2: target },
        Shape::RegImmImm | Shape::RegImm64 => Args { regs: [regs[0], 0, 0], imm1, imm2 },
        Shape::RegRegImm => Args { regs: [regs[0], regs[1], 0], imm1, imm2: 0 },
        Shape::RegRegOffset => Args { regs: [regs[0], regs[1], 0], imm1: target, imm2: 0 },
        Shape::RegRegReg => Args { regs, imm1: 0, imm2: 0 },
        Shape::ImmImm => Args { regs: [0; 3], imm1, imm2 },
        Shape::RegReg => Args { regs: [regs[0], regs[1], 0], ..Args::default() },
        Shape::RegRegImmImm => Args { regs: [regs[0], regs[1], 0], imm1, imm2 },
    }
}

/// Builds one program with every Latest64 opcode and many operand combinations.
fn every_instruction() -> (Vec<u8>, Vec<(u32, Opcode, Args)>) {
    let isa = InstructionSet::Latest64;
    let mut builder = BlobBuilder::new(isa);
    let mut pushed = Vec::new();
    for &opcode in Opcode::ALL.iter().filter(|&&op| isa.supports(op)) {
        for n in 0..SAMPLES.len() {
            // Targets are absolute: padding may move the instruction, not its target.
            let args = sample_args(opcode, n, builder.pc());
            let pc = builder.push(opcode, args);
            pushed.push((pc, opcode, args));
        }
    }
    builder.push(Opcode::Trap, Args::default());
    (builder.build(), pushed)
}

#[test]
fn our_decoder_reads_back_every_instruction() {
    let (blob, pushed) = every_instruction();
    let blob = ProgramBlob::parse(&blob).unwrap();
    let code = Code::decode(InstructionSet::Latest64, &blob.code);
    for (pc, opcode, args) in pushed {
        let index = code.index_of(pc).unwrap_or_else(|| panic!("no instruction at {pc} ({opcode})"));
        let decoded = code.instructions()[index];
        assert_eq!(decoded.opcode, Some(opcode), "at {pc}");
        // Targets are decoded as absolute pcs; the pushed ones too.
        assert_eq!(decoded.args, args, "{opcode} at {pc}");
    }
    assert!(code.instructions().iter().all(|i| i.opcode.is_some()), "no invalid instructions");
}

#[test]
fn the_reference_decodes_the_same_instructions() {
    let (bytes, _) = every_instruction();
    let ours = Code::decode(InstructionSet::Latest64, &ProgramBlob::parse(&bytes).unwrap().code);
    let reference = polkavm::ProgramBlob::parse(bytes.into()).unwrap();
    let theirs: Vec<(u32, String)> = reference
        .instructions()
        .map(|i| (i.offset.0, i.kind.opcode().name().to_string()))
        .take_while(|(pc, _)| *pc < ours.code_len())
        .collect();
    let ours: Vec<(u32, String)> =
        ours.instructions().iter().map(|i| (i.pc, i.opcode.map_or("invalid", |op| op.name()).to_string())).collect();
    assert_eq!(ours, theirs);
}

#[test]
fn instructions_never_straddle_a_macro_block() {
    let (blob, _) = every_instruction();
    let blob = ProgramBlob::parse(&blob).unwrap();
    assert!(blob.code.code.len() > 4 * EXTENDED_BLOCK_SIZE, "the test spans several blocks");
    let code = Code::decode(InstructionSet::Latest64, &blob.code);
    for instruction in code.instructions() {
        let start = instruction.pc as usize / EXTENDED_BLOCK_SIZE;
        let end = (instruction.next_pc() as usize - 1) / EXTENDED_BLOCK_SIZE;
        assert_eq!(start, end, "{instruction:?} straddles a boundary");
    }
}

/// `push_at_least` picks a form of at least the size asked for (or the longest form),
/// and that form decodes back to the same instruction, in our decoder and the reference.
#[test]
fn longer_forms_decode_back_to_the_same_instruction() {
    let isa = InstructionSet::Latest64;
    for min_size in 0..=12 {
        let mut builder = BlobBuilder::new(isa);
        let mut pushed = Vec::new();
        for &opcode in Opcode::ALL.iter().filter(|&&op| isa.supports(op)) {
            for n in 0..SAMPLES.len() {
                let args = sample_args(opcode, n, builder.pc());
                let pc = builder.push_at_least(opcode, args, min_size);
                pushed.push((pc, opcode, args, builder.pc() - pc));
            }
        }
        builder.push(Opcode::Trap, Args::default());
        let bytes = builder.build();
        let code = Code::decode(isa, &ProgramBlob::parse(&bytes).unwrap().code);
        for &(pc, opcode, args, size) in &pushed {
            let decoded = code.instructions()[code.index_of(pc).unwrap()];
            assert_eq!((decoded.opcode, decoded.args), (Some(opcode), args), "{opcode} at {pc}, min {min_size}");
            let longest = opcode.info().extended.iter().map(|&(len, raw)| u32::from(len) + 1 + u32::from(raw >= 255));
            let longest = longest.max().unwrap();
            assert!(size >= (min_size as u32).min(longest), "{opcode} at {pc}: {size} bytes, min {min_size}");
        }
        let reference = polkavm::ProgramBlob::parse(bytes.into()).unwrap();
        let theirs: Vec<u32> =
            reference.instructions().map(|i| i.offset.0).take_while(|&pc| pc < code.code_len()).collect();
        let ours: Vec<u32> = code.instructions().iter().map(|i| i.pc).collect();
        assert_eq!(ours, theirs, "min {min_size}");
    }
}
