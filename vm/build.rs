//! Decides whether the recompiler backend is built: with the `std` feature, for
//! x86-64 Linux. The code checks one cfg, `pvm_compiler`, instead of repeating the
//! conditions.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(pvm_compiler)");
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let std = std::env::var_os("CARGO_FEATURE_STD").is_some();
    if std && arch == "x86_64" && os == "linux" {
        println!("cargo::rustc-cfg=pvm_compiler");
    }
}
