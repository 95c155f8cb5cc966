//! Prints the traces of one fuzzer input (`fuzz/artifacts/differential/...`) on every
//! VM: polkavm 0.37's interpreter and compiler and each of pvm's backends.
//!
//! `cargo run --release -p differential --example inspect -- FILE`

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: inspect FILE");
        std::process::exit(2);
    };
    let bytes = std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"));
    let program = differential::generate(&mut differential::arbitrary::Unstructured::new(&bytes))
        .unwrap_or_else(|error| panic!("{path}: not a program: {error}"));
    println!("{program:#?}");
    let blob = program.blob().unwrap_or_else(|error| panic!("the reference builder failed: {error}"));
    for backend in [differential::ReferenceBackend::Interpreter, differential::ReferenceBackend::Compiler] {
        let trace = differential::run_reference_on(backend, &blob, &program.args, program.gas);
        println!("polkavm {backend:?}:");
        for event in &trace.events {
            println!("  {event:x?}");
        }
    }
    for &backend in pvm::Backend::available() {
        let trace = differential::run_pvm_on(backend, &blob, &program.args, program.gas);
        println!("pvm {backend}:");
        for event in &trace.events {
            println!("  {event:x?}");
        }
    }
}
