//! DEFLATE compression (`miniz_oxide`, the pure-Rust backend of `flate2`).

use crate::{checksum, text, Rng};

/// Compresses `n` KiB of English-like text into the zlib format at levels 1 (fast)
/// and 6 (the default), and decompresses both; panics if a round trip loses data.
/// The checksum covers the compressed bytes.
pub fn miniz(n: u32) -> u64 {
    let text = text(&mut Rng::new(n, 7), n);
    let mut sum = 0u64;
    for level in [1, 6] {
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&text, level);
        let decompressed = miniz_oxide::inflate::decompress_to_vec_zlib(&compressed);
        assert!(decompressed.is_ok_and(|bytes| bytes == text), "the zlib round trip changed the data");
        sum = sum.rotate_left(17) ^ checksum(&compressed);
    }
    sum
}
