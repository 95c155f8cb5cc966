//! End-to-end cost of contract calls through the dispatchables, on the native mock
//! runtime (frame-system, balances, timestamp and the pallet, state in memory):
//!
//! - the fixed cost of a trivial call (`counter`'s `Get`, which only reads storage),
//! - token transfers per second (`token`'s `Transfer`, two storage writes and an event),
//! - how long one unit of gas takes in pure computation (`host-test`'s `Burn`), which
//!   is what `Config::WeightPerGas` must cover on the chain's reference machine.
//!
//! Run with `cargo bench -p pallet-pvm-contracts --features mock-runtime`. Each figure
//! is the median of several batches; these machines are noisy.

use std::time::{Duration, Instant};

use codec::Encode;
use pallet_pvm_contracts::mock::*;

const BATCHES: usize = 7;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// The median time of one run of `f`, over batches of `per_batch` runs.
fn time_per_run(per_batch: u32, mut f: impl FnMut()) -> Duration {
    let samples = (0..BATCHES)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..per_batch {
                f();
            }
            start.elapsed() / per_batch
        })
        .collect();
    median(samples)
}

use counter::Msg as CounterMsg;
use token::Msg as TokenMsg;

/// Input bytes passed as they are.
struct RawInput(Vec<u8>);

impl Encode for RawInput {
    fn encode_to<W: codec::Output + ?Sized>(&self, dest: &mut W) {
        dest.write(&self.0);
    }
}

fn main() {
    new_test_ext().execute_with(|| {
        let counter = deploy(&ALICE, "counter", &[], b"");
        let trivial = time_per_run(2_000, || {
            call(&ALICE, &counter, CounterMsg::Get).expect("the call succeeds");
        });
        let trivial_gas = dry_call(&ALICE, &counter, CounterMsg::Get).gas_consumed;
        println!("trivial call (counter Get):   {:>9.1} µs   {trivial_gas} gas", trivial.as_secs_f64() * 1e6);

        let token = deploy(&ALICE, "token", &u128::MAX.encode(), b"");
        let mut to = 0u64;
        let transfer = time_per_run(1_000, || {
            to += 1;
            let mut recipient = [0u8; 32];
            recipient[..8].copy_from_slice(&(to % 64).to_le_bytes());
            call(&ALICE, &token, TokenMsg::Transfer { to: recipient, value: 1 }).expect("the transfer succeeds");
        });
        let transfer_gas = dry_call(&ALICE, &token, TokenMsg::Transfer { to: [1; 32], value: 1 }).gas_consumed;
        println!(
            "token transfer:               {:>9.1} µs   {transfer_gas} gas   {:.0} transfers/s",
            transfer.as_secs_f64() * 1e6,
            1.0 / transfer.as_secs_f64()
        );

        /// `host-test`'s message 17, `Burn(n)`.
        fn host_test_burn(n: u64) -> Vec<u8> {
            (17u8, n).encode()
        }
        let host_test = deploy(&ALICE, "host-test", &[], b"");
        let iterations = 1_000_000u64;
        let burn_gas = dry_call(&ALICE, &host_test, RawInput(host_test_burn(iterations))).gas_consumed;
        let burn = time_per_run(3, || {
            call(&ALICE, &host_test, RawInput(host_test_burn(iterations))).expect("the burn succeeds");
        });
        println!(
            "computation (Burn {iterations}):   {:>9.1} ms   {burn_gas} gas   {:.0} ps per gas",
            burn.as_secs_f64() * 1e3,
            burn.as_secs_f64() * 1e12 / burn_gas as f64
        );
    });
}
