//! The call stack: frames, gas, storage deposits, and the loop that runs a contract
//! until it ends.

use alloc::{collections::BTreeMap, format, string::String, vec::Vec};

use frame_support::{
    storage::{child::ChildInfo, with_transaction, TransactionOutcome},
    traits::{
        fungible::{Inspect, Mutate, MutateHold},
        tokens::{Fortitude, Precision, Preservation, Restriction},
        Get,
    },
};
use sp_core::H256;
use sp_runtime::{
    traits::{Saturating, Zero},
    AccountId32, DispatchError,
};

use crate::machine::{self, Machine, Stop};
use crate::{
    code,
    host::FrameChain,
    primitives::{ContractResult, ExecReturnValue, StorageDeposit},
    BalanceOf, Config, ContractInfo, ContractInfoOf, Error, Event, HoldReason, Pallet, TrieNonce,
};
use pvm_contracts_host::{Control, HostFn, HostStop};

/// The child trie of a contract's storage.
pub(crate) fn child_trie(trie_id: &[u8]) -> ChildInfo {
    ChildInfo::new_default(trie_id)
}

/// Why a frame did not end normally.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) enum FrameError {
    /// It ran out of gas.
    OutOfGas,
    /// It trapped; with the pallet error that caused it, if a host function failed.
    Trapped(Option<DispatchError>),
    /// It could not start (no such contract, depth, transfer, deposit...).
    Dispatch(DispatchError),
}

impl FrameError {
    fn into_dispatch_error<T: Config>(self) -> DispatchError {
        match self {
            FrameError::OutOfGas => Error::<T>::OutOfGas.into(),
            FrameError::Trapped(Some(error)) | FrameError::Dispatch(error) => error,
            FrameError::Trapped(None) => Error::<T>::ContractTrapped.into(),
        }
    }
}

/// How a frame ended, and what it cost.
pub(crate) struct FrameResult {
    pub end: Result<ExecReturnValue, FrameError>,
    pub gas_consumed: u64,
    pub gas_required: u64,
}

impl FrameResult {
    fn failed(error: FrameError, gas_consumed: u64) -> Self {
        FrameResult { end: Err(error), gas_consumed, gas_required: gas_consumed }
    }

    fn commits(&self) -> bool {
        matches!(&self.end, Ok(output) if !output.did_revert())
    }
}

/// The state of one running frame that host functions see.
pub(crate) struct Frame {
    /// Who called it: the origin or the calling contract.
    pub caller: AccountId32,
    /// The contract it runs.
    pub contract: AccountId32,
    /// The value sent with the call.
    pub value: u128,
    /// The call's input.
    pub input: Vec<u8>,
    /// The output of the last call or instantiation this frame made.
    pub return_data: Vec<u8>,
    /// The contract's storage.
    pub trie: ChildInfo,
    /// The gas this frame was given.
    pub gas_limit: u64,
    /// The gas this frame needs at least, from nested calls that got an explicit limit.
    pub gas_required: u64,
    /// Heap pages already paid for.
    pub heap_pages_charged: u32,
}

/// What a top-level execution produced.
pub(crate) struct Outcome<R, T: Config> {
    pub result: Result<R, DispatchError>,
    pub gas_consumed: u64,
    pub gas_required: u64,
    pub storage_deposit: StorageDeposit<BalanceOf<T>>,
    pub debug_messages: Vec<Vec<u8>>,
    pub failure: Option<String>,
}

impl<R, T: Config> Outcome<R, T> {
    pub fn map_output<S>(self, f: impl FnOnce(R) -> S) -> Outcome<S, T> {
        Outcome {
            result: self.result.map(f),
            gas_consumed: self.gas_consumed,
            gas_required: self.gas_required,
            storage_deposit: self.storage_deposit,
            debug_messages: self.debug_messages,
            failure: self.failure,
        }
    }

    /// The dry-run result, with the events emitted since the `event_count`-th.
    pub fn into_contract_result(
        self,
        event_count: u32,
    ) -> ContractResult<R, BalanceOf<T>, frame_system::EventRecord<T::RuntimeEvent, T::Hash>> {
        let events = frame_system::Pallet::<T>::read_events_no_consensus()
            .skip(event_count as usize)
            .map(|record| *record)
            .collect();
        ContractResult {
            result: self.result,
            gas_consumed: self.gas_consumed,
            gas_required: self.gas_required,
            storage_deposit: self.storage_deposit,
            events,
            debug_messages: self.debug_messages,
            failure: self.failure.map(String::into_bytes),
        }
    }
}

/// One transaction's contract execution: the frames on the stack, the storage deposit
/// meter and the debug buffer.
pub(crate) struct Stack<T: Config> {
    /// The signed origin: it pays storage deposits and gets refunds.
    origin: AccountId32,
    schedule: pvm_contracts_host::Schedule,
    deposit_limit: BalanceOf<T>,
    deposit_charged: BalanceOf<T>,
    deposit_refunded: BalanceOf<T>,
    /// The contracts of the running frames, outermost first.
    contracts: Vec<AccountId32>,
    /// Whether debug messages are recorded (dry runs).
    debug: bool,
    debug_messages: Vec<Vec<u8>>,
    debug_bytes: usize,
    /// What went wrong last, in words.
    failure: Option<String>,
    /// The modules this transaction translated, by code hash (a contract calling
    /// itself or another of the same code reuses them).
    modules: BTreeMap<H256, pvm::Module>,
}

impl<T: Config> Stack<T> {
    pub fn new(origin: AccountId32, deposit_limit: BalanceOf<T>, debug: bool) -> Self {
        Stack {
            origin,
            schedule: T::Schedule::get(),
            deposit_limit,
            deposit_charged: Zero::zero(),
            deposit_refunded: Zero::zero(),
            contracts: Vec::new(),
            debug,
            debug_messages: Vec::new(),
            debug_bytes: 0,
            failure: None,
            modules: BTreeMap::new(),
        }
    }

    pub fn schedule(&self) -> &pvm_contracts_host::Schedule {
        &self.schedule
    }

    /// Runs a top-level call.
    pub fn call(
        mut self,
        caller: AccountId32,
        dest: AccountId32,
        value: BalanceOf<T>,
        gas_limit: u64,
        input: Vec<u8>,
    ) -> Outcome<ExecReturnValue, T> {
        let frame = match self.check_input("input", &input).and_then(|()| self.check_callee(&dest, true)) {
            Ok(()) => self.call_frame(caller, dest, value, input, gas_limit),
            Err(error) => FrameResult::failed(FrameError::Dispatch(error), 0),
        };
        self.finish(frame.end.map_err(FrameError::into_dispatch_error::<T>), frame.gas_consumed, frame.gas_required)
    }

    /// Runs a top-level instantiation.
    pub fn instantiate(
        mut self,
        deployer: AccountId32,
        value: BalanceOf<T>,
        gas_limit: u64,
        code_hash: H256,
        input: Vec<u8>,
        salt: Vec<u8>,
    ) -> Outcome<(AccountId32, ExecReturnValue), T> {
        let (address, frame) = match self.check_input("input", &input).and_then(|()| self.check_input("salt", &salt)) {
            Ok(()) => self.instantiate_frame(deployer, value, gas_limit, code_hash, input, &salt),
            Err(error) => (None, FrameResult::failed(FrameError::Dispatch(error), 0)),
        };
        let result = frame
            .end
            .map_err(FrameError::into_dispatch_error::<T>)
            .map(|output| (address.expect("a frame that ran has an address"), output));
        self.finish(result, frame.gas_consumed, frame.gas_required)
    }

    fn finish<R>(self, result: Result<R, DispatchError>, gas_consumed: u64, gas_required: u64) -> Outcome<R, T> {
        // What went wrong in words, when there is more to say than the error itself.
        let failure = if result.is_err() { self.failure } else { None };
        Outcome {
            result,
            gas_consumed,
            gas_required: gas_required.max(gas_consumed),
            storage_deposit: StorageDeposit::from_totals(self.deposit_charged, self.deposit_refunded),
            debug_messages: self.debug_messages,
            failure,
        }
    }

    /// Checks the length of a top-level call's `what` (its input or salt).
    fn check_input(&mut self, what: &str, input: &[u8]) -> Result<(), DispatchError> {
        let max = T::MaxValueLen::get();
        if input.len() > max as usize {
            self.failure =
                Some(format!("the {what} of {} bytes is larger than MaxValueLen ({max} bytes)", input.len()));
            return Err(Error::<T>::ValueTooLarge.into());
        }
        Ok(())
    }

    /// Whether `dest` can be called now.
    pub fn check_callee(&self, dest: &AccountId32, allow_reentry: bool) -> Result<(), DispatchError> {
        if !ContractInfoOf::<T>::contains_key(dest) {
            return Err(Error::<T>::ContractNotFound.into());
        }
        if !allow_reentry && self.contracts.contains(dest) {
            return Err(Error::<T>::ReentranceDenied.into());
        }
        self.check_depth()
    }

    pub fn check_depth(&self) -> Result<(), DispatchError> {
        if self.contracts.len() >= T::MaxCallDepth::get() as usize {
            return Err(Error::<T>::MaxCallDepthReached.into());
        }
        Ok(())
    }

    /// Runs `dest`'s `call` export in a frame of its own.
    pub fn call_frame(
        &mut self,
        caller: AccountId32,
        dest: AccountId32,
        value: BalanceOf<T>,
        input: Vec<u8>,
        gas_limit: u64,
    ) -> FrameResult {
        let result = self.transactional(&dest, |stack| {
            let Some(info) = ContractInfoOf::<T>::get(&dest) else {
                return FrameResult::failed(FrameError::Dispatch(Error::<T>::ContractNotFound.into()), 0);
            };
            let startup = stack.schedule.frame;
            stack.run(caller.clone(), dest.clone(), &info, value, input, gas_limit, startup, abi::EXPORT_CALL)
        });
        if result.commits() {
            Pallet::<T>::deposit_event(Event::Called { caller, contract: dest });
        }
        result
    }

    /// Creates a contract and runs its `deploy` export, in a frame of its own.
    pub fn instantiate_frame(
        &mut self,
        deployer: AccountId32,
        value: BalanceOf<T>,
        gas_limit: u64,
        code_hash: H256,
        input: Vec<u8>,
        salt: &[u8],
    ) -> (Option<AccountId32>, FrameResult) {
        let address = Pallet::<T>::contract_address(&deployer, &code_hash, salt);
        if ContractInfoOf::<T>::contains_key(&address) {
            return (None, FrameResult::failed(FrameError::Dispatch(Error::<T>::DuplicateContract.into()), 0));
        }
        if let Err(error) = self.check_depth() {
            return (None, FrameResult::failed(FrameError::Dispatch(error), 0));
        }
        let result = self.transactional(&address, |stack| {
            let info = match stack.create_contract(&address, code_hash) {
                Ok(info) => info,
                Err(error) => return FrameResult::failed(FrameError::Dispatch(error), 0),
            };
            let startup = stack.schedule.frame.saturating_add(stack.schedule.instantiate);
            stack.run(deployer.clone(), address.clone(), &info, value, input, gas_limit, startup, abi::EXPORT_DEPLOY)
        });
        if result.commits() {
            Pallet::<T>::deposit_event(Event::Instantiated { deployer, contract: address.clone(), code_hash });
        }
        (Some(address), result)
    }

    /// Runs `f` as one frame of `contract`: in a storage transaction that commits
    /// only if the frame ends without failing or reverting.
    fn transactional(&mut self, contract: &AccountId32, f: impl FnOnce(&mut Self) -> FrameResult) -> FrameResult {
        let saved_deposit = (self.deposit_charged, self.deposit_refunded);
        self.contracts.push(contract.clone());
        let result = with_transaction(|| {
            let result = f(self);
            if result.commits() {
                TransactionOutcome::Commit(Ok::<_, DispatchError>(result))
            } else {
                TransactionOutcome::Rollback(Ok(result))
            }
        })
        .unwrap_or_else(|error| FrameResult::failed(FrameError::Dispatch(error), 0));
        self.contracts.pop();
        if !result.commits() {
            (self.deposit_charged, self.deposit_refunded) = saved_deposit;
        }
        result
    }

    /// Creates the account, info and child trie of a new contract. The origin pays the
    /// account's existential deposit and the info's storage deposit.
    fn create_contract(&mut self, address: &AccountId32, code_hash: H256) -> Result<ContractInfo<T>, DispatchError> {
        code::increment_refcount::<T>(code_hash)?;
        let nonce = TrieNonce::<T>::mutate(|nonce| {
            *nonce = nonce.wrapping_add(1);
            *nonce
        });
        let mut trie_input = Vec::from(&b"pvm-contracts:trie"[..]);
        trie_input.extend_from_slice(&nonce.to_le_bytes());
        let trie_id = sp_io::hashing::blake2_256(&trie_input).to_vec().try_into().expect("32 bytes fit into 40");

        let existential_deposit = T::Currency::minimum_balance();
        self.check_deposit_limit(existential_deposit)?;
        T::Currency::transfer(&self.origin, address, existential_deposit, Preservation::Preserve)
            .map_err(|_| Error::<T>::StorageDepositNotEnoughFunds)?;
        self.deposit_charged = self.deposit_charged.saturating_add(existential_deposit);

        let info_deposit = code::deposit_for::<T>(ContractInfo::<T>::max_encoded_len_const());
        let info =
            ContractInfo { trie_id, code_hash, storage_bytes: 0, storage_items: 0, storage_deposit: Zero::zero() };
        ContractInfoOf::<T>::insert(address, &info);
        self.charge_deposit(address, info_deposit)?;
        Ok(ContractInfoOf::<T>::get(address).expect("just inserted"))
    }

    fn check_deposit_limit(&self, amount: BalanceOf<T>) -> Result<(), DispatchError> {
        let net_after = self.deposit_charged.saturating_add(amount).saturating_sub(self.deposit_refunded);
        if net_after > self.deposit_limit {
            return Err(Error::<T>::StorageDepositLimitExhausted.into());
        }
        Ok(())
    }

    /// A failure of [`Stack::charge_deposit`] in words: which limit it hit.
    pub fn describe_deposit_error(&self, error: DispatchError, amount: BalanceOf<T>) -> String {
        let net = self.deposit_charged.saturating_sub(self.deposit_refunded);
        if error == Error::<T>::StorageDepositLimitExhausted.into() {
            format!(
                "the storage deposit limit of {:?} was reached ({net:?} charged so far, {amount:?} more needed)",
                self.deposit_limit
            )
        } else if error == Error::<T>::StorageDepositNotEnoughFunds.into() {
            format!("the origin cannot pay {amount:?} more of storage deposit")
        } else {
            format!("{error:?}")
        }
    }

    /// Moves `amount` from the origin to `contract`'s account, on hold.
    pub fn charge_deposit(&mut self, contract: &AccountId32, amount: BalanceOf<T>) -> Result<(), DispatchError> {
        if amount.is_zero() {
            return Ok(());
        }
        self.check_deposit_limit(amount)?;
        T::Currency::transfer_and_hold(
            &HoldReason::StorageDepositReserve.into(),
            &self.origin,
            contract,
            amount,
            Precision::Exact,
            Preservation::Preserve,
            Fortitude::Polite,
        )
        .map_err(|_| Error::<T>::StorageDepositNotEnoughFunds)?;
        self.deposit_charged = self.deposit_charged.saturating_add(amount);
        ContractInfoOf::<T>::mutate(contract, |info| {
            if let Some(info) = info {
                info.storage_deposit = info.storage_deposit.saturating_add(amount);
            }
        });
        Ok(())
    }

    /// Moves up to `amount` of `contract`'s held deposit back to the origin.
    pub fn refund_deposit(&mut self, contract: &AccountId32, amount: BalanceOf<T>) {
        if amount.is_zero() {
            return;
        }
        let refunded = T::Currency::transfer_on_hold(
            &HoldReason::StorageDepositReserve.into(),
            contract,
            &self.origin,
            amount,
            Precision::BestEffort,
            Restriction::Free,
            Fortitude::Polite,
        )
        .unwrap_or_default();
        self.deposit_refunded = self.deposit_refunded.saturating_add(refunded);
        ContractInfoOf::<T>::mutate(contract, |info| {
            if let Some(info) = info {
                info.storage_deposit = info.storage_deposit.saturating_sub(refunded);
            }
        });
    }

    /// Records a debug message, if this is a dry run; false if it is not.
    pub fn debug_message(&mut self, message: Vec<u8>) -> bool {
        if !self.debug {
            return false;
        }
        let room = (T::MaxDebugBufferLen::get() as usize).saturating_sub(self.debug_bytes);
        let mut message = message;
        message.truncate(room);
        self.debug_bytes += message.len();
        if !message.is_empty() {
            self.debug_messages.push(message);
        }
        true
    }

    /// Whether `contract` runs in more than one frame.
    pub fn is_reentrant(&self, contract: &AccountId32) -> bool {
        self.contracts.iter().filter(|&c| c == contract).count() > 1
    }

    /// Runs one frame's code: charges the startup costs, transfers the value, then
    /// runs `export` until it ends.
    #[allow(clippy::too_many_arguments)]
    fn run(
        &mut self,
        caller: AccountId32,
        contract: AccountId32,
        info: &ContractInfo<T>,
        value: BalanceOf<T>,
        input: Vec<u8>,
        gas_limit: u64,
        startup_gas: u64,
        export: &str,
    ) -> FrameResult {
        let code = match code::read::<T>(info.code_hash) {
            Ok(code) => code,
            Err(error) => return FrameResult::failed(FrameError::Dispatch(error), 0),
        };
        let code_len = code.len() as u32;
        let startup_gas = startup_gas
            .saturating_add(self.schedule.code_load_per_byte.saturating_mul(code_len.into()))
            .saturating_add(if value.is_zero() { 0 } else { self.schedule.transfer });
        if startup_gas > gas_limit {
            self.record_failure(
                &contract,
                &format!("its gas limit of {gas_limit} is less than the {startup_gas} that loading it costs"),
            );
            return FrameResult::failed(FrameError::OutOfGas, gas_limit);
        }
        if !value.is_zero() {
            if let Err(error) = T::Currency::transfer(&caller, &contract, value, Preservation::Preserve) {
                self.record_failure(&contract, &format!("the value could not be transferred: {error:?}"));
                return FrameResult::failed(FrameError::Dispatch(Error::<T>::TransferFailed.into()), startup_gas);
            }
        }

        let modules = &mut self.modules;
        let started = machine::start(
            info.code_hash.0,
            &code,
            code::module_config::<T>().max_heap_size,
            export,
            (gas_limit - startup_gas) as pvm::Gas,
            || code::translate::<T>(info.code_hash, &code, modules).map_err(drop),
        );
        // Validated at upload (the code and its exports); a failure here means the VM
        // changed under stored code.
        let Ok(machine::Started { machine: mut instance, imports }) = started else {
            self.record_failure(&contract, "the stored code could not be loaded");
            return FrameResult::failed(FrameError::Dispatch(Error::<T>::CodeInvalid.into()), startup_gas);
        };
        let imports: Vec<Option<HostFn>> = imports.iter().map(|name| HostFn::from_name(name)).collect();
        let mut frame = Frame {
            caller,
            contract,
            value: sp_runtime::SaturatedConversion::saturated_into(value),
            input,
            return_data: Vec::new(),
            trie: child_trie(&info.trie_id),
            gas_limit,
            gas_required: 0,
            heap_pages_charged: 0,
        };

        let end = loop {
            match instance.run() {
                Stop::Finished => {
                    if self.charge_heap(&mut frame, &mut *instance).is_err() {
                        break Err(FrameError::OutOfGas);
                    }
                    break Ok(ExecReturnValue::default());
                }
                Stop::HostCall(index) => {
                    if self.charge_heap(&mut frame, &mut *instance).is_err() {
                        break Err(FrameError::OutOfGas);
                    }
                    let Some(Some(function)) = imports.get(index as usize).copied() else {
                        self.record_failure(&frame.contract, &format!("called unknown import #{index}"));
                        break Err(FrameError::Trapped(None));
                    };
                    let mut chain = FrameChain { stack: self, frame: &mut frame };
                    match pvm_contracts_host::dispatch(&mut chain, &mut *instance, function) {
                        Ok(Control::Continue) => continue,
                        Ok(Control::Return { flags, data }) => break Ok(ExecReturnValue { flags, data }),
                        Ok(Control::Terminated) => break Ok(ExecReturnValue::default()),
                        Err(HostStop::OutOfGas) => {
                            self.record_failure(
                                &frame.contract,
                                &format!(
                                    "ran out of gas (its limit: {}) in host function '{}'",
                                    frame.gas_limit,
                                    function.name()
                                ),
                            );
                            break Err(FrameError::OutOfGas);
                        }
                        Err(HostStop::Trap { reason, error }) => {
                            self.record_failure(
                                &frame.contract,
                                &format!("trapped in host function '{}': {reason}", function.name()),
                            );
                            break Err(FrameError::Trapped(error));
                        }
                    }
                }
                Stop::Trap { pc, reason } => {
                    // A failed allocation usually ends in a trap: say which limit caused it.
                    let heap = if instance.heap_limit_reached() {
                        format!(
                            ", after the heap limit of {} bytes was reached (an allocation failed)",
                            T::MaxHeapSize::get()
                        )
                    } else {
                        String::new()
                    };
                    self.record_failure(&frame.contract, &format!("trapped at pc {pc}: {reason}{heap}"));
                    break Err(FrameError::Trapped(None));
                }
                Stop::NotEnoughGas { pc } => {
                    let limit = frame.gas_limit;
                    self.record_failure(&frame.contract, &format!("ran out of gas (its limit: {limit}) at pc {pc}"));
                    break Err(FrameError::OutOfGas);
                }
            }
        };
        let gas_consumed = match end {
            Err(FrameError::OutOfGas) => gas_limit,
            _ => gas_limit.saturating_sub(u64::try_from(instance.gas()).unwrap_or(0)),
        };
        FrameResult { end, gas_consumed, gas_required: frame.gas_required.max(gas_consumed) }
    }

    /// Charges the heap pages the contract has grown since the last charge. The heap
    /// grows with `sbrk`, an instruction, so it is paid for at the next host call or
    /// when the frame ends (its size is bounded by `MaxHeapSize` meanwhile).
    fn charge_heap(&mut self, frame: &mut Frame, instance: &mut dyn Machine) -> Result<(), ()> {
        let (cost, pages) = self.schedule.heap_growth(instance.heap_size(), frame.heap_pages_charged);
        if pages > frame.heap_pages_charged {
            if instance.consume_gas(cost).is_err() {
                let limit = frame.gas_limit;
                let message = format!("ran out of gas (its limit: {limit}) paying for {pages} heap pages");
                self.record_failure(&frame.contract, &message);
                return Err(());
            }
            frame.heap_pages_charged = pages;
        }
        Ok(())
    }

    fn record_failure(&mut self, contract: &AccountId32, what: &str) {
        let message = format!("contract 0x{}: {what}", crate::host::hex(contract.as_ref()));
        log::debug!(target: crate::LOG_TARGET, "{message}");
        if self.debug {
            self.debug_message(message.clone().into_bytes());
        }
        self.failure = Some(message);
    }
}

/// Ends a frame of `contract` by terminating it: its storage is removed, its deposit
/// released and its whole balance sent to `beneficiary`.
pub(crate) fn terminate<T: Config>(contract: &AccountId32, beneficiary: &AccountId32) -> Result<(), DispatchError> {
    let info = ContractInfoOf::<T>::take(contract).ok_or(Error::<T>::ContractNotFound)?;
    // The contract's storage items were charged for when `terminate` started.
    let _ = frame_support::storage::child::clear_storage(&child_trie(&info.trie_id), None, None);
    T::Currency::release_all(&HoldReason::StorageDepositReserve.into(), contract, Precision::BestEffort)?;
    let balance = T::Currency::reducible_balance(contract, Preservation::Expendable, Fortitude::Polite);
    if !balance.is_zero() {
        T::Currency::transfer(contract, beneficiary, balance, Preservation::Expendable)?;
    }
    code::decrement_refcount::<T>(info.code_hash);
    Pallet::<T>::deposit_event(Event::Terminated { contract: contract.clone(), beneficiary: beneficiary.clone() });
    Ok(())
}
