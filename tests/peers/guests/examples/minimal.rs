//! `bench-minimal` as a wasm32 module: `initialize`, `run`, `get_counter`.
#![no_std]

peers_guests::export_kernel!(peers_guests::MINIMAL_CALL, get_counter);
