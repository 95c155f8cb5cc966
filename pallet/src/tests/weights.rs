//! Weights that cover the work: for every host function whose work grows with its
//! input, the gas it charges at the largest size, turned into weight as the runtime
//! turns it (`schedule::weight_per_gas`), is at least what its benchmark measured for
//! that size. Each case runs the benchmark's own contract (`benchmarking::fixtures`) at
//! the smallest and the largest size and compares the differences, so what both sizes
//! share (the call, the code, the loop) cancels out.
//!
//! `cargo test -p pallet-pvm-contracts --features runtime-benchmarks,mock-runtime
//! weights_cover -- --nocapture` prints the table the README shows.

use alloc::{vec, vec::Vec};

use frame_support::weights::Weight;

use crate::benchmarking::fixtures;
use crate::mock::*;
use crate::{schedule, Code, WeightInfo};

/// One host function's work that grows with a size: the contract and input of its
/// benchmark at size `n`, the benchmarked weight at `n`, and the sizes compared.
struct Case {
    what: &'static str,
    sizes: (u32, u32),
    contract: fn(u32) -> (Vec<u8>, Vec<u8>),
    weight: fn(u32) -> Weight,
}

/// A contract called without input.
fn no_input(code: Vec<u8>) -> (Vec<u8>, Vec<u8>) {
    (code, Vec::new())
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            what: "set_storage, per value byte",
            sizes: (0, 16_384),
            contract: |n| no_input(fixtures::set_storage_per_byte(n)),
            weight: <() as WeightInfo>::set_storage_per_byte,
        },
        Case {
            what: "deposit_event, per data byte",
            sizes: (0, 16_384),
            contract: |n| no_input(fixtures::deposit_event_per_byte(n)),
            weight: <() as WeightInfo>::deposit_event_per_byte,
        },
        Case {
            what: "deposit_event, per topic (100 events)",
            sizes: (0, abi::MAX_EVENT_TOPICS as u32),
            contract: |t| no_input(fixtures::deposit_event_per_topic(t)),
            weight: <() as WeightInfo>::deposit_event_per_topic,
        },
        Case {
            what: "hash_blake2_256, per input byte",
            sizes: (0, 16_384),
            contract: |n| no_input(fixtures::hash_blake2_256_per_byte(n)),
            weight: <() as WeightInfo>::hash_blake2_256_per_byte,
        },
        Case {
            what: "input_copy, per byte",
            sizes: (0, 16_384),
            contract: |n| (fixtures::input_copy(), vec![5; n as usize]),
            weight: <() as WeightInfo>::input_copy_per_byte,
        },
        Case {
            what: "get_storage, per call (distinct keys)",
            sizes: (1, 100),
            contract: |r| no_input(fixtures::get_storage(r)),
            weight: <() as WeightInfo>::get_storage,
        },
        Case {
            what: "set_storage, per call (new keys)",
            sizes: (1, 100),
            contract: |r| no_input(fixtures::set_storage(r)),
            weight: <() as WeightInfo>::set_storage,
        },
    ]
}

/// The gas a call of a freshly deployed `code` with `input` consumes.
fn gas_of(code: Vec<u8>, input: Vec<u8>, salt: &[u8]) -> u64 {
    let deployed = Contracts::dry_run_instantiate(
        ALICE,
        0,
        Some(GAS_LIMIT),
        None,
        Code::Upload(code.clone()),
        vec![],
        salt.to_vec(),
    );
    assert!(deployed.result.is_ok(), "the fixture deploys: {:?}", deployed.failure);
    Contracts::instantiate_with_code(
        RuntimeOrigin::signed(ALICE),
        0,
        GAS_LIMIT,
        NO_DEPOSIT_LIMIT,
        code.clone(),
        vec![],
        salt.to_vec(),
    )
    .expect("the fixture deploys");
    let code_hash = sp_core::H256(sp_io::hashing::blake2_256(&code));
    let contract = Contracts::contract_address(&ALICE, &code_hash, salt);
    let result = Contracts::dry_run_call(ALICE, contract, 0, Some(GAS_LIMIT), None, input);
    assert!(result.result.as_ref().is_ok_and(|output| !output.did_revert()), "the fixture runs: {:?}", result.failure);
    result.gas_consumed
}

#[test]
fn weights_cover_the_work_at_the_largest_size() {
    let per_gas = schedule::weight_per_gas::<()>();
    let mut short = Vec::new();
    std::println!("| host function | sizes | gas charged | as weight (ps) | benchmarked (ps) | margin |");
    std::println!("|---|---:|---:|---:|---:|---:|");
    for case in cases() {
        let (small, large) = case.sizes;
        let (gas_small, gas_large) = new_test_ext().execute_with(|| {
            let (code, input) = (case.contract)(small);
            let gas_small = gas_of(code, input, b"small");
            let (code, input) = (case.contract)(large);
            (gas_small, gas_of(code, input, b"large"))
        });
        let charged = gas_large.saturating_sub(gas_small);
        let as_weight = charged.saturating_mul(per_gas);
        let benchmarked = (case.weight)(large).ref_time().saturating_sub((case.weight)(small).ref_time());
        let margin = as_weight as f64 / benchmarked.max(1) as f64;
        std::println!("| {} | {small}..{large} | {charged} | {as_weight} | {benchmarked} | {margin:.2}x |", case.what);
        if as_weight < benchmarked {
            short.push(case.what);
        }
    }
    assert!(short.is_empty(), "charged less than the benchmarked work: {short:?}");
}
