//! A mock of the contracts pallet's chain, on which the pallet's own host functions
//! (`pvm-contracts-host`: the same argument checks, traps, return codes and gas charges)
//! run on both VMs through [`Vm`]: [`OurVm`] (`pvm`'s `Linker`/`Instance` API) and
//! [`PolkaVm`] (polkavm 0.37's `Linker::define_untyped`/`Caller` API, interpreter
//! backend, synchronous gas). The chain side ([`World`], an implementation of
//! `pvm_contracts_host::Chain`) charges with a fixed [`SCHEDULE`] (what matters here is
//! that both VMs are charged alike), heap pages at each host call and at the end of a
//! frame. What is mocked, and how:
//!
//! - **State** is in memory ([`State`]): balances, and per contract its code hash and a
//!   storage map. Each frame works on the state directly and restores a snapshot taken at
//!   its start if it fails or reverts (events included), as the pallet's storage
//!   transactions do.
//! - **Code hashes** are `blake2_256(program name)`, not the hash of the blob, so that
//!   contract addresses (`blake2_256(deployer ++ code hash ++ salt)`, as in the pallet)
//!   and therefore every message are the same whichever linker made the blobs.
//! - **Balances**: plain `u128`s. A transfer fails (`TransferFailed`) if it would leave the
//!   sender below [`EXISTENTIAL_DEPOSIT`]; `terminate` sends everything. No storage
//!   deposits, no holds, no existential deposit for new contracts.
//! - **Calls and instantiations are real and recursive**: `call` and `instantiate` run the
//!   callee in a new instance on the same VM, with the pallet's rules: value transfer,
//!   re-entrancy (refused unless `ALLOW_REENTRY`), call depth ([`MAX_CALL_DEPTH`] frames),
//!   duplicate addresses, unknown code, nested gas limits (asking for more than is left is
//!   out of gas), the callee's consumption charged to the caller, return data.
//! - **Context**: block number [`CURRENT_BLOCK`], timestamp [`CURRENT_TIME`]; `gas_left` is the
//!   instance's gas. Debug messages are recorded (as in a dry run) and `Success`.
//! - **Startup costs** of a frame: `frame` (+ `instantiate` for a deploy, + `transfer`
//!   when value is sent); no per-byte code loading cost.
//!
//! Every host call is logged ([`HostCall`]: the function, the frame depth and the gas
//! before it), so that a gas difference between the VMs can be located.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::{Arc, OnceLock};

use abi::{return_flags, ReturnCode};
use blake2::digest::consts::{U16, U32};
use blake2::{Blake2b, Digest};
pub use host::{Account, Hash};
use host::{Chain, Control, HostFn, HostStop, Nested, NestedGas, Schedule};
use pvm_contracts_host as host;

/// What things cost, in gas: the pallet's former fixed defaults (what matters here is
/// that both VMs are charged alike).
pub const SCHEDULE: Schedule = Schedule {
    host_call: 20,
    code_load_per_byte: 0,
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
};

/// The pallet mock's `MaxValueLen`: the longest value, input, output or event data.
pub const MAX_VALUE_LEN: usize = 16_384;
/// The pallet mock's `MaxCallDepth`: the outermost frame and four nested ones.
pub const MAX_CALL_DEPTH: usize = 5;
/// What a transfer must leave the sender (the pallet mock's existential deposit).
pub const EXISTENTIAL_DEPOSIT: u128 = 10;
/// `block_number()`.
pub const CURRENT_BLOCK: u64 = 1;
/// `now()`, in milliseconds.
pub const CURRENT_TIME: u64 = 1_700_000_000_000;

pub fn blake2_256(data: &[u8]) -> Hash {
    Blake2b::<U32>::digest(data).into()
}

pub fn blake2_128(data: &[u8]) -> [u8; 16] {
    Blake2b::<U16>::digest(data).into()
}

/// The code hash of a program in this mock.
pub fn code_hash(program: &str) -> Hash {
    blake2_256(program.as_bytes())
}

/// The address of a contract, as the pallet derives it.
pub fn contract_address(deployer: &Account, code_hash: &Hash, salt: &[u8]) -> Account {
    blake2_256(&[&deployer[..], code_hash, salt].concat())
}

// ---------------------------------------------------------------------------------------
// The two abstractions: the running instance, and the VM.

/// How a VM's run of an export ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum VmEnd {
    /// The export returned.
    Finished,
    /// The guest trapped (an instruction, or a memory access).
    Trap,
    /// A basic block could not be paid for.
    OutOfGas,
    /// A host function stopped the run; the frame's [`Stop`] says why.
    HostStopped,
}

/// What a VM reports at the end of a run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct VmRun {
    pub end: VmEnd,
    pub gas_left: i64,
    pub heap_size: u32,
    /// For a trap, the pc of the trapping instruction.
    pub trap_pc: Option<u32>,
}

/// A VM that can run contract code, its host functions dispatched to [`dispatch`].
pub trait Vm: Sized + 'static {
    /// A loaded blob, ready to instantiate.
    type Code: Clone;
    /// Loads a blob; panics if the VM refuses it.
    fn load(program: &str, blob: &[u8]) -> Self::Code;
    /// Runs `export` of a fresh instance of `code` with `gas`.
    fn run(world: &mut World<Self>, code: &Self::Code, export: &str, gas: i64) -> VmRun;
}

// ---------------------------------------------------------------------------------------
// The state and the frames.

#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Contract {
    pub code_hash: Hash,
    pub storage: BTreeMap<Vec<u8>, Vec<u8>>,
}

/// An event a contract emitted.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Event {
    pub contract: Account,
    pub topics: Vec<Hash>,
    pub data: Vec<u8>,
}

/// Everything a frame can change; restored when a frame fails or reverts.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct State {
    pub balances: BTreeMap<Account, u128>,
    pub contracts: BTreeMap<Account, Contract>,
    pub events: Vec<Event>,
}

impl State {
    fn balance(&self, account: &Account) -> u128 {
        self.balances.get(account).copied().unwrap_or(0)
    }

    /// Moves `value`, keeping the sender at or above the existential deposit.
    fn transfer(&mut self, from: &Account, to: &Account, value: u128) -> bool {
        let from_balance = self.balance(from);
        if from_balance.checked_sub(value).is_none_or(|left| left < EXISTENTIAL_DEPOSIT) {
            return false;
        }
        self.balances.insert(*from, from_balance - value);
        *self.balances.entry(*to).or_insert(0) += value;
        true
    }
}

/// Why a host function ended the frame.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Stop {
    Return { flags: u64, data: Vec<u8> },
    Terminate,
    Trap(String),
    OutOfGas,
}

/// A running frame.
struct Frame {
    caller: Account,
    address: Account,
    value: u128,
    input: Vec<u8>,
    return_data: Vec<u8>,
    stop: Option<Stop>,
    heap_pages_charged: u32,
}

/// How a frame ended.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum End {
    /// It returned (`return_value`, `terminate` or the end of the export).
    Returned {
        data: Vec<u8>,
    },
    Reverted {
        data: Vec<u8>,
    },
    /// The guest trapped (`None`), or a host function trapped it (with the reason).
    Trapped(Option<String>),
    OutOfGas,
    /// It did not run: the host refused it with this code (e.g. `TransferFailed`).
    Refused(ReturnCode),
}

impl End {
    fn commits(&self) -> bool {
        matches!(self, End::Returned { .. })
    }
}

/// How a frame ended and what it cost.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct FrameResult {
    pub end: End,
    pub gas_consumed: u64,
    /// The gas the VM had left at the end (`None` if the frame did not run).
    pub gas_left: Option<i64>,
    /// The frame's heap size at the end (0 if it did not run).
    pub heap_size: u32,
    /// Where the guest trapped, if it did (the pc differs between linkers; the VMs must
    /// agree on it).
    pub trap_pc: Option<u32>,
}

impl FrameResult {
    fn refused(code: ReturnCode, gas_consumed: u64) -> Self {
        FrameResult { end: End::Refused(code), gas_consumed, gas_left: None, heap_size: 0, trap_pc: None }
    }
}

/// One host call, logged before it acts.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct HostCall {
    pub function: &'static str,
    /// The number of frames on the stack (1 for the outermost).
    pub depth: usize,
    /// The instance's gas when the host function was called.
    pub gas: i64,
}

/// The mock chain: state, loaded code, the frame stack, debug messages and the log of
/// host calls.
pub struct World<V: Vm> {
    pub state: State,
    codes: BTreeMap<Hash, V::Code>,
    frames: Vec<Frame>,
    pub debug_messages: Vec<Vec<u8>>,
    pub host_calls: Vec<HostCall>,
}

impl<V: Vm> World<V> {
    pub fn new(balances: &[(Account, u128)]) -> Self {
        World {
            state: State { balances: balances.iter().copied().collect(), ..State::default() },
            codes: BTreeMap::new(),
            frames: Vec::new(),
            debug_messages: Vec::new(),
            host_calls: Vec::new(),
        }
    }

    /// Loads `blob` as the code of `program`, under [`code_hash`]`(program)`.
    pub fn upload(&mut self, program: &str, blob: &[u8]) -> Hash {
        let hash = code_hash(program);
        self.codes.insert(hash, V::load(program, blob));
        hash
    }

    /// A top-level call (the caller is an account, not a contract).
    pub fn call(&mut self, caller: Account, dest: Account, value: u128, input: Vec<u8>, gas_limit: u64) -> FrameResult {
        assert!(self.frames.is_empty());
        if input.len() > MAX_VALUE_LEN {
            panic!("the scenario's input is longer than MAX_VALUE_LEN");
        }
        match self.check_callee(&dest, true) {
            Ok(()) => self.call_frame(caller, dest, value, input, gas_limit),
            Err(code) => FrameResult::refused(code, 0),
        }
    }

    /// A top-level instantiation; returns the new contract's address too.
    pub fn instantiate(
        &mut self,
        deployer: Account,
        code_hash: Hash,
        value: u128,
        input: Vec<u8>,
        salt: &[u8],
        gas_limit: u64,
    ) -> (Account, FrameResult) {
        assert!(self.frames.is_empty());
        self.instantiate_frame(deployer, code_hash, value, input, salt, gas_limit)
    }

    fn frame(&mut self) -> &mut Frame {
        self.frames.last_mut().expect("a host function runs in a frame")
    }

    fn check_callee(&self, dest: &Account, allow_reentry: bool) -> Result<(), ReturnCode> {
        if !self.state.contracts.contains_key(dest) {
            return Err(ReturnCode::NotAContract);
        }
        if !allow_reentry && self.frames.iter().any(|frame| frame.address == *dest) {
            return Err(ReturnCode::ReentranceDenied);
        }
        self.check_depth()
    }

    fn check_depth(&self) -> Result<(), ReturnCode> {
        if self.frames.len() >= MAX_CALL_DEPTH {
            return Err(ReturnCode::CallDepthExceeded);
        }
        Ok(())
    }

    fn call_frame(&mut self, caller: Account, dest: Account, value: u128, input: Vec<u8>, gas: u64) -> FrameResult {
        let snapshot = self.state.clone();
        let result = self.run(caller, dest, value, input, gas, SCHEDULE.frame, abi::EXPORT_CALL);
        if !result.end.commits() {
            self.state = snapshot;
        }
        result
    }

    fn instantiate_frame(
        &mut self,
        deployer: Account,
        code_hash: Hash,
        value: u128,
        input: Vec<u8>,
        salt: &[u8],
        gas: u64,
    ) -> (Account, FrameResult) {
        let address = contract_address(&deployer, &code_hash, salt);
        if self.state.contracts.contains_key(&address) {
            return (address, FrameResult::refused(ReturnCode::DuplicateContract, 0));
        }
        if let Err(code) = self.check_depth() {
            return (address, FrameResult::refused(code, 0));
        }
        if !self.codes.contains_key(&code_hash) {
            return (address, FrameResult::refused(ReturnCode::CodeNotFound, 0));
        }
        let snapshot = self.state.clone();
        self.state.contracts.insert(address, Contract { code_hash, storage: BTreeMap::new() });
        let startup = SCHEDULE.frame + SCHEDULE.instantiate;
        let result = self.run(deployer, address, value, input, gas, startup, abi::EXPORT_DEPLOY);
        if !result.end.commits() {
            self.state = snapshot;
        }
        (address, result)
    }

    /// Runs one frame: startup costs, the value transfer, then `export` to its end.
    #[allow(clippy::too_many_arguments)]
    fn run(
        &mut self,
        caller: Account,
        contract: Account,
        value: u128,
        input: Vec<u8>,
        gas_limit: u64,
        startup: u64,
        export: &str,
    ) -> FrameResult {
        let startup = startup + if value == 0 { 0 } else { SCHEDULE.transfer };
        if startup > gas_limit {
            return FrameResult {
                end: End::OutOfGas,
                gas_consumed: gas_limit,
                gas_left: None,
                heap_size: 0,
                trap_pc: None,
            };
        }
        if value != 0 && !self.state.transfer(&caller, &contract, value) {
            return FrameResult::refused(ReturnCode::TransferFailed, startup);
        }
        let code = self.codes[&self.state.contracts[&contract].code_hash].clone();
        self.frames.push(Frame {
            caller,
            address: contract,
            value,
            input,
            return_data: Vec::new(),
            stop: None,
            heap_pages_charged: 0,
        });
        let VmRun { end: vm_end, mut gas_left, heap_size, trap_pc } =
            V::run(self, &code, export, (gas_limit - startup) as i64);
        let frame = self.frames.pop().expect("the frame just run");
        let mut end = match (vm_end, frame.stop) {
            (VmEnd::HostStopped, Some(Stop::Return { flags, data })) if flags & return_flags::REVERT != 0 => {
                End::Reverted { data }
            }
            (VmEnd::HostStopped, Some(Stop::Return { data, .. })) => End::Returned { data },
            (VmEnd::HostStopped, Some(Stop::Terminate)) => End::Returned { data: Vec::new() },
            (VmEnd::HostStopped, Some(Stop::Trap(reason))) => End::Trapped(Some(reason)),
            (VmEnd::HostStopped, Some(Stop::OutOfGas)) | (VmEnd::OutOfGas, None) => End::OutOfGas,
            (VmEnd::Finished, None) => End::Returned { data: Vec::new() },
            (VmEnd::Trap, None) => End::Trapped(None),
            (vm_end, stop) => panic!("inconsistent end of a frame: the VM says {vm_end:?}, the host {stop:?}"),
        };
        if vm_end == VmEnd::Finished {
            // The heap grown since the last host call is paid for at the end.
            let (charge, _) = SCHEDULE.heap_growth(heap_size, frame.heap_pages_charged);
            if charge as i64 > gas_left {
                end = End::OutOfGas;
            } else {
                gas_left -= charge as i64;
            }
        }
        let gas_consumed = match end {
            End::OutOfGas => gas_limit,
            _ => gas_limit.saturating_sub(u64::try_from(gas_left).unwrap_or(0)),
        };
        FrameResult { end, gas_consumed, gas_left: Some(gas_left), heap_size, trap_pc }
    }
}

// ---------------------------------------------------------------------------------------
// The host functions: the pallet's own (`pvm-contracts-host`), on this mock chain.

/// A VM's instance, as the host functions see it (an implementation of [`host::Guest`]
/// for each VM).
pub struct Guest<'a, I>(pub &'a mut I);

/// Runs the host function `function` for the innermost frame; `Err` means the frame
/// stops (the frame's `stop` says why), and the VM adapter turns it into its own error.
pub fn dispatch<V: Vm, G: host::Guest>(
    world: &mut World<V>,
    mut guest: G,
    heap_size: u32,
    function: HostFn,
) -> Result<(), ()> {
    let depth = world.frames.len();
    world.host_calls.push(HostCall { function: function.name(), depth, gas: guest.gas() });
    let stop = match charge_heap(world, &mut guest, heap_size) {
        Err(stop) => stop,
        Ok(()) => match host::dispatch(world, &mut guest, function) {
            Ok(Control::Continue) => return Ok(()),
            Ok(Control::Return { flags, data }) => Stop::Return { flags, data },
            Ok(Control::Terminated) => Stop::Terminate,
            Err(HostStop::OutOfGas) => Stop::OutOfGas,
            Err(HostStop::Trap { reason, .. }) => Stop::Trap(reason),
        },
    };
    world.frame().stop = Some(stop);
    Err(())
}

/// Charges the heap pages grown since the last charge.
fn charge_heap<V: Vm>(world: &mut World<V>, guest: &mut impl host::Guest, heap_size: u32) -> Result<(), Stop> {
    let (cost, pages) = SCHEDULE.heap_growth(heap_size, world.frame().heap_pages_charged);
    if pages > world.frame().heap_pages_charged {
        let gas = guest.gas();
        if i64::try_from(cost).map_or(true, |cost| cost > gas) {
            return Err(Stop::OutOfGas);
        }
        guest.set_gas(gas - cost as i64);
        world.frame().heap_pages_charged = pages;
    }
    Ok(())
}

impl<V: Vm> World<V> {
    fn current(&self) -> &Frame {
        self.frames.last().expect("a host function runs in a frame")
    }

    fn storage_map(&self) -> &BTreeMap<Vec<u8>, Vec<u8>> {
        &self.state.contracts[&self.current().address].storage
    }

    /// The return code of a nested frame that ran; sets the caller's return data.
    fn nested(&mut self, result: FrameResult) -> Nested {
        let code = match result.end {
            End::Returned { data } => {
                self.frame().return_data = data;
                ReturnCode::Success
            }
            End::Reverted { data } => {
                self.frame().return_data = data;
                ReturnCode::CalleeReverted
            }
            End::Trapped(_) | End::OutOfGas => ReturnCode::CalleeTrapped,
            End::Refused(code) => code,
        };
        Nested { code, gas_consumed: result.gas_consumed }
    }
}

impl<V: Vm> Chain for World<V> {
    type Error = Infallible;

    fn schedule(&self) -> &Schedule {
        &SCHEDULE
    }

    fn max_value_len(&self) -> usize {
        MAX_VALUE_LEN
    }

    fn input(&self) -> &[u8] {
        &self.current().input
    }

    fn return_data(&self) -> &[u8] {
        &self.current().return_data
    }

    fn caller(&self) -> Account {
        self.current().caller
    }

    fn address(&self) -> Account {
        self.current().address
    }

    fn value_transferred(&self) -> u128 {
        self.current().value
    }

    fn block_number(&self) -> u64 {
        CURRENT_BLOCK
    }

    fn now(&self) -> u64 {
        CURRENT_TIME
    }

    fn storage_len(&self, key: &[u8]) -> Option<u32> {
        self.storage_map().get(key).map(|value| value.len() as u32)
    }

    fn storage(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.storage_map().get(key).cloned()
    }

    fn set_storage(&mut self, key: &[u8], value: Option<&[u8]>) -> Result<Option<u32>, HostStop<Infallible>> {
        let address = self.current().address;
        let storage = &mut self.state.contracts.get_mut(&address).expect("a running contract exists").storage;
        let old = match value {
            Some(value) => storage.insert(key.to_vec(), value.to_vec()),
            None => storage.remove(key),
        };
        Ok(old.map(|old| old.len() as u32))
    }

    fn storage_items(&self) -> u64 {
        self.storage_map().len() as u64
    }

    fn balance(&self, account: &Account) -> u128 {
        self.state.balance(account)
    }

    fn transfer(&mut self, to: &Account, value: u128) -> Result<bool, HostStop<Infallible>> {
        let from = self.current().address;
        Ok(self.state.transfer(&from, to, value))
    }

    fn deposit_event(&mut self, topics: Vec<Hash>, data: Vec<u8>) {
        let contract = self.current().address;
        self.state.events.push(Event { contract, topics, data });
    }

    fn debug_message(&mut self, message: Vec<u8>) -> bool {
        self.debug_messages.push(message);
        true
    }

    fn blake2_256(&self, data: &[u8]) -> Hash {
        blake2_256(data)
    }

    fn blake2_128(&self, data: &[u8]) -> [u8; 16] {
        blake2_128(data)
    }

    fn call(
        &mut self,
        callee: Account,
        value: u128,
        input: Vec<u8>,
        allow_reentry: bool,
        gas: NestedGas,
    ) -> Result<Nested, HostStop<Infallible>> {
        self.frame().return_data.clear();
        if let Err(code) = self.check_callee(&callee, allow_reentry) {
            return Ok(Nested { code, gas_consumed: 0 });
        }
        let caller = self.current().address;
        let result = self.call_frame(caller, callee, value, input, gas.limit);
        Ok(self.nested(result))
    }

    fn instantiate(
        &mut self,
        code_hash: Hash,
        value: u128,
        input: Vec<u8>,
        salt: &[u8],
        gas: NestedGas,
    ) -> Result<(Option<Account>, Nested), HostStop<Infallible>> {
        self.frame().return_data.clear();
        let deployer = self.current().address;
        let (address, result) = self.instantiate_frame(deployer, code_hash, value, input, salt, gas.limit);
        Ok((Some(address), self.nested(result)))
    }

    fn terminate(&mut self, beneficiary: &Account) -> Result<(), HostStop<Infallible>> {
        let contract = self.current().address;
        if self.frames.iter().filter(|frame| frame.address == contract).count() > 1 {
            return Err(HostStop::trap("a contract on the call stack more than once cannot terminate".into()));
        }
        self.state.contracts.remove(&contract);
        let balance = self.state.balances.remove(&contract).unwrap_or(0);
        *self.state.balances.entry(*beneficiary).or_insert(0) += balance;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Our VM.

impl host::Guest for Guest<'_, pvm::RawInstance> {
    fn arg(&self, index: usize) -> u64 {
        self.0.reg(pvm::Reg::ARGS[index])
    }
    fn set_result(&mut self, value: u64) {
        self.0.set_reg(pvm::Reg::A0, value)
    }
    fn gas(&self) -> i64 {
        self.0.gas()
    }
    fn set_gas(&mut self, gas: i64) {
        self.0.set_gas(gas)
    }
    fn read(&mut self, address: u32, len: u32) -> Result<Vec<u8>, u32> {
        self.0.read_memory_vec(address, len).map_err(|fault| fault.address)
    }
    fn write(&mut self, address: u32, data: &[u8]) -> Result<(), u32> {
        self.0.write_memory(address, data).map_err(|fault| fault.address)
    }
}

/// `pvm`, through its `Engine → Module → Linker → Instance` API.
pub struct OurVm;

#[derive(Clone)]
pub struct OurCode {
    module: pvm::Module,
    linker: Arc<pvm::Linker<World<OurVm>>>,
}

impl Vm for OurVm {
    type Code = OurCode;

    fn load(program: &str, blob: &[u8]) -> OurCode {
        let module = pvm::Module::new(&pvm::Engine::default(), &pvm::ModuleConfig::default(), blob)
            .unwrap_or_else(|error| panic!("our VM refuses {program}: {error}"));
        let mut linker = pvm::Linker::new();
        for &function in HostFn::ALL {
            linker.define(function.name(), move |caller: pvm::Caller<'_, World<OurVm>>| {
                let heap_size = caller.instance.heap_size();
                dispatch(caller.data, Guest(caller.instance), heap_size, function)
                    .map_err(|()| pvm::HostError::new("stopped by the host"))
            });
        }
        OurCode { module, linker: Arc::new(linker) }
    }

    fn run(world: &mut World<Self>, code: &OurCode, export: &str, gas: i64) -> VmRun {
        let mut instance = code.linker.instantiate(&code.module).expect("instantiation");
        instance.set_gas(gas);
        let (end, trap_pc) = match instance.call(world, export, &[]) {
            Ok(_) => (VmEnd::Finished, None),
            Err(pvm::CallError::Trap { pc, .. }) => (VmEnd::Trap, Some(pc)),
            Err(pvm::CallError::NotEnoughGas { .. }) => (VmEnd::OutOfGas, None),
            Err(pvm::CallError::Host { .. }) => (VmEnd::HostStopped, None),
            Err(error) => panic!("our VM: calling {export} failed: {error}"),
        };
        VmRun { end, gas_left: instance.gas(), heap_size: instance.heap_size(), trap_pc }
    }
}

// ---------------------------------------------------------------------------------------
// polkavm 0.37.

impl host::Guest for Guest<'_, polkavm::RawInstance> {
    fn arg(&self, index: usize) -> u64 {
        use polkavm::Reg;
        self.0.reg([Reg::A0, Reg::A1, Reg::A2, Reg::A3, Reg::A4, Reg::A5][index])
    }
    fn set_result(&mut self, value: u64) {
        self.0.set_reg(polkavm::Reg::A0, value)
    }
    fn gas(&self) -> i64 {
        self.0.gas()
    }
    fn set_gas(&mut self, gas: i64) {
        self.0.set_gas(gas)
    }
    fn read(&mut self, address: u32, len: u32) -> Result<Vec<u8>, u32> {
        self.0.read_memory(address, len).map_err(|_| first_inaccessible(self.0, address, len))
    }
    fn write(&mut self, address: u32, data: &[u8]) -> Result<(), u32> {
        if self.0.write_memory(address, data).is_ok() {
            return Ok(());
        }
        // polkavm may have written a part: that is lost with the trap that follows.
        Err(first_inaccessible(self.0, address, data.len() as u32))
    }
}

/// The first byte of `address..address + len` that polkavm cannot access (its errors
/// do not say; the host functions report it, as `pvm` does): probed a byte per page.
fn first_inaccessible(instance: &mut polkavm::RawInstance, address: u32, len: u32) -> u32 {
    const PAGE: u32 = 4096;
    let end = address.saturating_add(len);
    let mut probe = address;
    while probe < end {
        if instance.read_memory(probe, 1).is_err() {
            return probe;
        }
        probe = (probe / PAGE + 1).saturating_mul(PAGE);
    }
    // Readable throughout (a write to read-only memory): the start.
    address
}

/// A host function stopped the frame (the frame's [`Stop`] says why).
#[derive(Debug)]
pub struct HostStopped;

/// polkavm 0.37's interpreter, with synchronous gas metering.
pub struct PolkaVm;

fn polkavm_engine() -> &'static polkavm::Engine {
    static ENGINE: OnceLock<polkavm::Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = polkavm::Config::new();
        config.set_backend(Some(polkavm::BackendKind::Interpreter));
        polkavm::Engine::new(&config).expect("the polkavm interpreter is always available")
    })
}

impl Vm for PolkaVm {
    type Code = polkavm::InstancePre<World<PolkaVm>, HostStopped>;

    fn load(program: &str, blob: &[u8]) -> Self::Code {
        let mut config = polkavm::ModuleConfig::new();
        config.set_gas_metering(Some(polkavm::GasMeteringKind::Sync));
        let module = polkavm::Module::new(polkavm_engine(), &config, blob.to_vec().into())
            .unwrap_or_else(|error| panic!("polkavm refuses {program}: {error}"));
        let mut linker = polkavm::Linker::new();
        for &function in HostFn::ALL {
            linker
                .define_untyped(function.name(), move |caller: polkavm::Caller<'_, World<PolkaVm>>| {
                    let heap_size = caller.instance.heap_size();
                    dispatch(caller.user_data, Guest(caller.instance), heap_size, function).map_err(|()| HostStopped)
                })
                .expect("each host function is defined once");
        }
        linker.instantiate_pre(&module).unwrap_or_else(|error| panic!("polkavm cannot link {program}: {error}"))
    }

    fn run(world: &mut World<Self>, code: &Self::Code, export: &str, gas: i64) -> VmRun {
        let mut instance = code.instantiate().expect("instantiation");
        instance.set_gas(gas);
        let (end, trap_pc) = match instance.call_typed(world, export, ()) {
            Ok(()) => (VmEnd::Finished, None),
            Err(polkavm::CallError::Trap) => (VmEnd::Trap, instance.program_counter().map(|pc| pc.0)),
            Err(polkavm::CallError::NotEnoughGas) => (VmEnd::OutOfGas, None),
            Err(polkavm::CallError::User(HostStopped)) => (VmEnd::HostStopped, None),
            Err(error) => panic!("polkavm: calling {export} failed: {error:?}"),
        };
        VmRun { end, gas_left: instance.gas(), heap_size: instance.heap_size(), trap_pc }
    }
}
