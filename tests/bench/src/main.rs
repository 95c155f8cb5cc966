//! `vm-bench`: runs benchmark guest programs in our interpreter and in the reference
//! (polkavm 0.37's interpreter, synchronous gas metering, naive cost model) in the same
//! process and prints median times and the ratio reference / ours (higher is better
//! for us). Both VMs run the same blob bytes.
//!
//! Usage: `vm-bench [--quick] [--ours-only] [FILTER]` (filter matches benchmark names;
//! `--ours-only` skips the reference, for profiling our VM).

use std::time::{Duration, Instant};

use guest_programs::Isa;

const GAS: i64 = i64::MAX / 4;

/// One benchmark: a program, the export to time, and how many calls make one sample.
struct Case {
    program: &'static str,
    setup: &'static [&'static str],
    export: &'static str,
    calls_per_sample: u32,
}

const CASES: &[Case] = &[
    Case { program: "bench-prime-sieve", setup: &["initialize"], export: "run", calls_per_sample: 1 },
    Case { program: "bench-memset", setup: &[], export: "run", calls_per_sample: 1 },
    Case { program: "bench-memset", setup: &[], export: "run_naive", calls_per_sample: 1 },
    Case { program: "bench-memset", setup: &[], export: "run_accelerated", calls_per_sample: 1 },
    Case { program: "bench-minimal", setup: &["initialize"], export: "run", calls_per_sample: 10_000 },
];

trait Vm {
    fn call(&mut self, export: &str);
}

struct Ours {
    instance: pvm::Instance<()>,
}

impl Ours {
    fn new(blob: &[u8]) -> Self {
        let module = pvm::Module::new(&pvm::Engine::default(), &pvm::ModuleConfig::default(), blob)
            .expect("our VM loads the blob");
        let mut instance = pvm::Linker::new().instantiate(&module).expect("instantiates");
        instance.set_gas(GAS);
        Ours { instance }
    }
}

impl Vm for Ours {
    fn call(&mut self, export: &str) {
        self.instance.call(&mut (), export, &[]).expect("our VM runs the export");
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
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Times `samples` samples of `calls` calls each after one warm-up sample; returns the
/// median time per call.
fn measure(vm: &mut dyn Vm, export: &str, calls: u32, samples: usize) -> Duration {
    let mut times = Vec::with_capacity(samples);
    for sample in 0..=samples {
        let start = Instant::now();
        for _ in 0..calls {
            vm.call(export);
        }
        if sample > 0 {
            times.push(start.elapsed() / calls);
        }
    }
    median(times)
}

fn format(duration: Duration) -> String {
    let nanos = duration.as_nanos();
    if nanos >= 10_000_000 {
        format!("{:.2} ms", duration.as_secs_f64() * 1e3)
    } else if nanos >= 10_000 {
        format!("{:.2} µs", duration.as_secs_f64() * 1e6)
    } else {
        format!("{nanos} ns")
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let ours_only = args.iter().any(|a| a == "--ours-only");
    let filter = args.iter().find(|a| !a.starts_with("--")).cloned().unwrap_or_default();
    let filter = filter.as_str();
    let samples = if quick { 3 } else { 11 };

    println!("{:<40} {:>12} {:>12} {:>8}", "benchmark", "ours", "polkavm", "ratio");
    for case in CASES {
        for isa in [Isa::Latest64, Isa::Latest32, Isa::ReviveV1] {
            let name = format!("{}/{}/{}", case.program, case.export, isa);
            if !name.contains(filter) {
                continue;
            }
            let Some(blob) = guest_programs::blob(case.program, isa) else { continue };
            let mut ours = Ours::new(blob);
            for export in case.setup {
                ours.call(export);
            }
            let calls = if quick { case.calls_per_sample.div_ceil(10) } else { case.calls_per_sample };
            if ours_only {
                let time = measure(&mut ours, case.export, calls, samples);
                println!("{name:<40} {:>12}", format(time));
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
            let ours_time = median(ours_times);
            let reference_time = median(reference_times);
            let ratio = reference_time.as_secs_f64() / ours_time.as_secs_f64();
            println!("{name:<40} {:>12} {:>12} {:>7.2}x", format(ours_time), format(reference_time), ratio);
        }
    }
    if !ours_only {
        load_costs(filter);
    }
}

/// Times loading (parse, validate, translate) and instantiating the largest guest
/// program, in both VMs.
fn load_costs(filter: &str) {
    let program = "heap-demo";
    for isa in [Isa::Latest64, Isa::Latest32] {
        let Some(blob) = guest_programs::blob(program, isa) else { continue };
        let compile_name = format!("{program}/compile/{isa}");
        if compile_name.contains(filter) {
            let ours = time_per_iteration(|| {
                pvm::Module::new(&pvm::Engine::default(), &pvm::ModuleConfig::default(), blob).unwrap();
            });
            let reference = time_per_iteration(|| {
                Reference::new(blob);
            });
            print_row(&compile_name, ours, reference);
        }
        let instantiate_name = format!("{program}/instantiate/{isa}");
        if instantiate_name.contains(filter) {
            let module = pvm::Module::new(&pvm::Engine::default(), &pvm::ModuleConfig::default(), blob).unwrap();
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
fn time_per_iteration(mut f: impl FnMut()) -> Duration {
    let mut times = Vec::new();
    for _ in 0..11 {
        let start = Instant::now();
        for _ in 0..100 {
            f();
        }
        times.push(start.elapsed() / 100);
    }
    median(times)
}

fn print_row(name: &str, ours: Duration, reference: Duration) {
    let ratio = reference.as_secs_f64() / ours.as_secs_f64();
    println!("{name:<40} {:>12} {:>12} {:>7.2}x", format(ours), format(reference), ratio);
}
