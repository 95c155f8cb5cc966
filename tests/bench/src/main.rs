//! `vm-bench`: runs the benchmark guest programs in both of our backends and in both of
//! polkavm 0.37's, in the same process and on the same blob bytes, and the same
//! computations natively (the `bench-kernels` crate the guest programs are built from,
//! compiled for the host). Where a program has a result export, every VM's result must
//! equal the native computation's. The VMs are measured in rounds, alternating between
//! them, so that machine noise hits all of them alike.
//!
//! One row per program, export and instruction set; times are medians per call:
//!
//! - `ours-int`, `ours-comp`: our interpreter and our x86-64 compiler (`-` where the
//!   compiler is not available, or `--backend` leaves it out);
//! - `pvm-int`, `pvm-comp`: polkavm 0.37's interpreter and compiler (synchronous gas
//!   metering, naive cost model, module cache off; `-` where its compiler cannot run,
//!   with the reason printed once). polkavm pins this thread to one core while one of
//!   its compiler's instances exists (its default), so in a row with `pvm-comp` every
//!   VM runs pinned;
//! - `pvm-mt`: polkavm 0.37's interpreter built with its `interpreter-musttail-dispatch`
//!   feature (tail-call dispatch, nightly only), configured as `pvm-int`. It runs in a
//!   child process, the runner `pvm-bench-musttail` (`tests/bench-musttail`, its own
//!   workspace; see [`musttail`]), started once per measuring round (and inheriting
//!   this thread's pinning); `-` with a note on how to build it if it is not built.
//!   `scripts/vm-bench.sh` builds it and runs vm-bench;
//! - `native`: the same computation compiled for the host;
//! - `int ratio` = pvm-int / ours-int, `mt ratio` = pvm-mt / ours-int and
//!   `comp ratio` = pvm-comp / ours-comp (higher is better for us); `comp/native` =
//!   ours-comp / native;
//! - a last line, `geometric mean`, with each ratio column's geometric mean over the
//!   rows shown (that have that ratio; if there is more than one row).
//!
//! Then the corpus table: every workload of the corpus of real third-party code
//! (`corpus_kernels`: hashes, Ed25519, zlib, JSON, postcard, regexes, big integers,
//! libm, collections, a SCALE token ledger), as exported by the `corpus-all` program,
//! at its benchmark input (in brackets), with the same columns; every VM's result must
//! equal the native one. Its rows start with `corpus/`, so `vm-bench corpus` runs only
//! the corpus (and the load costs of `corpus-all`); `--quick` runs it on Latest64 only.
//!
//! Then three more tables:
//!
//! - load costs, for a small program (`heap-demo`, 5 KB), the largest benchmark program
//!   (`bench-emulator`, 60 KB) and the largest corpus program (`corpus-all`, about
//!   1 MB): `compile` is `Module::new` (parse, validate, translate;
//!   the interpreters translate lazily, while running, so their figure is only the
//!   up-front part), `compile MB/s` the code section's size over the compile time of
//!   the two compilers, `instantiate` is `Module::instantiate` (and dropping the
//!   instance; for polkavm's compiler this includes pinning the thread and undoing it;
//!   not measured for `pvm-mt`);
//! - gas metering cost: our two backends with and without gas metering
//!   (`ModuleConfig::gas_metering`), and the ratio metered / unmetered.
//!
//! No guest program calls a host function in a loop, so there is no host-call round
//! trip benchmark; `bench-minimal/run` times the round trip of a call into a trivial
//! export.
//!
//! Usage: `vm-bench [--quick] [--ours-only] [--backend NAME] [FILTER]`: the filter
//! matches row names; `--ours-only` runs only our backends and native (for profiling);
//! `--backend interpreter|compiler|auto` runs only that one of our backends. The
//! environment variable `PVM_BENCH_MUSTTAIL` names the `pvm-mt` runner, if it is not
//! where `scripts/vm-bench.sh` builds it (`target/musttail/release/`).

mod musttail;

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use bench_kernels::emulator::Nes;
use bench_kernels::{memset, minimal, prime_sieve};
use guest_programs::{corpus, Isa};
use musttail::Runner;

const GAS: i64 = i64::MAX / 4;

/// One benchmark: a program, the export to time, how many calls make one sample, the
/// export that returns the result (checked against the native run's), and the same
/// computation natively.
struct Case {
    program: &'static str,
    setup: &'static [&'static str],
    export: &'static str,
    calls_per_sample: u32,
    result: Option<&'static str>,
    /// Sets up the native computation (as the `setup` exports do the guest's).
    native: fn() -> Box<dyn Vm>,
}

const CASES: &[Case] = &[
    Case {
        program: "bench-prime-sieve",
        setup: &["initialize"],
        export: "run",
        calls_per_sample: 1,
        result: Some("get_result"),
        native: || Box::new(NativeSieve { bits: vec![0; prime_sieve::WORDS], result: 0 }),
    },
    Case {
        program: "bench-emulator",
        setup: &["initialize"],
        export: "run",
        calls_per_sample: 1,
        result: Some("get_result"),
        native: || {
            let mut nes = Box::new(Nes::new());
            nes.load_cartridge();
            Box::new(NativeEmulator { nes })
        },
    },
    Case {
        program: "bench-memset",
        setup: &[],
        export: "run",
        calls_per_sample: 1,
        result: Some("checksum"),
        native: || Box::new(NativeMemset::new(1, memset::fill)),
    },
    Case {
        program: "bench-memset",
        setup: &[],
        export: "run_naive",
        calls_per_sample: 1,
        result: Some("checksum"),
        native: || Box::new(NativeMemset::new(2, memset::fill_naive)),
    },
    // Natively, the closest thing to the `memset` instruction is `fill` (a `memset` call).
    Case {
        program: "bench-memset",
        setup: &[],
        export: "run_accelerated",
        calls_per_sample: 1,
        result: Some("checksum"),
        native: || Box::new(NativeMemset::new(3, memset::fill)),
    },
    // The counter depends on how many calls each side made, so there is no result check.
    Case {
        program: "bench-minimal",
        setup: &["initialize"],
        export: "run",
        calls_per_sample: 10_000,
        result: None,
        native: || Box::new(NativeMinimal { state: minimal::State::new() }),
    },
];

trait Vm {
    /// Calls `export`.
    fn call(&mut self, export: &str);
    /// Calls `export`, which returns a `u32`.
    fn result(&mut self, export: &str) -> u32;
}

/// `bench-prime-sieve` natively: `run` counts the primes, `get_result` returns the count.
struct NativeSieve {
    bits: Vec<u64>,
    result: u32,
}

impl Vm for NativeSieve {
    fn call(&mut self, _export: &str) {
        let count = prime_sieve::count_primes(black_box(prime_sieve::LIMIT), black_box(&mut self.bits));
        self.result = black_box(count);
    }

    fn result(&mut self, _export: &str) -> u32 {
        self.result
    }
}

/// `bench-emulator` natively: `run` powers on and emulates the frames, `get_result`
/// hashes the state.
struct NativeEmulator {
    nes: Box<Nes>,
}

impl Vm for NativeEmulator {
    fn call(&mut self, _export: &str) {
        black_box(&mut *self.nes).run_benchmark();
        black_box(&self.nes);
    }

    fn result(&mut self, _export: &str) -> u32 {
        self.nes.checksum()
    }
}

/// `bench-memset` natively: one way of filling the buffer with one value.
struct NativeMemset {
    buffer: Vec<u8>,
    value: u8,
    fill: fn(&mut [u8], u8),
}

impl NativeMemset {
    fn new(value: u8, fill: fn(&mut [u8], u8)) -> Self {
        NativeMemset { buffer: vec![0; memset::BUFFER_LEN], value, fill }
    }
}

impl Vm for NativeMemset {
    fn call(&mut self, _export: &str) {
        (self.fill)(black_box(&mut self.buffer), black_box(self.value));
        black_box(&self.buffer);
    }

    fn result(&mut self, _export: &str) -> u32 {
        memset::checksum(&self.buffer)
    }
}

/// `bench-minimal` natively: an indirect call that bumps a counter.
struct NativeMinimal {
    state: minimal::State,
}

impl Vm for NativeMinimal {
    fn call(&mut self, _export: &str) {
        black_box(&mut self.state).step();
    }

    fn result(&mut self, _export: &str) -> u32 {
        self.state.counter
    }
}

/// The five VMs, in column order.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Kind {
    OursInt,
    OursComp,
    PvmInt,
    PvmMt,
    PvmComp,
}

impl Kind {
    const ALL: [Kind; 5] = [Kind::OursInt, Kind::OursComp, Kind::PvmInt, Kind::PvmMt, Kind::PvmComp];

    fn name(self) -> &'static str {
        match self {
            Kind::OursInt => "ours-int",
            Kind::OursComp => "ours-comp",
            Kind::PvmInt => "pvm-int",
            Kind::PvmMt => "pvm-mt",
            Kind::PvmComp => "pvm-comp",
        }
    }
}

/// The engines of the VMs this run uses (`None`: the VM does not run).
struct Engines {
    ours_int: Option<pvm::Engine>,
    ours_comp: Option<pvm::Engine>,
    pvm_int: Option<polkavm::Engine>,
    /// `pvm-mt` runs in a child process: the runner stands in for its engine.
    pvm_mt: Option<Runner>,
    pvm_comp: Option<polkavm::Engine>,
}

impl Engines {
    fn ours(&self, kind: Kind) -> Option<&pvm::Engine> {
        match kind {
            Kind::OursInt => self.ours_int.as_ref(),
            Kind::OursComp => self.ours_comp.as_ref(),
            Kind::PvmInt | Kind::PvmMt | Kind::PvmComp => None,
        }
    }

    /// polkavm's engine for `kind` (in this process: not `pvm-mt`).
    fn reference(&self, kind: Kind) -> Option<&polkavm::Engine> {
        match kind {
            Kind::PvmInt => self.pvm_int.as_ref(),
            Kind::PvmComp => self.pvm_comp.as_ref(),
            Kind::OursInt | Kind::OursComp | Kind::PvmMt => None,
        }
    }

    fn runs(&self, kind: Kind) -> bool {
        self.ours(kind).is_some() || self.reference(kind).is_some() || (kind == Kind::PvmMt && self.pvm_mt.is_some())
    }

    /// An instance of `blob` on `kind` after the `setup` calls, or `None` if `kind`
    /// does not run in this process.
    fn vm(&self, kind: Kind, blob: &[u8], setup: &[&str]) -> Option<Result<Box<dyn Vm>, String>> {
        let vm: Result<Box<dyn Vm>, String> = if let Some(engine) = self.ours(kind) {
            Ours::new(engine, &pvm::ModuleConfig::default(), blob).map(|vm| Box::new(vm) as Box<dyn Vm>)
        } else {
            Reference::new(self.reference(kind)?, blob).map(|vm| Box::new(vm) as Box<dyn Vm>)
        };
        Some(vm.map(|mut vm| {
            for export in setup {
                vm.call(export);
            }
            vm
        }))
    }
}

/// A corpus workload's export on one VM: called with the workload's input, returns
/// the export's `u64` result.
type WorkloadVm = Box<dyn FnMut(u32) -> u64>;

impl Engines {
    /// An instance of `blob` on `kind`, as a function that calls `export`, or `None` if
    /// `kind` does not run.
    fn workload(&self, kind: Kind, blob: &[u8], export: &'static str) -> Option<Result<WorkloadVm, String>> {
        if let Some(engine) = self.ours(kind) {
            let vm = Ours::new(engine, &pvm::ModuleConfig::default(), blob);
            return Some(vm.map(|mut vm| Box::new(move |n| vm.call_u64(export, n)) as WorkloadVm));
        }
        let vm = Reference::new(self.reference(kind)?, blob);
        Some(vm.map(|mut vm| Box::new(move |n| vm.call_u64(export, n)) as WorkloadVm))
    }
}

/// polkavm's engine for `kind`, with the module cache off (so that every
/// `Module::new` compiles). Where polkavm's Linux sandbox is not available its
/// compiler needs `set_allow_experimental` (as in the differential harness); the
/// second result says so.
fn reference_engine(kind: polkavm::BackendKind) -> Result<(polkavm::Engine, Option<String>), String> {
    let mut config = polkavm::Config::new();
    config.set_backend(Some(kind));
    config.set_cache_enabled(false);
    // Core pinning stays on (the default): without it, on a 2-core machine, polkavm's
    // host thread and its sandbox worker can share a core, and a call into the worker
    // then often waits for a scheduler tick (memset: 4 ms instead of 0.3 ms).
    match polkavm::Engine::new(&config) {
        Ok(engine) => Ok((engine, None)),
        Err(error) => {
            config.set_allow_experimental(true);
            let engine = polkavm::Engine::new(&config).map_err(|error| error.to_string())?;
            Ok((engine, Some(format!("needs set_allow_experimental ({error})"))))
        }
    }
}

fn reference_module_config() -> polkavm::ModuleConfig {
    let mut config = polkavm::ModuleConfig::new();
    config.set_gas_metering(Some(polkavm::GasMeteringKind::Sync));
    config
}

struct Ours {
    instance: pvm::Instance<()>,
}

impl Ours {
    fn new(engine: &pvm::Engine, config: &pvm::ModuleConfig, blob: &[u8]) -> Result<Self, String> {
        let module = pvm::Module::new(engine, config, blob).map_err(|error| error.to_string())?;
        let mut instance = pvm::Linker::new().instantiate(&module).map_err(|error| error.to_string())?;
        instance.set_gas(GAS);
        Ok(Ours { instance })
    }

    /// Calls `export(n)`, which returns a `u64`: in `a0`, or in `a0` (the low word) and
    /// `a1` on 32-bit instruction sets.
    fn call_u64(&mut self, export: &str, n: u32) -> u64 {
        let low = self.instance.call(&mut (), export, &[u64::from(n)]).expect("our VM runs the export");
        if self.instance.module().isa().is_64_bit() {
            low
        } else {
            (low & 0xffff_ffff) | self.instance.reg(pvm::Reg::A1) << 32
        }
    }
}

impl Vm for Ours {
    fn call(&mut self, export: &str) {
        self.instance.call(&mut (), export, &[]).expect("our VM runs the export");
    }

    fn result(&mut self, export: &str) -> u32 {
        self.instance.call(&mut (), export, &[]).expect("our VM runs the export") as u32
    }
}

struct Reference {
    instance: polkavm::Instance<(), core::convert::Infallible>,
}

impl Reference {
    fn new(engine: &polkavm::Engine, blob: &[u8]) -> Result<Self, String> {
        let module = polkavm::Module::new(engine, &reference_module_config(), blob.to_vec().into())
            .map_err(|error| error.to_string())?;
        let linker: polkavm::Linker<(), core::convert::Infallible> = polkavm::Linker::new();
        let pre = linker.instantiate_pre(&module).map_err(|error| error.to_string())?;
        let mut instance = pre.instantiate().map_err(|error| error.to_string())?;
        instance.set_gas(GAS);
        Ok(Reference { instance })
    }

    /// Calls `export(n)`, which returns a `u64`.
    fn call_u64(&mut self, export: &str, n: u32) -> u64 {
        self.instance.call_typed_and_get_result::<u64, (u32,)>(&mut (), export, (n,)).expect("polkavm runs the export")
    }
}

impl Vm for Reference {
    fn call(&mut self, export: &str) {
        self.instance.call_typed_and_get_result::<(), ()>(&mut (), export, ()).expect("polkavm runs the export");
    }

    fn result(&mut self, export: &str) -> u32 {
        self.instance.call_typed_and_get_result::<u32, ()>(&mut (), export, ()).expect("polkavm runs the export")
    }
}

/// A time per call, in seconds (a float, so that calls of a few nanoseconds keep their
/// fractions).
type Seconds = f64;

/// How many rounds [`interleaved`] measures each task in.
const ROUNDS: usize = 3;

/// The median of `samples` (`None` if there are none).
fn median(mut samples: Vec<Seconds>) -> Option<Seconds> {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied()
}

/// Something to time.
enum Task<'a> {
    /// `calls` calls of `run` make one sample.
    Local { calls: u32, run: Box<dyn FnMut() + 'a> },
    /// Timed elsewhere (by the `pvm-mt` runner): given a number of samples, takes a
    /// warm-up sample and that many timed ones, and returns the times per call (none
    /// if it fails).
    Remote(Box<dyn FnMut(usize) -> Vec<Seconds> + 'a>),
}

impl<'a> Task<'a> {
    fn new(calls: u32, run: impl FnMut() + 'a) -> Self {
        Task::Local { calls, run: Box::new(run) }
    }

    /// A task for something that takes anywhere from microseconds to milliseconds:
    /// as many calls per sample (up to 100) as take about 5 ms.
    fn batched(mut run: impl FnMut() + 'a) -> Self {
        let start = Instant::now();
        run();
        let once = start.elapsed().as_secs_f64();
        let calls = (5e-3 / once.max(1e-9)).clamp(1.0, 100.0) as u32;
        Task::new(calls, run)
    }
}

/// Times every task in [`ROUNDS`] rounds, alternating between the tasks (starting
/// each round with the next one), so that machine noise hits all of them alike. In
/// each round a task gets a warm-up sample and `samples / ROUNDS + 1` timed ones.
/// Returns each task's median time per call (`None` for a remote task that failed).
fn interleaved(tasks: &mut [Task<'_>], samples: usize) -> Vec<Option<Seconds>> {
    let per_round = samples / ROUNDS + 1;
    let mut times = vec![Vec::new(); tasks.len()];
    for round in 0..ROUNDS {
        for i in 0..tasks.len() {
            let index = (round + i) % tasks.len();
            match &mut tasks[index] {
                Task::Local { calls, run } => {
                    for sample in 0..=per_round {
                        let start = Instant::now();
                        for _ in 0..*calls {
                            run();
                        }
                        if sample > 0 {
                            times[index].push(start.elapsed().as_secs_f64() / f64::from(*calls));
                        }
                    }
                }
                Task::Remote(measure) => times[index].extend(measure(per_round)),
            }
        }
    }
    times.into_iter().map(median).collect()
}

fn format(seconds: Seconds) -> String {
    if seconds >= 10e-3 {
        format!("{:.2} ms", seconds * 1e3)
    } else if seconds >= 10e-6 {
        format!("{:.2} µs", seconds * 1e6)
    } else if seconds >= 100e-9 {
        format!("{:.0} ns", seconds * 1e9)
    } else {
        format!("{:.1} ns", seconds * 1e9)
    }
}

/// A time column (`-` for a VM that did not run).
fn time_cell(seconds: Option<Seconds>) -> String {
    seconds.map_or_else(|| "-".into(), format)
}

/// `a / b` (`None` if either is missing).
fn ratio(a: Option<Seconds>, b: Option<Seconds>) -> Option<f64> {
    Some(a? / b?)
}

/// A ratio column (`-` for none).
fn ratio_text(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "-".into(), |ratio| format!("{ratio:.2}x"))
}

/// `a / b` as a ratio column (`-` if either is missing).
fn ratio_cell(a: Option<Seconds>, b: Option<Seconds>) -> String {
    ratio_text(ratio(a, b))
}

/// The geometric mean of a ratio column, over the rows that have the ratio.
#[derive(Default, Clone, Copy)]
struct GeometricMean {
    log_sum: f64,
    count: u32,
}

impl GeometricMean {
    fn add(&mut self, ratio: Option<f64>) {
        if let Some(ratio) = ratio {
            self.log_sum += ratio.ln();
            self.count += 1;
        }
    }

    fn get(self) -> Option<f64> {
        (self.count > 0).then(|| (self.log_sum / f64::from(self.count)).exp())
    }
}

/// Width of the first column, the row's name.
const NAME_WIDTH: usize = 38;

/// A table: the title and column headers (with their widths) come before the first
/// row, so that a table no row passes the filter for is not printed at all.
struct Table {
    title: &'static str,
    columns: &'static [(&'static str, usize)],
    started: bool,
}

impl Table {
    fn new(title: &'static str, columns: &'static [(&'static str, usize)]) -> Self {
        Table { title, columns, started: false }
    }

    /// Prints a row: `name`, then each cell right-aligned to its column's width.
    fn row(&mut self, name: &str, cells: &[String]) {
        if !self.started {
            self.started = true;
            println!();
            self.print(self.title, self.columns.iter().map(|&(header, _)| header));
        }
        self.print(name, cells.iter().map(String::as_str));
    }

    /// A line across the table (after a first row).
    fn rule(&self) {
        if self.started {
            let width = NAME_WIDTH + self.columns.iter().map(|&(_, width)| width + 1).sum::<usize>();
            println!("{}", "-".repeat(width));
        }
    }

    fn print<'a>(&self, name: &str, cells: impl Iterator<Item = &'a str>) {
        let mut line = format!("{name:<NAME_WIDTH$}");
        for (cell, &(_, width)) in cells.zip(self.columns) {
            line.push_str(&format!(" {cell:>width$}"));
        }
        println!("{}", line.trim_end());
    }
}

/// Prints each note once, after a table.
fn print_notes(notes: &mut Vec<String>) {
    let mut printed = Vec::new();
    for note in notes.drain(..) {
        if !printed.contains(&note) {
            println!("  note: {note}");
            printed.push(note);
        }
    }
}

/// The columns of the benchmark and corpus tables.
const BENCHMARK_COLUMNS: &[(&str, usize)] = &[
    ("ours-int", 10),
    ("ours-comp", 10),
    ("pvm-int", 10),
    ("pvm-mt", 10),
    ("pvm-comp", 10),
    ("native", 10),
    ("int ratio", 9),
    ("mt ratio", 9),
    ("comp ratio", 10),
    ("comp/native", 11),
];

/// The ratio columns' geometric means over a table's rows.
#[derive(Default)]
struct Means {
    /// int ratio, mt ratio, comp ratio, comp/native
    means: [GeometricMean; 4],
    rows: u32,
}

impl Means {
    /// A row of [`BENCHMARK_COLUMNS`] from the VMs' times (in [`Kind::ALL`] order) and
    /// the native time, counted in the means.
    fn row(&mut self, times: [Option<Seconds>; Kind::ALL.len()], native: Option<Seconds>) -> Vec<String> {
        let [ours_int, ours_comp, pvm_int, pvm_mt, pvm_comp] = times;
        let ratios =
            [ratio(pvm_int, ours_int), ratio(pvm_mt, ours_int), ratio(pvm_comp, ours_comp), ratio(ours_comp, native)];
        for (mean, ratio) in self.means.iter_mut().zip(ratios) {
            mean.add(ratio);
        }
        self.rows += 1;
        let times = [ours_int, ours_comp, pvm_int, pvm_mt, pvm_comp, native].map(time_cell);
        [times.as_slice(), &ratios.map(ratio_text)].concat()
    }

    /// The last line: the geometric means, if there was more than one row.
    fn print(&self, table: &mut Table) {
        if self.rows > 1 {
            table.rule();
            let blanks = vec![String::new(); 6];
            let means = self.means.map(|mean| ratio_text(mean.get()));
            table.row(&format!("geometric mean ({} rows)", self.rows), &[blanks.as_slice(), &means].concat());
        }
    }
}

/// Checks that `vm`'s result (after the timed calls) is the native computation's.
fn check_result(name: &str, vm_name: &str, vm: &mut dyn Vm, export: Option<&str>, native: &mut dyn Vm) {
    if let Some(export) = export {
        let (vm_result, native_result) = (vm.result(export), native.result(export));
        assert_eq!(vm_result, native_result, "{name}: {vm_name}'s `{export}` differs from the native result");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let ours_only = args.iter().any(|a| a == "--ours-only");
    // `--backend NAME` runs only that one of our backends (for profiling).
    let only = args.iter().position(|a| a == "--backend").map(|i| {
        let name = args.get(i + 1).map(String::as_str).unwrap_or_default();
        let backend = pvm::Backend::from_name(name)
            .unwrap_or_else(|| panic!("unknown backend '{name}' (interpreter, compiler, auto)"));
        pvm::Engine::new(&pvm::Config { backend }).unwrap_or_else(|error| panic!("{error}")).backend()
    });
    let filter = args
        .iter()
        .enumerate()
        .find(|&(i, a)| !a.starts_with("--") && (i == 0 || args[i - 1] != "--backend"))
        .map(|(_, a)| a.clone())
        .unwrap_or_default();
    let filter = filter.as_str();
    let samples = if quick { 3 } else { 11 };

    let ours_engine = |backend: pvm::Backend| {
        let runs = backend.is_available() && only.is_none_or(|only| only == backend);
        runs.then(|| pvm::Engine::new(&pvm::Config { backend }).expect("the backend is available"))
    };
    let mut engines = Engines {
        ours_int: ours_engine(pvm::Backend::Interpreter),
        ours_comp: ours_engine(pvm::Backend::Compiler),
        pvm_int: None,
        pvm_mt: None,
        pvm_comp: None,
    };
    let mut header_notes = Vec::new();
    if !pvm::Backend::Compiler.is_available() {
        header_notes.push("ours-comp: our compiler is not available on this machine".to_string());
    }
    if !ours_only {
        for (kind, backend) in
            [(Kind::PvmInt, polkavm::BackendKind::Interpreter), (Kind::PvmComp, polkavm::BackendKind::Compiler)]
        {
            match reference_engine(backend) {
                Ok((engine, note)) => {
                    if let Some(note) = note {
                        header_notes.push(format!("{}: {note}", kind.name()));
                    }
                    match kind {
                        Kind::PvmInt => engines.pvm_int = Some(engine),
                        _ => engines.pvm_comp = Some(engine),
                    }
                }
                Err(error) => header_notes.push(format!("{}: polkavm's engine fails: {error}", kind.name())),
            }
        }
        match Runner::find() {
            Ok(runner) => {
                header_notes.push(format!(
                    "pvm-mt: polkavm's interpreter with interpreter-musttail-dispatch, in {}",
                    runner.path().display()
                ));
                engines.pvm_mt = Some(runner);
            }
            Err(note) => header_notes.push(note),
        }
    }
    let running: Vec<&str> = Kind::ALL.into_iter().filter(|&kind| engines.runs(kind)).map(Kind::name).collect();
    let reference_settings = if engines.pvm_int.is_some() || engines.pvm_mt.is_some() || engines.pvm_comp.is_some() {
        " (polkavm 0.37: sync gas, naive cost model, module cache off)"
    } else {
        ""
    };
    println!("VMs: {}, native{reference_settings}", running.join(", "));
    print_notes(&mut header_notes);
    println!("times: median per call; int ratio = pvm-int / ours-int, mt ratio = pvm-mt / ours-int,");
    println!("comp ratio = pvm-comp / ours-comp (ratios: higher is better for us); comp/native = ours-comp / native");

    benchmarks(&engines, filter, samples, quick);
    corpus_benchmarks(&engines, filter, samples, quick);
    load_costs(&engines, filter, samples);
    gas_metering_cost(&engines, filter, samples, quick);
    host_call_cost(&engines, filter, samples);
}

/// The main table: every case on every VM and natively, and the ratios' geometric means.
fn benchmarks(engines: &Engines, filter: &str, samples: usize, quick: bool) {
    let mut table = Table::new("benchmark", BENCHMARK_COLUMNS);
    let mut means = Means::default();
    let mut notes = Vec::new();
    for case in CASES {
        // Timed once per case, for the first instruction set that passes the filter.
        let mut native: Option<(Box<dyn Vm>, Option<Seconds>)> = None;
        for isa in [Isa::Latest64, Isa::Latest32, Isa::ReviveV1] {
            let name = format!("{}/{}/{}", case.program, case.export, isa);
            if !name.contains(filter) {
                continue;
            }
            let Some(blob) = guest_programs::blob(case.program, isa) else { continue };
            let calls = if quick { case.calls_per_sample.div_ceil(10) } else { case.calls_per_sample };
            let (native_vm, native_time) = native.get_or_insert_with(|| {
                let mut native_vm = (case.native)();
                let time = interleaved(&mut [Task::new(calls, || native_vm.call(case.export))], samples)[0];
                (native_vm, time)
            });
            let native_time = *native_time;
            let mut vms: Vec<(Kind, Box<dyn Vm>)> = Vec::new();
            for kind in Kind::ALL {
                match engines.vm(kind, blob, case.setup) {
                    Some(Ok(vm)) => vms.push((kind, vm)),
                    Some(Err(error)) => notes.push(format!("{name}: {} cannot load the blob: {error}", kind.name())),
                    None => {}
                }
            }
            // Declared before `tasks`, which borrows it, so that it is dropped after them
            // (also when unwinding).
            let mut mt = musttail::Outcome::default();
            let mut tasks: Vec<Task> =
                vms.iter_mut().map(|(_, vm)| Task::new(calls, move || vm.call(case.export))).collect();
            if let Some(runner) = &engines.pvm_mt {
                let args = |path: &Path| Runner::call_args(path, case.export, case.setup, calls, GAS, case.result);
                tasks.push(runner.task(&format!("{}-{isa}", case.program), blob, args, &mut mt));
            }
            let medians = interleaved(&mut tasks, samples);
            drop(tasks);
            let mut times = [None; Kind::ALL.len()];
            for ((kind, vm), &time) in vms.iter_mut().zip(&medians) {
                check_result(&name, kind.name(), vm.as_mut(), case.result, native_vm.as_mut());
                times[*kind as usize] = time;
            }
            if engines.pvm_mt.is_some() {
                times[Kind::PvmMt as usize] = medians.get(vms.len()).copied().flatten();
                if let Some(error) = mt.error {
                    notes.push(format!("{name}: pvm-mt: {error}"));
                } else if let Some(export) = case.result {
                    let (mt_result, native_result) = (mt.result, Some(u64::from(native_vm.result(export))));
                    assert_eq!(mt_result, native_result, "{name}: pvm-mt's `{export}` differs from the native result");
                }
            }
            table.row(&name, &means.row(times, native_time));
        }
    }
    means.print(&mut table);
    print_notes(&mut notes);
}

/// Times every workload of the corpus (`corpus_kernels`) as `corpus-all` exports it, at
/// its benchmark input, on every VM and natively (interleaved, like the main table), and
/// checks every VM's result against the native one. Quick runs time Latest64 only.
fn corpus_benchmarks(engines: &Engines, filter: &str, samples: usize, quick: bool) {
    let mut table = Table::new("corpus (input in brackets)", BENCHMARK_COLUMNS);
    let mut means = Means::default();
    let isas: &[Isa] = if quick { &[Isa::Latest64] } else { &[Isa::Latest64, Isa::Latest32, Isa::ReviveV1] };
    let mut notes = Vec::new();
    for workload in corpus_kernels::WORKLOADS {
        let n = workload.bench_input;
        // Timed once per workload, for the first instruction set that passes the filter.
        let mut native: Option<(u64, Option<Seconds>)> = None;
        for &isa in isas {
            let name = format!("corpus/{}({n})/{isa}", workload.name);
            if !name.contains(filter) {
                continue;
            }
            let Some(blob) = guest_programs::blob(corpus::ALL, isa) else { continue };
            let (expected, native_time) = *native.get_or_insert_with(|| {
                let mut task = Task::new(1, || {
                    black_box((workload.run)(black_box(n)));
                });
                ((workload.run)(n), interleaved(std::slice::from_mut(&mut task), samples)[0])
            });
            let mut vms: Vec<(Kind, WorkloadVm)> = Vec::new();
            for kind in Kind::ALL {
                match engines.workload(kind, blob, workload.name) {
                    Some(Ok(vm)) => vms.push((kind, vm)),
                    Some(Err(error)) => notes.push(format!("{name}: {} cannot load the blob: {error}", kind.name())),
                    None => {}
                }
            }
            // Declared before `tasks`, which borrows it (see `benchmarks`).
            let mut mt = musttail::Outcome::default();
            let mut tasks: Vec<Task> = vms
                .iter_mut()
                .map(|(_, vm)| {
                    Task::new(1, move || {
                        black_box(vm(black_box(n)));
                    })
                })
                .collect();
            if let Some(runner) = &engines.pvm_mt {
                let args = |path: &Path| Runner::workload_args(path, workload.name, n, GAS);
                tasks.push(runner.task(&format!("{}-{isa}", corpus::ALL), blob, args, &mut mt));
            }
            let medians = interleaved(&mut tasks, samples);
            drop(tasks);
            let mut times = [None; Kind::ALL.len()];
            for ((kind, vm), &time) in vms.iter_mut().zip(&medians) {
                assert_eq!(vm(n), expected, "{name}: {}'s result differs from the native one", kind.name());
                times[*kind as usize] = time;
            }
            if engines.pvm_mt.is_some() {
                times[Kind::PvmMt as usize] = medians.get(vms.len()).copied().flatten();
                match mt.error {
                    Some(error) => notes.push(format!("{name}: pvm-mt: {error}")),
                    None => {
                        assert_eq!(mt.result, Some(expected), "{name}: pvm-mt's result differs from the native one")
                    }
                }
            }
            table.row(&name, &means.row(times, native_time));
        }
    }
    means.print(&mut table);
    print_notes(&mut notes);
}

/// Times loading (parse, validate, translate) and instantiating a small guest program
/// (`heap-demo`, 5 KB), the largest benchmark program (`bench-emulator`, 60 KB) and the
/// largest corpus program (`corpus-all`, about 1 MB), on every VM (`pvm-mt`: loading only).
fn load_costs(engines: &Engines, filter: &str, samples: usize) {
    let mut table = Table::new(
        "load costs",
        &[
            ("ours-int", 10),
            ("ours-comp", 10),
            ("pvm-int", 10),
            ("pvm-mt", 10),
            ("pvm-comp", 10),
            ("int ratio", 9),
            ("mt ratio", 9),
            ("comp ratio", 10),
        ],
    );
    let mut print = |name: &str, cells: [String; 5], times: [Option<Seconds>; 5]| {
        let [ours_int, ours_comp, pvm_int, pvm_mt, pvm_comp] = times;
        let ratios = [ratio_cell(pvm_int, ours_int), ratio_cell(pvm_mt, ours_int), ratio_cell(pvm_comp, ours_comp)];
        table.row(name, &[cells.as_slice(), &ratios].concat());
    };
    let mut notes = Vec::new();
    for (program, isa) in
        ["heap-demo", "bench-emulator", corpus::ALL].into_iter().flat_map(|p| [(p, Isa::Latest64), (p, Isa::Latest32)])
    {
        let Some(blob) = guest_programs::blob(program, isa) else { continue };
        let bytes: polkavm::ArcBytes = blob.to_vec().into();
        let our_config = pvm::ModuleConfig::default();
        let reference_config = reference_module_config();
        let compile_name = format!("{program}/compile/{isa}");
        if compile_name.contains(filter) {
            let mut mt = musttail::Outcome::default();
            let mut kinds = Vec::new();
            let mut tasks = Vec::new();
            for kind in Kind::ALL {
                if let Some(engine) = engines.ours(kind) {
                    tasks.push(Task::batched(|| {
                        black_box(pvm::Module::new(engine, &our_config, blob).expect("our VM loads the blob"));
                    }));
                } else if let Some(engine) = engines.reference(kind) {
                    if let Err(error) = polkavm::Module::new(engine, &reference_config, bytes.clone()) {
                        notes.push(format!("{compile_name}: {} cannot load the blob: {error}", kind.name()));
                        continue;
                    }
                    tasks.push(Task::batched(|| {
                        black_box(polkavm::Module::new(engine, &reference_config, bytes.clone()).expect("loads"));
                    }));
                } else {
                    continue;
                }
                kinds.push(kind);
            }
            if let Some(runner) = &engines.pvm_mt {
                tasks.push(runner.task(&format!("{program}-{isa}"), blob, Runner::compile_args, &mut mt));
                kinds.push(Kind::PvmMt);
            }
            let mut times = [None; Kind::ALL.len()];
            for (kind, time) in kinds.into_iter().zip(interleaved(&mut tasks, samples)) {
                times[kind as usize] = time;
            }
            drop(tasks);
            if let Some(error) = mt.error {
                notes.push(format!("{compile_name}: pvm-mt: {error}"));
            }
            print(&compile_name, times.map(time_cell), times);
            // The compilers' speed: code section bytes per second of `Module::new`.
            let code_len = pvm::program::ProgramBlob::parse(blob).expect("the blob parses").code.code.len();
            let speed = |time: Option<Seconds>| {
                time.map_or_else(|| "-".into(), |time| format!("{:.1} MB/s", code_len as f64 / time / 1e6))
            };
            let [_, ours_comp, _, _, pvm_comp] = times;
            print(
                &format!("{program}/compile MB/s/{isa}"),
                ["-".into(), speed(ours_comp), "-".into(), "-".into(), speed(pvm_comp)],
                [None, ours_comp, None, None, pvm_comp],
            );
        }
        let instantiate_name = format!("{program}/instantiate/{isa}");
        if instantiate_name.contains(filter) {
            let ours_modules: Vec<(Kind, pvm::Module)> = Kind::ALL
                .into_iter()
                .filter_map(|kind| {
                    let engine = engines.ours(kind)?;
                    Some((kind, pvm::Module::new(engine, &our_config, blob).expect("our VM loads the blob")))
                })
                .collect();
            let reference_modules: Vec<(Kind, polkavm::Module)> = Kind::ALL
                .into_iter()
                .filter_map(|kind| {
                    let engine = engines.reference(kind)?;
                    polkavm::Module::new(engine, &reference_config, bytes.clone())
                        .inspect_err(|error| {
                            notes.push(format!("{instantiate_name}: {} cannot load the blob: {error}", kind.name()))
                        })
                        .ok()
                        .map(|module| (kind, module))
                })
                .collect();
            let mut kinds = Vec::new();
            let mut tasks = Vec::new();
            for (kind, module) in &ours_modules {
                kinds.push(*kind);
                tasks.push(Task::batched(|| {
                    black_box(module.instantiate());
                }));
            }
            for (kind, module) in &reference_modules {
                kinds.push(*kind);
                tasks.push(Task::batched(|| {
                    black_box(module.instantiate().expect("polkavm instantiates"));
                }));
            }
            let mut times = [None; Kind::ALL.len()];
            for (kind, time) in kinds.into_iter().zip(interleaved(&mut tasks, samples)) {
                times[kind as usize] = time;
            }
            print(&instantiate_name, times.map(time_cell), times);
        }
    }
    print_notes(&mut notes);
}

/// Times our backends running `bench-prime-sieve` and `bench-emulator` with and without
/// gas metering (interleaved, like the main table).
fn gas_metering_cost(engines: &Engines, filter: &str, samples: usize, quick: bool) {
    let mut table = Table::new(
        "gas metering, m/u = metered/unmetered",
        &[
            ("int metered", 12),
            ("int unmetered", 14),
            ("int m/u", 8),
            ("comp metered", 13),
            ("comp unmetered", 15),
            ("comp m/u", 9),
        ],
    );
    let unmetered = pvm::ModuleConfig { gas_metering: false, ..Default::default() };
    let configs = [pvm::ModuleConfig::default(), unmetered];
    for program in ["bench-prime-sieve", "bench-emulator"] {
        let isa = Isa::Latest64;
        let name = format!("{program}/gas/{isa}");
        if !name.contains(filter) {
            continue;
        }
        let Some(blob) = guest_programs::blob(program, isa) else { continue };
        let case = CASES.iter().find(|case| case.program == program && case.export == "run").expect("a case");
        let calls = if quick { case.calls_per_sample.div_ceil(10) } else { case.calls_per_sample };
        let mut native = (case.native)();
        native.call(case.export);
        // (kind, index into `configs`, instance)
        let mut vms: Vec<(Kind, usize, Ours)> = Vec::new();
        for kind in [Kind::OursInt, Kind::OursComp] {
            let Some(engine) = engines.ours(kind) else { continue };
            for (index, config) in configs.iter().enumerate() {
                let mut vm = Ours::new(engine, config, blob).expect("our VM loads the blob");
                for export in case.setup {
                    vm.call(export);
                }
                vms.push((kind, index, vm));
            }
        }
        let mut tasks: Vec<Task> =
            vms.iter_mut().map(|(_, _, vm)| Task::new(calls, move || vm.call(case.export))).collect();
        let medians = interleaved(&mut tasks, samples);
        drop(tasks);
        // [int metered, int unmetered, comp metered, comp unmetered]
        let mut times = [None; 4];
        for ((kind, index, vm), time) in vms.iter_mut().zip(medians) {
            let vm_name = format!("{} ({})", kind.name(), if *index == 0 { "metered" } else { "unmetered" });
            check_result(&name, &vm_name, vm, case.result, native.as_mut());
            let column = if *kind == Kind::OursInt { 0 } else { 2 };
            times[column + *index] = time;
        }
        let [int_metered, int_unmetered, comp_metered, comp_unmetered] = times;
        table.row(
            &name,
            &[
                time_cell(int_metered),
                time_cell(int_unmetered),
                ratio_cell(int_metered, int_unmetered),
                time_cell(comp_metered),
                time_cell(comp_unmetered),
                ratio_cell(comp_metered, comp_unmetered),
            ],
        );
    }
}

/// How many host calls one call of the host-call program makes.
const HOST_CALLS: u32 = 1000;

/// A ReviveV1 program (built here, not compiled from Rust) whose export `run` calls
/// the import `noop` [`HOST_CALLS`] times in a loop.
fn host_call_program() -> Vec<u8> {
    use pvm::program::{Args, BlobBuilder};
    use pvm::{InstructionSet, Opcode, Reg};
    let reg = |r: Reg| r as u8;
    let mut builder = BlobBuilder::new(InstructionSet::ReviveV1);
    builder.stack_size(0x1000);
    let noop = builder.import("noop");
    builder.export_here("run");
    builder.push(Opcode::LoadImm, Args { regs: [reg(Reg::A1), 0, 0], imm1: HOST_CALLS, ..Args::default() });
    builder.push(Opcode::Fallthrough, Args::default());
    let top = builder.push(Opcode::Ecalli, Args { imm1: noop, ..Args::default() });
    builder.push(Opcode::AddImm64, Args { regs: [reg(Reg::A1), reg(Reg::A1), 0], imm1: u32::MAX, ..Args::default() });
    builder.push(Opcode::BranchNotEqImm, Args { regs: [reg(Reg::A1), 0, 0], imm1: 0, imm2: top });
    builder.push(Opcode::JumpIndirect, Args { regs: [reg(Reg::RA), 0, 0], ..Args::default() });
    builder.build()
}

/// The round trip of a host call: guest code stops at an `ecalli`, the host function
/// (which does nothing) runs, and the guest resumes; per host call, on every VM.
fn host_call_cost(engines: &Engines, filter: &str, samples: usize) {
    let name = "host-call/noop/revivev1";
    if !name.contains(filter) {
        return;
    }
    let mut table = Table::new(
        "host call round trip",
        &[("ours-int", 10), ("ours-comp", 10), ("pvm-int", 10), ("pvm-comp", 10), ("comp ratio", 10)],
    );
    let blob = host_call_program();
    let mut runs: Vec<(Kind, Box<dyn FnMut()>)> = Vec::new();
    for kind in [Kind::OursInt, Kind::OursComp] {
        let Some(engine) = engines.ours(kind) else { continue };
        let module = pvm::Module::new(engine, &pvm::ModuleConfig::default(), &blob).expect("our VM loads the blob");
        let mut linker = pvm::Linker::<()>::new();
        linker.define("noop", |_| Ok(()));
        let mut instance = linker.instantiate(&module).expect("instantiates");
        instance.set_gas(GAS);
        runs.push((
            kind,
            Box::new(move || {
                instance.call(&mut (), "run", &[]).expect("our VM runs the export");
            }),
        ));
    }
    for kind in [Kind::PvmInt, Kind::PvmComp] {
        let Some(engine) = engines.reference(kind) else { continue };
        let module = polkavm::Module::new(engine, &reference_module_config(), blob.clone().into())
            .expect("polkavm loads the blob");
        let mut linker: polkavm::Linker<(), core::convert::Infallible> = polkavm::Linker::new();
        linker.define_typed("noop", || {}).expect("defines the import");
        let mut instance = linker.instantiate_pre(&module).and_then(|pre| pre.instantiate()).expect("instantiates");
        instance.set_gas(GAS);
        runs.push((
            kind,
            Box::new(move || {
                instance.call_typed_and_get_result::<(), ()>(&mut (), "run", ()).expect("polkavm runs the export");
            }),
        ));
    }
    let mut tasks: Vec<Task> = runs.iter_mut().map(|(_, run)| Task::new(1, run)).collect();
    let medians = interleaved(&mut tasks, samples);
    drop(tasks);
    let mut times = [None; 4];
    for ((kind, _), time) in runs.iter().zip(medians) {
        let column = [Kind::OursInt, Kind::OursComp, Kind::PvmInt, Kind::PvmComp].iter().position(|k| k == kind);
        if let Some(column) = column {
            times[column] = time.map(|time| time / f64::from(HOST_CALLS));
        }
    }
    let [ours_int, ours_comp, pvm_int, pvm_comp] = times;
    table.row(
        name,
        &[
            time_cell(ours_int),
            time_cell(ours_comp),
            time_cell(pvm_int),
            time_cell(pvm_comp),
            ratio_cell(pvm_comp, ours_comp),
        ],
    );
}
