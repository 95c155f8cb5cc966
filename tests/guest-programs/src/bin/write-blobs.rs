//! Writes every guest program blob built by this crate into a directory, as
//! `<program>.<isa>.polkavm`, for tools and the quick start.
//!
//! Usage: `write-blobs DIR`

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: write-blobs DIR");
        return ExitCode::FAILURE;
    };
    if let Err(error) = std::fs::create_dir_all(&dir) {
        eprintln!("error: cannot create {}: {error}", dir.display());
        return ExitCode::FAILURE;
    }
    for &program in guest_programs::programs() {
        for isa in guest_programs::Isa::ALL {
            let Some(blob) = guest_programs::blob(program, isa) else { continue };
            let path = dir.join(format!("{program}.{isa}.polkavm"));
            if let Err(error) = std::fs::write(&path, blob) {
                eprintln!("error: cannot write {}: {error}", path.display());
                return ExitCode::FAILURE;
            }
            println!("{} ({} bytes)", path.display(), blob.len());
        }
    }
    ExitCode::SUCCESS
}
