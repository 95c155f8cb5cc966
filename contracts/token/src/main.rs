//! Token: a fungible token in the style of ERC-20.
//!
//! # Messages
//!
//! All values are SCALE-encoded; accounts are `[u8; 32]`, amounts `u128`.
//!
//! - `deploy` input: `u128`, the total supply, all of it minted to the deployer (the
//!   caller of `deploy`), with a `Transfer` event from the zero account `[0; 32]`.
//! - `call` input: [`Msg`]; the variant index (the wire's first byte) follows the
//!   declaration order, then the fields in order:
//!
//! | index | message | output |
//! | ----- | ------- | ------ |
//! | 0 | `TotalSupply` | `u128` |
//! | 1 | `BalanceOf(AccountId)` | `u128` |
//! | 2 | `Transfer { to: AccountId, value: u128 }` | nothing |
//! | 3 | `Approve { spender: AccountId, value: u128 }` | nothing |
//! | 4 | `Allowance { owner: AccountId, spender: AccountId }` | `u128` |
//! | 5 | `TransferFrom { from: AccountId, to: AccountId, value: u128 }` | nothing |
//!
//! `Transfer` moves the caller's tokens; `Approve` sets (replaces) how many of the
//! caller's tokens `spender` may move; `TransferFrom` moves `from`'s tokens on behalf of
//! the caller, spending the allowance `from` gave the caller.
//!
//! Failures revert with an [`Error`] as output: `0` = `InsufficientBalance`, `1` =
//! `InsufficientAllowance` (`TransferFrom` checks the allowance first). Input that does
//! not decode reverts with empty output.
//!
//! # Events
//!
//! - `Transfer`: topics `[blake2_256(b"Transfer"), from, to]`, data the `u128` value.
//! - `Approval`: topics `[blake2_256(b"Approval"), owner, spender]`, data the `u128`
//!   value.
//!
//! # Storage
//!
//! `b"supply"`: the total supply; `b"b" ++ account`: a balance; `b"a" ++ owner ++
//! spender`: an allowance; each a `u128`, absent when 0.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;

use codec::{Decode, Encode};
use pvm_contract::{storage, AccountId};

#[global_allocator]
static ALLOCATOR: pvm_guest::LeakingAllocator = pvm_guest::LeakingAllocator::new();

pvm_guest::panic_handler!();

/// The messages of `call`.
#[derive(Decode)]
enum Msg {
    TotalSupply,
    BalanceOf(AccountId),
    Transfer { to: AccountId, value: u128 },
    Approve { spender: AccountId, value: u128 },
    Allowance { owner: AccountId, spender: AccountId },
    TransferFrom { from: AccountId, to: AccountId, value: u128 },
}

/// What a failed message reverts with.
#[derive(Encode)]
enum Error {
    /// The account holds fewer tokens than the message moves.
    InsufficientBalance,
    /// The caller may move fewer of `from`'s tokens than the message moves.
    InsufficientAllowance,
}

const SUPPLY: &[u8] = b"supply";

fn balance_key(account: &AccountId) -> Vec<u8> {
    [&b"b"[..], account].concat()
}

fn allowance_key(owner: &AccountId, spender: &AccountId) -> Vec<u8> {
    [&b"a"[..], owner, spender].concat()
}

/// Reads an amount; absent means 0.
fn load(key: &[u8]) -> u128 {
    storage::get_value(key).unwrap_or(0)
}

/// Stores an amount; 0 is stored as absent.
fn store(key: &[u8], amount: u128) {
    if amount == 0 {
        storage::clear(key);
    } else {
        storage::set_value(key, &amount);
    }
}

fn emit(name: &[u8], first: &AccountId, second: &AccountId, value: u128) {
    let topics = [pvm_contract::hash_blake2_256(name), *first, *second];
    pvm_contract::deposit_event(&topics, &value.encode());
}

/// Moves `value` tokens from `from` to `to`, or reverts.
fn transfer(from: &AccountId, to: &AccountId, value: u128) {
    let from_balance = load(&balance_key(from));
    if from_balance < value {
        pvm_contract::revert_encoded(&Error::InsufficientBalance);
    }
    store(&balance_key(from), from_balance - value);
    // Read after the write, so that a transfer to oneself changes nothing. The balances
    // add up to the supply, a `u128`, so this cannot overflow.
    let to_key = balance_key(to);
    store(&to_key, load(&to_key).saturating_add(value));
    emit(b"Transfer", from, to, value);
}

#[pvm_guest::polkavm_export]
extern "C" fn deploy() {
    let Some(supply) = pvm_contract::decode_input::<u128>() else { pvm_contract::revert(&[]) };
    let owner = pvm_contract::caller();
    storage::set_value(SUPPLY, &supply);
    store(&balance_key(&owner), supply);
    emit(b"Transfer", &[0; 32], &owner, supply);
}

#[pvm_guest::polkavm_export]
extern "C" fn call() {
    let Some(msg) = pvm_contract::decode_input::<Msg>() else { pvm_contract::revert(&[]) };
    match msg {
        Msg::TotalSupply => pvm_contract::return_encoded(&load(SUPPLY)),
        Msg::BalanceOf(account) => pvm_contract::return_encoded(&load(&balance_key(&account))),
        Msg::Transfer { to, value } => transfer(&pvm_contract::caller(), &to, value),
        Msg::Approve { spender, value } => {
            let owner = pvm_contract::caller();
            store(&allowance_key(&owner, &spender), value);
            emit(b"Approval", &owner, &spender, value);
        }
        Msg::Allowance { owner, spender } => pvm_contract::return_encoded(&load(&allowance_key(&owner, &spender))),
        Msg::TransferFrom { from, to, value } => {
            let key = allowance_key(&from, &pvm_contract::caller());
            let allowance = load(&key);
            if allowance < value {
                pvm_contract::revert_encoded(&Error::InsufficientAllowance);
            }
            store(&key, allowance - value);
            transfer(&from, &to, value);
        }
    }
}
