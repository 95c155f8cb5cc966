//! `bench-prime-sieve` as a wasm32 module: `initialize`, `run`, `get_result`.
#![no_std]

peers_guests::export_kernel!(peers_guests::PRIME_SIEVE, get_result);
