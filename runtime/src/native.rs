//! Helpers for running this runtime natively, in-process (an "embedded chain", tests):
//! the genesis storage and header of a preset, and signed extrinsics.
//!
//! A block is then produced like a node's block builder does, inside
//! `sp_io::TestExternalities` (or any externalities) over the genesis storage:
//! [`Executive::initialize_block`](crate::Executive) with a header whose parent is the
//! previous block (the [`genesis_header`] for block 1) and an Aura pre-runtime digest,
//! the timestamp inherent (`TimestampCall::set`, unsigned), the signed extrinsics from
//! [`sign`], then `Executive::finalize_block`.

use codec::Encode;
use sp_core::{sr25519, storage::Storage, Pair};
use sp_runtime::{
    generic::Era,
    traits::{BlakeTwo256, Hash as HashT, Header as HeaderT},
    BuildStorage, MultiAddress,
};

use crate::{
    genesis_config_presets, Hash, Header, Nonce, Runtime, RuntimeCall, RuntimeGenesisConfig, SignedPayload,
    TxExtension, UncheckedExtrinsic, VERSION,
};

/// The genesis config of the preset `preset` (`"development"`, `"local_testnet"`): the
/// default config with the preset's patch applied, as a node's chain spec does it.
pub fn genesis_config(preset: &str) -> Result<RuntimeGenesisConfig, String> {
    let patch = genesis_config_presets::get_preset(&preset.into()).ok_or_else(|| format!("no preset {preset:?}"))?;
    let patch: serde_json::Value =
        serde_json::from_slice(&patch).map_err(|error| format!("preset {preset:?}: {error}"))?;
    let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).map_err(|error| error.to_string())?;
    merge_json(&mut config, patch);
    serde_json::from_value(config).map_err(|error| format!("preset {preset:?}: {error}"))
}

/// The genesis storage of the preset `preset`.
pub fn genesis_storage(preset: &str) -> Result<Storage, String> {
    genesis_config(preset)?.build_storage()
}

/// The genesis block's header for `storage`: block 0 with the storage's state root
/// (child tries included), computed the way a node computes it. Its hash is the
/// chain's genesis hash, which transactions sign ([`sign`]).
pub fn genesis_header(storage: &Storage) -> Header {
    let state_version = VERSION.state_version();
    let child_roots = storage.children_default.values().map(|child| {
        let root = BlakeTwo256::trie_root(child.data.clone().into_iter().collect(), state_version);
        (child.child_info.prefixed_storage_key().into_inner(), root.encode())
    });
    let state_root =
        BlakeTwo256::trie_root(storage.top.clone().into_iter().chain(child_roots).collect(), state_version);
    let extrinsics_root = BlakeTwo256::trie_root(Vec::new(), VERSION.extrinsics_root_state_version());
    Header::new(0, extrinsics_root, state_root, Hash::zero(), Default::default())
}

/// The transaction extensions of an immortal transaction with nonce `nonce` and no tip.
pub fn tx_extension(nonce: Nonce) -> TxExtension {
    (
        frame_system::CheckNonZeroSender::new(),
        frame_system::CheckSpecVersion::new(),
        frame_system::CheckTxVersion::new(),
        frame_system::CheckGenesis::new(),
        frame_system::CheckEra::from(Era::Immortal),
        frame_system::CheckNonce::from(nonce),
        frame_system::CheckWeight::new(),
        pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
    )
}

/// `call` as an immortal transaction of `signer` with nonce `nonce` on the chain with
/// genesis hash `genesis_hash`, signed with sr25519 over what subxt signs: the call,
/// the extensions, and their implicit data (this runtime's spec and transaction
/// version, the genesis hash twice: for `CheckGenesis` and as `CheckEra`'s birth block).
///
/// Needs no externalities: everything the signature covers is given.
pub fn sign(call: RuntimeCall, signer: &sr25519::Pair, nonce: Nonce, genesis_hash: Hash) -> UncheckedExtrinsic {
    let extension = tx_extension(nonce);
    let implicit = ((), VERSION.spec_version, VERSION.transaction_version, genesis_hash, genesis_hash, (), (), ());
    let payload = SignedPayload::from_raw(call.clone(), extension.clone(), implicit);
    // Payloads longer than 256 bytes are signed by their blake2-256 hash.
    let signature = payload.using_encoded(|bytes| signer.sign(bytes));
    UncheckedExtrinsic::new_signed(
        call,
        MultiAddress::Id(signer.public().into()),
        sp_runtime::MultiSignature::Sr25519(signature),
        extension,
    )
}

/// Merges the JSON `patch` into `base`: objects key by key (recursively), anything else
/// replaced.
fn merge_json(base: &mut serde_json::Value, patch: serde_json::Value) {
    match (base, patch) {
        (serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
            for (key, value) in patch {
                merge_json(base.entry(key).or_insert(serde_json::Value::Null), value);
            }
        }
        (base, patch) => *base = patch,
    }
}
