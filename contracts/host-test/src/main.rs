//! The program of the host-test contract; its interface (messages, errors, storage,
//! events) is documented in the library, `src/lib.rs`.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec;
use alloc::vec::Vec;
use core::hint::black_box;
use host_test::Msg;

use codec::{DecodeAll, Encode};
use pvm_contract::{abi, storage, AccountId};

#[global_allocator]
static ALLOCATOR: pvm_guest::LeakingAllocator = pvm_guest::LeakingAllocator::new();

pvm_guest::panic_handler!();

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
