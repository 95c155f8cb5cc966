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

use codec::{Decode, Encode};

/// The messages of `call`.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum Msg {
    /// Adds the amount to the count.
    Increment(u64),
    /// Returns the count.
    Get,
    /// Sets the count to 0.
    Reset,
}
