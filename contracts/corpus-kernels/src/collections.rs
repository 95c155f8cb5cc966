//! Data-structure-heavy code: `alloc`'s B-tree map, sorts, binary heap and deque, and
//! `hashbrown`'s SwissTable map (the implementation of std's `HashMap`) with
//! `rustc-hash`'s Fx hasher.
//!
//! Hash-map iteration order depends on the hash (which differs between 32- and 64-bit
//! targets) and on the SwissTable group width (which differs between the host and the
//! guest), so the checksum only uses order-independent sums of the hash maps.

use alloc::collections::{BTreeMap, BinaryHeap, VecDeque};
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Reverse;

use rustc_hash::FxBuildHasher;

use crate::{text, Rng};

type HashMap<K, V> = hashbrown::HashMap<K, V, FxBuildHasher>;

/// Runs the data structures over `1024 n` pseudo-random keys and `n` KiB of text;
/// the checksum covers the sorted data, the maps' contents and the heap's order.
pub fn collections(n: u32) -> u64 {
    let mut rng = Rng::new(n, 12);
    let count = 1024 * n as usize;
    let mut sum = 0u64;
    let mut add = |value: u64| sum = sum.rotate_left(9) ^ value.wrapping_mul(0x9e37_79b9_7f4a_7c15);

    // Sorting: unstable on integers, stable on pairs by one field, then deduplication
    // and binary searches.
    let mut keys: Vec<u64> = (0..count).map(|_| rng.below(count as u64 * 4)).collect();
    let mut pairs: Vec<(u32, u64)> = keys.iter().map(|&key| ((key % 1000) as u32, key)).collect();
    keys.sort_unstable();
    pairs.sort_by_key(|&(bucket, _)| bucket);
    keys.dedup();
    for (i, &(bucket, key)) in pairs.iter().enumerate().step_by(97) {
        add(i as u64 ^ u64::from(bucket) ^ key);
        add(keys.binary_search(&key).unwrap_or(usize::MAX) as u64);
        add(keys.binary_search(&(key + 1)).map_or_else(|i| i as u64, |i| !(i as u64)));
    }

    // A B-tree map: inserts, removals, range queries, in-order iteration.
    let mut tree: BTreeMap<u64, u32> = BTreeMap::new();
    for (i, &key) in keys.iter().enumerate() {
        let value = tree.entry(key.wrapping_mul(31) % 65_521).or_default();
        *value = value.wrapping_add(i as u32);
    }
    let removals: Vec<u64> = tree.keys().copied().step_by(3).collect();
    for key in removals {
        tree.remove(&key);
    }
    for start in (0..65_521).step_by(4099) {
        add(tree.range(start..start + 500).fold(0, |acc, (&key, &value)| acc.wrapping_add(key ^ u64::from(value))));
    }
    add(tree.iter().fold(0, |acc, (&key, &value)| acc.rotate_left(1) ^ key ^ u64::from(value)));

    // Hash maps: a word count over text, and an integer map with lookups and removals.
    let text = text(&mut rng, n);
    let mut words: HashMap<String, u32> = HashMap::default();
    for word in text.split(|byte| !byte.is_ascii_alphanumeric()).filter(|word| !word.is_empty()) {
        let word = String::from_utf8_lossy(word).into_owned();
        *words.entry(word).or_default() += 1;
    }
    add(words.len() as u64);
    add(words.iter().fold(0, |acc, (word, &count)| {
        acc.wrapping_add(crate::checksum(word.as_bytes()).wrapping_mul(u64::from(count)))
    }));
    let mut numbers: HashMap<u64, u64> = HashMap::default();
    for &key in &keys {
        numbers.insert(key, key.wrapping_mul(key));
    }
    for key in (0..count as u64 * 4).step_by(7) {
        if let Some(value) = numbers.remove(&key) {
            add(value);
        }
    }
    add(numbers.values().fold(0, |acc: u64, &value| acc.wrapping_add(value)));

    // A binary heap (the 100 largest pairs, popped in order) and a deque (a sliding
    // window maximum).
    let mut heap: BinaryHeap<Reverse<(u32, u64)>> = BinaryHeap::new();
    for &pair in &pairs {
        heap.push(Reverse(pair));
        if heap.len() > 100 {
            heap.pop();
        }
    }
    while let Some(Reverse((bucket, key))) = heap.pop() {
        add((u64::from(bucket) << 32) ^ key);
    }
    let mut window: VecDeque<usize> = VecDeque::new();
    let values: Vec<u64> = pairs.iter().map(|&(_, key)| key).collect();
    for (i, &value) in values.iter().enumerate() {
        while window.back().is_some_and(|&j| values[j] <= value) {
            window.pop_back();
        }
        window.push_back(i);
        if window.front().is_some_and(|&j| j + 64 <= i) {
            window.pop_front();
        }
        if i % 64 == 63 {
            add(values[window[0]]);
        }
    }
    sum
}
