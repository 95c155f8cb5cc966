//! `polkatool new NAME`: a contract crate that builds outside this repository, with
//! its interface declared once (`src/lib.rs`), its program (`src/main.rs`), a test of
//! the interface and a test of the contract on a chain in memory (`src/tests.rs`).
//! Its dependencies point at the SDK of the checkout polkatool was built from (or at
//! `--sdk DIR`).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// The files of a new contract crate: (path, template).
const FILES: [(&str, &str); 5] = [
    ("Cargo.toml", include_str!("../scaffold/Cargo.toml.in")),
    ("src/lib.rs", include_str!("../scaffold/src/lib.rs.in")),
    ("src/main.rs", include_str!("../scaffold/src/main.rs.in")),
    ("src/tests.rs", include_str!("../scaffold/src/tests.rs.in")),
    (".gitignore", include_str!("../scaffold/gitignore.in")),
];

/// The `guest-sdk` folder of the checkout polkatool was built from.
pub fn default_sdk() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Writes a new contract crate named `name` into `dir` (which must not exist or be
/// empty), depending on the SDK in `sdk` (a `guest-sdk` folder, with `sdk/` and
/// `contract/`).
pub fn new(name: &str, dir: &Path, sdk: &Path) -> Result<()> {
    check_name(name)?;
    if dir.read_dir().is_ok_and(|mut entries| entries.next().is_some()) {
        bail!("{} exists and is not empty", dir.display());
    }
    let sdk = sdk.canonicalize().with_context(|| format!("no SDK at {}", sdk.display()))?;
    let guest_sdk = sdk.join("sdk");
    let contract_sdk = sdk.join("contract");
    let client = sdk.parent().unwrap_or(&sdk).join("client");
    for crate_dir in [&guest_sdk, &contract_sdk, &client] {
        if !crate_dir.join("Cargo.toml").is_file() {
            bail!("{} is not a crate: give --sdk the guest-sdk folder of a checkout", crate_dir.display());
        }
    }
    let crate_name = name.replace('-', "_");
    for (path, template) in FILES {
        let text = template
            .replace("{{name}}", name)
            .replace("{{crate_name}}", &crate_name)
            .replace("{{guest_sdk}}", &toml_string(&guest_sdk))
            .replace("{{contract_sdk}}", &toml_string(&contract_sdk))
            .replace("{{client}}", &toml_string(&client));
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// A crate name cargo takes and that is a Rust identifier once `-` becomes `_`.
fn check_name(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let starts_well = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    if !starts_well || !chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_') {
        bail!(
            "'{name}' is not a good crate name: lowercase ASCII letters, digits, '-' and '_', starting with a letter"
        );
    }
    Ok(())
}

/// A path as a TOML string (quoted and escaped; TOML's basic strings escape as Rust's
/// debug format does for the characters a path holds).
fn toml_string(path: &Path) -> String {
    format!("{:?}", path.to_string_lossy())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for good in ["counter", "my-contract", "v2_token"] {
            check_name(good).unwrap();
        }
        for bad in ["", "Counter", "2fast", "-x", "a b", "crate!", "ünï"] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn writes_a_crate_and_refuses_to_overwrite() {
        let dir = std::env::temp_dir().join(format!("polkatool-new-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        new("my-contract", &dir, &default_sdk()).unwrap();
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(manifest.contains("name = \"my-contract\""), "{manifest}");
        assert!(!manifest.contains("{{"), "{manifest}");
        let main = std::fs::read_to_string(dir.join("src/main.rs")).unwrap();
        assert!(main.contains("use my_contract::{Error, Event, Msg};"), "{main}");
        let error = new("my-contract", &dir, &default_sdk()).unwrap_err().to_string();
        assert!(error.contains("exists and is not empty"), "{error}");
        let elsewhere = dir.with_extension("other");
        let error = new("x", &elsewhere, Path::new("/nonexistent")).unwrap_err().to_string();
        assert!(error.contains("no SDK at /nonexistent"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
