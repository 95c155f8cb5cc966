//! Exercises what the linker must translate, for the linker tests (run on both VMs and
//! against the reference linker's blob, see `guest_programs::scenarios::linker_test`):
//!
//! - exports with 0 to 6 arguments;
//! - an import by name;
//! - data in `.rodata` (a table, a string), `.data` (initialised, mutable) and `.bss`
//!   (zeroed), reached with PC-relative relocations (`PCREL_HI20`/`LO12`);
//! - a table of function pointers in relocated read-only data (absolute relocations
//!   to code, resolved into jump-table entries), called indirectly;
//! - direct calls (`CALL_PLT`), tail calls and self-recursive calls. (Calls that LLVM
//!   resolves itself, `auipc` + `jalr` pairs without relocations, appear in `registry`,
//!   through `core`'s sort.)
#![no_std]
#![no_main]

use core::hint::black_box;
use core::sync::atomic::{AtomicU32, Ordering};

pvm_guest::panic_handler!();

#[pvm_guest::polkavm_import]
extern "C" {
    fn get_third_number() -> u32;
}

/// `.rodata`: a table the code indexes at run time.
static PRIMES: [u32; 8] = [2, 3, 5, 7, 11, 13, 17, 19];
/// `.data`: initialised and mutable.
static COUNTER: AtomicU32 = AtomicU32::new(1000);
/// `.bss`: zeroed and mutable.
static mut SCRATCH: [u32; 64] = [0; 64];

type Op = fn(u32, u32) -> u32;

fn add(a: u32, b: u32) -> u32 {
    a.wrapping_add(b)
}
fn sub(a: u32, b: u32) -> u32 {
    a.wrapping_sub(b)
}
fn mul(a: u32, b: u32) -> u32 {
    a.wrapping_mul(b)
}

/// Function pointers in read-only data.
static OPS: [Op; 3] = [add, sub, mul];

#[pvm_guest::polkavm_export]
extern "C" fn zero_args() -> u32 {
    // SAFETY: the host function has no preconditions.
    unsafe { get_third_number() }
}

#[pvm_guest::polkavm_export]
extern "C" fn one_arg(a: u32) -> u32 {
    PRIMES[black_box(a as usize) % PRIMES.len()]
}

#[pvm_guest::polkavm_export]
extern "C" fn two_args(op: u32, x: u32) -> u32 {
    OPS[black_box(op as usize) % OPS.len()](x, 7)
}

#[pvm_guest::polkavm_export]
extern "C" fn three_args(a: u32, b: u32, c: u32) -> u32 {
    a * 100 + b * 10 + c
}

#[pvm_guest::polkavm_export]
extern "C" fn four_args(a: u32, b: u32, c: u32, d: u32) -> u32 {
    // `.data`: counts every call.
    COUNTER.fetch_add(a + b + c + d, Ordering::Relaxed)
}

#[pvm_guest::polkavm_export]
extern "C" fn five_args(a: u32, b: u32, c: u32, d: u32, e: u32) -> u32 {
    // SAFETY: single-threaded guest; the only borrow of `SCRATCH`.
    let scratch = unsafe { &mut *core::ptr::addr_of_mut!(SCRATCH) };
    for (i, value) in [a, b, c, d, e].into_iter().enumerate() {
        scratch[i] = scratch[i].wrapping_add(value);
    }
    scratch.iter().sum()
}

#[pvm_guest::polkavm_export]
extern "C" fn six_args(a: u32, b: u32, c: u32, d: u32, e: u32, f: u32) -> u32 {
    a ^ (b << 1) ^ (c << 2) ^ (d << 3) ^ (e << 4) ^ (f << 5)
}

/// Self-recursive.
#[inline(never)]
fn fibonacci(n: u32) -> u32 {
    if n < 2 {
        n
    } else {
        fibonacci(black_box(n - 1)).wrapping_add(fibonacci(black_box(n - 2)))
    }
}

#[pvm_guest::polkavm_export]
extern "C" fn recursion(n: u32) -> u32 {
    fibonacci(n)
}

/// The length of a string literal in `.rodata`, plus its first byte.
#[pvm_guest::polkavm_export]
extern "C" fn string() -> u32 {
    let text: &'static str = black_box("relocations");
    text.len() as u32 * 1000 + u32::from(text.as_bytes()[0])
}
