//! The metadata step of `polkatool build`: a contract crate whose library declares its
//! interface with `pvm_contract::interface!` gets its metadata (JSON, see
//! `pvm_contract::metadata`) written next to each blob, `NAME.polkavm` → `NAME.json`,
//! and the metadata's hash embedded in the blob (its optional metadata-hash section,
//! which polkavm reads too), so that clients can tell whether the two belong together.
//!
//! The interface is Rust types, so the metadata comes from running Rust: as
//! cargo-contract does, polkatool writes a small host program that depends on the
//! contract's library and on `pvm-contract` (feature `metadata`), in the contract
//! workspace's target folder, with the workspace's `Cargo.lock` so that the versions
//! match the contract's build, and runs it.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

/// What `cargo metadata` says, as far as this step needs it.
#[derive(Deserialize)]
struct CargoMetadata {
    packages: Vec<Package>,
    workspace_root: PathBuf,
    target_directory: PathBuf,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    version: String,
    manifest_path: PathBuf,
    source: Option<String>,
    targets: Vec<Target>,
    dependencies: Vec<Dependency>,
}

#[derive(Deserialize)]
struct Target {
    kind: Vec<String>,
}

#[derive(Deserialize)]
struct Dependency {
    name: String,
}

const SDK: &str = "pvm-contract";

/// Writes the metadata of the contract crate with manifest `manifest` as JSON next to
/// each of `blobs` and embeds its hash in them; returns the files written (none if the
/// crate is not a contract whose library declares its interface).
pub fn write(manifest: &Path, blobs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let Some(json) = generate(manifest)? else { return Ok(Vec::new()) };
    let hash = pvm_contract::metadata::hash(&json);
    let mut written = Vec::new();
    for blob_path in blobs {
        let blob = std::fs::read(blob_path).with_context(|| format!("cannot read {}", blob_path.display()))?;
        let blob = pvm::program::with_metadata_hash(&blob, &hash)
            .with_context(|| format!("cannot embed the metadata hash in {}", blob_path.display()))?;
        std::fs::write(blob_path, blob).with_context(|| format!("cannot write {}", blob_path.display()))?;
        let path = blob_path.with_extension("json");
        std::fs::write(&path, &json).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// The metadata JSON of the contract crate with manifest `manifest`, or none if the
/// crate has no library that uses `pvm-contract` or the library declares no interface.
pub fn generate(manifest: &Path) -> Result<Option<String>> {
    let manifest = manifest.canonicalize().with_context(|| format!("cannot find {}", manifest.display()))?;
    let output = cargo()
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(&manifest)
        .output()
        .context("cannot run cargo metadata")?;
    if !output.status.success() {
        bail!("cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    let cargo_metadata: CargoMetadata =
        serde_json::from_slice(&output.stdout).context("cannot read cargo metadata's output")?;
    let Some(package) = cargo_metadata.packages.iter().find(|package| package.manifest_path == manifest) else {
        bail!("cargo metadata does not list {}", manifest.display());
    };
    let has_lib = package.targets.iter().any(|target| target.kind.iter().any(|kind| kind == "lib"));
    if !has_lib || !package.dependencies.iter().any(|dependency| dependency.name == SDK) {
        return Ok(None);
    }
    let sdk = cargo_metadata
        .packages
        .iter()
        .find(|package| package.name == SDK)
        .context("cargo metadata does not list pvm-contract")?;
    let sdk_dependency = match &sdk.source {
        None => format!("{{ path = {:?}, features = [\"metadata\"] }}", parent(&sdk.manifest_path)),
        Some(_) => format!("{{ version = \"={}\", features = [\"metadata\"] }}", sdk.version),
    };

    let runner = cargo_metadata.target_directory.join("polkatool-metadata").join(&package.name);
    std::fs::create_dir_all(runner.join("src")).with_context(|| format!("cannot create {}", runner.display()))?;
    let runner_manifest = format!(
        "# Written by polkatool build: prints the metadata of {name}.\n\
         [package]\nname = \"pvm-metadata-of-{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\ncontract = {{ package = \"{name}\", path = {contract:?} }}\npvm-contract = {sdk_dependency}\n\n\
         [workspace]\n",
        name = package.name,
        contract = parent(&package.manifest_path),
    );
    write_if_changed(&runner.join("Cargo.toml"), &runner_manifest)?;
    write_if_changed(
        &runner.join("src/main.rs"),
        "fn main() {\n    \
             match pvm_contract::metadata::Metadata::of::<contract::__PvmContractInterface>() {\n        \
                 Ok(metadata) => println!(\"{}\", metadata.to_json()),\n        \
                 Err(error) => {\n            \
                     eprintln!(\"{error}\");\n            \
                     std::process::exit(1);\n        \
                 }\n    \
             }\n\
         }\n",
    )?;
    // The contract workspace's versions, so that the host build of the library uses
    // what its guest build used.
    let lock = cargo_metadata.workspace_root.join("Cargo.lock");
    if lock.is_file() && !runner.join("Cargo.lock").is_file() {
        std::fs::copy(&lock, runner.join("Cargo.lock")).with_context(|| format!("cannot copy {}", lock.display()))?;
    }

    let output = cargo()
        .args(["run", "--quiet", "--manifest-path"])
        .arg(runner.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(cargo_metadata.target_directory.join("polkatool-metadata/target"))
        .output()
        .context("cannot run cargo")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        if stderr.contains("__PvmContractInterface") {
            // A library without an interface declaration: a program without metadata.
            eprintln!(
                "note: {}'s library declares no interface (pvm_contract::interface!), so it has no metadata",
                package.name
            );
            return Ok(None);
        }
        bail!("cannot get the metadata of {}:\n{stderr}", package.name);
    }
    String::from_utf8(output.stdout).map(Some).context("the metadata is not UTF-8")
}

/// Cargo for a host build: none of the guest build's settings, and run from outside
/// the crate, so that its `.cargo/config.toml` (which may name a guest target) and
/// `rust-toolchain.toml` do not apply.
fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(std::env::temp_dir());
    for name in ["RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_BUILD_TARGET", "RUSTC_BOOTSTRAP"] {
        command.env_remove(name);
    }
    command
}

fn parent(manifest: &Path) -> PathBuf {
    manifest.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Leaves the file alone when it already says `text`, so that cargo's build stays fresh.
fn write_if_changed(path: &Path, text: &str) -> Result<()> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}
