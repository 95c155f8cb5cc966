//! A contract's metadata: its [interface](mod@crate::interface) as JSON, with the types of
//! every message, return value, error and event described by `scale-info`, so that a
//! client encodes messages and decodes results and events by name, without the
//! contract's Rust types. `polkatool build` writes it next to the blob
//! (`NAME.polkavm` → `NAME.json`); `pvm-client` reads it.

use std::string::{String, ToString};
use std::vec::Vec;

use scale_info::{form::PortableForm, MetaType, PortableRegistry, Registry, TypeDef};
use serde::{Deserialize, Serialize};

use crate::interface::{Contract, Event, Message};

/// The value of [`Metadata::format`] this version writes and reads.
pub const FORMAT: &str = "pvm-contract-metadata/1";

/// A contract's interface.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// [`FORMAT`].
    pub format: String,
    /// The contract's crate name.
    pub name: String,
    /// Its crate version.
    pub version: String,
    /// What the interface declaration's doc comment says.
    pub docs: Vec<String>,
    /// The type of `deploy`'s input.
    pub deploy: u32,
    /// The type of `call`'s input (an enum, one variant per message).
    pub message_type: u32,
    /// The messages, in the order of their indices.
    pub messages: Vec<MessageSpec>,
    /// The type of what a reverting message returns.
    pub error: u32,
    /// The type of the events' data (an enum, one variant per event).
    pub event_type: u32,
    /// The events, in the order of their indices.
    pub events: Vec<EventSpec>,
    /// Every type the numbers above refer to.
    pub types: PortableRegistry,
}

/// One message of `call`: its input is `index` followed by its fields, SCALE-encoded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageSpec {
    /// The first byte of the input.
    pub index: u8,
    /// The variant's name.
    pub name: String,
    /// Its arguments.
    pub fields: Vec<FieldSpec>,
    /// The type of what it returns on success.
    pub returns: u32,
    /// Its doc comment.
    pub docs: Vec<String>,
}

/// One event: topics `[signature, topic fields...]`, data the encoded event enum.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EventSpec {
    /// The first byte of the data.
    pub index: u8,
    /// The variant's name.
    pub name: String,
    /// The first topic, `0x` and hex: the BLAKE2b-256 hash of the name.
    pub signature: String,
    /// Its fields.
    pub fields: Vec<FieldSpec>,
    /// Its doc comment.
    pub docs: Vec<String>,
}

/// A field of a message or an event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FieldSpec {
    /// Its name; none in a tuple variant.
    pub name: Option<String>,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: u32,
    /// Its type as written in the source.
    pub type_name: Option<String>,
    /// Whether it is also a topic (events only).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub topic: bool,
}

impl Metadata {
    /// The metadata of contract `C`. Fails if its message or event type is not an
    /// enum, or if the number of return types does not match the messages.
    pub fn of<C: Contract>() -> Result<Self, String> {
        let mut registry = Registry::new();
        let mut register = |meta: MetaType| registry.register_type(&meta).id;
        let deploy = register(MetaType::new::<C::Deploy>());
        let message_type = register(MetaType::new::<C::Message>());
        let returns: Vec<u32> = <C::Message as Message>::returns().into_iter().map(&mut register).collect();
        let error = register(MetaType::new::<C::Error>());
        let event_type = register(MetaType::new::<C::Event>());
        let types = PortableRegistry::from(registry);

        let message_variants = variants(&types, message_type, "message")?;
        if message_variants.len() != returns.len() {
            return Err(std::format!("{} messages but {} return types", message_variants.len(), returns.len()));
        }
        let messages = message_variants
            .iter()
            .zip(returns)
            .map(|(variant, returns)| MessageSpec {
                index: variant.index,
                name: variant.name.clone(),
                fields: variant.fields.iter().map(|field| field_spec(field, false)).collect(),
                returns,
                docs: variant.docs.clone(),
            })
            .collect();

        let event_variants = variants(&types, event_type, "event")?;
        let signatures = <C::Event as Event>::SIGNATURES;
        let topic_fields = <C::Event as Event>::TOPIC_FIELDS;
        if event_variants.len() != signatures.len() || event_variants.len() != topic_fields.len() {
            return Err("the event type's TypeInfo and its Event derive disagree".to_string());
        }
        let events = event_variants
            .iter()
            .zip(signatures.iter().zip(topic_fields))
            .map(|(variant, (signature, topics))| EventSpec {
                index: variant.index,
                name: variant.name.clone(),
                signature: hex(signature),
                fields: variant
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(i, field)| field_spec(field, topics.contains(&i)))
                    .collect(),
                docs: variant.docs.clone(),
            })
            .collect();

        Ok(Metadata {
            format: FORMAT.to_string(),
            name: C::NAME.to_string(),
            version: C::VERSION.to_string(),
            docs: C::DOCS.iter().map(|line| line.trim().to_string()).collect(),
            deploy,
            message_type,
            messages,
            error,
            event_type,
            events,
            types,
        })
    }

    /// As pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("metadata serializes")
    }

    /// From JSON; fails on another format version.
    pub fn from_json(json: &str) -> Result<Self, String> {
        let metadata: Metadata = serde_json::from_str(json).map_err(|error| error.to_string())?;
        if metadata.format != FORMAT {
            return Err(std::format!("metadata format '{}', expected '{FORMAT}'", metadata.format));
        }
        Ok(metadata)
    }

    /// The message named `name`, as [`same_name`] compares names (so that `balance_of`
    /// finds `BalanceOf`).
    pub fn message(&self, name: &str) -> Option<&MessageSpec> {
        self.messages.iter().find(|message| same_name(&message.name, name))
    }

    /// The event whose signature is `topic`.
    pub fn event(&self, topic: &[u8; 32]) -> Option<&EventSpec> {
        let topic = hex(topic);
        self.events.iter().find(|event| event.signature == topic)
    }
}

/// The hash of a metadata file's bytes (BLAKE2b-256), as `polkatool build` embeds it in
/// the blob (its optional metadata-hash section): a client given a blob and a metadata
/// file compares the two, so that stale metadata is caught instead of misdecoding.
pub fn hash(json: &str) -> [u8; 32] {
    use blake2::Digest;
    blake2::Blake2b::<blake2::digest::consts::U32>::digest(json.as_bytes()).into()
}

/// Whether `given` names what is `declared`, ignoring case, `_` and `-` (so that
/// `balance_of` and `balance-of` name `BalanceOf`).
pub fn same_name(declared: &str, given: &str) -> bool {
    let simple =
        |name: &str| name.chars().filter(|c| *c != '_' && *c != '-').flat_map(char::to_lowercase).collect::<String>();
    simple(declared) == simple(given)
}

fn variants<'a>(
    types: &'a PortableRegistry,
    id: u32,
    what: &str,
) -> Result<&'a [scale_info::Variant<PortableForm>], String> {
    match types.resolve(id).map(|ty| &ty.type_def) {
        Some(TypeDef::Variant(def)) => Ok(&def.variants),
        _ => Err(std::format!("the {what} type is not an enum")),
    }
}

fn field_spec(field: &scale_info::Field<PortableForm>, topic: bool) -> FieldSpec {
    FieldSpec { name: field.name.clone(), ty: field.ty.id, type_name: field.type_name.clone(), topic }
}

fn hex(bytes: &[u8]) -> String {
    let mut text = String::from("0x");
    for byte in bytes {
        text.push_str(&std::format!("{byte:02x}"));
    }
    text
}
