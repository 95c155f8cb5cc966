//! Gas: dry runs tell the truth, out of gas rolls back cleanly at any point, and
//! storage deposits balance to the unit.

use codec::Encode;
use frame_support::traits::fungible::InspectHold;

use super::{decode, raw, Msg};
use crate::mock::*;
use crate::{Error, HoldReason, StorageDeposit};

fn real_gas_consumed(info: frame_support::dispatch::PostDispatchInfo, input_len: usize) -> u64 {
    let base = <() as crate::WeightInfo>::call(input_len as u32).ref_time();
    (info.actual_weight.unwrap().ref_time() - base) / WEIGHT_PER_GAS
}

fn call_with_gas(
    dest: &sp_runtime::AccountId32,
    msg: &Msg,
    gas_limit: u64,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
    Contracts::call(RuntimeOrigin::signed(ALICE), dest.clone(), 0, gas_limit, NO_DEPOSIT_LIMIT, msg.encode())
}

#[test]
fn dry_run_gas_matches_the_transaction() {
    new_test_ext().execute_with(|| {
        let contract = deploy(&ALICE, "host-test", &[], b"");
        let other = deploy(&ALICE, "host-test", &[], b"other");
        let messages = [
            Msg::Burn(10_000),
            Msg::SetStorage { key: b"a".to_vec(), value: vec![1; 100] },
            Msg::Hash(vec![0; 1000]),
            Msg::DepositEvent { topics: vec![[0; 32]], data: vec![1; 10] },
            Msg::Call { callee: raw(&other), value: 0, gas_limit: 0, flags: 0, input: Msg::Burn(100).encode() },
            Msg::WriteMany(3),
        ];
        for msg in messages {
            let dry = dry_call(&ALICE, &contract, msg.clone());
            assert!(dry.result.is_ok());
            // The dry run's gas_required is enough, and one unit less is not.
            let required = dry.gas_required;
            assert!(required >= dry.gas_consumed);
            let info = call_with_gas(&contract, &msg, required).expect("gas_required is enough");
            assert_eq!(real_gas_consumed(info, msg.encode().len()), dry.gas_consumed);
            // (The call just ran, so storage writes cost less now; dry-run again.)
            let dry = dry_call(&ALICE, &contract, msg.clone());
            let error = call_with_gas(&contract, &msg, dry.gas_required - 1).unwrap_err();
            assert_eq!(error.error, Error::<Test>::OutOfGas.into());
        }
    });
}

#[test]
fn gas_required_covers_explicit_nested_limits() {
    new_test_ext().execute_with(|| {
        let contract = deploy(&ALICE, "host-test", &[], b"");
        let other = deploy(&ALICE, "host-test", &[], b"other");
        // The nested call gets 10,000,000 gas but needs little of it; the caller must
        // still have that much left when it makes the call.
        let msg =
            Msg::Call { callee: raw(&other), value: 0, gas_limit: 10_000_000, flags: 0, input: Msg::Burn(10).encode() };
        let dry = dry_call(&ALICE, &contract, msg.clone());
        assert_eq!(decode::<(u32, Vec<u8>)>(&dry.result.unwrap().data).0, 0);
        assert!(dry.gas_required > dry.gas_consumed + 9_000_000, "{} vs {}", dry.gas_required, dry.gas_consumed);
        frame_support::assert_ok!(call_with_gas(&contract, &msg, dry.gas_required));
        assert!(call_with_gas(&contract, &msg, dry.gas_consumed).is_err());
    });
}

#[test]
fn out_of_gas_anywhere_leaves_no_trace() {
    new_test_ext().execute_with(|| {
        let contract = deploy(&ALICE, "host-test", &[], b"");
        let other = deploy(&ALICE, "host-test", &[], b"other");
        let msg =
            Msg::Call { callee: raw(&other), value: 7, gas_limit: 0, flags: 0, input: Msg::WriteMany(4).encode() };
        let needed = dry_call(&ALICE, &contract, msg.clone()).gas_required;
        let root = sp_io::storage::root(sp_runtime::StateVersion::V1);
        let mut out_of_gas = 0;
        // Every limit below what is needed, in steps that hit the frame start, the code
        // load, the transfer, the nested frame and each storage write.
        for limit in (0..needed).step_by(997).chain(needed.saturating_sub(50)..needed) {
            let result = Contracts::dry_run_call(ALICE, contract.clone(), 0, Some(limit), None, msg.encode());
            assert!(result.result.is_err() || decode::<(u32, Vec<u8>)>(&result.result.unwrap().data).0 != 0);
            out_of_gas += 1;
            assert_eq!(
                sp_io::storage::root(sp_runtime::StateVersion::V1),
                root,
                "state changed with gas limit {limit}"
            );
        }
        assert!(out_of_gas > 50);
        // Enough gas commits.
        frame_support::assert_ok!(call_with_gas(&contract, &msg, needed));
        assert_ne!(sp_io::storage::root(sp_runtime::StateVersion::V1), root);
    });
}

#[test]
fn nested_out_of_gas_rolls_back_only_the_callee() {
    new_test_ext().execute_with(|| {
        let contract = deploy(&ALICE, "host-test", &[], b"");
        let other = deploy(&ALICE, "host-test", &[], b"other");
        let inner = Msg::WriteMany(4).encode();
        let needed = {
            let msg = Msg::Call { callee: raw(&other), value: 0, gas_limit: 0, flags: 0, input: inner.clone() };
            dry_call(&ALICE, &other, Msg::WriteMany(4)).gas_required.min(dry_call(&ALICE, &contract, msg).gas_required)
        };
        for limit in (1..needed).step_by(1_499) {
            let msg = Msg::Call { callee: raw(&other), value: 0, gas_limit: limit, flags: 0, input: inner.clone() };
            let (code, _): (u32, Vec<u8>) = decode(&query(&ALICE, &contract, msg));
            if code != 0 {
                assert_eq!(code, abi::ReturnCode::CalleeTrapped as u32);
            }
        }
        // The callee's storage is untouched by all those dry runs and failed frames.
        let info = crate::ContractInfoOf::<Test>::get(&other).unwrap();
        assert_eq!(info.storage_items, 0);
    });
}

#[test]
fn storage_deposits_balance_to_the_unit() {
    new_test_ext().execute_with(|| {
        let contract = deploy(&ALICE, "host-test", &[], b"");
        let reason = RuntimeHoldReason::Contracts(HoldReason::StorageDepositReserve);
        let held_before = Balances::balance_on_hold(&reason, &contract);
        let alice_before = total_balance(&ALICE);
        // WriteMany(n) writes n items of a 32-byte key and a 32-byte value.
        let per_item = DEPOSIT_PER_ITEM + DEPOSIT_PER_BYTE * 64;

        let dry = dry_call(&BOB, &contract, Msg::WriteMany(5));
        assert_eq!(dry.storage_deposit, StorageDeposit::Charge(5 * per_item));
        frame_support::assert_ok!(call(&ALICE, &contract, Msg::WriteMany(5)));
        assert_eq!(total_balance(&ALICE), alice_before - 5 * per_item);
        assert_eq!(Balances::balance_on_hold(&reason, &contract), held_before + 5 * per_item);

        // Growing one value by 10 bytes costs 10 bytes; clearing it refunds the rest.
        let key = sp_io::hashing::blake2_256(&0u32.to_le_bytes()).to_vec();
        let dry = dry_call(&ALICE, &contract, Msg::SetStorage { key: key.clone(), value: vec![0; 42] });
        assert_eq!(dry.storage_deposit, StorageDeposit::Charge(10 * DEPOSIT_PER_BYTE));
        frame_support::assert_ok!(call(&BOB, &contract, Msg::ClearStorage(key)));
        let dry = dry_call(&ALICE, &contract, Msg::ClearStorage(vec![9]));
        assert_eq!(dry.storage_deposit, StorageDeposit::Charge(0));
        assert_eq!(Balances::balance_on_hold(&reason, &contract), held_before + 4 * per_item);
        // The one who freed the storage got the deposit.
        assert_eq!(total_balance(&BOB), INITIAL_BALANCE + per_item);
    });
}

#[test]
fn storage_deposit_limit_and_funds() {
    new_test_ext().execute_with(|| {
        let contract = deploy(&ALICE, "host-test", &[], b"");
        let per_item = DEPOSIT_PER_ITEM + DEPOSIT_PER_BYTE * 64;
        let error = Contracts::call(
            RuntimeOrigin::signed(ALICE),
            contract.clone(),
            0,
            GAS_LIMIT,
            2 * per_item,
            Msg::WriteMany(3).encode(),
        )
        .unwrap_err();
        assert_eq!(error.error, Error::<Test>::StorageDepositLimitExhausted.into());
        frame_support::assert_ok!(Contracts::call(
            RuntimeOrigin::signed(ALICE),
            contract.clone(),
            0,
            GAS_LIMIT,
            3 * per_item,
            Msg::WriteMany(3).encode()
        ));

        // An origin with little balance cannot pay.
        frame_support::assert_ok!(Balances::transfer_allow_death(RuntimeOrigin::signed(ALICE), DAVE, 2 * per_item));
        let error = Contracts::call(
            RuntimeOrigin::signed(DAVE),
            contract.clone(),
            0,
            GAS_LIMIT,
            NO_DEPOSIT_LIMIT,
            Msg::WriteMany(10).encode(),
        )
        .unwrap_err();
        assert_eq!(error.error, Error::<Test>::StorageDepositNotEnoughFunds.into());
        let dry = Contracts::dry_run_call(DAVE, contract, 0, Some(GAS_LIMIT), None, Msg::WriteMany(10).encode());
        assert!(failure(&dry.failure).contains("storage deposit"), "{}", failure(&dry.failure));
    });
}
