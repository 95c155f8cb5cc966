//! The corpus programs (`contracts/corpus-*`: real third-party crates built for the
//! guest) on our VM and on polkavm 0.37, through the differential harness
//! (`differential::check_export`: every stop, all registers, gas, the pc of each stop,
//! the heap and memory pages; pvm's compiler too where it runs). Every export of every
//! corpus program, on every instruction set the program links for, runs its workload's
//! test input:
//!
//! - with enough gas: both VMs agree, the result is the native workload's, and the run
//!   tells how much gas the call needs (`used`);
//! - with gas limits from 1 to `used - 1`: both VMs stop out of gas at the same pc with
//!   the same state, and agree after each refuel (the harness refuels a few times);
//! - with exactly `used`: the call finishes with no gas left, on both.
//!
//! `cargo test --release -p differential --test corpus`

use differential::{check_export, EventKind, Trace, Verdict};
use guest_programs::{blob, corpus, Isa};

/// More than any export needs at its test input.
const GAS: i64 = 10_000_000_000;

/// The export names of a blob.
fn exports(blob: &[u8]) -> Vec<String> {
    let module = pvm::Module::new(&pvm::Engine::default(), &pvm::ModuleConfig::default(), blob).unwrap();
    module.exports().iter().map(|export| export.name().into_owned()).collect()
}

/// Runs `export(n)` with `gas` on both VMs; they must agree exactly. Returns pvm's trace.
fn check(program: &str, isa: Isa, blob: &[u8], export: &str, n: u32, gas: i64) -> Trace {
    let context = format!("{program} ({isa}): {export}({n}) with {gas} gas");
    match check_export(blob, Some(export), &[u64::from(n)], gas) {
        Ok((Verdict::Same, trace)) => trace,
        Ok((verdict, _)) => panic!("{context}: not fully compared: {verdict:?}"),
        Err(difference) => panic!("{context}: pvm and polkavm differ: {difference}"),
    }
}

/// The `u64` a finished call returned: `a0`, or `a0` and `a1` on 32-bit sets.
fn result(isa: Isa, trace: &Trace) -> Option<u64> {
    let last = trace.events.last()?;
    let (a0, a1) = (last.regs[7], last.regs[8]);
    (last.kind == EventKind::Finished).then(|| if isa.is_64_bit() { a0 } else { a0 | a1 << 32 })
}

/// Every export of `program` for `isa` (if it links), at several gas limits.
fn check_program(program: &str, isa: Isa) {
    let Some(blob) = blob(program, isa) else {
        eprintln!("{program} ({isa}): not linked");
        return;
    };
    for export in exports(blob) {
        let workload = corpus_kernels::workload(&export).unwrap_or_else(|| panic!("{export} is not a workload"));
        let n = workload.test_input;
        let full = check(program, isa, blob, &export, n, GAS);
        assert_eq!(result(isa, &full), Some((workload.run)(n)), "{program} ({isa}): {export}({n}) vs native");
        let used = GAS - full.events.last().unwrap().gas;
        for gas in [1, 1000, used / 100, used / 2, used - 1] {
            let trace = check(program, isa, blob, &export, n, gas);
            let first = &trace.events[0];
            assert_eq!(first.kind, EventKind::NotEnoughGas, "{program} ({isa}): {export}({n}) with {gas} gas");
        }
        let exact = check(program, isa, blob, &export, n, used);
        assert_eq!(result(isa, &exact), result(isa, &full), "{program} ({isa}): {export}({n}) with {used} gas");
        assert_eq!(exact.events.last().unwrap().gas, 0, "{program} ({isa}): {export}({n}) with {used} gas");
        eprintln!("{program:>14} {isa:>8} {export:>15}({n}): {used:>10} gas, same on both VMs");
    }
}

#[test]
fn corpus_all_latest64() {
    check_program(corpus::ALL, Isa::Latest64);
}

#[test]
fn corpus_all_latest32() {
    check_program(corpus::ALL, Isa::Latest32);
}

#[test]
fn corpus_all_revive_v1() {
    check_program(corpus::ALL, Isa::ReviveV1);
}

#[test]
fn small_corpus_programs() {
    for program in &corpus::PROGRAMS[1..] {
        for isa in Isa::ALL {
            check_program(program, isa);
        }
    }
}
