//! Declares the `substrate_runtime` cfg, which `#[runtime_interface]` expands to (set
//! when the crate is built into a Wasm runtime).

fn main() {
    println!("cargo::rustc-check-cfg=cfg(substrate_runtime)");
}
