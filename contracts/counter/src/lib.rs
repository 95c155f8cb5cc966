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
//! `Increment` emits [`Event::Incremented`] (topic `blake2_256(b"Incremented")`, data
//! the encoded event). Input that does not decode reverts with empty output.
#![no_std]

use codec::{Decode, Encode};
use pvm_contract::{Event, Message};
use scale_info::TypeInfo;

pvm_contract::interface! {
    /// A count that anybody may increase; `deploy` takes the start (or nothing, for 0).
    Counter { deploy: u64, message: Msg, error: (), event: Event }
}

/// The messages of `call`.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, Message)]
pub enum Msg {
    /// Adds the amount to the count.
    Increment(u64),
    /// Returns the count.
    #[returns(u64)]
    Get,
    /// Sets the count to 0.
    Reset,
}

/// What the counter emits.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, Event)]
pub enum Event {
    /// The count went up, to `count`.
    Incremented { count: u64 },
}
