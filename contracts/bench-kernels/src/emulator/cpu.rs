//! A MOS 6502 CPU as in the NES's 2A03: every official instruction and addressing
//! mode, with cycle counts (including the page-crossing and taken-branch penalties);
//! no decimal mode (the 2A03 has none). The undefined opcodes halt the CPU, as the
//! 6502's `KIL` opcodes do.

/// The memory the CPU sees.
pub trait Bus {
    /// Reads the byte at `address` (may have side effects, as on real hardware).
    fn read(&mut self, address: u16) -> u8;
    /// Writes `value` to `address`.
    fn write(&mut self, address: u16, value: u8);
}

/// Carry.
pub const FLAG_C: u8 = 0x01;
/// Zero.
pub const FLAG_Z: u8 = 0x02;
/// Interrupts disabled.
pub const FLAG_I: u8 = 0x04;
/// Decimal mode (kept, but without effect).
pub const FLAG_D: u8 = 0x08;
/// Break (only in the copy of the flags pushed by `BRK`/`PHP`).
pub const FLAG_B: u8 = 0x10;
/// Always set.
pub const FLAG_U: u8 = 0x20;
/// Overflow.
pub const FLAG_V: u8 = 0x40;
/// Negative.
pub const FLAG_N: u8 = 0x80;

/// Base cycle counts by opcode (0 for the undefined opcodes).
#[rustfmt::skip]
const CYCLES: [u8; 256] = [
//  0  1  2  3  4  5  6  7  8  9  A  B  C  D  E  F
    7, 6, 0, 0, 0, 3, 5, 0, 3, 2, 2, 0, 0, 4, 6, 0, // 0
    2, 5, 0, 0, 0, 4, 6, 0, 2, 4, 0, 0, 0, 4, 7, 0, // 1
    6, 6, 0, 0, 3, 3, 5, 0, 4, 2, 2, 0, 4, 4, 6, 0, // 2
    2, 5, 0, 0, 0, 4, 6, 0, 2, 4, 0, 0, 0, 4, 7, 0, // 3
    6, 6, 0, 0, 0, 3, 5, 0, 3, 2, 2, 0, 3, 4, 6, 0, // 4
    2, 5, 0, 0, 0, 4, 6, 0, 2, 4, 0, 0, 0, 4, 7, 0, // 5
    6, 6, 0, 0, 0, 3, 5, 0, 4, 2, 2, 0, 5, 4, 6, 0, // 6
    2, 5, 0, 0, 0, 4, 6, 0, 2, 4, 0, 0, 0, 4, 7, 0, // 7
    0, 6, 0, 0, 3, 3, 3, 0, 2, 0, 2, 0, 4, 4, 4, 0, // 8
    2, 6, 0, 0, 4, 4, 4, 0, 2, 5, 2, 0, 0, 5, 0, 0, // 9
    2, 6, 2, 0, 3, 3, 3, 0, 2, 2, 2, 0, 4, 4, 4, 0, // A
    2, 5, 0, 0, 4, 4, 4, 0, 2, 4, 2, 0, 4, 4, 4, 0, // B
    2, 6, 0, 0, 3, 3, 5, 0, 2, 2, 2, 0, 4, 4, 6, 0, // C
    2, 5, 0, 0, 0, 4, 6, 0, 2, 4, 0, 0, 0, 4, 7, 0, // D
    2, 6, 0, 0, 3, 3, 5, 0, 2, 2, 2, 0, 4, 4, 6, 0, // E
    2, 5, 0, 0, 0, 4, 6, 0, 2, 4, 0, 0, 0, 4, 7, 0, // F
];

/// The CPU's registers and its cycle counter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cpu {
    /// The accumulator.
    pub a: u8,
    /// Index register X.
    pub x: u8,
    /// Index register Y.
    pub y: u8,
    /// The stack pointer (the stack is page 1).
    pub s: u8,
    /// The flags (`FLAG_*`).
    pub p: u8,
    /// The program counter.
    pub pc: u16,
    /// Cycles run since power-on.
    pub cycles: u64,
    /// Whether an undefined opcode halted the CPU.
    pub halted: bool,
}

impl Default for Cpu {
    fn default() -> Self {
        Self::new()
    }
}

impl Cpu {
    /// A CPU with every register zero; call [`Cpu::reset`] before running it.
    pub const fn new() -> Self {
        Cpu { a: 0, x: 0, y: 0, s: 0, p: 0, pc: 0, cycles: 0, halted: false }
    }

    /// Power-on reset: starts at the address in the reset vector (`$FFFC`).
    pub fn reset<B: Bus>(&mut self, bus: &mut B) {
        *self = Cpu::new();
        self.s = 0xfd;
        self.p = FLAG_I | FLAG_U;
        self.pc = read16(bus, 0xfffc);
        self.cycles = 7;
    }

    /// Takes a non-maskable interrupt (vector `$FFFA`), unless the CPU is halted.
    pub fn nmi<B: Bus>(&mut self, bus: &mut B) {
        if self.halted {
            return;
        }
        self.interrupt(bus, 0xfffa, 0);
        self.cycles += 7;
    }

    /// Takes an interrupt request (vector `$FFFE`) unless interrupts are disabled.
    pub fn irq<B: Bus>(&mut self, bus: &mut B) {
        if self.p & FLAG_I == 0 && !self.halted {
            self.interrupt(bus, 0xfffe, 0);
            self.cycles += 7;
        }
    }

    fn interrupt<B: Bus>(&mut self, bus: &mut B, vector: u16, break_flag: u8) {
        self.push16(bus, self.pc);
        self.push(bus, (self.p & !FLAG_B) | FLAG_U | break_flag);
        self.p |= FLAG_I;
        self.pc = read16(bus, vector);
    }

    #[inline(always)]
    fn fetch<B: Bus>(&mut self, bus: &mut B) -> u8 {
        let value = bus.read(self.pc);
        self.pc = self.pc.wrapping_add(1);
        value
    }

    #[inline(always)]
    fn fetch16<B: Bus>(&mut self, bus: &mut B) -> u16 {
        let low = self.fetch(bus);
        let high = self.fetch(bus);
        u16::from_le_bytes([low, high])
    }

    #[inline(always)]
    fn push<B: Bus>(&mut self, bus: &mut B, value: u8) {
        bus.write(0x100 | u16::from(self.s), value);
        self.s = self.s.wrapping_sub(1);
    }

    #[inline(always)]
    fn pull<B: Bus>(&mut self, bus: &mut B) -> u8 {
        self.s = self.s.wrapping_add(1);
        bus.read(0x100 | u16::from(self.s))
    }

    fn push16<B: Bus>(&mut self, bus: &mut B, value: u16) {
        let [low, high] = value.to_le_bytes();
        self.push(bus, high);
        self.push(bus, low);
    }

    fn pull16<B: Bus>(&mut self, bus: &mut B) -> u16 {
        let low = self.pull(bus);
        let high = self.pull(bus);
        u16::from_le_bytes([low, high])
    }

    #[inline(always)]
    fn set_flag(&mut self, flag: u8, on: bool) {
        if on {
            self.p |= flag;
        } else {
            self.p &= !flag;
        }
    }

    #[inline(always)]
    fn set_zn(&mut self, value: u8) {
        self.p = (self.p & !(FLAG_Z | FLAG_N)) | if value == 0 { FLAG_Z } else { 0 } | (value & FLAG_N);
    }

    // Addressing modes: each returns the effective address. The `*_read` variants
    // charge the extra cycle of a read that crosses a page.

    #[inline(always)]
    fn zero_page<B: Bus>(&mut self, bus: &mut B) -> u16 {
        u16::from(self.fetch(bus))
    }

    #[inline(always)]
    fn zero_page_x<B: Bus>(&mut self, bus: &mut B) -> u16 {
        u16::from(self.fetch(bus).wrapping_add(self.x))
    }

    #[inline(always)]
    fn zero_page_y<B: Bus>(&mut self, bus: &mut B) -> u16 {
        u16::from(self.fetch(bus).wrapping_add(self.y))
    }

    #[inline(always)]
    fn absolute<B: Bus>(&mut self, bus: &mut B) -> u16 {
        self.fetch16(bus)
    }

    #[inline(always)]
    fn indexed(&mut self, base: u16, index: u8, read: bool) -> u16 {
        let address = base.wrapping_add(u16::from(index));
        if read && (base ^ address) & 0xff00 != 0 {
            self.cycles += 1;
        }
        address
    }

    #[inline(always)]
    fn absolute_x<B: Bus>(&mut self, bus: &mut B, read: bool) -> u16 {
        let base = self.fetch16(bus);
        self.indexed(base, self.x, read)
    }

    #[inline(always)]
    fn absolute_y<B: Bus>(&mut self, bus: &mut B, read: bool) -> u16 {
        let base = self.fetch16(bus);
        self.indexed(base, self.y, read)
    }

    /// `(zp,X)`: the pointer is in the zero page (wrapping within it).
    #[inline(always)]
    fn indirect_x<B: Bus>(&mut self, bus: &mut B) -> u16 {
        let pointer = self.fetch(bus).wrapping_add(self.x);
        let low = bus.read(u16::from(pointer));
        let high = bus.read(u16::from(pointer.wrapping_add(1)));
        u16::from_le_bytes([low, high])
    }

    /// `(zp),Y`.
    #[inline(always)]
    fn indirect_y<B: Bus>(&mut self, bus: &mut B, read: bool) -> u16 {
        let pointer = self.fetch(bus);
        let low = bus.read(u16::from(pointer));
        let high = bus.read(u16::from(pointer.wrapping_add(1)));
        self.indexed(u16::from_le_bytes([low, high]), self.y, read)
    }

    // Operations.

    #[inline(always)]
    fn adc(&mut self, value: u8) {
        let sum = u16::from(self.a) + u16::from(value) + u16::from(self.p & FLAG_C);
        let result = sum as u8;
        self.set_flag(FLAG_C, sum > 0xff);
        self.set_flag(FLAG_V, (!(self.a ^ value) & (self.a ^ result) & 0x80) != 0);
        self.a = result;
        self.set_zn(result);
    }

    #[inline(always)]
    fn sbc(&mut self, value: u8) {
        self.adc(!value);
    }

    #[inline(always)]
    fn compare(&mut self, register: u8, value: u8) {
        self.set_flag(FLAG_C, register >= value);
        self.set_zn(register.wrapping_sub(value));
    }

    #[inline(always)]
    fn bit(&mut self, value: u8) {
        self.set_flag(FLAG_Z, self.a & value == 0);
        self.p = (self.p & !(FLAG_N | FLAG_V)) | (value & (FLAG_N | FLAG_V));
    }

    #[inline(always)]
    fn asl(&mut self, value: u8) -> u8 {
        self.set_flag(FLAG_C, value & 0x80 != 0);
        let result = value << 1;
        self.set_zn(result);
        result
    }

    #[inline(always)]
    fn lsr(&mut self, value: u8) -> u8 {
        self.set_flag(FLAG_C, value & 1 != 0);
        let result = value >> 1;
        self.set_zn(result);
        result
    }

    #[inline(always)]
    fn rol(&mut self, value: u8) -> u8 {
        let carry = self.p & FLAG_C;
        self.set_flag(FLAG_C, value & 0x80 != 0);
        let result = (value << 1) | carry;
        self.set_zn(result);
        result
    }

    #[inline(always)]
    fn ror(&mut self, value: u8) -> u8 {
        let carry = self.p & FLAG_C;
        self.set_flag(FLAG_C, value & 1 != 0);
        let result = (value >> 1) | (carry << 7);
        self.set_zn(result);
        result
    }

    #[inline(always)]
    fn inc(&mut self, value: u8) -> u8 {
        let result = value.wrapping_add(1);
        self.set_zn(result);
        result
    }

    #[inline(always)]
    fn dec(&mut self, value: u8) -> u8 {
        let result = value.wrapping_sub(1);
        self.set_zn(result);
        result
    }

    #[inline(always)]
    fn branch<B: Bus>(&mut self, bus: &mut B, taken: bool) {
        let offset = self.fetch(bus) as i8;
        if taken {
            let target = self.pc.wrapping_add(offset as u16);
            self.cycles += if (target ^ self.pc) & 0xff00 != 0 { 2 } else { 1 };
            self.pc = target;
        }
    }

    /// Runs one instruction; returns the cycles it took.
    pub fn step<B: Bus>(&mut self, bus: &mut B) -> u32 {
        if self.halted {
            self.cycles += 2;
            return 2;
        }
        let start = self.cycles;
        let opcode = self.fetch(bus);
        self.cycles += u64::from(CYCLES[usize::from(opcode)]);

        // Reads the operand of a read instruction in the given addressing mode.
        macro_rules! load {
            (immediate) => {
                self.fetch(bus)
            };
            (indexed $mode:ident) => {{
                let address = self.$mode(bus, true);
                bus.read(address)
            }};
            ($mode:ident) => {{
                let address = self.$mode(bus);
                bus.read(address)
            }};
        }
        // Read-modify-write on memory.
        macro_rules! modify {
            ($address:expr, $op:ident) => {{
                let address = $address;
                let value = bus.read(address);
                let result = self.$op(value);
                bus.write(address, result);
            }};
        }

        match opcode {
            // Loads.
            0xa9 => {
                let v = load!(immediate);
                self.a = v;
                self.set_zn(v)
            }
            0xa5 | 0xb5 | 0xad | 0xbd | 0xb9 | 0xa1 | 0xb1 => {
                let v = match opcode {
                    0xa5 => load!(zero_page),
                    0xb5 => load!(zero_page_x),
                    0xad => load!(absolute),
                    0xbd => load!(indexed absolute_x),
                    0xb9 => load!(indexed absolute_y),
                    0xa1 => load!(indirect_x),
                    _ => load!(indexed indirect_y),
                };
                self.a = v;
                self.set_zn(v)
            }
            0xa2 | 0xa6 | 0xb6 | 0xae | 0xbe => {
                let v = match opcode {
                    0xa2 => load!(immediate),
                    0xa6 => load!(zero_page),
                    0xb6 => load!(zero_page_y),
                    0xae => load!(absolute),
                    _ => load!(indexed absolute_y),
                };
                self.x = v;
                self.set_zn(v)
            }
            0xa0 | 0xa4 | 0xb4 | 0xac | 0xbc => {
                let v = match opcode {
                    0xa0 => load!(immediate),
                    0xa4 => load!(zero_page),
                    0xb4 => load!(zero_page_x),
                    0xac => load!(absolute),
                    _ => load!(indexed absolute_x),
                };
                self.y = v;
                self.set_zn(v)
            }

            // Stores.
            0x85 => {
                let a = self.zero_page(bus);
                bus.write(a, self.a)
            }
            0x95 => {
                let a = self.zero_page_x(bus);
                bus.write(a, self.a)
            }
            0x8d => {
                let a = self.absolute(bus);
                bus.write(a, self.a)
            }
            0x9d => {
                let a = self.absolute_x(bus, false);
                bus.write(a, self.a)
            }
            0x99 => {
                let a = self.absolute_y(bus, false);
                bus.write(a, self.a)
            }
            0x81 => {
                let a = self.indirect_x(bus);
                bus.write(a, self.a)
            }
            0x91 => {
                let a = self.indirect_y(bus, false);
                bus.write(a, self.a)
            }
            0x86 => {
                let a = self.zero_page(bus);
                bus.write(a, self.x)
            }
            0x96 => {
                let a = self.zero_page_y(bus);
                bus.write(a, self.x)
            }
            0x8e => {
                let a = self.absolute(bus);
                bus.write(a, self.x)
            }
            0x84 => {
                let a = self.zero_page(bus);
                bus.write(a, self.y)
            }
            0x94 => {
                let a = self.zero_page_x(bus);
                bus.write(a, self.y)
            }
            0x8c => {
                let a = self.absolute(bus);
                bus.write(a, self.y)
            }

            // Arithmetic and logic on the accumulator.
            0x69 => {
                let v = load!(immediate);
                self.adc(v)
            }
            0x65 => {
                let v = load!(zero_page);
                self.adc(v)
            }
            0x75 => {
                let v = load!(zero_page_x);
                self.adc(v)
            }
            0x6d => {
                let v = load!(absolute);
                self.adc(v)
            }
            0x7d => {
                let v = load!(indexed absolute_x);
                self.adc(v)
            }
            0x79 => {
                let v = load!(indexed absolute_y);
                self.adc(v)
            }
            0x61 => {
                let v = load!(indirect_x);
                self.adc(v)
            }
            0x71 => {
                let v = load!(indexed indirect_y);
                self.adc(v)
            }
            0xe9 => {
                let v = load!(immediate);
                self.sbc(v)
            }
            0xe5 => {
                let v = load!(zero_page);
                self.sbc(v)
            }
            0xf5 => {
                let v = load!(zero_page_x);
                self.sbc(v)
            }
            0xed => {
                let v = load!(absolute);
                self.sbc(v)
            }
            0xfd => {
                let v = load!(indexed absolute_x);
                self.sbc(v)
            }
            0xf9 => {
                let v = load!(indexed absolute_y);
                self.sbc(v)
            }
            0xe1 => {
                let v = load!(indirect_x);
                self.sbc(v)
            }
            0xf1 => {
                let v = load!(indexed indirect_y);
                self.sbc(v)
            }
            0x29 | 0x25 | 0x35 | 0x2d | 0x3d | 0x39 | 0x21 | 0x31 => {
                let v = match opcode {
                    0x29 => load!(immediate),
                    0x25 => load!(zero_page),
                    0x35 => load!(zero_page_x),
                    0x2d => load!(absolute),
                    0x3d => load!(indexed absolute_x),
                    0x39 => load!(indexed absolute_y),
                    0x21 => load!(indirect_x),
                    _ => load!(indexed indirect_y),
                };
                self.a &= v;
                self.set_zn(self.a)
            }
            0x09 | 0x05 | 0x15 | 0x0d | 0x1d | 0x19 | 0x01 | 0x11 => {
                let v = match opcode {
                    0x09 => load!(immediate),
                    0x05 => load!(zero_page),
                    0x15 => load!(zero_page_x),
                    0x0d => load!(absolute),
                    0x1d => load!(indexed absolute_x),
                    0x19 => load!(indexed absolute_y),
                    0x01 => load!(indirect_x),
                    _ => load!(indexed indirect_y),
                };
                self.a |= v;
                self.set_zn(self.a)
            }
            0x49 | 0x45 | 0x55 | 0x4d | 0x5d | 0x59 | 0x41 | 0x51 => {
                let v = match opcode {
                    0x49 => load!(immediate),
                    0x45 => load!(zero_page),
                    0x55 => load!(zero_page_x),
                    0x4d => load!(absolute),
                    0x5d => load!(indexed absolute_x),
                    0x59 => load!(indexed absolute_y),
                    0x41 => load!(indirect_x),
                    _ => load!(indexed indirect_y),
                };
                self.a ^= v;
                self.set_zn(self.a)
            }
            0xc9 | 0xc5 | 0xd5 | 0xcd | 0xdd | 0xd9 | 0xc1 | 0xd1 => {
                let v = match opcode {
                    0xc9 => load!(immediate),
                    0xc5 => load!(zero_page),
                    0xd5 => load!(zero_page_x),
                    0xcd => load!(absolute),
                    0xdd => load!(indexed absolute_x),
                    0xd9 => load!(indexed absolute_y),
                    0xc1 => load!(indirect_x),
                    _ => load!(indexed indirect_y),
                };
                self.compare(self.a, v)
            }
            0xe0 | 0xe4 | 0xec => {
                let v = match opcode {
                    0xe0 => load!(immediate),
                    0xe4 => load!(zero_page),
                    _ => load!(absolute),
                };
                self.compare(self.x, v)
            }
            0xc0 | 0xc4 | 0xcc => {
                let v = match opcode {
                    0xc0 => load!(immediate),
                    0xc4 => load!(zero_page),
                    _ => load!(absolute),
                };
                self.compare(self.y, v)
            }
            0x24 => {
                let v = load!(zero_page);
                self.bit(v)
            }
            0x2c => {
                let v = load!(absolute);
                self.bit(v)
            }

            // Shifts and rotates.
            0x0a => self.a = self.asl(self.a),
            0x06 => modify!(self.zero_page(bus), asl),
            0x16 => modify!(self.zero_page_x(bus), asl),
            0x0e => modify!(self.absolute(bus), asl),
            0x1e => modify!(self.absolute_x(bus, false), asl),
            0x4a => self.a = self.lsr(self.a),
            0x46 => modify!(self.zero_page(bus), lsr),
            0x56 => modify!(self.zero_page_x(bus), lsr),
            0x4e => modify!(self.absolute(bus), lsr),
            0x5e => modify!(self.absolute_x(bus, false), lsr),
            0x2a => self.a = self.rol(self.a),
            0x26 => modify!(self.zero_page(bus), rol),
            0x36 => modify!(self.zero_page_x(bus), rol),
            0x2e => modify!(self.absolute(bus), rol),
            0x3e => modify!(self.absolute_x(bus, false), rol),
            0x6a => self.a = self.ror(self.a),
            0x66 => modify!(self.zero_page(bus), ror),
            0x76 => modify!(self.zero_page_x(bus), ror),
            0x6e => modify!(self.absolute(bus), ror),
            0x7e => modify!(self.absolute_x(bus, false), ror),

            // Increments and decrements.
            0xe6 => modify!(self.zero_page(bus), inc),
            0xf6 => modify!(self.zero_page_x(bus), inc),
            0xee => modify!(self.absolute(bus), inc),
            0xfe => modify!(self.absolute_x(bus, false), inc),
            0xc6 => modify!(self.zero_page(bus), dec),
            0xd6 => modify!(self.zero_page_x(bus), dec),
            0xce => modify!(self.absolute(bus), dec),
            0xde => modify!(self.absolute_x(bus, false), dec),
            0xe8 => self.x = self.inc(self.x),
            0xc8 => self.y = self.inc(self.y),
            0xca => self.x = self.dec(self.x),
            0x88 => self.y = self.dec(self.y),

            // Transfers.
            0xaa => {
                self.x = self.a;
                self.set_zn(self.x)
            }
            0xa8 => {
                self.y = self.a;
                self.set_zn(self.y)
            }
            0x8a => {
                self.a = self.x;
                self.set_zn(self.a)
            }
            0x98 => {
                self.a = self.y;
                self.set_zn(self.a)
            }
            0xba => {
                self.x = self.s;
                self.set_zn(self.x)
            }
            0x9a => self.s = self.x,

            // Stack.
            0x48 => self.push(bus, self.a),
            0x08 => self.push(bus, self.p | FLAG_B | FLAG_U),
            0x68 => {
                self.a = self.pull(bus);
                self.set_zn(self.a)
            }
            0x28 => self.p = (self.pull(bus) & !FLAG_B) | FLAG_U,

            // Flags.
            0x18 => self.p &= !FLAG_C,
            0x38 => self.p |= FLAG_C,
            0x58 => self.p &= !FLAG_I,
            0x78 => self.p |= FLAG_I,
            0xb8 => self.p &= !FLAG_V,
            0xd8 => self.p &= !FLAG_D,
            0xf8 => self.p |= FLAG_D,

            // Branches.
            0x10 => self.branch(bus, self.p & FLAG_N == 0),
            0x30 => self.branch(bus, self.p & FLAG_N != 0),
            0x50 => self.branch(bus, self.p & FLAG_V == 0),
            0x70 => self.branch(bus, self.p & FLAG_V != 0),
            0x90 => self.branch(bus, self.p & FLAG_C == 0),
            0xb0 => self.branch(bus, self.p & FLAG_C != 0),
            0xd0 => self.branch(bus, self.p & FLAG_Z == 0),
            0xf0 => self.branch(bus, self.p & FLAG_Z != 0),

            // Jumps, calls and returns.
            0x4c => self.pc = self.fetch16(bus),
            0x6c => {
                // The 6502 never carries into the pointer's high byte.
                let pointer = self.fetch16(bus);
                let low = bus.read(pointer);
                let high = bus.read((pointer & 0xff00) | (pointer.wrapping_add(1) & 0x00ff));
                self.pc = u16::from_le_bytes([low, high]);
            }
            0x20 => {
                let target = self.fetch16(bus);
                self.push16(bus, self.pc.wrapping_sub(1));
                self.pc = target;
            }
            0x60 => self.pc = self.pull16(bus).wrapping_add(1),
            0x40 => {
                self.p = (self.pull(bus) & !FLAG_B) | FLAG_U;
                self.pc = self.pull16(bus);
            }
            0x00 => {
                // `BRK` skips a padding byte.
                self.pc = self.pc.wrapping_add(1);
                self.interrupt(bus, 0xfffe, FLAG_B);
            }
            0xea => {}

            // Undefined opcodes: halt.
            _ => {
                self.pc = self.pc.wrapping_sub(1);
                self.halted = true;
                self.cycles += 2;
            }
        }
        (self.cycles - start) as u32
    }
}

/// Reads a little-endian 16-bit value.
pub fn read16<B: Bus>(bus: &mut B, address: u16) -> u16 {
    let low = bus.read(address);
    let high = bus.read(address.wrapping_add(1));
    u16::from_le_bytes([low, high])
}
