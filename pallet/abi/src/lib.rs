//! The interface between `pallet-pvm-contracts` and the contracts it runs.
//!
//! Both sides depend on this crate: the pallet implements the host functions, the
//! contract SDK (`pvm-contract`) imports them. Nothing here depends on FRAME, so a
//! contract links none of it.
//!
//! # Contracts
//!
//! A contract is a PolkaVM program blob for a 64-bit instruction set (ReviveV1 or the
//! 64-bit `Latest` set that our linker and `polkavm-linker` 0.37 write for the
//! `riscv64emac-unknown-none-polkavm` target). It exports two functions without
//! arguments:
//!
//! - [`EXPORT_DEPLOY`], run once when the contract is instantiated;
//! - [`EXPORT_CALL`], run on every call.
//!
//! Both read their input with [`host::INPUT_SIZE`] / [`host::INPUT_COPY`] and end either by
//! returning normally (success, no output) or with [`host::RETURN_VALUE`] (success or
//! revert, with output). A trap, running out of gas or a host function error ends the
//! call as failed; a failed or reverted frame's state changes are rolled back.
//!
//! # Host functions
//!
//! Imported by name (the constants in [`host`]); arguments and results travel in
//! registers as 64-bit values. Accounts are [`ACCOUNT_LEN`] bytes, balances
//! [`BALANCE_LEN`]-byte little-endian integers, hashes and event topics [`HASH_LEN`]
//! bytes, always passed by pointer. A pointer the contract passes must point at readable
//! (or, for output, writable) memory of the stated length, otherwise the call traps; a
//! buffer of length zero may have any address.
//!
//! Recoverable failures are [`ReturnCode`]s; contract bugs (bad pointers, oversized
//! keys, unknown imports, calling a function the ABI forbids) trap.

#![no_std]
#![deny(missing_docs)]

/// The export run once, when a contract is instantiated.
pub const EXPORT_DEPLOY: &str = "deploy";
/// The export run on every call of a contract.
pub const EXPORT_CALL: &str = "call";

/// Length of an account id.
pub const ACCOUNT_LEN: usize = 32;
/// Length of a balance (a little-endian `u128`).
pub const BALANCE_LEN: usize = 16;
/// Length of a blake2-256 hash, a code hash and an event topic.
pub const HASH_LEN: usize = 32;

/// The longest storage key.
pub const MAX_STORAGE_KEY_LEN: usize = 128;
/// The most topics an event may have.
pub const MAX_EVENT_TOPICS: usize = 4;

/// Returned by storage functions instead of a length when the key has no value.
pub const SENTINEL: u64 = u64::MAX;

/// Flags of [`host::RETURN_VALUE`].
pub mod return_flags {
    /// Roll the frame's state changes back and report failure, with the output.
    pub const REVERT: u64 = 1;
}

/// Flags of [`CallArgs::flags`].
pub mod call_flags {
    /// Let the callee call back into a contract already on the call stack (by default
    /// that is refused with [`ReturnCode::ReentranceDenied`](crate::ReturnCode)).
    pub const ALLOW_REENTRY: u64 = 1;
}

/// The host functions' import names, with their signatures (all values `u64`).
pub mod host {
    /// `set_storage(key_ptr, key_len, value_ptr, value_len) -> u64`: stores a value;
    /// returns the length of the value it replaced, or [`SENTINEL`](crate::SENTINEL).
    pub const SET_STORAGE: &str = "set_storage";
    /// `get_storage(key_ptr, key_len, out_ptr, out_len_ptr) -> ReturnCode`: reads a
    /// value into `out_ptr`. `*out_len_ptr` (a `u32`) is the buffer's capacity on entry
    /// and the value's length on return. `KeyNotFound`, or `OutputBufferTooSmall` (with
    /// the needed length in `*out_len_ptr` and nothing written).
    pub const GET_STORAGE: &str = "get_storage";
    /// `clear_storage(key_ptr, key_len) -> u64`: removes a value; returns its length,
    /// or [`SENTINEL`](crate::SENTINEL).
    pub const CLEAR_STORAGE: &str = "clear_storage";
    /// `contains_storage(key_ptr, key_len) -> u64`: the value's length, or
    /// [`SENTINEL`](crate::SENTINEL).
    pub const CONTAINS_STORAGE: &str = "contains_storage";
    /// `take_storage(key_ptr, key_len, out_ptr, out_len_ptr) -> ReturnCode`: as
    /// `get_storage`, and removes the value (not when the buffer is too small).
    pub const TAKE_STORAGE: &str = "take_storage";

    /// `input_size() -> u64`: the length of the call's input.
    pub const INPUT_SIZE: &str = "input_size";
    /// `input_copy(out_ptr, offset, len) -> u64`: copies up to `len` bytes of the input,
    /// starting at `offset`; returns how many it copied.
    pub const INPUT_COPY: &str = "input_copy";
    /// `return_value(flags, data_ptr, data_len) -> !`: ends the call with output; see
    /// [`return_flags`](crate::return_flags).
    pub const RETURN_VALUE: &str = "return_value";

    /// `return_data_size() -> u64`: the length of the output of the last `call` or
    /// `instantiate` this frame made: the callee's output if it returned or reverted,
    /// empty otherwise (before the first call, and after any other return code).
    pub const RETURN_DATA_SIZE: &str = "return_data_size";
    /// `return_data_copy(out_ptr, offset, len) -> u64`: copies up to `len` bytes of that
    /// output, starting at `offset`; returns how many it copied.
    pub const RETURN_DATA_COPY: &str = "return_data_copy";

    /// `deposit_event(topics_ptr, topics_count, data_ptr, data_len)`: emits an event
    /// with up to [`MAX_EVENT_TOPICS`](crate::MAX_EVENT_TOPICS) 32-byte topics.
    pub const DEPOSIT_EVENT: &str = "deposit_event";
    /// `transfer(to_ptr, value_ptr) -> ReturnCode`: sends balance from the contract;
    /// `TransferFailed` if it cannot.
    pub const TRANSFER: &str = "transfer";

    /// `caller(out_ptr)`: the account that called this frame.
    pub const CALLER: &str = "caller";
    /// `address(out_ptr)`: this contract's account.
    pub const ADDRESS: &str = "address";
    /// `value_transferred(out_ptr)`: the value sent with this call.
    pub const VALUE_TRANSFERRED: &str = "value_transferred";
    /// `balance(out_ptr)`: this contract's free balance.
    pub const BALANCE: &str = "balance";
    /// `balance_of(account_ptr, out_ptr)`: another account's free balance.
    pub const BALANCE_OF: &str = "balance_of";
    /// `block_number() -> u64`.
    pub const BLOCK_NUMBER: &str = "block_number";
    /// `now() -> u64`: the block's timestamp in milliseconds.
    pub const NOW: &str = "now";
    /// `gas_left() -> u64`: gas left in this frame, after this function's own cost.
    pub const GAS_LEFT: &str = "gas_left";

    /// `hash_blake2_256(input_ptr, input_len, out_ptr)`: writes 32 bytes.
    pub const HASH_BLAKE2_256: &str = "hash_blake2_256";
    /// `hash_blake2_128(input_ptr, input_len, out_ptr)`: writes 16 bytes.
    pub const HASH_BLAKE2_128: &str = "hash_blake2_128";

    /// `call(args_ptr) -> ReturnCode`: calls another contract; `args_ptr` points at
    /// [`CallArgs`](crate::CallArgs). Its output (also when it reverts) is then read with
    /// `return_data_size` / `return_data_copy`. `Success`, `CalleeReverted`,
    /// `CalleeTrapped`, `TransferFailed`, `NotAContract`, `ReentranceDenied` or
    /// `CallDepthExceeded`; asking for more gas than is left traps.
    pub const CALL: &str = "call";
    /// `instantiate(args_ptr) -> ReturnCode`: instantiates a contract from stored code;
    /// `args_ptr` points at [`InstantiateArgs`](crate::InstantiateArgs). The `deploy`
    /// output is then the return data. `Success`, `CalleeReverted`, `CalleeTrapped`,
    /// `TransferFailed`, `CodeNotFound`, `DuplicateContract` or `CallDepthExceeded`.
    pub const INSTANTIATE: &str = "instantiate";
    /// `terminate(beneficiary_ptr) -> !`: removes this contract, sends its whole
    /// balance to the beneficiary and ends the call successfully.
    pub const TERMINATE: &str = "terminate";
    /// `debug_message(ptr, len) -> ReturnCode`: records a message (any bytes; tools show
    /// them as UTF-8, lossily) in a dry run; `DebugMessagesDisabled` on chain, where
    /// messages are dropped.
    pub const DEBUG_MESSAGE: &str = "debug_message";

    /// Every host function, in no particular order.
    pub const ALL: &[&str] = &[
        SET_STORAGE,
        GET_STORAGE,
        CLEAR_STORAGE,
        CONTAINS_STORAGE,
        TAKE_STORAGE,
        INPUT_SIZE,
        INPUT_COPY,
        RETURN_VALUE,
        RETURN_DATA_SIZE,
        RETURN_DATA_COPY,
        DEPOSIT_EVENT,
        TRANSFER,
        CALLER,
        ADDRESS,
        VALUE_TRANSFERRED,
        BALANCE,
        BALANCE_OF,
        BLOCK_NUMBER,
        NOW,
        GAS_LEFT,
        HASH_BLAKE2_256,
        HASH_BLAKE2_128,
        CALL,
        INSTANTIATE,
        TERMINATE,
        DEBUG_MESSAGE,
    ];
}

/// Results of host functions that can fail without it being a contract bug.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum ReturnCode {
    /// It worked.
    Success = 0,
    /// The callee trapped or ran out of gas; its state changes were rolled back.
    CalleeTrapped = 1,
    /// The callee reverted; its output is the return data.
    CalleeReverted = 2,
    /// The storage key has no value.
    KeyNotFound = 3,
    /// The balance transfer was not possible (too little balance, or it would kill an
    /// account that must stay alive).
    TransferFailed = 4,
    /// The output buffer is too small; the needed length was written to its length
    /// (only `get_storage` and `take_storage`).
    OutputBufferTooSmall = 5,
    /// No code is stored under that hash.
    CodeNotFound = 6,
    /// The callee is not a contract.
    NotAContract = 7,
    /// A contract already exists at the address the instantiation would use.
    DuplicateContract = 8,
    /// The callee is already on the call stack, and the caller did not allow re-entry.
    ReentranceDenied = 9,
    /// The call would exceed the maximum call depth.
    CallDepthExceeded = 10,
    /// Debug messages are not recorded (on chain).
    DebugMessagesDisabled = 11,
}

impl ReturnCode {
    /// The code for a value a host function returned, if it is one.
    pub fn from_u64(value: u64) -> Option<Self> {
        Some(match value {
            0 => Self::Success,
            1 => Self::CalleeTrapped,
            2 => Self::CalleeReverted,
            3 => Self::KeyNotFound,
            4 => Self::TransferFailed,
            5 => Self::OutputBufferTooSmall,
            6 => Self::CodeNotFound,
            7 => Self::NotAContract,
            8 => Self::DuplicateContract,
            9 => Self::ReentranceDenied,
            10 => Self::CallDepthExceeded,
            11 => Self::DebugMessagesDisabled,
            _ => return None,
        })
    }
}

/// The arguments of [`host::CALL`], in guest memory as six little-endian `u64`s in
/// this order (48 bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallArgs {
    /// Pointer to the callee's account.
    pub callee_ptr: u64,
    /// Pointer to the value to send.
    pub value_ptr: u64,
    /// The most gas the callee may use; 0 means all that is left.
    pub gas_limit: u64,
    /// [`call_flags`].
    pub flags: u64,
    /// The callee's input.
    pub input_ptr: u64,
    /// Length of the input.
    pub input_len: u64,
}

impl CallArgs {
    /// The size of the encoded arguments.
    pub const SIZE: usize = 6 * 8;

    /// Encodes the arguments as the host reads them.
    pub fn encode(&self) -> [u8; Self::SIZE] {
        encode_words([self.callee_ptr, self.value_ptr, self.gas_limit, self.flags, self.input_ptr, self.input_len])
    }

    /// Decodes the arguments.
    pub fn decode(bytes: &[u8; Self::SIZE]) -> Self {
        let [callee_ptr, value_ptr, gas_limit, flags, input_ptr, input_len] = decode_words(bytes);
        Self { callee_ptr, value_ptr, gas_limit, flags, input_ptr, input_len }
    }
}

/// The arguments of [`host::INSTANTIATE`], in guest memory as eight little-endian
/// `u64`s in this order (64 bytes).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InstantiateArgs {
    /// Pointer to the code hash.
    pub code_hash_ptr: u64,
    /// Pointer to the value to send.
    pub value_ptr: u64,
    /// The most gas the new contract's `deploy` may use; 0 means all that is left.
    pub gas_limit: u64,
    /// The `deploy` input.
    pub input_ptr: u64,
    /// Length of the input.
    pub input_len: u64,
    /// The salt, which with the deployer and the code hash gives the address.
    pub salt_ptr: u64,
    /// Length of the salt.
    pub salt_len: u64,
    /// Where the new contract's account goes (32 bytes), written only on success;
    /// [`SENTINEL`] to drop it.
    pub address_ptr: u64,
}

impl InstantiateArgs {
    /// The size of the encoded arguments.
    pub const SIZE: usize = 8 * 8;

    /// Encodes the arguments as the host reads them.
    pub fn encode(&self) -> [u8; Self::SIZE] {
        encode_words([
            self.code_hash_ptr,
            self.value_ptr,
            self.gas_limit,
            self.input_ptr,
            self.input_len,
            self.salt_ptr,
            self.salt_len,
            self.address_ptr,
        ])
    }

    /// Decodes the arguments.
    pub fn decode(bytes: &[u8; Self::SIZE]) -> Self {
        let [code_hash_ptr, value_ptr, gas_limit, input_ptr, input_len, salt_ptr, salt_len, address_ptr] =
            decode_words(bytes);
        Self { code_hash_ptr, value_ptr, gas_limit, input_ptr, input_len, salt_ptr, salt_len, address_ptr }
    }
}

fn encode_words<const N: usize, const B: usize>(words: [u64; N]) -> [u8; B] {
    let mut bytes = [0; B];
    for (chunk, word) in bytes.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    bytes
}

fn decode_words<const N: usize, const B: usize>(bytes: &[u8; B]) -> [u64; N] {
    let mut words = [0; N];
    for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(8)) {
        *word = u64::from_le_bytes(chunk.try_into().expect("chunks of 8 bytes"));
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_args_round_trip() {
        let args = CallArgs { callee_ptr: 1, value_ptr: 2, gas_limit: 3, flags: 4, input_ptr: 5, input_len: 6 };
        let bytes = args.encode();
        assert_eq!(bytes[..8], 1u64.to_le_bytes());
        assert_eq!(CallArgs::decode(&bytes), args);
    }

    #[test]
    fn instantiate_args_round_trip() {
        let args = InstantiateArgs { code_hash_ptr: 9, salt_len: 7, address_ptr: SENTINEL, ..Default::default() };
        assert_eq!(InstantiateArgs::decode(&args.encode()), args);
    }

    #[test]
    fn return_codes_round_trip() {
        for value in 0..20u64 {
            if let Some(code) = ReturnCode::from_u64(value) {
                assert_eq!(code as u64, value);
            }
        }
        assert_eq!(ReturnCode::from_u64(11), Some(ReturnCode::DebugMessagesDisabled));
        assert_eq!(ReturnCode::from_u64(12), None);
    }
}
