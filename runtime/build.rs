//! Builds the runtime's Wasm blob (with the `wasm-binary` feature; `SKIP_WASM_BUILD=1`
//! skips it and leaves `WASM_BINARY` as `None`).

fn main() {
    #[cfg(feature = "wasm-binary")]
    {
        // The Wasm build gets the features of this build, but for `std` and `default`;
        // `wasm-binary` asks for the Wasm build (and implies `std`), so it must not be
        // passed on. The builder reads the enabled features from the environment.
        std::env::remove_var("CARGO_FEATURE_WASM_BINARY");
        substrate_wasm_builder::WasmBuilder::build_using_defaults();
    }
}
