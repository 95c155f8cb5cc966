//! Serialisation with serde's derived code: a self-describing format (`serde_json`) and
//! a compact binary one (`postcard`), on a list of orders of an online shop.

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::{checksum, Rng};

/// An order: integers of several sizes, strings (some that JSON must escape, some not
/// ASCII), a float, an option, a nested list and an enum.
#[derive(Serialize, Deserialize, PartialEq, Debug, Clone)]
pub struct Order {
    /// The order number.
    pub id: u64,
    /// Who ordered.
    pub customer: String,
    /// What was ordered.
    pub items: Vec<Item>,
    /// The parcel's weight in kg: a multiple of 1/4, so that every float is exact in
    /// binary and in decimal.
    pub weight: f64,
    /// Where the order is.
    pub status: Status,
    /// The customer's note, if any.
    pub note: Option<String>,
    /// Whether the order is paid.
    pub paid: bool,
}

/// One line of an order.
#[derive(Serialize, Deserialize, PartialEq, Debug, Clone)]
pub struct Item {
    /// The article number.
    pub sku: String,
    /// How many.
    pub quantity: u16,
    /// The unit price in cents.
    pub price: u32,
    /// Discount in per cent (negative: a surcharge).
    pub discount: i8,
}

/// An order's status.
#[derive(Serialize, Deserialize, PartialEq, Debug, Clone)]
pub enum Status {
    /// Not shipped yet.
    Pending,
    /// Handed to a carrier.
    Shipped {
        /// The carrier's name.
        carrier: String,
        /// The tracking number.
        tracking: u64,
    },
    /// Delivered, on this day (days since 2000-01-01).
    Delivered(u32),
}

const CUSTOMERS: &[&str] = &[
    "Ada Lovelace",
    "Zoë Ångström",
    "Łukasz Żółć",
    "東京 太郎",
    "Владимир",
    "O'Brien \"Bob\"",
    "Tab\tand\\backslash",
    "Émile Zola",
];

const NOTES: &[&str] =
    &["leave at the door", "ring twice\n(bell broken)", "🎁 gift wrap, please", "call before delivery"];

/// `n` pseudo-random orders.
pub fn orders(n: u32, stream: u64) -> Vec<Order> {
    let mut rng = Rng::new(n, stream);
    (0..n)
        .map(|index| {
            let items = (0..1 + rng.below(4))
                .map(|_| Item {
                    sku: alloc::format!("SKU-{:05}-{}", rng.below(100_000), ["A", "B", "XL"][rng.below(3) as usize]),
                    quantity: 1 + rng.below(20) as u16,
                    price: rng.below(1_000_000) as u32,
                    discount: rng.below(60) as i8 - 10,
                })
                .collect();
            let status = match rng.below(3) {
                0 => Status::Pending,
                1 => Status::Shipped { carrier: String::from("Parcel & Co."), tracking: rng.next_u64() },
                _ => Status::Delivered(rng.below(10_000) as u32),
            };
            Order {
                id: 1_000_000 + u64::from(index),
                customer: String::from(*rng.pick(CUSTOMERS)),
                items,
                weight: rng.below(4000) as f64 / 4.0,
                status,
                note: (rng.below(3) == 0).then(|| String::from(*rng.pick(NOTES))),
                paid: rng.below(2) == 0,
            }
        })
        .collect()
}

/// Sums every number in a JSON value and counts its strings' bytes (for a checksum
/// of a parse into `serde_json::Value`).
fn walk(value: &serde_json::Value) -> u64 {
    use serde_json::Value;
    match value {
        Value::Null => 1,
        Value::Bool(b) => 2 + u64::from(*b),
        Value::Number(number) => number.as_u64().or_else(|| number.as_i64().map(|i| i as u64)).unwrap_or_else(|| {
            // A float (the weights): exact quarters.
            (number.as_f64().unwrap_or(0.0) * 4.0) as u64
        }),
        Value::String(string) => string.len() as u64,
        Value::Array(values) => values.iter().map(walk).fold(3, u64::wrapping_add),
        Value::Object(map) => map.iter().fold(5, |sum, (key, value)| sum.wrapping_add(key.len() as u64 + walk(value))),
    }
}

/// Serialises `n` orders to JSON text, parses the text back into orders (which must
/// equal the originals) and into a `serde_json::Value`, and pretty-prints that. The
/// checksum covers both texts and the value's contents.
pub fn json(n: u32) -> u64 {
    let orders = orders(n, 8);
    let text = serde_json::to_string(&orders).unwrap_or_default();
    let parsed: Result<Vec<Order>, _> = serde_json::from_str(&text);
    assert!(parsed.is_ok_and(|parsed| parsed == orders), "the JSON round trip changed the orders");
    let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
    checksum(text.as_bytes()) ^ checksum(pretty.as_bytes()).rotate_left(1) ^ walk(&value)
}

/// Serialises `n` orders with postcard and deserialises them (they must equal the
/// originals). The checksum covers the bytes.
pub fn postcard(n: u32) -> u64 {
    let orders = orders(n, 9);
    let bytes = postcard::to_allocvec(&orders).unwrap_or_default();
    let parsed: Result<Vec<Order>, _> = postcard::from_bytes(&bytes);
    assert!(parsed.is_ok_and(|parsed| parsed == orders), "the postcard round trip changed the orders");
    checksum(&bytes)
}
