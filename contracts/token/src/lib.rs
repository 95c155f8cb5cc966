//! Token: a fungible token in the style of ERC-20.
//!
//! # Messages
//!
//! All values are SCALE-encoded; accounts are `[u8; 32]`, amounts `u128`.
//!
//! - `deploy` input: `u128`, the total supply, all of it minted to the deployer (the
//!   caller of `deploy`), with a `Transfer` event from the zero account `[0; 32]`.
//! - `call` input: [`Msg`]; the variant index (the wire's first byte) follows the
//!   declaration order, then the fields in order:
//!
//! | index | message | output |
//! | ----- | ------- | ------ |
//! | 0 | `TotalSupply` | `u128` |
//! | 1 | `BalanceOf(AccountId)` | `u128` |
//! | 2 | `Transfer { to: AccountId, value: u128 }` | nothing |
//! | 3 | `Approve { spender: AccountId, value: u128 }` | nothing |
//! | 4 | `Allowance { owner: AccountId, spender: AccountId }` | `u128` |
//! | 5 | `TransferFrom { from: AccountId, to: AccountId, value: u128 }` | nothing |
//!
//! `Transfer` moves the caller's tokens; `Approve` sets (replaces) how many of the
//! caller's tokens `spender` may move; `TransferFrom` moves `from`'s tokens on behalf of
//! the caller, spending the allowance `from` gave the caller.
//!
//! Failures revert with an [`Error`] as output: `0` = `InsufficientBalance`, `1` =
//! `InsufficientAllowance` (`TransferFrom` checks the allowance first). Input that does
//! not decode reverts with empty output.
//!
//! # Events
//!
//! [`Event`], emitted as `pvm_contract::interface` describes: topics
//! `[blake2_256(b"Transfer"), from, to]` and `[blake2_256(b"Approval"), owner, spender]`,
//! data the encoded [`Event`].
//!
//! # Storage
//!
//! `b"supply"`: the total supply; `b"b" ++ account`: a balance; `b"a" ++ owner ++
//! spender`: an allowance; each a `u128`, absent when 0.
#![no_std]

use codec::{Decode, Encode};
use pvm_contract::{AccountId, Event, Message};
use scale_info::TypeInfo;

pvm_contract::interface! {
    /// A fungible token in the style of ERC-20; `deploy` takes the total supply.
    Token { deploy: u128, message: Msg, error: Error, event: Event }
}

/// The messages of `call`.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, Message)]
pub enum Msg {
    /// The total supply.
    #[returns(u128)]
    TotalSupply,
    /// An account's balance.
    #[returns(u128)]
    BalanceOf(AccountId),
    /// Moves `value` of the caller's tokens to `to`.
    Transfer { to: AccountId, value: u128 },
    /// Lets `spender` move up to `value` of the caller's tokens (replacing any earlier
    /// allowance).
    Approve { spender: AccountId, value: u128 },
    /// How many of `owner`'s tokens `spender` may move.
    #[returns(u128)]
    Allowance { owner: AccountId, spender: AccountId },
    /// Moves `value` of `from`'s tokens to `to`, spending the allowance `from` gave the
    /// caller.
    TransferFrom { from: AccountId, to: AccountId, value: u128 },
}

/// What a failed message reverts with.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum Error {
    /// The account holds fewer tokens than the message moves.
    InsufficientBalance,
    /// The caller may move fewer of `from`'s tokens than the message moves.
    InsufficientAllowance,
}

/// What the token emits.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, Event)]
pub enum Event {
    /// Tokens moved (from the zero account `[0; 32]` when minted by `deploy`).
    Transfer {
        #[topic]
        from: AccountId,
        #[topic]
        to: AccountId,
        value: u128,
    },
    /// `owner` set how many of its tokens `spender` may move.
    Approval {
        #[topic]
        owner: AccountId,
        #[topic]
        spender: AccountId,
        value: u128,
    },
}
