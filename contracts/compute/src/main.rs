//! The program of the compute contract; its interface (messages, errors, storage,
//! events) is documented in the library, `src/lib.rs`.
#![no_std]
#![no_main]

use bench_kernels::{emulator::Nes, prime_sieve::count_primes};
use compute::Msg;

#[global_allocator]
static ALLOCATOR: pvm_guest::LeakingAllocator = pvm_guest::LeakingAllocator;

pvm_guest::panic_handler!();

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
