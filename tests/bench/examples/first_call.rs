//! The cost of a program's first call from its bytes: load (`Module::new`),
//! instantiate, and call a small export once, on our interpreter and polkavm 0.37's
//! (synchronous gas, module cache off), for each corpus program and instruction set.
//! What a chain pays for every contract call it does not cache: both interpreters
//! translate lazily, so the first call also translates the code it runs.
//!
//! Each total is the median of the totals, followed by the medians of its steps.
//!
//! `cargo run --release -p bench --example first_call [SAMPLES] [FILTER...]` (default
//! 21 samples; the filters select `program/isa` rows).

use std::convert::Infallible;
use std::time::Instant;

use guest_programs::{corpus, Isa};

/// A small call: `sha2` over an empty input (about a thousand instructions), or the
/// `ledger` with no transactions.
fn export(program: &str) -> &'static str {
    if program == "corpus-ledger" {
        "ledger"
    } else {
        "sha2"
    }
}
const GAS: i64 = 1 << 40;

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// The times of the three steps of a first call, in seconds.
type Steps = [f64; 3];

fn ours(engine: &pvm::Engine, blob: &[u8], export: &str) -> (u64, Steps) {
    let start = Instant::now();
    let module = pvm::Module::new(engine, &pvm::ModuleConfig::default(), blob).expect("loads");
    let loaded = Instant::now();
    let linker: pvm::Linker<()> = pvm::Linker::new();
    let mut instance = linker.instantiate(&module).expect("instantiates");
    let instantiated = Instant::now();
    instance.set_gas(GAS);
    let result = instance.call(&mut (), export, &[0]).expect("runs");
    (result, steps(start, loaded, instantiated))
}

fn theirs(engine: &polkavm::Engine, blob: &[u8], export: &str) -> (u64, Steps) {
    let start = Instant::now();
    let mut config = polkavm::ModuleConfig::new();
    config.set_gas_metering(Some(polkavm::GasMeteringKind::Sync));
    let module = polkavm::Module::new(engine, &config, blob.to_vec().into()).expect("loads");
    let loaded = Instant::now();
    let linker: polkavm::Linker<(), Infallible> = polkavm::Linker::new();
    let mut instance = linker.instantiate_pre(&module).expect("links").instantiate().expect("instantiates");
    let instantiated = Instant::now();
    instance.set_gas(GAS);
    let result = instance.call_typed_and_get_result::<u64, (u32,)>(&mut (), export, (0,)).expect("runs");
    (result, steps(start, loaded, instantiated))
}

fn steps(start: Instant, loaded: Instant, instantiated: Instant) -> Steps {
    let called = Instant::now();
    [(loaded - start).as_secs_f64(), (instantiated - loaded).as_secs_f64(), (called - instantiated).as_secs_f64()]
}

/// `total (load + instantiate + call)` in milliseconds, each the median of its own.
fn describe(samples: &[Steps]) -> (f64, String) {
    let step = |index: usize| median(samples.iter().map(|steps| steps[index]).collect()) * 1e3;
    let total = median(samples.iter().map(|steps| steps.iter().sum()).collect()) * 1e3;
    (total, format!("{total:.2} ({:.2} + {:.2} + {:.2})", step(0), step(1), step(2)))
}

fn main() {
    let samples: usize = std::env::args().nth(1).map_or(21, |n| n.parse().expect("SAMPLES is a number"));
    let ours_engine = pvm::Engine::new(&pvm::Config { backend: pvm::Backend::Interpreter }).expect("our engine");
    let mut config = polkavm::Config::new();
    config.set_backend(Some(polkavm::BackendKind::Interpreter));
    config.set_cache_enabled(false);
    let their_engine = polkavm::Engine::new(&config).expect("polkavm's engine");
    println!(
        "{:<24} {:>28} {:>28} {:>7} {:>8}",
        "first call, ms", "ours-int (load+inst+call)", "pvm-int (load+inst+call)", "ratio", "code KB"
    );
    for program in corpus::PROGRAMS {
        for isa in [Isa::Latest64, Isa::Latest32, Isa::ReviveV1] {
            let Some(blob) = guest_programs::blob(program, isa) else { continue };
            if !std::env::args().skip(2).all(|filter| format!("{program}/{isa}").contains(&filter)) {
                continue;
            }
            // (Ours returns `a0`; the 64-bit result of a 32-bit program is in `a0` and `a1`.)
            assert_eq!(
                ours(&ours_engine, blob, export(program)).0 as u32,
                theirs(&their_engine, blob, export(program)).0 as u32,
                "{program}/{isa}"
            );
            let (mut ours_times, mut their_times) = (Vec::new(), Vec::new());
            for _ in 0..samples {
                ours_times.push(std::hint::black_box(ours(&ours_engine, blob, export(program))).1);
                their_times.push(std::hint::black_box(theirs(&their_engine, blob, export(program))).1);
            }
            let ((a, ours_text), (b, their_text)) = (describe(&ours_times), describe(&their_times));
            let code = pvm::program::ProgramBlob::parse(blob).expect("parses").code.code.len();
            println!(
                "{:<24} {:>28} {:>28} {:>6.2}x {:>8}",
                format!("{program}/{isa}"),
                ours_text,
                their_text,
                b / a,
                code / 1024
            );
        }
    }
    println!("ratio = pvm-int / ours-int (higher is better for us); median of {samples}");
}
