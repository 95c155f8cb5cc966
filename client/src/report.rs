//! How results, events and errors are shown.

use codec::Decode;
use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};
use pallet_pvm_contracts::{ContractResult, ExecReturnValue, StorageDeposit};
use runtime::{Balance, EventRecord, Runtime, RuntimeEvent};
use scale_info::TypeDef;
use sp_runtime::DispatchError;

pub fn hex(bytes: &[u8]) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// A balance in units (12 decimals).
pub fn balance(amount: Balance) -> String {
    let unit = runtime::UNIT;
    format!("{}.{:012} UNIT", amount / unit, amount % unit)
}

pub fn deposit(deposit: &StorageDeposit<Balance>) -> String {
    match deposit {
        StorageDeposit::Charge(amount) => format!("charged {}", balance(*amount)),
        StorageDeposit::Refund(amount) => format!("refunded {}", balance(*amount)),
    }
}

pub fn output(output: &ExecReturnValue) -> String {
    let kind = if output.did_revert() { "reverted" } else { "returned" };
    format!("{kind} {}", hex(&output.data))
}

/// An event, with the contracts pallet's events spelled out.
pub fn event(event: &RuntimeEvent) -> String {
    use pallet_pvm_contracts::Event as E;
    match event {
        RuntimeEvent::Contracts(E::ContractEmitted { contract, topics, data }) => {
            let topic_bytes: Vec<[u8; 32]> = topics.iter().map(|topic| topic.0).collect();
            let decoded = crate::typed::of(crate::typed::Key::Contract(contract), None)
                .ok()
                .flatten()
                .and_then(|metadata| crate::typed::event(&metadata, &topic_bytes, data));
            if let Some(decoded) = decoded {
                return format!("Contracts.ContractEmitted contract {contract}: {decoded}");
            }
            let topics: Vec<String> = topics.iter().map(|topic| hex(topic.as_bytes())).collect();
            format!("Contracts.ContractEmitted contract {contract} topics [{}] data {}", topics.join(", "), hex(data))
        }
        RuntimeEvent::Contracts(E::Instantiated { deployer, contract, code_hash }) => {
            format!("Contracts.Instantiated contract {contract} by {deployer} from code {code_hash:?}")
        }
        RuntimeEvent::Contracts(E::Called { caller, contract }) => {
            format!("Contracts.Called contract {contract} by {caller}")
        }
        RuntimeEvent::Contracts(E::CodeStored { code_hash, deposit, uploader }) => {
            format!("Contracts.CodeStored {code_hash:?} by {uploader}, deposit {}", balance(*deposit))
        }
        other => format!("{other:?}"),
    }
}

/// An error with its pallet and name, and the explanation from the runtime's
/// metadata (the error's doc comment).
pub fn error(error: &DispatchError) -> String {
    let DispatchError::Module(module) = error else { return format!("{error:?}") };
    match module_error(module.index, module.error[0]) {
        Some((pallet, name, docs)) if docs.is_empty() => format!("{pallet}.{name}"),
        Some((pallet, name, docs)) => format!("{pallet}.{name}: {docs}"),
        None => format!("{error:?}"),
    }
}

/// `(pallet, error name, docs)` of a module error, from the runtime's metadata.
fn module_error(pallet_index: u8, error_index: u8) -> Option<(String, String, String)> {
    let bytes = sp_io::TestExternalities::default().execute_with(|| Runtime::metadata_at_version(15))?;
    let RuntimeMetadataPrefixed(_, RuntimeMetadata::V15(metadata)) =
        RuntimeMetadataPrefixed::decode(&mut &bytes[..]).ok()?
    else {
        return None;
    };
    let pallet = metadata.pallets.iter().find(|pallet| pallet.index == pallet_index)?;
    let ty = metadata.types.resolve(pallet.error.as_ref()?.ty.id)?;
    let TypeDef::Variant(variants) = &ty.type_def else { return None };
    let variant = variants.variants.iter().find(|variant| variant.index == error_index)?;
    Some((pallet.name.clone(), variant.name.clone(), variant.docs.join(" ").trim().to_owned()))
}

/// `--json`: instead of text, the command's results as one JSON object on stdout,
/// printed when it ends (with `"error"` if it failed). Balances are strings: they do
/// not fit a JSON number exactly.
pub mod json {
    use std::sync::{Mutex, OnceLock};

    use serde_json::{Map, Value};

    static DOCUMENT: OnceLock<Mutex<Map<String, Value>>> = OnceLock::new();

    /// Switches to JSON output (once, at the start).
    pub fn enable() {
        let _ = DOCUMENT.set(Mutex::new(Map::new()));
    }

    /// Whether the output is JSON.
    pub fn enabled() -> bool {
        DOCUMENT.get().is_some()
    }

    /// Sets `key` of the document (nothing in text mode).
    pub fn record(key: &str, value: impl Into<Value>) {
        if let Some(document) = DOCUMENT.get() {
            document.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(key.to_owned(), value.into());
        }
    }

    /// Prints the document, with `error` if the command failed.
    pub fn finish(error: Option<String>) {
        let Some(document) = DOCUMENT.get() else { return };
        let mut document = document.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone();
        document.insert("ok".to_owned(), Value::Bool(error.is_none()));
        if let Some(error) = error {
            document.insert("error".to_owned(), Value::String(error));
        }
        use std::io::Write as _;
        let text = serde_json::to_string_pretty(&Value::Object(document)).expect("JSON serializes");
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    }
}

/// An event as JSON: its text, and for a contract's event its parts.
pub fn event_json(event: &RuntimeEvent) -> serde_json::Value {
    let mut value = serde_json::json!({ "text": self::event(event) });
    if let RuntimeEvent::Contracts(pallet_pvm_contracts::Event::ContractEmitted { contract, topics, data }) = event {
        value["contract"] = contract.to_string().into();
        value["topics"] = topics.iter().map(|topic| hex(topic.as_bytes())).collect();
        value["data"] = hex(data).into();
    }
    value
}

/// A storage deposit as JSON.
fn deposit_json(deposit: &StorageDeposit<Balance>) -> serde_json::Value {
    match deposit {
        StorageDeposit::Charge(amount) => serde_json::json!({ "charge": amount.to_string() }),
        StorageDeposit::Refund(amount) => serde_json::json!({ "refund": amount.to_string() }),
    }
}

/// Prints a dry run's result.
pub fn dry_run<R>(result: &ContractResult<R, Balance, EventRecord>, describe: impl Fn(&R) -> String) {
    json::record(
        "dry_run",
        serde_json::json!({
            "result": match &result.result {
                Ok(value) => serde_json::json!({ "ok": describe(value) }),
                Err(failure) => serde_json::json!({ "failed": error(failure) }),
            },
            "gas_consumed": result.gas_consumed,
            "gas_required": result.gas_required,
            "storage_deposit": deposit_json(&result.storage_deposit),
            "events": result.events.iter().map(|record| event_json(&record.event)).collect::<Vec<_>>(),
            "debug_messages": result.debug_messages.iter().map(|message| String::from_utf8_lossy(message)).collect::<Vec<_>>(),
            "why": result.failure.as_deref().map(String::from_utf8_lossy),
        }),
    );
    match &result.result {
        Ok(value) => say!("result: {}", describe(value)),
        Err(failure) => say!("result: failed: {}", error(failure)),
    }
    say!("gas consumed: {}, gas required: {}", result.gas_consumed, result.gas_required);
    say!("storage deposit: {}", deposit(&result.storage_deposit));
    for record in &result.events {
        say!("event: {}", event(&record.event));
    }
    for message in &result.debug_messages {
        say!("debug: {}", String::from_utf8_lossy(message));
    }
    if let Some(failure) = &result.failure {
        say!("why: {}", String::from_utf8_lossy(failure));
    }
}

/// The wall time of repeated dry runs: the first (which may translate the code), the
/// median of the others and their spread, and gas per second at the median.
pub fn timing(first: std::time::Duration, others: &mut [std::time::Duration], gas: u64) {
    others.sort();
    let milliseconds = |time: std::time::Duration| time.as_secs_f64() * 1e3;
    let median = others[others.len() / 2];
    json::record(
        "timing",
        serde_json::json!({
            "first_ms": milliseconds(first),
            "median_ms": milliseconds(median),
            "min_ms": milliseconds(others[0]),
            "max_ms": milliseconds(others[others.len() - 1]),
            "runs": others.len(),
            "mgas_per_second": gas as f64 / median.as_secs_f64() / 1e6,
        }),
    );
    say!(
        "wall time: first run {:.3} ms; then median {:.3} ms (min {:.3}, max {:.3}) over {} runs; {:.1} Mgas/s",
        milliseconds(first),
        milliseconds(median),
        milliseconds(others[0]),
        milliseconds(others[others.len() - 1]),
        others.len(),
        gas as f64 / median.as_secs_f64() / 1e6,
    );
}
