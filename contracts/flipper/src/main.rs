//! The program of the flipper contract; its interface (messages, errors, storage,
//! events) is documented in the library, `src/lib.rs`.
#![no_std]
#![no_main]

use flipper::Msg;
use pvm_contract::storage;

#[global_allocator]
static ALLOCATOR: pvm_guest::LeakingAllocator = pvm_guest::LeakingAllocator::new();

pvm_guest::panic_handler!();

/// The storage key of the value (a SCALE `bool`).
const VALUE: &[u8] = b"value";

fn get() -> bool {
    storage::get_value(VALUE).unwrap_or(false)
}

#[pvm_guest::polkavm_export]
extern "C" fn deploy() {
    let Some(initial) = pvm_contract::decode_input::<bool>() else { pvm_contract::revert(&[]) };
    storage::set_value(VALUE, &initial);
}

#[pvm_guest::polkavm_export]
extern "C" fn call() {
    let Some(msg) = pvm_contract::decode_input::<Msg>() else { pvm_contract::revert(&[]) };
    match msg {
        Msg::Flip => {
            storage::set_value(VALUE, &!get());
        }
        Msg::Get => pvm_contract::return_encoded(&get()),
    }
}
