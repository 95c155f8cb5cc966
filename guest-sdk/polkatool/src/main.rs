//! `polkatool`: disassemble, run and test PolkaVM-compatible program blobs.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use polkatool::{commands, vectors};

#[derive(Parser)]
#[command(name = "polkatool", version, about = "Tools for PolkaVM-compatible program blobs")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// The VM backend that loads and runs programs: interpreter, compiler or auto
    /// (default: auto, or the PVM_BACKEND environment variable).
    #[arg(long, global = true, value_parser = parse_backend)]
    backend: Option<pvm::Backend>,
}

#[derive(Subcommand)]
enum Command {
    /// Links a RISC-V ELF file (built for the PolkaVM targets) into a `.polkavm` blob.
    Link {
        /// The ELF file.
        elf: PathBuf,
        /// Where to write the blob.
        #[arg(short, long)]
        output: PathBuf,
        /// Instruction set: latest64 (the default for 64-bit ELF files), revive_v1 or
        /// jam_v1 for 64-bit files; latest32 (the default) for 32-bit ones.
        #[arg(long, value_parser = parse_isa)]
        isa: Option<pvm::InstructionSet>,
    },
    /// Writes a new contract crate (interface, program, test) into NAME, or into --path.
    New {
        /// The crate's name.
        name: String,
        /// Where (default: ./NAME).
        #[arg(long)]
        path: Option<PathBuf>,
        /// The guest-sdk folder of a checkout of this repository (default: the one this
        /// polkatool was built from).
        #[arg(long)]
        sdk: Option<PathBuf>,
    },
    /// Builds a guest crate for a PolkaVM target and links its binaries into blobs.
    Build {
        /// The guest crate's folder.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Only this binary.
        #[arg(long)]
        bin: Option<String>,
        /// Instruction set: latest32 (the default, for riscv32emac); latest64, revive_v1
        /// or jam_v1 (riscv64emac).
        #[arg(long, value_parser = parse_isa, default_value = "latest32")]
        isa: pvm::InstructionSet,
        /// Where to write the blobs (default: the crate's folder).
        #[arg(short, long)]
        output_dir: Option<PathBuf>,
    },
    /// Prints a readable listing of a blob.
    Disassemble {
        /// The `.polkavm` file.
        blob: PathBuf,
    },
    /// Calls exports with a trivial host (no imports) and prints the results.
    Run {
        /// The `.polkavm` file.
        blob: PathBuf,
        /// The export to call; repeat to call several exports in order on the same
        /// instance (memory persists between calls).
        #[arg(long, required = true)]
        call: Vec<String>,
        /// Arguments for a0..a5, comma separated (decimal or 0x-prefixed hex). Give one
        /// `--args` per `--call` (in the same order), or one for every call.
        #[arg(long, value_parser = parse_numbers)]
        args: Vec<Numbers>,
        /// Gas limit.
        #[arg(long, default_value_t = 10_000_000_000)]
        gas: i64,
    },
    /// Prints sizes per section, instruction and block counts, imports and exports.
    Stats {
        /// The `.polkavm` file.
        blob: PathBuf,
    },
    /// Runs JAM PVM test vectors (files or directories of .json files).
    TestVectors {
        /// Vector files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

fn parse_backend(text: &str) -> Result<pvm::Backend, String> {
    pvm::Backend::from_name(text).ok_or_else(|| format!("unknown backend '{text}' (interpreter, compiler, auto)"))
}

fn parse_isa(text: &str) -> Result<pvm::InstructionSet, String> {
    [
        pvm::InstructionSet::ReviveV1,
        pvm::InstructionSet::JamV1,
        pvm::InstructionSet::Latest32,
        pvm::InstructionSet::Latest64,
    ]
    .into_iter()
    .find(|isa| isa.name() == text)
    .ok_or_else(|| format!("unknown instruction set '{text}' (revive_v1, jam_v1, latest32, latest64)"))
}

/// A comma-separated list of numbers.
#[derive(Clone, Debug)]
struct Numbers(Vec<u64>);

fn parse_numbers(text: &str) -> Result<Numbers, String> {
    text.split(',').map(parse_number).collect::<Result<_, _>>().map(Numbers)
}

fn parse_number(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let parsed = match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => text.parse::<u64>().or_else(|_| text.parse::<i64>().map(|v| v as u64)),
    };
    parsed.map_err(|_| format!("'{text}' is not a number"))
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let mut config = pvm::Config::default();
    if let Some(backend) = cli.backend {
        config.backend = backend;
    }
    let engine = pvm::Engine::new(&config)?;
    match cli.command {
        Command::New { name, path, sdk } => {
            let dir = path.unwrap_or_else(|| PathBuf::from(&name));
            polkatool::scaffold::new(&name, &dir, &sdk.unwrap_or_else(polkatool::scaffold::default_sdk))?;
            println!("{}: a contract crate; build it with `polkatool build {}`", dir.display(), dir.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Build { path, bin, isa, output_dir } => {
            let blobs = polkatool::build::build(&polkatool::build::BuildOptions { path, bin, isa, output_dir })?;
            for blob in blobs {
                println!("{}", blob.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Link { elf, output, isa } => {
            let bytes = std::fs::read(&elf).with_context(|| format!("cannot read {}", elf.display()))?;
            let isa = isa.unwrap_or(if commands::elf_is_64_bit(&bytes) {
                pvm::InstructionSet::Latest64
            } else {
                pvm::InstructionSet::Latest32
            });
            let blob = pvm_linker::link(&bytes, isa).with_context(|| format!("cannot link {}", elf.display()))?;
            std::fs::write(&output, &blob).with_context(|| format!("cannot write {}", output.display()))?;
            println!("{} ({isa}, {} bytes)", output.display(), blob.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Disassemble { blob } => {
            let module = commands::load_module(&blob, &engine)?;
            print!("{}", commands::disassemble(&module));
            Ok(ExitCode::SUCCESS)
        }
        Command::Run { blob, call, args, gas } => {
            let module = commands::load_module(&blob, &engine)?;
            let args: Vec<Vec<u64>> = match args.len() {
                0 => vec![Vec::new(); call.len()],
                1 => vec![args[0].0.clone(); call.len()],
                n if n == call.len() => args.into_iter().map(|numbers| numbers.0).collect(),
                n => bail!("{n} --args for {} --call; give one per call, or one for all", call.len()),
            };
            let reports = commands::run(&module, &call, &args, gas)?;
            let mut status = ExitCode::SUCCESS;
            for (export, report) in call.iter().zip(&reports) {
                match &report.result {
                    Ok(a0) => println!(
                        "{export}: finished, a0 = {a0} ({a0:#x}), a1 = {a1} ({a1:#x}), gas used: {gas_used}",
                        a1 = report.a1,
                        gas_used = report.gas_used
                    ),
                    Err(error) => {
                        println!("{export}: {error}, gas used: {}", report.gas_used);
                        status = ExitCode::FAILURE;
                    }
                }
            }
            Ok(status)
        }
        Command::Stats { blob } => {
            let module = commands::load_module(&blob, &engine)?;
            let size = std::fs::metadata(&blob).map(|m| m.len() as usize).unwrap_or_default();
            print!("{}", commands::stats(&module, size));
            Ok(ExitCode::SUCCESS)
        }
        Command::TestVectors { paths } => {
            let failed =
                vectors::run_all(&paths, &engine, &mut std::io::stdout().lock()).context("running test vectors")?;
            Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
    }
}
