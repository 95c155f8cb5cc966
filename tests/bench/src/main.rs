//! `vm-bench`: runs benchmark guest programs in our interpreter and in the reference
//! (polkavm 0.37's interpreter, synchronous gas metering, naive cost model) in the same
//! process, and the same computations natively (the `bench-kernels` crate the guest
//! programs are built from, compiled for the host). Prints median times, the ratio
//! reference / ours (higher is better for us) and how many times slower than native
//! code each VM is. Both VMs run the same blob bytes; where a program has a result
//! export, both VMs' results must equal the native computation's.
//!
//! Usage: `vm-bench [--quick] [--ours-only] [FILTER]` (filter matches benchmark names;
//! `--ours-only` skips the reference, for profiling our VM).

use std::hint::black_box;
use std::time::Instant;

use bench_kernels::emulator::Nes;
use bench_kernels::{memset, minimal, prime_sieve};
use guest_programs::Isa;

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

struct Ours {
    instance: pvm::Instance<()>,
}

/// Our engine, for the backend `--backend NAME` selects (default: auto, or the
/// `PVM_BACKEND` environment variable).
static OURS_ENGINE: std::sync::OnceLock<pvm::Engine> = std::sync::OnceLock::new();

fn ours_engine() -> &'static pvm::Engine {
    OURS_ENGINE.get_or_init(pvm::Engine::default)
}

impl Ours {
    fn new(blob: &[u8]) -> Self {
        let module =
            pvm::Module::new(ours_engine(), &pvm::ModuleConfig::default(), blob).expect("our VM loads the blob");
        let mut instance = pvm::Linker::new().instantiate(&module).expect("instantiates");
        instance.set_gas(GAS);
        Ours { instance }
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
    fn new(blob: &[u8]) -> Self {
        let mut config = polkavm::Config::new();
        config.set_backend(Some(polkavm::BackendKind::Interpreter));
        let engine = polkavm::Engine::new(&config).expect("reference engine");
        let mut module_config = polkavm::ModuleConfig::new();
        module_config.set_gas_metering(Some(polkavm::GasMeteringKind::Sync));
        let module =
            polkavm::Module::new(&engine, &module_config, blob.to_vec().into()).expect("reference loads the blob");
        let linker: polkavm::Linker<(), core::convert::Infallible> = polkavm::Linker::new();
        let pre = linker.instantiate_pre(&module).expect("reference links");
        let mut instance = pre.instantiate().expect("reference instantiates");
        instance.set_gas(GAS);
        Reference { instance }
    }
}

impl Vm for Reference {
    fn call(&mut self, export: &str) {
        self.instance.call_typed_and_get_result::<(), ()>(&mut (), export, ()).expect("reference runs the export");
    }

    fn result(&mut self, export: &str) -> u32 {
        self.instance.call_typed_and_get_result::<u32, ()>(&mut (), export, ()).expect("reference runs the export")
    }
}

/// A time per call, in seconds (a float, so that calls of a few nanoseconds keep their
/// fractions).
type Seconds = f64;

fn median(mut samples: Vec<Seconds>) -> Seconds {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

/// Times `samples` samples of `calls` calls each after one warm-up sample; returns the
/// median time per call.
fn measure(vm: &mut dyn Vm, export: &str, calls: u32, samples: usize) -> Seconds {
    let mut times = Vec::with_capacity(samples);
    for sample in 0..=samples {
        let start = Instant::now();
        for _ in 0..calls {
            vm.call(export);
        }
        if sample > 0 {
            times.push(start.elapsed().as_secs_f64() / f64::from(calls));
        }
    }
    median(times)
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

/// `a / b` as a ratio column.
fn ratio(a: Seconds, b: Seconds) -> String {
    format!("{:.2}x", a / b)
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
    let backend = args.iter().position(|a| a == "--backend").map(|i| {
        let name = args.get(i + 1).map(String::as_str).unwrap_or_default();
        pvm::Backend::from_name(name)
            .unwrap_or_else(|| panic!("unknown backend '{name}' (interpreter, compiler, auto)"))
    });
    if let Some(backend) = backend {
        let engine = pvm::Engine::new(&pvm::Config { backend }).unwrap_or_else(|error| panic!("{error}"));
        OURS_ENGINE.set(engine).expect("set once");
    }
    println!("our backend: {}", ours_engine().backend());
    let filter = args
        .iter()
        .enumerate()
        .find(|&(i, a)| !a.starts_with("--") && (i == 0 || args[i - 1] != "--backend"))
        .map(|(_, a)| a.clone())
        .unwrap_or_default();
    let filter = filter.as_str();
    let samples = if quick { 3 } else { 11 };

    println!("ratio: polkavm time / ours (higher is better for us); /native: VM time / native time");
    if ours_only {
        println!("{:<40} {:>12} {:>12} {:>10}", "benchmark", "ours", "native", "ours/nat");
    } else {
        println!(
            "{:<40} {:>12} {:>12} {:>8} {:>12} {:>10} {:>10}",
            "benchmark", "ours", "polkavm", "ratio", "native", "ours/nat", "pvm/nat"
        );
    }
    for case in CASES {
        // Timed once per case, for the first instruction set that passes the filter.
        let mut native: Option<(Box<dyn Vm>, Seconds)> = None;
        for isa in [Isa::Latest64, Isa::Latest32, Isa::ReviveV1] {
            let name = format!("{}/{}/{}", case.program, case.export, isa);
            if !name.contains(filter) {
                continue;
            }
            let Some(blob) = guest_programs::blob(case.program, isa) else { continue };
            let calls = if quick { case.calls_per_sample.div_ceil(10) } else { case.calls_per_sample };
            let (native_vm, native_time) = native.get_or_insert_with(|| {
                let mut native_vm = (case.native)();
                let time = measure(native_vm.as_mut(), case.export, calls, samples);
                (native_vm, time)
            });
            let native_time = *native_time;
            let mut ours = Ours::new(blob);
            for export in case.setup {
                ours.call(export);
            }
            if ours_only {
                let time = measure(&mut ours, case.export, calls, samples);
                check_result(&name, "our VM", &mut ours, case.result, native_vm.as_mut());
                println!(
                    "{name:<40} {:>12} {:>12} {:>10}",
                    format(time),
                    format(native_time),
                    ratio(time, native_time)
                );
                continue;
            }
            let mut reference = Reference::new(blob);
            for export in case.setup {
                reference.call(export);
            }
            // Interleave the two VMs so that machine noise hits both alike.
            let mut ours_times = Vec::new();
            let mut reference_times = Vec::new();
            for _ in 0..3 {
                ours_times.push(measure(&mut ours, case.export, calls, samples / 3 + 1));
                reference_times.push(measure(&mut reference, case.export, calls, samples / 3 + 1));
            }
            check_result(&name, "our VM", &mut ours, case.result, native_vm.as_mut());
            check_result(&name, "polkavm", &mut reference, case.result, native_vm.as_mut());
            let ours_time = median(ours_times);
            let reference_time = median(reference_times);
            println!(
                "{name:<40} {:>12} {:>12} {:>8} {:>12} {:>10} {:>10}",
                format(ours_time),
                format(reference_time),
                ratio(reference_time, ours_time),
                format(native_time),
                ratio(ours_time, native_time),
                ratio(reference_time, native_time),
            );
        }
    }
    if !ours_only {
        load_costs(filter);
    }
}

/// Times loading (parse, validate, translate) and instantiating a small guest program
/// (`heap-demo`, 5 KB) and the largest (`bench-emulator`, 60 KB), in both VMs.
fn load_costs(filter: &str) {
    for (program, isa) in
        ["heap-demo", "bench-emulator"].into_iter().flat_map(|p| [(p, Isa::Latest64), (p, Isa::Latest32)])
    {
        let Some(blob) = guest_programs::blob(program, isa) else { continue };
        let compile_name = format!("{program}/compile/{isa}");
        if compile_name.contains(filter) {
            let ours = time_per_iteration(|| {
                pvm::Module::new(ours_engine(), &pvm::ModuleConfig::default(), blob).unwrap();
            });
            let reference = time_per_iteration(|| {
                Reference::new(blob);
            });
            print_row(&compile_name, ours, reference);
        }
        let instantiate_name = format!("{program}/instantiate/{isa}");
        if instantiate_name.contains(filter) {
            let module = pvm::Module::new(ours_engine(), &pvm::ModuleConfig::default(), blob).unwrap();
            let ours = time_per_iteration(|| {
                module.instantiate();
            });
            let mut config = polkavm::Config::new();
            config.set_backend(Some(polkavm::BackendKind::Interpreter));
            let engine = polkavm::Engine::new(&config).unwrap();
            let mut module_config = polkavm::ModuleConfig::new();
            module_config.set_gas_metering(Some(polkavm::GasMeteringKind::Sync));
            let reference_module = polkavm::Module::new(&engine, &module_config, blob.to_vec().into()).unwrap();
            let reference = time_per_iteration(|| {
                reference_module.instantiate().unwrap();
            });
            print_row(&instantiate_name, ours, reference);
        }
    }
}

/// Median time of one call of `f`, over batches of 100.
fn time_per_iteration(mut f: impl FnMut()) -> Seconds {
    let mut times = Vec::new();
    for _ in 0..11 {
        let start = Instant::now();
        for _ in 0..100 {
            f();
        }
        times.push(start.elapsed().as_secs_f64() / 100.0);
    }
    median(times)
}

fn print_row(name: &str, ours: Seconds, reference: Seconds) {
    println!("{name:<40} {:>12} {:>12} {:>8}", format(ours), format(reference), ratio(reference, ours));
}
