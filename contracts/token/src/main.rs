//! The program of the token contract; its interface (messages, errors, storage,
//! events) is documented in the library, `src/lib.rs`.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use token::{Error, Event, Msg};

use pvm_contract::{storage, AccountId};

#[global_allocator]
static ALLOCATOR: pvm_guest::LeakingAllocator = pvm_guest::LeakingAllocator::new();

pvm_guest::panic_handler!();

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
    pvm_contract::emit(&Event::Transfer { from: *from, to: *to, value });
}

#[pvm_guest::polkavm_export]
extern "C" fn deploy() {
    let Some(supply) = pvm_contract::decode_input::<u128>() else { pvm_contract::revert(&[]) };
    let owner = pvm_contract::caller();
    storage::set_value(SUPPLY, &supply);
    store(&balance_key(&owner), supply);
    pvm_contract::emit(&Event::Transfer { from: [0; 32], to: owner, value: supply });
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
            pvm_contract::emit(&Event::Approval { owner, spender, value });
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
