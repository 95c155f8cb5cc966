//! A mock runtime with frame-system, balances, timestamp and the pallet, and helpers
//! that deploy and call the real compiled contracts from `contracts/` (linked by our
//! own linker). The pallet's tests and its benchmark use it; enable the
//! `mock-runtime` feature to use it elsewhere.

#![allow(missing_docs)]

use codec::Encode;
use frame_support::{
    derive_impl, parameter_types,
    traits::{ConstU128, ConstU32, ConstU64},
};
use sp_runtime::{traits::IdentityLookup, AccountId32, BuildStorage};

use crate::{self as pallet_pvm_contracts, primitives::Code, ContractResult, ExecReturnValue, Schedule};

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
    pub enum Test {
        System: frame_system,
        Balances: pallet_balances,
        Timestamp: pallet_timestamp,
        Contracts: pallet_pvm_contracts,
    }
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
    type Block = Block;
    type AccountId = AccountId32;
    type Lookup = IdentityLookup<AccountId32>;
    type AccountData = pallet_balances::AccountData<u128>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
    type Balance = u128;
    type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
    type AccountStore = System;
}

#[derive_impl(pallet_timestamp::config_preludes::TestDefaultConfig)]
impl pallet_timestamp::Config for Test {}

pub const EXISTENTIAL_DEPOSIT: u128 = 10;
pub const DEPOSIT_PER_BYTE: u128 = 2;
pub const DEPOSIT_PER_ITEM: u128 = 100;
pub const WEIGHT_PER_GAS: u64 = 10_000;

parameter_types! {
    pub DefaultSchedule: Schedule = crate::measured_schedule::<()>();
    pub static MaxCodeLen: u32 = 256 * 1024;
    pub static MaxMemory: u32 = 1024 * 1024;
    pub static MaxBasicBlockLen: u32 = 1000;
}

impl pallet_pvm_contracts::Config for Test {
    type Currency = Balances;
    type RuntimeHoldReason = RuntimeHoldReason;
    type Time = Timestamp;
    type DepositPerByte = ConstU128<DEPOSIT_PER_BYTE>;
    type DepositPerItem = ConstU128<DEPOSIT_PER_ITEM>;
    type WeightPerGas = ConstU64<WEIGHT_PER_GAS>;
    type Schedule = DefaultSchedule;
    type MaxCodeLen = MaxCodeLen;
    type MaxMemory = MaxMemory;
    type MaxHeapSize = ConstU32<{ 256 * 1024 }>;
    type MaxBasicBlockLen = MaxBasicBlockLen;
    type MaxCallDepth = ConstU32<5>;
    type MaxValueLen = ConstU32<16384>;
    type MaxDebugBufferLen = ConstU32<4096>;
    type WeightInfo = ();
}

pub const ALICE: AccountId32 = AccountId32::new([1; 32]);
pub const BOB: AccountId32 = AccountId32::new([2; 32]);
pub const CHARLIE: AccountId32 = AccountId32::new([3; 32]);
/// An account without balance.
pub const DAVE: AccountId32 = AccountId32::new([4; 32]);

pub const INITIAL_BALANCE: u128 = 1_000_000_000_000;
/// Plenty of gas for any example contract.
pub const GAS_LIMIT: u64 = 100_000_000;
/// A storage deposit limit that never binds.
pub const NO_DEPOSIT_LIMIT: u128 = u128::MAX / 2;

/// Test externalities that check the pallet's invariants ([`crate::invariants::check`])
/// after everything run in them.
pub struct TestExt(pub sp_io::TestExternalities);

impl TestExt {
    /// Runs `f`, then checks the invariants; panics if one is violated.
    pub fn execute_with<R>(&mut self, f: impl FnOnce() -> R) -> R {
        self.0.execute_with(|| {
            let result = f();
            if let Err(problem) = crate::invariants::check::<Test>() {
                panic!("an invariant of the pallet is violated: {problem}");
            }
            result
        })
    }
}

/// The environment variable that, set to `off`, makes the mock a node without the
/// `pvm-host` runtime interface: contracts then run in the runtime (on the backend
/// `PVM_BACKEND` selects), as in a Wasm runtime on such a node. The test command runs
/// the pallet's tests both ways with one build.
pub const HOST_EXECUTION_ENV: &str = "PVM_HOST_EXECUTION";

/// Whether the mock's externalities provide the `pvm-host` runtime interface (with the
/// feature `host-execution`, unless [`HOST_EXECUTION_ENV`] is `off`).
pub fn node_runs_contracts() -> bool {
    cfg!(feature = "host-execution") && std::env::var(HOST_EXECUTION_ENV).map_or(true, |value| value != "off")
}

/// The mock runtime's genesis (Alice, Bob and Charlie endowed) at block 1; checks the
/// invariants after each `execute_with`.
pub fn new_test_ext() -> TestExt {
    let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
    pallet_balances::GenesisConfig::<Test> {
        balances: vec![(ALICE, INITIAL_BALANCE), (BOB, INITIAL_BALANCE), (CHARLIE, INITIAL_BALANCE)],
        ..Default::default()
    }
    .assimilate_storage(&mut storage)
    .unwrap();
    let mut ext = sp_io::TestExternalities::new(storage);
    // What a node with the runtime interface provides: contracts run through it.
    #[cfg(feature = "host-execution")]
    if node_runs_contracts() {
        ext.register_extension(pvm_host::PvmHostExt::new());
    }
    ext.execute_with(|| {
        System::set_block_number(1);
        Timestamp::set_timestamp(1_700_000_000_000);
    });
    TestExt(ext)
}

/// A contract blob, linked by our own linker.
pub fn blob(name: &str) -> Vec<u8> {
    guest_programs::our_blob(name).unwrap_or_else(|| panic!("no contract named {name}")).to_vec()
}

/// Uploads and instantiates `name` as `origin`, with `input` for `deploy`; returns the
/// contract's address.
pub fn deploy(origin: &AccountId32, name: &str, input: &[u8], salt: &[u8]) -> AccountId32 {
    deploy_with_value(origin, name, input, salt, 0)
}

pub fn deploy_with_value(origin: &AccountId32, name: &str, input: &[u8], salt: &[u8], value: u128) -> AccountId32 {
    let code = blob(name);
    let result = Contracts::instantiate_with_code(
        RuntimeOrigin::signed(origin.clone()),
        value,
        GAS_LIMIT,
        NO_DEPOSIT_LIMIT,
        code.clone(),
        input.to_vec(),
        salt.to_vec(),
    );
    if let Err(error) = result {
        let dry = Contracts::dry_run_instantiate(
            origin.clone(),
            value,
            Some(GAS_LIMIT),
            None,
            Code::Upload(code),
            input.to_vec(),
            salt.to_vec(),
        );
        panic!("deploying {name} failed: {error:?} ({})", failure(&dry.failure));
    }
    let code_hash = sp_core::H256(sp_io::hashing::blake2_256(&code));
    Contracts::contract_address(origin, &code_hash, salt)
}

/// Asserts that a dispatchable failed with `error` and changed no state (the weight it
/// reports does not matter).
#[macro_export]
macro_rules! assert_failed_without_effect {
    ($call:expr, $error:expr $(,)?) => {{
        let root = sp_io::storage::root(sp_runtime::StateVersion::V1);
        let error: sp_runtime::DispatchError = $error.into();
        assert_eq!($call.map_err(|e| e.error), Err(error));
        assert_eq!(sp_io::storage::root(sp_runtime::StateVersion::V1), root, "the failed call changed state");
    }};
}

/// Calls `dest` through the dispatchable.
pub fn call(
    origin: &AccountId32,
    dest: &AccountId32,
    input: impl Encode,
) -> frame_support::dispatch::DispatchResultWithPostInfo {
    Contracts::call(RuntimeOrigin::signed(origin.clone()), dest.clone(), 0, GAS_LIMIT, NO_DEPOSIT_LIMIT, input.encode())
}

/// Dry-runs a call and returns the whole result.
pub fn dry_call(
    origin: &AccountId32,
    dest: &AccountId32,
    input: impl Encode,
) -> ContractResult<ExecReturnValue, u128, crate::EventRecordOf<Test>> {
    Contracts::dry_run_call(origin.clone(), dest.clone(), 0, Some(GAS_LIMIT), None, input.encode())
}

/// Dry-runs a call and returns its output; panics if it failed or reverted.
pub fn query(origin: &AccountId32, dest: &AccountId32, input: impl Encode) -> Vec<u8> {
    let result = dry_call(origin, dest, input);
    let output =
        result.result.unwrap_or_else(|error| panic!("query failed: {error:?} ({:?})", failure(&result.failure)));
    assert!(!output.did_revert(), "query reverted: {:?}", output.data);
    output.data
}

pub fn failure(failure: &Option<Vec<u8>>) -> String {
    failure.as_ref().map(|f| String::from_utf8_lossy(f).into_owned()).unwrap_or_default()
}

/// The pallet's events since the block started.
pub fn contract_events() -> Vec<crate::Event<Test>> {
    System::events()
        .into_iter()
        .filter_map(|record| match record.event {
            RuntimeEvent::Contracts(event) => Some(event),
            _ => None,
        })
        .collect()
}

/// Free plus held balance.
pub fn total_balance(who: &AccountId32) -> u128 {
    use frame_support::traits::fungible::Inspect;
    Balances::total_balance(who)
}
