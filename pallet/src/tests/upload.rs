//! Upload validation: each rule has its own error, and dry runs say what was
//! measured against which limit.

use frame_support::assert_noop;
use guest_programs::Isa;

use crate::mock::*;
use crate::{CodeRejection, Error};

fn rejection(code: Vec<u8>) -> CodeRejection {
    Contracts::dry_run_upload_code(ALICE, code, None).expect_err("the blob is rejected")
}

fn reason(rejection: &CodeRejection) -> String {
    String::from_utf8_lossy(&rejection.reason).into_owned()
}

/// Checks the dry run and the dispatchable agree on the error.
fn assert_rejected(code: Vec<u8>, error: Error<Test>) -> CodeRejection {
    let error: sp_runtime::DispatchError = error.into();
    let rejection = rejection(code.clone());
    assert_eq!(rejection.error, error, "{}", reason(&rejection));
    assert_noop!(Contracts::upload_code(RuntimeOrigin::signed(ALICE), code, NO_DEPOSIT_LIMIT), error);
    rejection
}

#[test]
fn too_large() {
    new_test_ext().execute_with(|| {
        MaxCodeLen::set(1000);
        let code = blob("host-test");
        let rejection = assert_rejected(code.clone(), Error::CodeTooLarge);
        assert_eq!((rejection.measured, rejection.limit), (code.len() as u64, 1000));
        assert_eq!(reason(&rejection), format!("the blob is {} bytes; the limit is 1000", code.len()));
        MaxCodeLen::set(256 * 1024);
    });
}

#[test]
fn not_a_blob() {
    new_test_ext().execute_with(|| {
        let rejection = assert_rejected(b"not a program".to_vec(), Error::CodeInvalid);
        assert!(!rejection.reason.is_empty());
        let mut truncated = blob("flipper");
        truncated.truncate(truncated.len() / 2);
        let rejection = assert_rejected(truncated, Error::CodeInvalid);
        assert!(reason(&rejection).contains("offset") || !rejection.reason.is_empty());
    });
}

#[test]
fn wrong_instruction_set() {
    new_test_ext().execute_with(|| {
        let latest32 = guest_programs::blob("flipper", Isa::Latest32).unwrap().to_vec();
        let rejection = assert_rejected(latest32, Error::CodeInstructionSetNotAllowed);
        assert!(reason(&rejection).contains("Latest32"), "{}", reason(&rejection));
    });
}

#[test]
fn unknown_import() {
    new_test_ext().execute_with(|| {
        let rejection = assert_rejected(blob("hello-world"), Error::CodeUnknownImport);
        assert!(reason(&rejection).contains("get_third_number"), "{}", reason(&rejection));
    });
}

#[test]
fn missing_export() {
    new_test_ext().execute_with(|| {
        let rejection = assert_rejected(blob("bench-minimal"), Error::CodeMissingExport);
        assert!(reason(&rejection).contains("'deploy'"), "{}", reason(&rejection));
    });
}

#[test]
fn basic_block_too_large() {
    new_test_ext().execute_with(|| {
        MaxBasicBlockLen::set(3);
        let rejection = assert_rejected(blob("flipper"), Error::CodeBasicBlockTooLarge);
        assert_eq!(rejection.limit, 3);
        assert!(rejection.measured > 3);
        assert!(reason(&rejection).contains("instructions; the limit is 3"), "{}", reason(&rejection));
        MaxBasicBlockLen::set(1000);
    });
}

#[test]
fn memory_too_large() {
    new_test_ext().execute_with(|| {
        MaxMemory::set(64 * 1024);
        let rejection = assert_rejected(blob("flipper"), Error::CodeMemoryTooLarge);
        assert_eq!(rejection.limit, 64 * 1024);
        assert!(rejection.measured > 64 * 1024);
        assert!(reason(&rejection).contains("stack"), "{}", reason(&rejection));
        MaxMemory::set(1024 * 1024);
    });
}

#[test]
fn instantiate_with_rejected_code_reports_why() {
    new_test_ext().execute_with(|| {
        let result = Contracts::dry_run_instantiate(
            ALICE,
            0,
            Some(GAS_LIMIT),
            None,
            crate::Code::Upload(blob("hello-world")),
            vec![],
            vec![],
        );
        assert_eq!(result.result.unwrap_err(), Error::<Test>::CodeUnknownImport.into());
        assert!(failure(&result.failure).contains("get_third_number"));
    });
}

#[test]
fn reference_linker_blobs_are_accepted() {
    new_test_ext().execute_with(|| {
        // The same contract linked by polkavm-linker 0.37 (Latest64) deploys and runs.
        let code = guest_programs::blob("flipper", Isa::Latest64).unwrap().to_vec();
        assert_ne!(code, blob("flipper"), "a different linker, different bytes");
        frame_support::assert_ok!(Contracts::instantiate_with_code(
            RuntimeOrigin::signed(ALICE),
            0,
            GAS_LIMIT,
            NO_DEPOSIT_LIMIT,
            code.clone(),
            codec::Encode::encode(&true),
            vec![],
        ));
        let code_hash = sp_core::H256(sp_io::hashing::blake2_256(&code));
        let address = Contracts::contract_address(&ALICE, &code_hash, &[]);
        // Flipper's `Get` is message 1.
        assert_eq!(query(&ALICE, &address, 1u8), codec::Encode::encode(&true));
    });
}
