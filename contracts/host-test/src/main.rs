//! Host test: one message per host function, so that the pallet's tests can exercise
//! every host function and its error paths.
//!
//! # Messages
//!
//! All values are SCALE-encoded; accounts, code hashes and topics are `[u8; 32]`,
//! amounts `u128`, return codes `u32` (the ABI's `ReturnCode` values).
//!
//! - `deploy` input: empty (does nothing), or any `call` message, which it handles
//!   exactly as `call` does.
//! - `call` input: [`Msg`]; the variant index (the wire's first byte) follows the
//!   declaration order, then the fields in order:
//!
//! | index | message | what it does | output |
//! | ----- | ------- | ------------ | ------ |
//! | 0 | `SetStorage { key: Vec<u8>, value: Vec<u8> }` | `storage::set` | `Option<u32>`, the previous length |
//! | 1 | `GetStorage(Vec<u8>)` | `storage::get` | `Option<Vec<u8>>` |
//! | 2 | `ClearStorage(Vec<u8>)` | `storage::clear` | `Option<u32>` |
//! | 3 | `ContainsStorage(Vec<u8>)` | `storage::contains` | `Option<u32>` |
//! | 4 | `TakeStorage(Vec<u8>)` | `storage::take` | `Option<Vec<u8>>` |
//! | 5 | `EchoInput` | | the whole raw input (so `[5]`) |
//! | 6 | `Revert(Vec<u8>)` | stores `b"reverted"` = `b"yes"`, then reverts | the bytes (reverted) |
//! | 7 | `Trap` | stores `b"trapped"` = `b"yes"`, then traps | |
//! | 8 | `DepositEvent { topics: Vec<[u8; 32]>, data: Vec<u8> }` | emits the event | nothing |
//! | 9 | `Transfer { to: AccountId, value: u128 }` | raw `transfer` | `u32` code (0 ok, 4 failed) |
//! | 10 | `Context` | | `(AccountId, AccountId, u128, u128, u64, u64, u64)`: caller, address, value transferred, balance, block number, now, gas left |
//! | 11 | `BalanceOf(AccountId)` | | `u128` |
//! | 12 | `Hash(Vec<u8>)` | | `([u8; 32], [u8; 16])`: blake2-256, blake2-128 |
//! | 13 | `Call { callee: AccountId, value: u128, gas_limit: u64, flags: u64, input: Vec<u8> }` | raw `call` | `(u32, Vec<u8>)`: code, return data |
//! | 14 | `Instantiate { code_hash: [u8; 32], value: u128, gas_limit: u64, input: Vec<u8>, salt: Vec<u8> }` | raw `instantiate` | `(u32, AccountId, Vec<u8>)`: code, address (`[0; 32]` unless the host wrote one), return data |
//! | 15 | `Terminate(AccountId)` | `terminate` with that beneficiary | nothing |
//! | 16 | `Debug(Vec<u8>)` | raw `debug_message` with the bytes | `u32` code |
//! | 17 | `Burn(u64)` | `n` rounds of arithmetic | `u64` result |
//! | 18 | `Alloc(u32)` | fills a heap `Vec<u8>` of `n` bytes | `u32`, how much the heap has grown in total |
//! | 19 | `BadPointer` | raw `input_copy` to address `0x10`, which the host must trap on | (`u64`, what `input_copy` returned, if it does not) |
//! | 20 | `WriteMany(u32)` | stores `n` values: for `i` in `0..n` (`u32`), key `blake2_256(i.to_le_bytes())`, value the same 32 bytes | nothing |
//! | 21 | `CallChain { callees: Vec<AccountId>, flags: u64 }` | see below | nothing if `callees` is empty, else `(u32, Vec<u8>)` |
//! | 22 | `GetStorageInto { key: Vec<u8>, capacity: u32 }` | raw `get_storage` into a buffer of `capacity` bytes | `(u32, u32)`: code, the length the host wrote back |
//!
//! `CallChain` with callees `[first, rest @ ..]` stores `b"depth"` = `rest.len()` (a
//! `u32`), then calls `first` with `CallChain { callees: rest, flags }`, value 0, all the
//! gas left and the given call flags, and returns that call's code and return data.
//!
//! The messages marked "raw" use the host function directly and report whatever code it
//! returns; the others go through `pvm-contract`. Input that does not decode reverts
//! with empty output.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;
use core::hint::black_box;

use codec::{Decode, DecodeAll, Encode};
use pvm_contract::{abi, storage, AccountId, Hash};

#[global_allocator]
static ALLOCATOR: pvm_guest::LeakingAllocator = pvm_guest::LeakingAllocator::new();

pvm_guest::panic_handler!();

/// The messages of `call` (and of a non-empty `deploy` input).
#[derive(Decode, Encode)]
enum Msg {
    SetStorage { key: Vec<u8>, value: Vec<u8> },
    GetStorage(Vec<u8>),
    ClearStorage(Vec<u8>),
    ContainsStorage(Vec<u8>),
    TakeStorage(Vec<u8>),
    EchoInput,
    Revert(Vec<u8>),
    Trap,
    DepositEvent { topics: Vec<Hash>, data: Vec<u8> },
    Transfer { to: AccountId, value: u128 },
    Context,
    BalanceOf(AccountId),
    Hash(Vec<u8>),
    Call { callee: AccountId, value: u128, gas_limit: u64, flags: u64, input: Vec<u8> },
    Instantiate { code_hash: Hash, value: u128, gas_limit: u64, input: Vec<u8>, salt: Vec<u8> },
    Terminate(AccountId),
    Debug(Vec<u8>),
    Burn(u64),
    Alloc(u32),
    BadPointer,
    WriteMany(u32),
    CallChain { callees: Vec<AccountId>, flags: u64 },
    GetStorageInto { key: Vec<u8>, capacity: u32 },
}

/// Host functions used directly, to see every code they return.
mod raw {
    #[pvm_guest::polkavm_import]
    extern "C" {
        pub fn get_storage(key_ptr: *const u8, key_len: usize, out_ptr: *mut u8, out_len_ptr: *mut u32) -> u64;
        pub fn input_copy(out_ptr: *mut u8, offset: usize, len: usize) -> u64;
        pub fn transfer(to_ptr: *const u8, value_ptr: *const u8) -> u64;
        pub fn call(args_ptr: *const u8) -> u64;
        pub fn instantiate(args_ptr: *const u8) -> u64;
        pub fn debug_message(ptr: *const u8, len: usize) -> u64;
    }
}

/// Where `bytes` starts; for an empty slice a mapped address rather than Rust's dangling
/// one (as `pvm-contract` does), so that empty arguments test the host, not the address.
fn ptr(bytes: &[u8]) -> *const u8 {
    static ANYWHERE: u8 = 0;
    if bytes.is_empty() {
        &ANYWHERE
    } else {
        bytes.as_ptr()
    }
}

/// A pointer as a word of `CallArgs` / `InstantiateArgs`.
fn word(pointer: *const u8) -> u64 {
    pointer as usize as u64
}

/// Calls `callee`; returns the code and the return data, whatever the code.
fn call_raw(callee: &AccountId, value: u128, gas_limit: u64, flags: u64, input: &[u8]) -> (u32, Vec<u8>) {
    let value = value.to_le_bytes();
    let args = abi::CallArgs {
        callee_ptr: word(callee.as_ptr()),
        value_ptr: word(value.as_ptr()),
        gas_limit,
        flags,
        input_ptr: word(ptr(input)),
        input_len: input.len() as u64,
    }
    .encode();
    // SAFETY: the arguments point at buffers of the lengths the ABI says.
    let code = unsafe { raw::call(args.as_ptr()) };
    (code as u32, pvm_contract::return_data())
}

fn handle() {
    let input = pvm_contract::input();
    let Ok(msg) = Msg::decode_all(&mut &input[..]) else { pvm_contract::revert(&[]) };
    match msg {
        Msg::SetStorage { key, value } => pvm_contract::return_encoded(&storage::set(&key, &value)),
        Msg::GetStorage(key) => pvm_contract::return_encoded(&storage::get(&key)),
        Msg::ClearStorage(key) => pvm_contract::return_encoded(&storage::clear(&key)),
        Msg::ContainsStorage(key) => pvm_contract::return_encoded(&storage::contains(&key)),
        Msg::TakeStorage(key) => pvm_contract::return_encoded(&storage::take(&key)),
        Msg::EchoInput => pvm_contract::return_value(&input),
        Msg::Revert(data) => {
            storage::set(b"reverted", b"yes");
            pvm_contract::revert(&data)
        }
        Msg::Trap => {
            storage::set(b"trapped", b"yes");
            pvm_guest::trap()
        }
        Msg::DepositEvent { topics, data } => pvm_contract::deposit_event(&topics, &data),
        Msg::Transfer { to, value } => {
            let value = value.to_le_bytes();
            // SAFETY: an account and a balance, of the lengths the ABI says.
            let code = unsafe { raw::transfer(to.as_ptr(), value.as_ptr()) };
            pvm_contract::return_encoded(&(code as u32))
        }
        Msg::Context => pvm_contract::return_encoded(&(
            pvm_contract::caller(),
            pvm_contract::address(),
            pvm_contract::value_transferred(),
            pvm_contract::balance(),
            pvm_contract::block_number(),
            pvm_contract::now(),
            pvm_contract::gas_left(),
        )),
        Msg::BalanceOf(account) => pvm_contract::return_encoded(&pvm_contract::balance_of(&account)),
        Msg::Hash(data) => {
            pvm_contract::return_encoded(&(pvm_contract::hash_blake2_256(&data), pvm_contract::hash_blake2_128(&data)))
        }
        Msg::Call { callee, value, gas_limit, flags, input } => {
            pvm_contract::return_encoded(&call_raw(&callee, value, gas_limit, flags, &input))
        }
        Msg::Instantiate { code_hash, value, gas_limit, input, salt } => {
            let value = value.to_le_bytes();
            let mut address = [0u8; 32];
            let args = abi::InstantiateArgs {
                code_hash_ptr: word(code_hash.as_ptr()),
                value_ptr: word(value.as_ptr()),
                gas_limit,
                input_ptr: word(ptr(&input)),
                input_len: input.len() as u64,
                salt_ptr: word(ptr(&salt)),
                salt_len: salt.len() as u64,
                address_ptr: word(address.as_mut_ptr()),
            }
            .encode();
            // SAFETY: the arguments point at buffers of the lengths the ABI says, and
            // `address` is writable.
            let code = unsafe { raw::instantiate(args.as_ptr()) };
            pvm_contract::return_encoded(&(code as u32, address, pvm_contract::return_data()))
        }
        Msg::Terminate(beneficiary) => pvm_contract::terminate(&beneficiary),
        Msg::Debug(message) => {
            // SAFETY: `message` is readable for its length.
            let code = unsafe { raw::debug_message(ptr(&message), message.len()) };
            pvm_contract::return_encoded(&(code as u32))
        }
        Msg::Burn(rounds) => {
            let mut x: u64 = 1;
            for i in 0..rounds {
                x = black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(i));
            }
            pvm_contract::return_encoded(&x)
        }
        Msg::Alloc(size) => {
            let bytes = vec![0xa5u8; size as usize];
            black_box(&bytes);
            let grown = pvm_guest::sbrk(0) as usize - pvm_guest::heap_base() as usize;
            pvm_contract::return_encoded(&(grown as u32))
        }
        Msg::BadPointer => {
            // SAFETY: none; the host must trap rather than write to this address.
            let copied = unsafe { raw::input_copy(0x10 as *mut u8, 0, input.len()) };
            pvm_contract::return_encoded(&copied)
        }
        Msg::WriteMany(count) => {
            for i in 0..count {
                let key = pvm_contract::hash_blake2_256(&i.to_le_bytes());
                storage::set(&key, &key);
            }
        }
        Msg::CallChain { callees, flags } => {
            let Some((first, rest)) = callees.split_first() else { return };
            storage::set_value(b"depth", &(rest.len() as u32));
            let input = Msg::CallChain { callees: rest.to_vec(), flags }.encode();
            pvm_contract::return_encoded(&call_raw(first, 0, 0, flags, &input))
        }
        Msg::GetStorageInto { key, capacity } => {
            // One byte more than the host is told, so that the pointer is real even
            // for capacity 0.
            let mut buffer = vec![0u8; capacity as usize + 1];
            let mut len = capacity;
            // SAFETY: `key` is readable, `buffer` writable for `capacity` bytes and `len`
            // is a writable `u32`.
            let code = unsafe { raw::get_storage(ptr(&key), key.len(), buffer.as_mut_ptr(), &mut len) };
            pvm_contract::return_encoded(&(code as u32, len))
        }
    }
}

#[pvm_guest::polkavm_export]
extern "C" fn deploy() {
    if pvm_contract::input_size() > 0 {
        handle();
    }
}

#[pvm_guest::polkavm_export]
extern "C" fn call() {
    handle();
}
