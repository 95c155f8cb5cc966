//! Contracts that attack the chain they run on: a gas bomb, a storage bomb, recursion to
//! the call depth limit, event spam, maximal input and return data, heap exhaustion and
//! re-entrancy, in blocks built as a node builds them, each with an ordinary transfer
//! after the attacks. The chain must go on: every transfer is included and succeeds,
//! every block stays within its weight, the pallet's invariants hold after every block,
//! total issuance moves only by the fees, and each failure says in words which limit
//! it hit.

use codec::Encode;
use frame_support::traits::fungible::Inspect;
use pallet_pvm_contracts::runtime_api::runtime_decl_for_contracts_api::ContractsApiV1;
use pvm_chain_runtime::{
    AccountId, Balance, Balances, BalancesCall, Block, ContractsCall, EventRecord, Runtime, RuntimeBlockWeights,
    RuntimeCall, RuntimeEvent, System, DEPOSIT_PER_ITEM, UNIT,
};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{ApplyExtrinsicResult, DispatchError};

// Not every test file uses every helper.
#[allow(dead_code)]
mod common;
use common::{alice, Chain};

use common::attacks::{attacks, Attack, GAS_LIMIT};

/// The storage deposit an attack may use.
const DEPOSIT_LIMIT: Balance = UNIT;

fn contract_call(contract: &AccountId, attack: &Attack) -> RuntimeCall {
    RuntimeCall::Contracts(ContractsCall::call {
        dest: contract.clone(),
        value: 0,
        gas_limit: GAS_LIMIT,
        storage_deposit_limit: attack.deposit_limit,
        data: attack.msg.encode(),
    })
}

/// Dry-runs an attack as its transaction would run; returns the failure in words, if any.
fn dry_run_failure(contract: &AccountId, attack: &Attack) -> Option<String> {
    let result = <Runtime as ContractsApiV1<Block, Balance, EventRecord>>::call(
        alice(),
        contract.clone(),
        0,
        Some(GAS_LIMIT),
        Some(attack.deposit_limit),
        attack.msg.encode(),
    );
    result.failure.map(|failure| String::from_utf8(failure).expect("failures are text"))
}

/// The fees paid in the last block.
fn fees_paid() -> Balance {
    System::events()
        .into_iter()
        .filter_map(|record| match record.event {
            RuntimeEvent::TransactionPayment(pallet_transaction_payment::Event::TransactionFeePaid {
                actual_fee,
                ..
            }) => Some(actual_fee),
            _ => None,
        })
        .sum()
}

#[test]
fn hostile_contracts_do_not_stop_the_chain() {
    let mut chain = Chain::development();
    let charlie = Sr25519Keyring::Charlie.to_account_id();
    let deploy = RuntimeCall::Contracts(ContractsCall::instantiate_with_code {
        value: 0,
        gas_limit: GAS_LIMIT,
        storage_deposit_limit: DEPOSIT_LIMIT,
        code: guest_programs::our_blob("host-test").expect("the host-test contract is built").to_vec(),
        data: Vec::new(),
        salt: Vec::new(),
    });
    let results = chain.produce_block(vec![chain.sign(deploy, Sr25519Keyring::Alice, 0)]);
    assert_eq!(results, vec![Ok(Ok(()))]);
    let contract = chain.execute_with(|| {
        System::events()
            .into_iter()
            .find_map(|record| match record.event {
                RuntimeEvent::Contracts(pallet_pvm_contracts::Event::Instantiated { contract, .. }) => Some(contract),
                _ => None,
            })
            .expect("the contract is instantiated")
    });
    let own: [u8; 32] = contract.clone().into();

    let attacks = attacks(own, DEPOSIT_LIMIT, DEPOSIT_PER_ITEM);

    // Each failure is explained in words by a dry run, as a user would see it first.
    chain.execute_with(|| {
        for attack in &attacks {
            let failure = dry_run_failure(&contract, attack);
            if let Some(words) = attack.explained {
                let failure = failure.unwrap_or_else(|| panic!("{}: the dry run does not explain", attack.name));
                assert!(failure.contains(words), "{}: {failure}", attack.name);
            }
        }
    });

    // Then every attack in blocks, two at a time, each block with a transfer after them.
    let max_block = RuntimeBlockWeights::get().max_block;
    let mut alice_nonce = 1;
    for (round, pair) in attacks.chunks(2).enumerate() {
        let mut extrinsics = Vec::new();
        for attack in pair {
            extrinsics.push(chain.sign(contract_call(&contract, attack), Sr25519Keyring::Alice, alice_nonce));
            alice_nonce += 1;
        }
        let transfer =
            RuntimeCall::Balances(BalancesCall::transfer_keep_alive { dest: charlie.clone().into(), value: UNIT });
        extrinsics.push(chain.sign(transfer, Sr25519Keyring::Bob, round as u32));
        let issuance_before = chain.execute_with(Balances::total_issuance);
        let charlie_before = chain.execute_with(|| Balances::total_balance(&charlie));

        let results = chain.produce_block(extrinsics);

        for (attack, result) in pair.iter().zip(&results) {
            assert_outcome(attack, result);
        }
        assert_eq!(results.last(), Some(&Ok(Ok(()))), "round {round}: the transfer is included and succeeds");
        chain.execute_with(|| {
            assert_eq!(Balances::total_balance(&charlie), charlie_before + UNIT, "round {round}");
            let weight = System::block_weight().total();
            assert!(weight.all_lte(max_block), "round {round}: block weight {weight:?} over {max_block:?}");
            pallet_pvm_contracts::invariants::check::<Runtime>()
                .unwrap_or_else(|problem| panic!("round {round}: an invariant is violated: {problem}"));
            // The runtime burns transaction fees; nothing else changes the issuance.
            assert_eq!(Balances::total_issuance(), issuance_before - fees_paid(), "round {round}");
        });
    }
}

fn assert_outcome(attack: &Attack, result: &ApplyExtrinsicResult) {
    let outcome = result.as_ref().unwrap_or_else(|invalid| panic!("{}: not included: {invalid:?}", attack.name));
    match (attack.error, outcome) {
        (None, Ok(())) => {}
        (Some(expected), Err(DispatchError::Module(error))) => {
            assert_eq!(error.message, Some(expected), "{}", attack.name);
        }
        (expected, outcome) => panic!("{}: expected {expected:?}, got {outcome:?}", attack.name),
    }
}
