//! What things cost, in gas.
//!
//! One unit of gas is one VM instruction (the naive cost model the VM meters with);
//! [`Config::WeightPerGas`](crate::Config::WeightPerGas) converts gas into weight. Host
//! functions charge their cost from the same gas counter before they act, so a
//! contract cannot make the chain do work it has not paid for.

use codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Gas costs of everything a contract can make the chain do besides running
/// instructions. The defaults assume that one gas unit is worth about 10 ns
/// (`WeightPerGas` = 10,000 ps) and a database read about 25 µs and a write 100 µs, as
/// in `RocksDbWeight`.
///
/// `benches/weights.rs` measures the computation part on the native mock runtime: one
/// unit of gas (an instruction) about 2.6-4 ns; a host call about 8 ns (2 gas at that
/// rate, `host_call` charges 20); `set_storage` about 0.85 µs besides the database
/// write; an event about 1.2 µs (300 gas; charged from 1,500); blake2 about 0.9 ns per
/// byte (0.2 gas; charged 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct Schedule {
    /// Every host function call, before its own cost.
    pub host_call: u64,
    /// Loading a contract's code, per byte of the blob (parsing and translation).
    pub code_load_per_byte: u64,
    /// Starting a call frame: loading the contract's info and code from storage.
    pub frame: u64,
    /// Reading a storage item.
    pub storage_read: u64,
    /// Writing or removing a storage item (includes the deposit bookkeeping).
    pub storage_write: u64,
    /// Per byte of a storage key or value read or written.
    pub storage_per_byte: u64,
    /// A balance transfer or a balance lookup of another account.
    pub transfer: u64,
    /// Reading a balance.
    pub balance_read: u64,
    /// Emitting an event.
    pub event: u64,
    /// Per topic of an event.
    pub event_per_topic: u64,
    /// Per byte of an event's data.
    pub event_per_byte: u64,
    /// Hashing, per call.
    pub hash: u64,
    /// Hashing, per input byte.
    pub hash_per_byte: u64,
    /// Copying data between the host and the guest, per byte.
    pub copy_per_byte: u64,
    /// Terminating a contract, plus `storage_write` per storage item it leaves behind.
    pub terminate: u64,
    /// Creating a contract (account, info, code reference).
    pub instantiate: u64,
    /// Each 4 KiB page the heap grows by (`sbrk`), charged at the next host call or when
    /// the frame ends.
    pub heap_page: u64,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            host_call: 20,
            code_load_per_byte: 2,
            frame: 5_000,
            storage_read: 2_500,
            storage_write: 10_000,
            storage_per_byte: 1,
            transfer: 25_000,
            balance_read: 2_500,
            event: 1_000,
            event_per_topic: 500,
            event_per_byte: 2,
            hash: 100,
            hash_per_byte: 1,
            copy_per_byte: 1,
            terminate: 25_000,
            instantiate: 25_000,
            heap_page: 500,
        }
    }
}

impl Schedule {
    /// The cost of a storage access with `bytes` of key and value.
    pub fn storage(&self, write: bool, bytes: usize) -> u64 {
        let base = if write { self.storage_write } else { self.storage_read };
        base.saturating_add(self.storage_per_byte.saturating_mul(bytes as u64))
    }

    /// The cost of moving `bytes` between host and guest.
    pub fn copy(&self, bytes: usize) -> u64 {
        self.copy_per_byte.saturating_mul(bytes as u64)
    }
}
