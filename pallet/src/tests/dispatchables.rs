//! Every dispatchable and its error paths.

use frame_support::{
    assert_noop, assert_ok,
    traits::fungible::{Inspect, InspectHold},
};
use sp_core::H256;
use sp_runtime::DispatchError;

use super::Msg;
use crate::mock::*;
use crate::{CodeInfo, CodeInfoOf, ContractInfoOf, Error, Event, HoldReason, PristineCode};

fn upload(origin: &sp_runtime::AccountId32, name: &str) -> H256 {
    assert_ok!(Contracts::upload_code(RuntimeOrigin::signed(origin.clone()), blob(name), NO_DEPOSIT_LIMIT));
    H256(sp_io::hashing::blake2_256(&blob(name)))
}

fn code_deposit(name: &str) -> u128 {
    DEPOSIT_PER_BYTE * (blob(name).len() + CodeInfo::<Test>::max_encoded_len_const()) as u128 + DEPOSIT_PER_ITEM
}

#[test]
fn upload_and_remove_code() {
    new_test_ext().execute_with(|| {
        let hash = upload(&ALICE, "flipper");
        let deposit = code_deposit("flipper");
        let reason = RuntimeHoldReason::Contracts(HoldReason::CodeUploadDepositReserve);
        assert_eq!(Balances::balance_on_hold(&reason, &ALICE), deposit);
        assert!(contract_events().contains(&Event::CodeStored { code_hash: hash, deposit, uploader: ALICE }));
        assert_eq!(PristineCode::<Test>::get(hash).unwrap().to_vec(), blob("flipper"));

        // A second upload changes nothing.
        assert_ok!(Contracts::upload_code(RuntimeOrigin::signed(BOB), blob("flipper"), NO_DEPOSIT_LIMIT));
        assert_eq!(CodeInfoOf::<Test>::get(hash).unwrap().owner, ALICE);

        assert_noop!(Contracts::remove_code(RuntimeOrigin::signed(BOB), hash), Error::<Test>::NotCodeOwner);
        assert_noop!(Contracts::remove_code(RuntimeOrigin::signed(ALICE), H256([0; 32])), Error::<Test>::CodeNotFound);
        assert_ok!(Contracts::remove_code(RuntimeOrigin::signed(ALICE), hash));
        assert_eq!(Balances::balance_on_hold(&reason, &ALICE), 0);
        assert_eq!(total_balance(&ALICE), INITIAL_BALANCE);
        assert!(!PristineCode::<Test>::contains_key(hash));
        assert!(contract_events().contains(&Event::CodeRemoved {
            code_hash: hash,
            deposit_released: deposit,
            remover: ALICE
        }));
    });
}

#[test]
fn upload_deposit_errors() {
    new_test_ext().execute_with(|| {
        let deposit = code_deposit("flipper");
        assert_noop!(
            Contracts::upload_code(RuntimeOrigin::signed(ALICE), blob("flipper"), deposit - 1),
            Error::<Test>::StorageDepositLimitExhausted
        );
        assert_noop!(
            Contracts::upload_code(RuntimeOrigin::signed(DAVE), blob("flipper"), NO_DEPOSIT_LIMIT),
            Error::<Test>::StorageDepositNotEnoughFunds
        );
        assert_ok!(Contracts::upload_code(RuntimeOrigin::signed(ALICE), blob("flipper"), deposit));
    });
}

#[test]
fn code_in_use_cannot_be_removed() {
    new_test_ext().execute_with(|| {
        let hash = upload(&ALICE, "flipper");
        assert_ok!(Contracts::instantiate(
            RuntimeOrigin::signed(ALICE),
            0,
            GAS_LIMIT,
            NO_DEPOSIT_LIMIT,
            hash,
            codec::Encode::encode(&true),
            vec![]
        ));
        assert_eq!(CodeInfoOf::<Test>::get(hash).unwrap().refcount, 1);
        assert_noop!(Contracts::remove_code(RuntimeOrigin::signed(ALICE), hash), Error::<Test>::CodeInUse);
    });
}

#[test]
fn instantiate_and_call() {
    new_test_ext().execute_with(|| {
        let hash = upload(&ALICE, "host-test");
        assert_ok!(Contracts::instantiate(
            RuntimeOrigin::signed(BOB),
            1_000,
            GAS_LIMIT,
            NO_DEPOSIT_LIMIT,
            hash,
            vec![],
            b"s".to_vec()
        ));
        let address = crate::Pallet::<Test>::contract_address(&BOB, &hash, b"s");
        assert!(contract_events().contains(&Event::Instantiated {
            deployer: BOB,
            contract: address.clone(),
            code_hash: hash
        }));
        assert_eq!(Balances::balance(&address), EXISTENTIAL_DEPOSIT + 1_000);

        crate::assert_failed_without_effect!(
            Contracts::instantiate(
                RuntimeOrigin::signed(BOB),
                0,
                GAS_LIMIT,
                NO_DEPOSIT_LIMIT,
                hash,
                vec![],
                b"s".to_vec()
            ),
            Error::<Test>::DuplicateContract
        );
        crate::assert_failed_without_effect!(
            Contracts::instantiate(
                RuntimeOrigin::signed(BOB),
                0,
                GAS_LIMIT,
                NO_DEPOSIT_LIMIT,
                H256([5; 32]),
                vec![],
                vec![]
            ),
            Error::<Test>::CodeNotFound
        );

        assert_ok!(Contracts::call(
            RuntimeOrigin::signed(CHARLIE),
            address.clone(),
            5,
            GAS_LIMIT,
            NO_DEPOSIT_LIMIT,
            codec::Encode::encode(&Msg::EchoInput)
        ));
        assert!(contract_events().contains(&Event::Called { caller: CHARLIE, contract: address.clone() }));
        crate::assert_failed_without_effect!(
            Contracts::call(RuntimeOrigin::signed(CHARLIE), BOB, 0, GAS_LIMIT, NO_DEPOSIT_LIMIT, vec![]),
            Error::<Test>::ContractNotFound
        );
        crate::assert_failed_without_effect!(
            Contracts::call(RuntimeOrigin::signed(DAVE), address, 5, GAS_LIMIT, NO_DEPOSIT_LIMIT, vec![]),
            Error::<Test>::TransferFailed
        );
    });
}

#[test]
fn instantiate_with_code() {
    new_test_ext().execute_with(|| {
        assert_ok!(Contracts::instantiate_with_code(
            RuntimeOrigin::signed(ALICE),
            0,
            GAS_LIMIT,
            NO_DEPOSIT_LIMIT,
            blob("flipper"),
            codec::Encode::encode(&false),
            vec![]
        ));
        let hash = H256(sp_io::hashing::blake2_256(&blob("flipper")));
        let address = crate::Pallet::<Test>::contract_address(&ALICE, &hash, &[]);
        assert_eq!(ContractInfoOf::<Test>::get(&address).unwrap().code_hash, hash);

        // A deploy that reverts leaves nothing behind, not even the code.
        let failed = Contracts::instantiate_with_code(
            RuntimeOrigin::signed(ALICE),
            0,
            GAS_LIMIT,
            NO_DEPOSIT_LIMIT,
            blob("host-test"),
            codec::Encode::encode(&Msg::Revert(vec![])),
            vec![],
        );
        assert_eq!(failed.unwrap_err().error, Error::<Test>::ContractReverted.into());
    });
}

#[test]
fn set_code_is_root_only() {
    new_test_ext().execute_with(|| {
        let address = deploy(&ALICE, "flipper", &codec::Encode::encode(&true), b"");
        let old = ContractInfoOf::<Test>::get(&address).unwrap().code_hash;
        let new = upload(&ALICE, "host-test");
        assert_noop!(Contracts::set_code(RuntimeOrigin::signed(ALICE), address.clone(), new), DispatchError::BadOrigin);
        assert_noop!(
            Contracts::set_code(RuntimeOrigin::root(), address.clone(), H256([1; 32])),
            Error::<Test>::CodeNotFound
        );
        assert_noop!(Contracts::set_code(RuntimeOrigin::root(), BOB, new), Error::<Test>::ContractNotFound);
        assert_ok!(Contracts::set_code(RuntimeOrigin::root(), address.clone(), new));
        assert_eq!(ContractInfoOf::<Test>::get(&address).unwrap().code_hash, new);
        assert_eq!(CodeInfoOf::<Test>::get(old).unwrap().refcount, 0);
        assert_eq!(CodeInfoOf::<Test>::get(new).unwrap().refcount, 1);
        // It now runs the new code.
        assert_eq!(query(&ALICE, &address, Msg::EchoInput), codec::Encode::encode(&Msg::EchoInput));
        assert!(contract_events().contains(&Event::ContractCodeUpdated {
            contract: address,
            new_code_hash: new,
            old_code_hash: old
        }));
    });
}

#[test]
fn actual_weight_is_refunded() {
    new_test_ext().execute_with(|| {
        let address = deploy(&ALICE, "host-test", &[], b"");
        let info = call(&ALICE, &address, Msg::Burn(1000)).unwrap();
        let result = dry_call(&ALICE, &address, Msg::Burn(1000));
        let base = <() as crate::WeightInfo>::call(codec::Encode::encode(&Msg::Burn(1000)).len() as u32);
        let actual = info.actual_weight.unwrap();
        assert_eq!(actual.ref_time(), base.ref_time() + result.gas_consumed * WEIGHT_PER_GAS);
        assert!(actual.ref_time() < crate::Pallet::<Test>::gas_to_weight(GAS_LIMIT).ref_time());
    });
}
