//! # Contracts on PolkaVM
//!
//! A FRAME pallet that runs smart contracts compiled to PolkaVM program blobs:
//!
//! - [`Pallet::upload_code`] stores a blob once, keyed by its blake2-256 hash, after
//!   validating it (size, instruction set, imports, basic blocks, memory); each reason
//!   to reject a blob has its own error, and the measured value and its limit are
//!   logged and returned by dry runs ([`CodeRejection`]).
//! - [`Pallet::instantiate`] / [`Pallet::instantiate_with_code`] create a contract: an
//!   account derived from deployer, code hash and salt (no registration step), with
//!   its own child trie for storage, and run its `deploy` export.
//! - [`Pallet::call`] runs a contract's `call` export in a transaction.
//!
//! Contracts run in the `pvm` interpreter, metered by gas (one unit per instruction,
//! plus the [`Schedule`] costs of host functions); gas converts to weight by
//! [`Config::WeightPerGas`], and unused weight is refunded. Contracts reach the chain
//! only through host functions (see the `pvm-contracts-abi` crate for the ABI).
//! Every call frame is transactional: a trap, running out of gas or a revert rolls
//! back exactly that frame's changes.
//!
//! Storage deposits are moved from the transaction's origin to the contract's account
//! and held there (per byte and per item), refunded to whoever frees the storage, and
//! bounded by the extrinsic's `storage_deposit_limit`.
//!
//! [`Pallet::dry_run_call`], [`Pallet::dry_run_instantiate`] and
//! [`Pallet::dry_run_upload_code`] are the dry runs behind the [`runtime_api::ContractsApi`] runtime API: they return the result,
//! gas consumed and gas required, the storage deposit, the events and the debug
//! messages.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod code;
mod exec;
mod host;
pub mod invariants;
mod machine;
mod primitives;
mod schedule;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
#[cfg(any(test, feature = "mock-runtime"))]
pub mod mock;
#[cfg(test)]
mod tests;

use alloc::vec::Vec;

use frame_support::{
    dispatch::{DispatchErrorWithPostInfo, PostDispatchInfo},
    pallet_prelude::*,
    traits::{
        fungible::{Inspect, Mutate, MutateHold},
        Time,
    },
};
use frame_system::pallet_prelude::*;
use sp_core::H256;
use sp_runtime::{
    traits::{Bounded, Saturating, Zero},
    AccountId32,
};

pub use crate::code::CodeRejection;
pub use crate::primitives::{
    CodeUploadResult, ContractResult, ExecReturnValue, Execution, InstantiateReturnValue, Limits, StorageDeposit,
};
pub use crate::schedule::{
    measured as measured_schedule, weight_per_gas, MeasuredSchedule, MeasuredWeightPerGas, Schedule,
};
pub use crate::weights::WeightInfo;
pub use pallet::*;

/// The target of the pallet's log messages.
pub const LOG_TARGET: &str = "runtime::pvm-contracts";

/// The balance type of the pallet's currency.
pub type BalanceOf<T> = <<T as Config>::Currency as Inspect<AccountId32>>::Balance;

/// The events a dry run returns.
pub type EventRecordOf<T> =
    frame_system::EventRecord<<T as frame_system::Config>::RuntimeEvent, <T as frame_system::Config>::Hash>;

/// A contract's account id.
pub type AccountIdOf<T> = <T as frame_system::Config>::AccountId;

#[frame_support::pallet]
pub mod pallet {
    use super::*;

    /// The in-code storage version.
    const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

    #[pallet::pallet]
    #[pallet::storage_version(STORAGE_VERSION)]
    pub struct Pallet<T>(_);

    #[pallet::config]
    pub trait Config: frame_system::Config<AccountId = AccountId32> {
        /// The currency for values, transfers and storage deposits.
        type Currency: Inspect<AccountId32>
            + Mutate<AccountId32>
            + MutateHold<AccountId32, Reason = Self::RuntimeHoldReason>;

        /// The overarching hold reason.
        type RuntimeHoldReason: From<HoldReason>;

        /// The time source of the `now` host function (milliseconds).
        type Time: Time;

        /// Deposit per byte of stored code, contract info and contract storage
        /// (key + value).
        #[pallet::constant]
        type DepositPerByte: Get<BalanceOf<Self>>;

        /// Deposit per stored item: a code blob, a contract, a storage entry.
        #[pallet::constant]
        type DepositPerItem: Get<BalanceOf<Self>>;

        /// Reference time (picoseconds) of one unit of gas. Measured with the pallet's
        /// benchmarks on the machine the chain's weights are for:
        /// [`MeasuredWeightPerGas`] takes it from the generated weights.
        #[pallet::constant]
        type WeightPerGas: Get<u64>;

        /// What host functions cost. [`MeasuredSchedule`] derives it from the generated
        /// weights.
        type Schedule: Get<Schedule>;

        /// The largest code blob, in bytes.
        #[pallet::constant]
        type MaxCodeLen: Get<u32>;

        /// The most memory a contract may declare: RO data + RW data + stack + the
        /// heap limit, in bytes (each rounded up to whole pages).
        #[pallet::constant]
        type MaxMemory: Get<u32>;

        /// How far a contract's heap (`sbrk`) may grow, in bytes.
        #[pallet::constant]
        type MaxHeapSize: Get<u32>;

        /// The most instructions in one basic block (gas is charged per block, before
        /// it runs; long blocks would make that charge coarse).
        #[pallet::constant]
        type MaxBasicBlockLen: Get<u32>;

        /// The deepest nesting of contract calls (the outermost frame is depth 1).
        #[pallet::constant]
        type MaxCallDepth: Get<u32>;

        /// The longest storage value, call input, return value or event data.
        #[pallet::constant]
        type MaxValueLen: Get<u32>;

        /// The most bytes of debug messages a dry run records.
        #[pallet::constant]
        type MaxDebugBufferLen: Get<u32>;

        /// Weights of the dispatchables, without the gas they buy.
        type WeightInfo: WeightInfo;
    }

    /// Why the pallet holds funds.
    #[pallet::composite_enum]
    pub enum HoldReason {
        /// The deposit for stored code, held on the uploader's account.
        CodeUploadDepositReserve,
        /// The deposit for a contract's info and storage, held on the contract's
        /// account.
        StorageDepositReserve,
    }

    /// The code blobs, by blake2-256 hash.
    #[pallet::storage]
    pub type PristineCode<T: Config> = StorageMap<_, Identity, H256, BoundedVec<u8, T::MaxCodeLen>>;

    /// Owner, deposit and users of each code blob.
    #[pallet::storage]
    pub type CodeInfoOf<T: Config> = StorageMap<_, Identity, H256, CodeInfo<T>>;

    /// The contracts.
    #[pallet::storage]
    pub type ContractInfoOf<T: Config> = StorageMap<_, Identity, AccountId32, ContractInfo<T>>;

    /// Makes every contract's child trie unique, also for a contract re-created at the
    /// address of a terminated one.
    #[pallet::storage]
    pub type TrieNonce<T: Config> = StorageValue<_, u64, ValueQuery>;

    /// A stored code blob's metadata.
    #[derive(
        CloneNoBound,
        Encode,
        Decode,
        DecodeWithMemTracking,
        MaxEncodedLen,
        TypeInfo,
        PartialEqNoBound,
        EqNoBound,
        DebugNoBound,
    )]
    #[scale_info(skip_type_params(T))]
    pub struct CodeInfo<T: Config> {
        /// Who uploaded it (and may remove it).
        pub owner: AccountId32,
        /// The deposit held on the owner's account.
        pub deposit: BalanceOf<T>,
        /// How many contracts use it.
        pub refcount: u64,
        /// The blob's length.
        pub code_len: u32,
    }

    /// A contract.
    #[derive(
        CloneNoBound,
        Encode,
        Decode,
        DecodeWithMemTracking,
        MaxEncodedLen,
        TypeInfo,
        PartialEqNoBound,
        EqNoBound,
        DebugNoBound,
    )]
    #[scale_info(skip_type_params(T))]
    pub struct ContractInfo<T: Config> {
        /// The child trie with the contract's storage.
        pub trie_id: BoundedVec<u8, ConstU32<40>>,
        /// The code it runs.
        pub code_hash: H256,
        /// Bytes of storage (keys and values) it uses.
        pub storage_bytes: u32,
        /// Storage items it has.
        pub storage_items: u32,
        /// The deposit held on its account for its info and storage.
        pub storage_deposit: BalanceOf<T>,
    }

    #[pallet::event]
    #[pallet::generate_deposit(pub(super) fn deposit_event)]
    pub enum Event<T: Config> {
        /// A code blob was stored.
        CodeStored { code_hash: H256, deposit: BalanceOf<T>, uploader: AccountId32 },
        /// A code blob was removed.
        CodeRemoved { code_hash: H256, deposit_released: BalanceOf<T>, remover: AccountId32 },
        /// A contract was instantiated (its `deploy` export ran successfully).
        Instantiated { deployer: AccountId32, contract: AccountId32, code_hash: H256 },
        /// A contract's `call` export ran successfully (also a nested call).
        Called { caller: AccountId32, contract: AccountId32 },
        /// A contract emitted an event.
        ContractEmitted { contract: AccountId32, topics: Vec<H256>, data: Vec<u8> },
        /// A contract terminated itself; its balance went to the beneficiary.
        Terminated { contract: AccountId32, beneficiary: AccountId32 },
        /// Root changed the code of a contract.
        ContractCodeUpdated { contract: AccountId32, new_code_hash: H256, old_code_hash: H256 },
    }

    #[pallet::error]
    pub enum Error<T> {
        /// The code blob is larger than `MaxCodeLen`.
        CodeTooLarge,
        /// The code blob is not a valid PolkaVM program blob.
        CodeInvalid,
        /// The blob's instruction set is not a 64-bit one this pallet runs.
        CodeInstructionSetNotAllowed,
        /// The blob imports a function that is not a host function of this pallet.
        CodeUnknownImport,
        /// The blob has a basic block longer than `MaxBasicBlockLen`.
        CodeBasicBlockTooLarge,
        /// The blob needs more memory than `MaxMemory`.
        CodeMemoryTooLarge,
        /// The blob lacks the `deploy` or `call` export.
        CodeMissingExport,
        /// No code is stored under this hash.
        CodeNotFound,
        /// The code is used by a contract and cannot be removed.
        CodeInUse,
        /// Only the uploader may remove code.
        NotCodeOwner,
        /// The destination is not a contract.
        ContractNotFound,
        /// A contract already exists at the address the instantiation would use.
        DuplicateContract,
        /// The call ran out of gas; its state changes were rolled back.
        OutOfGas,
        /// The contract trapped; its state changes were rolled back. Dry runs say why.
        ContractTrapped,
        /// The contract reverted; its state changes were rolled back. Dry runs return
        /// its output.
        ContractReverted,
        /// The storage deposit would exceed `storage_deposit_limit`.
        StorageDepositLimitExhausted,
        /// The origin cannot pay the storage deposit.
        StorageDepositNotEnoughFunds,
        /// The value could not be transferred (too little balance, or an account would
        /// die).
        TransferFailed,
        /// The call would nest deeper than `MaxCallDepth`.
        MaxCallDepthReached,
        /// The callee is already on the call stack and re-entry was not allowed.
        ReentranceDenied,
        /// The input, output, storage value or event is larger than `MaxValueLen`.
        ValueTooLarge,
        /// A contract on the call stack more than once may not terminate.
        TerminatedWhileReentrant,
    }

    #[pallet::hooks]
    impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
        fn integrity_test() {
            if let Err(problem) = crate::invariants::check_config::<T>() {
                panic!("pallet-pvm-contracts is misconfigured: {problem}");
            }
        }

        #[cfg(feature = "try-runtime")]
        fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
            crate::invariants::check::<T>().map_err(|problem| {
                log::error!(target: "runtime::contracts", "invariant violated: {problem}");
                sp_runtime::TryRuntimeError::Other("pallet-pvm-contracts: an invariant is violated (see the log)")
            })
        }
    }

    #[pallet::call]
    impl<T: Config> Pallet<T> {
        /// Stores a code blob, so that contracts can be instantiated from it by hash.
        /// Uploading a blob that is already stored changes nothing.
        #[pallet::call_index(0)]
        #[pallet::weight(T::WeightInfo::upload_code(code.len() as u32))]
        pub fn upload_code(
            origin: OriginFor<T>,
            code: Vec<u8>,
            #[pallet::compact] storage_deposit_limit: BalanceOf<T>,
        ) -> DispatchResult {
            let origin = ensure_signed(origin)?;
            code::upload::<T>(&origin, code, storage_deposit_limit).map(|_| ()).map_err(|rejection| rejection.error)
        }

        /// Removes unused code and refunds its deposit. Only its uploader may.
        #[pallet::call_index(1)]
        #[pallet::weight(T::WeightInfo::remove_code())]
        pub fn remove_code(origin: OriginFor<T>, code_hash: H256) -> DispatchResult {
            let origin = ensure_signed(origin)?;
            code::remove::<T>(&origin, code_hash)
        }

        /// Instantiates a contract from stored code and runs its `deploy` export.
        #[pallet::call_index(2)]
        #[pallet::weight(T::WeightInfo::instantiate(data.len() as u32, salt.len() as u32).saturating_add(Pallet::<T>::gas_to_weight(*gas_limit)))]
        pub fn instantiate(
            origin: OriginFor<T>,
            #[pallet::compact] value: BalanceOf<T>,
            #[pallet::compact] gas_limit: u64,
            #[pallet::compact] storage_deposit_limit: BalanceOf<T>,
            code_hash: H256,
            data: Vec<u8>,
            salt: Vec<u8>,
        ) -> DispatchResultWithPostInfo {
            let origin = ensure_signed(origin)?;
            let base = T::WeightInfo::instantiate(data.len() as u32, salt.len() as u32);
            let outcome = exec::Stack::<T>::new(origin.clone(), storage_deposit_limit, false)
                .instantiate(origin, value, gas_limit, code_hash, data, salt);
            Self::dispatch_result(base, outcome.gas_consumed, outcome.result.map(|(_, output)| output))
        }

        /// Uploads code (unless it is stored already) and instantiates a contract from
        /// it, in one transaction.
        #[pallet::call_index(3)]
        #[pallet::weight(
			T::WeightInfo::upload_code(code.len() as u32)
				.saturating_add(T::WeightInfo::instantiate(data.len() as u32, salt.len() as u32))
				.saturating_add(Pallet::<T>::gas_to_weight(*gas_limit))
		)]
        pub fn instantiate_with_code(
            origin: OriginFor<T>,
            #[pallet::compact] value: BalanceOf<T>,
            #[pallet::compact] gas_limit: u64,
            #[pallet::compact] storage_deposit_limit: BalanceOf<T>,
            code: Vec<u8>,
            data: Vec<u8>,
            salt: Vec<u8>,
        ) -> DispatchResultWithPostInfo {
            let origin = ensure_signed(origin)?;
            let base = T::WeightInfo::upload_code(code.len() as u32)
                .saturating_add(T::WeightInfo::instantiate(data.len() as u32, salt.len() as u32));
            let upload = code::upload::<T>(&origin, code, storage_deposit_limit).map_err(|rejection| {
                DispatchErrorWithPostInfo { post_info: Some(base).into(), error: rejection.error }
            })?;
            let remaining_limit = storage_deposit_limit.saturating_sub(upload.deposit);
            let outcome = exec::Stack::<T>::new(origin.clone(), remaining_limit, false).instantiate(
                origin,
                value,
                gas_limit,
                upload.code_hash,
                data,
                salt,
            );
            Self::dispatch_result(base, outcome.gas_consumed, outcome.result.map(|(_, output)| output))
        }

        /// Calls a contract's `call` export with `data` as input, sending `value`.
        #[pallet::call_index(4)]
        #[pallet::weight(T::WeightInfo::call(data.len() as u32).saturating_add(Pallet::<T>::gas_to_weight(*gas_limit)))]
        pub fn call(
            origin: OriginFor<T>,
            dest: AccountId32,
            #[pallet::compact] value: BalanceOf<T>,
            #[pallet::compact] gas_limit: u64,
            #[pallet::compact] storage_deposit_limit: BalanceOf<T>,
            data: Vec<u8>,
        ) -> DispatchResultWithPostInfo {
            let origin = ensure_signed(origin)?;
            let base = T::WeightInfo::call(data.len() as u32);
            let outcome = exec::Stack::<T>::new(origin.clone(), storage_deposit_limit, false)
                .call(origin, dest, value, gas_limit, data);
            Self::dispatch_result(base, outcome.gas_consumed, outcome.result)
        }

        /// Replaces a contract's code (root only). The contract keeps its storage and
        /// balance; its next call runs the new code.
        #[pallet::call_index(5)]
        #[pallet::weight(T::WeightInfo::set_code())]
        pub fn set_code(origin: OriginFor<T>, dest: AccountId32, code_hash: H256) -> DispatchResult {
            ensure_root(origin)?;
            let mut contract = ContractInfoOf::<T>::get(&dest).ok_or(Error::<T>::ContractNotFound)?;
            let old_code_hash = contract.code_hash;
            if old_code_hash == code_hash {
                return Ok(());
            }
            code::increment_refcount::<T>(code_hash)?;
            code::decrement_refcount::<T>(old_code_hash);
            contract.code_hash = code_hash;
            ContractInfoOf::<T>::insert(&dest, contract);
            Self::deposit_event(Event::ContractCodeUpdated { contract: dest, new_code_hash: code_hash, old_code_hash });
            Ok(())
        }
    }
}

impl<T: Config> Pallet<T> {
    /// The weight that `gas` buys.
    pub fn gas_to_weight(gas: u64) -> Weight {
        Weight::from_parts(gas.saturating_mul(T::WeightPerGas::get()), 0)
    }

    /// The address a contract instantiated by `deployer` from `code_hash` with `salt`
    /// gets: blake2-256 of a domain tag, the deployer, the code hash and the salt.
    pub fn contract_address(deployer: &AccountId32, code_hash: &H256, salt: &[u8]) -> AccountId32 {
        let mut input = Vec::with_capacity(16 + 32 + 32 + salt.len());
        input.extend_from_slice(b"pvm-contracts:address");
        input.extend_from_slice(deployer.as_ref());
        input.extend_from_slice(code_hash.as_bytes());
        input.extend_from_slice(salt);
        AccountId32::new(sp_io::hashing::blake2_256(&input))
    }

    /// Where contracts run now, and on which backend (the answer of the node for this
    /// runtime call, so it tells what block import and dry runs use).
    pub fn execution() -> Execution {
        machine::execution()
    }

    /// The limits on contracts.
    pub fn limits() -> Limits {
        Limits {
            max_code_len: T::MaxCodeLen::get(),
            max_memory: T::MaxMemory::get(),
            max_heap_size: T::MaxHeapSize::get(),
            max_call_depth: T::MaxCallDepth::get(),
            max_value_len: T::MaxValueLen::get(),
            max_gas: Self::max_gas(),
            weight_per_gas: T::WeightPerGas::get(),
        }
    }

    /// Reads a contract's storage item.
    pub fn get_storage(contract: &AccountId32, key: &[u8]) -> Option<Vec<u8>> {
        let info = ContractInfoOf::<T>::get(contract)?;
        frame_support::storage::child::get_raw(&exec::child_trie(&info.trie_id), key)
    }

    /// Dry-runs [`Pallet::call`]: the same execution, with debug messages recorded and
    /// the result, gas and deposit reported; then every state change is rolled back.
    pub fn dry_run_call(
        origin: AccountId32,
        dest: AccountId32,
        value: BalanceOf<T>,
        gas_limit: Option<u64>,
        storage_deposit_limit: Option<BalanceOf<T>>,
        data: Vec<u8>,
    ) -> ContractResult<ExecReturnValue, BalanceOf<T>, EventRecordOf<T>> {
        let limit = storage_deposit_limit.unwrap_or_else(BalanceOf::<T>::max_value);
        rolled_back(|| {
            let stack = exec::Stack::<T>::new(origin.clone(), limit, true);
            let event_count = frame_system::Pallet::<T>::event_count();
            let outcome = stack.call(origin, dest, value, gas_limit.unwrap_or_else(Self::max_gas), data);
            outcome.into_contract_result(event_count)
        })
    }

    /// Dry-runs [`Pallet::instantiate`] (`code` is a hash of stored code) or
    /// [`Pallet::instantiate_with_code`] (`code` is a blob); then every state change is
    /// rolled back.
    pub fn dry_run_instantiate(
        origin: AccountId32,
        value: BalanceOf<T>,
        gas_limit: Option<u64>,
        storage_deposit_limit: Option<BalanceOf<T>>,
        code: primitives::Code,
        data: Vec<u8>,
        salt: Vec<u8>,
    ) -> ContractResult<InstantiateReturnValue, BalanceOf<T>, EventRecordOf<T>> {
        let limit = storage_deposit_limit.unwrap_or_else(BalanceOf::<T>::max_value);
        rolled_back(|| {
            let event_count = frame_system::Pallet::<T>::event_count();
            let (code_hash, upload_deposit) = match code {
                primitives::Code::Existing(hash) => (hash, Zero::zero()),
                primitives::Code::Upload(blob) => match code::upload::<T>(&origin, blob, limit) {
                    Ok(upload) => (upload.code_hash, upload.deposit),
                    Err(rejection) => return ContractResult::rejected(rejection),
                },
            };
            let stack = exec::Stack::<T>::new(origin.clone(), limit.saturating_sub(upload_deposit), true);
            let gas_limit = gas_limit.unwrap_or_else(Self::max_gas);
            let outcome = stack.instantiate(origin, value, gas_limit, code_hash, data, salt);
            let mut result = outcome
                .map_output(|(account_id, output)| InstantiateReturnValue { result: output, account_id })
                .into_contract_result(event_count);
            result.storage_deposit = result.storage_deposit.plus_charge(upload_deposit);
            result
        })
    }

    /// Dry-runs [`Pallet::upload_code`]: the code hash and deposit, or exactly why the
    /// blob is rejected; nothing is stored.
    pub fn dry_run_upload_code(
        origin: AccountId32,
        code: Vec<u8>,
        storage_deposit_limit: Option<BalanceOf<T>>,
    ) -> CodeUploadResult<BalanceOf<T>> {
        let limit = storage_deposit_limit.unwrap_or_else(BalanceOf::<T>::max_value);
        rolled_back(|| code::upload::<T>(&origin, code, limit))
    }

    /// The most gas a transaction can buy: what fits into a block's maximum extrinsic
    /// weight.
    pub fn max_gas() -> u64 {
        let max = <T as frame_system::Config>::BlockWeights::get().max_block.ref_time();
        max / T::WeightPerGas::get().max(1)
    }

    fn dispatch_result(
        base: Weight,
        gas_consumed: u64,
        result: Result<ExecReturnValue, DispatchError>,
    ) -> DispatchResultWithPostInfo {
        let post_info = PostDispatchInfo {
            actual_weight: Some(base.saturating_add(Self::gas_to_weight(gas_consumed))),
            pays_fee: Pays::Yes,
        };
        match result {
            Ok(output) if output.did_revert() => {
                Err(DispatchErrorWithPostInfo { post_info, error: Error::<T>::ContractReverted.into() })
            }
            Ok(_) => Ok(post_info),
            Err(error) => Err(DispatchErrorWithPostInfo { post_info, error }),
        }
    }
}

/// Runs `f` in a storage transaction that is always rolled back.
fn rolled_back<R>(f: impl FnOnce() -> R) -> R {
    use frame_support::storage::{with_transaction_unchecked, TransactionOutcome};
    with_transaction_unchecked(|| TransactionOutcome::Rollback(f()))
}

// The API's functions take the extrinsics' arguments, and these are many.
/// The runtime API of dry runs; a runtime implements
/// `pallet_pvm_contracts::runtime_api::ContractsApi`.
// The API's functions take the extrinsics' arguments, and these are many.
#[allow(clippy::too_many_arguments)]
pub mod runtime_api {
    use super::*;

    sp_api::decl_runtime_apis! {
        /// Dry runs of the contracts pallet: what a transaction would do, without doing it.
        pub trait ContractsApi<Balance, EventRecord> where
            Balance: codec::Codec,
            EventRecord: codec::Codec,
        {
            /// Dry-runs a call. `gas_limit: None` means as much as a block allows;
            /// `storage_deposit_limit: None` means no limit (the origin's funds still are one).
            fn call(
                origin: AccountId32,
                dest: AccountId32,
                value: Balance,
                gas_limit: Option<u64>,
                storage_deposit_limit: Option<Balance>,
                input_data: Vec<u8>,
            ) -> ContractResult<ExecReturnValue, Balance, EventRecord>;

            /// Dry-runs an instantiation, from stored code or a blob.
            fn instantiate(
                origin: AccountId32,
                value: Balance,
                gas_limit: Option<u64>,
                storage_deposit_limit: Option<Balance>,
                code: primitives::Code,
                data: Vec<u8>,
                salt: Vec<u8>,
            ) -> ContractResult<InstantiateReturnValue, Balance, EventRecord>;

            /// Dry-runs an upload: the code hash and deposit, or why the blob is rejected.
            fn upload_code(
                origin: AccountId32,
                code: Vec<u8>,
                storage_deposit_limit: Option<Balance>,
            ) -> CodeUploadResult<Balance>;

            /// Reads a contract's storage item.
            fn get_storage(contract: AccountId32, key: Vec<u8>) -> Option<Vec<u8>>;

            /// Where contracts run (on the node or in the runtime) and on which backend.
            fn execution() -> primitives::Execution;

            /// The limits on contracts.
            fn limits() -> primitives::Limits;
        }
    }
}

pub use primitives::Code;
