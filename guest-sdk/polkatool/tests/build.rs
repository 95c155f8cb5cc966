//! `polkatool build` on a guest crate made from scratch: builds it for both targets,
//! links it with our linker, and runs the blob in our VM.

use std::path::PathBuf;

use polkatool::build::{build, BuildOptions};
use pvm::{Caller, Engine, InstructionSet, Linker, Module, ModuleConfig, Reg};

/// The sources of `contracts/hello-world`: `add_numbers(a, b) = a + b + get_third_number()`.
const MAIN_RS: &str = include_str!("../../../contracts/hello-world/src/main.rs");

/// A fresh guest crate in a temporary folder.
fn guest_crate() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("polkatool-build-test-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let sdk = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../sdk").canonicalize().unwrap();
    let manifest = format!(
        "[package]\nname = \"adder\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\npvm-guest = {{ path = {:?} }}\n\n\
         [profile.release]\nopt-level = 3\nlto = true\npanic = \"abort\"\ncodegen-units = 1\n\n[workspace]\n",
        sdk
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(dir.join("src/main.rs"), MAIN_RS).unwrap();
    dir
}

#[test]
fn builds_links_and_runs_a_guest_crate() {
    let dir = guest_crate();
    for isa in [InstructionSet::Latest32, InstructionSet::Latest64, InstructionSet::ReviveV1] {
        let blobs = build(&BuildOptions { path: dir.clone(), bin: None, isa, output_dir: None })
            .unwrap_or_else(|error| panic!("{isa}: {error:#}"));
        assert_eq!(blobs, [dir.join("adder.polkavm")]);
        let module =
            Module::new(&Engine::default(), &ModuleConfig::default(), &std::fs::read(&blobs[0]).unwrap()).unwrap();
        assert_eq!(module.isa(), isa);
        let mut linker = Linker::<()>::new();
        linker.define("get_third_number", |caller: Caller<'_, ()>| {
            caller.instance.set_reg(Reg::A0, 100);
            Ok(())
        });
        let mut instance = linker.instantiate(&module).unwrap();
        instance.set_gas(1_000);
        assert_eq!(instance.call(&mut (), "add_numbers", &[1, 2]).unwrap(), 103, "{isa}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_folder_without_a_crate_is_an_error() {
    let options = BuildOptions {
        path: std::env::temp_dir().join("polkatool-no-such-crate"),
        bin: None,
        isa: InstructionSet::Latest32,
        output_dir: None,
    };
    let error = build(&options).err().unwrap().to_string();
    assert!(error.contains("has no Cargo.toml"), "{error}");
}

/// A contract crate (`contracts/flipper`, whose library declares its interface) gets
/// its metadata next to the blob: what `pvm_contract::metadata` says of the interface,
/// the same on every build.
#[test]
fn a_contract_crate_gets_its_metadata() {
    let flipper = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../contracts/flipper").canonicalize().unwrap();
    let output_dir = std::env::temp_dir().join(format!("polkatool-metadata-test-{}", std::process::id()));
    std::fs::create_dir_all(&output_dir).unwrap();
    let options =
        BuildOptions { path: flipper, bin: None, isa: InstructionSet::Latest64, output_dir: Some(output_dir.clone()) };
    let blobs = build(&options).unwrap_or_else(|error| panic!("{error:#}"));
    assert_eq!(blobs, [output_dir.join("flipper.polkavm")]);
    let json = std::fs::read_to_string(output_dir.join("flipper.json")).unwrap();
    let metadata = pvm_contract::metadata::Metadata::from_json(&json).unwrap();
    assert_eq!(metadata, pvm_contract::metadata::Metadata::of::<flipper::Flipper>().unwrap());
    let names: Vec<&str> = metadata.messages.iter().map(|message| message.name.as_str()).collect();
    assert_eq!(names, ["Flip", "Get"]);
    // The blob carries the metadata's hash.
    let blob = std::fs::read(&blobs[0]).unwrap();
    let parsed = pvm::program::ProgramBlob::parse(&blob).unwrap();
    assert_eq!(parsed.metadata_hash, pvm_contract::metadata::hash(&json));

    build(&options).unwrap();
    assert_eq!(std::fs::read_to_string(output_dir.join("flipper.json")).unwrap(), json, "not reproducible");
    assert_eq!(std::fs::read(&blobs[0]).unwrap(), blob, "not reproducible");
    std::fs::remove_dir_all(&output_dir).unwrap();
}

/// A crate whose library uses `pvm-contract` without declaring an interface
/// (`contracts/host-test`) builds as before, without metadata.
#[test]
fn a_library_without_an_interface_gets_no_metadata() {
    let host_test = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../contracts/host-test").canonicalize().unwrap();
    let output_dir = std::env::temp_dir().join(format!("polkatool-no-metadata-test-{}", std::process::id()));
    std::fs::create_dir_all(&output_dir).unwrap();
    let options = BuildOptions {
        path: host_test,
        bin: None,
        isa: InstructionSet::Latest64,
        output_dir: Some(output_dir.clone()),
    };
    let blobs = build(&options).unwrap_or_else(|error| panic!("{error:#}"));
    assert_eq!(blobs, [output_dir.join("host-test.polkavm")]);
    assert!(!output_dir.join("host-test.json").exists());
    let blob = std::fs::read(&blobs[0]).unwrap();
    assert!(pvm::program::ProgramBlob::parse(&blob).unwrap().metadata_hash.is_empty());
    std::fs::remove_dir_all(&output_dir).unwrap();
}
