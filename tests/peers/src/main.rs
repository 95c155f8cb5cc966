//! `pvm-peers`: the benchmark programs (`contracts/bench-kernels`: prime sieve, memset,
//! emulator, minimal) on every peer a user choosing a contract VM compares: our VM and
//! polkavm 0.37 (interpreters and compilers, Latest64 and Latest32), wasm32 in wasmtime
//! and wasmi, native x86-64 and i686, CKB-VM and Solana eBPF. The same Rust source is
//! built for every target; every result is checked against the native x86-64 run, and a
//! peer whose result differs, or that cannot run a program, gets a row with the reason.
//!
//! Usage: `pvm-peers [--quick] [--out DIR]`. Prints one table per program and writes
//! `DIR/report.md` and `DIR/PROGRAM.svg` (default `target/bench-report/` in the
//! repository). `--quick` takes one sample (the programs' inputs are fixed in the
//! guest programs, so a sample is the full computation) and fewer calls of `minimal`.
//! The guest builds for wasm32, i686, riscv64 and eBPF come from scripts/bench.sh (see
//! [`peers`] for where each peer finds its build).

mod peers;
mod report;

use std::path::PathBuf;
use std::time::Instant;

use peers_native::{Measurement, Plan, Program};
use report::{Row, Stats, Table};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|arg| arg == "--quick");
    let out = args.iter().position(|arg| arg == "--out").and_then(|index| args.get(index + 1)).map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/bench-report")),
        PathBuf::from,
    );

    let started = Instant::now();
    let rounds = if quick { 1 } else { ROUNDS };
    let samples = format!("{} samples in {rounds} rounds", rounds * Plan::new(Program::PrimeSieve, quick).samples);
    let legend = LEGEND.replace("{samples}", &samples);
    println!("{legend}");
    let mut peers = peers::all();
    let mut tables = Vec::new();
    for program in Program::ALL {
        let rows = measure_all(&mut peers, program, Plan::new(program, quick), rounds);
        let median_of = |prefix: &str| {
            rows.iter()
                .find(|row| row.peer.starts_with(prefix))
                .and_then(|row| row.outcome.as_ref().ok().map(|stats| stats.median))
        };
        let table = Table {
            program: program.name(),
            native: median_of("native x86_64"),
            ours_interpreter: median_of("ours interpreter (latest64)"),
            rows,
        };
        println!("\n{}", table.text());
        tables.push(table);
    }

    if let Err(error) = write_report(&out, &tables, quick, &legend, started.elapsed().as_secs_f64()) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
    let out = out.canonicalize().unwrap_or(out);
    println!("report: {}", out.join("report.md").display());
}

/// Measuring rounds (without `--quick`): each round measures every peer in turn, so that
/// the noise of a shared machine, which comes and goes, hits all peers alike.
const ROUNDS: u32 = 3;

/// Measures every peer on `program`, `rounds` times each (in turns), and checks every
/// result against the first peer's (the native host's).
fn measure_all(peers: &mut [Box<dyn peers::Peer>], program: Program, plan: Plan, rounds: u32) -> Vec<Row> {
    let mut outcomes: Vec<Result<Vec<Measurement>, String>> = peers.iter().map(|_| Ok(Vec::new())).collect();
    let mut expected = None;
    for round in 1..=rounds {
        for (peer, outcome) in peers.iter_mut().zip(&mut outcomes) {
            let Ok(measurements) = outcome else { continue };
            eprintln!("{} (round {round} of {rounds}): {} ...", program.name(), peer.name());
            let measured = peer.measure(program, plan).and_then(|measurement| {
                let expected = *expected.get_or_insert(measurement.result);
                if measurement.result != expected {
                    return Err(format!("result {} differs from the native {expected}", measurement.result));
                }
                Ok(measurement)
            });
            match measured {
                Ok(measurement) => measurements.push(measurement),
                Err(reason) => *outcome = Err(reason),
            }
        }
    }
    peers
        .iter()
        .zip(outcomes)
        .map(|(peer, outcome)| Row {
            peer: peer.name(),
            outcome: outcome.and_then(|measurements| Stats::new(&measurements).ok_or_else(|| "no samples".into())),
        })
        .collect()
}

/// What the tables say, for the report (`{samples}`: how many samples).
const LEGEND: &str = "Times are per call of the program's `run` export: the median of {samples} (every peer \
in turn in each round, which loads the program again and takes a warm-up sample first), with the fastest and slowest (`minimal` batches 100,000 calls per sample, 10,000 with `--quick`). \
`load/compile` is loading the program (and compiling it, for compilers; wasmi and our interpreter translate \
lazily, so theirs is only the up-front part). `x native` divides the median by native x86-64's, `x ours int` by \
our interpreter's on Latest64 (lower is faster). Every result was checked against native x86-64's. Our VM and \
polkavm meter gas (polkavm: synchronous metering, as `vm-bench`), CKB-VM counts cycles with CKB's cost model, \
wasmtime and wasmi run without fuel. The inputs are the guest programs' own (the primes below 10^7, 4 MiB, 30 \
frames); `--quick` only takes fewer samples.";

/// Writes `report.md` and one chart per program into `out`.
fn write_report(
    out: &std::path::Path,
    tables: &[Table],
    quick: bool,
    legend: &str,
    seconds: f64,
) -> Result<(), String> {
    std::fs::create_dir_all(out).map_err(|error| format!("cannot create {}: {error}", out.display()))?;
    let date = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string())
        .unwrap_or_default();
    let command = if quick { "scripts/bench.sh --quick" } else { "scripts/bench.sh" };
    let mut report = format!(
        "# Benchmark peers\n\n{date}, `{command}` ({seconds:.0} s, on {cpus} cores).\n\n{}\n",
        legend,
        cpus = std::thread::available_parallelism().map_or(0, usize::from),
    );
    report += &format!(
        "\n## All programs\n\nMedian time per call of `run`, and in brackets the ratio to native x86-64.\n\n{}",
        report::summary_markdown(tables)
    );
    for table in tables {
        let chart = format!("{}.svg", table.program);
        if let Err(error) = table.chart(&out.join(&chart)) {
            eprintln!("warning: {error}");
        }
        report += &format!("\n## {}\n\n{}\n![{}]({chart})\n", table.program, table.markdown(), table.program);
    }
    let path = out.join("report.md");
    std::fs::write(&path, report).map_err(|error| format!("cannot write {}: {error}", path.display()))
}
