//! A NES-like video chip (after the 2C02), rendering a scanline at a time: two
//! nametables side by side (vertical mirroring) with per-scanline horizontal scroll,
//! attribute palettes, 64 8x8 sprites (at most 8 per line, with flipping, priority,
//! sprite 0 hit and the overflow flag), a 32-entry palette and 8 KiB of pattern ROM.

/// The visible width in pixels.
pub const WIDTH: usize = 256;
/// The visible height in pixels.
pub const HEIGHT: usize = 240;

const STATUS_VBLANK: u8 = 0x80;
const STATUS_SPRITE_0_HIT: u8 = 0x40;
const STATUS_OVERFLOW: u8 = 0x20;

const CTRL_NAMETABLE_X: u8 = 0x01;
const CTRL_INCREMENT_32: u8 = 0x04;
const CTRL_SPRITE_TABLE: u8 = 0x08;
const CTRL_BACKGROUND_TABLE: u8 = 0x10;
const CTRL_NMI: u8 = 0x80;

const MASK_BACKGROUND_LEFT: u8 = 0x02;
const MASK_SPRITES_LEFT: u8 = 0x04;
const MASK_BACKGROUND: u8 = 0x08;
const MASK_SPRITES: u8 = 0x10;

/// Marks a sprite pixel in the line buffer as sprite 0's.
const SPRITE_ZERO: u8 = 0x40;
/// Marks a sprite pixel in the line buffer as behind the background.
const SPRITE_BEHIND: u8 = 0x20;

/// The system palette: 64 colours as `0x00RRGGBB`.
#[rustfmt::skip]
pub const SYSTEM_PALETTE: [u32; 64] = [
    0x7c7c7c, 0x0000fc, 0x0000bc, 0x4428bc, 0x940084, 0xa80020, 0xa81000, 0x881400,
    0x503000, 0x007800, 0x006800, 0x005800, 0x004058, 0x000000, 0x000000, 0x000000,
    0xbcbcbc, 0x0078f8, 0x0058f8, 0x6844fc, 0xd800cc, 0xe40058, 0xf83800, 0xe45c10,
    0xac7c00, 0x00b800, 0x00a800, 0x00a844, 0x008888, 0x000000, 0x000000, 0x000000,
    0xf8f8f8, 0x3cbcfc, 0x6888fc, 0x9878f8, 0xf878f8, 0xf85898, 0xf87858, 0xfca044,
    0xf8b800, 0xb8f818, 0x58d854, 0x58f898, 0x00e8d8, 0x787878, 0x000000, 0x000000,
    0xfcfcfc, 0xa4e4fc, 0xb8b8f8, 0xd8b8f8, 0xf8b8f8, 0xf8a4c0, 0xf0d0b0, 0xfce0a8,
    0xf8d878, 0xd8f878, 0xb8f8b8, 0xb8f8d8, 0x00fcfc, 0xf8d8f8, 0x000000, 0x000000,
];

/// The video chip's state and memory.
pub struct Ppu {
    /// `$2000`.
    pub ctrl: u8,
    /// `$2001`.
    pub mask: u8,
    /// `$2002`.
    pub status: u8,
    oam_address: u8,
    /// Sprite memory: 64 sprites of (y, tile, attributes, x).
    pub oam: [u8; 256],
    /// Two nametables of 960 tile numbers and 64 attribute bytes each.
    pub vram: [u8; 0x800],
    /// The palette: background palettes 0-3, then sprite palettes 0-3.
    pub palette: [u8; 32],
    /// Pattern memory: two tables of 256 8x8 tiles, two bit planes each.
    pub chr: [u8; 0x2000],
    address: u16,
    write_toggle: bool,
    read_buffer: u8,
    scroll_x: u8,
    scroll_y: u8,
    /// The vertical scroll of the current frame, latched at the pre-render line.
    frame_scroll_y: u8,
    /// Whether the CPU must take an NMI.
    pub nmi_pending: bool,
}

impl Ppu {
    /// The state at power-on, with zeroed pattern memory.
    pub const fn new() -> Self {
        Ppu {
            ctrl: 0,
            mask: 0,
            status: 0,
            oam_address: 0,
            oam: [0; 256],
            vram: [0; 0x800],
            palette: [0; 32],
            chr: [0; 0x2000],
            address: 0,
            write_toggle: false,
            read_buffer: 0,
            scroll_x: 0,
            scroll_y: 0,
            frame_scroll_y: 0,
            nmi_pending: false,
        }
    }

    /// Resets everything but the pattern memory, in place.
    pub fn reset(&mut self) {
        self.ctrl = 0;
        self.mask = 0;
        self.status = 0;
        self.oam_address = 0;
        self.oam.fill(0);
        self.vram.fill(0);
        self.palette.fill(0);
        self.address = 0;
        self.write_toggle = false;
        self.read_buffer = 0;
        self.scroll_x = 0;
        self.scroll_y = 0;
        self.frame_scroll_y = 0;
        self.nmi_pending = false;
    }

    fn palette_index(address: u16) -> usize {
        let index = usize::from(address & 0x1f);
        // The sprite palettes' entry 0 mirrors the background's.
        if index & 0x13 == 0x10 {
            index & 0x0f
        } else {
            index
        }
    }

    fn read_memory(&self, address: u16) -> u8 {
        match address & 0x3fff {
            a @ 0..=0x1fff => self.chr[usize::from(a)],
            a @ 0x2000..=0x3eff => self.vram[usize::from(a & 0x7ff)],
            a => self.palette[Self::palette_index(a)],
        }
    }

    fn write_memory(&mut self, address: u16, value: u8) {
        match address & 0x3fff {
            // Pattern ROM.
            0..=0x1fff => {}
            a @ 0x2000..=0x3eff => self.vram[usize::from(a & 0x7ff)] = value,
            a => self.palette[Self::palette_index(a)] = value & 0x3f,
        }
    }

    fn increment(&self) -> u16 {
        if self.ctrl & CTRL_INCREMENT_32 != 0 {
            32
        } else {
            1
        }
    }

    /// A CPU read of register `$2000 + register`.
    pub fn read_register(&mut self, register: u16) -> u8 {
        match register & 7 {
            2 => {
                let value = self.status & 0xe0;
                self.status &= !STATUS_VBLANK;
                self.write_toggle = false;
                value
            }
            4 => self.oam[usize::from(self.oam_address)],
            7 => {
                let address = self.address;
                self.address = (address + self.increment()) & 0x3fff;
                if address >= 0x3f00 {
                    // Palette reads are not buffered.
                    self.read_buffer = self.vram[usize::from(address & 0x7ff)];
                    self.read_memory(address)
                } else {
                    let value = self.read_buffer;
                    self.read_buffer = self.read_memory(address);
                    value
                }
            }
            _ => 0,
        }
    }

    /// A CPU write of register `$2000 + register`.
    pub fn write_register(&mut self, register: u16, value: u8) {
        match register & 7 {
            0 => {
                // Enabling the NMI during vertical blank raises it at once.
                if self.ctrl & CTRL_NMI == 0 && value & CTRL_NMI != 0 && self.status & STATUS_VBLANK != 0 {
                    self.nmi_pending = true;
                }
                self.ctrl = value;
            }
            1 => self.mask = value,
            3 => self.oam_address = value,
            4 => {
                self.oam[usize::from(self.oam_address)] = value;
                self.oam_address = self.oam_address.wrapping_add(1);
            }
            5 => {
                if self.write_toggle {
                    self.scroll_y = value;
                } else {
                    self.scroll_x = value;
                }
                self.write_toggle = !self.write_toggle;
            }
            6 => {
                if self.write_toggle {
                    self.address = (self.address & 0xff00) | u16::from(value);
                } else {
                    self.address = (self.address & 0x00ff) | (u16::from(value & 0x3f) << 8);
                }
                self.write_toggle = !self.write_toggle;
            }
            7 => {
                self.write_memory(self.address, value);
                self.address = (self.address + self.increment()) & 0x3fff;
            }
            _ => {}
        }
    }

    /// A write to sprite memory by DMA, at the current OAM address.
    pub fn write_oam_dma(&mut self, value: u8) {
        self.oam[usize::from(self.oam_address)] = value;
        self.oam_address = self.oam_address.wrapping_add(1);
    }

    /// The start of vertical blank (scanline 241).
    pub fn start_vblank(&mut self) {
        self.status |= STATUS_VBLANK;
        if self.ctrl & CTRL_NMI != 0 {
            self.nmi_pending = true;
        }
    }

    /// The pre-render scanline (261): clears the flags, latches the vertical scroll.
    pub fn pre_render(&mut self) {
        self.status &= !(STATUS_VBLANK | STATUS_SPRITE_0_HIT | STATUS_OVERFLOW);
        self.frame_scroll_y = self.scroll_y;
    }

    /// Renders visible scanline `y` into `line` (`0x00RRGGBB` pixels).
    pub fn render_scanline(&mut self, y: usize, line: &mut [u32]) {
        let line = &mut line[..WIDTH];
        if self.mask & (MASK_BACKGROUND | MASK_SPRITES) == 0 {
            line.fill(SYSTEM_PALETTE[usize::from(self.palette[0] & 0x3f)]);
            return;
        }

        // Palette indices: 0 is transparent (the backdrop), else 4 * palette + colour.
        let mut background = [0u8; WIDTH];
        if self.mask & MASK_BACKGROUND != 0 {
            self.render_background(y, &mut background);
            if self.mask & MASK_BACKGROUND_LEFT == 0 {
                background[..8].fill(0);
            }
        }
        // Sprite palette indices (16-31) with the `SPRITE_*` bits; 0 means none.
        let mut sprites = [0u8; WIDTH];
        if self.mask & MASK_SPRITES != 0 {
            self.render_sprites(y, &mut sprites);
            if self.mask & MASK_SPRITES_LEFT == 0 {
                sprites[..8].fill(0);
            }
        }

        for x in 0..WIDTH {
            let background = background[x];
            let sprite = sprites[x];
            let index = if sprite != 0 {
                if background != 0 && sprite & SPRITE_ZERO != 0 && x != WIDTH - 1 {
                    self.status |= STATUS_SPRITE_0_HIT;
                }
                if background == 0 || sprite & SPRITE_BEHIND == 0 {
                    sprite & 0x1f
                } else {
                    background
                }
            } else {
                background
            };
            line[x] = SYSTEM_PALETTE[usize::from(self.palette[usize::from(index)] & 0x3f)];
        }
    }

    fn render_background(&self, y: usize, out: &mut [u8; WIDTH]) {
        let mut world_y = y + usize::from(self.frame_scroll_y);
        if world_y >= HEIGHT {
            world_y -= HEIGHT;
        }
        let row = world_y >> 3;
        let fine_y = world_y & 7;
        let table = if self.ctrl & CTRL_BACKGROUND_TABLE != 0 { 0x1000 } else { 0 };
        // The horizontal position in the 512 pixels of the two nametables.
        let mut world_x = usize::from(self.scroll_x) | (usize::from(self.ctrl & CTRL_NAMETABLE_X) << 8);

        let mut x = 0;
        while x < WIDTH {
            let nametable = (world_x >> 8) * 0x400;
            let column = (world_x >> 3) & 31;
            let tile = usize::from(self.vram[nametable + row * 32 + column]);
            let attribute = self.vram[nametable + 0x3c0 + (row >> 2) * 8 + (column >> 2)];
            let shift = ((row & 2) << 1) | (column & 2);
            let palette = ((attribute >> shift) & 3) << 2;
            let pattern = table + tile * 16 + fine_y;
            let low = self.chr[pattern];
            let high = self.chr[pattern + 8];

            let first = world_x & 7;
            for bit in first..8 {
                if x == WIDTH {
                    break;
                }
                let shift = 7 - bit;
                let colour = ((low >> shift) & 1) | (((high >> shift) & 1) << 1);
                out[x] = if colour != 0 { palette | colour } else { 0 };
                x += 1;
            }
            world_x = (world_x + 8 - first) & 511;
        }
    }

    fn render_sprites(&mut self, y: usize, out: &mut [u8; WIDTH]) {
        let table = if self.ctrl & CTRL_SPRITE_TABLE != 0 { 0x1000 } else { 0 };
        let mut count = 0;
        for (index, sprite) in self.oam.chunks_exact(4).enumerate() {
            // Sprites appear one line below their y coordinate.
            let top = usize::from(sprite[0]) + 1;
            if y < top || y >= top + 8 {
                continue;
            }
            if count == 8 {
                self.status |= STATUS_OVERFLOW;
                break;
            }
            count += 1;

            let tile = usize::from(sprite[1]);
            let attributes = sprite[2];
            let left = usize::from(sprite[3]);
            let mut row = y - top;
            if attributes & 0x80 != 0 {
                row = 7 - row;
            }
            let pattern = table + tile * 16 + row;
            let low = self.chr[pattern];
            let high = self.chr[pattern + 8];
            let mut flags = 0x10 | ((attributes & 3) << 2);
            if attributes & 0x20 != 0 {
                flags |= SPRITE_BEHIND;
            }
            if index == 0 {
                flags |= SPRITE_ZERO;
            }
            for column in 0..8 {
                let x = left + column;
                if x >= WIDTH {
                    break;
                }
                let shift = if attributes & 0x40 != 0 { column } else { 7 - column };
                let colour = ((low >> shift) & 1) | (((high >> shift) & 1) << 1);
                // Lower-numbered sprites win.
                if colour != 0 && out[x] == 0 {
                    out[x] = flags | colour;
                }
            }
        }
    }
}

impl Default for Ppu {
    fn default() -> Self {
        Self::new()
    }
}
