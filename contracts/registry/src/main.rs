//! Registry: a name service, first come first served. It keeps every name in one
//! `BTreeMap` and a log of registrations in one `Vec`, each stored as a single value, so
//! that it exercises the heap (`Vec`, `BTreeMap`, `LeakingAllocator`).
//!
//! # Messages
//!
//! All values are SCALE-encoded; names are `Vec<u8>`, accounts `[u8; 32]`.
//!
//! - `deploy` input: ignored.
//! - `call` input: [`Msg`]; the variant index (the wire's first byte) follows the
//!   declaration order:
//!
//! | index | message | output |
//! | ----- | ------- | ------ |
//! | 0 | `Register(Vec<u8>)` | nothing; reverts (empty output) if the name is taken |
//! | 1 | `Lookup(Vec<u8>)` | `Option<AccountId>`, the name's owner |
//! | 2 | `Count` | `u32`, how many names are registered |
//! | 3 | `Sorted` | `Vec<Vec<u8>>`, every name, in byte order |
//!
//! `Register` registers the name to the caller. Input that does not decode reverts with
//! empty output.
//!
//! # Storage
//!
//! `b"names"`: `BTreeMap<Vec<u8>, AccountId>`; `b"log"`: `Vec<(Vec<u8>, AccountId)>`,
//! the registrations in order.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use codec::Decode;
use pvm_contract::{storage, AccountId};

#[global_allocator]
static ALLOCATOR: pvm_guest::LeakingAllocator = pvm_guest::LeakingAllocator::new();

pvm_guest::panic_handler!();

/// The messages of `call`.
#[derive(Decode)]
enum Msg {
    Register(Vec<u8>),
    Lookup(Vec<u8>),
    Count,
    Sorted,
}

const NAMES: &[u8] = b"names";
const LOG: &[u8] = b"log";

fn names() -> BTreeMap<Vec<u8>, AccountId> {
    // (`BTreeMap`'s `Decode` collects and sorts the pairs: `core`'s sort, whose
    // self-recursive calls carry no relocations, is linked too.)
    storage::get_value(NAMES).unwrap_or_default()
}

#[pvm_guest::polkavm_export]
extern "C" fn deploy() {}

#[pvm_guest::polkavm_export]
extern "C" fn call() {
    let Some(msg) = pvm_contract::decode_input::<Msg>() else { pvm_contract::revert(&[]) };
    match msg {
        Msg::Register(name) => {
            let mut names = names();
            if names.contains_key(&name) {
                pvm_contract::revert(&[]);
            }
            let owner = pvm_contract::caller();
            names.insert(name.clone(), owner);
            storage::set_value(NAMES, &names);

            let mut log: Vec<(Vec<u8>, AccountId)> = storage::get_value(LOG).unwrap_or_default();
            log.push((name, owner));
            storage::set_value(LOG, &log);
        }
        Msg::Lookup(name) => pvm_contract::return_encoded(&names().get(&name)),
        Msg::Count => pvm_contract::return_encoded(&(names().len() as u32)),
        Msg::Sorted => {
            let sorted: Vec<Vec<u8>> = names().into_keys().collect();
            pvm_contract::return_encoded(&sorted)
        }
    }
}
