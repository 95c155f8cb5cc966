//! Benchmarks of the dispatchables, of raw computation (what one unit of gas takes)
//! and of host functions (what their gas costs must cover).
//!
//! The contracts they run are generated here with the VM's blob writer, so that their
//! size and work are exactly the benchmark's parameter: a code blob of `c` bytes, a
//! loop of `r` iterations, a loop of `r` host calls.

use alloc::{vec, vec::Vec};

use frame_benchmarking::v2::*;
use frame_support::traits::fungible::{Inspect, Mutate};
use frame_system::RawOrigin;
use pvm::{
    program::{Args, BlobBuilder},
    InstructionSet, Opcode, Reg,
};
use sp_core::H256;
use sp_runtime::{
    traits::{Saturating, UniqueSaturatedInto},
    AccountId32,
};

use crate::{BalanceOf, Call, Config, Pallet};

/// Contracts written instruction by instruction.
pub mod fixtures {
    use super::*;

    fn reg(reg: Reg) -> u8 {
        reg as u8
    }

    fn args(regs: [Reg; 3], imm1: u32, imm2: u32) -> Args {
        Args { regs: regs.map(reg), imm1, imm2 }
    }

    fn builder() -> BlobBuilder {
        let mut builder = BlobBuilder::new(InstructionSet::Latest64);
        builder.stack_size(4096);
        builder
    }

    /// `deploy` returns at once.
    fn deploy_returns(builder: &mut BlobBuilder) {
        builder.export_here(abi::EXPORT_DEPLOY);
        builder.push(Opcode::JumpIndirect, args([Reg::RA, Reg::RA, Reg::RA], 0, 0));
    }

    /// A contract whose `deploy` and `call` return at once, padded with unreachable
    /// code to about `code_len` bytes (in blocks of 500 instructions).
    pub fn noop(code_len: u32) -> Vec<u8> {
        let mut builder = builder();
        deploy_returns(&mut builder);
        builder.export_here(abi::EXPORT_CALL);
        builder.push(Opcode::JumpIndirect, args([Reg::RA, Reg::RA, Reg::RA], 0, 0));
        // `add_imm_64 a1, a1, 1` takes 3 bytes.
        for count in 1..=code_len / 3 {
            if count % 500 == 0 {
                builder.push(Opcode::Fallthrough, Args::default());
            } else {
                builder.push(Opcode::AddImm64, args([Reg::A1, Reg::A1, Reg::A1], 1, 0));
            }
        }
        builder.push(Opcode::Trap, Args::default());
        builder.build()
    }

    /// A contract whose `call` runs a loop of `iterations` two-instruction blocks (two
    /// units of gas each).
    pub fn burn(iterations: u32) -> Vec<u8> {
        let mut builder = builder();
        deploy_returns(&mut builder);
        builder.export_here(abi::EXPORT_CALL);
        builder.push(Opcode::LoadImm64, args([Reg::S0, Reg::S0, Reg::S0], iterations, 0));
        builder.push(Opcode::Fallthrough, Args::default());
        let top = builder.push(Opcode::AddImm64, args([Reg::S0, Reg::S0, Reg::S0], u32::MAX, 0));
        builder.push(Opcode::BranchNotEqImm, args([Reg::S0, Reg::S0, Reg::S0], 0, top));
        builder.push(Opcode::JumpIndirect, args([Reg::RA, Reg::RA, Reg::RA], 0, 0));
        builder.build()
    }

    /// A contract whose `call` calls the host function `name` `calls` times, with
    /// `a0`..`a3` set to `arguments` (addresses in its RW data: the data starts at
    /// `rw_address`, see [`rw_address`]) and `data` as its RW data.
    pub fn host_calls(name: &str, calls: u32, arguments: [u32; 4], data: &[u8]) -> Vec<u8> {
        host_loop(name, calls, arguments, data, None)
    }

    /// Like [`host_calls`], but before each call the little-endian `u32` at offset
    /// `vary` of the RW data is incremented: each call uses another storage key,
    /// account or salt, so that the database cost of every call is measured, not a
    /// cache hit.
    pub fn host_calls_varying(name: &str, calls: u32, arguments: [u32; 4], data: &[u8], vary: u32) -> Vec<u8> {
        host_loop(name, calls, arguments, data, Some(vary))
    }

    fn host_loop(name: &str, calls: u32, arguments: [u32; 4], data: &[u8], vary: Option<u32>) -> Vec<u8> {
        let mut builder = builder();
        builder.rw_data(data, data.len() as u32);
        let import = builder.import(name);
        deploy_returns(&mut builder);
        builder.export_here(abi::EXPORT_CALL);
        builder.push(Opcode::LoadImm64, args([Reg::S0, Reg::S0, Reg::S0], calls, 0));
        builder.push(Opcode::Fallthrough, Args::default());
        let top = builder.pc();
        if let Some(offset) = vary {
            let address = rw_address() + offset;
            builder.push(Opcode::LoadU32, args([Reg::T0, Reg::T0, Reg::T0], address, 0));
            builder.push(Opcode::AddImm32, args([Reg::T0, Reg::T0, Reg::T0], 1, 0));
            builder.push(Opcode::StoreU32, args([Reg::T0, Reg::T0, Reg::T0], address, 0));
        }
        for (&register, value) in [Reg::A0, Reg::A1, Reg::A2, Reg::A3].iter().zip(arguments) {
            builder.push(Opcode::LoadImm, args([register, register, register], value, 0));
        }
        builder.push(Opcode::Ecalli, Args { imm1: import, ..Args::default() });
        builder.push(Opcode::AddImm64, args([Reg::S0, Reg::S0, Reg::S0], u32::MAX, 0));
        builder.push(Opcode::BranchNotEqImm, args([Reg::S0, Reg::S0, Reg::S0], 0, top));
        builder.push(Opcode::JumpIndirect, args([Reg::RA, Reg::RA, Reg::RA], 0, 0));
        builder.build()
    }

    /// A contract whose `call` grows its heap by `pages` pages of 4 KiB, one `sbrk` each.
    pub fn heap(pages: u32) -> Vec<u8> {
        // The loop's guard jumps forward to an address that a build finds out; its
        // encoding depends on the distance, so build until the address is stable.
        let build = |end: u32| {
            let mut builder = builder();
            deploy_returns(&mut builder);
            builder.export_here(abi::EXPORT_CALL);
            builder.push(Opcode::LoadImm64, args([Reg::S0, Reg::S0, Reg::S0], pages, 0));
            builder.push(Opcode::LoadImm, args([Reg::A1, Reg::A1, Reg::A1], 4096, 0));
            builder.push(Opcode::BranchEqImm, args([Reg::S0, Reg::S0, Reg::S0], 0, end));
            let top = builder.push(Opcode::Sbrk, args([Reg::A0, Reg::A1, Reg::A1], 0, 0));
            builder.push(Opcode::AddImm64, args([Reg::S0, Reg::S0, Reg::S0], u32::MAX, 0));
            builder.push(Opcode::BranchNotEqImm, args([Reg::S0, Reg::S0, Reg::S0], 0, top));
            let end = builder.push(Opcode::JumpIndirect, args([Reg::RA, Reg::RA, Reg::RA], 0, 0));
            (builder.build(), end)
        };
        let mut end = build(0).1;
        loop {
            let (blob, next_end) = build(end);
            if next_end == end {
                return blob;
            }
            end = next_end;
        }
    }

    /// `r` reads of distinct, absent 32-byte keys (the key's first word counts up).
    pub fn get_storage(r: u32) -> Vec<u8> {
        let base = rw_address();
        host_calls_varying(abi::host::GET_STORAGE, r, [base, 32, base + 32, base + 64], &[0; 68], 0)
    }

    /// `r` writes of 32-byte values under distinct new 32-byte keys.
    pub fn set_storage(r: u32) -> Vec<u8> {
        let base = rw_address();
        host_calls_varying(abi::host::SET_STORAGE, r, [base, 32, base + 32, 32], &[7; 64], 0)
    }

    /// One write of an `n`-byte value.
    pub fn set_storage_per_byte(n: u32) -> Vec<u8> {
        let base = rw_address();
        host_calls(abi::host::SET_STORAGE, 1, [base, 32, base + 32, n], &vec![7; 32 + n as usize])
    }

    /// 100 events with `t` topics each.
    pub fn deposit_event_per_topic(t: u32) -> Vec<u8> {
        let base = rw_address();
        host_calls(abi::host::DEPOSIT_EVENT, 100, [base, t, base, 0], &[9; abi::MAX_EVENT_TOPICS * abi::HASH_LEN])
    }

    /// One event with `n` bytes of data.
    pub fn deposit_event_per_byte(n: u32) -> Vec<u8> {
        let base = rw_address();
        host_calls(abi::host::DEPOSIT_EVENT, 1, [base, 0, base, n], &vec![9; n as usize + 4])
    }

    /// One blake2-256 hash of `n` bytes.
    pub fn hash_blake2_256_per_byte(n: u32) -> Vec<u8> {
        let base = rw_address();
        host_calls(abi::host::HASH_BLAKE2_256, 1, [base + 32, n, base, 0], &vec![3; n as usize + 32])
    }

    /// Copies its whole input (up to 16 KiB) into its memory.
    pub fn input_copy() -> Vec<u8> {
        let base = rw_address();
        host_calls(abi::host::INPUT_COPY, 1, [base, 0, 16_384, 0], &[0; 16_384])
    }

    /// Where the RW data of [`host_calls`] contracts starts (they have no RO data).
    pub fn rw_address() -> u32 {
        pvm::MemoryMap::new(0x1000, 0, 0x1000, 4096, 0).expect("a valid layout").rw_data_address
    }
}

/// A storage deposit limit that never binds (the deposits of a runtime are far larger
/// than the mock's: a 128 KiB blob costs about 10^11 on our runtime).
fn no_deposit_limit<T: Config>() -> BalanceOf<T> {
    BalanceOf::<T>::from(u32::MAX).saturating_mul(BalanceOf::<T>::from(1_000_000u32))
}

fn funded_caller<T: Config>() -> AccountId32 {
    let caller = whitelisted_caller::<AccountId32>();
    let amount = no_deposit_limit::<T>().saturating_mul(BalanceOf::<T>::from(2u32));
    T::Currency::set_balance(&caller, amount);
    caller
}

/// Uploads and instantiates `code` as `caller`; returns the contract's address.
fn deploy<T: Config>(caller: &AccountId32, code: Vec<u8>) -> AccountId32 {
    let hash = H256(sp_io::hashing::blake2_256(&code));
    let limit = no_deposit_limit::<T>();
    Pallet::<T>::instantiate_with_code(
        RawOrigin::Signed(caller.clone()).into(),
        0u32.into(),
        Pallet::<T>::max_gas(),
        limit,
        code,
        vec![],
        vec![],
    )
    .expect("the fixture deploys");
    Pallet::<T>::contract_address(caller, &hash, &[])
}

/// A funded caller and the contract it deployed from `code`.
fn setup<T: Config>(code: Vec<u8>) -> (AccountId32, AccountId32) {
    let caller = funded_caller::<T>();
    let contract = deploy::<T>(&caller, code);
    (caller, contract)
}

/// The RW data of a contract that calls `callee` through [`abi::host::CALL`]: the call
/// arguments at `base`, the callee's account after them, then a zero value.
fn call_data(base: u32, callee: &AccountId32) -> Vec<u8> {
    let size = abi::CallArgs::SIZE as u32;
    let arguments = abi::CallArgs {
        callee_ptr: (base + size).into(),
        value_ptr: (base + size + 32).into(),
        gas_limit: 0,
        flags: 0,
        input_ptr: base.into(),
        input_len: 0,
    };
    let mut data = arguments.encode().to_vec();
    data.extend_from_slice(callee.as_ref());
    data.extend_from_slice(&[0; abi::BALANCE_LEN]);
    data
}

fn run_call<T: Config>(caller: &AccountId32, contract: &AccountId32, input: Vec<u8>) {
    let limit = no_deposit_limit::<T>();
    let result = Pallet::<T>::call(
        RawOrigin::Signed(caller.clone()).into(),
        contract.clone(),
        0u32.into(),
        Pallet::<T>::max_gas(),
        limit,
        input,
    );
    assert!(result.is_ok(), "the fixture runs: {result:?}");
}

#[benchmarks]
mod benchmarks {
    use super::*;

    /// Validation, translation and storage of a blob of about `c` bytes.
    #[benchmark]
    fn upload_code(c: Linear<64, { 128 * 1024 }>) {
        let caller = funded_caller::<T>();
        let code = fixtures::noop(c);
        #[extrinsic_call]
        _(RawOrigin::Signed(caller), code, no_deposit_limit::<T>());
    }

    #[benchmark]
    fn remove_code() {
        let caller = funded_caller::<T>();
        let code = fixtures::noop(64);
        let hash = H256(sp_io::hashing::blake2_256(&code));
        Pallet::<T>::upload_code(RawOrigin::Signed(caller.clone()).into(), code, no_deposit_limit::<T>())
            .expect("uploads");
        #[extrinsic_call]
        _(RawOrigin::Signed(caller), hash);
    }

    /// Instantiating a contract that does nothing, with `i` bytes of input and `s` of
    /// salt (the gas of `deploy` is charged separately).
    #[benchmark]
    fn instantiate(i: Linear<0, 16384>, s: Linear<0, 1024>) {
        let caller = funded_caller::<T>();
        let code = fixtures::noop(64);
        let hash = H256(sp_io::hashing::blake2_256(&code));
        Pallet::<T>::upload_code(RawOrigin::Signed(caller.clone()).into(), code, no_deposit_limit::<T>())
            .expect("uploads");
        let gas = Pallet::<T>::max_gas();
        #[extrinsic_call]
        _(
            RawOrigin::Signed(caller),
            0u32.into(),
            gas,
            no_deposit_limit::<T>(),
            hash,
            vec![0; i as usize],
            vec![1; s as usize],
        );
    }

    /// Calling a contract that returns at once, with `i` bytes of input.
    #[benchmark]
    fn call(i: Linear<0, 16384>) {
        let caller = funded_caller::<T>();
        let contract = deploy::<T>(&caller, fixtures::noop(64));
        let gas = Pallet::<T>::max_gas();
        #[extrinsic_call]
        _(RawOrigin::Signed(caller), contract, 0u32.into(), gas, no_deposit_limit::<T>(), vec![0; i as usize]);
    }

    #[benchmark]
    fn set_code() {
        let caller = funded_caller::<T>();
        let contract = deploy::<T>(&caller, fixtures::noop(64));
        let new = fixtures::noop(128);
        let hash = H256(sp_io::hashing::blake2_256(&new));
        Pallet::<T>::upload_code(RawOrigin::Signed(caller).into(), new, no_deposit_limit::<T>()).expect("uploads");
        #[extrinsic_call]
        _(RawOrigin::Root, contract, hash);
    }

    // What follows measures what the gas schedule charges for: the weight of one unit
    // of gas, and of each thing a host function does. `schedule::measured` turns their
    // slopes into gas costs. The loops of host calls run at least once (`r` from 1).
    // Benchmarks that touch a distinct key per call stop at 100 calls: the runner's
    // analysis takes memory quadratic in the number of keys a run touches.

    /// `r` iterations of a two-instruction loop (two units of gas each).
    #[benchmark]
    fn instructions(r: Linear<1, 100_000>) {
        let (caller, contract) = setup::<T>(fixtures::burn(r));
        #[block]
        {
            run_call::<T>(&caller, &contract, vec![]);
        }
    }

    /// `r` calls of `gas_left`: a host call and the loop around it.
    #[benchmark]
    fn host_call(r: Linear<1, 1_000>) {
        let (caller, contract) = setup::<T>(fixtures::host_calls(abi::host::GAS_LEFT, r, [0; 4], &[]));
        #[block]
        {
            run_call::<T>(&caller, &contract, vec![]);
        }
    }

    /// `r` reads of distinct 32-byte keys (absent, the lookup is the cost).
    #[benchmark]
    fn get_storage(r: Linear<1, 100>) {
        let (caller, contract) = setup::<T>(fixtures::get_storage(r));
        #[block]
        {
            run_call::<T>(&caller, &contract, vec![]);
        }
    }

    /// `r` writes of 32-byte values under distinct new 32-byte keys.
    #[benchmark]
    fn set_storage(r: Linear<1, 100>) {
        let (caller, contract) = setup::<T>(fixtures::set_storage(r));
        #[block]
        {
            run_call::<T>(&caller, &contract, vec![]);
        }
    }

    /// One write of an `n`-byte value.
    #[benchmark]
    fn set_storage_per_byte(n: Linear<0, 16_384>) {
        let (caller, contract) = setup::<T>(fixtures::set_storage_per_byte(n));
        #[block]
        {
            run_call::<T>(&caller, &contract, vec![]);
        }
    }

    /// `r` events without topics or data.
    #[benchmark]
    fn deposit_event(r: Linear<1, 1_000>) {
        let base = fixtures::rw_address();
        let (caller, contract) =
            setup::<T>(fixtures::host_calls(abi::host::DEPOSIT_EVENT, r, [base, 0, base, 0], &[0; 4]));
        #[block]
        {
            run_call::<T>(&caller, &contract, vec![]);
        }
    }

    /// 100 events with `t` topics each.
    #[benchmark]
    fn deposit_event_per_topic(t: Linear<0, { abi::MAX_EVENT_TOPICS as u32 }>) {
        let (caller, contract) = setup::<T>(fixtures::deposit_event_per_topic(t));
        #[block]
        {
            run_call::<T>(&caller, &contract, vec![]);
        }
    }

    /// One event with `n` bytes of data.
    #[benchmark]
    fn deposit_event_per_byte(n: Linear<0, 16_384>) {
        let (caller, contract) = setup::<T>(fixtures::deposit_event_per_byte(n));
        #[block]
        {
            run_call::<T>(&caller, &contract, vec![]);
        }
    }

    /// `r` blake2-256 hashes of nothing.
    #[benchmark]
    fn hash_blake2_256(r: Linear<1, 1_000>) {
        let base = fixtures::rw_address();
        let code = fixtures::host_calls(abi::host::HASH_BLAKE2_256, r, [base, 0, base, 0], &[0; 32]);
        let (caller, contract) = setup::<T>(code);
        #[block]
        {
            run_call::<T>(&caller, &contract, vec![]);
        }
    }

    /// One blake2-256 hash of `n` bytes.
    #[benchmark]
    fn hash_blake2_256_per_byte(n: Linear<0, 16_384>) {
        let (caller, contract) = setup::<T>(fixtures::hash_blake2_256_per_byte(n));
        #[block]
        {
            run_call::<T>(&caller, &contract, vec![]);
        }
    }

    /// A call with `n` bytes of input that the contract copies into its memory.
    #[benchmark]
    fn input_copy_per_byte(n: Linear<0, 16_384>) {
        let (caller, contract) = setup::<T>(fixtures::input_copy());
        #[block]
        {
            run_call::<T>(&caller, &contract, vec![5; n as usize]);
        }
    }

    /// `r` balance lookups of distinct accounts.
    #[benchmark]
    fn balance_of(r: Linear<1, 100>) {
        let base = fixtures::rw_address();
        let code = fixtures::host_calls_varying(abi::host::BALANCE_OF, r, [base, base + 32, 0, 0], &[0; 48], 0);
        let (caller, contract) = setup::<T>(code);
        #[block]
        {
            run_call::<T>(&caller, &contract, vec![]);
        }
    }

    /// `r` transfers of the existential deposit to distinct new accounts.
    #[benchmark]
    fn transfer(r: Linear<1, 100>) {
        let base = fixtures::rw_address();
        let value: u128 = T::Currency::minimum_balance().unique_saturated_into();
        let mut data = vec![0; 48];
        data[32..].copy_from_slice(&value.to_le_bytes());
        let code = fixtures::host_calls_varying(abi::host::TRANSFER, r, [base, base + 32, 0, 0], &data, 0);
        let (caller, contract) = setup::<T>(code);
        let funds = T::Currency::minimum_balance().saturating_mul(BalanceOf::<T>::from(1_000u32));
        T::Currency::set_balance(&contract, funds);
        #[block]
        {
            run_call::<T>(&caller, &contract, vec![]);
        }
    }

    /// `r` calls of a contract that returns at once.
    #[benchmark]
    fn call_contract(r: Linear<1, 100>) {
        let caller = funded_caller::<T>();
        let callee = deploy::<T>(&caller, fixtures::noop(64));
        let base = fixtures::rw_address();
        let contract =
            deploy::<T>(&caller, fixtures::host_calls(abi::host::CALL, r, [base, 0, 0, 0], &call_data(base, &callee)));
        #[block]
        {
            run_call::<T>(&caller, &contract, vec![]);
        }
    }

    /// One call of a contract whose code is about `c` bytes.
    #[benchmark]
    fn call_contract_per_code_byte(c: Linear<64, { 128 * 1024 }>) {
        let caller = funded_caller::<T>();
        let callee = deploy::<T>(&caller, fixtures::noop(c));
        let base = fixtures::rw_address();
        let contract =
            deploy::<T>(&caller, fixtures::host_calls(abi::host::CALL, 1, [base, 0, 0, 0], &call_data(base, &callee)));
        #[block]
        {
            run_call::<T>(&caller, &contract, vec![]);
        }
    }

    /// `r` instantiations, with distinct salts, of a contract whose `deploy` returns at
    /// once.
    #[benchmark]
    fn instantiate_contract(r: Linear<1, 50>) {
        let caller = funded_caller::<T>();
        let code = fixtures::noop(64);
        let hash = H256(sp_io::hashing::blake2_256(&code));
        Pallet::<T>::upload_code(RawOrigin::Signed(caller.clone()).into(), code, no_deposit_limit::<T>())
            .expect("uploads");
        let base = fixtures::rw_address();
        let arguments = abi::InstantiateArgs {
            code_hash_ptr: (base + 64).into(),
            value_ptr: (base + 96).into(),
            gas_limit: 0,
            input_ptr: base.into(),
            input_len: 0,
            salt_ptr: (base + 112).into(),
            salt_len: 4,
            address_ptr: abi::SENTINEL,
        };
        let mut data = arguments.encode().to_vec();
        data.extend_from_slice(hash.as_bytes());
        data.extend_from_slice(&[0; 16 + 4]);
        let contract =
            deploy::<T>(&caller, fixtures::host_calls_varying(abi::host::INSTANTIATE, r, [base, 0, 0, 0], &data, 112));
        #[block]
        {
            run_call::<T>(&caller, &contract, vec![]);
        }
    }

    /// A call of a contract that terminates, leaving its balance to the caller.
    #[benchmark]
    fn terminate() {
        let base = fixtures::rw_address();
        let caller = funded_caller::<T>();
        let contract =
            deploy::<T>(&caller, fixtures::host_calls(abi::host::TERMINATE, 1, [base, 0, 0, 0], caller.as_ref()));
        #[block]
        {
            run_call::<T>(&caller, &contract, vec![]);
        }
    }

    /// A call that grows the heap by `r` pages of 4 KiB.
    #[benchmark]
    fn heap_pages(r: Linear<0, 64>) {
        let (caller, contract) = setup::<T>(fixtures::heap(r));
        #[block]
        {
            run_call::<T>(&caller, &contract, vec![]);
        }
    }

    impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
