//! The program of the counter contract; its interface (messages, errors, storage,
//! events) is documented in the library, `src/lib.rs`.
#![no_std]
#![no_main]

use codec::Encode;
use counter::Msg;
use pvm_contract::storage;

#[global_allocator]
static ALLOCATOR: pvm_guest::LeakingAllocator = pvm_guest::LeakingAllocator::new();

pvm_guest::panic_handler!();

/// The storage key of the count (a SCALE `u64`).
const COUNT: &[u8] = b"count";

#[pvm_guest::polkavm_export]
extern "C" fn deploy() {
    let start = if pvm_contract::input_size() == 0 {
        0
    } else {
        let Some(start) = pvm_contract::decode_input::<u64>() else { pvm_contract::revert(&[]) };
        start
    };
    storage::set_value(COUNT, &start);
}

#[pvm_guest::polkavm_export]
extern "C" fn call() {
    let Some(msg) = pvm_contract::decode_input::<Msg>() else { pvm_contract::revert(&[]) };
    let count: u64 = storage::get_value(COUNT).unwrap_or(0);
    match msg {
        Msg::Increment(amount) => {
            let Some(count) = count.checked_add(amount) else { pvm_contract::revert(&[]) };
            storage::set_value(COUNT, &count);
            pvm_contract::emit(&counter::Event::Incremented { count });
        }
        Msg::Get => pvm_contract::return_encoded(&count),
        Msg::Reset => {
            storage::set_value(COUNT, &0u64);
        }
    }
}
