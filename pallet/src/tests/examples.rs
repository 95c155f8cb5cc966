//! The example contracts, deployed and called through the dispatchables.

use codec::Encode;
use frame_support::{assert_ok, traits::fungible::Inspect};
use sp_core::H256;

use super::{decode, raw};
use crate::mock::*;
use crate::{Error, Event};

/// The pallet's event for a contract's `event`, as the contract emits it.
fn emitted<E: pvm_contract::interface::Event>(contract: &sp_runtime::AccountId32, event: E) -> Event<Test> {
    let topics = event.topics().into_iter().map(H256).collect();
    Event::ContractEmitted { contract: contract.clone(), topics, data: event.encode() }
}

#[test]
fn flipper() {
    use flipper::Msg;
    new_test_ext().execute_with(|| {
        let flipper = deploy(&ALICE, "flipper", &true.encode(), b"");
        assert!(decode::<bool>(&query(&ALICE, &flipper, Msg::Get)));
        assert_ok!(call(&BOB, &flipper, Msg::Flip));
        assert!(!decode::<bool>(&query(&ALICE, &flipper, Msg::Get)));
    });
}

#[test]
fn counter() {
    use counter::Msg;
    new_test_ext().execute_with(|| {
        let counter = deploy(&ALICE, "counter", &[], b"");
        assert_ok!(call(&ALICE, &counter, Msg::Increment(5)));
        assert_ok!(call(&BOB, &counter, Msg::Increment(7)));
        assert_eq!(decode::<u64>(&query(&ALICE, &counter, Msg::Get)), 12);
        assert!(contract_events().contains(&emitted(&counter, counter::Event::Incremented { count: 12 })));
        // The signature topic, as the metadata's clients compute it.
        let incremented = emitted(&counter, counter::Event::Incremented { count: 12 });
        assert!(matches!(incremented, Event::ContractEmitted { topics, .. }
            if topics == vec![H256(sp_io::hashing::blake2_256(b"Incremented"))]));
        let overflow = call(&ALICE, &counter, Msg::Increment(u64::MAX)).unwrap_err();
        assert_eq!(overflow.error, Error::<Test>::ContractReverted.into());
        assert_ok!(call(&ALICE, &counter, Msg::Reset));
        assert_eq!(decode::<u64>(&query(&ALICE, &counter, Msg::Get)), 0);
    });
}

use token::{Error as TokenError, Event as TokenEvent, Msg as TokenMsg};

#[test]
fn token() {
    new_test_ext().execute_with(|| {
        let token = deploy(&ALICE, "token", &1_000u128.encode(), b"");
        let balance_of =
            |who: &sp_runtime::AccountId32| -> u128 { decode(&query(&ALICE, &token, TokenMsg::BalanceOf(raw(who)))) };
        assert_eq!(decode::<u128>(&query(&ALICE, &token, TokenMsg::TotalSupply)), 1_000);
        assert_eq!(balance_of(&ALICE), 1_000);

        assert_ok!(call(&ALICE, &token, TokenMsg::Transfer { to: raw(&BOB), value: 300 }));
        assert_eq!((balance_of(&ALICE), balance_of(&BOB)), (700, 300));
        assert!(contract_events()
            .contains(&emitted(&token, TokenEvent::Transfer { from: raw(&ALICE), to: raw(&BOB), value: 300 })));

        // Too much: reverts with the error, and nothing moves.
        let result = dry_call(&BOB, &token, TokenMsg::Transfer { to: raw(&CHARLIE), value: 301 });
        let output = result.result.unwrap();
        assert!(output.did_revert());
        assert_eq!(decode::<TokenError>(&output.data), TokenError::InsufficientBalance);
        assert!(call(&BOB, &token, TokenMsg::Transfer { to: raw(&CHARLIE), value: 301 }).is_err());
        assert_eq!(balance_of(&BOB), 300);

        // Allowances.
        assert_ok!(call(&BOB, &token, TokenMsg::Approve { spender: raw(&CHARLIE), value: 100 }));
        assert_eq!(
            decode::<u128>(&query(&ALICE, &token, TokenMsg::Allowance { owner: raw(&BOB), spender: raw(&CHARLIE) })),
            100
        );
        let over = dry_call(&CHARLIE, &token, TokenMsg::TransferFrom { from: raw(&BOB), to: raw(&DAVE), value: 101 });
        assert_eq!(decode::<TokenError>(&over.result.unwrap().data), TokenError::InsufficientAllowance);
        assert_ok!(call(&CHARLIE, &token, TokenMsg::TransferFrom { from: raw(&BOB), to: raw(&DAVE), value: 60 }));
        assert_eq!((balance_of(&BOB), balance_of(&DAVE)), (240, 60));
        assert_eq!(
            decode::<u128>(&query(&ALICE, &token, TokenMsg::Allowance { owner: raw(&BOB), spender: raw(&CHARLIE) })),
            40
        );
        assert!(contract_events()
            .contains(&emitted(&token, TokenEvent::Approval { owner: raw(&BOB), spender: raw(&CHARLIE), value: 100 })));
    });
}

use wallet::Msg as WalletMsg;

#[test]
fn wallet_transfers_and_calls() {
    new_test_ext().execute_with(|| {
        let owners = vec![raw(&ALICE), raw(&BOB), raw(&CHARLIE)];
        let wallet = deploy_with_value(&ALICE, "wallet", &(owners.clone(), 2u32).encode(), b"", 10_000);
        assert_eq!(decode::<Vec<[u8; 32]>>(&query(&ALICE, &wallet, WalletMsg::Owners)), owners);

        // A plain transfer: submitted by Alice, executed on Bob's confirmation.
        let id: u32 =
            decode(&query(&ALICE, &wallet, WalletMsg::Submit { dest: raw(&DAVE), value: 1_000, input: vec![] }));
        assert_ok!(call(&ALICE, &wallet, WalletMsg::Submit { dest: raw(&DAVE), value: 1_000, input: vec![] }));
        assert_eq!(Balances::balance(&DAVE), 0);
        assert_ok!(call(&BOB, &wallet, WalletMsg::Confirm(id)));
        assert_eq!(Balances::balance(&DAVE), 1_000);
        let (_, _, confirmations, executed, ok): ([u8; 32], u128, u32, bool, bool) =
            decode(&query(&ALICE, &wallet, WalletMsg::Get(id)));
        assert_eq!((confirmations, executed, ok), (2, true, true));

        // A cross-contract call: the wallet moves tokens it owns.
        let token = deploy(&ALICE, "token", &500u128.encode(), b"");
        assert_ok!(call(&ALICE, &token, TokenMsg::Transfer { to: raw(&wallet), value: 200 }));
        let input = TokenMsg::Transfer { to: raw(&CHARLIE), value: 50 }.encode();
        assert_ok!(call(&BOB, &wallet, WalletMsg::Submit { dest: raw(&token), value: 0, input: input.clone() }));
        assert_ok!(call(&CHARLIE, &wallet, WalletMsg::Confirm(id + 1)));
        assert_eq!(decode::<u128>(&query(&ALICE, &token, TokenMsg::BalanceOf(raw(&CHARLIE)))), 50);
        assert_eq!(decode::<u128>(&query(&ALICE, &token, TokenMsg::BalanceOf(raw(&wallet)))), 150);

        // A call that fails (the wallet has only 150 tokens) marks the proposal failed.
        let input = TokenMsg::Transfer { to: raw(&CHARLIE), value: 1_000 }.encode();
        assert_ok!(call(&BOB, &wallet, WalletMsg::Submit { dest: raw(&token), value: 0, input }));
        assert_ok!(call(&ALICE, &wallet, WalletMsg::Confirm(id + 2)));
        let (_, _, _, executed, ok): ([u8; 32], u128, u32, bool, bool) =
            decode(&query(&ALICE, &wallet, WalletMsg::Get(id + 2)));
        assert_eq!((executed, ok), (true, false));

        // Strangers cannot submit.
        let stranger = call(&DAVE, &wallet, WalletMsg::Submit { dest: raw(&DAVE), value: 1, input: vec![] });
        assert!(stranger.is_err());
    });
}

#[test]
fn registry_uses_the_heap() {
    use registry::Msg;
    new_test_ext().execute_with(|| {
        let registry = deploy(&ALICE, "registry", &[], b"");
        for (who, name) in [(&ALICE, "zeta"), (&BOB, "alpha"), (&CHARLIE, "mid")] {
            assert_ok!(call(who, &registry, Msg::Register(name.as_bytes().to_vec())));
        }
        assert!(call(&BOB, &registry, Msg::Register(b"zeta".to_vec())).is_err(), "taken");
        assert_eq!(decode::<u32>(&query(&ALICE, &registry, Msg::Count)), 3);
        assert_eq!(
            decode::<Option<[u8; 32]>>(&query(&ALICE, &registry, Msg::Lookup(b"alpha".to_vec()))),
            Some(raw(&BOB))
        );
        assert_eq!(decode::<Option<[u8; 32]>>(&query(&ALICE, &registry, Msg::Lookup(b"nope".to_vec()))), None);
        assert_eq!(
            decode::<Vec<Vec<u8>>>(&query(&ALICE, &registry, Msg::Sorted)),
            vec![b"alpha".to_vec(), b"mid".to_vec(), b"zeta".to_vec()]
        );
    });
}

#[test]
fn compute_gives_the_native_results() {
    use compute::Msg;
    new_test_ext().execute_with(|| {
        let compute = deploy(&ALICE, "compute", b"", b"");
        for (limit, primes) in bench_kernels::prime_sieve::KNOWN {
            assert_eq!(decode::<u32>(&query(&ALICE, &compute, Msg::Sieve(limit))), primes, "primes up to {limit}");
        }
        // The largest limit its scratch space covers, and one more.
        let max = 8191 * 128;
        let mut bits = vec![0; bench_kernels::prime_sieve::WORDS];
        let expected = bench_kernels::prime_sieve::count_primes(max, &mut bits);
        assert_eq!(decode::<u32>(&query(&ALICE, &compute, Msg::Sieve(max))), expected);
        assert!(dry_call(&ALICE, &compute, Msg::Sieve(max + 1)).result.unwrap().did_revert());

        let mut nes = Box::new(bench_kernels::emulator::Nes::new());
        nes.load_cartridge();
        nes.power_on();
        nes.run_frame();
        nes.run_frame();
        assert_eq!(decode::<u32>(&query(&ALICE, &compute, Msg::Emulate(2))), nes.checksum());
    });
}

#[test]
fn execution_says_where_contracts_run() {
    new_test_ext().execute_with(|| {
        let execution = crate::Pallet::<Test>::execution();
        // The mock registers the node's extension exactly with `host-execution`, unless
        // told not to.
        assert_eq!(execution.on_node, node_runs_contracts());
        assert_eq!(execution.backend, pvm::Engine::default().backend().name().as_bytes());
    });
}
