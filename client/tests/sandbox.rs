//! The sandbox, as a contract crate's tests use it: the token contract deployed in
//! memory and driven with its own message and event types; a crate built and deployed.

use codec::Encode;
use pvm_client::sandbox::{account, Sandbox};
use token::{Error, Event, Msg};

#[test]
fn the_token_driven_with_its_own_types() -> anyhow::Result<()> {
    let mut sandbox = Sandbox::new()?;
    let token = sandbox.deploy("//Alice", guest_programs::our_blob("token").unwrap(), 1_000u128)?;
    let (alice, bob): ([u8; 32], [u8; 32]) = (account("//Alice").into(), account("//Bob").into());
    let fees_before = sandbox.balance("//Alice");

    let outcome = sandbox.call("//Alice", &token, Msg::Transfer { to: bob, value: 300 })?;
    assert!(outcome.succeeded(), "{outcome:?}");
    assert_eq!(outcome.contract_events::<Event>(&token), [Event::Transfer { from: alice, to: bob, value: 300 }]);
    assert!(outcome.gas_required > 0);
    assert!(sandbox.balance("//Alice") < fees_before, "the transaction paid fees");
    assert_eq!(sandbox.query("//Alice", &token, Msg::BalanceOf(bob))?.returned::<u128>()?, 300);
    // The storage as the contract lays it out: `b"b" ++ account` holds a balance.
    assert_eq!(sandbox.storage(&token, &[&b"b"[..], &bob].concat()), Some(300u128.encode()));

    // A revert is an outcome, with the contract's error; the chain moves on.
    let snapshot = sandbox.snapshot()?;
    let refused = sandbox.call("//Bob", &token, Msg::Transfer { to: alice, value: 301 })?;
    assert!(!refused.succeeded());
    let query = sandbox.query("//Bob", &token, Msg::Transfer { to: alice, value: 301 })?;
    assert_eq!(query.reverted::<Error>()?, Error::InsufficientBalance);
    assert!(query.returned::<()>().is_err());

    // Snapshot and restore: what happened after the snapshot is gone.
    assert!(sandbox.call("//Bob", &token, Msg::Transfer { to: alice, value: 100 })?.succeeded());
    assert_eq!(sandbox.query("//Bob", &token, Msg::BalanceOf(bob))?.returned::<u128>()?, 200);
    let number = sandbox.block_number();
    sandbox.restore(snapshot);
    assert_eq!(sandbox.query("//Bob", &token, Msg::BalanceOf(bob))?.returned::<u128>()?, 300);
    assert_eq!(sandbox.block_number(), number - 2);

    sandbox.advance_blocks(3)?;
    assert_eq!(sandbox.block_number(), number + 1);
    // A contract that is not there: the dry run says why.
    let missing = sandbox.query("//Alice", &account("//Ferdie"), Msg::TotalSupply)?;
    let error = missing.returned::<u128>().unwrap_err().to_string();
    assert!(error.contains("ContractNotFound"), "{error}");
    Ok(())
}

#[test]
fn a_crate_built_and_deployed() -> anyhow::Result<()> {
    let mut sandbox = Sandbox::new()?;
    let blob = Sandbox::build(concat!(env!("CARGO_MANIFEST_DIR"), "/../contracts/flipper"))?;
    let flipper = sandbox.deploy("//Alice", &blob, true)?;
    assert!(sandbox.query("//Bob", &flipper, flipper::Msg::Get)?.returned::<bool>()?);
    assert!(sandbox.call("//Bob", &flipper, flipper::Msg::Flip)?.succeeded());
    assert!(!sandbox.query("//Bob", &flipper, flipper::Msg::Get)?.returned::<bool>()?);
    Ok(())
}
