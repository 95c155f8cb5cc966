//! The program of the registry contract; its interface (messages, errors, storage,
//! events) is documented in the library, `src/lib.rs`.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use registry::Msg;

use pvm_contract::{storage, AccountId};

#[global_allocator]
static ALLOCATOR: pvm_guest::LeakingAllocator = pvm_guest::LeakingAllocator::new();

pvm_guest::panic_handler!();

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
