//! Compute: a contract that does a lot of work and little else, for measuring how fast
//! a chain runs contract code (`scripts/bench-chain.sh`). It runs the benchmark
//! programs' computations (`bench_kernels`), so the chain's figures compare with the
//! VM's own benchmarks.
//!
//! # Messages
//!
//! All values are SCALE-encoded. `deploy` takes no input. `call` input: [`Msg`]; the
//! variant index (the wire's first byte) follows the declaration order:
//!
//! | index | message | output |
//! | ----- | ------- | ------ |
//! | 0 | `Sieve(u32)` | `u32`: the primes up to the limit; reverts (empty output) above [`MAX_SIEVE_LIMIT`] |
//! | 1 | `Emulate(u32)` | `u32`: the emulated system's checksum after that many frames from power-on |
//!
//! Input that does not decode reverts with empty output.
#![no_std]

use codec::{Decode, Encode};
use pvm_contract::{interface::NoEvents, Message};
use scale_info::TypeInfo;

pvm_contract::interface! {
    /// Heavy computations in a contract, for benchmarks.
    Compute { deploy: (), message: Msg, error: (), event: NoEvents }
}

/// The messages of `call`.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo, Message)]
pub enum Msg {
    /// Counts the primes up to the limit.
    #[returns(u32)]
    Sieve(u32),
    /// Emulates frames of the NES-like system; returns a checksum of its state.
    #[returns(u32)]
    Emulate(u32),
}
