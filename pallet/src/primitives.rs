//! The types of dry runs and of the runtime API.

use alloc::vec::Vec;

use codec::{Decode, DecodeWithMemTracking, Encode};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::{traits::Saturating, AccountId32, DispatchError};

use crate::code::CodeRejection;

/// The code to instantiate from.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, Debug)]
pub enum Code {
    /// A blob, uploaded first (unless it is stored already).
    Upload(Vec<u8>),
    /// Stored code, by hash.
    Existing(H256),
}

/// Where the pallet runs contracts, and on which `pvm` backend.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct Execution {
    /// On the node, through the `pvm-host` runtime interface (else in the runtime).
    pub on_node: bool,
    /// The backend's name: `"compiler"` or `"interpreter"`.
    pub backend: Vec<u8>,
}

/// The pallet's limits on contracts (its configuration), for clients.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct Limits {
    /// The largest code blob, in bytes.
    pub max_code_len: u32,
    /// The most memory a contract may declare, in bytes.
    pub max_memory: u32,
    /// How far a contract's heap may grow, in bytes.
    pub max_heap_size: u32,
    /// The deepest nesting of contract calls.
    pub max_call_depth: u32,
    /// The longest storage value, call input, return value or event data.
    pub max_value_len: u32,
    /// The most gas one transaction can buy.
    pub max_gas: u64,
    /// Reference time (picoseconds) of one unit of gas.
    pub weight_per_gas: u64,
}

/// What a contract returned.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug, Default)]
pub struct ExecReturnValue {
    /// [`abi::return_flags`] it ended with.
    pub flags: u64,
    /// Its output.
    pub data: Vec<u8>,
}

impl ExecReturnValue {
    /// Whether the contract reverted.
    pub fn did_revert(&self) -> bool {
        self.flags & abi::return_flags::REVERT != 0
    }
}

/// What an instantiation returned.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct InstantiateReturnValue {
    /// What `deploy` returned.
    pub result: ExecReturnValue,
    /// The new contract's address.
    pub account_id: AccountId32,
}

/// The net storage deposit of a transaction, from the origin's point of view.
#[derive(Clone, Copy, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub enum StorageDeposit<Balance> {
    /// The origin got this much back.
    Refund(Balance),
    /// The origin paid this much.
    Charge(Balance),
}

impl<Balance: Saturating + Ord + Copy + Default> StorageDeposit<Balance> {
    /// The deposit of `charged` minus `refunded`.
    pub fn from_totals(charged: Balance, refunded: Balance) -> Self {
        if charged >= refunded {
            StorageDeposit::Charge(charged.saturating_sub(refunded))
        } else {
            StorageDeposit::Refund(refunded.saturating_sub(charged))
        }
    }

    /// This deposit plus a further charge.
    pub fn plus_charge(self, amount: Balance) -> Self {
        match self {
            StorageDeposit::Charge(charged) => StorageDeposit::Charge(charged.saturating_add(amount)),
            StorageDeposit::Refund(refunded) => StorageDeposit::from_totals(amount, refunded),
        }
    }

    /// The amount charged (zero for a refund).
    pub fn charge_or_zero(&self) -> Balance {
        match self {
            StorageDeposit::Charge(charged) => *charged,
            StorageDeposit::Refund(_) => Balance::default(),
        }
    }
}

/// The result of a dry run.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct ContractResult<R, Balance, EventRecord> {
    /// What the execution returned, or why it failed. A revert is `Ok` with the revert
    /// flag set (the transaction would fail with `ContractReverted`).
    pub result: Result<R, DispatchError>,
    /// Gas the execution consumed: the same as the transaction would.
    pub gas_consumed: u64,
    /// The smallest gas limit with which the transaction does what the dry run did: at
    /// least `gas_consumed`, more when a nested call was given an explicit limit that
    /// it did not use up.
    pub gas_required: u64,
    /// The storage deposit the origin would pay or get back.
    pub storage_deposit: StorageDeposit<Balance>,
    /// The events the transaction would emit (only those of frames that succeeded).
    pub events: Vec<EventRecord>,
    /// The contracts' debug messages, in order, including those of frames that failed.
    pub debug_messages: Vec<Vec<u8>>,
    /// Why the execution failed, in words: which contract trapped where and why, which
    /// limit was hit, why a blob was rejected.
    pub failure: Option<Vec<u8>>,
}

impl<R, Balance: Default, EventRecord> ContractResult<R, Balance, EventRecord> {
    /// The result of an instantiation whose code upload was rejected.
    pub fn rejected(rejection: CodeRejection) -> Self {
        ContractResult {
            result: Err(rejection.error),
            gas_consumed: 0,
            gas_required: 0,
            storage_deposit: StorageDeposit::Charge(Balance::default()),
            events: Vec::new(),
            debug_messages: Vec::new(),
            failure: Some(rejection.reason),
        }
    }
}

/// What an upload stored.
#[derive(Clone, PartialEq, Eq, Encode, Decode, TypeInfo, Debug)]
pub struct CodeUploadReturnValue<Balance> {
    /// The code's hash.
    pub code_hash: H256,
    /// The deposit held for it (zero if it was stored already).
    pub deposit: Balance,
}

/// The result of an upload dry run.
pub type CodeUploadResult<Balance> = Result<CodeUploadReturnValue<Balance>, CodeRejection>;
