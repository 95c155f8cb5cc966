//! Compute: a contract that does a lot of work and little else, for measuring how fast
//! a chain runs contract code (`scripts/bench-chain.sh`). It runs the benchmark
//! programs' computations (`bench_kernels`), so the chain's figures compare with the
//! VM's own benchmarks.
//!
//! # Messages
//!
//! All values are SCALE-encoded. `deploy` takes no input. `call` input: [`Msg`]; the
//! variant index (the wire's first byte) follows the declaration order:
//!
//! | index | message | output |
//! | ----- | ------- | ------ |
//! | 0 | `Sieve(u32)` | `u32`: the primes up to the limit; reverts (empty output) above [`MAX_SIEVE_LIMIT`] |
//! | 1 | `Emulate(u32)` | `u32`: the emulated system's checksum after that many frames from power-on |
//!
//! Input that does not decode reverts with empty output.
#![no_std]
#![no_main]

use bench_kernels::{emulator::Nes, prime_sieve::count_primes};

#[global_allocator]
static ALLOCATOR: pvm_guest::LeakingAllocator = pvm_guest::LeakingAllocator;

pvm_guest::panic_handler!();

/// The messages of `call`.
#[derive(codec::Decode)]
enum Msg {
    /// Counts the primes up to the limit.
    Sieve(u32),
    /// Emulates frames of the NES-like system.
    Emulate(u32),
}

/// The sieve's scratch words (in `.bss`: nothing in the blob, 64 KiB of memory).
const SIEVE_WORDS: usize = 8192;
/// The largest limit the scratch space covers (a bit per odd number).
pub const MAX_SIEVE_LIMIT: u32 = (SIEVE_WORDS as u32 - 1) * 128;

static mut SIEVE: [u64; SIEVE_WORDS] = [0; SIEVE_WORDS];
/// The system (about 290 KiB, in `.bss`).
static mut NES: Nes = Nes::new();

#[pvm_guest::polkavm_export]
fn deploy() {}

#[pvm_guest::polkavm_export]
fn call() {
    let Some(msg) = pvm_contract::decode_input::<Msg>() else { pvm_contract::revert(&[]) };
    let result = match msg {
        Msg::Sieve(limit) => {
            if limit > MAX_SIEVE_LIMIT {
                pvm_contract::revert(&[]);
            }
            // SAFETY: the guest is single-threaded and this is the only borrow of
            // `SIEVE`, dropped before the call returns.
            count_primes(limit, unsafe { &mut *core::ptr::addr_of_mut!(SIEVE) })
        }
        Msg::Emulate(frames) => {
            // SAFETY: as for `SIEVE`.
            let nes = unsafe { &mut *core::ptr::addr_of_mut!(NES) };
            nes.load_cartridge();
            nes.power_on();
            for _ in 0..frames {
                nes.run_frame();
            }
            nes.checksum()
        }
    };
    pvm_contract::return_encoded(&result);
}
