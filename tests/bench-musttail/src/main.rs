//! `pvm-bench-musttail`: vm-bench's runner for its `pvm-mt` column. It times one export
//! of a blob in polkavm 0.37's interpreter built with the `interpreter-musttail-dispatch`
//! feature (tail-call dispatch; nightly only), configured as vm-bench configures polkavm
//! (`reference_engine` and `reference_module_config` in tests/bench): the interpreter
//! backend, module cache off, synchronous gas metering, the default (naive) cost model.
//!
//! vm-bench runs it as a child process, once per measuring round; it can also be run by
//! hand. Arguments in, one line out:
//!
//! ```text
//! pvm-bench-musttail call BLOB EXPORT --calls N --samples N --gas N [--setup EXPORT]... [--result EXPORT | --arg N]
//! pvm-bench-musttail compile BLOB --samples N
//! ```
//!
//! `call` loads the blob, instantiates it, sets the gas, calls each `--setup` export
//! once, then takes one warm-up sample and `--samples` timed ones of `--calls` calls of
//! `EXPORT`, and finally calls the `--result` export (which returns a `u32`). With
//! `--arg N`, `EXPORT` takes `N` (a `u32`) and returns a `u64`, the result (the corpus
//! workloads' form).
//! `compile` times `Module::new` (as many calls per sample, up to 100, as take about
//! 5 ms). Prints
//!
//! ```text
//! median=SECONDS result=VALUE samples=SECONDS,SECONDS,...
//! ```
//!
//! with the times per call (`result=-` without `--result`, and for `compile`). Errors go
//! to stderr, with exit status 1.

use std::convert::Infallible;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

/// A time per call, in seconds.
type Seconds = f64;

/// What to measure, from the command line.
enum Command {
    Call {
        blob: String,
        export: String,
        calls: u32,
        samples: usize,
        gas: i64,
        setup: Vec<String>,
        result: Option<String>,
        arg: Option<u32>,
    },
    Compile {
        blob: String,
        samples: usize,
    },
}

const USAGE: &str = "usage: pvm-bench-musttail call BLOB EXPORT --calls N --samples N --gas N [--setup EXPORT]... \
                     [--result EXPORT | --arg N]\n       pvm-bench-musttail compile BLOB --samples N";

fn parse_args(args: &[String]) -> Result<Command, String> {
    let mut positional = Vec::new();
    let (mut calls, mut samples, mut gas, mut setup, mut result, mut argument) =
        (None, None, None, Vec::new(), None, None);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if !arg.starts_with("--") {
            positional.push(arg.clone());
            continue;
        }
        let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
        let number = |value: &str| value.parse::<i64>().map_err(|error| format!("{arg} {value}: {error}"));
        match arg.as_str() {
            "--calls" => calls = Some(u32::try_from(number(value)?).map_err(|error| error.to_string())?),
            "--samples" => samples = Some(usize::try_from(number(value)?).map_err(|error| error.to_string())?),
            "--gas" => gas = Some(number(value)?),
            "--setup" => setup.push(value.clone()),
            "--result" => result = Some(value.clone()),
            "--arg" => argument = Some(u32::try_from(number(value)?).map_err(|error| error.to_string())?),
            _ => return Err(format!("unknown option {arg}")),
        }
    }
    let samples = || samples.ok_or("--samples is required");
    match positional.as_slice() {
        [mode, blob, export] if mode == "call" => Ok(Command::Call {
            blob: blob.clone(),
            export: export.clone(),
            calls: calls.ok_or("--calls is required")?,
            samples: samples()?,
            gas: gas.ok_or("--gas is required")?,
            setup,
            result,
            arg: argument,
        }),
        [mode, blob] if mode == "compile" => Ok(Command::Compile { blob: blob.clone(), samples: samples()? }),
        _ => Err(USAGE.into()),
    }
}

/// polkavm's interpreter, as vm-bench's `reference_engine(BackendKind::Interpreter)`.
fn engine() -> Result<polkavm::Engine, String> {
    let mut config = polkavm::Config::new();
    config.set_backend(Some(polkavm::BackendKind::Interpreter));
    config.set_cache_enabled(false);
    polkavm::Engine::new(&config).map_err(|error| format!("polkavm's engine fails: {error}"))
}

/// As vm-bench's `reference_module_config`.
fn module_config() -> polkavm::ModuleConfig {
    let mut config = polkavm::ModuleConfig::new();
    config.set_gas_metering(Some(polkavm::GasMeteringKind::Sync));
    config
}

/// One warm-up sample, then `samples` timed ones of `calls` calls of `run`; the times
/// per call.
fn measure(samples: usize, calls: u32, mut run: impl FnMut()) -> Vec<Seconds> {
    (0..=samples)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..calls {
                run();
            }
            start.elapsed().as_secs_f64() / f64::from(calls)
        })
        .skip(1)
        .collect()
}

/// Runs `command`: the times per call and the result export's value.
fn run(command: Command) -> Result<(Vec<Seconds>, Option<u64>), String> {
    let engine = engine()?;
    let config = module_config();
    match command {
        Command::Call { blob, export, calls, samples, gas, setup, result, arg } => {
            let bytes = std::fs::read(&blob).map_err(|error| format!("{blob}: {error}"))?;
            let module = polkavm::Module::new(&engine, &config, bytes.into()).map_err(|error| error.to_string())?;
            let linker: polkavm::Linker<(), Infallible> = polkavm::Linker::new();
            let pre = linker.instantiate_pre(&module).map_err(|error| error.to_string())?;
            let mut instance = pre.instantiate().map_err(|error| error.to_string())?;
            instance.set_gas(gas);
            for export in &setup {
                instance
                    .call_typed_and_get_result::<(), ()>(&mut (), export.as_str(), ())
                    .map_err(|error| format!("`{export}`: {error:?}"))?;
            }
            // The first failure, if any, ends the measurement with an error; with
            // `--arg`, the last call's result is the result.
            let mut outcome = Ok(None);
            let times = measure(samples, calls, || {
                if outcome.is_ok() {
                    outcome = match arg {
                        Some(n) => {
                            instance.call_typed_and_get_result::<u64, (u32,)>(&mut (), export.as_str(), (n,)).map(Some)
                        }
                        None => {
                            instance.call_typed_and_get_result::<(), ()>(&mut (), export.as_str(), ()).map(|()| None)
                        }
                    }
                    .map_err(|error| format!("`{export}`: {error:?}"));
                }
            });
            let last = outcome?;
            let result = match result {
                Some(export) => Some(u64::from(
                    instance
                        .call_typed_and_get_result::<u32, ()>(&mut (), export.as_str(), ())
                        .map_err(|error| format!("`{export}`: {error:?}"))?,
                )),
                None => last,
            };
            Ok((times, result))
        }
        Command::Compile { blob, samples } => {
            let bytes: polkavm::ArcBytes = std::fs::read(&blob).map_err(|error| format!("{blob}: {error}"))?.into();
            let compile = || polkavm::Module::new(&engine, &config, bytes.clone());
            let start = Instant::now();
            compile().map_err(|error| error.to_string())?;
            let once = start.elapsed().as_secs_f64();
            // As vm-bench's `Task::batched`.
            let calls = (5e-3 / once.max(1e-9)).clamp(1.0, 100.0) as u32;
            let times = measure(samples, calls, || {
                black_box(compile().expect("loaded once already"));
            });
            Ok((times, None))
        }
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match parse_args(&args).and_then(run) {
        Ok((times, result)) => {
            let mut sorted = times.clone();
            sorted.sort_by(f64::total_cmp);
            let median = sorted.get(sorted.len() / 2).copied().unwrap_or(f64::NAN);
            let result = result.map_or_else(|| "-".to_string(), |result| result.to_string());
            let samples: Vec<String> = times.iter().map(f64::to_string).collect();
            println!("median={median} result={result} samples={}", samples.join(","));
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("pvm-bench-musttail: {error}");
            ExitCode::FAILURE
        }
    }
}
