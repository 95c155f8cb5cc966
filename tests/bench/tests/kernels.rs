//! The benchmark programs' computations (`bench-kernels`), run natively: they compute
//! what the guest programs' scenarios expect (so `vm-bench`'s native column times the
//! same work), every benchmark run does the same work, and the emulator's 6502 CPU
//! executes instructions the way the 6502 does.

use bench_kernels::emulator::cpu::{Bus, Cpu, FLAG_B, FLAG_C, FLAG_I, FLAG_N, FLAG_U, FLAG_V, FLAG_Z};
use bench_kernels::emulator::{program, Nes, FRAMES_PER_RUN};
use bench_kernels::{memset, minimal, prime_sieve};
use guest_programs::scenarios;

#[test]
fn prime_sieve_counts_primes() {
    let mut bits = vec![0; prime_sieve::WORDS];
    for (limit, expected) in prime_sieve::KNOWN {
        assert_eq!(prime_sieve::count_primes(limit, &mut bits), expected, "primes <= {limit}");
    }
    assert_eq!(prime_sieve::count_primes(prime_sieve::LIMIT, &mut bits), prime_sieve::PRIMES_BELOW_LIMIT);
}

#[test]
fn memset_variants_fill_the_buffer() {
    let samples = memset::BUFFER_LEN.div_ceil(memset::CHECKSUM_STRIDE) as u32;
    let mut buffer = vec![0; memset::BUFFER_LEN];
    assert_eq!(memset::checksum(&buffer), 0);
    memset::fill(&mut buffer, 1);
    assert_eq!(memset::checksum(&buffer), samples);
    memset::fill_naive(&mut buffer, 2);
    assert!(buffer.iter().all(|&byte| byte == 2));
    assert_eq!(memset::checksum(&buffer), 2 * samples);
}

#[test]
fn minimal_steps_count() {
    let mut state = minimal::State::new();
    for expected in 1..=10 {
        state.step();
        assert_eq!(state.counter, expected);
    }
}

#[test]
fn emulator_runs_compute_the_scenarios_results() {
    assert_eq!(FRAMES_PER_RUN, scenarios::EMULATOR_FRAMES);
    let mut nes = Box::new(Nes::new());
    nes.load_cartridge();
    for _ in 0..2 {
        nes.run_benchmark();
        assert!(!nes.cpu.halted, "the 6502 hit an undefined opcode at {:#06x}", nes.cpu.pc);
        assert_eq!(nes.frame(), scenarios::EMULATOR_FRAMES);
        let ram = &nes.bus.ram;
        let passes = ram[usize::from(program::PASSES)];
        assert_eq!(u32::from(passes), scenarios::EMULATOR_CRC_PASSES);
        let crc =
            u16::from_le_bytes([ram[usize::from(program::CRC_RESULT)], ram[usize::from(program::CRC_RESULT) + 1]]);
        assert_eq!(crc, scenarios::emulator_crc(passes));
        assert_eq!(nes.checksum(), scenarios::EMULATOR_CHECKSUM, "{:#010x}", nes.checksum());
    }
}

#[test]
fn emulator_keeps_running_and_draws() {
    let mut nes = Box::new(Nes::new());
    nes.load_cartridge();
    nes.power_on();
    for _ in 0..120 {
        nes.run_frame();
    }
    let ram = &nes.bus.ram;
    // One NMI per frame once the program has set up the video chip.
    let nmis = ram[usize::from(program::NMI_COUNT)];
    assert!((110..=118).contains(&nmis), "{nmis} NMIs");
    // Every pass's CRC is the one computed directly.
    let passes = ram[usize::from(program::PASSES)];
    assert!(passes >= 8, "{passes} CRC passes");
    let crc = u16::from_le_bytes([ram[usize::from(program::CRC_RESULT)], ram[usize::from(program::CRC_RESULT) + 1]]);
    assert_eq!(crc, scenarios::emulator_crc(passes));
    // The picture has the status bar's colour on top and many colours below.
    let framebuffer = nes.framebuffer();
    let mut colours: Vec<u32> = framebuffer.to_vec();
    colours.sort_unstable();
    colours.dedup();
    assert!(colours.len() >= 8, "{} colours", colours.len());
    assert!(framebuffer[..256].iter().all(|&pixel| pixel == framebuffer[0]));
}

/// 64 KiB of RAM, nothing else.
struct FlatBus {
    memory: Vec<u8>,
}

impl Bus for FlatBus {
    fn read(&mut self, address: u16) -> u8 {
        self.memory[usize::from(address)]
    }

    fn write(&mut self, address: u16, value: u8) {
        self.memory[usize::from(address)] = value;
    }
}

/// A CPU reset into `code` at `$0600`, with `$FFFE` (BRK/IRQ) pointing at `$0700`.
fn cpu_with(code: &[u8]) -> (Cpu, FlatBus) {
    let mut bus = FlatBus { memory: vec![0; 0x10000] };
    bus.memory[0x600..0x600 + code.len()].copy_from_slice(code);
    bus.memory[0xfffc..0xfffe].copy_from_slice(&0x0600_u16.to_le_bytes());
    bus.memory[0xfffe..].copy_from_slice(&0x0700_u16.to_le_bytes());
    let mut cpu = Cpu::new();
    cpu.reset(&mut bus);
    (cpu, bus)
}

/// Runs `instructions` instructions; returns the cycles they took.
fn run(cpu: &mut Cpu, bus: &mut FlatBus, instructions: usize) -> u32 {
    (0..instructions).map(|_| cpu.step(bus)).sum()
}

#[test]
fn cpu_adc_and_sbc_set_carry_and_overflow() {
    // (a, operand, carry in) -> (result, C, V, N, Z)
    let adc_cases = [
        (0x50, 0x10, false, 0x60, false, false, false, false),
        (0x50, 0x50, false, 0xa0, false, true, true, false),
        (0xd0, 0x90, false, 0x60, true, true, false, false),
        (0xff, 0x00, true, 0x00, true, false, false, true),
        (0x7f, 0x00, true, 0x80, false, true, true, false),
    ];
    for (a, operand, carry, result, c, v, n, z) in adc_cases {
        let (mut cpu, mut bus) = cpu_with(&[if carry { 0x38 } else { 0x18 }, 0xa9, a, 0x69, operand]);
        run(&mut cpu, &mut bus, 3);
        assert_eq!(cpu.a, result, "{a:#x} + {operand:#x}");
        assert_eq!(
            [cpu.p & FLAG_C != 0, cpu.p & FLAG_V != 0, cpu.p & FLAG_N != 0, cpu.p & FLAG_Z != 0],
            [c, v, n, z],
            "{a:#x} + {operand:#x}"
        );
    }
    // SEC; LDA #$50; SBC #$B0 = $A0, borrow, overflow.
    let (mut cpu, mut bus) = cpu_with(&[0x38, 0xa9, 0x50, 0xe9, 0xb0]);
    run(&mut cpu, &mut bus, 3);
    assert_eq!((cpu.a, cpu.p & (FLAG_C | FLAG_V)), (0xa0, FLAG_V));
    // SEC; LDA #$05; SBC #$03 = 2, no borrow.
    let (mut cpu, mut bus) = cpu_with(&[0x38, 0xa9, 0x05, 0xe9, 0x03]);
    run(&mut cpu, &mut bus, 3);
    assert_eq!((cpu.a, cpu.p & (FLAG_C | FLAG_V)), (0x02, FLAG_C));
}

#[test]
fn cpu_compares_and_tests_bits() {
    // LDX #$40; CPX #$41 -> borrow, negative.
    let (mut cpu, mut bus) = cpu_with(&[0xa2, 0x40, 0xe0, 0x41]);
    run(&mut cpu, &mut bus, 2);
    assert_eq!(cpu.p & (FLAG_C | FLAG_Z | FLAG_N), FLAG_N);
    // LDY #$41; CPY #$41 -> equal.
    let (mut cpu, mut bus) = cpu_with(&[0xa0, 0x41, 0xc0, 0x41]);
    run(&mut cpu, &mut bus, 2);
    assert_eq!(cpu.p & (FLAG_C | FLAG_Z | FLAG_N), FLAG_C | FLAG_Z);
    // LDA #$01; BIT $10 (= $C0): N and V from memory, Z from A & M.
    let (mut cpu, mut bus) = cpu_with(&[0xa9, 0x01, 0x24, 0x10]);
    bus.memory[0x10] = 0xc0;
    run(&mut cpu, &mut bus, 2);
    assert_eq!(cpu.p & (FLAG_N | FLAG_V | FLAG_Z), FLAG_N | FLAG_V | FLAG_Z);
}

#[test]
fn cpu_shifts_and_rotates_through_carry() {
    // SEC; LDA #$81; ROR A -> $C0, C=1; ROL A -> $81, C=1; LSR A -> $40, C=1; ASL A -> $80, C=0.
    let (mut cpu, mut bus) = cpu_with(&[0x38, 0xa9, 0x81, 0x6a, 0x2a, 0x4a, 0x0a]);
    run(&mut cpu, &mut bus, 3);
    assert_eq!((cpu.a, cpu.p & FLAG_C), (0xc0, FLAG_C));
    run(&mut cpu, &mut bus, 1);
    assert_eq!((cpu.a, cpu.p & FLAG_C), (0x81, FLAG_C));
    run(&mut cpu, &mut bus, 1);
    assert_eq!((cpu.a, cpu.p & FLAG_C), (0x40, FLAG_C));
    run(&mut cpu, &mut bus, 1);
    assert_eq!((cpu.a, cpu.p & (FLAG_C | FLAG_N)), (0x80, FLAG_N));
    // INC $0300,X and DEC $20 on memory.
    let (mut cpu, mut bus) = cpu_with(&[0xa2, 0x05, 0xfe, 0x00, 0x03, 0xc6, 0x20]);
    bus.memory[0x305] = 0xff;
    run(&mut cpu, &mut bus, 3);
    assert_eq!((bus.memory[0x305], bus.memory[0x20]), (0x00, 0xff));
}

#[test]
fn cpu_addressing_modes_and_page_crossing_cycles() {
    // LDX #$04; LDA ($20,X) with the pointer at $24 (wrapping in the zero page at $FF).
    let (mut cpu, mut bus) = cpu_with(&[0xa2, 0x04, 0xa1, 0x20, 0xa2, 0xfb, 0xa1, 0x04]);
    bus.memory[0x24..0x26].copy_from_slice(&0x1234_u16.to_le_bytes());
    bus.memory[0x1234] = 0x77;
    bus.memory[0xff] = 0x00;
    bus.memory[0x00] = 0x20;
    bus.memory[0x2000] = 0x66;
    assert_eq!(run(&mut cpu, &mut bus, 2), 2 + 6);
    assert_eq!(cpu.a, 0x77);
    run(&mut cpu, &mut bus, 2);
    assert_eq!(cpu.a, 0x66);
    // LDY #$10; LDA ($30),Y: $12F8 + $10 crosses a page (6 cycles), $1200 + $10 does not (5).
    let (mut cpu, mut bus) = cpu_with(&[0xa0, 0x10, 0xb1, 0x30, 0xb1, 0x32]);
    bus.memory[0x30..0x32].copy_from_slice(&0x12f8_u16.to_le_bytes());
    bus.memory[0x32..0x34].copy_from_slice(&0x1200_u16.to_le_bytes());
    bus.memory[0x1308] = 0x11;
    bus.memory[0x1210] = 0x22;
    run(&mut cpu, &mut bus, 1);
    assert_eq!(run(&mut cpu, &mut bus, 1), 6);
    assert_eq!(cpu.a, 0x11);
    assert_eq!(run(&mut cpu, &mut bus, 1), 5);
    assert_eq!(cpu.a, 0x22);
    // STA abs,X always takes 5 cycles; LDA abs,X 4, or 5 across a page.
    let (mut cpu, mut bus) = cpu_with(&[0xa2, 0xff, 0x9d, 0x00, 0x02, 0xbd, 0x00, 0x02, 0xbd, 0x00, 0x01]);
    run(&mut cpu, &mut bus, 1);
    assert_eq!(run(&mut cpu, &mut bus, 1), 5);
    assert_eq!(run(&mut cpu, &mut bus, 1), 4);
    bus.memory[0x1ff] = 0x33;
    assert_eq!(run(&mut cpu, &mut bus, 1), 4);
    assert_eq!(cpu.a, 0x33);
}

#[test]
fn cpu_branches_jumps_calls_and_interrupts() {
    // $0600: LDX #$00; BEQ +2 (taken, 3 cycles); BRK (skipped padding); BNE -> not taken (2).
    let (mut cpu, mut bus) = cpu_with(&[0xa2, 0x00, 0xf0, 0x02, 0x00, 0x00, 0xd0, 0x10]);
    run(&mut cpu, &mut bus, 1);
    assert_eq!(run(&mut cpu, &mut bus, 1), 3);
    assert_eq!(cpu.pc, 0x0606);
    assert_eq!(run(&mut cpu, &mut bus, 1), 2);
    assert_eq!(cpu.pc, 0x0608);

    // JMP ($02FF) reads the high byte from $0200, not $0300 (the 6502's bug).
    let (mut cpu, mut bus) = cpu_with(&[0x6c, 0xff, 0x02]);
    bus.memory[0x2ff] = 0x34;
    bus.memory[0x200] = 0x12;
    bus.memory[0x300] = 0x56;
    assert_eq!(run(&mut cpu, &mut bus, 1), 5);
    assert_eq!(cpu.pc, 0x1234);

    // JSR $0610; (at $0610) RTS; then the instruction after the JSR.
    let mut code = vec![0x20, 0x10, 0x06, 0xa9, 0x42];
    code.resize(0x10, 0xea);
    code.push(0x60);
    let (mut cpu, mut bus) = cpu_with(&code);
    assert_eq!(run(&mut cpu, &mut bus, 1), 6);
    assert_eq!((cpu.pc, cpu.s), (0x0610, 0xfb));
    assert_eq!(bus.memory[0x1fc..0x1fe], [0x02, 0x06]);
    run(&mut cpu, &mut bus, 2);
    assert_eq!((cpu.a, cpu.s), (0x42, 0xfd));

    // BRK pushes PC + 2 and the flags with B; RTI (at $0700) restores them without B.
    let (mut cpu, mut bus) = cpu_with(&[0x38, 0x00, 0xff, 0xa9, 0x01]);
    bus.memory[0x700] = 0x40;
    run(&mut cpu, &mut bus, 1);
    assert_eq!(run(&mut cpu, &mut bus, 1), 7);
    assert_eq!(cpu.pc, 0x0700);
    assert_eq!(bus.memory[0x1fb], FLAG_C | FLAG_I | FLAG_B | FLAG_U);
    assert!(cpu.p & FLAG_I != 0);
    run(&mut cpu, &mut bus, 2);
    assert_eq!((cpu.pc, cpu.a, cpu.p), (0x0605, 0x01, FLAG_C | FLAG_I | FLAG_U));

    // PHP/PLP, PHA/PLA, TSX/TXS.
    let (mut cpu, mut bus) = cpu_with(&[0xa9, 0x80, 0x08, 0x48, 0xa9, 0x00, 0x68, 0x28, 0xa2, 0x80, 0x9a, 0xba]);
    run(&mut cpu, &mut bus, 6);
    assert_eq!(cpu.a, 0x80);
    assert_eq!(cpu.p, FLAG_N | FLAG_I | FLAG_U);
    run(&mut cpu, &mut bus, 3);
    assert_eq!((cpu.s, cpu.x), (0x80, 0x80));
}

#[test]
fn cpu_halts_on_undefined_opcodes() {
    let (mut cpu, mut bus) = cpu_with(&[0xea, 0x02, 0xea]);
    run(&mut cpu, &mut bus, 3);
    assert!(cpu.halted);
    assert_eq!(cpu.pc, 0x0601);
}
