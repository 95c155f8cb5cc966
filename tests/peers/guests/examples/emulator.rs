//! `bench-emulator` as a wasm32 module: `initialize`, `run`, `get_result`.
#![no_std]

peers_guests::export_kernel!(peers_guests::EMULATOR, get_result);
