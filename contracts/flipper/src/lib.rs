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

use codec::{Decode, Encode};
use pvm_contract::{interface::NoEvents, Message};
use scale_info::TypeInfo;

pvm_contract::interface! {
    /// A boolean that anybody may flip; `deploy` takes its first value.
    Flipper { deploy: bool, message: Msg, error: (), event: NoEvents }
}

/// The messages of `call`.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, Message)]
pub enum Msg {
    /// Negates the value.
    Flip,
    /// Returns the value.
    #[returns(bool)]
    Get,
}
