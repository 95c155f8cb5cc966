//! Tests on a mock runtime that deploy and call the real compiled contracts.

mod dispatchables;
mod examples;
mod gas;
mod host_functions;
mod invariants;
mod sequences;
mod upload;

use codec::{Decode, Encode};

/// The messages of `contracts/host-test`, in its wire order.
#[derive(Encode, Clone)]
pub enum Msg {
    SetStorage { key: Vec<u8>, value: Vec<u8> },
    GetStorage(Vec<u8>),
    ClearStorage(Vec<u8>),
    ContainsStorage(Vec<u8>),
    TakeStorage(Vec<u8>),
    EchoInput,
    Revert(Vec<u8>),
    Trap,
    DepositEvent { topics: Vec<[u8; 32]>, data: Vec<u8> },
    Transfer { to: [u8; 32], value: u128 },
    Context,
    BalanceOf([u8; 32]),
    Hash(Vec<u8>),
    Call { callee: [u8; 32], value: u128, gas_limit: u64, flags: u64, input: Vec<u8> },
    Instantiate { code_hash: [u8; 32], value: u128, gas_limit: u64, input: Vec<u8>, salt: Vec<u8> },
    Terminate([u8; 32]),
    Debug(Vec<u8>),
    Burn(u64),
    Alloc(u32),
    BadPointer,
    WriteMany(u32),
    CallChain { callees: Vec<[u8; 32]>, flags: u64 },
    GetStorageInto { key: Vec<u8>, capacity: u32 },
}

/// Decodes a SCALE value from a contract's output.
pub fn decode<T: Decode>(mut output: &[u8]) -> T {
    let value = T::decode(&mut output).expect("the output decodes");
    assert!(output.is_empty(), "trailing bytes in the output");
    value
}

/// An account id's bytes.
pub fn raw(account: &sp_runtime::AccountId32) -> [u8; 32] {
    *account.as_ref()
}
