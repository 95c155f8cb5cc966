//! `bench-memset` as a wasm32 module: `initialize`, `run`, `checksum`.
#![no_std]

peers_guests::export_kernel!(peers_guests::MEMSET, checksum);
