//! SDK for contracts of `pallet-pvm-contracts`.
//!
//! A contract is a PolkaVM guest program (see `pvm-guest`) that exports `deploy` and
//! `call` and talks to the chain through the host functions of `pvm-contracts-abi`. This
//! crate wraps every host function in a safe function, so that a contract reads like
//! ordinary Rust:
//!
//! - input and output: [`input`], [`decode_input`], [`return_value`], [`revert`],
//!   [`return_encoded`];
//! - storage: the [`storage`] module, for raw bytes and for SCALE-encoded values;
//! - the environment: [`caller`], [`address`], [`value_transferred`], [`balance`],
//!   [`balance_of`], [`block_number`], [`now`], [`gas_left`];
//! - other accounts: [`transfer`], [`call`], [`call_with_flags`], [`instantiate`],
//!   [`terminate`];
//! - events, hashing and debugging: [`deposit_event`], [`hash_blake2_256`],
//!   [`hash_blake2_128`], [`debug_message`], [`debug!`];
//! - the contract's interface, declared once for the contract, its tests and its
//!   clients: [`interface`](mod@interface) (`#[derive(Message)]`, `#[derive(Event)]`, [`emit`],
//!   [`interface!`]), and its metadata, the `metadata` module (feature `metadata`, on the host).
//!
//! Values are SCALE-encoded with `parity-scale-codec`, re-exported as [`codec`].
//!
//! Contract bugs end the call with a trap: bad arguments (a storage key longer than
//! [`abi::MAX_STORAGE_KEY_LEN`], more than [`abi::MAX_EVENT_TOPICS`] topics, a gas
//! limit above what is left), a host function answering with a [`ReturnCode`] the ABI
//! does not allow there, or a stored value that does not decode.
//!
//! On targets other than PolkaVM this crate compiles (so `cargo check`, `cargo doc`
//! and `cargo clippy` work on the host) but cannot run: the host functions are then
//! undefined `extern "C"` functions.
//!
//! # Example
//!
//! A complete contract, a counter that anybody may increment (it only builds for the
//! PolkaVM targets, hence not run as a doctest). Its `Cargo.toml` depends on
//! `pvm-guest`, `pvm-contract` and `parity-scale-codec` (renamed `codec`, with the
//! `derive` feature and without default features).
//!
//! ```ignore
//! #![no_std]
//! #![no_main]
//!
//! use codec::{Decode, Encode};
//! use pvm_contract::storage;
//!
//! #[global_allocator]
//! static ALLOCATOR: pvm_guest::LeakingAllocator = pvm_guest::LeakingAllocator::new();
//!
//! pvm_guest::panic_handler!();
//!
//! /// The messages of `call`, SCALE-encoded.
//! #[derive(Decode, Encode)]
//! enum Msg {
//!     /// Adds one; returns the new count.
//!     Increment,
//!     /// Returns the count.
//!     Get,
//! }
//!
//! const COUNT: &[u8] = b"count";
//!
//! #[pvm_guest::polkavm_export]
//! extern "C" fn deploy() {
//!     storage::set_value(COUNT, &0u64);
//! }
//!
//! #[pvm_guest::polkavm_export]
//! extern "C" fn call() {
//!     let Some(msg) = pvm_contract::decode_input::<Msg>() else { pvm_contract::revert(&[]) };
//!     let count = storage::get_value::<u64>(COUNT).unwrap_or(0);
//!     match msg {
//!         Msg::Increment => {
//!             let Some(count) = count.checked_add(1) else { pvm_contract::revert(&[]) };
//!             storage::set_value(COUNT, &count);
//!             let topic = pvm_contract::hash_blake2_256(b"Incremented");
//!             pvm_contract::deposit_event(&[topic], &count.encode());
//!             pvm_contract::return_encoded(&count)
//!         }
//!         Msg::Get => pvm_contract::return_encoded(&count),
//!     }
//! }
//! ```
//!
//! # Pointers
//!
//! Rust gives an empty slice a dangling (non-null, but unmapped) address. The wrappers
//! never pass such an address to the host: an empty buffer points at a mapped byte
//! instead, so that the call works whether or not the host checks the address of a
//! zero-length access.

#![no_std]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(feature = "metadata")]
extern crate std;

pub mod interface;
#[cfg(feature = "metadata")]
pub mod metadata;

pub use interface::{emit, Contract};
pub use pvm_contract_macros::{Event, Message};
pub use scale_info;

use alloc::vec::Vec;

/// The ABI between the pallet and its contracts (`pvm-contracts-abi`).
pub use abi;
pub use abi::ReturnCode;
/// SCALE encoding (`parity-scale-codec`), for messages, outputs and stored values.
pub use codec;
use codec::{DecodeAll, Encode};

/// An account id.
pub type AccountId = [u8; abi::ACCOUNT_LEN];
/// A blake2-256 hash: a code hash or an event topic.
pub type Hash = [u8; abi::HASH_LEN];
/// A balance; it crosses the ABI as [`abi::BALANCE_LEN`] little-endian bytes.
pub type Balance = u128;

/// The host functions, exactly as [`abi::host`] describes them. Pointers and lengths are
/// `usize`, which on the 64-bit targets the pallet runs is the ABI's `u64` register (and
/// keeps every import within the six argument registers of the 32-bit targets).
mod raw {
    #[pvm_guest::polkavm_import]
    extern "C" {
        pub fn set_storage(key_ptr: *const u8, key_len: usize, value_ptr: *const u8, value_len: usize) -> u64;
        pub fn get_storage(key_ptr: *const u8, key_len: usize, out_ptr: *mut u8, out_len_ptr: *mut u32) -> u64;
        pub fn clear_storage(key_ptr: *const u8, key_len: usize) -> u64;
        pub fn contains_storage(key_ptr: *const u8, key_len: usize) -> u64;
        pub fn take_storage(key_ptr: *const u8, key_len: usize, out_ptr: *mut u8, out_len_ptr: *mut u32) -> u64;

        pub fn input_size() -> u64;
        pub fn input_copy(out_ptr: *mut u8, offset: usize, len: usize) -> u64;
        pub fn return_value(flags: u64, data_ptr: *const u8, data_len: usize);

        pub fn return_data_size() -> u64;
        pub fn return_data_copy(out_ptr: *mut u8, offset: usize, len: usize) -> u64;

        pub fn deposit_event(topics_ptr: *const u8, topics_count: usize, data_ptr: *const u8, data_len: usize);
        pub fn transfer(to_ptr: *const u8, value_ptr: *const u8) -> u64;

        pub fn caller(out_ptr: *mut u8);
        pub fn address(out_ptr: *mut u8);
        pub fn value_transferred(out_ptr: *mut u8);
        pub fn balance(out_ptr: *mut u8);
        pub fn balance_of(account_ptr: *const u8, out_ptr: *mut u8);
        pub fn block_number() -> u64;
        pub fn now() -> u64;
        pub fn gas_left() -> u64;

        pub fn hash_blake2_256(input_ptr: *const u8, input_len: usize, out_ptr: *mut u8);
        pub fn hash_blake2_128(input_ptr: *const u8, input_len: usize, out_ptr: *mut u8);

        pub fn call(args_ptr: *const u8) -> u64;
        pub fn instantiate(args_ptr: *const u8) -> u64;
        pub fn terminate(beneficiary_ptr: *const u8);
        pub fn debug_message(ptr: *const u8, len: usize) -> u64;
    }
}

/// The [`ReturnCode`] a host function returned; traps on a value that is none.
fn return_code(value: u64) -> ReturnCode {
    ReturnCode::from_u64(value).unwrap_or_else(|| pvm_guest::trap())
}

/// Where `slice` starts, as the host gets it. Rust gives an empty slice a dangling
/// address (such as 1), which is not mapped, and a host that checks the address even of
/// a zero-length access would trap on it; so an empty slice points at a static byte
/// instead.
fn ptr<T>(slice: &[T]) -> *const u8 {
    static ANYWHERE: u8 = 0;
    if slice.is_empty() {
        &ANYWHERE
    } else {
        slice.as_ptr().cast()
    }
}

/// A pointer as the `u64` that [`abi::CallArgs`] and [`abi::InstantiateArgs`] hold.
fn address_of(pointer: *const u8) -> u64 {
    pointer as usize as u64
}

/// Reads `len` bytes with `copy(out_ptr, len)`, which returns how many it wrote.
fn read_vec(len: usize, copy: impl FnOnce(*mut u8, usize) -> u64) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(len);
    if len > 0 {
        let copied = copy(bytes.as_mut_ptr(), len);
        // SAFETY: the host wrote `copied` bytes into the buffer, which has room for `len`
        // (and `min` keeps a misbehaving host from making us read past it).
        unsafe { bytes.set_len(usize::try_from(copied).map_or(len, |copied| copied.min(len))) };
    }
    bytes
}

/// Reads a fixed-size value that a host function writes to `out_ptr`.
fn read_array<const N: usize>(read: impl FnOnce(*mut u8)) -> [u8; N] {
    let mut out = [0; N];
    read(out.as_mut_ptr());
    out
}

// ---------------------------------------------------------------------------------------
// Input and output.

/// The length of the call's input.
pub fn input_size() -> usize {
    // SAFETY: the host function has no arguments.
    unsafe { raw::input_size() as usize }
}

/// Copies the start of the input into `buffer`; returns how many bytes it copied
/// (`min(buffer.len(), input_size())`).
pub fn input_into(buffer: &mut [u8]) -> usize {
    if buffer.is_empty() {
        return 0;
    }
    // SAFETY: `buffer` is writable for `buffer.len()` bytes.
    let copied = unsafe { raw::input_copy(buffer.as_mut_ptr(), 0, buffer.len()) };
    usize::try_from(copied).map_or(buffer.len(), |copied| copied.min(buffer.len()))
}

/// The call's whole input.
pub fn input() -> Vec<u8> {
    read_vec(input_size(), |out_ptr, len| {
        // SAFETY: `out_ptr` is writable for `len` bytes.
        unsafe { raw::input_copy(out_ptr, 0, len) }
    })
}

/// The input decoded as a `T`, which must use all of it; `None` if it does not decode.
///
/// ```ignore
/// let Some(msg) = pvm_contract::decode_input::<Msg>() else { pvm_contract::revert(&[]) };
/// ```
pub fn decode_input<T: DecodeAll>() -> Option<T> {
    T::decode_all(&mut &input()[..]).ok()
}

/// Ends the call successfully, with `data` as its output. State changes are kept.
///
/// (Returning from `deploy` or `call` also succeeds, with empty output.)
pub fn return_value(data: &[u8]) -> ! {
    // SAFETY: `data` is readable for `data.len()` bytes.
    unsafe { raw::return_value(0, ptr(data), data.len()) };
    // The host never returns from `return_value`.
    pvm_guest::trap()
}

/// Ends the call successfully, with `value`'s SCALE encoding as its output.
pub fn return_encoded<T: Encode + ?Sized>(value: &T) -> ! {
    return_value(&value.encode())
}

/// Ends the call as reverted, with `data` as its output: the state changes of this call
/// are rolled back, and the caller sees [`CallError::Reverted`] with the data.
pub fn revert(data: &[u8]) -> ! {
    // SAFETY: `data` is readable for `data.len()` bytes.
    unsafe { raw::return_value(abi::return_flags::REVERT, ptr(data), data.len()) };
    // The host never returns from `return_value`.
    pvm_guest::trap()
}

/// Ends the call as reverted, with `value`'s SCALE encoding as its output.
pub fn revert_encoded<T: Encode + ?Sized>(value: &T) -> ! {
    revert(&value.encode())
}

/// The output of the last [`call`] or [`instantiate`] this call made (empty before the
/// first one, and after one that failed without running to its end).
///
/// [`call`] and [`instantiate`] already return it; this is for reading it again.
pub fn return_data() -> Vec<u8> {
    // SAFETY: the host function has no arguments.
    let len = unsafe { raw::return_data_size() } as usize;
    read_vec(len, |out_ptr, len| {
        // SAFETY: `out_ptr` is writable for `len` bytes.
        unsafe { raw::return_data_copy(out_ptr, 0, len) }
    })
}

// ---------------------------------------------------------------------------------------
// Storage.

/// The contract's storage: values of up to `u32::MAX` bytes under keys of up to
/// [`abi::MAX_STORAGE_KEY_LEN`] bytes (a longer key traps).
///
/// The functions that return `Option<u32>` give the length of the value that was
/// there, or `None` if there was none.
pub mod storage {
    use alloc::vec::Vec;

    use codec::{Decode, DecodeAll, Encode};

    use super::{ptr, raw, return_code, ReturnCode};

    /// Why [`get_into`] read nothing.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum GetError {
        /// The key has no value.
        NotFound,
        /// The buffer is smaller than the value, which is `needed` bytes long.
        BufferTooSmall {
            /// The value's length.
            needed: u32,
        },
    }

    /// A storage function's length result: `None` for [`abi::SENTINEL`].
    pub(crate) fn length(value: u64) -> Option<u32> {
        match value {
            abi::SENTINEL => None,
            // Values are at most `u32::MAX` bytes long.
            length => Some(u32::try_from(length).unwrap_or_else(|_| pvm_guest::trap())),
        }
    }

    /// `get_storage` or `take_storage` into `capacity` bytes at `out_ptr`: the return
    /// code and the length the host wrote back.
    fn read(key: &[u8], out_ptr: *mut u8, capacity: u32, take: bool) -> (ReturnCode, u32) {
        let mut len = capacity;
        // An empty buffer's pointer may dangle (see `ptr`): give the host a real one.
        let mut spare = 0u8;
        let out_ptr = if capacity == 0 { &mut spare as *mut u8 } else { out_ptr };
        let code = if take {
            // SAFETY: `key` is readable, `out_ptr` writable for `capacity` bytes (the
            // caller's promise) and `len` is a writable `u32`.
            unsafe { raw::take_storage(ptr(key), key.len(), out_ptr, &mut len) }
        } else {
            // SAFETY: as above.
            unsafe { raw::get_storage(ptr(key), key.len(), out_ptr, &mut len) }
        };
        (return_code(code), len)
    }

    /// Reads (or takes) a whole value.
    fn read_vec(key: &[u8], take: bool) -> Option<Vec<u8>> {
        // Ask for the length first, so that the buffer fits; should the value change
        // size in between (it cannot), try again with the length the host tells.
        let mut capacity = contains(key)?;
        loop {
            let mut value = Vec::with_capacity(capacity as usize);
            match read(key, value.as_mut_ptr(), capacity, take) {
                (ReturnCode::Success, len) => {
                    // SAFETY: the host wrote `len` bytes, at most the capacity it was
                    // given (`min` guards against a host that says otherwise).
                    unsafe { value.set_len(len.min(capacity) as usize) };
                    return Some(value);
                }
                (ReturnCode::KeyNotFound, _) => return None,
                (ReturnCode::OutputBufferTooSmall, needed) => capacity = needed,
                _ => pvm_guest::trap(),
            }
        }
    }

    /// Decodes a stored value; traps if it does not decode, which is a contract bug.
    fn decode<T: Decode>(bytes: &[u8]) -> T {
        T::decode_all(&mut &bytes[..]).unwrap_or_else(|_| pvm_guest::trap())
    }

    /// The value under `key`.
    pub fn get(key: &[u8]) -> Option<Vec<u8>> {
        read_vec(key, false)
    }

    /// Reads the value under `key` into the start of `buffer`; returns its length.
    pub fn get_into(key: &[u8], buffer: &mut [u8]) -> Result<usize, GetError> {
        let capacity = u32::try_from(buffer.len()).unwrap_or(u32::MAX);
        match read(key, buffer.as_mut_ptr(), capacity, false) {
            (ReturnCode::Success, len) => Ok((len.min(capacity)) as usize),
            (ReturnCode::KeyNotFound, _) => Err(GetError::NotFound),
            (ReturnCode::OutputBufferTooSmall, needed) => Err(GetError::BufferTooSmall { needed }),
            _ => pvm_guest::trap(),
        }
    }

    /// Stores `value` under `key`; returns the length of the value it replaced.
    pub fn set(key: &[u8], value: &[u8]) -> Option<u32> {
        // SAFETY: `key` and `value` are readable for their lengths.
        length(unsafe { raw::set_storage(ptr(key), key.len(), ptr(value), value.len()) })
    }

    /// Removes the value under `key`; returns its length.
    pub fn clear(key: &[u8]) -> Option<u32> {
        // SAFETY: `key` is readable for its length.
        length(unsafe { raw::clear_storage(ptr(key), key.len()) })
    }

    /// The length of the value under `key`, if there is one.
    pub fn contains(key: &[u8]) -> Option<u32> {
        // SAFETY: `key` is readable for its length.
        length(unsafe { raw::contains_storage(ptr(key), key.len()) })
    }

    /// Removes the value under `key` and returns it.
    pub fn take(key: &[u8]) -> Option<Vec<u8>> {
        read_vec(key, true)
    }

    /// The SCALE-encoded value under `key`, decoded; traps if it does not decode as a
    /// `T`.
    pub fn get_value<T: Decode>(key: &[u8]) -> Option<T> {
        get(key).map(|bytes| decode(&bytes))
    }

    /// Stores `value` SCALE-encoded under `key`; returns the length of the value it
    /// replaced.
    pub fn set_value<T: Encode + ?Sized>(key: &[u8], value: &T) -> Option<u32> {
        value.using_encoded(|bytes| set(key, bytes))
    }

    /// Removes the SCALE-encoded value under `key` and returns it decoded; traps if it
    /// does not decode as a `T`.
    pub fn take_value<T: Decode>(key: &[u8]) -> Option<T> {
        take(key).map(|bytes| decode(&bytes))
    }
}

// ---------------------------------------------------------------------------------------
// Events, balances and the environment.

/// Emits an event with `topics` (at most [`abi::MAX_EVENT_TOPICS`], or the call traps)
/// and `data`.
pub fn deposit_event(topics: &[Hash], data: &[u8]) {
    // SAFETY: `topics` is readable for `topics.len()` hashes of 32 bytes each, `data`
    // for its length.
    unsafe { raw::deposit_event(ptr(topics), topics.len(), ptr(data), data.len()) }
}

/// [`transfer`] failed: the contract has too little free balance, or the transfer would
/// have removed an account that must stay alive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransferFailed;

/// Sends `value` from this contract's balance to `to`.
pub fn transfer(to: &AccountId, value: Balance) -> Result<(), TransferFailed> {
    let value = value.to_le_bytes();
    // SAFETY: both pointers point at buffers of the lengths the ABI says.
    match return_code(unsafe { raw::transfer(to.as_ptr(), value.as_ptr()) }) {
        ReturnCode::Success => Ok(()),
        ReturnCode::TransferFailed => Err(TransferFailed),
        _ => pvm_guest::trap(),
    }
}

/// The account that called this contract: a user, or the contract that made the
/// [`call`] or [`instantiate`].
pub fn caller() -> AccountId {
    // SAFETY: the host writes an account (32 bytes) into the buffer.
    read_array(|out_ptr| unsafe { raw::caller(out_ptr) })
}

/// This contract's account.
pub fn address() -> AccountId {
    // SAFETY: the host writes an account (32 bytes) into the buffer.
    read_array(|out_ptr| unsafe { raw::address(out_ptr) })
}

/// The value sent with this call (already added to [`balance`]).
pub fn value_transferred() -> Balance {
    // SAFETY: the host writes a balance (16 bytes) into the buffer.
    Balance::from_le_bytes(read_array(|out_ptr| unsafe { raw::value_transferred(out_ptr) }))
}

/// This contract's free balance.
pub fn balance() -> Balance {
    // SAFETY: the host writes a balance (16 bytes) into the buffer.
    Balance::from_le_bytes(read_array(|out_ptr| unsafe { raw::balance(out_ptr) }))
}

/// `account`'s free balance.
pub fn balance_of(account: &AccountId) -> Balance {
    // SAFETY: `account` is 32 readable bytes; the host writes a balance (16 bytes) into
    // the buffer.
    Balance::from_le_bytes(read_array(|out_ptr| unsafe { raw::balance_of(account.as_ptr(), out_ptr) }))
}

/// The current block's number.
pub fn block_number() -> u64 {
    // SAFETY: the host function has no arguments.
    unsafe { raw::block_number() }
}

/// The current block's timestamp, in milliseconds.
pub fn now() -> u64 {
    // SAFETY: the host function has no arguments.
    unsafe { raw::now() }
}

/// The gas this call has left.
pub fn gas_left() -> u64 {
    // SAFETY: the host function has no arguments.
    unsafe { raw::gas_left() }
}

/// The blake2-256 hash of `input`.
pub fn hash_blake2_256(input: &[u8]) -> [u8; 32] {
    // SAFETY: `input` is readable for its length; the host writes 32 bytes.
    read_array(|out_ptr| unsafe { raw::hash_blake2_256(ptr(input), input.len(), out_ptr) })
}

/// The blake2-128 hash of `input`.
pub fn hash_blake2_128(input: &[u8]) -> [u8; 16] {
    // SAFETY: `input` is readable for its length; the host writes 16 bytes.
    read_array(|out_ptr| unsafe { raw::hash_blake2_128(ptr(input), input.len(), out_ptr) })
}

/// Records `message` in a dry run's debug output; on chain, where debug messages are
/// disabled, it does nothing (but still costs gas).
pub fn debug_message(message: &str) {
    // SAFETY: `message` is readable for its length.
    let code = unsafe { raw::debug_message(ptr(message.as_bytes()), message.len()) };
    match return_code(code) {
        ReturnCode::Success | ReturnCode::DebugMessagesDisabled => {}
        _ => pvm_guest::trap(),
    }
}

/// Formats a message like [`alloc::format!`] and records it with [`debug_message`].
///
/// The formatting code and the work it does cost code size and gas even on chain, where
/// the message is then dropped.
///
/// ```ignore
/// pvm_contract::debug!("balance: {}", pvm_contract::balance());
/// ```
#[macro_export]
macro_rules! debug {
    ($($arg:tt)*) => {
        $crate::debug_message(&$crate::__private::format!($($arg)*))
    };
}

#[doc(hidden)]
pub mod __private {
    pub use alloc::{format, vec, vec::Vec};
}

// ---------------------------------------------------------------------------------------
// Calls.

/// Why a [`call`] or [`instantiate`] failed. The callee's state changes were rolled
/// back (or it never ran).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError {
    /// The callee reverted, with this output.
    Reverted(Vec<u8>),
    /// The callee trapped or ran out of gas.
    Trapped,
    /// The value could not be sent.
    TransferFailed,
    /// The callee is not a contract (only [`call`]).
    NotAContract,
    /// No code is stored under the code hash (only [`instantiate`]).
    CodeNotFound,
    /// A contract already exists at the new contract's address (only [`instantiate`]).
    DuplicateContract,
    /// The callee is already on the call stack, and the call did not allow re-entry
    /// (see [`call_with_flags`]).
    ReentranceDenied,
    /// The call stack is as deep as it may get.
    CallDepthExceeded,
}

impl CallError {
    /// The return code that reports this error.
    pub fn return_code(&self) -> ReturnCode {
        match self {
            CallError::Reverted(_) => ReturnCode::CalleeReverted,
            CallError::Trapped => ReturnCode::CalleeTrapped,
            CallError::TransferFailed => ReturnCode::TransferFailed,
            CallError::NotAContract => ReturnCode::NotAContract,
            CallError::CodeNotFound => ReturnCode::CodeNotFound,
            CallError::DuplicateContract => ReturnCode::DuplicateContract,
            CallError::ReentranceDenied => ReturnCode::ReentranceDenied,
            CallError::CallDepthExceeded => ReturnCode::CallDepthExceeded,
        }
    }
}

/// How a `call` or `instantiate` ended, before its output is read.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Success,
    Reverted,
    Failed(CallError),
}

/// The outcome a return code of `call` or `instantiate` reports, or `None` for a code
/// neither returns.
fn outcome(code: ReturnCode) -> Option<Outcome> {
    Some(match code {
        ReturnCode::Success => Outcome::Success,
        ReturnCode::CalleeReverted => Outcome::Reverted,
        ReturnCode::CalleeTrapped => Outcome::Failed(CallError::Trapped),
        ReturnCode::TransferFailed => Outcome::Failed(CallError::TransferFailed),
        ReturnCode::NotAContract => Outcome::Failed(CallError::NotAContract),
        ReturnCode::CodeNotFound => Outcome::Failed(CallError::CodeNotFound),
        ReturnCode::DuplicateContract => Outcome::Failed(CallError::DuplicateContract),
        ReturnCode::ReentranceDenied => Outcome::Failed(CallError::ReentranceDenied),
        ReturnCode::CallDepthExceeded => Outcome::Failed(CallError::CallDepthExceeded),
        ReturnCode::KeyNotFound | ReturnCode::OutputBufferTooSmall | ReturnCode::DebugMessagesDisabled => return None,
    })
}

/// The result of a `call` or `instantiate` that returned `code`: its output, or why it
/// failed. Traps on a code neither may return.
fn call_result(code: u64) -> Result<Vec<u8>, CallError> {
    match outcome(return_code(code)) {
        Some(Outcome::Success) => Ok(return_data()),
        Some(Outcome::Reverted) => Err(CallError::Reverted(return_data())),
        Some(Outcome::Failed(error)) => Err(error),
        None => pvm_guest::trap(),
    }
}

/// Calls the contract `callee` with `input`, sending it `value`, and returns its
/// output.
///
/// `gas_limit` is the most gas the callee may use; 0 means all that is left (asking for
/// more than is left traps). The callee may not call back into a contract already on the
/// call stack; [`call_with_flags`] can allow that.
///
/// ```ignore
/// let output = pvm_contract::call(&token, 0, 0, &input).unwrap_or_else(|_| pvm_contract::revert(&[]));
/// ```
pub fn call(callee: &AccountId, value: Balance, gas_limit: u64, input: &[u8]) -> Result<Vec<u8>, CallError> {
    call_with_flags(callee, value, gas_limit, 0, input)
}

/// [`call`] with [`abi::call_flags`], such as
/// [`ALLOW_REENTRY`](abi::call_flags::ALLOW_REENTRY).
pub fn call_with_flags(
    callee: &AccountId,
    value: Balance,
    gas_limit: u64,
    flags: u64,
    input: &[u8],
) -> Result<Vec<u8>, CallError> {
    let value = value.to_le_bytes();
    let args = abi::CallArgs {
        callee_ptr: address_of(callee.as_ptr()),
        value_ptr: address_of(value.as_ptr()),
        gas_limit,
        flags,
        input_ptr: address_of(ptr(input)),
        input_len: input.len() as u64,
    }
    .encode();
    // SAFETY: `args` is a `CallArgs` whose pointers point at buffers of the lengths the
    // ABI says, all alive until the host function returns.
    call_result(unsafe { raw::call(args.as_ptr()) })
}

/// Instantiates a contract from the code stored under `code_hash`: runs its `deploy`
/// with `input`, sending it `value`. Returns the new contract's account and the output
/// of its `deploy`.
///
/// The address follows from this contract, the code hash and `salt`; instantiating the
/// same code with the same salt twice gives [`CallError::DuplicateContract`].
/// `gas_limit` is as for [`call`].
pub fn instantiate(
    code_hash: &Hash,
    value: Balance,
    gas_limit: u64,
    input: &[u8],
    salt: &[u8],
) -> Result<(AccountId, Vec<u8>), CallError> {
    let value = value.to_le_bytes();
    let mut account = [0; abi::ACCOUNT_LEN];
    let args = abi::InstantiateArgs {
        code_hash_ptr: address_of(code_hash.as_ptr()),
        value_ptr: address_of(value.as_ptr()),
        gas_limit,
        input_ptr: address_of(ptr(input)),
        input_len: input.len() as u64,
        salt_ptr: address_of(ptr(salt)),
        salt_len: salt.len() as u64,
        address_ptr: address_of(account.as_mut_ptr()),
    }
    .encode();
    // SAFETY: `args` is an `InstantiateArgs` whose pointers point at buffers of the
    // lengths the ABI says (`account` is writable), all alive until the host function
    // returns.
    let output = call_result(unsafe { raw::instantiate(args.as_ptr()) })?;
    Ok((account, output))
}

/// Removes this contract, sends its whole balance to `beneficiary` and ends the call
/// successfully.
pub fn terminate(beneficiary: &AccountId) -> ! {
    // SAFETY: `beneficiary` is 32 readable bytes.
    unsafe { raw::terminate(beneficiary.as_ptr()) };
    // The host never returns from `terminate`.
    pvm_guest::trap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_lengths() {
        assert_eq!(storage::length(abi::SENTINEL), None);
        assert_eq!(storage::length(0), Some(0));
        assert_eq!(storage::length(u64::from(u32::MAX)), Some(u32::MAX));
    }

    #[test]
    fn call_outcomes_cover_the_call_codes() {
        for value in 0..=u64::from(u8::MAX) {
            let Some(code) = ReturnCode::from_u64(value) else { continue };
            match outcome(code) {
                Some(Outcome::Success) => assert_eq!(code, ReturnCode::Success),
                Some(Outcome::Reverted) => assert_eq!(code, ReturnCode::CalleeReverted),
                Some(Outcome::Failed(error)) => assert_eq!(error.return_code(), code),
                None => assert!(matches!(
                    code,
                    ReturnCode::KeyNotFound | ReturnCode::OutputBufferTooSmall | ReturnCode::DebugMessagesDisabled
                )),
            }
        }
        assert_eq!(CallError::Reverted(Vec::new()).return_code(), ReturnCode::CalleeReverted);
    }

    #[test]
    fn types_match_the_abi() {
        assert_eq!(core::mem::size_of::<AccountId>(), abi::ACCOUNT_LEN);
        assert_eq!(core::mem::size_of::<Hash>(), abi::HASH_LEN);
        assert_eq!(core::mem::size_of::<Balance>(), abi::BALANCE_LEN);
        assert_eq!(core::mem::size_of::<[Hash; 2]>(), 2 * abi::HASH_LEN);
    }

    /// Only compiled: the macro expands to valid code outside this crate's root.
    #[allow(dead_code)]
    fn debug_macro_expands() {
        crate::debug!("{} {}", 1, "two");
    }

    #[test]
    fn empty_slices_get_a_real_pointer() {
        let bytes = [1u8, 2, 3];
        assert_eq!(ptr(&bytes), bytes.as_ptr());
        let empty: &[u8] = &[];
        assert_ne!(ptr(empty), empty.as_ptr());
        let no_topics: &[Hash] = &[];
        assert_eq!(ptr(no_topics), ptr(empty));
    }

    #[test]
    fn pointers_fit_the_argument_words() {
        let bytes = [1u8, 2, 3];
        assert_eq!(address_of(bytes.as_ptr()), bytes.as_ptr() as usize as u64);
    }
}
