//! The host functions contracts import: argument decoding, gas charges and effects.
//!
//! Every function first charges `Schedule::host_call` and then its own cost, before it
//! acts. Guest memory that cannot be read or written, an oversized length or an
//! invalid argument traps the calling frame; failures a contract can handle are
//! [`ReturnCode`]s in `a0`.

use alloc::{format, string::String, vec::Vec};

use abi::{call_flags, CallArgs, InstantiateArgs, ReturnCode, ACCOUNT_LEN, BALANCE_LEN, HASH_LEN, SENTINEL};
use frame_support::{
    storage::child,
    traits::{
        fungible::{Inspect, Mutate},
        tokens::Preservation,
        Get, Time,
    },
};
use pvm::Reg;

use crate::machine::Machine;
use sp_core::H256;
use sp_runtime::{
    traits::{Saturating, UniqueSaturatedInto},
    AccountId32, DispatchError,
};

use crate::{
    exec::{self, Frame, FrameError, FrameResult, Stack},
    primitives::ExecReturnValue,
    BalanceOf, Config, ContractInfoOf, Error, Event, Pallet,
};

/// What the frame does after a host function.
pub(crate) enum Control {
    /// Run on.
    Continue,
    /// End the frame with this output.
    Return(ExecReturnValue),
}

/// Why a host function stopped the frame.
pub(crate) enum HostStop {
    /// Not enough gas for the function's cost.
    OutOfGas,
    /// The contract did something it must not; `error` is the pallet error behind it, if
    /// any (e.g. the storage deposit limit).
    Trap { reason: String, error: Option<DispatchError> },
}

fn trap(reason: String) -> HostStop {
    HostStop::Trap { reason, error: None }
}

fn trap_with(error: impl Into<DispatchError>, reason: String) -> HostStop {
    HostStop::Trap { reason, error: Some(error.into()) }
}

macro_rules! host_functions {
	($($variant:ident = $name:ident,)*) => {
		/// A host function, by import name.
		#[derive(Clone, Copy, PartialEq, Eq, Debug)]
		pub(crate) enum HostFn {
			$($variant,)*
		}

		impl HostFn {
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

/// Guest memory and gas of the running frame.
struct Guest<'a> {
    instance: &'a mut dyn Machine,
}

impl Guest<'_> {
    fn arg(&self, index: usize) -> u64 {
        self.instance.reg(Reg::ARGS[index])
    }

    fn charge(&mut self, gas: u64) -> Result<(), HostStop> {
        self.instance.consume_gas(gas).map_err(|_| HostStop::OutOfGas)
    }

    fn gas_left(&self) -> u64 {
        u64::try_from(self.instance.gas()).unwrap_or(0)
    }

    /// Reads `len` bytes at `ptr`; an empty buffer may have any address (Rust's empty
    /// slices point at address 1).
    fn read(&self, ptr: u64, len: u64, max: usize, what: &str) -> Result<Vec<u8>, HostStop> {
        if len > max as u64 {
            return Err(trap(format!("{what} is {len} bytes; the limit is {max}")));
        }
        if len == 0 {
            return Ok(Vec::new());
        }
        let address = u32::try_from(ptr).map_err(|_| trap(format!("{what}: pointer {ptr:#x} is out of range")))?;
        self.instance
            .read_memory(address, len as u32)
            .map_err(|fault| trap(format!("{what}: cannot read {len} bytes at {ptr:#x} (fault at {fault:#x})")))
    }

    fn read_array<const N: usize>(&self, ptr: u64, what: &str) -> Result<[u8; N], HostStop> {
        let bytes = self.read(ptr, N as u64, N, what)?;
        Ok(bytes.try_into().expect("read N bytes"))
    }

    fn read_account(&self, ptr: u64) -> Result<AccountId32, HostStop> {
        Ok(AccountId32::new(self.read_array::<ACCOUNT_LEN>(ptr, "account")?))
    }

    fn read_balance<T: Config>(&self, ptr: u64) -> Result<BalanceOf<T>, HostStop> {
        let value = u128::from_le_bytes(self.read_array::<BALANCE_LEN>(ptr, "balance")?);
        value.try_into().map_err(|_| trap(format!("balance {value} does not fit into this chain's balance type")))
    }

    fn write(&mut self, ptr: u64, data: &[u8], what: &str) -> Result<(), HostStop> {
        if data.is_empty() {
            return Ok(());
        }
        let address = u32::try_from(ptr).map_err(|_| trap(format!("{what}: pointer {ptr:#x} is out of range")))?;
        self.instance.write_memory(address, data).map_err(|fault| {
            trap(format!("{what}: cannot write {} bytes at {ptr:#x} (fault at {fault:#x})", data.len()))
        })
    }

    fn write_balance<T: Config>(&mut self, ptr: u64, balance: BalanceOf<T>) -> Result<(), HostStop> {
        let value: u128 = balance.unique_saturated_into();
        self.write(ptr, &value.to_le_bytes(), "balance")
    }

    /// Copies `data[offset..]`, at most `len` bytes, to `ptr`; returns how many.
    fn copy_out(
        &mut self,
        schedule: &crate::Schedule,
        data: &[u8],
        ptr: u64,
        offset: u64,
        len: u64,
    ) -> Result<u64, HostStop> {
        let available = (data.len() as u64).saturating_sub(offset);
        let count = len.min(available);
        self.charge(schedule.copy(count as usize))?;
        if count > 0 {
            let start = offset as usize;
            self.write(ptr, &data[start..start + count as usize], "output")?;
        }
        Ok(count)
    }
}

/// Runs the host function `function` for the frame.
pub(crate) fn dispatch<T: Config>(
    stack: &mut Stack<T>,
    frame: &mut Frame,
    instance: &mut dyn Machine,
    function: HostFn,
) -> Result<Control, HostStop> {
    let schedule = *stack.schedule();
    let max_value = T::MaxValueLen::get() as usize;
    let mut guest = Guest { instance };
    guest.charge(schedule.host_call)?;
    let [a0, a1, a2, a3, _, _] = core::array::from_fn(|index| guest.arg(index));

    let result: u64 = match function {
        HostFn::SetStorage => {
            guest.charge(schedule.storage(true, (a1.min(u32::MAX.into()) + a3.min(u32::MAX.into())) as usize))?;
            let key = read_key(&guest, a0, a1)?;
            let value = guest.read(a2, a3, max_value, "storage value")?;
            write_storage(stack, frame, &key, Some(&value))?.map_or(SENTINEL, u64::from)
        }
        HostFn::ClearStorage => {
            guest.charge(schedule.storage(true, a1.min(u32::MAX.into()) as usize))?;
            let key = read_key(&guest, a0, a1)?;
            write_storage(stack, frame, &key, None)?.map_or(SENTINEL, u64::from)
        }
        HostFn::ContainsStorage => {
            guest.charge(schedule.storage(false, a1.min(u32::MAX.into()) as usize))?;
            let key = read_key(&guest, a0, a1)?;
            child::len(&frame.trie, &key).map_or(SENTINEL, u64::from)
        }
        HostFn::GetStorage | HostFn::TakeStorage => {
            let take = function == HostFn::TakeStorage;
            guest.charge(schedule.storage(take, a1.min(u32::MAX.into()) as usize))?;
            let key = read_key(&guest, a0, a1)?;
            match child::get_raw(&frame.trie, &key) {
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
                            write_storage(stack, frame, &key, None)?;
                        }
                        ReturnCode::Success as u64
                    }
                }
            }
        }

        HostFn::InputSize => frame.input.len() as u64,
        HostFn::InputCopy => guest.copy_out(&schedule, &frame.input, a0, a1, a2)?,
        HostFn::ReturnDataSize => frame.return_data.len() as u64,
        HostFn::ReturnDataCopy => guest.copy_out(&schedule, &frame.return_data, a0, a1, a2)?,
        HostFn::ReturnValue => {
            if a0 & !abi::return_flags::REVERT != 0 {
                return Err(trap(format!("unknown return flags {a0:#x}")));
            }
            guest.charge(schedule.copy(a2.min(u32::MAX.into()) as usize))?;
            let data = guest.read(a1, a2, max_value, "return value")?;
            return Ok(Control::Return(ExecReturnValue { flags: a0, data }));
        }

        HostFn::DepositEvent => {
            if a1 > abi::MAX_EVENT_TOPICS as u64 {
                return Err(trap(format!("an event has {a1} topics; the limit is {}", abi::MAX_EVENT_TOPICS)));
            }
            guest.charge(
                schedule
                    .event
                    .saturating_add(schedule.event_per_topic.saturating_mul(a1))
                    .saturating_add(schedule.event_per_byte.saturating_mul(a3)),
            )?;
            let topics = guest.read(a0, a1 * HASH_LEN as u64, abi::MAX_EVENT_TOPICS * HASH_LEN, "event topics")?;
            let topics = topics.chunks_exact(HASH_LEN).map(H256::from_slice).collect();
            let data = guest.read(a2, a3, max_value, "event data")?;
            Pallet::<T>::deposit_event(Event::ContractEmitted { contract: frame.contract.clone(), topics, data });
            0
        }
        HostFn::Transfer => {
            guest.charge(schedule.transfer)?;
            let to = guest.read_account(a0)?;
            let value = guest.read_balance::<T>(a1)?;
            match T::Currency::transfer(&frame.contract, &to, value, Preservation::Preserve) {
                Ok(_) => ReturnCode::Success as u64,
                Err(_) => ReturnCode::TransferFailed as u64,
            }
        }

        HostFn::Caller => {
            guest.write(a0, frame.caller.as_ref(), "caller")?;
            0
        }
        HostFn::Address => {
            guest.write(a0, frame.contract.as_ref(), "address")?;
            0
        }
        HostFn::ValueTransferred => {
            guest.write(a0, &frame.value.to_le_bytes(), "value")?;
            0
        }
        HostFn::Balance => {
            guest.charge(schedule.balance_read)?;
            guest.write_balance::<T>(a0, T::Currency::balance(&frame.contract))?;
            0
        }
        HostFn::BalanceOf => {
            guest.charge(schedule.balance_read)?;
            let account = guest.read_account(a0)?;
            guest.write_balance::<T>(a1, T::Currency::balance(&account))?;
            0
        }
        HostFn::BlockNumber => frame_system::Pallet::<T>::block_number().unique_saturated_into(),
        HostFn::Now => T::Time::now().unique_saturated_into(),
        HostFn::GasLeft => guest.gas_left(),

        HostFn::HashBlake2_256 | HostFn::HashBlake2_128 => {
            guest.charge(schedule.hash.saturating_add(schedule.hash_per_byte.saturating_mul(a1)))?;
            let input = guest.read(a0, a1, max_value, "hash input")?;
            if function == HostFn::HashBlake2_256 {
                guest.write(a2, &sp_io::hashing::blake2_256(&input), "hash")?;
            } else {
                guest.write(a2, &sp_io::hashing::blake2_128(&input), "hash")?;
            }
            0
        }

        HostFn::Call => {
            let args = CallArgs::decode(&guest.read_array::<{ CallArgs::SIZE }>(a0, "call arguments")?);
            guest.charge(schedule.copy(args.input_len.min(u32::MAX.into()) as usize))?;
            let callee = guest.read_account(args.callee_ptr)?;
            let value = guest.read_balance::<T>(args.value_ptr)?;
            let input = guest.read(args.input_ptr, args.input_len, max_value, "call input")?;
            let (available, limit) = nested_gas(&guest, args.gas_limit)?;
            frame.return_data.clear();
            if let Err(error) = stack.check_callee(&callee, args.flags & call_flags::ALLOW_REENTRY != 0) {
                return_code::<T>(&error)
            } else {
                let result = stack.call_frame(frame.contract.clone(), callee, value, input, limit);
                settle_nested(frame, &mut guest, available, args.gas_limit, &result);
                nested_return_code::<T>(frame, result)
            }
        }
        HostFn::Instantiate => {
            let args =
                InstantiateArgs::decode(&guest.read_array::<{ InstantiateArgs::SIZE }>(a0, "instantiate arguments")?);
            guest.charge(schedule.copy(args.input_len.saturating_add(args.salt_len).min(u32::MAX.into()) as usize))?;
            let code_hash = H256(guest.read_array::<HASH_LEN>(args.code_hash_ptr, "code hash")?);
            let value = guest.read_balance::<T>(args.value_ptr)?;
            let input = guest.read(args.input_ptr, args.input_len, max_value, "deploy input")?;
            let salt = guest.read(args.salt_ptr, args.salt_len, max_value, "salt")?;
            let (available, limit) = nested_gas(&guest, args.gas_limit)?;
            frame.return_data.clear();
            let (address, result) =
                stack.instantiate_frame(frame.contract.clone(), value, limit, code_hash, input, &salt);
            settle_nested(frame, &mut guest, available, args.gas_limit, &result);
            let code = nested_return_code::<T>(frame, result);
            if let (Some(address), true) = (address, code == ReturnCode::Success as u64 && args.address_ptr != SENTINEL)
            {
                guest.write(args.address_ptr, address.as_ref(), "address")?;
            }
            code
        }
        HostFn::Terminate => {
            let items = ContractInfoOf::<T>::get(&frame.contract).map_or(0, |info| info.storage_items);
            guest.charge(schedule.terminate.saturating_add(schedule.storage_write.saturating_mul(items.into())))?;
            let beneficiary = guest.read_account(a0)?;
            if stack.is_reentrant(&frame.contract) {
                return Err(trap_with(
                    Error::<T>::TerminatedWhileReentrant,
                    String::from("a contract on the call stack more than once cannot terminate"),
                ));
            }
            exec::terminate::<T>(&frame.contract, &beneficiary)
                .map_err(|error| trap_with(error, format!("terminating failed: {error:?}")))?;
            return Ok(Control::Return(ExecReturnValue::default()));
        }
        HostFn::DebugMessage => {
            guest.charge(schedule.copy(a1.min(u32::MAX.into()) as usize))?;
            let message = guest.read(a0, a1, max_value, "debug message")?;
            if stack.debug_message(message) {
                ReturnCode::Success as u64
            } else {
                ReturnCode::DebugMessagesDisabled as u64
            }
        }
    };
    guest.instance.set_reg(Reg::A0, result);
    Ok(Control::Continue)
}

fn read_key(guest: &Guest, ptr: u64, len: u64) -> Result<Vec<u8>, HostStop> {
    guest.read(ptr, len, abi::MAX_STORAGE_KEY_LEN, "storage key")
}

/// Writes (`Some`) or removes (`None`) a storage item and settles its deposit with the
/// origin; returns the length of the value it replaced.
fn write_storage<T: Config>(
    stack: &mut Stack<T>,
    frame: &Frame,
    key: &[u8],
    value: Option<&[u8]>,
) -> Result<Option<u32>, HostStop> {
    let old_len = child::len(&frame.trie, key);
    let footprint = |len: Option<usize>| -> (u32, u32) { len.map_or((0, 0), |len| ((key.len() + len) as u32, 1)) };
    let (old_bytes, old_items) = footprint(old_len.map(|len| len as usize));
    let (new_bytes, new_items) = footprint(value.map(<[u8]>::len));
    let (old_deposit, new_deposit) =
        (crate::code::deposit::<T>(old_bytes, old_items), crate::code::deposit::<T>(new_bytes, new_items));
    if new_deposit > old_deposit {
        let amount = new_deposit.saturating_sub(old_deposit);
        stack.charge_deposit(&frame.contract, amount).map_err(|error| {
            let why = stack.describe_deposit_error(error, amount);
            trap_with(error, format!("the storage deposit for key 0x{} could not be charged: {why}", hex(key)))
        })?;
    } else if old_deposit > new_deposit {
        stack.refund_deposit(&frame.contract, old_deposit.saturating_sub(new_deposit));
    }
    ContractInfoOf::<T>::mutate(&frame.contract, |info| {
        if let Some(info) = info {
            info.storage_bytes = info.storage_bytes.saturating_add(new_bytes).saturating_sub(old_bytes);
            info.storage_items = info.storage_items.saturating_add(new_items).saturating_sub(old_items);
        }
    });
    match value {
        Some(value) => child::put_raw(&frame.trie, key, value),
        None => child::kill(&frame.trie, key),
    }
    Ok(old_len)
}

/// The gas left and the limit of a nested frame; asking for more than is left traps.
fn nested_gas(guest: &Guest, requested: u64) -> Result<(u64, u64), HostStop> {
    let available = guest.gas_left();
    if requested > available {
        return Err(HostStop::OutOfGas);
    }
    Ok((available, if requested == 0 { available } else { requested }))
}

/// Charges a nested frame's gas to its caller and notes how much gas the caller
/// needs for it.
fn settle_nested(frame: &mut Frame, guest: &mut Guest, available: u64, requested: u64, result: &FrameResult) {
    let consumed_before = frame.gas_limit.saturating_sub(available);
    let needed = if requested == 0 { result.gas_required } else { requested };
    frame.gas_required = frame.gas_required.max(consumed_before.saturating_add(needed));
    guest.instance.set_gas(available.saturating_sub(result.gas_consumed) as pvm::Gas);
}

/// The return code of a nested call or instantiation, which also sets the caller's
/// return data.
fn nested_return_code<T: Config>(frame: &mut Frame, result: FrameResult) -> u64 {
    let code = match result.end {
        Ok(output) => {
            let code = if output.did_revert() { ReturnCode::CalleeReverted } else { ReturnCode::Success };
            frame.return_data = output.data;
            code
        }
        Err(FrameError::OutOfGas | FrameError::Trapped(_)) => ReturnCode::CalleeTrapped,
        Err(FrameError::Dispatch(error)) => return return_code::<T>(&error),
    };
    code as u64
}

/// The return code for an error that kept a nested frame from running.
fn return_code<T: Config>(error: &DispatchError) -> u64 {
    let is = |e: Error<T>| *error == DispatchError::from(e);
    let code = if is(Error::ContractNotFound) {
        ReturnCode::NotAContract
    } else if is(Error::ReentranceDenied) {
        ReturnCode::ReentranceDenied
    } else if is(Error::MaxCallDepthReached) {
        ReturnCode::CallDepthExceeded
    } else if is(Error::TransferFailed) {
        ReturnCode::TransferFailed
    } else if is(Error::CodeNotFound) {
        ReturnCode::CodeNotFound
    } else if is(Error::DuplicateContract) {
        ReturnCode::DuplicateContract
    } else {
        ReturnCode::CalleeTrapped
    };
    code as u64
}

/// Bytes as lowercase hex digits.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
