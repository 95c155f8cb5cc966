//! Arbitrary bytes as a program blob: loading must never panic, and a blob that loads
//! is disassembled and run from a few exports and jump-table targets with a small gas
//! limit (`pvm_fuzz::exercise_blob`). Seeded with real blobs (`fuzz/corpus/blob_parse`);
//! `blob_mutate` is the same harness with a structure-aware mutator.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| pvm_fuzz::exercise_blob(data));
