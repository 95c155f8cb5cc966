//! Tests on a mock runtime that deploy and call the real compiled contracts.

mod dispatchables;
mod examples;
mod gas;
mod host_functions;
mod invariants;
mod sequences;
mod upload;
// The benchmarks' contracts are behind the feature.
#[cfg(feature = "runtime-benchmarks")]
mod weights;

use codec::Decode;

/// The messages of `contracts/host-test`.
pub use host_test::Msg;

/// Decodes a SCALE value from a contract's output.
pub fn decode<T: Decode>(mut output: &[u8]) -> T {
    let value = T::decode(&mut output).expect("the output decodes");
    assert!(output.is_empty(), "trailing bytes in the output");
    value
}

/// An account id's bytes.
pub fn raw(account: &sp_runtime::AccountId32) -> [u8; 32] {
    *account.as_ref()
}
