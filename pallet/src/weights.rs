//! Weights of the dispatchables, apart from the gas they buy.
//!
//! The gas a call consumes is converted to weight by `Config::WeightPerGas`; these
//! weights cover what happens around the contract's execution: decoding, storage
//! accesses of the pallet itself, balance transfers and events.

use frame_support::weights::{constants::RocksDbWeight, Weight};

/// Weight functions of the pallet.
pub trait WeightInfo {
    /// `upload_code` of a blob of `code_len` bytes (validation and translation
    /// included).
    fn upload_code(code_len: u32) -> Weight;
    /// `remove_code`.
    fn remove_code() -> Weight;
    /// `instantiate`, without the gas.
    fn instantiate(input_len: u32, salt_len: u32) -> Weight;
    /// `call`, without the gas.
    fn call(input_len: u32) -> Weight;
    /// `set_code`.
    fn set_code() -> Weight;
}

/// Conservative weights for tests and for chains that have not run the benchmarks on
/// their reference machine: a fixed base plus the database accesses each dispatchable
/// makes, at `RocksDbWeight`. `benches/weights.rs` measured the computation on the
/// native mock runtime (2 cores, noisy): `call` about 4.6 µs + 39 ps per input byte,
/// `upload_code` about 35 µs + 9.6 ns per code byte, so the bases below leave a margin
/// of about 4x for Wasm execution and slower machines.
impl WeightInfo for () {
    fn upload_code(code_len: u32) -> Weight {
        Weight::from_parts(50_000_000, 0)
            .saturating_add(Weight::from_parts(40_000, 0).saturating_mul(code_len.into()))
            .saturating_add(RocksDbWeight::get().reads_writes(2, 3))
    }
    fn remove_code() -> Weight {
        Weight::from_parts(30_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(2, 3))
    }
    fn instantiate(input_len: u32, salt_len: u32) -> Weight {
        Weight::from_parts(100_000_000, 0)
            .saturating_add(Weight::from_parts(1_000, 0).saturating_mul((input_len + salt_len).into()))
            .saturating_add(RocksDbWeight::get().reads_writes(6, 6))
    }
    fn call(input_len: u32) -> Weight {
        Weight::from_parts(50_000_000, 0)
            .saturating_add(Weight::from_parts(1_000, 0).saturating_mul(input_len.into()))
            .saturating_add(RocksDbWeight::get().reads_writes(4, 2))
    }
    fn set_code() -> Weight {
        Weight::from_parts(20_000_000, 0).saturating_add(RocksDbWeight::get().reads_writes(3, 3))
    }
}
