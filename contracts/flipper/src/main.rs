//! Flipper: one stored `bool` that can be flipped and read.
//!
//! # Messages
//!
//! All values are SCALE-encoded.
//!
//! - `deploy` input: `bool`, the initial value.
//! - `call` input: [`Msg`]; the variant index (the wire's first byte) follows the
//!   declaration order:
//!
//! | index | message | output |
//! | ----- | ------- | ------ |
//! | 0 | `Flip` | nothing |
//! | 1 | `Get` | `bool` |
//!
//! Input that does not decode reverts with empty output.
#![no_std]
#![no_main]

use codec::Decode;
use pvm_contract::storage;

#[global_allocator]
static ALLOCATOR: pvm_guest::LeakingAllocator = pvm_guest::LeakingAllocator::new();

pvm_guest::panic_handler!();

/// The messages of `call`.
#[derive(Decode)]
enum Msg {
    /// Negates the value.
    Flip,
    /// Returns the value.
    Get,
}

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
