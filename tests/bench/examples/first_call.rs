//! The cost of a program's first call from its bytes: load (`Module::new`),
//! instantiate, and call a small export once, on our interpreter and polkavm 0.37's
//! (synchronous gas, module cache off), for each corpus program and instruction set.
//! What a chain pays for every contract call it does not cache: both interpreters
//! translate lazily, so the first call also translates the code it runs.
//!
//! `cargo run --release -p bench --example first_call [SAMPLES]` (default 21; median).

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

fn ours(engine: &pvm::Engine, blob: &[u8], export: &str) -> u64 {
    let module = pvm::Module::new(engine, &pvm::ModuleConfig::default(), blob).expect("loads");
    let linker: pvm::Linker<()> = pvm::Linker::new();
    let mut instance = linker.instantiate(&module).expect("instantiates");
    instance.set_gas(GAS);
    instance.call(&mut (), export, &[0]).expect("runs")
}

fn theirs(engine: &polkavm::Engine, blob: &[u8], export: &str) -> u64 {
    let mut config = polkavm::ModuleConfig::new();
    config.set_gas_metering(Some(polkavm::GasMeteringKind::Sync));
    let module = polkavm::Module::new(engine, &config, blob.to_vec().into()).expect("loads");
    let linker: polkavm::Linker<(), Infallible> = polkavm::Linker::new();
    let mut instance = linker.instantiate_pre(&module).expect("links").instantiate().expect("instantiates");
    instance.set_gas(GAS);
    instance.call_typed_and_get_result::<u64, (u32,)>(&mut (), export, (0,)).expect("runs")
}

fn main() {
    let samples: usize = std::env::args().nth(1).map_or(21, |n| n.parse().expect("SAMPLES is a number"));
    let ours_engine = pvm::Engine::new(&pvm::Config { backend: pvm::Backend::Interpreter }).expect("our engine");
    let mut config = polkavm::Config::new();
    config.set_backend(Some(polkavm::BackendKind::Interpreter));
    config.set_cache_enabled(false);
    let their_engine = polkavm::Engine::new(&config).expect("polkavm's engine");
    println!(
        "{:<32} {:>10} {:>10} {:>9} {:>8}",
        "first call (load, instantiate, call)", "ours-int", "pvm-int", "ratio", "code KB"
    );
    for program in corpus::PROGRAMS {
        for isa in [Isa::Latest64, Isa::Latest32, Isa::ReviveV1] {
            let Some(blob) = guest_programs::blob(program, isa) else { continue };
            if !std::env::args().skip(2).all(|filter| format!("{program}/{isa}").contains(&filter)) {
                continue;
            }
            // (Ours returns `a0`; the 64-bit result of a 32-bit program is in `a0` and `a1`.)
            assert_eq!(
                ours(&ours_engine, blob, export(program)) as u32,
                theirs(&their_engine, blob, export(program)) as u32,
                "{program}/{isa}"
            );
            let (mut ours_times, mut their_times) = (Vec::new(), Vec::new());
            for _ in 0..samples {
                let start = Instant::now();
                std::hint::black_box(ours(&ours_engine, blob, export(program)));
                ours_times.push(start.elapsed().as_secs_f64());
                let start = Instant::now();
                std::hint::black_box(theirs(&their_engine, blob, export(program)));
                their_times.push(start.elapsed().as_secs_f64());
            }
            let (a, b) = (median(ours_times), median(their_times));
            let code = pvm::program::ProgramBlob::parse(blob).expect("parses").code.code.len();
            println!(
                "{:<32} {:>7.2} ms {:>7.2} ms {:>8.2}x {:>8}",
                format!("{program}/{isa}"),
                a * 1e3,
                b * 1e3,
                b / a,
                code / 1024
            );
        }
    }
    println!("ratio = pvm-int / ours-int (higher is better for us); median of {samples}");
}
