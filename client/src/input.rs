//! Contract input from the command line: raw hex, or typed values SCALE-encoded in
//! order (`--arg u8:2 --arg account://Bob --arg u128:1000`), and accounts given as
//! SS58 addresses, 32-byte hex or development seeds (`//Alice`).

use anyhow::{anyhow, bail, Context, Result};
use codec::Encode;
use sp_core::{crypto::Ss58Codec, sr25519, Pair};
use sp_runtime::AccountId32;

/// The key pair of a secret URI: `//Alice`, a mnemonic with derivations, `0x` seed.
pub fn keypair(suri: &str) -> Result<sr25519::Pair> {
    sr25519::Pair::from_string(suri, None).map_err(|error| anyhow!("'{suri}' is not a valid secret URI: {error:?}"))
}

/// An account: SS58, `0x` + 64 hex digits, or a secret URI (its public key).
pub fn account(text: &str) -> Result<AccountId32> {
    if let Some(hex) = text.strip_prefix("0x") {
        let bytes = hex::decode(hex).with_context(|| format!("'{text}' is not hex"))?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| anyhow!("'{text}' is not 32 bytes"))?;
        return Ok(AccountId32::new(bytes));
    }
    if let Ok(account) = AccountId32::from_ss58check(text) {
        return Ok(account);
    }
    if text.starts_with("//") {
        return Ok(keypair(text)?.public().into());
    }
    bail!("'{text}' is not an account (an SS58 address, 0x and 64 hex digits, or a seed like //Bob)")
}

/// Hex bytes, with or without `0x`.
pub fn hex_bytes(text: &str) -> Result<Vec<u8>> {
    hex::decode(text.strip_prefix("0x").unwrap_or(text)).with_context(|| format!("'{text}' is not hex"))
}

/// One typed value, SCALE-encoded: `TYPE:VALUE` with TYPE one of `u8`..`u128`,
/// `i8`..`i128`, `bool`, `account`, `bytes` (hex, length-prefixed), `str` (UTF-8,
/// length-prefixed), `raw` (hex, as it is).
pub fn encode_arg(arg: &str) -> Result<Vec<u8>> {
    let (kind, value) = arg.split_once(':').ok_or_else(|| anyhow!("'{arg}': expected TYPE:VALUE, e.g. u128:1000"))?;
    let bad = || anyhow!("'{value}' is not a valid {kind}");
    Ok(match kind {
        "u8" => value.parse::<u8>().map_err(|_| bad())?.encode(),
        "u16" => value.parse::<u16>().map_err(|_| bad())?.encode(),
        "u32" => value.parse::<u32>().map_err(|_| bad())?.encode(),
        "u64" => value.parse::<u64>().map_err(|_| bad())?.encode(),
        "u128" => value.parse::<u128>().map_err(|_| bad())?.encode(),
        "i8" => value.parse::<i8>().map_err(|_| bad())?.encode(),
        "i16" => value.parse::<i16>().map_err(|_| bad())?.encode(),
        "i32" => value.parse::<i32>().map_err(|_| bad())?.encode(),
        "i64" => value.parse::<i64>().map_err(|_| bad())?.encode(),
        "i128" => value.parse::<i128>().map_err(|_| bad())?.encode(),
        "bool" => value.parse::<bool>().map_err(|_| bad())?.encode(),
        "account" => account(value)?.encode(),
        "bytes" => hex_bytes(value)?.encode(),
        "str" => value.as_bytes().to_vec().encode(),
        "raw" => hex_bytes(value)?,
        other => bail!("unknown type '{other}' in '{arg}' (u8..u128, i8..i128, bool, account, bytes, str, raw)"),
    })
}

/// `--data` (hex) followed by the `--arg`s.
pub fn input(data: Option<&str>, args: &[String]) -> Result<Vec<u8>> {
    let mut input = match data {
        Some(data) => hex_bytes(data)?,
        None => Vec::new(),
    };
    for arg in args {
        input.extend(encode_arg(arg)?);
    }
    Ok(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_arguments() {
        assert_eq!(encode_arg("u8:2").unwrap(), [2]);
        assert_eq!(encode_arg("u128:1").unwrap(), 1u128.to_le_bytes());
        assert_eq!(encode_arg("bool:true").unwrap(), [1]);
        assert_eq!(encode_arg("str:ab").unwrap(), [8, b'a', b'b']);
        assert_eq!(encode_arg("bytes:0x0102").unwrap(), [8, 1, 2]);
        assert_eq!(encode_arg("raw:0102").unwrap(), [1, 2]);
        let alice = encode_arg("account://Alice").unwrap();
        assert_eq!(alice.len(), 32);
        let ss58 = AccountId32::new(alice.clone().try_into().unwrap()).to_ss58check();
        assert_eq!(encode_arg(&format!("account:{ss58}")).unwrap(), alice);
        assert!(encode_arg("u8:256").unwrap_err().to_string().contains("not a valid u8"));
        assert!(encode_arg("float:1").unwrap_err().to_string().contains("unknown type"));
        assert!(encode_arg("1000").is_err());
        assert_eq!(input(Some("0x02"), &["u8:7".into()]).unwrap(), [2, 7]);
    }
}
