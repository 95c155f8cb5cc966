//! `peers-native PROGRAM SAMPLES CALLS`: runs one program natively following the plan
//! and prints its [`Measurement`] line. `pvm-peers` runs it, built for i686, as the
//! `native i686` row's child process.

use std::process::ExitCode;

use peers_native::{measure, native, Measurement, Plan, Program};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parsed = match args.as_slice() {
        [program, samples, calls] => Program::from_name(program).zip(samples.parse().ok()).zip(calls.parse().ok()),
        _ => None,
    };
    let Some(((program, samples), calls)) = parsed else {
        eprintln!("usage: peers-native PROGRAM SAMPLES CALLS (PROGRAM: prime-sieve, memset, emulator, minimal)");
        return ExitCode::FAILURE;
    };
    let measurement: Measurement = measure(native(program).as_mut(), Plan { samples, calls }, None);
    println!("{}", measurement.to_line());
    ExitCode::SUCCESS
}
