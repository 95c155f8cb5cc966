//! The seed's two build steps, typed as the seed writes them, from the folder of a
//! guest crate laid out as the seed describes (`guest-sdk/template`, with its
//! `.cargo/config.toml` and `rust-toolchain.toml`): `cargo build -Z build-std=...
//! --target <name> --release --bin my-program`, then `polkatool link ELF -o BLOB`;
//! the blob then runs with `polkatool run`. Both targets.

use std::path::{Path, PathBuf};
use std::process::Command;

fn template() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../template").canonicalize().unwrap()
}

/// Runs a command in `dir` and returns its stdout; panics with its output if it fails.
fn run(dir: &Path, program: impl AsRef<std::ffi::OsStr>, args: &[&str], target_dir: &Path) -> String {
    let mut command = Command::new(program);
    command.current_dir(dir).args(args).env("CARGO_TARGET_DIR", target_dir);
    // Whatever the test itself runs under must not leak into the guest build.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy().into_owned();
        if name.starts_with("CARGO_") && name != "CARGO_HOME"
            || name.starts_with("RUSTUP_TOOLCHAIN")
            || name == "RUSTC"
            || name == "RUSTFLAGS"
            || name == "RUSTC_BOOTSTRAP"
        {
            command.env_remove(name);
        }
    }
    command.env("CARGO_TARGET_DIR", target_dir);
    let output = command.output().unwrap_or_else(|error| panic!("cannot run {command:?}: {error}"));
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_seeds_build_steps_work_verbatim() {
    let dir = template();
    let target_dir = std::env::temp_dir().join(format!("seed-workflow-{}", std::process::id()));
    let polkatool = env!("CARGO_BIN_EXE_polkatool");
    for target in ["riscv32emac-unknown-none-polkavm", "riscv64emac-unknown-none-polkavm"] {
        run(
            &dir,
            "cargo",
            &["build", "-Z", "build-std=core,alloc", "--target", target, "--release", "--bin", "my-program"],
            &target_dir,
        );
        let elf = target_dir.join(target).join("release/my-program");
        let blob = target_dir.join(format!("{target}.polkavm"));
        run(&dir, polkatool, &["link", elf.to_str().unwrap(), "-o", blob.to_str().unwrap()], &target_dir);
        let output = run(
            &dir,
            polkatool,
            &[
                "run",
                blob.to_str().unwrap(),
                "--call",
                "add_numbers",
                "--args",
                "40,2",
                "--call",
                "sum_up_to",
                "--args",
                "100",
            ],
            &target_dir,
        );
        assert!(output.contains("add_numbers") && output.contains("42"), "{target}: {output}");
        assert!(output.contains("5050"), "{target}: {output}");
    }
    std::fs::remove_dir_all(&target_dir).unwrap();
}
