//! Host test: one message per host function, so that the pallet's tests can exercise
//! every host function and its error paths.
//!
//! # Messages
//!
//! All values are SCALE-encoded; accounts, code hashes and topics are `[u8; 32]`,
//! amounts `u128`, return codes `u32` (the ABI's `ReturnCode` values).
//!
//! - `deploy` input: empty (does nothing), or any `call` message, which it handles
//!   exactly as `call` does.
//! - `call` input: [`Msg`]; the variant index (the wire's first byte) follows the
//!   declaration order, then the fields in order:
//!
//! | index | message | what it does | output |
//! | ----- | ------- | ------------ | ------ |
//! | 0 | `SetStorage { key: Vec<u8>, value: Vec<u8> }` | `storage::set` | `Option<u32>`, the previous length |
//! | 1 | `GetStorage(Vec<u8>)` | `storage::get` | `Option<Vec<u8>>` |
//! | 2 | `ClearStorage(Vec<u8>)` | `storage::clear` | `Option<u32>` |
//! | 3 | `ContainsStorage(Vec<u8>)` | `storage::contains` | `Option<u32>` |
//! | 4 | `TakeStorage(Vec<u8>)` | `storage::take` | `Option<Vec<u8>>` |
//! | 5 | `EchoInput` | | the whole raw input (so `[5]`) |
//! | 6 | `Revert(Vec<u8>)` | stores `b"reverted"` = `b"yes"`, then reverts | the bytes (reverted) |
//! | 7 | `Trap` | stores `b"trapped"` = `b"yes"`, then traps | |
//! | 8 | `DepositEvent { topics: Vec<[u8; 32]>, data: Vec<u8> }` | emits the event | nothing |
//! | 9 | `Transfer { to: AccountId, value: u128 }` | raw `transfer` | `u32` code (0 ok, 4 failed) |
//! | 10 | `Context` | | `(AccountId, AccountId, u128, u128, u64, u64, u64)`: caller, address, value transferred, balance, block number, now, gas left |
//! | 11 | `BalanceOf(AccountId)` | | `u128` |
//! | 12 | `Hash(Vec<u8>)` | | `([u8; 32], [u8; 16])`: blake2-256, blake2-128 |
//! | 13 | `Call { callee: AccountId, value: u128, gas_limit: u64, flags: u64, input: Vec<u8> }` | raw `call` | `(u32, Vec<u8>)`: code, return data |
//! | 14 | `Instantiate { code_hash: [u8; 32], value: u128, gas_limit: u64, input: Vec<u8>, salt: Vec<u8> }` | raw `instantiate` | `(u32, AccountId, Vec<u8>)`: code, address (`[0; 32]` unless the host wrote one), return data |
//! | 15 | `Terminate(AccountId)` | `terminate` with that beneficiary | nothing |
//! | 16 | `Debug(Vec<u8>)` | raw `debug_message` with the bytes | `u32` code |
//! | 17 | `Burn(u64)` | `n` rounds of arithmetic | `u64` result |
//! | 18 | `Alloc(u32)` | fills a heap `Vec<u8>` of `n` bytes | `u32`, how much the heap has grown in total |
//! | 19 | `BadPointer` | raw `input_copy` to address `0x10`, which the host must trap on | (`u64`, what `input_copy` returned, if it does not) |
//! | 20 | `WriteMany(u32)` | stores `n` values: for `i` in `0..n` (`u32`), key `blake2_256(i.to_le_bytes())`, value the same 32 bytes | nothing |
//! | 21 | `CallChain { callees: Vec<AccountId>, flags: u64 }` | see below | nothing if `callees` is empty, else `(u32, Vec<u8>)` |
//! | 22 | `GetStorageInto { key: Vec<u8>, capacity: u32 }` | raw `get_storage` into a buffer of `capacity` bytes | `(u32, u32)`: code, the length the host wrote back |
//!
//! `CallChain` with callees `[first, rest @ ..]` stores `b"depth"` = `rest.len()` (a
//! `u32`), then calls `first` with `CallChain { callees: rest, flags }`, value 0, all the
//! gas left and the given call flags, and returns that call's code and return data.
//!
//! The messages marked "raw" use the host function directly and report whatever code it
//! returns; the others go through `pvm-contract`. Input that does not decode reverts
//! with empty output.
#![no_std]

extern crate alloc;

use alloc::vec::Vec;

use codec::{Decode, Encode};
use pvm_contract::{AccountId, Hash};

/// The messages of `call` (and of a non-empty `deploy` input).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum Msg {
    SetStorage { key: Vec<u8>, value: Vec<u8> },
    GetStorage(Vec<u8>),
    ClearStorage(Vec<u8>),
    ContainsStorage(Vec<u8>),
    TakeStorage(Vec<u8>),
    EchoInput,
    Revert(Vec<u8>),
    Trap,
    DepositEvent { topics: Vec<Hash>, data: Vec<u8> },
    Transfer { to: AccountId, value: u128 },
    Context,
    BalanceOf(AccountId),
    Hash(Vec<u8>),
    Call { callee: AccountId, value: u128, gas_limit: u64, flags: u64, input: Vec<u8> },
    Instantiate { code_hash: Hash, value: u128, gas_limit: u64, input: Vec<u8>, salt: Vec<u8> },
    Terminate(AccountId),
    Debug(Vec<u8>),
    Burn(u64),
    Alloc(u32),
    BadPointer,
    WriteMany(u32),
    CallChain { callees: Vec<AccountId>, flags: u64 },
    GetStorageInto { key: Vec<u8>, capacity: u32 },
}
