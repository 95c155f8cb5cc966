//! The genesis config presets: `development` and `local_testnet`.
//!
//! A preset is a JSON patch over the default `RuntimeGenesisConfig`. The field names are
//! the standard ones (`balances.balances`, `aura.authorities`, `grandpa.authorities`,
//! `sudo.key`), which tools such as zombienet rewrite.

use alloc::{vec, vec::Vec};

use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

use crate::{AccountId, Balance};

/// What every endowed account starts with.
pub const ENDOWMENT: Balance = 1 << 60;

/// The genesis config patch for the given authorities, endowed accounts and sudo key.
fn testnet_genesis(authorities: Vec<(AuraId, GrandpaId)>, endowed_accounts: Vec<AccountId>, root: AccountId) -> Value {
    let balances: Vec<(AccountId, Balance)> =
        endowed_accounts.into_iter().map(|account| (account, ENDOWMENT)).collect();
    let aura: Vec<AuraId> = authorities.iter().map(|(aura, _)| aura.clone()).collect();
    // Each GRANDPA authority votes with weight 1.
    let grandpa: Vec<(GrandpaId, u64)> = authorities.into_iter().map(|(_, grandpa)| (grandpa, 1)).collect();
    serde_json::json!({
        "balances": { "balances": balances },
        "aura": { "authorities": aura },
        "grandpa": { "authorities": grandpa },
        "sudo": { "key": Some(root) },
    })
}

/// The Aura and GRANDPA keys of a well-known development account.
fn authority_keys(sr25519: Sr25519Keyring, ed25519: Ed25519Keyring) -> (AuraId, GrandpaId) {
    (sr25519.public().into(), ed25519.public().into())
}

/// Alice, Bob, Charlie, Dave, Eve, Ferdie and their `//stash` accounts.
fn endowed_accounts() -> Vec<AccountId> {
    Sr25519Keyring::well_known().map(|keyring| keyring.to_account_id()).collect()
}

/// `development`: Alice is the only authority and the sudo key.
pub fn development_config_genesis() -> Value {
    testnet_genesis(
        vec![authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
        endowed_accounts(),
        Sr25519Keyring::Alice.to_account_id(),
    )
}

/// `local_testnet`: Alice and Bob are the authorities; Alice is the sudo key.
pub fn local_config_genesis() -> Value {
    testnet_genesis(
        vec![
            authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
            authority_keys(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
        ],
        endowed_accounts(),
        Sr25519Keyring::Alice.to_account_id(),
    )
}

/// The JSON patch of the preset `id`, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
    let patch = match id.as_ref() {
        DEV_RUNTIME_PRESET => development_config_genesis(),
        LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
        _ => return None,
    };
    Some(serde_json::to_string(&patch).expect("a JSON value serializes; qed").into_bytes())
}

/// The names of the presets.
pub fn preset_names() -> Vec<PresetId> {
    vec![PresetId::from(DEV_RUNTIME_PRESET), PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET)]
}
