//! Wallet: a multisig wallet. Owners propose transfers or contract calls, and a
//! proposal runs once `threshold` owners have confirmed it.
//!
//! # Messages
//!
//! All values are SCALE-encoded; accounts are `[u8; 32]`, amounts `u128`.
//!
//! - `deploy` input: `(Vec<AccountId>, u32)`, the owners and the threshold. Reverts
//!   (empty output) unless the owners are distinct and `1 <= threshold <= owners`. Value
//!   sent with `deploy` stays in the wallet.
//! - `call` input: [`Msg`]; the variant index (the wire's first byte) follows the
//!   declaration order, then the fields in order:
//!
//! | index | message | output |
//! | ----- | ------- | ------ |
//! | 0 | `Submit { dest: AccountId, value: u128, input: Vec<u8> }` | `u32`, the proposal id |
//! | 1 | `Confirm(u32)` | nothing |
//! | 2 | `Get(u32)` | `(AccountId, u128, u32, bool, bool)`: dest, value, confirmations, executed, ok |
//! | 3 | `Owners` | `Vec<AccountId>` |
//!
//! `Submit` and `Confirm` are for owners only. Proposal ids count from 0. `Submit` also
//! confirms the proposal for its submitter; `Confirm` reverts if the proposal does not
//! exist, has already run, or the caller already confirmed it. `Get` reverts for an
//! unknown id. Reverts have empty output, as has input that does not decode.
//!
//! # Execution
//!
//! The confirmation that reaches the threshold runs the proposal, once: with empty
//! `input` it transfers `value` to `dest`, otherwise it calls `dest` with `input` and
//! `value`, with all the gas left (so a callee that runs out of gas takes the wallet's
//! gas too). If that fails the proposal is marked executed but not ok, and the wallet's
//! own message still succeeds. Then it emits [`Event::Executed`]: topics
//! `[blake2_256(b"Executed"), id]` (the `u32` id zero-padded), data the encoded event.
#![no_std]

extern crate alloc;

use alloc::vec::Vec;

use codec::{Decode, Encode};
use pvm_contract::{AccountId, Event, Message};
use scale_info::TypeInfo;

pvm_contract::interface! {
    /// A multi-signature wallet; `deploy` takes the owners and the threshold.
    Wallet { deploy: (Vec<AccountId>, u32), message: Msg, error: (), event: Event }
}

/// The messages of `call`.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, Message)]
pub enum Msg {
    /// Proposes sending `value` (and calling with `input`, unless empty) to `dest`,
    /// confirmed by the caller; returns the proposal's id.
    #[returns(u32)]
    Submit { dest: AccountId, value: u128, input: Vec<u8> },
    /// Confirms a proposal; it runs when the confirmations reach the threshold.
    Confirm(u32),
    /// A proposal: destination, value, confirmations, whether it ran, whether it
    /// succeeded.
    #[returns((AccountId, u128, u32, bool, bool))]
    Get(u32),
    /// The owners.
    #[returns(Vec<AccountId>)]
    Owners,
}

/// What the wallet emits.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, Event)]
pub enum Event {
    /// A proposal ran; `ok` says whether its transfer or call succeeded.
    Executed {
        #[topic]
        id: u32,
        ok: bool,
    },
}
