//! The chain specs: built from the runtime's genesis presets, or read from a JSON file.

use runtime::WASM_BINARY;
use sc_service::ChainType;
use sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};

/// The network protocol id of the chains (instead of Substrate's default, `sup`).
const PROTOCOL_ID: &str = "pvm";

/// A chain spec without extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

/// The runtime's Wasm blob, which every chain spec embeds.
fn wasm_binary() -> Result<&'static [u8], String> {
    WASM_BINARY.ok_or_else(|| {
        "The runtime's Wasm blob is not available: the node was built with SKIP_WASM_BUILD set.".to_string()
    })
}

/// The token's symbol and decimals, and the SS58 address prefix, for user interfaces.
fn properties() -> sc_service::Properties {
    let mut properties = sc_service::Properties::new();
    properties.insert("tokenSymbol".into(), "UNIT".into());
    properties.insert("tokenDecimals".into(), 12.into());
    properties.insert("ss58Format".into(), 42.into());
    properties
}

/// `--dev`: the runtime's `development` preset (Alice is the only authority).
pub fn development_chain_spec() -> Result<ChainSpec, String> {
    Ok(ChainSpec::builder(wasm_binary()?, None)
        .with_name("Development")
        .with_id("dev")
        .with_chain_type(ChainType::Development)
        .with_protocol_id(PROTOCOL_ID)
        .with_genesis_config_preset_name(DEV_RUNTIME_PRESET)
        .with_properties(properties())
        .build())
}

/// `--chain local`: the runtime's `local_testnet` preset (Alice and Bob are the
/// authorities).
pub fn local_chain_spec() -> Result<ChainSpec, String> {
    Ok(ChainSpec::builder(wasm_binary()?, None)
        .with_name("Local Testnet")
        .with_id("local_testnet")
        .with_chain_type(ChainType::Local)
        .with_protocol_id(PROTOCOL_ID)
        .with_genesis_config_preset_name(LOCAL_TESTNET_RUNTIME_PRESET)
        .with_properties(properties())
        .build())
}
