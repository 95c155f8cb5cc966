//! Builds the runtime's Wasm blob (with the `std` feature; `SKIP_WASM_BUILD=1` skips it
//! and leaves `WASM_BINARY` as `None`).

fn main() {
    #[cfg(feature = "std")]
    substrate_wasm_builder::WasmBuilder::build_using_defaults();
}
