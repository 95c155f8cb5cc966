//! The runtime run natively, the way a node's block builder runs it: genesis storage
//! from the `development` preset, then blocks of the timestamp inherent and real
//! sr25519-signed extrinsics through `Executive`.

use codec::Encode;
use frame_support::{
    dispatch::DispatchClass,
    traits::{fungible::Inspect, Get},
};
use pallet_pvm_contracts::{runtime_api::runtime_decl_for_contracts_api::ContractsApiV1, Code};
use pvm_chain_runtime::{
    genesis_config_presets::{self, ENDOWMENT},
    native, AccountId, Balance, Balances, Block, Contracts, ContractsCall, EventRecord, Runtime, RuntimeBlockWeights,
    RuntimeCall, RuntimeEvent, System, TransactionPayment, WeightPerGas, UNIT,
};
use sp_core::{ed25519, sr25519, H256};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};
use sp_runtime::transaction_validity::{InvalidTransaction, TransactionValidityError};

mod common;
use common::{alice, bob, Chain};

/// Gas for each contract transaction: 150 times what a token deploy needs, and well
/// within a normal extrinsic's weight.
const GAS_LIMIT: u64 = 10_000_000;
/// A storage deposit limit that never binds.
const DEPOSIT_LIMIT: Balance = 100 * UNIT;
/// The token's supply, minted to the deployer.
const SUPPLY: u128 = 1_000_000;

use token::{Event as TokenEvent, Msg as TokenMsg};

fn token_blob() -> Vec<u8> {
    guest_programs::our_blob("token").expect("the token contract is built").to_vec()
}

fn instantiate_token() -> RuntimeCall {
    RuntimeCall::Contracts(ContractsCall::instantiate_with_code {
        value: 0,
        gas_limit: GAS_LIMIT,
        storage_deposit_limit: DEPOSIT_LIMIT,
        code: token_blob(),
        data: SUPPLY.encode(),
        salt: vec![],
    })
}

fn token_call(contract: &AccountId, msg: TokenMsg) -> RuntimeCall {
    RuntimeCall::Contracts(ContractsCall::call {
        dest: contract.clone(),
        value: 0,
        gas_limit: GAS_LIMIT,
        storage_deposit_limit: DEPOSIT_LIMIT,
        data: msg.encode(),
    })
}

/// The events of the contracts pallet in the last block.
fn contract_events() -> Vec<pallet_pvm_contracts::Event<Runtime>> {
    System::events()
        .into_iter()
        .filter_map(|record| match record.event {
            RuntimeEvent::Contracts(event) => Some(event),
            _ => None,
        })
        .collect()
}

/// The transaction fees `who` paid in the last block.
fn fees_paid(who: &AccountId) -> Balance {
    System::events()
        .into_iter()
        .filter_map(|record| match record.event {
            RuntimeEvent::TransactionPayment(pallet_transaction_payment::Event::TransactionFeePaid {
                who: payer,
                actual_fee,
                ..
            }) if &payer == who => Some(actual_fee),
            _ => None,
        })
        .sum()
}

/// Dry-runs the token's `BalanceOf(account)` through the runtime API, as `origin`.
fn token_balance(contract: &AccountId, origin: &AccountId, account: &AccountId) -> u128 {
    let result = <Runtime as ContractsApiV1<Block, Balance, EventRecord>>::call(
        origin.clone(),
        contract.clone(),
        0,
        None,
        None,
        TokenMsg::BalanceOf(account.clone().into()).encode(),
    );
    let output = result.result.expect("BalanceOf succeeds");
    assert!(!output.did_revert(), "BalanceOf reverted");
    codec::Decode::decode(&mut &output.data[..]).expect("BalanceOf returns a u128")
}

/// The pallet's event for the token's `Transfer` event, as the token emits it.
fn transfer_event(
    contract: &AccountId,
    from: [u8; 32],
    to: &AccountId,
    value: u128,
) -> pallet_pvm_contracts::Event<Runtime> {
    use pvm_contract::interface::Event as _;
    let event = TokenEvent::Transfer { from, to: to.clone().into(), value };
    let topics = event.topics().into_iter().map(H256).collect();
    pallet_pvm_contracts::Event::ContractEmitted { contract: contract.clone(), topics, data: event.encode() }
}

#[test]
fn presets_configure_authorities_sudo_and_endowments() {
    let names = genesis_config_presets::preset_names();
    assert_eq!(names, vec!["development".to_string(), "local_testnet".to_string()]);

    let well_known: Vec<AccountId> = Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect();
    assert_eq!(well_known.len(), 12, "six accounts and their stashes");
    for (preset, authorities) in [
        ("development", vec![(Sr25519Keyring::Alice, Ed25519Keyring::Alice)]),
        (
            "local_testnet",
            vec![(Sr25519Keyring::Alice, Ed25519Keyring::Alice), (Sr25519Keyring::Bob, Ed25519Keyring::Bob)],
        ),
    ] {
        let mut ext = sp_io::TestExternalities::new(native::genesis_storage(preset).unwrap());
        ext.execute_with(|| {
            let aura: Vec<sr25519::Public> =
                pallet_aura::Authorities::<Runtime>::get().into_iter().map(Into::into).collect();
            assert_eq!(aura, authorities.iter().map(|(aura, _)| aura.public()).collect::<Vec<_>>(), "{preset}");
            let grandpa: Vec<(ed25519::Public, u64)> = pallet_grandpa::Pallet::<Runtime>::grandpa_authorities()
                .into_iter()
                .map(|(id, weight)| (id.into(), weight))
                .collect();
            let expected: Vec<_> = authorities.iter().map(|(_, grandpa)| (grandpa.public(), 1)).collect();
            assert_eq!(grandpa, expected, "{preset}");
            assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(alice()), "{preset}");
            for account in &well_known {
                assert_eq!(System::account(account).data.free, ENDOWMENT, "{preset}");
            }
            assert_eq!(Balances::total_issuance(), ENDOWMENT * 12, "{preset}");
        });
    }
    assert!(native::genesis_storage("no-such-preset").is_err());
}

#[test]
fn block_weights_leave_room_for_contracts() {
    let weights = RuntimeBlockWeights::get();
    assert_eq!(weights.max_block.ref_time(), 2 * frame_support::weights::constants::WEIGHT_REF_TIME_PER_SECOND);
    // `max_gas` is what dry runs get by default: a block's worth of gas at the measured
    // `WeightPerGas`, far more than a token deploy needs.
    assert_eq!(Contracts::max_gas(), weights.max_block.ref_time() / <WeightPerGas as Get<u64>>::get());
    let max_extrinsic = weights.get(DispatchClass::Normal).max_extrinsic.expect("normal extrinsics are limited");
    assert!(Contracts::gas_to_weight(GAS_LIMIT).all_lt(max_extrinsic));
}

#[test]
fn token_deploy_and_transfer_in_signed_extrinsics() {
    let mut chain = Chain::development();
    let (alice, bob) = (alice(), bob());
    let code_hash = H256(sp_io::hashing::blake2_256(&token_blob()));
    let contract = Contracts::contract_address(&alice, &code_hash, &[]);
    let issuance_at_genesis = chain.execute_with(Balances::total_issuance);

    // What the deploy will need, from a dry run in the genesis state.
    let dry = chain.execute_with(|| {
        <Runtime as ContractsApiV1<Block, Balance, EventRecord>>::instantiate(
            alice.clone(),
            0,
            None,
            None,
            Code::Upload(token_blob()),
            SUPPLY.encode(),
            vec![],
        )
    });
    let deployed = dry.result.expect("the deploy dry run succeeds");
    assert_eq!(deployed.account_id, contract);
    assert!(dry.gas_required > 0 && dry.gas_required < GAS_LIMIT, "a token deploy needs {} gas", dry.gas_required);

    // Block 1: Alice deploys the token with the whole supply.
    let results = chain.produce_block(vec![chain.sign(instantiate_token(), Sr25519Keyring::Alice, 0)]);
    assert_eq!(results, vec![Ok(Ok(()))]);
    let deploy_fee = chain.execute_with(|| {
        let events = contract_events();
        let code_deposit = events
            .iter()
            .find_map(|event| match event {
                pallet_pvm_contracts::Event::CodeStored { code_hash: hash, deposit, uploader } => {
                    assert_eq!((hash, uploader), (&code_hash, &alice));
                    Some(*deposit)
                }
                _ => None,
            })
            .expect("the code was stored");
        assert!(code_deposit > 0);
        assert!(events.contains(&transfer_event(&contract, [0; 32], &alice, SUPPLY)));
        assert!(events.contains(&pallet_pvm_contracts::Event::Instantiated {
            deployer: alice.clone(),
            contract: contract.clone(),
            code_hash,
        }));
        assert_eq!(System::account_nonce(&alice), 1);
        fees_paid(&alice)
    });

    // Block 2: Alice transfers tokens to Bob.
    let results = chain.produce_block(vec![chain.sign(
        token_call(&contract, TokenMsg::Transfer { to: bob.clone().into(), value: 250 }),
        Sr25519Keyring::Alice,
        1,
    )]);
    assert_eq!(results, vec![Ok(Ok(()))]);
    let transfer_fee = chain.execute_with(|| {
        let events = contract_events();
        assert_eq!(
            events,
            vec![
                transfer_event(&contract, alice.clone().into(), &bob, 250),
                pallet_pvm_contracts::Event::Called { caller: alice.clone(), contract: contract.clone() },
            ]
        );
        assert_eq!(System::account_nonce(&alice), 2);
        fees_paid(&alice)
    });

    chain.execute_with(|| {
        // Fees were paid, refunded down to the gas used, and burnt.
        let max_fee = TransactionPayment::weight_to_fee(Contracts::gas_to_weight(GAS_LIMIT));
        for fee in [deploy_fee, transfer_fee] {
            assert!(fee > 0 && fee < max_fee, "fee {fee}, upfront at most {max_fee}");
        }
        assert_eq!(Balances::total_issuance(), issuance_at_genesis - deploy_fee - transfer_fee);
        // Alice paid the fees and the deposits (and the contract's existential deposit).
        assert!(Balances::total_balance(&alice) < ENDOWMENT - deploy_fee - transfer_fee);
        assert_eq!(Balances::total_balance(&bob), ENDOWMENT);

        // The token balances, through the runtime API's dry run and its storage read.
        assert_eq!(token_balance(&contract, &bob, &bob), 250);
        assert_eq!(token_balance(&contract, &bob, &alice), SUPPLY - 250);
        let key = [&b"b"[..], bob.as_ref()].concat();
        assert_eq!(
            <Runtime as ContractsApiV1<Block, Balance, EventRecord>>::get_storage(contract.clone(), key),
            Some(250u128.encode())
        );
        // A dry run changes nothing.
        assert_eq!(System::account_nonce(&bob), 0);
    });
}

#[test]
fn invalid_transactions_are_rejected() {
    let mut chain = Chain::development();
    let transfer =
        |value| RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive { dest: bob().into(), value });
    let invalid = |error| Err(TransactionValidityError::Invalid(error));

    // Signed by Alice but claiming to be from Bob.
    let mut forged = chain.sign(transfer(UNIT), Sr25519Keyring::Alice, 0);
    if let sp_runtime::generic::Preamble::Signed(address, _, _) = &mut forged.preamble {
        *address = bob().into();
    }
    // Signed for another chain.
    let other_chain = native::sign(transfer(UNIT), &Sr25519Keyring::Alice.pair(), 0, H256::repeat_byte(1));
    // Nonces from the future and the past.
    let future = chain.sign(transfer(UNIT), Sr25519Keyring::Alice, 5);
    // An account without funds cannot pay the fee.
    let penniless = chain.sign(transfer(UNIT), Sr25519Keyring::One, 0);

    let results = chain.produce_block(vec![
        forged,
        other_chain,
        future,
        penniless,
        chain.sign(transfer(UNIT), Sr25519Keyring::Alice, 0),
        chain.sign(transfer(UNIT), Sr25519Keyring::Alice, 0),
    ]);
    assert_eq!(
        results,
        vec![
            invalid(InvalidTransaction::BadProof),
            invalid(InvalidTransaction::BadProof),
            invalid(InvalidTransaction::Future),
            invalid(InvalidTransaction::Payment),
            Ok(Ok(())),
            invalid(InvalidTransaction::Stale),
        ]
    );
    chain.execute_with(|| {
        assert_eq!(System::account_nonce(alice()), 1);
        assert_eq!(Balances::total_balance(&bob()), ENDOWMENT + UNIT);
    });
}
