//! Memset benchmark: fills a 4 MiB buffer.
//!
//! The guest program has a third variant, PolkaVM's `memset` instruction, which has no
//! native counterpart other than [`fill`].

/// The size of the buffer.
pub const BUFFER_LEN: usize = 4 * 1024 * 1024;

/// The distance between the bytes that [`checksum`] samples (a prime, so that the
/// samples land at varied alignments).
pub const CHECKSUM_STRIDE: usize = 1021;

/// `buffer.fill(value)`, which LLVM lowers to a `memset` call.
#[inline(always)]
pub fn fill(buffer: &mut [u8], value: u8) {
    buffer.fill(value);
}

/// A byte-at-a-time loop of volatile stores, which the compiler cannot vectorise or
/// turn into a `memset` call.
#[inline(always)]
pub fn fill_naive(buffer: &mut [u8], value: u8) {
    for byte in buffer.iter_mut() {
        // SAFETY: `byte` is a valid, exclusive reference.
        unsafe { core::ptr::write_volatile(byte, value) };
    }
}

/// Sums every `CHECKSUM_STRIDE`-th byte of the buffer, starting at 0.
pub fn checksum(buffer: &[u8]) -> u32 {
    buffer.iter().step_by(CHECKSUM_STRIDE).map(|&byte| u32::from(byte)).sum()
}
