//! What every peer of `pvm-peers` shares: the benchmark programs, the measuring loop
//! and the native runs of the `bench-kernels` computations.
//!
//! The harness links this crate for the host (the `native x86-64` row); its binary,
//! built for `i686-unknown-linux-gnu`, runs the same loop in a child process (the
//! `native i686` row) and prints the measurement as one line (see [`Measurement`]).

use std::hint::black_box;
use std::time::Instant;

use bench_kernels::emulator::Nes;
use bench_kernels::{memset, minimal, prime_sieve};

/// A time in seconds (a float, so that calls of nanoseconds keep their fractions).
pub type Seconds = f64;

/// The benchmark programs: one `contracts/bench-*` guest program each.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Program {
    /// `bench-prime-sieve`: the primes below ten million.
    PrimeSieve,
    /// `bench-memset`: filling 4 MiB with `fill` (its `run` export).
    Memset,
    /// `bench-emulator`: 30 frames of a NES-like system (stands for `bench-pinky`).
    Emulator,
    /// `bench-minimal`: one indirect call per `run` (call overhead).
    Minimal,
}

impl Program {
    /// Every program, in table order.
    pub const ALL: [Program; 4] = [Program::PrimeSieve, Program::Memset, Program::Emulator, Program::Minimal];

    /// The short name, as in `bench-NAME`.
    pub fn name(self) -> &'static str {
        match self {
            Program::PrimeSieve => "prime-sieve",
            Program::Memset => "memset",
            Program::Emulator => "emulator",
            Program::Minimal => "minimal",
        }
    }

    /// The guest program's crate name in `contracts/`.
    pub fn guest(self) -> &'static str {
        match self {
            Program::PrimeSieve => "bench-prime-sieve",
            Program::Memset => "bench-memset",
            Program::Emulator => "bench-emulator",
            Program::Minimal => "bench-minimal",
        }
    }

    /// The export that returns the result to check (`get_counter` for `minimal`: the
    /// number of `run` calls, the same on every peer that follows the [`Plan`]).
    pub fn result_export(self) -> &'static str {
        match self {
            Program::PrimeSieve | Program::Emulator => "get_result",
            Program::Memset => "checksum",
            Program::Minimal => "get_counter",
        }
    }

    /// Whether the guest program has an `initialize` export to call before timing.
    pub fn has_initialize(self) -> bool {
        self != Program::Memset
    }

    /// Parses [`Program::name`].
    pub fn from_name(name: &str) -> Option<Program> {
        Program::ALL.into_iter().find(|program| program.name() == name)
    }
}

/// How a program is timed: one warm-up sample, then `samples` timed ones, each of
/// `calls` calls of `run`.
#[derive(Copy, Clone, Debug)]
pub struct Plan {
    /// Timed samples (the median and the spread are over these).
    pub samples: u32,
    /// Calls of `run` per sample.
    pub calls: u32,
}

impl Plan {
    /// The plan for `program` in one measuring round: `minimal` batches many calls per
    /// sample, since one call takes nanoseconds; `--quick` takes one sample of fewer
    /// calls.
    pub fn new(program: Program, quick: bool) -> Plan {
        let calls = match (program, quick) {
            (Program::Minimal, false) => 100_000,
            (Program::Minimal, true) => 10_000,
            _ => 1,
        };
        Plan { samples: if quick { 1 } else { 4 }, calls }
    }

    /// All calls of `run`, the warm-up sample's included (`minimal`'s expected counter).
    pub fn total_calls(self) -> u32 {
        (self.samples + 1) * self.calls
    }
}

/// A program on one peer, loaded and initialized: the harness calls `run` and then
/// reads the result.
pub trait Instance {
    /// Calls the `run` export once.
    fn run(&mut self);
    /// Calls the result export ([`Program::result_export`]).
    fn result(&mut self) -> u32;
}

/// What a peer measured for one program.
#[derive(Clone, Debug, Default)]
pub struct Measurement {
    /// Loading (and, for compilers, compiling) the program, when the peer has such a
    /// step apart from running it.
    pub load: Option<Seconds>,
    /// The timed samples, per call of `run`.
    pub samples: Vec<Seconds>,
    /// The result export's value after all the calls.
    pub result: u32,
}

impl Measurement {
    /// The line the i686 child prints: `load=S result=N samples=S,S,...`.
    pub fn to_line(&self) -> String {
        let load = self.load.map_or_else(|| "-".to_string(), |load| load.to_string());
        let samples: Vec<String> = self.samples.iter().map(f64::to_string).collect();
        format!("load={load} result={} samples={}", self.result, samples.join(","))
    }

    /// Parses [`Measurement::to_line`].
    pub fn from_line(line: &str) -> Result<Measurement, String> {
        let mut measurement = Measurement::default();
        for field in line.split_whitespace() {
            let (key, value) = field.split_once('=').ok_or_else(|| format!("bad field `{field}`"))?;
            let bad = |error: &dyn std::fmt::Display| format!("bad `{key}` in `{line}`: {error}");
            match key {
                "load" if value == "-" => {}
                "load" => measurement.load = Some(value.parse().map_err(|error| bad(&error))?),
                "result" => measurement.result = value.parse().map_err(|error| bad(&error))?,
                "samples" => {
                    measurement.samples =
                        value.split(',').map(str::parse).collect::<Result<_, _>>().map_err(|error| bad(&error))?
                }
                _ => return Err(format!("unknown field `{key}` in `{line}`")),
            }
        }
        Ok(measurement)
    }
}

/// Times `instance` following `plan`, then reads its result.
pub fn measure(instance: &mut dyn Instance, plan: Plan, load: Option<Seconds>) -> Measurement {
    let mut samples = Vec::new();
    for sample in 0..=plan.samples {
        let start = Instant::now();
        for _ in 0..plan.calls {
            instance.run();
        }
        let elapsed = start.elapsed().as_secs_f64();
        if sample > 0 {
            samples.push(elapsed / f64::from(plan.calls));
        }
    }
    Measurement { load, samples, result: instance.result() }
}

/// `program` compiled for this machine, set up as the guest program's `initialize`
/// sets it up.
pub fn native(program: Program) -> Box<dyn Instance> {
    match program {
        Program::PrimeSieve => Box::new(NativeSieve { bits: vec![0; prime_sieve::WORDS], result: 0 }),
        Program::Memset => Box::new(NativeMemset { buffer: vec![0; memset::BUFFER_LEN] }),
        Program::Emulator => {
            let mut nes = Box::new(Nes::new());
            nes.load_cartridge();
            Box::new(NativeEmulator { nes })
        }
        Program::Minimal => Box::new(NativeMinimal { state: minimal::State::new() }),
    }
}

/// `bench-prime-sieve`: `run` counts the primes, the result is the count.
struct NativeSieve {
    bits: Vec<u64>,
    result: u32,
}

impl Instance for NativeSieve {
    fn run(&mut self) {
        let count = prime_sieve::count_primes(black_box(prime_sieve::LIMIT), black_box(&mut self.bits));
        self.result = black_box(count);
    }

    fn result(&mut self) -> u32 {
        self.result
    }
}

/// `bench-memset`: `run` fills the buffer with ones, the result samples it.
struct NativeMemset {
    buffer: Vec<u8>,
}

impl Instance for NativeMemset {
    fn run(&mut self) {
        memset::fill(black_box(&mut self.buffer), black_box(1));
        black_box(&self.buffer);
    }

    fn result(&mut self) -> u32 {
        memset::checksum(&self.buffer)
    }
}

/// `bench-emulator`: `run` powers on and emulates the frames, the result hashes the
/// state.
struct NativeEmulator {
    nes: Box<Nes>,
}

impl Instance for NativeEmulator {
    fn run(&mut self) {
        black_box(&mut *self.nes).run_benchmark();
        black_box(&self.nes);
    }

    fn result(&mut self) -> u32 {
        self.nes.checksum()
    }
}

/// `bench-minimal`: `run` is one indirect call that bumps the counter.
struct NativeMinimal {
    state: minimal::State,
}

impl Instance for NativeMinimal {
    fn run(&mut self) {
        black_box(&mut self.state).step();
    }

    fn result(&mut self) -> u32 {
        self.state.counter
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The i686 child's line must parse back into the same measurement.
    #[test]
    fn measurement_line_round_trips() {
        let measurement = Measurement { load: Some(1.5e-3), samples: vec![2.0e-9, 0.25], result: 664_579 };
        let parsed = Measurement::from_line(&measurement.to_line()).unwrap();
        assert_eq!((parsed.load, parsed.samples, parsed.result), (measurement.load, measurement.samples, 664_579));
        let without_load = Measurement::from_line("load=- result=7 samples=1").unwrap();
        assert_eq!((without_load.load, without_load.result), (None, 7));
        assert!(Measurement::from_line("load=x result=1 samples=1").is_err());
    }

    /// `minimal`'s result is its call count, so every peer must follow the plan exactly.
    #[test]
    fn minimal_counts_every_call() {
        let plan = Plan { samples: 3, calls: 5 };
        let measurement = measure(native(Program::Minimal).as_mut(), plan, None);
        assert_eq!(measurement.samples.len(), 3);
        assert_eq!(measurement.result, plan.total_calls());
    }
}
