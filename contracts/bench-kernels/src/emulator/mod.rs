//! A NES-like system standing in for polkavm's `bench-pinky` (a NES emulator): a 6502
//! CPU ([`cpu`]), a scanline-based video chip ([`ppu`]) rendering into a 256x240
//! framebuffer of 32-bit pixels (240 KiB), 2 KiB of RAM, a cartridge with 32 KiB of
//! program ROM, 8 KiB of RAM and 8 KiB of pattern ROM, sprite DMA and a controller
//! driven by a scripted player. The cartridge's program ([`program`]) is a small game
//! loop (split-screen scrolling, 63 moving sprites, a status bar) that spends the rest
//! of each frame computing CRC-16s over 1 KiB of data.
//!
//! One benchmark run ([`Nes::run_benchmark`]) powers the system on and emulates
//! [`FRAMES_PER_RUN`] frames: about 280,000 6502 instructions (890,000 cycles) and
//! 6,200 rendered scanlines (1.6 million pixels). [`Nes::checksum`] hashes the
//! framebuffer, the RAM and the CPU's registers.

pub mod cpu;
pub mod ppu;
pub mod program;

use cpu::{Bus, Cpu};
use ppu::{Ppu, HEIGHT, WIDTH};

/// The frames one benchmark run emulates (half a second of NES time).
pub const FRAMES_PER_RUN: u32 = 30;

/// The video chip's dots per scanline; a CPU cycle is three dots.
const DOTS_PER_SCANLINE: i32 = 341;
/// Scanlines per frame: 240 visible, one idle, 20 of vertical blank, one pre-render.
const SCANLINES: usize = 262;

/// Everything on the CPU's bus: RAM, the video chip, the controller, the cartridge.
pub struct Machine {
    /// 2 KiB of RAM at `$0000`, mirrored up to `$1FFF`.
    pub ram: [u8; 0x800],
    /// The cartridge's 8 KiB of RAM at `$6000`.
    pub cartridge_ram: [u8; 0x2000],
    /// The cartridge's 32 KiB of program ROM at `$8000`.
    pub rom: [u8; 0x8000],
    /// The video chip, its registers at `$2000-$2007` (mirrored up to `$3FFF`).
    pub ppu: Ppu,
    /// The buttons held on the controller (`$4016`), A in bit 0.
    pub buttons: u8,
    pad_shift: u8,
    pad_strobe: bool,
    /// CPU cycles taken by sprite DMA, not yet accounted for.
    dma_cycles: u32,
}

impl Machine {
    const fn new() -> Self {
        Machine {
            ram: [0; 0x800],
            cartridge_ram: [0; 0x2000],
            rom: [0; 0x8000],
            ppu: Ppu::new(),
            buttons: 0,
            pad_shift: 0,
            pad_strobe: false,
            dma_cycles: 0,
        }
    }
}

impl Bus for Machine {
    #[inline(always)]
    fn read(&mut self, address: u16) -> u8 {
        match address >> 13 {
            0 => self.ram[usize::from(address & 0x7ff)],
            1 => self.ppu.read_register(address),
            2 => {
                if address == 0x4016 {
                    if self.pad_strobe {
                        return 0x40 | (self.buttons & 1);
                    }
                    let bit = self.pad_shift & 1;
                    // After the eighth read, the controller reports 1s.
                    self.pad_shift = (self.pad_shift >> 1) | 0x80;
                    0x40 | bit
                } else {
                    0
                }
            }
            3 => self.cartridge_ram[usize::from(address & 0x1fff)],
            _ => self.rom[usize::from(address & 0x7fff)],
        }
    }

    #[inline(always)]
    fn write(&mut self, address: u16, value: u8) {
        match address >> 13 {
            0 => self.ram[usize::from(address & 0x7ff)] = value,
            1 => self.ppu.write_register(address, value),
            2 => match address {
                0x4014 => {
                    // Sprite DMA: a page of CPU memory to sprite memory.
                    let page = u16::from(value) << 8;
                    for offset in 0..256 {
                        let byte = self.read(page | offset);
                        self.ppu.write_oam_dma(byte);
                    }
                    self.dma_cycles += 513;
                }
                0x4016 => {
                    self.pad_strobe = value & 1 != 0;
                    if self.pad_strobe {
                        self.pad_shift = self.buttons;
                    }
                }
                // The sound chip is not emulated.
                _ => {}
            },
            3 => self.cartridge_ram[usize::from(address & 0x1fff)] = value,
            // ROM.
            _ => {}
        }
    }
}

/// The whole system.
pub struct Nes {
    /// The CPU.
    pub cpu: Cpu,
    /// The rest of the system.
    pub bus: Machine,
    frame: u32,
    /// Dots the CPU may still run in this scanline (negative: it ran ahead).
    dots: i32,
    framebuffer: [u32; WIDTH * HEIGHT],
}

impl Default for Nes {
    fn default() -> Self {
        Self::new()
    }
}

impl Nes {
    /// A system without a cartridge, all zeros (so that a `static` of it costs nothing
    /// in a guest program's blob).
    pub const fn new() -> Self {
        Nes { cpu: Cpu::new(), bus: Machine::new(), frame: 0, dots: 0, framebuffer: [0; WIDTH * HEIGHT] }
    }

    /// Inserts the cartridge: assembles the program ROM, generates the pattern ROM.
    pub fn load_cartridge(&mut self) {
        program::assemble(&mut self.bus.rom);
        program::generate_patterns(&mut self.bus.ppu.chr);
    }

    /// Power-on: clears the RAM, the video chip (but not the cartridge's ROMs) and the
    /// framebuffer, and resets the CPU. Works in place: the system is too large for a
    /// guest program's stack.
    pub fn power_on(&mut self) {
        let bus = &mut self.bus;
        bus.ram.fill(0);
        bus.cartridge_ram.fill(0);
        bus.ppu.reset();
        bus.buttons = 0;
        bus.pad_shift = 0;
        bus.pad_strobe = false;
        bus.dma_cycles = 0;
        self.framebuffer.fill(0);
        self.frame = 0;
        self.dots = 0;
        self.cpu.reset(&mut self.bus);
    }

    /// Emulates one frame.
    pub fn run_frame(&mut self) {
        self.bus.buttons = program::buttons(self.frame);
        for scanline in 0..SCANLINES {
            self.dots += DOTS_PER_SCANLINE;
            while self.dots > 0 {
                if self.bus.ppu.nmi_pending {
                    self.bus.ppu.nmi_pending = false;
                    self.cpu.nmi(&mut self.bus);
                    self.dots -= 3 * 7;
                }
                let cycles = self.cpu.step(&mut self.bus) + core::mem::take(&mut self.bus.dma_cycles);
                self.dots -= 3 * cycles as i32;
            }
            match scanline {
                _ if scanline < HEIGHT => {
                    let line = &mut self.framebuffer[scanline * WIDTH..][..WIDTH];
                    self.bus.ppu.render_scanline(scanline, line);
                }
                241 => self.bus.ppu.start_vblank(),
                261 => self.bus.ppu.pre_render(),
                _ => {}
            }
        }
        self.frame += 1;
    }

    /// One benchmark run: power-on, then [`FRAMES_PER_RUN`] frames. The cartridge must
    /// be loaded.
    pub fn run_benchmark(&mut self) {
        self.power_on();
        for _ in 0..FRAMES_PER_RUN {
            self.run_frame();
        }
    }

    /// Frames emulated since power-on.
    pub fn frame(&self) -> u32 {
        self.frame
    }

    /// The last frame, row by row, as `0x00RRGGBB` pixels.
    pub fn framebuffer(&self) -> &[u32; WIDTH * HEIGHT] {
        &self.framebuffer
    }

    /// A 32-bit FNV-1a hash of the framebuffer, the RAM, the cartridge RAM, the CPU's
    /// registers and cycle count, and the frame count.
    pub fn checksum(&self) -> u32 {
        let mut hash = 0x811c_9dc5_u32;
        let mut mix = |value: u32| hash = (hash ^ value).wrapping_mul(0x0100_0193);
        self.framebuffer.iter().for_each(|&pixel| mix(pixel));
        self.bus.ram.iter().chain(&self.bus.cartridge_ram).for_each(|&byte| mix(u32::from(byte)));
        let cpu = &self.cpu;
        for value in [cpu.a, cpu.x, cpu.y, cpu.s, cpu.p] {
            mix(u32::from(value));
        }
        mix(u32::from(cpu.pc));
        mix(cpu.cycles as u32);
        mix((cpu.cycles >> 32) as u32);
        mix(self.frame);
        hash
    }
}
