//! Weights of `pallet_pvm_contracts`: INTERIM hand-set figures in the shape that
//! `scripts/weights.sh` generates (frame-benchmarking's runner over `benchmarking.rs`);
//! replaced by its output.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]
#![allow(clippy::unnecessary_cast)]

use frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions of the pallet's dispatchables and of what gas pays for.
pub trait WeightInfo {
	fn upload_code(c: u32, ) -> Weight;
	fn remove_code() -> Weight;
	fn instantiate(i: u32, s: u32, ) -> Weight;
	fn call(i: u32, ) -> Weight;
	fn set_code() -> Weight;
	fn instructions(r: u32, ) -> Weight;
	fn host_call(r: u32, ) -> Weight;
	fn get_storage(r: u32, ) -> Weight;
	fn set_storage(r: u32, ) -> Weight;
	fn set_storage_per_byte(n: u32, ) -> Weight;
	fn deposit_event(r: u32, ) -> Weight;
	fn deposit_event_per_topic(t: u32, ) -> Weight;
	fn deposit_event_per_byte(n: u32, ) -> Weight;
	fn hash_blake2_256(r: u32, ) -> Weight;
	fn hash_blake2_256_per_byte(n: u32, ) -> Weight;
	fn input_copy_per_byte(n: u32, ) -> Weight;
	fn balance_of(r: u32, ) -> Weight;
	fn transfer(r: u32, ) -> Weight;
	fn call_contract(r: u32, ) -> Weight;
	fn call_contract_per_code_byte(c: u32, ) -> Weight;
	fn instantiate_contract(r: u32, ) -> Weight;
	fn terminate() -> Weight;
	fn heap_pages(r: u32, ) -> Weight;
}

/// Weights for a runtime, with its database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn upload_code(c: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(40_000, 0).saturating_mul(c.into()))
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn remove_code() -> Weight {
		Weight::from_parts(30_000_000, 0)
			.saturating_add(T::DbWeight::get().reads(2_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn instantiate(i: u32, s: u32, ) -> Weight {
		Weight::from_parts(100_000_000, 0)
			.saturating_add(Weight::from_parts(1_000, 0).saturating_mul(i.into()))
			.saturating_add(Weight::from_parts(1_000, 0).saturating_mul(s.into()))
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(6_u64))
	}
	fn call(i: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(1_000, 0).saturating_mul(i.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn set_code() -> Weight {
		Weight::from_parts(20_000_000, 0)
			.saturating_add(T::DbWeight::get().reads(3_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn instructions(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(20_000, 0).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn host_call(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(200_000, 0).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn get_storage(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(1_200_000, 0).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(r.into())))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn set_storage(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(2_200_000, 0).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(r.into())))
			.saturating_add(T::DbWeight::get().writes(2_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(r.into())))
	}
	fn set_storage_per_byte(n: u32, ) -> Weight {
		Weight::from_parts(80_000_000, 0)
			.saturating_add(Weight::from_parts(10_000, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(3_u64))
	}
	fn deposit_event(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(10_000_000, 0).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn deposit_event_per_topic(t: u32, ) -> Weight {
		Weight::from_parts(550_000_000, 0)
			.saturating_add(Weight::from_parts(500_000_000, 0).saturating_mul(t.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn deposit_event_per_byte(n: u32, ) -> Weight {
		Weight::from_parts(60_000_000, 0)
			.saturating_add(Weight::from_parts(20_000, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn hash_blake2_256(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(1_200_000, 0).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn hash_blake2_256_per_byte(n: u32, ) -> Weight {
		Weight::from_parts(51_000_000, 0)
			.saturating_add(Weight::from_parts(10_000, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn input_copy_per_byte(n: u32, ) -> Weight {
		Weight::from_parts(51_000_000, 0)
			.saturating_add(Weight::from_parts(11_000, 0).saturating_mul(n.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn balance_of(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(1_200_000, 0).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(r.into())))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn transfer(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(50_000_000, 0).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().reads((1_u64).saturating_mul(r.into())))
			.saturating_add(T::DbWeight::get().writes(2_u64))
			.saturating_add(T::DbWeight::get().writes((1_u64).saturating_mul(r.into())))
	}
	fn call_contract(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(50_000_000, 0).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().reads((2_u64).saturating_mul(r.into())))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn call_contract_per_code_byte(c: u32, ) -> Weight {
		Weight::from_parts(100_000_000, 0)
			.saturating_add(Weight::from_parts(20_000, 0).saturating_mul(c.into()))
			.saturating_add(T::DbWeight::get().reads(6_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
	fn instantiate_contract(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(300_000_000, 0).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().reads((3_u64).saturating_mul(r.into())))
			.saturating_add(T::DbWeight::get().writes(2_u64))
			.saturating_add(T::DbWeight::get().writes((4_u64).saturating_mul(r.into())))
	}
	fn terminate() -> Weight {
		Weight::from_parts(300_000_000, 0)
			.saturating_add(T::DbWeight::get().reads(5_u64))
			.saturating_add(T::DbWeight::get().writes(5_u64))
	}
	fn heap_pages(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(5_000_000, 0).saturating_mul(r.into()))
			.saturating_add(T::DbWeight::get().reads(4_u64))
			.saturating_add(T::DbWeight::get().writes(2_u64))
	}
}

/// Weights for tests, with `RocksDbWeight`.
impl WeightInfo for () {
	fn upload_code(c: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(40_000, 0).saturating_mul(c.into()))
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn remove_code() -> Weight {
		Weight::from_parts(30_000_000, 0)
			.saturating_add(RocksDbWeight::get().reads(2_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn instantiate(i: u32, s: u32, ) -> Weight {
		Weight::from_parts(100_000_000, 0)
			.saturating_add(Weight::from_parts(1_000, 0).saturating_mul(i.into()))
			.saturating_add(Weight::from_parts(1_000, 0).saturating_mul(s.into()))
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(6_u64))
	}
	fn call(i: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(1_000, 0).saturating_mul(i.into()))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn set_code() -> Weight {
		Weight::from_parts(20_000_000, 0)
			.saturating_add(RocksDbWeight::get().reads(3_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn instructions(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(20_000, 0).saturating_mul(r.into()))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn host_call(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(200_000, 0).saturating_mul(r.into()))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn get_storage(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(1_200_000, 0).saturating_mul(r.into()))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(r.into())))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn set_storage(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(2_200_000, 0).saturating_mul(r.into()))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(r.into())))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
			.saturating_add(RocksDbWeight::get().writes((1_u64).saturating_mul(r.into())))
	}
	fn set_storage_per_byte(n: u32, ) -> Weight {
		Weight::from_parts(80_000_000, 0)
			.saturating_add(Weight::from_parts(10_000, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().writes(3_u64))
	}
	fn deposit_event(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(10_000_000, 0).saturating_mul(r.into()))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn deposit_event_per_topic(t: u32, ) -> Weight {
		Weight::from_parts(550_000_000, 0)
			.saturating_add(Weight::from_parts(500_000_000, 0).saturating_mul(t.into()))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn deposit_event_per_byte(n: u32, ) -> Weight {
		Weight::from_parts(60_000_000, 0)
			.saturating_add(Weight::from_parts(20_000, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn hash_blake2_256(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(1_200_000, 0).saturating_mul(r.into()))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn hash_blake2_256_per_byte(n: u32, ) -> Weight {
		Weight::from_parts(51_000_000, 0)
			.saturating_add(Weight::from_parts(10_000, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn input_copy_per_byte(n: u32, ) -> Weight {
		Weight::from_parts(51_000_000, 0)
			.saturating_add(Weight::from_parts(11_000, 0).saturating_mul(n.into()))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn balance_of(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(1_200_000, 0).saturating_mul(r.into()))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(r.into())))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn transfer(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(50_000_000, 0).saturating_mul(r.into()))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().reads((1_u64).saturating_mul(r.into())))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
			.saturating_add(RocksDbWeight::get().writes((1_u64).saturating_mul(r.into())))
	}
	fn call_contract(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(50_000_000, 0).saturating_mul(r.into()))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().reads((2_u64).saturating_mul(r.into())))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn call_contract_per_code_byte(c: u32, ) -> Weight {
		Weight::from_parts(100_000_000, 0)
			.saturating_add(Weight::from_parts(20_000, 0).saturating_mul(c.into()))
			.saturating_add(RocksDbWeight::get().reads(6_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
	fn instantiate_contract(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(300_000_000, 0).saturating_mul(r.into()))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().reads((3_u64).saturating_mul(r.into())))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
			.saturating_add(RocksDbWeight::get().writes((4_u64).saturating_mul(r.into())))
	}
	fn terminate() -> Weight {
		Weight::from_parts(300_000_000, 0)
			.saturating_add(RocksDbWeight::get().reads(5_u64))
			.saturating_add(RocksDbWeight::get().writes(5_u64))
	}
	fn heap_pages(r: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 0)
			.saturating_add(Weight::from_parts(5_000_000, 0).saturating_mul(r.into()))
			.saturating_add(RocksDbWeight::get().reads(4_u64))
			.saturating_add(RocksDbWeight::get().writes(2_u64))
	}
}
