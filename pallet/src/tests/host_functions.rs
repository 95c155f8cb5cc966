//! Every host function, through the `host-test` contract.

use abi::{call_flags, ReturnCode};
use frame_support::{assert_ok, traits::fungible::Inspect};
use sp_core::H256;

use super::{decode, raw, Msg};
use crate::mock::*;
use crate::{exec::Stack, ContractInfoOf, Error, Event};

fn host_test() -> sp_runtime::AccountId32 {
    deploy_with_value(&ALICE, "host-test", &[], b"host", 1_000_000)
}

fn code_hash(name: &str) -> [u8; 32] {
    sp_io::hashing::blake2_256(&blob(name))
}

#[test]
fn storage_functions() {
    new_test_ext().execute_with(|| {
        let contract = host_test();
        let set = |key: &[u8], value: &[u8]| -> Option<u32> {
            decode(&query_and_commit(&contract, Msg::SetStorage { key: key.to_vec(), value: value.to_vec() }))
        };
        assert_eq!(set(b"k", b"hello"), None);
        assert_eq!(set(b"k", b"hello world"), Some(5));
        assert_eq!(
            decode::<Option<Vec<u8>>>(&query(&ALICE, &contract, Msg::GetStorage(b"k".to_vec()))),
            Some(b"hello world".to_vec())
        );
        assert_eq!(decode::<Option<u32>>(&query(&ALICE, &contract, Msg::ContainsStorage(b"k".to_vec()))), Some(11));
        assert_eq!(decode::<Option<u32>>(&query(&ALICE, &contract, Msg::ContainsStorage(b"x".to_vec()))), None);
        assert_eq!(decode::<Option<Vec<u8>>>(&query(&ALICE, &contract, Msg::GetStorage(b"x".to_vec()))), None);
        assert_eq!(crate::Pallet::<Test>::get_storage(&contract, b"k"), Some(b"hello world".to_vec()));

        // A buffer that is too small gets the needed length and nothing else.
        let get_into = |capacity| -> (u32, u32) {
            decode(&query(&ALICE, &contract, Msg::GetStorageInto { key: b"k".to_vec(), capacity }))
        };
        assert_eq!(get_into(4), (ReturnCode::OutputBufferTooSmall as u32, 11));
        assert_eq!(get_into(11), (ReturnCode::Success as u32, 11));
        assert_eq!(get_into(100), (ReturnCode::Success as u32, 11));

        let take: Option<Vec<u8>> = decode(&query_and_commit(&contract, Msg::TakeStorage(b"k".to_vec())));
        assert_eq!(take, Some(b"hello world".to_vec()));
        assert_eq!(crate::Pallet::<Test>::get_storage(&contract, b"k"), None);
        let take: Option<Vec<u8>> = decode(&query_and_commit(&contract, Msg::TakeStorage(b"k".to_vec())));
        assert_eq!(take, None);

        assert_eq!(set(b"c", b"abc"), None);
        assert_eq!(decode::<Option<u32>>(&query_and_commit(&contract, Msg::ClearStorage(b"c".to_vec()))), Some(3));
        assert_eq!(decode::<Option<u32>>(&query_and_commit(&contract, Msg::ClearStorage(b"c".to_vec()))), None);
        let info = ContractInfoOf::<Test>::get(&contract).unwrap();
        assert_eq!((info.storage_items, info.storage_bytes), (0, 0));
    });
}

/// Runs a call through the dispatchable's execution path and returns its output
/// (which the dispatchable itself does not return).
fn query_and_commit(contract: &sp_runtime::AccountId32, msg: Msg) -> Vec<u8> {
    use codec::Encode;
    let outcome =
        Stack::<Test>::new(ALICE, NO_DEPOSIT_LIMIT, false).call(ALICE, contract.clone(), 0, GAS_LIMIT, msg.encode());
    let output = outcome.result.expect("the call succeeds");
    assert!(!output.did_revert());
    output.data
}

#[test]
fn oversized_keys_and_values_trap() {
    new_test_ext().execute_with(|| {
        let contract = host_test();
        let result = dry_call(&ALICE, &contract, Msg::SetStorage { key: vec![7; 129], value: vec![] });
        assert_eq!(result.result, Err(Error::<Test>::ContractTrapped.into()));
        assert!(
            failure(&result.failure).contains("storage key is 129 bytes; the limit is 128"),
            "{}",
            failure(&result.failure)
        );
        // Inputs are bounded by the same limit as values, before the contract runs.
        let result = dry_call(&ALICE, &contract, Msg::SetStorage { key: vec![7], value: vec![0; 16384] });
        assert_eq!(result.result, Err(Error::<Test>::ValueTooLarge.into()));
    });
}

#[test]
fn input_and_return() {
    new_test_ext().execute_with(|| {
        let contract = host_test();
        use codec::Encode;
        assert_eq!(query(&ALICE, &contract, Msg::EchoInput), Msg::EchoInput.encode());

        // A revert returns its data and rolls back the frame's storage writes.
        let result = dry_call(&ALICE, &contract, Msg::Revert(b"no".to_vec()));
        let output = result.result.unwrap();
        assert!(output.did_revert());
        assert_eq!(output.data, b"no");
        let error = call(&ALICE, &contract, Msg::Revert(b"no".to_vec())).unwrap_err();
        assert_eq!(error.error, Error::<Test>::ContractReverted.into());
        assert_eq!(crate::Pallet::<Test>::get_storage(&contract, b"reverted"), None);
    });
}

#[test]
fn traps_roll_back_and_say_why() {
    new_test_ext().execute_with(|| {
        let contract = host_test();
        let error = call(&ALICE, &contract, Msg::Trap).unwrap_err();
        assert_eq!(error.error, Error::<Test>::ContractTrapped.into());
        assert_eq!(crate::Pallet::<Test>::get_storage(&contract, b"trapped"), None);

        let result = dry_call(&ALICE, &contract, Msg::Trap);
        assert_eq!(result.result, Err(Error::<Test>::ContractTrapped.into()));
        let why = failure(&result.failure);
        assert!(why.contains("trapped at pc"), "{why}");

        // A bad pointer passed to a host function is a trap that names the function.
        let result = dry_call(&ALICE, &contract, Msg::BadPointer);
        assert_eq!(result.result, Err(Error::<Test>::ContractTrapped.into()));
        let why = failure(&result.failure);
        assert!(why.contains("input_copy") && why.contains("cannot write"), "{why}");
    });
}

#[test]
fn events() {
    new_test_ext().execute_with(|| {
        let contract = host_test();
        let topics = vec![[1; 32], [2; 32]];
        assert_ok!(call(&ALICE, &contract, Msg::DepositEvent { topics: topics.clone(), data: b"data".to_vec() }));
        assert!(contract_events().contains(&Event::ContractEmitted {
            contract: contract.clone(),
            topics: topics.iter().map(|t| H256(*t)).collect(),
            data: b"data".to_vec(),
        }));

        // The dry run returns the events too.
        let result = dry_call(&ALICE, &contract, Msg::DepositEvent { topics: vec![[3; 32]], data: vec![] });
        assert!(result.events.iter().any(|record| matches!(
            &record.event,
            RuntimeEvent::Contracts(Event::ContractEmitted { topics, .. }) if topics == &vec![H256([3; 32])]
        )));

        let result = dry_call(&ALICE, &contract, Msg::DepositEvent { topics: vec![[0; 32]; 5], data: vec![] });
        assert_eq!(result.result, Err(Error::<Test>::ContractTrapped.into()));
        assert!(failure(&result.failure).contains("5 topics"));
    });
}

#[test]
fn transfers() {
    new_test_ext().execute_with(|| {
        let contract = host_test();
        let before = Balances::balance(&DAVE);
        let code: u32 = decode(&query_and_commit(&contract, Msg::Transfer { to: raw(&DAVE), value: 5_000 }));
        assert_eq!(code, ReturnCode::Success as u32);
        assert_eq!(Balances::balance(&DAVE), before + 5_000);
        let code: u32 = decode(&query_and_commit(&contract, Msg::Transfer { to: raw(&DAVE), value: 1 << 100 }));
        assert_eq!(code, ReturnCode::TransferFailed as u32);
    });
}

#[test]
fn context() {
    new_test_ext().execute_with(|| {
        let contract = host_test();
        use codec::Encode;
        let result = Contracts::dry_run_call(BOB, contract.clone(), 777, Some(GAS_LIMIT), None, Msg::Context.encode());
        let output = result.result.unwrap();
        let (caller, address, value, balance, block, now, gas_left): ([u8; 32], [u8; 32], u128, u128, u64, u64, u64) =
            decode(&output.data);
        assert_eq!(caller, raw(&BOB));
        assert_eq!(address, raw(&contract));
        assert_eq!(value, 777);
        assert_eq!(balance, Balances::balance(&contract) + 777, "the value arrived before the call ran");
        assert_eq!(block, 1);
        assert_eq!(now, 1_700_000_000_000);
        assert!(gas_left > 0 && gas_left < GAS_LIMIT);

        let balance: u128 = decode(&query(&ALICE, &contract, Msg::BalanceOf(raw(&CHARLIE))));
        assert_eq!(balance, INITIAL_BALANCE);
    });
}

#[test]
fn hashes() {
    new_test_ext().execute_with(|| {
        let contract = host_test();
        let (h256, h128): ([u8; 32], [u8; 16]) = decode(&query(&ALICE, &contract, Msg::Hash(b"abc".to_vec())));
        assert_eq!(h256, sp_io::hashing::blake2_256(b"abc"));
        assert_eq!(h128, sp_io::hashing::blake2_128(b"abc"));
    });
}

#[test]
fn nested_calls() {
    new_test_ext().execute_with(|| {
        use codec::Encode;
        let caller = host_test();
        let callee = deploy(&ALICE, "host-test", &[], b"callee");
        let nested = |input: Msg, gas_limit| -> (u32, Vec<u8>) {
            decode(&query(
                &ALICE,
                &caller,
                Msg::Call { callee: raw(&callee), value: 0, gas_limit, flags: 0, input: input.encode() },
            ))
        };
        assert_eq!(nested(Msg::EchoInput, 0), (0, Msg::EchoInput.encode()));
        assert_eq!(nested(Msg::Revert(b"r".to_vec()), 0), (ReturnCode::CalleeReverted as u32, b"r".to_vec()));
        assert_eq!(nested(Msg::Trap, 0), (ReturnCode::CalleeTrapped as u32, vec![]));
        assert_eq!(nested(Msg::Burn(1_000_000), 50_000), (ReturnCode::CalleeTrapped as u32, vec![]));

        // The callee sees the calling contract as its caller, and the value.
        let (code, data): (u32, Vec<u8>) = decode(&query_and_commit(
            &caller,
            Msg::Call { callee: raw(&callee), value: 99, gas_limit: 0, flags: 0, input: Msg::Context.encode() },
        ));
        assert_eq!(code, 0);
        let (seen_caller, _, value, ..): ([u8; 32], [u8; 32], u128, u128, u64, u64, u64) = decode(&data);
        assert_eq!((seen_caller, value), (raw(&caller), 99));

        // A callee that is not a contract.
        let (code, _): (u32, Vec<u8>) = decode(&query(
            &ALICE,
            &caller,
            Msg::Call { callee: raw(&BOB), value: 0, gas_limit: 0, flags: 0, input: vec![] },
        ));
        assert_eq!(code, ReturnCode::NotAContract as u32);

        // Asking for more gas than is left traps the caller.
        let result = dry_call(
            &ALICE,
            &caller,
            Msg::Call { callee: raw(&callee), value: 0, gas_limit: GAS_LIMIT * 2, flags: 0, input: vec![] },
        );
        assert_eq!(result.result, Err(Error::<Test>::OutOfGas.into()));
    });
}

#[test]
fn reentrancy_is_denied_unless_allowed() {
    new_test_ext().execute_with(|| {
        let a = host_test();
        let b = deploy(&ALICE, "host-test", &[], b"b");
        // a -> b -> a
        let (code, data): (u32, Vec<u8>) =
            decode(&query(&ALICE, &a, Msg::CallChain { callees: vec![raw(&b), raw(&a)], flags: 0 }));
        assert_eq!(code, 0, "a -> b succeeds");
        let (inner_code, _): (u32, Vec<u8>) = decode(&data);
        assert_eq!(inner_code, ReturnCode::ReentranceDenied as u32, "b -> a is denied");

        let (code, data): (u32, Vec<u8>) = decode(&query(
            &ALICE,
            &a,
            Msg::CallChain { callees: vec![raw(&b), raw(&a)], flags: call_flags::ALLOW_REENTRY },
        ));
        assert_eq!(code, 0);
        let (inner_code, _): (u32, Vec<u8>) = decode(&data);
        assert_eq!(inner_code, 0, "allowed re-entry");
    });
}

#[test]
fn call_depth_is_bounded() {
    new_test_ext().execute_with(|| {
        // MaxCallDepth is 5: the outermost frame and four nested ones.
        let contracts: Vec<_> = (0..6u8).map(|i| deploy(&ALICE, "host-test", &[], &[i])).collect();
        let chain = |n: usize| Msg::CallChain { callees: contracts[1..n].iter().map(raw).collect(), flags: 0 };
        // Follow the chain's nested results down to the innermost code.
        let innermost = |output: Vec<u8>| -> u32 {
            let mut output = output;
            let mut last = 0;
            while !output.is_empty() {
                let (code, data): (u32, Vec<u8>) = decode(&output);
                last = code;
                output = data;
            }
            last
        };
        assert_eq!(innermost(query(&ALICE, &contracts[0], chain(5))), 0);
        assert_eq!(innermost(query(&ALICE, &contracts[0], chain(6))), ReturnCode::CallDepthExceeded as u32);
    });
}

#[test]
fn instantiate_from_a_contract() {
    new_test_ext().execute_with(|| {
        let contract = host_test();
        let hash = code_hash("host-test");
        let msg = |salt: &[u8]| Msg::Instantiate {
            code_hash: hash,
            value: 50,
            gas_limit: 0,
            input: vec![],
            salt: salt.to_vec(),
        };
        let (code, address, _): (u32, [u8; 32], Vec<u8>) = decode(&query_and_commit(&contract, msg(b"child")));
        assert_eq!(code, 0);
        let expected = crate::Pallet::<Test>::contract_address(&contract, &H256(hash), b"child");
        assert_eq!(address, raw(&expected));
        assert!(ContractInfoOf::<Test>::contains_key(&expected));
        assert_eq!(Balances::balance(&expected), EXISTENTIAL_DEPOSIT + 50);

        let (code, _, _): (u32, [u8; 32], Vec<u8>) = decode(&query(&ALICE, &contract, msg(b"child")));
        assert_eq!(code, ReturnCode::DuplicateContract as u32);
        // A deploy that reverts: its output is the return data, and no address.
        let (code, address, data): (u32, [u8; 32], Vec<u8>) = decode(&query(
            &ALICE,
            &contract,
            Msg::Instantiate {
                code_hash: hash,
                value: 0,
                gas_limit: 0,
                input: codec::Encode::encode(&Msg::Revert(b"nope".to_vec())),
                salt: b"reverting".to_vec(),
            },
        ));
        assert_eq!((code, address, data), (ReturnCode::CalleeReverted as u32, [0; 32], b"nope".to_vec()));
        let (code, _, _): (u32, [u8; 32], Vec<u8>) = decode(&query(
            &ALICE,
            &contract,
            Msg::Instantiate { code_hash: [9; 32], value: 0, gas_limit: 0, input: vec![], salt: vec![] },
        ));
        assert_eq!(code, ReturnCode::CodeNotFound as u32);
    });
}

#[test]
fn terminate() {
    new_test_ext().execute_with(|| {
        let contract = host_test();
        let hash = H256(code_hash("host-test"));
        query_and_commit(&contract, Msg::SetStorage { key: b"k".to_vec(), value: b"v".to_vec() });
        let refcount = crate::CodeInfoOf::<Test>::get(hash).unwrap().refcount;
        let contract_total = total_balance(&contract);
        let dave_before = total_balance(&DAVE);
        assert_ok!(call(&ALICE, &contract, Msg::Terminate(raw(&DAVE))));
        assert!(!ContractInfoOf::<Test>::contains_key(&contract));
        assert_eq!(total_balance(&contract), 0);
        assert_eq!(
            total_balance(&DAVE),
            dave_before + contract_total,
            "the beneficiary gets everything, deposits included"
        );
        assert_eq!(crate::CodeInfoOf::<Test>::get(hash).unwrap().refcount, refcount - 1);
        assert!(contract_events().contains(&Event::Terminated { contract: contract.clone(), beneficiary: DAVE }));
        assert_eq!(crate::Pallet::<Test>::get_storage(&contract, b"k"), None);
    });
}

#[test]
fn terminate_while_reentrant_is_refused() {
    new_test_ext().execute_with(|| {
        use codec::Encode;
        let a = host_test();
        let b = deploy(&ALICE, "host-test", &[], b"b");
        // a -> b -> a (allowed) -> terminate: refused, so b sees a trapped callee.
        let inner = Msg::Call {
            callee: raw(&a),
            value: 0,
            gas_limit: 0,
            flags: call_flags::ALLOW_REENTRY,
            input: Msg::Terminate(raw(&DAVE)).encode(),
        };
        let (code, data): (u32, Vec<u8>) = decode(&query(
            &ALICE,
            &a,
            Msg::Call { callee: raw(&b), value: 0, gas_limit: 0, flags: 0, input: inner.encode() },
        ));
        assert_eq!(code, 0);
        let (inner_code, _): (u32, Vec<u8>) = decode(&data);
        assert_eq!(inner_code, ReturnCode::CalleeTrapped as u32);
    });
}

#[test]
fn debug_messages_in_dry_runs_only() {
    new_test_ext().execute_with(|| {
        let contract = host_test();
        let result = dry_call(&ALICE, &contract, Msg::Debug(b"hello from the contract".to_vec()));
        assert_eq!(decode::<u32>(&result.result.unwrap().data), 0);
        assert_eq!(result.debug_messages, vec![b"hello from the contract".to_vec()]);

        let on_chain: u32 = decode(&query_and_commit(&contract, Msg::Debug(b"dropped".to_vec())));
        assert_eq!(on_chain, ReturnCode::DebugMessagesDisabled as u32);
    });
}

#[test]
fn heap_is_bounded() {
    new_test_ext().execute_with(|| {
        let contract = host_test();
        let grown: u32 = decode(&query(&ALICE, &contract, Msg::Alloc(100_000)));
        assert!(grown >= 100_000, "{grown}");
        let result = dry_call(&ALICE, &contract, Msg::Alloc(1_000_000));
        assert_eq!(result.result, Err(Error::<Test>::ContractTrapped.into()));
        // The dry run says why in words: the limit, not only the trap.
        let failure = String::from_utf8(result.failure.expect("a failure is explained")).unwrap();
        let limit = <<Test as crate::Config>::MaxHeapSize as frame_support::traits::Get<u32>>::get();
        assert!(failure.contains(&format!("the heap limit of {limit} bytes was reached")), "{failure}");
        // A contract that stays within the limit does not mention it.
        let failure = dry_call(&ALICE, &contract, Msg::Trap).failure.expect("a failure is explained");
        assert!(!String::from_utf8(failure).unwrap().contains("heap limit"));

        // Heap pages are paid for: 100 KB more heap costs at least 24 pages more.
        let small = dry_call(&ALICE, &contract, Msg::Alloc(10)).gas_consumed;
        let large = dry_call(&ALICE, &contract, Msg::Alloc(100_000)).gas_consumed;
        let heap_page = <Test as crate::Config>::Schedule::get().heap_page;
        assert!(large - small >= 24 * heap_page, "{small} vs {large}");
    });
}
