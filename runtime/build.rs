//! Builds the runtime's Wasm blob (with the `wasm-binary` feature; `SKIP_WASM_BUILD=1`
//! skips it and leaves `WASM_BINARY` as `None`).

fn main() {
    #[cfg(feature = "wasm-binary")]
    substrate_wasm_builder::WasmBuilder::build_using_defaults();
}
