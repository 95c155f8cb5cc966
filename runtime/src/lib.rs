//! # The `pvm-chain` runtime
//!
//! A FRAME runtime for a solo chain: Aura block production and GRANDPA finality,
//! balances with transaction fees, sudo, and the PolkaVM contracts pallet
//! (`pallet-pvm-contracts`), with its dry-run runtime API
//! ([`pallet_pvm_contracts::runtime_api::ContractsApi`]).
//!
//! Transactions carry subxt's default set of transaction extensions ([`TxExtension`]),
//! so a stock subxt client can sign for this chain.
//!
//! With the `std` feature the crate also exposes [`native`]: helpers to build the
//! genesis storage and to sign extrinsics, for running the runtime in-process; and the
//! Wasm build of itself, [`WASM_BINARY`]: with the `wasm-binary` feature (a node's),
//! `None` without it or when built with `SKIP_WASM_BUILD=1`.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime`/`impl_runtime_apis` expand to large recursive types.
#![recursion_limit = "256"]

#[cfg(feature = "wasm-binary")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));
/// The runtime's Wasm build: not built without the `wasm-binary` feature.
#[cfg(all(feature = "std", not(feature = "wasm-binary")))]
pub const WASM_BINARY: Option<&[u8]> = None;

extern crate alloc;

// The pallets whose benchmarks the runtime's `Benchmark` API runs (for
// frame-benchmarking's runner; see `scripts/weights.sh`). Defined before `apis`, which
// uses the macros this generates.
#[cfg(feature = "runtime-benchmarks")]
frame_benchmarking::define_benchmarks!([pallet_pvm_contracts, Contracts]);

pub mod apis;
mod configs;
pub mod genesis_config_presets;
#[cfg(feature = "std")]
pub mod native;

// The macros below expand to code that names `Vec` (not in the no_std prelude).
use alloc::vec::Vec;
use sp_runtime::{
    generic, impl_opaque_keys,
    traits::{BlakeTwo256, IdentifyAccount, Verify},
    MultiAddress, MultiSignature,
};
use sp_version::{runtime_version, RuntimeVersion};

use crate::apis::RUNTIME_API_VERSIONS;

pub use configs::{RuntimeBlockLength, RuntimeBlockWeights, WeightPerGas, DEPOSIT_PER_BYTE, DEPOSIT_PER_ITEM};
pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_pvm_contracts::Call as ContractsCall;
pub use pallet_timestamp::Call as TimestampCall;

/// A block number.
pub type BlockNumber = u32;

/// A transaction signature: sr25519, ed25519 or ecdsa.
pub type Signature = MultiSignature;

/// An account id: the public key of the transaction signing scheme (`AccountId32`).
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// An account's balance.
pub type Balance = u128;

/// How many transactions an account has sent.
pub type Nonce = u32;

/// A block or state hash.
pub type Hash = sp_core::H256;

/// The address format of transactions (no account indices).
pub type Address = MultiAddress<AccountId, ()>;

/// One token: 12 decimals.
pub const UNIT: Balance = 1_000_000_000_000;
/// A thousandth of a [`UNIT`].
pub const MILLI_UNIT: Balance = 1_000_000_000;
/// A millionth of a [`UNIT`].
pub const MICRO_UNIT: Balance = 1_000_000;

/// The smallest balance an account may hold.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// The target block time; Aura's slot duration is the same.
pub const MILLI_SECS_PER_BLOCK: u64 = 6000;

/// Aura's slot duration (milliseconds). It cannot change once the chain runs.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

/// Blocks per minute.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks per hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks per day.
pub const DAYS: BlockNumber = HOURS * 24;

/// Types a node needs without knowing this runtime's call and extrinsic types.
pub mod opaque {
    use super::*;

    pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

    /// The block header.
    pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
    /// A block with opaque extrinsics.
    pub type Block = generic::Block<Header, UncheckedExtrinsic>;
    /// A block id.
    pub type BlockId = generic::BlockId<Block>;
}

impl_opaque_keys! {
    /// The session keys of an authority: Aura for block production, GRANDPA for finality.
    pub struct SessionKeys {
        /// The Aura (sr25519) key.
        pub aura: Aura,
        /// The GRANDPA (ed25519) key.
        pub grandpa: Grandpa,
    }
}

/// The runtime's version.
#[runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
    spec_name: alloc::borrow::Cow::Borrowed("pvm-chain"),
    impl_name: alloc::borrow::Cow::Borrowed("pvm-chain"),
    authoring_version: 1,
    // Bump on every change of the runtime's logic; nodes and clients compare it.
    spec_version: 100,
    impl_version: 1,
    apis: RUNTIME_API_VERSIONS,
    // Bump when the encoding of calls or transaction extensions changes.
    transaction_version: 1,
    system_version: 1,
};

/// The version of the runtime compiled natively: [`VERSION`]. (`sp_version::NativeVersion`
/// is gone since nodes stopped executing runtimes natively; an embedded chain compares
/// this with the version of a Wasm blob.)
#[cfg(feature = "std")]
pub fn native_version() -> RuntimeVersion {
    VERSION
}

/// The transaction extensions, in order: exactly subxt's default set, so a subxt
/// client can build and sign transactions for this chain.
pub type TxExtension = (
    frame_system::CheckNonZeroSender<Runtime>,
    frame_system::CheckSpecVersion<Runtime>,
    frame_system::CheckTxVersion<Runtime>,
    frame_system::CheckGenesis<Runtime>,
    frame_system::CheckEra<Runtime>,
    frame_system::CheckNonce<Runtime>,
    frame_system::CheckWeight<Runtime>,
    pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
);

/// The block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// A block.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// An extrinsic as it is submitted and stored in blocks.
pub type UncheckedExtrinsic = generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// What a transaction's signer signs.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;
/// An event with its phase and topics, as the contracts API returns them.
pub type EventRecord = frame_system::EventRecord<RuntimeEvent, Hash>;

/// Migrations of the runtime beyond those of the pallets.
type Migrations = ();

/// Dispatches extrinsics to the pallets and runs the block hooks.
pub type Executive = frame_executive::Executive<
    Runtime,
    Block,
    frame_system::ChainContext<Runtime>,
    Runtime,
    AllPalletsWithSystem,
    Migrations,
>;

/// The runtime: its pallets, in order of their (stable) indices.
#[frame_support::runtime]
mod runtime {
    #[runtime::runtime]
    #[runtime::derive(
        RuntimeCall,
        RuntimeEvent,
        RuntimeError,
        RuntimeOrigin,
        RuntimeFreezeReason,
        RuntimeHoldReason,
        RuntimeSlashReason,
        RuntimeLockId,
        RuntimeTask,
        RuntimeViewFunction
    )]
    pub struct Runtime;

    /// Accounts, blocks, events.
    #[runtime::pallet_index(0)]
    pub type System = frame_system;

    /// The block timestamp (an inherent).
    #[runtime::pallet_index(1)]
    pub type Timestamp = pallet_timestamp;

    /// Block production.
    #[runtime::pallet_index(2)]
    pub type Aura = pallet_aura;

    /// Finality.
    #[runtime::pallet_index(3)]
    pub type Grandpa = pallet_grandpa;

    /// The native token.
    #[runtime::pallet_index(4)]
    pub type Balances = pallet_balances;

    /// Transaction fees.
    #[runtime::pallet_index(5)]
    pub type TransactionPayment = pallet_transaction_payment;

    /// A superuser key.
    #[runtime::pallet_index(6)]
    pub type Sudo = pallet_sudo;

    /// PolkaVM contracts.
    #[runtime::pallet_index(7)]
    pub type Contracts = pallet_pvm_contracts;
}
