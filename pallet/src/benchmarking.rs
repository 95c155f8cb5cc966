//! Benchmarks of the dispatchables, of raw computation (what one unit of gas takes)
//! and of host functions (what their gas costs must cover).
//!
//! The contracts they run are generated here with the VM's blob writer, so that their
//! size and work are exactly the benchmark's parameter: a code blob of `c` bytes, a
//! loop of `r` iterations, a loop of `r` host calls.

use alloc::{vec, vec::Vec};

use frame_benchmarking::v2::*;
use frame_support::traits::fungible::Mutate;
use frame_system::RawOrigin;
use pvm::{
    program::{Args, BlobBuilder},
    InstructionSet, Opcode, Reg,
};
use sp_core::H256;
use sp_runtime::{traits::Saturating, AccountId32};

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
        let mut builder = builder();
        builder.rw_data(data, data.len() as u32);
        let import = builder.import(name);
        deploy_returns(&mut builder);
        builder.export_here(abi::EXPORT_CALL);
        builder.push(Opcode::LoadImm64, args([Reg::S0, Reg::S0, Reg::S0], calls, 0));
        builder.push(Opcode::Fallthrough, Args::default());
        let top = builder.pc();
        for (&register, value) in [Reg::A0, Reg::A1, Reg::A2, Reg::A3].iter().zip(arguments) {
            builder.push(Opcode::LoadImm, args([register, register, register], value, 0));
        }
        builder.push(Opcode::Ecalli, Args { imm1: import, ..Args::default() });
        builder.push(Opcode::AddImm64, args([Reg::S0, Reg::S0, Reg::S0], u32::MAX, 0));
        builder.push(Opcode::BranchNotEqImm, args([Reg::S0, Reg::S0, Reg::S0], 0, top));
        builder.push(Opcode::JumpIndirect, args([Reg::RA, Reg::RA, Reg::RA], 0, 0));
        builder.build()
    }

    /// Where the RW data of [`host_calls`] contracts starts (they have no RO data).
    pub fn rw_address() -> u32 {
        pvm::MemoryMap::new(0x1000, 0, 0x1000, 4096, 0).expect("a valid layout").rw_data_address
    }
}

fn funded_caller<T: Config>() -> AccountId32 {
    let caller = whitelisted_caller::<AccountId32>();
    let amount = BalanceOf::<T>::from(u32::MAX).saturating_mul(BalanceOf::<T>::from(1_000_000u32));
    T::Currency::set_balance(&caller, amount);
    caller
}

/// Uploads and instantiates `code` as `caller`; returns the contract's address.
fn deploy<T: Config>(caller: &AccountId32, code: Vec<u8>) -> AccountId32 {
    let hash = H256(sp_io::hashing::blake2_256(&code));
    let limit = BalanceOf::<T>::from(u32::MAX);
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

fn call_contract<T: Config>(caller: &AccountId32, contract: &AccountId32) {
    let limit = BalanceOf::<T>::from(u32::MAX);
    let result = Pallet::<T>::call(
        RawOrigin::Signed(caller.clone()).into(),
        contract.clone(),
        0u32.into(),
        Pallet::<T>::max_gas(),
        limit,
        vec![],
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
        _(RawOrigin::Signed(caller), code, BalanceOf::<T>::from(u32::MAX));
    }

    #[benchmark]
    fn remove_code() {
        let caller = funded_caller::<T>();
        let code = fixtures::noop(64);
        let hash = H256(sp_io::hashing::blake2_256(&code));
        Pallet::<T>::upload_code(RawOrigin::Signed(caller.clone()).into(), code, BalanceOf::<T>::from(u32::MAX))
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
        Pallet::<T>::upload_code(RawOrigin::Signed(caller.clone()).into(), code, BalanceOf::<T>::from(u32::MAX))
            .expect("uploads");
        let gas = Pallet::<T>::max_gas();
        #[extrinsic_call]
        _(
            RawOrigin::Signed(caller),
            0u32.into(),
            gas,
            BalanceOf::<T>::from(u32::MAX),
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
        _(RawOrigin::Signed(caller), contract, 0u32.into(), gas, BalanceOf::<T>::from(u32::MAX), vec![0; i as usize]);
    }

    #[benchmark]
    fn set_code() {
        let caller = funded_caller::<T>();
        let contract = deploy::<T>(&caller, fixtures::noop(64));
        let new = fixtures::noop(128);
        let hash = H256(sp_io::hashing::blake2_256(&new));
        Pallet::<T>::upload_code(RawOrigin::Signed(caller).into(), new, BalanceOf::<T>::from(u32::MAX))
            .expect("uploads");
        #[extrinsic_call]
        _(RawOrigin::Root, contract, hash);
    }

    /// `r` iterations of a two-instruction loop: the slope divided by 2 is the time
    /// of one unit of gas, the basis of `WeightPerGas`.
    #[benchmark(extra)]
    fn instructions(r: Linear<0, 1_000_000>) {
        let caller = funded_caller::<T>();
        let contract = deploy::<T>(&caller, fixtures::burn(r.max(1)));
        #[block]
        {
            call_contract::<T>(&caller, &contract);
        }
    }

    /// `r` calls of `gas_left`: the fixed cost of a host call.
    #[benchmark(extra)]
    fn host_call(r: Linear<0, 10_000>) {
        let caller = funded_caller::<T>();
        let contract = deploy::<T>(&caller, fixtures::host_calls(abi::host::GAS_LEFT, r.max(1), [0; 4], &[]));
        #[block]
        {
            call_contract::<T>(&caller, &contract);
        }
    }

    /// `r` writes of a 32-byte value under one 32-byte key.
    #[benchmark(extra)]
    fn set_storage(r: Linear<1, 1_000>) {
        let caller = funded_caller::<T>();
        let base = fixtures::rw_address();
        let code = fixtures::host_calls(abi::host::SET_STORAGE, r, [base, 32, base + 32, 32], &[7; 64]);
        let contract = deploy::<T>(&caller, code);
        #[block]
        {
            call_contract::<T>(&caller, &contract);
        }
    }

    /// `r` emitted events with one topic and 32 bytes of data.
    #[benchmark(extra)]
    fn deposit_event(r: Linear<1, 1_000>) {
        let caller = funded_caller::<T>();
        let base = fixtures::rw_address();
        let code = fixtures::host_calls(abi::host::DEPOSIT_EVENT, r, [base, 1, base + 32, 32], &[7; 64]);
        let contract = deploy::<T>(&caller, code);
        #[block]
        {
            call_contract::<T>(&caller, &contract);
        }
    }

    /// Hashing `n` bytes with blake2-256, 100 times.
    #[benchmark(extra)]
    fn hash_blake2_256(n: Linear<0, 16384>) {
        let caller = funded_caller::<T>();
        let base = fixtures::rw_address();
        let data = vec![3; n as usize + 32];
        let code = fixtures::host_calls(abi::host::HASH_BLAKE2_256, 100, [base + 32, n, base, 0], &data);
        let contract = deploy::<T>(&caller, code);
        #[block]
        {
            call_contract::<T>(&caller, &contract);
        }
    }

    impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
