//! Random programs from the differential generator, run on pvm and on polkavm 0.37;
//! panics on the first divergence.
#![no_main]

use differential::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(program) = differential::generate(&mut Unstructured::new(data)) else {
        return;
    };
    if let Err(diff) = program.compare() {
        panic!("divergence:\n{diff}\n{program:#?}");
    }
});
