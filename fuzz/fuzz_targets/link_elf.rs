//! Arbitrary bytes (seed the corpus with real guest ELF files) through our linker for
//! every instruction set: it must return a blob or an error, never panic; and a blob it
//! returns must load in the VM.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pvm::InstructionSet;

fuzz_target!(|data: &[u8]| {
    for isa in [InstructionSet::ReviveV1, InstructionSet::JamV1, InstructionSet::Latest32, InstructionSet::Latest64] {
        if let Ok(blob) = pvm_linker::link(data, isa) {
            pvm::Module::new(&pvm::Engine::default(), &pvm::ModuleConfig::default(), &blob)
                .expect("a blob from our linker loads");
        }
    }
});
