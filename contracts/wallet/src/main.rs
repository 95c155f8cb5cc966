//! The program of the wallet contract; its interface (messages, errors, storage,
//! events) is documented in the library, `src/lib.rs`.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;
use wallet::Msg;

use codec::{Decode, Encode};
use pvm_contract::{storage, AccountId};

#[global_allocator]
static ALLOCATOR: pvm_guest::LeakingAllocator = pvm_guest::LeakingAllocator::new();

pvm_guest::panic_handler!();

/// A proposal, stored under `b"p" ++ id` (little-endian `u32`).
#[derive(Decode, Encode)]
struct Proposal {
    dest: AccountId,
    value: u128,
    input: Vec<u8>,
    confirmations: u32,
    executed: bool,
    ok: bool,
}

/// `Vec<AccountId>`.
const OWNERS: &[u8] = b"owners";
/// `u32`.
const THRESHOLD: &[u8] = b"threshold";
/// `u32`: the next proposal's id.
const NEXT_ID: &[u8] = b"next";

fn proposal_key(id: u32) -> Vec<u8> {
    [&b"p"[..], &id.to_le_bytes()].concat()
}

/// Marks that `owner` confirmed proposal `id` (an empty value).
fn confirmation_key(id: u32, owner: &AccountId) -> Vec<u8> {
    [&b"c"[..], &id.to_le_bytes(), owner].concat()
}

fn owners() -> Vec<AccountId> {
    storage::get_value(OWNERS).unwrap_or_default()
}

fn load(id: u32) -> Proposal {
    storage::get_value(&proposal_key(id)).unwrap_or_else(|| pvm_contract::revert(&[]))
}

/// The caller, who must be an owner.
fn owner_caller() -> AccountId {
    let caller = pvm_contract::caller();
    if !owners().contains(&caller) {
        pvm_contract::revert(&[]);
    }
    caller
}

/// Adds `owner`'s confirmation, and runs the proposal if that reaches the threshold.
fn confirm(id: u32, owner: &AccountId) {
    let mut proposal = load(id);
    if proposal.executed || storage::set(&confirmation_key(id, owner), &[]).is_some() {
        pvm_contract::revert(&[]);
    }
    proposal.confirmations += 1;
    let threshold: u32 = storage::get_value(THRESHOLD).unwrap_or(1);
    if proposal.confirmations >= threshold {
        // Marked executed before it runs, so that it can never run twice.
        proposal.executed = true;
        storage::set_value(&proposal_key(id), &proposal);
        proposal.ok = if proposal.input.is_empty() {
            pvm_contract::transfer(&proposal.dest, proposal.value).is_ok()
        } else {
            pvm_contract::call(&proposal.dest, proposal.value, 0, &proposal.input).is_ok()
        };
        pvm_contract::emit(&wallet::Event::Executed { id, ok: proposal.ok });
    }
    storage::set_value(&proposal_key(id), &proposal);
}

#[pvm_guest::polkavm_export]
extern "C" fn deploy() {
    let Some((owners, threshold)) = pvm_contract::decode_input::<(Vec<AccountId>, u32)>() else {
        pvm_contract::revert(&[])
    };
    let distinct = owners.iter().enumerate().all(|(i, owner)| !owners[..i].contains(owner));
    if !distinct || threshold == 0 || threshold as usize > owners.len() {
        pvm_contract::revert(&[]);
    }
    storage::set_value(OWNERS, &owners);
    storage::set_value(THRESHOLD, &threshold);
    storage::set_value(NEXT_ID, &0u32);
}

#[pvm_guest::polkavm_export]
extern "C" fn call() {
    let Some(msg) = pvm_contract::decode_input::<Msg>() else { pvm_contract::revert(&[]) };
    match msg {
        Msg::Submit { dest, value, input } => {
            let caller = owner_caller();
            let id: u32 = storage::get_value(NEXT_ID).unwrap_or(0);
            let Some(next) = id.checked_add(1) else { pvm_contract::revert(&[]) };
            storage::set_value(NEXT_ID, &next);
            let proposal = Proposal { dest, value, input, confirmations: 0, executed: false, ok: false };
            storage::set_value(&proposal_key(id), &proposal);
            confirm(id, &caller);
            pvm_contract::return_encoded(&id)
        }
        Msg::Confirm(id) => confirm(id, &owner_caller()),
        Msg::Get(id) => {
            let p = load(id);
            pvm_contract::return_encoded(&(p.dest, p.value, p.confirmations, p.executed, p.ok))
        }
        Msg::Owners => pvm_contract::return_encoded(&owners()),
    }
}
