//! The client-side type of the runtime's APIs: [`RuntimeApi`].
//!
//! A node calls the runtime only through its Wasm blob, so the client needs nothing from
//! the runtime's native API implementations but the `RuntimeApi` type that
//! `impl_runtime_apis!` generates, which implements `ConstructRuntimeApi` and, for each
//! API listed here, lets the client call it by name in the Wasm. The runtime crate keeps
//! its own `RuntimeApi` private (`mod apis`), so the node declares the same APIs here,
//! with bodies that never run, as `polkadot-omni-node` does (its `fake_runtime_api`).
//!
//! The signatures are those of the runtime's `apis.rs`. An API the runtime has but that
//! is not listed here can still be called by the RPC `state_call` (the contracts dry-run
//! API is called that way by the client); only the node's own code needs it listed.

// The bodies are never executed: the generated `RuntimeApiImpl` calls into the Wasm.
#![allow(dead_code, clippy::unimplemented)]

use runtime::{opaque::Block, AccountId, Balance, Nonce};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
    traits::{Block as BlockT, NumberFor},
    transaction_validity::{TransactionSource, TransactionValidity},
    ApplyExtrinsicResult, ExtrinsicInclusionMode, Weight,
};
use sp_session::OpaqueGeneratedSessionKeys;
use sp_version::RuntimeVersion;

/// Stands in for the runtime in `impl_runtime_apis!`.
struct Runtime;

sp_api::impl_runtime_apis! {
    impl sp_api::Core<Block> for Runtime {
        fn version() -> RuntimeVersion {
            unimplemented!()
        }

        fn execute_block(_: <Block as BlockT>::LazyBlock) {
            unimplemented!()
        }

        fn initialize_block(_: &<Block as BlockT>::Header) -> ExtrinsicInclusionMode {
            unimplemented!()
        }
    }

    impl sp_api::Metadata<Block> for Runtime {
        fn metadata() -> OpaqueMetadata {
            unimplemented!()
        }

        fn metadata_at_version(_: u32) -> Option<OpaqueMetadata> {
            unimplemented!()
        }

        fn metadata_versions() -> Vec<u32> {
            unimplemented!()
        }
    }

    impl sp_block_builder::BlockBuilder<Block> for Runtime {
        fn apply_extrinsic(_: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
            unimplemented!()
        }

        fn finalize_block() -> <Block as BlockT>::Header {
            unimplemented!()
        }

        fn inherent_extrinsics(_: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
            unimplemented!()
        }

        fn check_inherents(
            _: <Block as BlockT>::LazyBlock,
            _: sp_inherents::InherentData,
        ) -> sp_inherents::CheckInherentsResult {
            unimplemented!()
        }
    }

    impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
        fn validate_transaction(
            _: TransactionSource,
            _: <Block as BlockT>::Extrinsic,
            _: <Block as BlockT>::Hash,
        ) -> TransactionValidity {
            unimplemented!()
        }
    }

    impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
        fn offchain_worker(_: &<Block as BlockT>::Header) {
            unimplemented!()
        }
    }

    impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
        fn slot_duration() -> sp_consensus_aura::SlotDuration {
            unimplemented!()
        }

        fn authorities() -> Vec<AuraId> {
            unimplemented!()
        }
    }

    impl sp_session::SessionKeys<Block> for Runtime {
        fn generate_session_keys(_: Vec<u8>, _: Option<Vec<u8>>) -> OpaqueGeneratedSessionKeys {
            unimplemented!()
        }

        fn decode_session_keys(_: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
            unimplemented!()
        }
    }

    impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
        fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList {
            unimplemented!()
        }

        fn current_set_id() -> sp_consensus_grandpa::SetId {
            unimplemented!()
        }

        fn submit_report_equivocation_unsigned_extrinsic(
            _: sp_consensus_grandpa::EquivocationProof<<Block as BlockT>::Hash, NumberFor<Block>>,
            _: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
        ) -> Option<()> {
            unimplemented!()
        }

        fn generate_key_ownership_proof(
            _: sp_consensus_grandpa::SetId,
            _: sp_consensus_grandpa::AuthorityId,
        ) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
            unimplemented!()
        }
    }

    impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
        fn account_nonce(_: AccountId) -> Nonce {
            unimplemented!()
        }
    }

    impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance> for Runtime {
        fn query_info(
            _: <Block as BlockT>::Extrinsic,
            _: u32,
        ) -> pallet_transaction_payment_rpc_runtime_api::RuntimeDispatchInfo<Balance> {
            unimplemented!()
        }

        fn query_fee_details(_: <Block as BlockT>::Extrinsic, _: u32) -> pallet_transaction_payment::FeeDetails<Balance> {
            unimplemented!()
        }

        fn query_weight_to_fee(_: Weight) -> Balance {
            unimplemented!()
        }

        fn query_length_to_fee(_: u32) -> Balance {
            unimplemented!()
        }
    }

    impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
        fn build_state(_: Vec<u8>) -> sp_genesis_builder::Result {
            unimplemented!()
        }

        fn get_preset(_: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
            unimplemented!()
        }

        fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
            unimplemented!()
        }
    }
}
