//! The chain side of the host functions: a frame's view of FRAME storage, balances and
//! the call stack. What each host function reads, charges and checks is defined once,
//! in `pvm-contracts-host`, which the differential tests run as well.

use alloc::{format, string::String, vec::Vec};

use frame_support::{
    storage::child,
    traits::{
        fungible::{Inspect, Mutate},
        tokens::Preservation,
        Get, Time,
    },
};
use pvm_contracts_host::{Account, Chain, Hash, HostStop, Nested, NestedGas, Schedule};
use sp_core::H256;
use sp_runtime::{
    traits::{Saturating, UniqueSaturatedInto},
    AccountId32, DispatchError,
};

use crate::{
    exec::{self, Frame, FrameError, FrameResult, Stack},
    BalanceOf, Config, ContractInfoOf, Error, Event, Pallet,
};

pub(crate) use pvm_contracts_host::hex;

/// The frame that called a host function, on the stack it runs on.
pub(crate) struct FrameChain<'a, T: Config> {
    pub stack: &'a mut Stack<T>,
    pub frame: &'a mut Frame,
}

impl<T: Config> Chain for FrameChain<'_, T> {
    type Error = DispatchError;

    fn schedule(&self) -> &Schedule {
        self.stack.schedule()
    }

    fn max_value_len(&self) -> usize {
        T::MaxValueLen::get() as usize
    }

    fn input(&self) -> &[u8] {
        &self.frame.input
    }

    fn return_data(&self) -> &[u8] {
        &self.frame.return_data
    }

    fn caller(&self) -> Account {
        self.frame.caller.clone().into()
    }

    fn address(&self) -> Account {
        self.frame.contract.clone().into()
    }

    fn value_transferred(&self) -> u128 {
        self.frame.value
    }

    fn block_number(&self) -> u64 {
        frame_system::Pallet::<T>::block_number().unique_saturated_into()
    }

    fn now(&self) -> u64 {
        T::Time::now().unique_saturated_into()
    }

    fn storage_len(&self, key: &[u8]) -> Option<u32> {
        child::len(&self.frame.trie, key)
    }

    fn storage(&self, key: &[u8]) -> Option<Vec<u8>> {
        child::get_raw(&self.frame.trie, key)
    }

    fn set_storage(&mut self, key: &[u8], value: Option<&[u8]>) -> Result<Option<u32>, HostStop<DispatchError>> {
        write_storage(self.stack, self.frame, key, value)
    }

    fn storage_items(&self) -> u64 {
        ContractInfoOf::<T>::get(&self.frame.contract).map_or(0, |info| info.storage_items.into())
    }

    fn balance(&self, account: &Account) -> u128 {
        T::Currency::balance(&AccountId32::new(*account)).unique_saturated_into()
    }

    fn transfer(&mut self, to: &Account, value: u128) -> Result<bool, HostStop<DispatchError>> {
        let value = balance::<T>(value)?;
        let to = AccountId32::new(*to);
        Ok(T::Currency::transfer(&self.frame.contract, &to, value, Preservation::Preserve).is_ok())
    }

    fn deposit_event(&mut self, topics: Vec<Hash>, data: Vec<u8>) {
        let topics = topics.into_iter().map(H256).collect();
        Pallet::<T>::deposit_event(Event::ContractEmitted { contract: self.frame.contract.clone(), topics, data });
    }

    fn debug_message(&mut self, message: Vec<u8>) -> bool {
        self.stack.debug_message(message)
    }

    fn blake2_256(&self, data: &[u8]) -> Hash {
        sp_io::hashing::blake2_256(data)
    }

    fn blake2_128(&self, data: &[u8]) -> [u8; 16] {
        sp_io::hashing::blake2_128(data)
    }

    fn call(
        &mut self,
        callee: Account,
        value: u128,
        input: Vec<u8>,
        allow_reentry: bool,
        gas: NestedGas,
    ) -> Result<Nested, HostStop<DispatchError>> {
        let value = balance::<T>(value)?;
        let callee = AccountId32::new(callee);
        self.frame.return_data.clear();
        if let Err(error) = self.stack.check_callee(&callee, allow_reentry) {
            return Ok(Nested { code: return_code::<T>(&error), gas_consumed: 0 });
        }
        let result = self.stack.call_frame(self.frame.contract.clone(), callee, value, input, gas.limit);
        Ok(self.settle(gas, result))
    }

    fn instantiate(
        &mut self,
        code_hash: Hash,
        value: u128,
        input: Vec<u8>,
        salt: &[u8],
        gas: NestedGas,
    ) -> Result<(Option<Account>, Nested), HostStop<DispatchError>> {
        let value = balance::<T>(value)?;
        self.frame.return_data.clear();
        let deployer = self.frame.contract.clone();
        let (address, result) = self.stack.instantiate_frame(deployer, value, gas.limit, H256(code_hash), input, salt);
        Ok((address.map(Into::into), self.settle(gas, result)))
    }

    fn terminate(&mut self, beneficiary: &Account) -> Result<(), HostStop<DispatchError>> {
        if self.stack.is_reentrant(&self.frame.contract) {
            return Err(HostStop::trap_with(
                Error::<T>::TerminatedWhileReentrant.into(),
                String::from("a contract on the call stack more than once cannot terminate"),
            ));
        }
        exec::terminate::<T>(&self.frame.contract, &AccountId32::new(*beneficiary))
            .map_err(|error| HostStop::trap_with(error, format!("terminating failed: {error:?}")))
    }
}

impl<T: Config> FrameChain<'_, T> {
    /// Notes how much gas the caller needs for a nested frame that ran, and sets the
    /// caller's return data to the callee's output.
    fn settle(&mut self, gas: NestedGas, result: FrameResult) -> Nested {
        let consumed_before = self.frame.gas_limit.saturating_sub(gas.available);
        let needed = if gas.requested == 0 { result.gas_required } else { gas.requested };
        self.frame.gas_required = self.frame.gas_required.max(consumed_before.saturating_add(needed));
        let code = match result.end {
            Ok(output) => {
                let code = if output.did_revert() { abi::ReturnCode::CalleeReverted } else { abi::ReturnCode::Success };
                self.frame.return_data = output.data;
                code
            }
            Err(FrameError::OutOfGas | FrameError::Trapped(_)) => abi::ReturnCode::CalleeTrapped,
            Err(FrameError::Dispatch(error)) => return_code::<T>(&error),
        };
        Nested { code, gas_consumed: result.gas_consumed }
    }
}

/// A balance from the guest, in this chain's balance type.
fn balance<T: Config>(value: u128) -> Result<BalanceOf<T>, HostStop<DispatchError>> {
    value.try_into().map_err(|_| HostStop::trap(format!("balance {value} does not fit into this chain's balance type")))
}

/// Writes (`Some`) or removes (`None`) a storage item and settles its deposit with the
/// origin; returns the length of the value it replaced.
fn write_storage<T: Config>(
    stack: &mut Stack<T>,
    frame: &Frame,
    key: &[u8],
    value: Option<&[u8]>,
) -> Result<Option<u32>, HostStop<DispatchError>> {
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
            HostStop::trap_with(
                error,
                format!("the storage deposit for key 0x{} could not be charged: {why}", hex(key)),
            )
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

/// The return code for an error that kept a nested frame from running.
fn return_code<T: Config>(error: &DispatchError) -> abi::ReturnCode {
    use abi::ReturnCode;
    let is = |e: Error<T>| *error == DispatchError::from(e);
    if is(Error::ContractNotFound) {
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
    }
}
