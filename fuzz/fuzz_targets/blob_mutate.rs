//! The `blob_parse` harness with a structure-aware mutator (`pvm_fuzz::mutate`): each
//! mutant is a blob with consistent header and section lengths in which one thing has
//! changed (an instruction, a bitmask bit, a jump-table entry, an export, an import, a
//! memory size, data, the instruction set, the section list), so that mutants get past
//! the parser into validation, translation and execution. Seeded with the blobs of
//! `fuzz/corpus/blob_parse`.
#![no_main]

use libfuzzer_sys::{fuzz_mutator, fuzz_target};

fuzz_target!(|data: &[u8]| pvm_fuzz::exercise_blob(data));

fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
    pvm_fuzz::mutate::mutate_blob(data, size, max_size, seed)
});
