//! Measures, on the native mock runtime, what the pallet's weights and gas costs must
//! cover, with the generated contracts of the frame-benchmarking benchmarks
//! (`pallet_pvm_contracts::benchmarking::fixtures`), and fits a line through the
//! timings of each (least squares over several sizes, median of repeated runs):
//!
//! - `instructions`: picoseconds per unit of gas (a loop of two-instruction blocks),
//!   the basis of `Config::WeightPerGas`;
//! - `host_call`, `set_storage`, `deposit_event`, `hash_blake2_256`: the time of one
//!   host call (or byte), in gas at that rate, to compare with `Schedule`;
//! - `call`, `upload_code`: the dispatchables' time per input byte / code byte.
//!
//! frame-benchmarking's own runner needs a database backend that counts reads and
//! writes (the node's benchmarking CLI has one; the in-memory test externalities do
//! not), hence this harness. Database accesses are not part of these timings: the
//! weights in `weights.rs` add them at `RocksDbWeight`.
//!
//! Run with `cargo bench -p pallet-pvm-contracts --features mock-runtime,runtime-benchmarks --bench weights`.

use std::time::Instant;

use pallet_pvm_contracts::{benchmarking::fixtures, mock::*};
use sp_runtime::AccountId32;

const REPEATS: usize = 7;

/// The median time of `f`, in picoseconds.
fn time_ps(mut f: impl FnMut()) -> f64 {
    let mut samples: Vec<f64> = (0..REPEATS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e12
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[REPEATS / 2]
}

/// Least squares: `(intercept, slope)` of `time = intercept + slope * x`.
fn fit(points: &[(f64, f64)]) -> (f64, f64) {
    let n = points.len() as f64;
    let (sx, sy) = points.iter().fold((0.0, 0.0), |(sx, sy), &(x, y)| (sx + x, sy + y));
    let (mx, my) = (sx / n, sy / n);
    let sxy: f64 = points.iter().map(|&(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = points.iter().map(|&(x, _)| (x - mx) * (x - mx)).sum();
    let slope = sxy / sxx;
    (my - slope * mx, slope)
}

/// Deploys `code` (in a fresh state) and fits the time of one call against `x`.
fn measure_calls(xs: &[u32], code: impl Fn(u32) -> Vec<u8>) -> (f64, f64) {
    let points: Vec<(f64, f64)> = xs
        .iter()
        .map(|&x| {
            new_test_ext().execute_with(|| {
                let contract = deploy_code(code(x));
                let time = time_ps(|| {
                    Contracts::call(
                        RuntimeOrigin::signed(ALICE),
                        contract.clone(),
                        0,
                        GAS_LIMIT,
                        NO_DEPOSIT_LIMIT,
                        vec![],
                    )
                    .expect("the fixture runs");
                });
                (f64::from(x), time)
            })
        })
        .collect();
    fit(&points)
}

fn deploy_code(code: Vec<u8>) -> AccountId32 {
    let hash = sp_core::H256(sp_io::hashing::blake2_256(&code));
    Contracts::instantiate_with_code(
        RuntimeOrigin::signed(ALICE),
        0,
        GAS_LIMIT,
        NO_DEPOSIT_LIMIT,
        code,
        vec![],
        vec![],
    )
    .expect("the fixture deploys");
    Contracts::contract_address(&ALICE, &hash, &[])
}

fn main() {
    let rw = fixtures::rw_address();

    let (_, per_iteration) = measure_calls(&[1, 250_000, 500_000, 750_000, 1_000_000], fixtures::burn);
    let per_gas = per_iteration / 2.0;
    println!("instructions:     {per_gas:>10.0} ps per unit of gas   (WeightPerGas in the mock: {WEIGHT_PER_GAS})");

    let calls = [1, 2_500, 5_000, 7_500, 10_000];
    let (_, host_call) = measure_calls(&calls, |r| fixtures::host_calls(abi::host::GAS_LEFT, r, [0; 4], &[]));
    // Each loop iteration also runs 7 instructions of its own.
    let report = |name: &str, per_call: f64| {
        println!("{name:<17} {:>10.0} ps per call = {:>8.0} gas at the measured rate", per_call, per_call / per_gas);
    };
    report("host_call:", host_call - 7.0 * per_gas);
    let (_, set_storage) = measure_calls(&[1, 250, 500, 750, 1_000], |r| {
        fixtures::host_calls(abi::host::SET_STORAGE, r, [rw, 32, rw + 32, 32], &[7; 64])
    });
    report("set_storage:", set_storage - 7.0 * per_gas);
    let (_, deposit_event) = measure_calls(&[1, 250, 500, 750, 1_000], |r| {
        fixtures::host_calls(abi::host::DEPOSIT_EVENT, r, [rw, 1, rw + 32, 32], &[7; 64])
    });
    report("deposit_event:", deposit_event - 7.0 * per_gas);
    let (_, hash_per_byte) = measure_calls(&[0, 4_096, 8_192, 12_288, 16_384], |n| {
        fixtures::host_calls(abi::host::HASH_BLAKE2_256, 100, [rw + 32, n, rw, 0], &vec![3; n as usize + 32])
    });
    println!(
        "hash_blake2_256:  {:>10.0} ps per byte = {:>8.2} gas per byte",
        hash_per_byte / 100.0,
        hash_per_byte / 100.0 / per_gas
    );

    // The dispatchables, whole (their gas included).
    let points: Vec<(f64, f64)> = [0u32, 4_096, 8_192, 16_384]
        .iter()
        .map(|&len| {
            new_test_ext().execute_with(|| {
                let contract = deploy_code(fixtures::noop(64));
                let input = vec![0u8; len as usize];
                let time = time_ps(|| {
                    Contracts::call(
                        RuntimeOrigin::signed(ALICE),
                        contract.clone(),
                        0,
                        GAS_LIMIT,
                        NO_DEPOSIT_LIMIT,
                        input.clone(),
                    )
                    .expect("the call runs");
                });
                (f64::from(len), time)
            })
        })
        .collect();
    let (base, per_byte) = fit(&points);
    println!("call:             {base:>10.0} ps + {per_byte:.0} ps per input byte");
    let points: Vec<(f64, f64)> = [1_024u32, 32_768, 65_536, 131_072]
        .iter()
        .map(|&len| {
            let code = fixtures::noop(len);
            let size = code.len();
            new_test_ext().execute_with(|| {
                let time = time_ps(|| {
                    // A dry run: validation, translation and storage, rolled back.
                    Contracts::dry_run_upload_code(ALICE, code.clone(), None).expect("a valid blob");
                });
                (size as f64, time)
            })
        })
        .collect();
    let (base, per_byte) = fit(&points);
    println!("upload_code:      {base:>10.0} ps + {per_byte:.0} ps per code byte");
}
