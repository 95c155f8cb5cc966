//! The host functions that contracts of `pallet-pvm-contracts` import, written once:
//! how each reads its arguments from the guest, what it charges, what it checks and what
//! it asks the chain to do. [`dispatch`] runs one of them against two small traits:
//!
//! - [`Guest`]: the running instance (argument registers, memory, gas). The pallet
//!   implements it for its instances in the runtime and on the node (`pvm-host`); the
//!   differential tests for `pvm` and for polkavm 0.37.
//! - [`Chain`]: the frame's view of the chain (its input, its contract's storage,
//!   balances, events, nested calls). The pallet implements it over FRAME storage; the
//!   differential tests over an in-memory state.
//!
//! Every function first charges [`Schedule::host_call`] and then its own cost, before
//! it acts. Guest memory that cannot be read or written, an oversized length or an
//! invalid argument traps the calling frame; failures a contract can handle are
//! [`ReturnCode`]s in `a0`.

#![no_std]

extern crate alloc;

mod schedule;

use alloc::{format, string::String, vec::Vec};
use core::marker::PhantomData;

pub use abi;
use abi::{
    call_flags, return_flags, CallArgs, InstantiateArgs, ReturnCode, ACCOUNT_LEN, BALANCE_LEN, HASH_LEN, SENTINEL,
};
pub use schedule::{Schedule, HEAP_PAGE_SIZE};

/// An account id.
pub type Account = [u8; ACCOUNT_LEN];
/// A code hash or an event topic.
pub type Hash = [u8; HASH_LEN];

macro_rules! host_functions {
	($($variant:ident = $name:ident,)*) => {
		/// A host function, by import name.
		#[derive(Clone, Copy, PartialEq, Eq, Debug)]
		pub enum HostFn {
			$($variant,)*
		}

		impl HostFn {
			/// Every host function.
			pub const ALL: &'static [HostFn] = &[$(HostFn::$variant,)*];

			/// The host function an import name refers to.
			pub fn from_name(name: &[u8]) -> Option<Self> {
				$(if name == abi::host::$name.as_bytes() {
					return Some(HostFn::$variant);
				})*
				None
			}

			/// The import name.
			pub fn name(self) -> &'static str {
				match self {
					$(HostFn::$variant => abi::host::$name,)*
				}
			}
		}
	};
}

host_functions! {
    SetStorage = SET_STORAGE,
    GetStorage = GET_STORAGE,
    ClearStorage = CLEAR_STORAGE,
    ContainsStorage = CONTAINS_STORAGE,
    TakeStorage = TAKE_STORAGE,
    InputSize = INPUT_SIZE,
    InputCopy = INPUT_COPY,
    ReturnValue = RETURN_VALUE,
    ReturnDataSize = RETURN_DATA_SIZE,
    ReturnDataCopy = RETURN_DATA_COPY,
    DepositEvent = DEPOSIT_EVENT,
    Transfer = TRANSFER,
    Caller = CALLER,
    Address = ADDRESS,
    ValueTransferred = VALUE_TRANSFERRED,
    Balance = BALANCE,
    BalanceOf = BALANCE_OF,
    BlockNumber = BLOCK_NUMBER,
    Now = NOW,
    GasLeft = GAS_LEFT,
    HashBlake2_256 = HASH_BLAKE2_256,
    HashBlake2_128 = HASH_BLAKE2_128,
    Call = CALL,
    Instantiate = INSTANTIATE,
    Terminate = TERMINATE,
    DebugMessage = DEBUG_MESSAGE,
}

/// What a host function sees of the instance that called it.
pub trait Guest {
    /// Argument register `a0`..`a5` (`index` 0 to 5).
    fn arg(&self, index: usize) -> u64;
    /// Sets `a0`, the function's result.
    fn set_result(&mut self, value: u64);
    /// The gas left (negative after running out).
    fn gas(&self) -> i64;
    fn set_gas(&mut self, gas: i64);
    /// Reads guest memory; the error is the address of the first inaccessible byte.
    fn read(&mut self, address: u32, len: u32) -> Result<Vec<u8>, u32>;
    /// Writes guest memory; the error is as for [`Guest::read`].
    fn write(&mut self, address: u32, data: &[u8]) -> Result<(), u32>;
}

/// The gas of a nested call or instantiation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NestedGas {
    /// What the caller had left when it made the call.
    pub available: u64,
    /// What the caller asked for (0: everything left).
    pub requested: u64,
    /// The callee's gas limit.
    pub limit: u64,
}

/// What a nested call or instantiation returns to its caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nested {
    /// `Success`, `CalleeReverted`, `CalleeTrapped`, or why the callee did not run.
    pub code: ReturnCode,
    /// The gas the callee consumed, charged to the caller.
    pub gas_consumed: u64,
}

/// The frame's view of the chain: what the host functions read and change.
pub trait Chain {
    /// What the chain reports a failure with besides its reason in words (the pallet:
    /// its `DispatchError`).
    type Error;

    fn schedule(&self) -> &Schedule;
    /// The longest value, input, output, event data or debug message.
    fn max_value_len(&self) -> usize;

    /// The frame's input.
    fn input(&self) -> &[u8];
    /// The output of the frame's last nested call or instantiation.
    fn return_data(&self) -> &[u8];
    /// Who called the frame's contract.
    fn caller(&self) -> Account;
    /// The frame's contract.
    fn address(&self) -> Account;
    /// The value sent with the call.
    fn value_transferred(&self) -> u128;
    fn block_number(&self) -> u64;
    /// The time, in milliseconds.
    fn now(&self) -> u64;

    /// The length of the contract's value under `key`.
    fn storage_len(&self, key: &[u8]) -> Option<u32>;
    /// The contract's value under `key`.
    fn storage(&self, key: &[u8]) -> Option<Vec<u8>>;
    /// Writes (`Some`) or removes (`None`) the contract's value under `key`, with
    /// whatever bookkeeping the chain does (deposits); returns the length of the value
    /// it replaced.
    fn set_storage(&mut self, key: &[u8], value: Option<&[u8]>) -> Result<Option<u32>, HostStop<Self::Error>>;
    /// How many storage items the contract has.
    fn storage_items(&self) -> u64;

    fn balance(&self, account: &Account) -> u128;
    /// Moves `value` from the contract to `to`, keeping the contract alive; `false` if it
    /// cannot.
    fn transfer(&mut self, to: &Account, value: u128) -> Result<bool, HostStop<Self::Error>>;
    fn deposit_event(&mut self, topics: Vec<Hash>, data: Vec<u8>);
    /// Records a debug message; `false` if the chain does not record them.
    fn debug_message(&mut self, message: Vec<u8>) -> bool;
    fn blake2_256(&self, data: &[u8]) -> Hash;
    fn blake2_128(&self, data: &[u8]) -> [u8; 16];

    /// Runs a nested call. Sets the frame's return data (to the callee's output, or
    /// empty), and accounts for the gas the caller needs for it.
    fn call(
        &mut self,
        callee: Account,
        value: u128,
        input: Vec<u8>,
        allow_reentry: bool,
        gas: NestedGas,
    ) -> Result<Nested, HostStop<Self::Error>>;
    /// Runs a nested instantiation, as [`Chain::call`]; also returns the new contract's
    /// address, if it got as far as having one.
    fn instantiate(
        &mut self,
        code_hash: Hash,
        value: u128,
        input: Vec<u8>,
        salt: &[u8],
        gas: NestedGas,
    ) -> Result<(Option<Account>, Nested), HostStop<Self::Error>>;
    /// Removes the contract, sending its balance to `beneficiary`.
    fn terminate(&mut self, beneficiary: &Account) -> Result<(), HostStop<Self::Error>>;
}

/// What the frame does after a host function.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Control {
    /// Run on (the result is in `a0`).
    Continue,
    /// End the frame with this output ([`abi::return_flags`]).
    Return { flags: u64, data: Vec<u8> },
    /// End the frame: the contract terminated itself.
    Terminated,
}

/// Why a host function stopped the frame.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum HostStop<E> {
    /// Not enough gas for the function's cost.
    OutOfGas,
    /// The contract did something it must not; `error` is the chain's error behind it,
    /// if any (e.g. the storage deposit limit).
    Trap { reason: String, error: Option<E> },
}

impl<E> HostStop<E> {
    /// A trap with its reason.
    pub fn trap(reason: String) -> Self {
        HostStop::Trap { reason, error: None }
    }

    /// A trap caused by a chain error.
    pub fn trap_with(error: E, reason: String) -> Self {
        HostStop::Trap { reason, error: Some(error) }
    }
}

/// Runs the host function `function` for the frame `chain` describes, on `guest`.
pub fn dispatch<C: Chain + ?Sized, G: Guest + ?Sized>(
    chain: &mut C,
    guest: &mut G,
    function: HostFn,
) -> Result<Control, HostStop<C::Error>> {
    let schedule = *chain.schedule();
    let max_value = chain.max_value_len();
    let mut guest = Memory { guest, error: PhantomData };
    guest.charge(schedule.host_call)?;
    let [a0, a1, a2, a3] = core::array::from_fn(|index| guest.guest.arg(index));
    // A length as what it costs: lengths beyond the address space fail when read anyway.
    let clamp = |len: u64| len.min(u64::from(u32::MAX));

    let result: u64 = match function {
        HostFn::SetStorage => {
            guest.charge(schedule.storage(true, clamp(a1) + clamp(a3)))?;
            let key = guest.read_key(a0, a1)?;
            let value = guest.read(a2, a3, max_value, "storage value")?;
            chain.set_storage(&key, Some(&value))?.map_or(SENTINEL, u64::from)
        }
        HostFn::ClearStorage => {
            guest.charge(schedule.storage(true, clamp(a1)))?;
            let key = guest.read_key(a0, a1)?;
            chain.set_storage(&key, None)?.map_or(SENTINEL, u64::from)
        }
        HostFn::ContainsStorage => {
            guest.charge(schedule.storage(false, clamp(a1)))?;
            let key = guest.read_key(a0, a1)?;
            chain.storage_len(&key).map_or(SENTINEL, u64::from)
        }
        HostFn::GetStorage | HostFn::TakeStorage => {
            let take = function == HostFn::TakeStorage;
            guest.charge(schedule.storage(take, clamp(a1)))?;
            let key = guest.read_key(a0, a1)?;
            match chain.storage(&key) {
                None => ReturnCode::KeyNotFound as u64,
                Some(value) => {
                    let capacity = u32::from_le_bytes(guest.read_array::<4>(a3, "output length")?);
                    let len = value.len() as u32;
                    if len > capacity {
                        guest.write(a3, &len.to_le_bytes(), "output length")?;
                        ReturnCode::OutputBufferTooSmall as u64
                    } else {
                        guest.charge(
                            schedule.storage_per_byte.saturating_add(schedule.copy_per_byte).saturating_mul(len.into()),
                        )?;
                        guest.write(a2, &value, "storage value")?;
                        guest.write(a3, &len.to_le_bytes(), "output length")?;
                        if take {
                            chain.set_storage(&key, None)?;
                        }
                        ReturnCode::Success as u64
                    }
                }
            }
        }

        HostFn::InputSize => chain.input().len() as u64,
        HostFn::InputCopy => guest.copy_out(&schedule, chain.input(), a0, a1, a2)?,
        HostFn::ReturnDataSize => chain.return_data().len() as u64,
        HostFn::ReturnDataCopy => guest.copy_out(&schedule, chain.return_data(), a0, a1, a2)?,
        HostFn::ReturnValue => {
            if a0 & !return_flags::REVERT != 0 {
                return Err(HostStop::trap(format!("unknown return flags {a0:#x}")));
            }
            guest.charge(schedule.copy(clamp(a2)))?;
            let data = guest.read(a1, a2, max_value, "return value")?;
            return Ok(Control::Return { flags: a0, data });
        }

        HostFn::DepositEvent => {
            if a1 > abi::MAX_EVENT_TOPICS as u64 {
                return Err(HostStop::trap(format!(
                    "an event has {a1} topics; the limit is {}",
                    abi::MAX_EVENT_TOPICS
                )));
            }
            guest.charge(
                schedule
                    .event
                    .saturating_add(schedule.event_per_topic.saturating_mul(a1))
                    .saturating_add(schedule.event_per_byte.saturating_mul(a3)),
            )?;
            let topics = guest.read(a0, a1 * HASH_LEN as u64, abi::MAX_EVENT_TOPICS * HASH_LEN, "event topics")?;
            let topics = topics.chunks_exact(HASH_LEN).map(|topic| topic.try_into().expect("HASH_LEN bytes")).collect();
            let data = guest.read(a2, a3, max_value, "event data")?;
            chain.deposit_event(topics, data);
            0
        }
        HostFn::Transfer => {
            guest.charge(schedule.transfer)?;
            let to = guest.read_array::<ACCOUNT_LEN>(a0, "account")?;
            let value = guest.read_balance(a1)?;
            if chain.transfer(&to, value)? {
                ReturnCode::Success as u64
            } else {
                ReturnCode::TransferFailed as u64
            }
        }

        HostFn::Caller => {
            guest.write(a0, &chain.caller(), "caller")?;
            0
        }
        HostFn::Address => {
            guest.write(a0, &chain.address(), "address")?;
            0
        }
        HostFn::ValueTransferred => {
            guest.write(a0, &chain.value_transferred().to_le_bytes(), "value")?;
            0
        }
        HostFn::Balance => {
            guest.charge(schedule.balance_read)?;
            guest.write(a0, &chain.balance(&chain.address()).to_le_bytes(), "balance")?;
            0
        }
        HostFn::BalanceOf => {
            guest.charge(schedule.balance_read)?;
            let account = guest.read_array::<ACCOUNT_LEN>(a0, "account")?;
            guest.write(a1, &chain.balance(&account).to_le_bytes(), "balance")?;
            0
        }
        HostFn::BlockNumber => chain.block_number(),
        HostFn::Now => chain.now(),
        HostFn::GasLeft => guest.gas_left(),

        HostFn::HashBlake2_256 | HostFn::HashBlake2_128 => {
            guest.charge(schedule.hash.saturating_add(schedule.hash_per_byte.saturating_mul(a1)))?;
            let input = guest.read(a0, a1, max_value, "hash input")?;
            if function == HostFn::HashBlake2_256 {
                guest.write(a2, &chain.blake2_256(&input), "hash")?;
            } else {
                guest.write(a2, &chain.blake2_128(&input), "hash")?;
            }
            0
        }

        HostFn::Call => {
            let args = CallArgs::decode(&guest.read_array::<{ CallArgs::SIZE }>(a0, "call arguments")?);
            guest.charge(schedule.copy(clamp(args.input_len)))?;
            let callee = guest.read_array::<ACCOUNT_LEN>(args.callee_ptr, "account")?;
            let value = guest.read_balance(args.value_ptr)?;
            let input = guest.read(args.input_ptr, args.input_len, max_value, "call input")?;
            let gas = guest.nested_gas(args.gas_limit)?;
            let allow_reentry = args.flags & call_flags::ALLOW_REENTRY != 0;
            let nested = chain.call(callee, value, input, allow_reentry, gas)?;
            guest.settle(gas, nested);
            nested.code as u64
        }
        HostFn::Instantiate => {
            let args =
                InstantiateArgs::decode(&guest.read_array::<{ InstantiateArgs::SIZE }>(a0, "instantiate arguments")?);
            guest.charge(schedule.copy(clamp(args.input_len.saturating_add(args.salt_len))))?;
            let code_hash = guest.read_array::<HASH_LEN>(args.code_hash_ptr, "code hash")?;
            let value = guest.read_balance(args.value_ptr)?;
            let input = guest.read(args.input_ptr, args.input_len, max_value, "deploy input")?;
            let salt = guest.read(args.salt_ptr, args.salt_len, max_value, "salt")?;
            let gas = guest.nested_gas(args.gas_limit)?;
            let (address, nested) = chain.instantiate(code_hash, value, input, &salt, gas)?;
            guest.settle(gas, nested);
            if let (Some(address), ReturnCode::Success) = (address, nested.code) {
                if args.address_ptr != SENTINEL {
                    guest.write(args.address_ptr, &address, "address")?;
                }
            }
            nested.code as u64
        }
        HostFn::Terminate => {
            let items = chain.storage_items();
            guest.charge(schedule.terminate.saturating_add(schedule.storage_write.saturating_mul(items)))?;
            let beneficiary = guest.read_array::<ACCOUNT_LEN>(a0, "account")?;
            chain.terminate(&beneficiary)?;
            return Ok(Control::Terminated);
        }
        HostFn::DebugMessage => {
            guest.charge(schedule.copy(clamp(a1)))?;
            let message = guest.read(a0, a1, max_value, "debug message")?;
            if chain.debug_message(message) {
                ReturnCode::Success as u64
            } else {
                ReturnCode::DebugMessagesDisabled as u64
            }
        }
    };
    guest.guest.set_result(result);
    Ok(Control::Continue)
}

/// The guest, as the host functions use it: gas charges and memory accesses that fail
/// with a [`HostStop`].
struct Memory<'a, G: ?Sized, E> {
    guest: &'a mut G,
    error: PhantomData<E>,
}

impl<G: Guest + ?Sized, E> Memory<'_, G, E> {
    /// Consumes gas; fails, consuming nothing, if there is not enough.
    fn charge(&mut self, amount: u64) -> Result<(), HostStop<E>> {
        let gas = self.guest.gas();
        match i64::try_from(amount) {
            Ok(amount) if amount <= gas => {
                self.guest.set_gas(gas - amount);
                Ok(())
            }
            _ => Err(HostStop::OutOfGas),
        }
    }

    fn gas_left(&self) -> u64 {
        u64::try_from(self.guest.gas()).unwrap_or(0)
    }

    /// Reads `len` bytes at `ptr`, at most `max`; an empty buffer may have any address
    /// (Rust's empty slices point at address 1).
    fn read(&mut self, ptr: u64, len: u64, max: usize, what: &str) -> Result<Vec<u8>, HostStop<E>> {
        if len > max as u64 {
            return Err(HostStop::trap(format!("{what} is {len} bytes; the limit is {max}")));
        }
        if len == 0 {
            return Ok(Vec::new());
        }
        let address =
            u32::try_from(ptr).map_err(|_| HostStop::trap(format!("{what}: pointer {ptr:#x} is out of range")))?;
        self.guest.read(address, len as u32).map_err(|fault| {
            HostStop::trap(format!("{what}: cannot read {len} bytes at {ptr:#x} (fault at {fault:#x})"))
        })
    }

    fn read_array<const N: usize>(&mut self, ptr: u64, what: &str) -> Result<[u8; N], HostStop<E>> {
        let bytes = self.read(ptr, N as u64, N, what)?;
        Ok(bytes.try_into().expect("read N bytes"))
    }

    fn read_balance(&mut self, ptr: u64) -> Result<u128, HostStop<E>> {
        Ok(u128::from_le_bytes(self.read_array::<BALANCE_LEN>(ptr, "balance")?))
    }

    fn read_key(&mut self, ptr: u64, len: u64) -> Result<Vec<u8>, HostStop<E>> {
        self.read(ptr, len, abi::MAX_STORAGE_KEY_LEN, "storage key")
    }

    fn write(&mut self, ptr: u64, data: &[u8], what: &str) -> Result<(), HostStop<E>> {
        if data.is_empty() {
            return Ok(());
        }
        let address =
            u32::try_from(ptr).map_err(|_| HostStop::trap(format!("{what}: pointer {ptr:#x} is out of range")))?;
        self.guest.write(address, data).map_err(|fault| {
            HostStop::trap(format!("{what}: cannot write {} bytes at {ptr:#x} (fault at {fault:#x})", data.len()))
        })
    }

    /// Copies `data[offset..]`, at most `len` bytes, to `ptr`; returns how many.
    fn copy_out(
        &mut self,
        schedule: &Schedule,
        data: &[u8],
        ptr: u64,
        offset: u64,
        len: u64,
    ) -> Result<u64, HostStop<E>> {
        let count = len.min((data.len() as u64).saturating_sub(offset));
        self.charge(schedule.copy(count))?;
        if count > 0 {
            let start = offset as usize;
            self.write(ptr, &data[start..start + count as usize], "output")?;
        }
        Ok(count)
    }

    /// The gas of a nested frame; asking for more than is left is running out of gas.
    fn nested_gas(&self, requested: u64) -> Result<NestedGas, HostStop<E>> {
        let available = self.gas_left();
        if requested > available {
            return Err(HostStop::OutOfGas);
        }
        Ok(NestedGas { available, requested, limit: if requested == 0 { available } else { requested } })
    }

    /// Charges a nested frame's gas to its caller.
    fn settle(&mut self, gas: NestedGas, nested: Nested) {
        self.guest.set_gas(gas.available.saturating_sub(nested.gas_consumed) as i64);
    }
}

/// Bytes as lowercase hex digits.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
