//! `polkatool build`: builds a guest crate for a PolkaVM target and links every binary
//! it produces with our linker, in one command.
//!
//! The target specifications are embedded in polkatool and written next to the build
//! output, so a guest crate needs no files of its own beyond its sources. The stable
//! toolchain is used with `RUSTC_BOOTSTRAP=1` for `-Zbuild-std`; it needs the
//! `rust-src` component (`rustup component add rust-src`). A contract crate also gets
//! its metadata next to each blob (see [`crate::metadata`]).

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{bail, Context, Result};
use pvm::InstructionSet;

const TARGET_32: (&str, &str) =
    ("riscv32emac-unknown-none-polkavm", include_str!("../../targets/riscv32emac-unknown-none-polkavm.json"));
const TARGET_64: (&str, &str) =
    ("riscv64emac-unknown-none-polkavm", include_str!("../../targets/riscv64emac-unknown-none-polkavm.json"));

/// What to build.
pub struct BuildOptions {
    /// The guest crate's folder (with its `Cargo.toml`).
    pub path: PathBuf,
    /// Only this binary (default: every binary of the crate).
    pub bin: Option<String>,
    /// The instruction set; 32-bit for Latest32, 64-bit otherwise.
    pub isa: InstructionSet,
    /// Where the blobs go (default: the crate's folder).
    pub output_dir: Option<PathBuf>,
}

/// Builds and links; returns the blobs written.
pub fn build(options: &BuildOptions) -> Result<Vec<PathBuf>> {
    let manifest = options.path.join("Cargo.toml");
    if !manifest.is_file() {
        bail!("{} has no Cargo.toml", options.path.display());
    }
    let (target_name, target_spec) = if options.isa.is_64_bit() { TARGET_64 } else { TARGET_32 };
    let target_dir = options.path.join("target");
    let spec_path = target_dir.join("polkatool").join(format!("{target_name}.json"));
    std::fs::create_dir_all(spec_path.parent().unwrap_or(Path::new(".")))
        .with_context(|| format!("cannot create {}", target_dir.display()))?;
    std::fs::write(&spec_path, target_spec).with_context(|| format!("cannot write {}", spec_path.display()))?;

    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command
        .env("RUSTC_BOOTSTRAP", "1")
        .args(["build", "--release", "-Zbuild-std=core,alloc", "-Zjson-target-spec"])
        .arg("--manifest-path")
        .arg(&manifest)
        .arg("--target")
        .arg(&spec_path)
        .args(["--message-format", "json-render-diagnostics"])
        .stdout(Stdio::piped());
    if let Some(bin) = &options.bin {
        command.args(["--bin", bin]);
    }
    let mut child = command.spawn().context("cannot run cargo")?;
    let mut executables = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        for line in std::io::BufReader::new(stdout).lines() {
            let line = line.context("reading cargo's output")?;
            executables.extend(executable_of(&line));
        }
    }
    let status = child.wait().context("waiting for cargo")?;
    if !status.success() {
        bail!("cargo build failed ({status}); see its output above");
    }
    if executables.is_empty() {
        bail!("cargo built no binary in {}", options.path.display());
    }

    let output_dir = options.output_dir.clone().unwrap_or_else(|| options.path.clone());
    let mut written = Vec::new();
    for elf_path in executables {
        let elf = std::fs::read(&elf_path).with_context(|| format!("cannot read {}", elf_path.display()))?;
        let blob =
            pvm_linker::link(&elf, options.isa).with_context(|| format!("cannot link {}", elf_path.display()))?;
        let name = elf_path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "program".into());
        let output = output_dir.join(format!("{name}.polkavm"));
        std::fs::write(&output, blob).with_context(|| format!("cannot write {}", output.display()))?;
        written.push(output);
    }
    crate::metadata::write(&manifest, &written)?;
    Ok(written)
}

/// The executable path in one line of cargo's JSON messages, if it announces one.
fn executable_of(line: &str) -> Option<PathBuf> {
    let message: serde_json::Value = serde_json::from_str(line).ok()?;
    if message.get("reason")?.as_str()? != "compiler-artifact" {
        return None;
    }
    message.get("executable")?.as_str().map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executables_come_from_compiler_artifacts() {
        let artifact = r#"{"reason":"compiler-artifact","executable":"/t/hello","target":{}}"#;
        assert_eq!(executable_of(artifact), Some(PathBuf::from("/t/hello")));
        assert_eq!(executable_of(r#"{"reason":"compiler-artifact","executable":null}"#), None);
        assert_eq!(executable_of(r#"{"reason":"build-finished","success":true}"#), None);
        assert_eq!(executable_of("not json"), None);
    }
}
