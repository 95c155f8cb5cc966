//! A mock of the contracts pallet's host, written once against [`Guest`] (registers,
//! memory and gas of the running instance) and driven by both VMs through [`Vm`]:
//! [`OurVm`] (`pvm`'s `Linker`/`Instance` API) and [`PolkaVm`] (polkavm 0.37's
//! `Linker::define_untyped`/`Caller` API, interpreter backend, synchronous gas).
//!
//! The host functions follow `pallet/src/host.rs` (names and argument layouts from
//! `pvm-contracts-abi`): the same argument checks, traps, return codes and gas charges
//! (of the shape of the pallet's `Schedule`, with fixed values in [`cost`]: what matters
//! here is that both VMs are charged alike), heap pages charged at each host call and at
//! the end of a frame. What is mocked, and how:
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
use std::sync::{Arc, OnceLock};

use abi::{
    call_flags, return_flags, CallArgs, InstantiateArgs, ReturnCode, ACCOUNT_LEN, BALANCE_LEN, HASH_LEN, SENTINEL,
};
use blake2::digest::consts::{U16, U32};
use blake2::{Blake2b, Digest};

/// An account id.
pub type Account = [u8; ACCOUNT_LEN];
/// A code hash or an event topic.
pub type Hash = [u8; HASH_LEN];

/// What things cost, in gas: the fields of `pallet_pvm_contracts::Schedule`, with the
/// pallet's former fixed defaults.
pub mod cost {
    pub const HOST_CALL: u64 = 20;
    pub const FRAME: u64 = 5_000;
    pub const STORAGE_READ: u64 = 2_500;
    pub const STORAGE_WRITE: u64 = 10_000;
    pub const STORAGE_PER_BYTE: u64 = 1;
    pub const TRANSFER: u64 = 25_000;
    pub const BALANCE_READ: u64 = 2_500;
    pub const EVENT: u64 = 1_000;
    pub const EVENT_PER_TOPIC: u64 = 500;
    pub const EVENT_PER_BYTE: u64 = 2;
    pub const HASH: u64 = 100;
    pub const HASH_PER_BYTE: u64 = 1;
    pub const COPY_PER_BYTE: u64 = 1;
    pub const TERMINATE: u64 = 25_000;
    pub const INSTANTIATE: u64 = 25_000;
    pub const HEAP_PAGE: u64 = 500;

    pub fn storage(write: bool, bytes: u64) -> u64 {
        (if write { STORAGE_WRITE } else { STORAGE_READ }).saturating_add(STORAGE_PER_BYTE.saturating_mul(bytes))
    }

    pub fn copy(bytes: u64) -> u64 {
        COPY_PER_BYTE.saturating_mul(bytes)
    }
}

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
/// The unit in which heap growth is charged.
const HEAP_PAGE_SIZE: u32 = 4096;

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

/// What a host function sees of the instance that called it.
pub trait Guest {
    /// Argument register `a0`..`a5`.
    fn arg(&self, index: usize) -> u64;
    /// Sets `a0`.
    fn set_result(&mut self, value: u64);
    fn read(&mut self, address: u32, len: u32) -> Option<Vec<u8>>;
    fn write(&mut self, address: u32, data: &[u8]) -> bool;
    fn gas(&self) -> i64;
    fn set_gas(&mut self, gas: i64);
    fn heap_size(&self) -> u32;
}

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

fn trap(reason: String) -> Stop {
    Stop::Trap(reason)
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
        let result = self.run(caller, dest, value, input, gas, cost::FRAME, abi::EXPORT_CALL);
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
        let startup = cost::FRAME + cost::INSTANTIATE;
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
        let startup = startup + if value == 0 { 0 } else { cost::TRANSFER };
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
            let pages = heap_size.div_ceil(HEAP_PAGE_SIZE);
            let charge = cost::HEAP_PAGE * u64::from(pages.saturating_sub(frame.heap_pages_charged));
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
// The host functions.

/// Runs the host function `function` for the innermost frame; `Err` means the frame
/// stops (the frame's `stop` says why), and the VM adapter turns it into its own error.
pub fn dispatch<V: Vm>(world: &mut World<V>, guest: &mut dyn Guest, function: &'static str) -> Result<(), ()> {
    let depth = world.frames.len();
    world.host_calls.push(HostCall { function, depth, gas: guest.gas() });
    match host_function(world, guest, function) {
        Ok(result) => {
            guest.set_result(result);
            Ok(())
        }
        Err(stop) => {
            world.frame().stop = Some(stop);
            Err(())
        }
    }
}

fn charge(guest: &mut dyn Guest, amount: u64) -> Result<(), Stop> {
    let gas = guest.gas();
    match i64::try_from(amount) {
        Ok(amount) if amount <= gas => {
            guest.set_gas(gas - amount);
            Ok(())
        }
        _ => Err(Stop::OutOfGas),
    }
}

/// Reads `len` bytes at `ptr`; an empty buffer may have any address.
fn read(guest: &mut dyn Guest, ptr: u64, len: u64, max: usize, what: &str) -> Result<Vec<u8>, Stop> {
    if len > max as u64 {
        return Err(trap(format!("{what} is {len} bytes; the limit is {max}")));
    }
    if len == 0 {
        return Ok(Vec::new());
    }
    let address = u32::try_from(ptr).map_err(|_| trap(format!("{what}: pointer {ptr:#x} is out of range")))?;
    guest.read(address, len as u32).ok_or_else(|| trap(format!("{what}: cannot read {len} bytes at {ptr:#x}")))
}

fn read_array<const N: usize>(guest: &mut dyn Guest, ptr: u64, what: &str) -> Result<[u8; N], Stop> {
    Ok(read(guest, ptr, N as u64, N, what)?.try_into().expect("read N bytes"))
}

fn read_balance(guest: &mut dyn Guest, ptr: u64) -> Result<u128, Stop> {
    Ok(u128::from_le_bytes(read_array::<BALANCE_LEN>(guest, ptr, "balance")?))
}

fn write(guest: &mut dyn Guest, ptr: u64, data: &[u8], what: &str) -> Result<(), Stop> {
    if data.is_empty() {
        return Ok(());
    }
    let address = u32::try_from(ptr).map_err(|_| trap(format!("{what}: pointer {ptr:#x} is out of range")))?;
    if !guest.write(address, data) {
        return Err(trap(format!("{what}: cannot write {} bytes at {ptr:#x}", data.len())));
    }
    Ok(())
}

/// Copies `data[offset..]`, at most `len` bytes, to `ptr`; returns how many.
fn copy_out(guest: &mut dyn Guest, data: &[u8], ptr: u64, offset: u64, len: u64) -> Result<u64, Stop> {
    let count = len.min((data.len() as u64).saturating_sub(offset));
    charge(guest, cost::copy(count))?;
    if count > 0 {
        write(guest, ptr, &data[offset as usize..(offset + count) as usize], "output")?;
    }
    Ok(count)
}

fn read_key(guest: &mut dyn Guest, ptr: u64, len: u64) -> Result<Vec<u8>, Stop> {
    read(guest, ptr, len, abi::MAX_STORAGE_KEY_LEN, "storage key")
}

/// The gas left and the limit of a nested frame; asking for more than is left is out
/// of gas.
fn nested_gas(guest: &dyn Guest, requested: u64) -> Result<(u64, u64), Stop> {
    let available = u64::try_from(guest.gas()).unwrap_or(0);
    if requested > available {
        return Err(Stop::OutOfGas);
    }
    Ok((available, if requested == 0 { available } else { requested }))
}

/// The return code of a nested frame; sets the caller's return data.
fn nested_return_code<V: Vm>(world: &mut World<V>, result: FrameResult) -> u64 {
    let code = match result.end {
        End::Returned { data } => {
            world.frame().return_data = data;
            ReturnCode::Success
        }
        End::Reverted { data } => {
            world.frame().return_data = data;
            ReturnCode::CalleeReverted
        }
        End::Trapped(_) | End::OutOfGas => ReturnCode::CalleeTrapped,
        End::Refused(code) => code,
    };
    code as u64
}

fn storage<V: Vm>(world: &mut World<V>) -> &mut BTreeMap<Vec<u8>, Vec<u8>> {
    let address = world.frame().address;
    &mut world.state.contracts.get_mut(&address).expect("a running contract exists").storage
}

fn charge_heap<V: Vm>(world: &mut World<V>, guest: &mut dyn Guest) -> Result<(), Stop> {
    let pages = guest.heap_size().div_ceil(HEAP_PAGE_SIZE);
    let charged = world.frame().heap_pages_charged;
    if pages > charged {
        charge(guest, cost::HEAP_PAGE * u64::from(pages - charged))?;
        world.frame().heap_pages_charged = pages;
    }
    Ok(())
}

fn host_function<V: Vm>(world: &mut World<V>, guest: &mut dyn Guest, function: &'static str) -> Result<u64, Stop> {
    use abi::host::*;

    charge_heap(world, guest)?;
    charge(guest, cost::HOST_CALL)?;
    let [a0, a1, a2, a3] = std::array::from_fn(|index| guest.arg(index));
    let clamp = |len: u64| len.min(u64::from(u32::MAX));

    let result = match function {
        SET_STORAGE => {
            charge(guest, cost::storage(true, clamp(a1) + clamp(a3)))?;
            let key = read_key(guest, a0, a1)?;
            let value = read(guest, a2, a3, MAX_VALUE_LEN, "storage value")?;
            storage(world).insert(key, value).map_or(SENTINEL, |old| old.len() as u64)
        }
        CLEAR_STORAGE => {
            charge(guest, cost::storage(true, clamp(a1)))?;
            let key = read_key(guest, a0, a1)?;
            storage(world).remove(&key).map_or(SENTINEL, |old| old.len() as u64)
        }
        CONTAINS_STORAGE => {
            charge(guest, cost::storage(false, clamp(a1)))?;
            let key = read_key(guest, a0, a1)?;
            storage(world).get(&key).map_or(SENTINEL, |value| value.len() as u64)
        }
        GET_STORAGE | TAKE_STORAGE => {
            let take = function == TAKE_STORAGE;
            charge(guest, cost::storage(take, clamp(a1)))?;
            let key = read_key(guest, a0, a1)?;
            match storage(world).get(&key).cloned() {
                None => ReturnCode::KeyNotFound as u64,
                Some(value) => {
                    let capacity = u32::from_le_bytes(read_array::<4>(guest, a3, "output length")?);
                    let len = value.len() as u32;
                    if len > capacity {
                        write(guest, a3, &len.to_le_bytes(), "output length")?;
                        ReturnCode::OutputBufferTooSmall as u64
                    } else {
                        charge(guest, (cost::STORAGE_PER_BYTE + cost::COPY_PER_BYTE) * u64::from(len))?;
                        write(guest, a2, &value, "storage value")?;
                        write(guest, a3, &len.to_le_bytes(), "output length")?;
                        if take {
                            storage(world).remove(&key);
                        }
                        ReturnCode::Success as u64
                    }
                }
            }
        }

        INPUT_SIZE => world.frame().input.len() as u64,
        INPUT_COPY => {
            let input = std::mem::take(&mut world.frame().input);
            let copied = copy_out(guest, &input, a0, a1, a2);
            world.frame().input = input;
            copied?
        }
        RETURN_DATA_SIZE => world.frame().return_data.len() as u64,
        RETURN_DATA_COPY => {
            let data = world.frame().return_data.clone();
            copy_out(guest, &data, a0, a1, a2)?
        }
        RETURN_VALUE => {
            if a0 & !return_flags::REVERT != 0 {
                return Err(trap(format!("unknown return flags {a0:#x}")));
            }
            charge(guest, cost::copy(clamp(a2)))?;
            let data = read(guest, a1, a2, MAX_VALUE_LEN, "return value")?;
            return Err(Stop::Return { flags: a0, data });
        }

        DEPOSIT_EVENT => {
            if a1 > abi::MAX_EVENT_TOPICS as u64 {
                return Err(trap(format!("an event has {a1} topics; the limit is {}", abi::MAX_EVENT_TOPICS)));
            }
            charge(
                guest,
                cost::EVENT
                    .saturating_add(cost::EVENT_PER_TOPIC.saturating_mul(a1))
                    .saturating_add(cost::EVENT_PER_BYTE.saturating_mul(a3)),
            )?;
            let topics = read(guest, a0, a1 * HASH_LEN as u64, abi::MAX_EVENT_TOPICS * HASH_LEN, "event topics")?;
            let topics = topics.chunks_exact(HASH_LEN).map(|topic| topic.try_into().unwrap()).collect();
            let data = read(guest, a2, a3, MAX_VALUE_LEN, "event data")?;
            let contract = world.frame().address;
            world.state.events.push(Event { contract, topics, data });
            0
        }
        TRANSFER => {
            charge(guest, cost::TRANSFER)?;
            let to = read_array::<ACCOUNT_LEN>(guest, a0, "account")?;
            let value = read_balance(guest, a1)?;
            let from = world.frame().address;
            if world.state.transfer(&from, &to, value) {
                ReturnCode::Success as u64
            } else {
                ReturnCode::TransferFailed as u64
            }
        }

        CALLER => {
            let caller = world.frame().caller;
            write(guest, a0, &caller, "caller")?;
            0
        }
        ADDRESS => {
            let address = world.frame().address;
            write(guest, a0, &address, "address")?;
            0
        }
        VALUE_TRANSFERRED => {
            let value = world.frame().value;
            write(guest, a0, &value.to_le_bytes(), "value")?;
            0
        }
        BALANCE => {
            charge(guest, cost::BALANCE_READ)?;
            let address = world.frame().address;
            write(guest, a0, &world.state.balance(&address).to_le_bytes(), "balance")?;
            0
        }
        BALANCE_OF => {
            charge(guest, cost::BALANCE_READ)?;
            let account = read_array::<ACCOUNT_LEN>(guest, a0, "account")?;
            write(guest, a1, &world.state.balance(&account).to_le_bytes(), "balance")?;
            0
        }
        BLOCK_NUMBER => CURRENT_BLOCK,
        NOW => CURRENT_TIME,
        GAS_LEFT => u64::try_from(guest.gas()).unwrap_or(0),

        HASH_BLAKE2_256 | HASH_BLAKE2_128 => {
            charge(guest, cost::HASH.saturating_add(cost::HASH_PER_BYTE.saturating_mul(a1)))?;
            let input = read(guest, a0, a1, MAX_VALUE_LEN, "hash input")?;
            if function == HASH_BLAKE2_256 {
                write(guest, a2, &blake2_256(&input), "hash")?;
            } else {
                write(guest, a2, &blake2_128(&input), "hash")?;
            }
            0
        }

        CALL => {
            let args = CallArgs::decode(&read_array::<{ CallArgs::SIZE }>(guest, a0, "call arguments")?);
            charge(guest, cost::copy(clamp(args.input_len)))?;
            let callee = read_array::<ACCOUNT_LEN>(guest, args.callee_ptr, "account")?;
            let value = read_balance(guest, args.value_ptr)?;
            let input = read(guest, args.input_ptr, args.input_len, MAX_VALUE_LEN, "call input")?;
            let (available, limit) = nested_gas(guest, args.gas_limit)?;
            world.frame().return_data.clear();
            match world.check_callee(&callee, args.flags & call_flags::ALLOW_REENTRY != 0) {
                Err(code) => code as u64,
                Ok(()) => {
                    let caller = world.frame().address;
                    let result = world.call_frame(caller, callee, value, input, limit);
                    guest.set_gas(available.saturating_sub(result.gas_consumed) as i64);
                    nested_return_code(world, result)
                }
            }
        }
        INSTANTIATE => {
            let args =
                InstantiateArgs::decode(&read_array::<{ InstantiateArgs::SIZE }>(guest, a0, "instantiate arguments")?);
            charge(guest, cost::copy(clamp(args.input_len.saturating_add(args.salt_len))))?;
            let code_hash = read_array::<HASH_LEN>(guest, args.code_hash_ptr, "code hash")?;
            let value = read_balance(guest, args.value_ptr)?;
            let input = read(guest, args.input_ptr, args.input_len, MAX_VALUE_LEN, "deploy input")?;
            let salt = read(guest, args.salt_ptr, args.salt_len, MAX_VALUE_LEN, "salt")?;
            let (available, limit) = nested_gas(guest, args.gas_limit)?;
            world.frame().return_data.clear();
            let deployer = world.frame().address;
            let (address, result) = world.instantiate_frame(deployer, code_hash, value, input, &salt, limit);
            guest.set_gas(available.saturating_sub(result.gas_consumed) as i64);
            let code = nested_return_code(world, result);
            if code == ReturnCode::Success as u64 && args.address_ptr != SENTINEL {
                write(guest, args.address_ptr, &address, "address")?;
            }
            code
        }
        TERMINATE => {
            let contract = world.frame().address;
            let items = world.state.contracts[&contract].storage.len() as u64;
            charge(guest, cost::TERMINATE.saturating_add(cost::STORAGE_WRITE.saturating_mul(items)))?;
            let beneficiary = read_array::<ACCOUNT_LEN>(guest, a0, "account")?;
            if world.frames.iter().filter(|frame| frame.address == contract).count() > 1 {
                return Err(trap("a contract on the call stack more than once cannot terminate".into()));
            }
            world.state.contracts.remove(&contract);
            let balance = world.state.balances.remove(&contract).unwrap_or(0);
            *world.state.balances.entry(beneficiary).or_insert(0) += balance;
            return Err(Stop::Terminate);
        }
        DEBUG_MESSAGE => {
            charge(guest, cost::copy(clamp(a1)))?;
            let message = read(guest, a0, a1, MAX_VALUE_LEN, "debug message")?;
            world.debug_messages.push(message);
            ReturnCode::Success as u64
        }
        _ => unreachable!("only the ABI's host functions are defined"),
    };
    Ok(result)
}

// ---------------------------------------------------------------------------------------
// Our VM.

impl Guest for pvm::RawInstance {
    fn arg(&self, index: usize) -> u64 {
        self.reg(pvm::Reg::ARGS[index])
    }
    fn set_result(&mut self, value: u64) {
        self.set_reg(pvm::Reg::A0, value)
    }
    fn read(&mut self, address: u32, len: u32) -> Option<Vec<u8>> {
        self.read_memory_vec(address, len).ok()
    }
    fn write(&mut self, address: u32, data: &[u8]) -> bool {
        self.write_memory(address, data).is_ok()
    }
    fn gas(&self) -> i64 {
        pvm::RawInstance::gas(self)
    }
    fn set_gas(&mut self, gas: i64) {
        pvm::RawInstance::set_gas(self, gas)
    }
    fn heap_size(&self) -> u32 {
        pvm::RawInstance::heap_size(self)
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
        for &name in abi::host::ALL {
            linker.define(name, move |caller: pvm::Caller<'_, World<OurVm>>| {
                dispatch(caller.data, caller.instance, name).map_err(|()| pvm::HostError::new("stopped by the host"))
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

impl Guest for polkavm::RawInstance {
    fn arg(&self, index: usize) -> u64 {
        use polkavm::Reg;
        self.reg([Reg::A0, Reg::A1, Reg::A2, Reg::A3, Reg::A4, Reg::A5][index])
    }
    fn set_result(&mut self, value: u64) {
        self.set_reg(polkavm::Reg::A0, value)
    }
    fn read(&mut self, address: u32, len: u32) -> Option<Vec<u8>> {
        self.read_memory(address, len).ok()
    }
    fn write(&mut self, address: u32, data: &[u8]) -> bool {
        self.write_memory(address, data).is_ok()
    }
    fn gas(&self) -> i64 {
        polkavm::RawInstance::gas(self)
    }
    fn set_gas(&mut self, gas: i64) {
        polkavm::RawInstance::set_gas(self, gas)
    }
    fn heap_size(&self) -> u32 {
        polkavm::RawInstance::heap_size(self)
    }
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
        for &name in abi::host::ALL {
            linker
                .define_untyped(name, move |caller: polkavm::Caller<'_, World<PolkaVm>>| {
                    dispatch(caller.user_data, caller.instance, name).map_err(|()| HostStopped)
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
