//! The invariant checks themselves: they hold after real use (every test checks them at
//! its end) and catch each kind of corrupted state.

use frame_support::assert_ok;

use super::Msg;
use crate::invariants::{check, check_config};
use crate::mock::*;
use crate::{CodeInfoOf, ContractInfoOf, PristineCode};

/// A contract with two storage items, and a second contract of the same code.
fn setup() -> sp_runtime::AccountId32 {
    let contract = deploy(&ALICE, "host-test", &[], b"");
    deploy(&BOB, "host-test", &[], b"2");
    for key in [b"a", b"b"] {
        assert_ok!(call(&ALICE, &contract, Msg::SetStorage { key: key.to_vec(), value: vec![1, 2, 3] }));
    }
    contract
}

/// Runs `corrupt` on a consistent state and returns what [`check`] says.
fn violation(corrupt: impl FnOnce(&sp_runtime::AccountId32)) -> String {
    let mut ext = new_test_ext();
    // `ext.0`: the corrupted state must not reach `TestExt`'s own check.
    ext.0.execute_with(|| {
        let contract = setup();
        assert_eq!(check::<Test>(), Ok(()));
        corrupt(&contract);
        check::<Test>().expect_err("the corruption is found")
    })
}

#[test]
fn a_wrong_reference_count_is_found() {
    let problem = violation(|contract| {
        let hash = ContractInfoOf::<Test>::get(contract).unwrap().code_hash;
        CodeInfoOf::<Test>::mutate(hash, |info| info.as_mut().unwrap().refcount = 1);
    });
    assert!(problem.contains("has reference count 1; 2 contracts use it"), "{problem}");
}

#[test]
fn a_contract_without_its_code_is_found() {
    let problem = violation(|contract| {
        let hash = ContractInfoOf::<Test>::get(contract).unwrap().code_hash;
        CodeInfoOf::<Test>::remove(hash);
    });
    assert!(problem.contains("which is not stored"), "{problem}");
}

#[test]
fn a_blob_without_its_info_is_found() {
    let problem = violation(|_| PristineCode::<Test>::insert(sp_core::H256([9; 32]), frame_support::BoundedVec::new()));
    assert!(problem.contains("is stored without its info"), "{problem}");
}

#[test]
fn storage_counts_that_differ_from_the_trie_are_found() {
    let problem = violation(|contract| {
        ContractInfoOf::<Test>::mutate(contract, |info| info.as_mut().unwrap().storage_items = 1);
    });
    assert!(problem.contains("records 1 storage items of 8 bytes; its trie has 2 of 8"), "{problem}");
}

#[test]
fn a_deposit_record_that_differs_from_the_hold_is_found() {
    let problem = violation(|contract| {
        ContractInfoOf::<Test>::mutate(contract, |info| info.as_mut().unwrap().storage_deposit += 1);
    });
    assert!(problem.contains("records a storage deposit of"), "{problem}");
}

#[test]
fn an_upload_deposit_that_differs_from_the_hold_is_found() {
    let problem = violation(|contract| {
        let hash = ContractInfoOf::<Test>::get(contract).unwrap().code_hash;
        CodeInfoOf::<Test>::mutate(hash, |info| info.as_mut().unwrap().deposit += 1);
    });
    assert!(problem.contains("on hold for code; the deposits of its codes are"), "{problem}");
}

#[test]
fn the_mock_configuration_is_consistent() {
    assert_eq!(check_config::<Test>(), Ok(()));
}
