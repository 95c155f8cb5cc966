//! What things cost, in gas.
//!
//! One unit of gas is one VM instruction (the naive cost model the VM meters with);
//! [`Config::WeightPerGas`](crate::Config::WeightPerGas) converts gas into weight. Host
//! functions charge their cost from the same gas counter before they act, so a
//! contract cannot make the chain do work it has not paid for.

use core::marker::PhantomData;

use frame_support::{traits::Get, weights::Weight};

use crate::weights::WeightInfo;

pub use pvm_contracts_host::Schedule;

/// The weight (reference time, picoseconds) one unit of gas is worth according to the
/// benchmarks `W` comes from: what one instruction of the `instructions` benchmark's
/// loop takes.
pub fn weight_per_gas<W: WeightInfo>() -> u64 {
    (slope(W::instructions) / 2).max(1)
}

/// [`weight_per_gas`] as a `Get`, for `Config::WeightPerGas`.
pub struct MeasuredWeightPerGas<W>(PhantomData<W>);

impl<W: WeightInfo> Get<u64> for MeasuredWeightPerGas<W> {
    fn get() -> u64 {
        weight_per_gas::<W>()
    }
}

/// [`measured`] as a `Get`, for `Config::Schedule`.
pub struct MeasuredSchedule<W>(PhantomData<W>);

impl<W: WeightInfo> Get<Schedule> for MeasuredSchedule<W> {
    fn get() -> Schedule {
        measured::<W>()
    }
}

/// The reference time one unit of a benchmark's component adds. The generated weights
/// are linear in each component, so the difference of two points is the slope.
fn slope(weight: impl Fn(u32) -> Weight) -> u64 {
    weight(1).ref_time().saturating_sub(weight(0).ref_time())
}

/// The gas costs that match the weights `W`, at [`weight_per_gas::<W>`]: each cost
/// is the reference time of the thing it pays for, measured by the benchmark of the
/// same name, rounded up to whole units of gas. A host function's own cost excludes
/// what every host call costs (the `host_call` benchmark, which the function also
/// charges), a nested frame's code loading is charged per byte on top of `frame`.
pub fn measured<W: WeightInfo>() -> Schedule {
    let per_gas = weight_per_gas::<W>();
    let gas = |weight: u64| weight.div_ceil(per_gas);
    let host_call = slope(W::host_call);
    let beyond_host_call = |weight: fn(u32) -> Weight| gas(slope(weight).saturating_sub(host_call));
    let frame = slope(W::call_contract).saturating_sub(host_call);
    Schedule {
        host_call: gas(host_call),
        code_load_per_byte: gas(slope(W::call_contract_per_code_byte)),
        frame: gas(frame),
        storage_read: beyond_host_call(W::get_storage),
        storage_write: beyond_host_call(W::set_storage),
        storage_per_byte: gas(slope(W::set_storage_per_byte)),
        transfer: beyond_host_call(W::transfer),
        balance_read: beyond_host_call(W::balance_of),
        event: beyond_host_call(W::deposit_event),
        // The benchmark emits 100 events.
        event_per_topic: gas(slope(W::deposit_event_per_topic).div_ceil(100)),
        event_per_byte: gas(slope(W::deposit_event_per_byte)),
        hash: beyond_host_call(W::hash_blake2_256),
        hash_per_byte: gas(slope(W::hash_blake2_256_per_byte)),
        // The difference of two similar per-byte slopes, which noise can make zero
        // or negative: at least one unit, so that copying is never free.
        copy_per_byte: gas(slope(W::input_copy_per_byte).saturating_sub(slope(W::call))).max(1),
        terminate: gas(W::terminate().ref_time().saturating_sub(W::call(0).ref_time())),
        instantiate: gas(slope(W::instantiate_contract).saturating_sub(host_call).saturating_sub(frame)),
        heap_page: gas(slope(W::heap_pages)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generated weights give a schedule in which everything costs something and
    /// the database-bound effects cost what their database accesses imply.
    #[test]
    fn measured_schedule_charges_for_every_effect() {
        let schedule = measured::<()>();
        let Schedule {
            host_call,
            code_load_per_byte,
            frame,
            storage_read,
            storage_write,
            storage_per_byte,
            transfer,
            balance_read,
            event,
            event_per_topic,
            event_per_byte,
            hash,
            hash_per_byte,
            copy_per_byte,
            terminate,
            instantiate,
            heap_page,
        } = schedule;
        for cost in [
            host_call,
            code_load_per_byte,
            frame,
            storage_read,
            storage_write,
            storage_per_byte,
            transfer,
            balance_read,
            event,
            event_per_topic,
            event_per_byte,
            hash,
            hash_per_byte,
            copy_per_byte,
            terminate,
            instantiate,
            heap_page,
        ] {
            assert!(cost > 0, "{schedule:?}");
        }
        let per_gas = weight_per_gas::<()>();
        let db = frame_support::weights::constants::RocksDbWeight::get();
        assert!(storage_read * per_gas >= db.read, "{schedule:?}");
        assert!(storage_write * per_gas >= db.write, "{schedule:?}");
        assert!(storage_write > storage_read && transfer > balance_read, "{schedule:?}");
    }
}
