//! What things cost, in gas.

use codec::{Decode, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// The unit in which heap growth is charged ([`Schedule::heap_page`]).
pub const HEAP_PAGE_SIZE: u32 = 4096;

/// Gas costs of everything a contract can make the chain do besides running
/// instructions. The pallet derives them from its benchmarked weights
/// (`pallet_pvm_contracts::schedule::measured`).
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
    /// Each [`HEAP_PAGE_SIZE`] page the heap grows by (`sbrk`), charged at the next host
    /// call or when the frame ends.
    pub heap_page: u64,
}

impl Schedule {
    /// The cost of a storage access with `bytes` of key and value.
    pub fn storage(&self, write: bool, bytes: u64) -> u64 {
        let base = if write { self.storage_write } else { self.storage_read };
        base.saturating_add(self.storage_per_byte.saturating_mul(bytes))
    }

    /// The cost of moving `bytes` between host and guest.
    pub fn copy(&self, bytes: u64) -> u64 {
        self.copy_per_byte.saturating_mul(bytes)
    }

    /// The cost of the heap pages a heap of `heap_size` bytes has beyond the
    /// `pages_charged` already paid for, and the number of pages it has.
    pub fn heap_growth(&self, heap_size: u32, pages_charged: u32) -> (u64, u32) {
        let pages = heap_size.div_ceil(HEAP_PAGE_SIZE);
        (self.heap_page.saturating_mul(u64::from(pages.saturating_sub(pages_charged))), pages)
    }
}
