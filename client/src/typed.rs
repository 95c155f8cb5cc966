//! Contract messages by name, through the contract's metadata (written by `polkatool
//! build` next to the blob; see `pvm_contract::metadata`): arguments parsed by their
//! declared types, return values, errors and events decoded and shown with their names.
//!
//! Arguments: `--name VALUE` for a named field, or values in the fields' order.
//! Accounts are given as for the rest of the client (`//Bob`, SS58, `0x` + 64 hex
//! digits); byte arrays and vectors as `0x` hex; strings as they are; anything else in
//! `scale-value`'s syntax (`250`, `true`, `(1, 2)`, `{ a: 1 }`, `Some(3)`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{anyhow, bail, Context, Result};
use pvm_contract::metadata::{same_name, FieldSpec, Metadata};
use scale_info::{form::PortableForm, PortableRegistry, TypeDef, TypeDefPrimitive};
use scale_value::{Composite, Primitive, Value, ValueDef};

use sp_runtime::AccountId32;

use crate::input;

/// Reads metadata JSON.
pub fn load(path: &Path) -> Result<Metadata> {
    from_json(path, &read(path)?)
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn from_json(path: &Path, json: &str) -> Result<Metadata> {
    Metadata::from_json(json).map_err(|error| anyhow!("{}: {error}", path.display()))
}

/// Reads the metadata JSON of `blob`: if the blob carries a metadata hash (`polkatool
/// build` embeds one), the file must be the one it was built with.
pub fn load_for(path: &Path, blob: &[u8]) -> Result<Metadata> {
    let json = read(path)?;
    let embedded = pvm::program::ProgramBlob::parse(blob).map(|blob| blob.metadata_hash).unwrap_or_default();
    let hash = pvm_contract::metadata::hash(&json);
    if !embedded.is_empty() && embedded != hash {
        bail!(
            "{} is not the metadata of this code: the code carries metadata hash 0x{}, the file hashes to 0x{} \
             (rebuild with `polkatool build`, or give the right file with --metadata)",
            path.display(),
            crate::report::hex(&embedded),
            crate::report::hex(&hash)
        );
    }
    from_json(path, &json)
}

/// Where the client keeps the metadata of the contracts it deployed (a folder of
/// `ADDRESS.json`), set once at start: the events printed anywhere are decoded with it.
static CACHE: OnceLock<PathBuf> = OnceLock::new();

/// Sets the folder of the metadata cache (once; later calls change nothing).
pub fn set_cache(dir: PathBuf) {
    let _ = CACHE.set(dir);
}

/// What the cache keeps metadata for.
#[derive(Clone, Copy)]
pub enum Key<'a> {
    /// A deployed contract.
    Contract(&'a AccountId32),
    /// Uploaded code.
    Code(&'a [u8; 32]),
}

fn cache_path(key: Key) -> Option<PathBuf> {
    let name = match key {
        Key::Contract(contract) => crate::report::hex(&<[u8; 32]>::from(contract.clone())),
        Key::Code(hash) => format!("code-{}", crate::report::hex(hash)),
    };
    Some(CACHE.get()?.join(format!("{name}.json")))
}

/// Remembers `metadata` as that of `key`.
pub fn remember(key: Key, metadata: &Metadata) -> Result<()> {
    let Some(path) = cache_path(key) else { return Ok(()) };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(&path, metadata.to_json()).with_context(|| format!("cannot write {}", path.display()))
}

/// The metadata of `key`: from `given` (a file), else from the cache, if there.
pub fn of(key: Key, given: Option<&Path>) -> Result<Option<Metadata>> {
    if let Some(path) = given {
        return load(path).map(Some);
    }
    match cache_path(key) {
        Some(path) if path.is_file() => load(&path).map(Some),
        _ => Ok(None),
    }
}

/// The input of `call` for message `name` with `args`.
pub fn encode_message(metadata: &Metadata, name: &str, args: &[String]) -> Result<Vec<u8>> {
    let Some(message) = metadata.message(name) else {
        let names: Vec<&str> = metadata.messages.iter().map(|message| message.name.as_str()).collect();
        bail!("{} has no message '{name}' (it has: {})", metadata.name, names.join(", "));
    };
    let mut input = vec![message.index];
    encode_fields(&message.fields, args, &metadata.types, &mut input)
        .with_context(|| format!("message {}{}", message.name, signature(&message.fields)))?;
    Ok(input)
}

/// The input of `deploy` with `args`: the fields of the deploy type, or its one value.
pub fn encode_deploy(metadata: &Metadata, args: &[String]) -> Result<Vec<u8>> {
    let types = &metadata.types;
    let fields = match types.resolve(metadata.deploy).map(|ty| &ty.type_def) {
        Some(TypeDef::Composite(composite)) => composite
            .fields
            .iter()
            .map(|field| FieldSpec {
                name: field.name.clone(),
                ty: field.ty.id,
                type_name: field.type_name.clone(),
                topic: false,
            })
            .collect(),
        Some(TypeDef::Tuple(tuple)) => {
            tuple.fields.iter().map(|ty| FieldSpec { name: None, ty: ty.id, type_name: None, topic: false }).collect()
        }
        _ => vec![FieldSpec {
            name: None,
            ty: metadata.deploy,
            type_name: Some(type_name(types, metadata.deploy)),
            topic: false,
        }],
    };
    let mut input = Vec::new();
    encode_fields(&fields, args, types, &mut input).with_context(|| format!("deploy{}", signature(&fields)))?;
    Ok(input)
}

/// `(to: AccountId, value: u128)`, for error messages.
fn signature(fields: &[FieldSpec]) -> String {
    let fields: Vec<String> = fields
        .iter()
        .map(|field| {
            let ty = field.type_name.clone().unwrap_or_default();
            match &field.name {
                Some(name) => format!("{name}: {ty}"),
                None => ty,
            }
        })
        .collect();
    format!("({})", fields.join(", "))
}

fn encode_fields(fields: &[FieldSpec], args: &[String], types: &PortableRegistry, out: &mut Vec<u8>) -> Result<()> {
    let mut values: Vec<Option<&str>> = vec![None; fields.len()];
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let slot = if let Some(flag) = arg.strip_prefix("--") {
            let (name, inline) = match flag.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (flag, None),
            };
            let index = fields
                .iter()
                .position(|field| field.name.as_deref().is_some_and(|field| same_name(field, name)))
                .ok_or_else(|| anyhow!("no argument named '{name}'"))?;
            let value = match inline {
                Some(value) => value,
                None => args.next().map(String::as_str).ok_or_else(|| anyhow!("--{name} needs a value"))?,
            };
            (index, value)
        } else {
            let index =
                values.iter().position(Option::is_none).ok_or_else(|| anyhow!("one value too many: '{arg}'"))?;
            (index, arg.as_str())
        };
        if values[slot.0].replace(slot.1).is_some() {
            bail!("argument {} given twice", field_label(&fields[slot.0], slot.0));
        }
    }
    for (index, (field, value)) in fields.iter().zip(values).enumerate() {
        let value = value.ok_or_else(|| anyhow!("argument {} is missing", field_label(field, index)))?;
        let parsed =
            parse_value(value, field.ty, types).with_context(|| format!("argument {}", field_label(field, index)))?;
        scale_value::scale::encode_as_type(&parsed, field.ty, types, out).map_err(|error| {
            anyhow!(
                "argument {}: '{value}' is not a {}: {error}",
                field_label(field, index),
                type_name(types, field.ty)
            )
        })?;
    }
    Ok(())
}

fn field_label(field: &FieldSpec, index: usize) -> String {
    match &field.name {
        Some(name) => format!("'{name}'"),
        None => format!("{}", index + 1),
    }
}

/// `text` as a value of type `ty`.
fn parse_value(text: &str, ty: u32, types: &PortableRegistry) -> Result<Value<()>> {
    if let Some(len) = byte_array_len(types, ty) {
        let bytes = if len == Some(32) && !text.starts_with("0x") {
            <[u8; 32]>::from(input::account(text)?).to_vec()
        } else {
            input::hex_bytes(text)?
        };
        if len.is_some_and(|len| len != bytes.len()) {
            bail!("'{text}' is {} bytes, not {}", bytes.len(), len.unwrap_or_default());
        }
        return Ok(Value::from_bytes(bytes));
    }
    if matches!(resolve(types, ty), Some(TypeDef::Primitive(TypeDefPrimitive::Str))) && !text.starts_with('"') {
        return Ok(Value::string(text));
    }
    // Sequences and tuples element by element, so that their elements take the forms
    // above too (`(//Alice, //Bob)` for a `Vec<AccountId>`).
    let elements = |text: &str| {
        let inner = text.strip_prefix('(').and_then(|t| t.strip_suffix(')'));
        let inner = inner.or_else(|| text.strip_prefix('[').and_then(|t| t.strip_suffix(']')))?;
        Some(split_top_level(inner))
    };
    match (resolve(types, ty), elements(text.trim())) {
        (Some(TypeDef::Sequence(sequence)), Some(items)) => {
            let values = items.iter().map(|item| parse_value(item, sequence.type_param.id, types));
            return Ok(Value::unnamed_composite(values.collect::<Result<Vec<_>>>()?));
        }
        (Some(TypeDef::Array(array)), Some(items)) if items.len() == array.len as usize => {
            let values = items.iter().map(|item| parse_value(item, array.type_param.id, types));
            return Ok(Value::unnamed_composite(values.collect::<Result<Vec<_>>>()?));
        }
        (Some(TypeDef::Tuple(tuple)), Some(items)) if items.len() == tuple.fields.len() => {
            let values = items.iter().zip(&tuple.fields).map(|(item, field)| parse_value(item, field.id, types));
            return Ok(Value::unnamed_composite(values.collect::<Result<Vec<_>>>()?));
        }
        _ => {}
    }
    match scale_value::stringify::from_str(text) {
        (Ok(value), "") => Ok(value),
        (Ok(_), rest) => bail!("'{text}': unexpected '{rest}'"),
        (Err(error), _) => bail!("'{text}' is not a {}: {error}", type_name(types, ty)),
    }
}

/// `a, (b, c), "d,e"` → `["a", "(b, c)", "\"d,e\""]`: split at the commas outside
/// brackets and quotes, each part trimmed; nothing for an empty text.
fn split_top_level(text: &str) -> Vec<String> {
    let (mut parts, mut current, mut depth, mut quoted) = (Vec::new(), String::new(), 0usize, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '(' | '[' | '{' if !quoted => depth += 1,
            ')' | ']' | '}' if !quoted => depth = depth.saturating_sub(1),
            ',' if !quoted && depth == 0 => {
                parts.push(current.trim().to_owned());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() || !parts.is_empty() {
        parts.push(current.trim().to_owned());
    }
    parts
}

fn resolve(types: &PortableRegistry, ty: u32) -> Option<&TypeDef<PortableForm>> {
    types.resolve(ty).map(|ty| &ty.type_def)
}

/// `Some(Some(n))` for `[u8; n]`, `Some(None)` for `Vec<u8>`; looks through
/// single-field structs.
fn byte_array_len(types: &PortableRegistry, ty: u32) -> Option<Option<usize>> {
    let is_u8 = |ty: u32| matches!(resolve(types, ty), Some(TypeDef::Primitive(TypeDefPrimitive::U8)));
    match resolve(types, ty)? {
        TypeDef::Array(array) if is_u8(array.type_param.id) => Some(Some(array.len as usize)),
        TypeDef::Sequence(sequence) if is_u8(sequence.type_param.id) => Some(None),
        TypeDef::Composite(composite) if composite.fields.len() == 1 => {
            byte_array_len(types, composite.fields[0].ty.id)
        }
        _ => None,
    }
}

/// A type's name as Rust writes it, roughly: for messages.
fn type_name(types: &PortableRegistry, ty: u32) -> String {
    let Some(resolved) = types.resolve(ty) else { return format!("type {ty}") };
    if let Some(name) = resolved.path.segments.last() {
        return name.clone();
    }
    match &resolved.type_def {
        TypeDef::Primitive(primitive) => format!("{primitive:?}").to_lowercase(),
        TypeDef::Array(array) => format!("[{}; {}]", type_name(types, array.type_param.id), array.len),
        TypeDef::Sequence(sequence) => format!("Vec<{}>", type_name(types, sequence.type_param.id)),
        TypeDef::Tuple(tuple) => {
            let fields: Vec<String> = tuple.fields.iter().map(|field| type_name(types, field.id)).collect();
            format!("({})", fields.join(", "))
        }
        TypeDef::Compact(compact) => format!("Compact<{}>", type_name(types, compact.type_param.id)),
        _ => format!("type {ty}"),
    }
}

/// `bytes`, all of them, as a value of type `ty`, shown as text.
pub fn decode(metadata: &Metadata, ty: u32, bytes: &[u8]) -> Result<String> {
    let mut rest = bytes;
    let value = scale_value::scale::decode_as_type(&mut rest, ty, &metadata.types)
        .map_err(|error| anyhow!("does not decode as {}: {error}", type_name(&metadata.types, ty)))?;
    if !rest.is_empty() {
        bail!("{} bytes left after a {}", rest.len(), type_name(&metadata.types, ty));
    }
    let mut text = String::new();
    show(&value, &metadata.types, &mut text);
    Ok(text)
}

/// A contract's event: `Name { field: value, .. }`, if the metadata knows its signature
/// and its data decodes.
pub fn event(metadata: &Metadata, topics: &[[u8; 32]], data: &[u8]) -> Option<String> {
    let spec = metadata.event(topics.first()?)?;
    let text = decode(metadata, metadata.event_type, data).ok()?;
    text.starts_with(&spec.name).then_some(text)
}

fn show(value: &Value<u32>, types: &PortableRegistry, out: &mut String) {
    match &value.value {
        ValueDef::Composite(composite) => show_composite(composite, types, out),
        ValueDef::Variant(variant) => {
            out.push_str(&variant.name);
            match &variant.values {
                Composite::Named(fields) if !fields.is_empty() => {
                    out.push(' ');
                    show_composite(&variant.values, types, out);
                }
                // As Rust writes it, `Some(x)`, whatever `x` is.
                Composite::Unnamed(values) if !values.is_empty() => show_tuple(values, types, out),
                _ => {}
            }
        }
        ValueDef::Primitive(primitive) => match primitive {
            Primitive::String(text) => {
                let _ = write!(out, "{text:?}");
            }
            other => {
                let _ = write!(out, "{other}");
            }
        },
        ValueDef::BitSequence(bits) => {
            let _ = write!(out, "{bits:?}");
        }
    }
}

/// `(a, b, c)`.
fn show_tuple(values: &[Value<u32>], types: &PortableRegistry, out: &mut String) {
    out.push('(');
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        show(value, types, out);
    }
    out.push(')');
}

fn show_composite(composite: &Composite<u32>, types: &PortableRegistry, out: &mut String) {
    match composite {
        Composite::Unnamed(values) => {
            if let Some(bytes) = as_bytes(values, types) {
                // 32 bytes are an account more often than not: show it as clients do.
                if let Ok(account) = <[u8; 32]>::try_from(bytes.as_slice()) {
                    let _ = write!(out, "{}", sp_runtime::AccountId32::new(account));
                } else {
                    out.push_str(&crate::report::hex(&bytes));
                }
                return;
            }
            show_tuple(values, types, out);
        }
        Composite::Named(fields) => {
            out.push_str("{ ");
            for (i, (name, value)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                let _ = write!(out, "{name}: ");
                show(value, types, out);
            }
            out.push_str(" }");
        }
    }
}

/// Values that are all of type `u8`, as bytes.
fn as_bytes(values: &[Value<u32>], types: &PortableRegistry) -> Option<Vec<u8>> {
    if values.is_empty() {
        return None;
    }
    values
        .iter()
        .map(|value| match (&value.value, resolve(types, value.context)) {
            (ValueDef::Primitive(Primitive::U128(byte)), Some(TypeDef::Primitive(TypeDefPrimitive::U8))) => {
                u8::try_from(*byte).ok()
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::split_top_level;

    #[test]
    fn elements_split_at_top_level_commas() {
        assert_eq!(split_top_level("//Alice, //Bob"), ["//Alice", "//Bob"]);
        assert_eq!(split_top_level("1, (2, 3), [4,5], \"a,b\""), ["1", "(2, 3)", "[4,5]", "\"a,b\""]);
        assert_eq!(split_top_level(" "), Vec::<String>::new());
        assert_eq!(split_top_level("7"), ["7"]);
    }
}
