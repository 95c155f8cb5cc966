//! A corpus of real third-party code: workloads built from popular, well-kept `no_std`
//! crates of crates.io, so that the VM's speed, load time and the linker's output size
//! are measured on code nobody wrote for this project.
//!
//! Each workload is a function `fn(n: u32) -> u64`: it generates its input from `n` (a
//! size, and the seed of the pseudo-random data), runs the crate on it and returns a
//! checksum of the output. Everything is deterministic: no OS randomness, no time, and
//! floating-point results are bit-exact on every target (`libm` is pure software, and
//! so is the guest's floating point). [`WORKLOADS`] lists them:
//!
//! | workload | crates | what it does |
//! |---|---|---|
//! | [`hashes::sha2`] | `sha2` | SHA-256 and SHA-512 |
//! | [`hashes::sha3`] | `sha3` | SHA3-256 and Keccak-256 |
//! | [`hashes::blake2`] | `blake2` | BLAKE2b-512 and BLAKE2s-256 |
//! | [`hashes::blake3`] | `blake3` | BLAKE3: hash, keyed hash, key derivation, XOF |
//! | [`signatures::ed25519_sign`] | `ed25519-dalek` | Ed25519 signing |
//! | [`signatures::ed25519_verify`] | `ed25519-dalek` | Ed25519 verification |
//! | [`compression::miniz`] | `miniz_oxide` | zlib compression and decompression |
//! | [`serialization::json`] | `serde`, `serde_json` | JSON to text and back, and as `Value` |
//! | [`serialization::postcard`] | `serde`, `postcard` | postcard to bytes and back |
//! | [`parsing::regex`] | `regex-automata` | compiles regexes, searches log lines |
//! | [`bigint::bigint`] | `num-bigint` | modular exponentiation, factorials in decimal |
//! | [`float::libm`] | `libm` | trigonometry, exp, log, pow over many values |
//! | [`collections::collections`] | `hashbrown`, `rustc-hash`, `alloc` | maps, sorting, heaps |
//! | [`ledger::ledger`] | `parity-scale-codec` | a token contract on SCALE-encoded transactions |
//!
//! The `corpus-*` guest programs export these functions under the workload's name;
//! the tests run each export in the VMs and compare it with the function run natively,
//! and `vm-bench corpus` times them. On the PolkaVM targets, [`heap`] is the guest
//! programs' allocator.
#![no_std]

extern crate alloc;

pub mod bigint;
pub mod collections;
pub mod compression;
pub mod float;
pub mod hashes;
#[cfg(all(any(target_arch = "riscv32", target_arch = "riscv64"), target_feature = "e"))]
pub mod heap;
pub mod ledger;
pub mod parsing;
pub mod serialization;
pub mod signatures;

use alloc::vec::Vec;

/// One workload of the corpus.
#[derive(Copy, Clone, Debug)]
pub struct Workload {
    /// The function's name, which is also the name of the guest programs' export.
    pub name: &'static str,
    /// The workload, natively.
    pub run: fn(u32) -> u64,
    /// A small input, for the tests (a few million instructions at most, so that each
    /// call takes milliseconds in an interpreter).
    pub test_input: u32,
    /// The input `vm-bench` times (a call takes some milliseconds in our interpreter).
    pub bench_input: u32,
}

/// Every workload, in the order of the table above.
pub const WORKLOADS: &[Workload] = &[
    Workload { name: "sha2", run: hashes::sha2, test_input: 2, bench_input: 16 },
    Workload { name: "sha3", run: hashes::sha3, test_input: 2, bench_input: 8 },
    Workload { name: "blake2", run: hashes::blake2, test_input: 2, bench_input: 16 },
    Workload { name: "blake3", run: hashes::blake3, test_input: 2, bench_input: 16 },
    Workload { name: "ed25519_sign", run: signatures::ed25519_sign, test_input: 1, bench_input: 4 },
    Workload { name: "ed25519_verify", run: signatures::ed25519_verify, test_input: 1, bench_input: 1 },
    Workload { name: "miniz", run: compression::miniz, test_input: 1, bench_input: 4 },
    Workload { name: "json", run: serialization::json, test_input: 4, bench_input: 50 },
    Workload { name: "postcard", run: serialization::postcard, test_input: 4, bench_input: 100 },
    Workload { name: "regex", run: parsing::regex, test_input: 4, bench_input: 20 },
    Workload { name: "bigint", run: bigint::bigint, test_input: 1, bench_input: 2 },
    Workload { name: "libm", run: float::libm, test_input: 1, bench_input: 2 },
    Workload { name: "collections", run: collections::collections, test_input: 1, bench_input: 2 },
    Workload { name: "ledger", run: ledger::ledger, test_input: 8, bench_input: 100 },
];

/// The workload called `name`.
pub fn workload(name: &str) -> Option<&'static Workload> {
    WORKLOADS.iter().find(|workload| workload.name == name)
}

/// The 64-bit FNV-1a hash of `bytes`: how the workloads fold their output into a `u64`.
pub fn checksum(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// A small pseudo-random generator (SplitMix64) for the workloads' inputs: the same
/// sequence on every target.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose sequence depends on `seed` and `stream` (so that one
    /// workload's inputs differ from another's for the same `n`).
    pub fn new(seed: u32, stream: u64) -> Self {
        Rng(u64::from(seed) ^ stream.wrapping_mul(0xd1b5_4a32_d192_ed03))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `bound` (which must not be 0); slightly biased, which is fine
    /// for test data.
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }

    /// Fills `bytes` with random bytes.
    pub fn fill(&mut self, bytes: &mut [u8]) {
        for chunk in bytes.chunks_mut(8) {
            let word = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }

    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut bytes = alloc::vec![0; len];
        self.fill(&mut bytes);
        bytes
    }

    /// A random element of `items` (which must not be empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// `n` KiB of English-like text (words, numbers, punctuation): compressible input.
pub fn text(rng: &mut Rng, n: u32) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "the",
        "of",
        "and",
        "a",
        "to",
        "in",
        "is",
        "you",
        "that",
        "it",
        "he",
        "was",
        "for",
        "on",
        "are",
        "as",
        "with",
        "his",
        "they",
        "at",
        "be",
        "this",
        "have",
        "from",
        "or",
        "one",
        "had",
        "by",
        "word",
        "but",
        "not",
        "what",
        "all",
        "were",
        "we",
        "when",
        "your",
        "can",
        "said",
        "there",
        "use",
        "an",
        "each",
        "which",
        "she",
        "do",
        "how",
        "their",
        "if",
        "will",
        "up",
        "other",
        "about",
        "out",
        "many",
        "then",
        "them",
        "these",
        "so",
        "some",
        "her",
        "would",
        "make",
        "like",
        "him",
        "into",
        "time",
        "has",
        "look",
        "two",
        "more",
        "write",
        "go",
        "see",
        "number",
        "no",
        "way",
        "could",
        "people",
        "my",
        "than",
        "first",
        "water",
        "been",
        "call",
        "who",
        "virtual",
        "machine",
        "register",
        "instruction",
        "block",
        "contract",
        "ledger",
        "transfer",
    ];
    let len = n as usize * 1024;
    let mut text = Vec::with_capacity(len + 16);
    while text.len() < len {
        match rng.below(16) {
            0 => {
                let number = rng.below(100_000);
                text.extend_from_slice(alloc::format!("{number}").as_bytes());
            }
            1 => text.extend_from_slice(b".\n"),
            2 => text.push(b','),
            _ => text.extend_from_slice(rng.pick(WORDS).as_bytes()),
        }
        text.push(b' ');
    }
    text.truncate(len);
    text
}
