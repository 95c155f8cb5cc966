//! # `pvm-node`
//!
//! A solo-chain node for the `pvm-chain` runtime (with the PolkaVM contracts pallet):
//! Aura block production, GRANDPA finality, ParityDB storage, the standard Substrate
//! RPC plus `system_accountNextIndex` and the transaction-payment RPC.
//!
//! `pvm-node --dev` runs a one-validator development chain (Alice); `--chain local`
//! is the local testnet of Alice and Bob (with `--alice`/`--bob`), or any chain spec
//! file, e.g. zombienet's (see `zombienet/`).

// The node's errors are polkadot-sdk's (`sc_cli::Error`, `sc_service::Error`), large
// by its design; boxing them here would only convert back and forth.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
    command::run()
}
