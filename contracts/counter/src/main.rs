//! Counter: a stored `u64` that can be incremented, read and reset.
//!
//! # Messages
//!
//! All values are SCALE-encoded.
//!
//! - `deploy` input: empty (the count starts at 0) or a `u64`, the starting count.
//! - `call` input: [`Msg`]; the variant index (the wire's first byte) follows the
//!   declaration order:
//!
//! | index | message | output |
//! | ----- | ------- | ------ |
//! | 0 | `Increment(u64)` | nothing; reverts (empty output) if the count would overflow |
//! | 1 | `Get` | `u64` |
//! | 2 | `Reset` | nothing |
//!
//! `Increment` emits an event with the one topic `blake2_256(b"Incremented")` and the
//! new count (`u64`) as data. Input that does not decode reverts with empty output.
#![no_std]
#![no_main]

use codec::{Decode, Encode};
use pvm_contract::storage;

#[global_allocator]
static ALLOCATOR: pvm_guest::LeakingAllocator = pvm_guest::LeakingAllocator::new();

pvm_guest::panic_handler!();

/// The messages of `call`.
#[derive(Decode)]
enum Msg {
    /// Adds the amount to the count.
    Increment(u64),
    /// Returns the count.
    Get,
    /// Sets the count to 0.
    Reset,
}

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
            let topic = pvm_contract::hash_blake2_256(b"Incremented");
            pvm_contract::deposit_event(&[topic], &count.encode());
        }
        Msg::Get => pvm_contract::return_encoded(&count),
        Msg::Reset => {
            storage::set_value(COUNT, &0u64);
        }
    }
}
