//! The cartridge: a game-like 6502 program, assembled into the 32 KiB program ROM by a
//! small assembler, and the pattern ROM, generated.
//!
//! What the program does, each frame (the way NES games are usually structured):
//!
//! - the NMI handler (vertical blank) copies the sprites to the video chip by DMA,
//!   writes a column of new tiles into the nametables (prepared by the main loop),
//!   prints four hex numbers into the status bar and resets the scroll for it;
//! - the main loop waits for the "sprite 0 hit" under the status bar, then sets the
//!   horizontal scroll of the playfield (a split screen), reads the controller, moves
//!   the player's sprite, moves and bounces 62 other sprites, scrolls by a pixel and
//!   prepares the next column of tiles;
//! - for the rest of the frame it computes a CRC-16 (CCITT, polynomial `0x1021`,
//!   initial value `0xFFFF`) over the 1 KiB of "level data" in the cartridge's RAM
//!   (`$7C00-$7FFF`, generated at reset by a 16-bit xorshift), a byte per call; after
//!   each pass it stores the CRC at [`CRC_RESULT`], bumps [`PASSES`] and increments the
//!   first data byte, so that every pass computes a different CRC.

// Zero-page variables.
/// The random generator's state (2 bytes, little-endian).
pub const SEED: u8 = 0x00;
/// Scratch.
const TEMP: u8 = 0x02;
/// The controller buttons read this frame: A, B, Select, Start, Up, Down, Left, Right
/// from bit 7 to bit 0.
pub const BUTTONS: u8 = 0x03;
/// NMIs taken so far (wraps).
pub const NMI_COUNT: u8 = 0x04;
const LAST_NMI: u8 = 0x05;
const SCROLL_X: u8 = 0x06;
const SCROLL_HIGH: u8 = 0x07;
const COLUMN: u8 = 0x08;
/// The running CRC (2 bytes, little-endian).
const CRC: u8 = 0x09;
/// The CRC of the last complete pass (2 bytes, little-endian).
pub const CRC_RESULT: u8 = 0x0b;
/// Completed CRC passes (wraps).
pub const PASSES: u8 = 0x0d;
/// The CRC's pointer into the level data (2 bytes).
const POINTER: u8 = 0x0e;

/// The sprite page that the NMI handler copies to the video chip.
const OAM_PAGE: u16 = 0x0200;
/// The column of tiles the main loop prepares for the NMI handler.
const COLUMN_BUFFER: u16 = 0x0300;
/// Rows 4-29 of a nametable column.
const COLUMN_TILES: u8 = 26;
/// Sprite velocities (cartridge RAM), x then y, 64 each.
const VELOCITY_X: u16 = 0x6000;
const VELOCITY_Y: u16 = 0x6040;
/// The level data: `$7C00` up to the end of the cartridge RAM.
pub const LEVEL_DATA: u16 = 0x7c00;
/// The level data's length.
pub const LEVEL_DATA_LEN: usize = 0x400;
/// The random generator's initial state.
pub const INITIAL_SEED: u16 = 0x5ac3;

const PPUCTRL: u16 = 0x2000;
const PPUMASK: u16 = 0x2001;
const PPUSTATUS: u16 = 0x2002;
const OAMADDR: u16 = 0x2003;
const PPUSCROLL: u16 = 0x2005;
const PPUADDR: u16 = 0x2006;
const PPUDATA: u16 = 0x2007;
const OAMDMA: u16 = 0x4014;
const JOYPAD: u16 = 0x4016;

/// `PPUCTRL`: NMI on, sprites from the second pattern table.
const CTRL: u8 = 0x88;
/// `PPUMASK`: background and sprites on, also in the leftmost 8 pixels.
const MASK: u8 = 0x1e;

/// The palette the program loads: four background, then four sprite palettes.
const PALETTE: [u8; 32] = [
    0x0f, 0x30, 0x16, 0x27, 0x0f, 0x1a, 0x2a, 0x3a, 0x0f, 0x12, 0x22, 0x32, 0x0f, 0x07, 0x17, 0x28, //
    0x0f, 0x36, 0x06, 0x16, 0x0f, 0x21, 0x11, 0x01, 0x0f, 0x29, 0x19, 0x09, 0x0f, 0x38, 0x28, 0x18,
];

/// The opcodes the program uses (mnemonic and addressing mode).
mod op {
    pub const ADC_IMM: u8 = 0x69;
    pub const ADC_ABS_Y: u8 = 0x79;
    pub const AND_IMM: u8 = 0x29;
    pub const ASL_ZP: u8 = 0x06;
    pub const BCC: u8 = 0x90;
    pub const BEQ: u8 = 0xf0;
    pub const BIT_ABS: u8 = 0x2c;
    pub const BNE: u8 = 0xd0;
    pub const BPL: u8 = 0x10;
    pub const BVC: u8 = 0x50;
    pub const BVS: u8 = 0x70;
    pub const CLC: u8 = 0x18;
    pub const CLD: u8 = 0xd8;
    pub const CMP_IMM: u8 = 0xc9;
    pub const CMP_ZP: u8 = 0xc5;
    pub const CPX_IMM: u8 = 0xe0;
    pub const CPY_IMM: u8 = 0xc0;
    pub const DEC_ABS: u8 = 0xce;
    pub const DEX: u8 = 0xca;
    pub const DEY: u8 = 0x88;
    pub const EOR_IMM: u8 = 0x49;
    pub const EOR_ZP: u8 = 0x45;
    pub const INC_ABS: u8 = 0xee;
    pub const INC_ZP: u8 = 0xe6;
    pub const INX: u8 = 0xe8;
    pub const INY: u8 = 0xc8;
    pub const JMP_ABS: u8 = 0x4c;
    pub const JSR: u8 = 0x20;
    pub const LDA_ABS: u8 = 0xad;
    pub const LDA_ABS_X: u8 = 0xbd;
    pub const LDA_IMM: u8 = 0xa9;
    pub const LDA_IND_Y: u8 = 0xb1;
    pub const LDA_ZP: u8 = 0xa5;
    pub const LDX_IMM: u8 = 0xa2;
    pub const LDY_IMM: u8 = 0xa0;
    pub const LSR_A: u8 = 0x4a;
    pub const ORA_IMM: u8 = 0x09;
    pub const PHA: u8 = 0x48;
    pub const PLA: u8 = 0x68;
    pub const ROL_ZP: u8 = 0x26;
    pub const ROR_A: u8 = 0x6a;
    pub const RTI: u8 = 0x40;
    pub const RTS: u8 = 0x60;
    pub const SBC_ABS_Y: u8 = 0xf9;
    pub const SBC_IMM: u8 = 0xe9;
    pub const SEC: u8 = 0x38;
    pub const SEI: u8 = 0x78;
    pub const STA_ABS: u8 = 0x8d;
    pub const STA_ABS_X: u8 = 0x9d;
    pub const STA_ABS_Y: u8 = 0x99;
    pub const STA_IND_Y: u8 = 0x91;
    pub const STA_ZP: u8 = 0x85;
    pub const STA_ZP_X: u8 = 0x95;
    pub const STX_ABS: u8 = 0x8e;
    pub const TAX: u8 = 0xaa;
    pub const TAY: u8 = 0xa8;
    pub const TXA: u8 = 0x8a;
    pub const TXS: u8 = 0x9a;
    pub const TYA: u8 = 0x98;
}
use op::*;

/// Where the ROM is mapped.
const ORIGIN: u16 = 0x8000;

/// A minimal assembler: emits instructions at increasing addresses; backward branches
/// take the target address, forward ones return a fix-up to [`Asm::bind`] later.
struct Asm<'a> {
    rom: &'a mut [u8; 0x8000],
    position: usize,
}

/// A forward branch waiting for its target.
#[must_use]
struct Forward(usize);

impl Asm<'_> {
    fn here(&self) -> u16 {
        ORIGIN + self.position as u16
    }

    fn byte(&mut self, value: u8) {
        self.rom[self.position] = value;
        self.position += 1;
    }

    /// An implied or accumulator instruction.
    fn op(&mut self, opcode: u8) {
        self.byte(opcode);
    }

    /// An instruction with a byte operand (immediate or zero page).
    fn op1(&mut self, opcode: u8, operand: u8) {
        self.byte(opcode);
        self.byte(operand);
    }

    /// An instruction with an absolute address.
    fn op2(&mut self, opcode: u8, operand: u16) {
        let [low, high] = operand.to_le_bytes();
        self.byte(opcode);
        self.byte(low);
        self.byte(high);
    }

    fn branch_back(&mut self, opcode: u8, target: u16) {
        let offset = i32::from(target) - i32::from(self.here() + 2);
        assert!((-128..=127).contains(&offset), "branch out of range");
        self.op1(opcode, offset as i8 as u8);
    }

    fn branch_forward(&mut self, opcode: u8) -> Forward {
        self.op1(opcode, 0);
        Forward(self.position - 1)
    }

    fn bind(&mut self, forward: Forward) {
        let offset = self.position - (forward.0 + 1);
        assert!(offset <= 127, "branch out of range");
        self.rom[forward.0] = offset as u8;
    }

    fn data(&mut self, bytes: &[u8]) -> u16 {
        let address = self.here();
        for &byte in bytes {
            self.byte(byte);
        }
        address
    }

    fn set_vector(&mut self, vector: u16, target: u16) {
        let offset = usize::from(vector - ORIGIN);
        self.rom[offset..offset + 2].copy_from_slice(&target.to_le_bytes());
    }
}

/// Assembles the program into `rom` (32 KiB, mapped at `$8000`).
pub fn assemble(rom: &mut [u8; 0x8000]) {
    rom.fill(0);
    let mut a = Asm { rom, position: 0 };

    let palette = a.data(&PALETTE);

    // rand: steps the 16-bit xorshift generator (shifts 7, 9, 8; John Metcalf's 6502
    // version); returns its high byte in A, keeps X and Y.
    let rand = a.here();
    a.op1(LDA_ZP, SEED + 1);
    a.op(LSR_A);
    a.op1(LDA_ZP, SEED);
    a.op(ROR_A);
    a.op1(EOR_ZP, SEED + 1);
    a.op1(STA_ZP, SEED + 1);
    a.op(ROR_A);
    a.op1(EOR_ZP, SEED);
    a.op1(STA_ZP, SEED);
    a.op1(EOR_ZP, SEED + 1);
    a.op1(STA_ZP, SEED + 1);
    a.op(RTS);

    // put_hex: writes A as two hex digit tiles ($F0-$FF) to PPUDATA.
    let put_hex = a.here();
    a.op(PHA);
    for _ in 0..4 {
        a.op(LSR_A);
    }
    a.op1(ORA_IMM, 0xf0);
    a.op2(STA_ABS, PPUDATA);
    a.op(PLA);
    a.op1(AND_IMM, 0x0f);
    a.op1(ORA_IMM, 0xf0);
    a.op2(STA_ABS, PPUDATA);
    a.op(RTS);

    // read_pad: strobes the controller and shifts its 8 buttons into BUTTONS.
    let read_pad = a.here();
    a.op1(LDA_IMM, 1);
    a.op2(STA_ABS, JOYPAD);
    a.op1(LDA_IMM, 0);
    a.op2(STA_ABS, JOYPAD);
    a.op1(LDX_IMM, 8);
    let next_button = a.here();
    a.op2(LDA_ABS, JOYPAD);
    a.op(LSR_A);
    a.op1(ROL_ZP, BUTTONS);
    a.op(DEX);
    a.branch_back(BNE, next_button);
    a.op(RTS);

    // crc_step: one byte of the CRC pass; at the end of the data, records the result
    // and starts the next pass.
    let crc_step = a.here();
    a.op1(LDY_IMM, 0);
    a.op1(LDA_IND_Y, POINTER);
    a.op1(EOR_ZP, CRC + 1);
    a.op1(STA_ZP, CRC + 1);
    a.op1(LDX_IMM, 8);
    let crc_bit = a.here();
    a.op1(ASL_ZP, CRC);
    a.op1(ROL_ZP, CRC + 1);
    let no_polynomial = a.branch_forward(BCC);
    a.op1(LDA_ZP, CRC + 1);
    a.op1(EOR_IMM, 0x10);
    a.op1(STA_ZP, CRC + 1);
    a.op1(LDA_ZP, CRC);
    a.op1(EOR_IMM, 0x21);
    a.op1(STA_ZP, CRC);
    a.bind(no_polynomial);
    a.op(DEX);
    a.branch_back(BNE, crc_bit);
    a.op1(INC_ZP, POINTER);
    let same_page = a.branch_forward(BNE);
    a.op1(INC_ZP, POINTER + 1);
    a.bind(same_page);
    a.op1(LDA_ZP, POINTER + 1);
    a.op1(CMP_IMM, 0x80);
    let not_done = a.branch_forward(BNE);
    a.op1(LDA_ZP, CRC);
    a.op1(STA_ZP, CRC_RESULT);
    a.op1(LDA_ZP, CRC + 1);
    a.op1(STA_ZP, CRC_RESULT + 1);
    a.op1(INC_ZP, PASSES);
    a.op2(INC_ABS, LEVEL_DATA);
    a.op1(LDA_IMM, 0xff);
    a.op1(STA_ZP, CRC);
    a.op1(STA_ZP, CRC + 1);
    a.op1(LDA_IMM, (LEVEL_DATA >> 8) as u8);
    a.op1(STA_ZP, POINTER + 1);
    a.bind(not_done);
    a.op(RTS);

    // game_logic: once per frame, after the split.
    let game_logic = a.here();
    a.op2(JSR, read_pad);
    // The player (sprite 1): Right, Left, Down, Up move it; A changes its palette.
    a.op1(LDA_ZP, BUTTONS);
    for (step, coordinate) in [(INC_ABS, 3), (DEC_ABS, 3), (INC_ABS, 0), (DEC_ABS, 0)] {
        a.op(LSR_A);
        let released = a.branch_forward(BCC);
        a.op2(step, OAM_PAGE + 4 + coordinate);
        a.bind(released);
    }
    a.op1(LDA_ZP, BUTTONS);
    let no_a = a.branch_forward(BPL);
    a.op2(LDA_ABS, OAM_PAGE + 6);
    a.op1(EOR_IMM, 0x03);
    a.op2(STA_ABS, OAM_PAGE + 6);
    a.bind(no_a);
    // Sprites 2-63 move by their velocities and bounce off the edges.
    a.op1(LDX_IMM, 8);
    a.op1(LDY_IMM, 2);
    let next_sprite = a.here();
    a.op2(LDA_ABS_X, OAM_PAGE + 3);
    a.op(CLC);
    a.op2(ADC_ABS_Y, VELOCITY_X);
    a.op2(STA_ABS_X, OAM_PAGE + 3);
    a.op1(CMP_IMM, 248);
    let x_inside = a.branch_forward(BCC);
    a.op1(LDA_IMM, 0);
    a.op(SEC);
    a.op2(SBC_ABS_Y, VELOCITY_X);
    a.op2(STA_ABS_Y, VELOCITY_X);
    a.bind(x_inside);
    a.op2(LDA_ABS_X, OAM_PAGE);
    a.op(CLC);
    a.op2(ADC_ABS_Y, VELOCITY_Y);
    a.op2(STA_ABS_X, OAM_PAGE);
    a.op1(CMP_IMM, 40);
    let y_above = a.branch_forward(BCC);
    a.op1(CMP_IMM, 224);
    let y_inside = a.branch_forward(BCC);
    a.bind(y_above);
    a.op1(LDA_IMM, 0);
    a.op(SEC);
    a.op2(SBC_ABS_Y, VELOCITY_Y);
    a.op2(STA_ABS_Y, VELOCITY_Y);
    a.bind(y_inside);
    for _ in 0..4 {
        a.op(INX);
    }
    a.op(INY);
    a.op1(CPY_IMM, 64);
    a.branch_back(BNE, next_sprite);
    // Scroll by a pixel.
    a.op1(INC_ZP, SCROLL_X);
    let no_carry = a.branch_forward(BNE);
    a.op1(INC_ZP, SCROLL_HIGH);
    a.bind(no_carry);
    // The next column of tiles, for the NMI handler.
    a.op1(LDX_IMM, 0);
    let next_tile = a.here();
    a.op2(JSR, rand);
    a.op1(AND_IMM, 0x7f);
    a.op2(STA_ABS_X, COLUMN_BUFFER);
    a.op(INX);
    a.op1(CPX_IMM, COLUMN_TILES);
    a.branch_back(BNE, next_tile);
    a.op(RTS);

    // reset: power-on.
    let reset = a.here();
    a.op(SEI);
    a.op(CLD);
    a.op1(LDX_IMM, 0xff);
    a.op(TXS);
    a.op(INX);
    a.op2(STX_ABS, PPUCTRL);
    a.op2(STX_ABS, PPUMASK);
    let vblank_1 = a.here();
    a.op2(BIT_ABS, PPUSTATUS);
    a.branch_back(BPL, vblank_1);
    // Clear the RAM.
    a.op1(LDA_IMM, 0);
    a.op(TAX);
    let clear = a.here();
    a.op1(STA_ZP_X, 0);
    for page in 1..8 {
        a.op2(STA_ABS_X, page << 8);
    }
    a.op(INX);
    a.branch_back(BNE, clear);
    // The level data: two bytes (high, low) of the generator's state per step.
    a.op1(LDA_IMM, INITIAL_SEED as u8);
    a.op1(STA_ZP, SEED);
    a.op1(LDA_IMM, (INITIAL_SEED >> 8) as u8);
    a.op1(STA_ZP, SEED + 1);
    a.op1(LDA_IMM, 0);
    a.op1(STA_ZP, POINTER);
    a.op1(LDA_IMM, (LEVEL_DATA >> 8) as u8);
    a.op1(STA_ZP, POINTER + 1);
    a.op1(LDY_IMM, 0);
    let level_byte = a.here();
    a.op2(JSR, rand);
    a.op1(STA_IND_Y, POINTER);
    a.op(INY);
    a.op1(LDA_ZP, SEED);
    a.op1(STA_IND_Y, POINTER);
    a.op(INY);
    a.branch_back(BNE, level_byte);
    a.op1(INC_ZP, POINTER + 1);
    a.op1(LDA_ZP, POINTER + 1);
    a.op1(CMP_IMM, 0x80);
    a.branch_back(BNE, level_byte);
    a.op1(LDA_IMM, (LEVEL_DATA >> 8) as u8);
    a.op1(STA_ZP, POINTER + 1);
    a.op1(LDA_IMM, 0xff);
    a.op1(STA_ZP, CRC);
    a.op1(STA_ZP, CRC + 1);
    // The palette.
    a.op2(LDA_ABS, PPUSTATUS);
    a.op1(LDA_IMM, 0x3f);
    a.op2(STA_ABS, PPUADDR);
    a.op1(LDA_IMM, 0x00);
    a.op2(STA_ABS, PPUADDR);
    a.op1(LDX_IMM, 0);
    let palette_entry = a.here();
    a.op2(LDA_ABS_X, palette);
    a.op2(STA_ABS, PPUDATA);
    a.op(INX);
    a.op1(CPX_IMM, 32);
    a.branch_back(BNE, palette_entry);
    // Both nametables (tiles and attributes): each 256-byte page is its offsets
    // XORed with a random byte.
    a.op1(LDA_IMM, 0x20);
    a.op2(STA_ABS, PPUADDR);
    a.op1(LDA_IMM, 0x00);
    a.op2(STA_ABS, PPUADDR);
    a.op1(LDY_IMM, 8);
    let nametable_page = a.here();
    a.op2(JSR, rand);
    a.op1(STA_ZP, TEMP);
    a.op1(LDX_IMM, 0);
    let nametable_byte = a.here();
    a.op(TXA);
    a.op1(EOR_ZP, TEMP);
    a.op1(AND_IMM, 0x7f);
    a.op2(STA_ABS, PPUDATA);
    a.op(INX);
    a.branch_back(BNE, nametable_byte);
    a.op(DEY);
    a.branch_back(BNE, nametable_page);
    // The status bar (rows 0-3 of the first nametable): solid tiles, palette 0.
    a.op1(LDA_IMM, 0x20);
    a.op2(STA_ABS, PPUADDR);
    a.op1(LDA_IMM, 0x00);
    a.op2(STA_ABS, PPUADDR);
    a.op1(LDA_IMM, 0xff);
    a.op1(LDX_IMM, 128);
    let bar_tile = a.here();
    a.op2(STA_ABS, PPUDATA);
    a.op(DEX);
    a.branch_back(BNE, bar_tile);
    a.op1(LDA_IMM, 0x23);
    a.op2(STA_ABS, PPUADDR);
    a.op1(LDA_IMM, 0xc0);
    a.op2(STA_ABS, PPUADDR);
    a.op1(LDA_IMM, 0);
    a.op1(LDX_IMM, 8);
    let bar_attribute = a.here();
    a.op2(STA_ABS, PPUDATA);
    a.op(DEX);
    a.branch_back(BNE, bar_attribute);
    // Sprite 0 (the split marker, over the status bar) and the player.
    for (offset, value) in [(0, 12), (1, 0xff), (2, 0), (3, 200), (4, 120), (5, 0x80), (6, 1), (7, 128)] {
        a.op1(LDA_IMM, value);
        a.op2(STA_ABS, OAM_PAGE + offset);
    }
    // Sprites 2-63: random positions, tiles, attributes and velocities.
    a.op1(LDX_IMM, 8);
    a.op1(LDY_IMM, 2);
    let sprite = a.here();
    a.op2(JSR, rand);
    a.op1(AND_IMM, 0x7f);
    a.op(CLC);
    a.op1(ADC_IMM, 64);
    a.op2(STA_ABS_X, OAM_PAGE);
    a.op2(JSR, rand);
    a.op1(AND_IMM, 0x3f);
    a.op1(ORA_IMM, 0x80);
    a.op2(STA_ABS_X, OAM_PAGE + 1);
    a.op2(JSR, rand);
    a.op1(AND_IMM, 0xe3);
    a.op2(STA_ABS_X, OAM_PAGE + 2);
    a.op2(JSR, rand);
    a.op2(STA_ABS_X, OAM_PAGE + 3);
    a.op2(JSR, rand);
    a.op1(AND_IMM, 0x03);
    a.op(CLC);
    a.op1(ADC_IMM, 1);
    a.op2(STA_ABS_Y, VELOCITY_X);
    a.op2(JSR, rand);
    a.op1(AND_IMM, 0x02);
    a.op(SEC);
    a.op1(SBC_IMM, 1);
    a.op2(STA_ABS_Y, VELOCITY_Y);
    for _ in 0..4 {
        a.op(INX);
    }
    a.op(INY);
    a.op1(CPY_IMM, 64);
    a.branch_back(BNE, sprite);
    // Rendering and the NMI on.
    a.op1(LDA_IMM, CTRL);
    a.op2(STA_ABS, PPUCTRL);
    a.op1(LDA_IMM, MASK);
    a.op2(STA_ABS, PPUMASK);

    // main: the frame loop. Computes CRCs until the NMI handler has run, ...
    let main = a.here();
    a.op2(JSR, crc_step);
    a.op1(LDA_ZP, NMI_COUNT);
    a.op1(CMP_ZP, LAST_NMI);
    a.branch_back(BEQ, main);
    a.op1(STA_ZP, LAST_NMI);
    // ... waits for the end of the frame and then for the sprite 0 hit, ...
    let sprite_0_clear = a.here();
    a.op2(BIT_ABS, PPUSTATUS);
    a.branch_back(BVS, sprite_0_clear);
    let sprite_0_hit = a.here();
    a.op2(BIT_ABS, PPUSTATUS);
    a.branch_back(BVC, sprite_0_hit);
    // ... scrolls the playfield below the status bar and runs the game logic.
    a.op1(LDA_ZP, SCROLL_X);
    a.op2(STA_ABS, PPUSCROLL);
    a.op1(LDA_IMM, 0);
    a.op2(STA_ABS, PPUSCROLL);
    a.op1(LDA_ZP, SCROLL_HIGH);
    a.op1(AND_IMM, 1);
    a.op1(ORA_IMM, CTRL);
    a.op2(STA_ABS, PPUCTRL);
    a.op2(JSR, game_logic);
    a.op2(JMP_ABS, main);

    // nmi: vertical blank.
    let nmi = a.here();
    a.op(PHA);
    a.op(TXA);
    a.op(PHA);
    a.op(TYA);
    a.op(PHA);
    a.op1(LDA_IMM, 0);
    a.op2(STA_ABS, OAMADDR);
    a.op1(LDA_IMM, (OAM_PAGE >> 8) as u8);
    a.op2(STA_ABS, OAMDMA);
    // The new column, top to bottom (rows 4-29).
    a.op1(LDA_IMM, CTRL | 0x04);
    a.op2(STA_ABS, PPUCTRL);
    a.op2(LDA_ABS, PPUSTATUS);
    a.op1(LDA_ZP, COLUMN);
    a.op1(AND_IMM, 0x20);
    a.op(LSR_A);
    a.op(LSR_A);
    a.op(LSR_A);
    a.op1(ORA_IMM, 0x20);
    a.op2(STA_ABS, PPUADDR);
    a.op1(LDA_ZP, COLUMN);
    a.op1(AND_IMM, 0x1f);
    a.op1(ORA_IMM, 0x80);
    a.op2(STA_ABS, PPUADDR);
    a.op1(LDX_IMM, 0);
    let copy_tile = a.here();
    a.op2(LDA_ABS_X, COLUMN_BUFFER);
    a.op2(STA_ABS, PPUDATA);
    a.op(INX);
    a.op1(CPX_IMM, COLUMN_TILES);
    a.branch_back(BNE, copy_tile);
    a.op1(INC_ZP, COLUMN);
    // The status bar: last CRC, passes, frames.
    a.op1(LDA_IMM, CTRL);
    a.op2(STA_ABS, PPUCTRL);
    a.op1(LDA_IMM, 0x20);
    a.op2(STA_ABS, PPUADDR);
    a.op1(LDA_IMM, 0x22);
    a.op2(STA_ABS, PPUADDR);
    for variable in [CRC_RESULT + 1, CRC_RESULT, PASSES, NMI_COUNT] {
        a.op1(LDA_ZP, variable);
        a.op2(JSR, put_hex);
    }
    // No scroll for the status bar.
    a.op1(LDA_IMM, 0);
    a.op2(STA_ABS, PPUSCROLL);
    a.op2(STA_ABS, PPUSCROLL);
    a.op1(INC_ZP, NMI_COUNT);
    a.op(PLA);
    a.op(TAY);
    a.op(PLA);
    a.op(TAX);
    a.op(PLA);
    a.op(RTI);

    let irq = a.here();
    a.op(RTI);

    a.set_vector(0xfffa, nmi);
    a.set_vector(0xfffc, reset);
    a.set_vector(0xfffe, irq);
}

/// Fills the pattern ROM: pseudo-random tiles (xorshift32), but tile `$FF` of both
/// tables is solid (colour 3), for the status bar and sprite 0.
pub fn generate_patterns(chr: &mut [u8; 0x2000]) {
    let mut state: u32 = 0x1234_5678;
    for byte in chr.iter_mut() {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        *byte = (state >> 11) as u8;
    }
    for table in [0, 0x1000] {
        chr[table + 0xff * 16..table + 0x100 * 16].fill(0xff);
    }
}

/// The buttons held in `frame`, a scripted "player": a new combination every 16 frames,
/// in the order the controller reports them (A in bit 0, then B, Select, Start, Up,
/// Down, Left, Right).
pub fn buttons(frame: u32) -> u8 {
    let hash = (frame / 16).wrapping_mul(0x9e37_79b9);
    // No Select or Start.
    (hash >> 24) as u8 & 0xf3
}
