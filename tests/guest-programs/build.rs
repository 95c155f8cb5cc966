//! Builds every guest program in `contracts/` for both PolkaVM targets with a
//! nested `cargo build`, then links each ELF into `.polkavm` blobs:
//!
//! - the riscv64 ELF with `TargetInstructionSet::Latest` (Latest64) and
//!   `TargetInstructionSet::ReviveV1` (may fail: ReviveV1 lacks e.g. `memset`),
//! - the riscv32 ELF with `TargetInstructionSet::Latest` (Latest32).
//!
//! The riscv64 ELF is also linked with our own linker (`pvm-linker`, Latest64): the
//! blobs the product's toolchain makes, which the contracts pallet's tests deploy.
//!
//! The blobs land in `OUT_DIR`, together with `blobs.rs`, which `src/lib.rs`
//! includes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use polkavm_linker::TargetInstructionSet;

const TARGET_32: &str = "riscv32emac-unknown-none-polkavm";
const TARGET_64: &str = "riscv64emac-unknown-none-polkavm";

/// Environment variables set by the outer cargo (or the user, for the host
/// build) that must not leak into the nested guest build.
fn is_polluting_env_var(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "RUSTFLAGS",
        "RUSTDOCFLAGS",
        "RUSTC_WRAPPER",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTC_LINKER",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_ENCODED_RUSTDOCFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
        "CARGO_MANIFEST_DIR",
        "CARGO_MANIFEST_PATH",
        "CARGO_PRIMARY_PACKAGE",
    ];
    const PREFIXES: &[&str] = &[
        "CARGO_BUILD_",
        "CARGO_TARGET_",
        "CARGO_PROFILE_",
        "CARGO_CFG_",
        "CARGO_FEATURE_",
        "CARGO_PKG_",
        "CARGO_BIN_",
    ];
    EXACT.contains(&name) || PREFIXES.iter().any(|prefix| name.starts_with(prefix))
}

fn main() {
    let manifest_dir = PathBuf::from(env("CARGO_MANIFEST_DIR"));
    let root = manifest_dir.join("../..").canonicalize().expect("repository root");
    let contracts_dir = root.join("contracts");
    let targets_dir = root.join("guest-sdk/targets");
    let guest_target_dir = root.join("target/guest");
    let out_dir = PathBuf::from(env("OUT_DIR"));

    let programs = discover_programs(&contracts_dir);
    emit_rerun_if_changed(&[&contracts_dir, &targets_dir, &root.join("guest-sdk/sdk"), &root.join("guest-sdk/macros")]);

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    check_rust_src(&rustc);

    build_guests(&cargo, &contracts_dir, &targets_dir, &guest_target_dir);

    let mut generated = String::new();
    let mut blobs = String::new();
    let mut link_errors = String::new();
    let mut our_blobs = String::new();
    for program in &programs {
        let elf_path = |target: &str| guest_target_dir.join(target).join("release").join(program);
        let elf_64 = read(&elf_path(TARGET_64));
        let elf_32 = read(&elf_path(TARGET_32));
        let our_blob = pvm_linker::link(&elf_64, pvm_linker::InstructionSet::Latest64)
            .unwrap_or_else(|error| panic!("our linker failed to link {program}: {error}"));
        let path = out_dir.join(format!("{program}.ours.latest64.polkavm"));
        write_if_changed(&path, &our_blob);
        writeln!(our_blobs, "    ({program:?}, include_bytes!({:?})),", path.display().to_string()).unwrap();
        let jobs = [
            ("Latest64", &elf_64, TargetInstructionSet::Latest),
            ("ReviveV1", &elf_64, TargetInstructionSet::ReviveV1),
            ("Latest32", &elf_32, TargetInstructionSet::Latest),
        ];
        for (isa, elf, target_isa) in jobs {
            match link(elf, target_isa) {
                Ok(blob) => {
                    let path = out_dir.join(format!("{program}.{}.polkavm", isa.to_lowercase()));
                    write_if_changed(&path, &blob);
                    writeln!(blobs, "    ({program:?}, Isa::{isa}, include_bytes!({:?})),", path.display().to_string())
                        .unwrap();
                }
                Err(error) if target_isa == TargetInstructionSet::ReviveV1 => {
                    writeln!(link_errors, "    ({program:?}, Isa::{isa}, {:?}),", error.to_string()).unwrap();
                }
                Err(error) => panic!("failed to link {program} for {isa}: {error}"),
            }
        }
    }

    writeln!(generated, "pub(crate) const PROGRAMS: &[&str] = &{programs:?};").unwrap();
    writeln!(generated, "pub(crate) const BLOBS: &[(&str, Isa, &[u8])] = &[\n{blobs}];").unwrap();
    writeln!(generated, "pub(crate) const OUR_BLOBS: &[(&str, &[u8])] = &[\n{our_blobs}];").unwrap();
    writeln!(generated, "pub(crate) const LINK_ERRORS: &[(&str, Isa, &str)] = &[\n{link_errors}];").unwrap();
    write_if_changed(&out_dir.join("blobs.rs"), generated.as_bytes());
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"))
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|error| panic!("failed to read {}: {error}", path.display()))
}

/// Writes `data` unless the file already has exactly that content, so that
/// unchanged blobs do not trigger recompilation of dependents.
fn write_if_changed(path: &Path, data: &[u8]) {
    if std::fs::read(path).ok().as_deref() != Some(data) {
        std::fs::write(path, data).unwrap_or_else(|error| panic!("failed to write {}: {error}", path.display()));
    }
}

/// Every directory of `contracts/` with a `Cargo.toml` and a `src/main.rs` is a guest
/// program; its binary has the same name as the directory. (Library crates, such as
/// `bench-kernels`, are built along with the programs that use them.)
fn discover_programs(contracts_dir: &Path) -> Vec<String> {
    let entries = std::fs::read_dir(contracts_dir)
        .unwrap_or_else(|error| panic!("failed to list {}: {error}", contracts_dir.display()));
    let mut programs: Vec<String> = entries
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.join("Cargo.toml").is_file() && path.join("src/main.rs").is_file())
        .map(|path| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    programs.sort();
    assert!(!programs.is_empty(), "no guest programs found in {}", contracts_dir.display());
    programs
}

/// The guest programs, the target specs and the guest SDK (`pvm-guest` and its
/// macros), which the programs are built with.
fn emit_rerun_if_changed(dirs: &[&Path]) {
    // Directories are scanned recursively, so this covers every program's
    // sources and manifest, as well as added or removed programs.
    for dir in dirs {
        println!("cargo:rerun-if-changed={}", dir.display());
    }
}

/// `-Zbuild-std` needs the standard library's sources; fail early with a
/// helpful message instead of an obscure error from the nested build.
fn check_rust_src(rustc: &str) {
    let output = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .unwrap_or_else(|error| panic!("failed to run `{rustc} --print sysroot`: {error}"));
    let sysroot = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
    let library = sysroot.join("lib/rustlib/src/rust/library");
    if !library.join("Cargo.lock").is_file() {
        let toolchain = sysroot.file_name().unwrap_or_default().to_string_lossy();
        eprintln!(
            "\nerror: the `rust-src` component is missing from the toolchain at {}.\n\
             Guest programs are built with `-Zbuild-std`, which needs it. To install it, run\n\
             \n    scripts/setup.sh\n\n\
             from the repository root (for a toolchain other than the default stable one:\n\
             `GUEST_TOOLCHAIN={toolchain} scripts/setup.sh`).\n",
            sysroot.display()
        );
        std::process::exit(1);
    }
}

fn build_guests(cargo: &str, contracts_dir: &Path, targets_dir: &Path, guest_target_dir: &Path) {
    let mut command = Command::new(cargo);
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(is_polluting_env_var) {
            command.env_remove(name);
        }
    }

    command
        // Stable toolchain: unlock `-Z` flags and custom target specs.
        .env("RUSTC_BOOTSTRAP", "1")
        .arg("build")
        .arg("--release")
        .arg("-Zbuild-std=core,alloc");
    if cargo_supports_z_flag(cargo, "json-target-spec") {
        // Newer cargo (e.g. 1.95) refuses `.json` targets without this flag.
        command.arg("-Zjson-target-spec");
    }
    command.arg("--manifest-path").arg(contracts_dir.join("Cargo.toml")).arg("--target-dir").arg(guest_target_dir);
    for target in [TARGET_32, TARGET_64] {
        command.arg("--target").arg(targets_dir.join(format!("{target}.json")));
    }

    // Cargo parses this script's stdout for directives; keep the nested
    // build's output off it.
    let status = command
        .stdout(std::io::stderr())
        .status()
        .unwrap_or_else(|error| panic!("failed to run `{cargo} build` for the guest programs: {error}"));
    assert!(status.success(), "building the guest programs failed ({status}); see the output above");
}

fn cargo_supports_z_flag(cargo: &str, flag: &str) -> bool {
    Command::new(cargo)
        .env("RUSTC_BOOTSTRAP", "1")
        .args(["-Z", "help"])
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).contains(flag))
}

fn link(elf: &[u8], isa: TargetInstructionSet) -> Result<Vec<u8>, polkavm_linker::ProgramFromElfError> {
    let mut config = polkavm_linker::Config::default();
    config.set_strip(true);
    config.set_optimize(true);
    polkavm_linker::program_from_elf(config, isa, elf)
}
