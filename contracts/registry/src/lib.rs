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

extern crate alloc;

use alloc::vec::Vec;

use codec::{Decode, Encode};
use pvm_contract::{interface::NoEvents, AccountId, Message};
use scale_info::TypeInfo;

pvm_contract::interface! {
    /// Names registered to their owners, first come first served.
    Registry { deploy: (), message: Msg, error: (), event: NoEvents }
}

/// The messages of `call`.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, Message)]
pub enum Msg {
    /// Registers the name to the caller; reverts if it is taken.
    Register(Vec<u8>),
    /// The owner of a name.
    #[returns(Option<AccountId>)]
    Lookup(Vec<u8>),
    /// How many names there are.
    #[returns(u32)]
    Count,
    /// Every name, in order.
    #[returns(Vec<Vec<u8>>)]
    Sorted,
}
