//! A contract's interface, declared once: its messages, what each returns, its
//! constructor's input, its error and its events. The contract's program uses these
//! types to decode its input and emit its events; tests and clients use the same types
//! (the contract's library compiles for the host too), and `polkatool build` writes
//! them as metadata next to the blob (see the `metadata` module, feature `metadata`).
//!
//! In a contract's library (its crate depends on `scale-info` with the `derive` feature
//! and without default features, as on `parity-scale-codec`):
//!
//! ```ignore
//! use codec::{Decode, Encode};
//! use pvm_contract::{AccountId, Event, Message};
//! use scale_info::TypeInfo;
//!
//! #[derive(Encode, Decode, TypeInfo, Message)]
//! pub enum Msg {
//!     /// The balance of an account.
//!     #[returns(u128)]
//!     BalanceOf(AccountId),
//!     /// Moves tokens from the caller to `to`.
//!     Transfer { to: AccountId, value: u128 },
//! }
//!
//! #[derive(Encode, Decode, TypeInfo, Event)]
//! pub enum Event {
//!     /// Tokens moved.
//!     Transfer { #[topic] from: AccountId, #[topic] to: AccountId, value: u128 },
//! }
//!
//! pvm_contract::interface! {
//!     /// A fungible token.
//!     Token { deploy: u128, message: Msg, error: Error, event: Event }
//! }
//! ```
//!
//! and in its program, `pvm_contract::decode_input::<Msg>()` and
//! `pvm_contract::emit(&Event::Transfer { from, to, value })`.
//!
//! # Events on the wire
//!
//! An event's data is the SCALE encoding of the whole event enum value (variant index,
//! then every field, topics included), so that it decodes as the enum. Its topics are
//! the variant's signature, the BLAKE2b-256 hash of the variant's name, then each
//! `#[topic]` field: its SCALE encoding padded with zeros to 32 bytes, or the BLAKE2b-256
//! hash of the encoding where that is longer than 32 bytes.

use alloc::vec::Vec;

use codec::Encode;
use scale_info::{MetaType, TypeInfo};

use crate::Hash;

/// The messages of a contract's `call`: an enum, `#[derive(Message)]`.
pub trait Message {
    /// What each message returns on success, one type per variant in declaration
    /// order (`()` for nothing).
    fn returns() -> Vec<MetaType>;
}

/// A contract's events: an enum, `#[derive(Event)]`.
pub trait Event: Encode {
    /// Each variant's signature, its first topic: the BLAKE2b-256 hash of its name.
    const SIGNATURES: &'static [Hash];
    /// Each variant's fields that are topics, as indices into its fields.
    const TOPIC_FIELDS: &'static [&'static [usize]];

    /// This event's topics: its signature, then its `#[topic]` fields.
    fn topics(&self) -> Vec<Hash>;
}

/// The whole interface of a contract, declared with [`interface!`](crate::interface!).
pub trait Contract {
    /// The contract's name (its crate's).
    const NAME: &'static str;
    /// Its version (its crate's).
    const VERSION: &'static str;
    /// What the declaration's doc comment says.
    const DOCS: &'static [&'static str];
    /// The input of `deploy`, SCALE-encoded.
    type Deploy: TypeInfo + 'static;
    /// The input of `call`.
    type Message: Message + TypeInfo + 'static;
    /// The output of a message that reverts.
    type Error: TypeInfo + 'static;
    /// The events it emits.
    type Event: Event + TypeInfo + 'static;
}

/// For a contract without events: no values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, codec::Decode, TypeInfo)]
pub enum NoEvents {}

impl Event for NoEvents {
    const SIGNATURES: &'static [Hash] = &[];
    const TOPIC_FIELDS: &'static [&'static [usize]] = &[];

    fn topics(&self) -> Vec<Hash> {
        match *self {}
    }
}

/// A field as a topic: its encoding padded with zeros, or its BLAKE2b-256 hash if
/// longer than 32 bytes (in a contract through the chain's host function, which is
/// cheaper than hashing in the VM; elsewhere, in tests and clients, directly).
pub fn topic<T: Encode + ?Sized>(value: &T) -> Hash {
    let encoded = value.encode();
    if encoded.len() > 32 {
        #[cfg(all(any(target_arch = "riscv32", target_arch = "riscv64"), target_feature = "e"))]
        return crate::hash_blake2_256(&encoded);
        #[cfg(not(all(any(target_arch = "riscv32", target_arch = "riscv64"), target_feature = "e")))]
        {
            use blake2::Digest;
            return blake2::Blake2b::<blake2::digest::consts::U32>::digest(&encoded).into();
        }
    }
    let mut topic = [0; 32];
    topic[..encoded.len()].copy_from_slice(&encoded);
    topic
}

/// Emits `event`: its topics and its encoding (see the module's documentation).
pub fn emit<E: Event>(event: &E) {
    crate::deposit_event(&event.topics(), &event.encode());
}

/// Declares a contract's interface (see the [module](mod@crate::interface)): a unit
/// struct implementing [`Contract`], which `polkatool build` finds to write the
/// contract's metadata.
#[macro_export]
macro_rules! interface {
    (
        $(#[doc = $doc:expr])*
        $name:ident { deploy: $deploy:ty, message: $message:ty, error: $error:ty, event: $event:ty $(,)? }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $crate::interface::Contract for $name {
            const NAME: &'static str = ::core::env!("CARGO_PKG_NAME");
            const VERSION: &'static str = ::core::env!("CARGO_PKG_VERSION");
            const DOCS: &'static [&'static str] = &[$($doc),*];
            type Deploy = $deploy;
            type Message = $message;
            type Error = $error;
            type Event = $event;
        }

        /// The interface `polkatool build` describes in the metadata.
        #[doc(hidden)]
        pub type __PvmContractInterface = $name;
    };
}
