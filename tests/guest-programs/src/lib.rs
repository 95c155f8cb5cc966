//! The guest programs from `contracts/`, built and linked into PolkaVM blobs
//! by this crate's build script.
//!
//! ```no_run
//! let blob = guest_programs::blob("hello-world", guest_programs::Isa::Latest64).unwrap();
//! assert!(!blob.is_empty());
//! ```

/// The instruction set a blob was linked for.
#[derive(Copy, Clone, PartialEq, Eq, Hash, Debug)]
pub enum Isa {
    /// 64-bit, without the newer instructions (e.g. `memset`); only some programs link for it.
    ReviveV1,
    /// The latest 32-bit instruction set.
    Latest32,
    /// The latest 64-bit instruction set.
    Latest64,
}

impl Isa {
    /// Every instruction set, in declaration order.
    pub const ALL: [Isa; 3] = [Isa::ReviveV1, Isa::Latest32, Isa::Latest64];

    /// A short, lowercase name, e.g. `"latest64"`.
    pub fn name(self) -> &'static str {
        match self {
            Isa::ReviveV1 => "revivev1",
            Isa::Latest32 => "latest32",
            Isa::Latest64 => "latest64",
        }
    }

    /// Whether programs for this instruction set have 64-bit registers.
    pub fn is_64_bit(self) -> bool {
        !matches!(self, Isa::Latest32)
    }
}

impl core::fmt::Display for Isa {
    fn fmt(&self, fmt: &mut core::fmt::Formatter) -> core::fmt::Result {
        fmt.write_str(self.name())
    }
}

mod generated {
    use super::Isa;
    include!(concat!(env!("OUT_DIR"), "/blobs.rs"));
}

/// The names of all guest programs (the crate names in `contracts/`), sorted.
pub fn programs() -> &'static [&'static str] {
    generated::PROGRAMS
}

/// The blob of `program` linked for `isa`, or `None` if the program does not
/// exist or could not be linked for that instruction set (see [`link_error`]).
pub fn blob(program: &str, isa: Isa) -> Option<&'static [u8]> {
    generated::BLOBS.iter().find(|&&(name, blob_isa, _)| name == program && blob_isa == isa).map(|&(_, _, blob)| blob)
}

/// The blob of `program` as the product's own toolchain makes it: linked by
/// `pvm-linker` for the 64-bit `Latest` instruction set. Every program has one.
pub fn our_blob(program: &str) -> Option<&'static [u8]> {
    generated::OUR_BLOBS.iter().find(|&&(name, _)| name == program).map(|&(_, blob)| blob)
}

/// Why `program` has no blob for `isa`: the linker's error message.
pub fn link_error(program: &str, isa: Isa) -> Option<&'static str> {
    generated::LINK_ERRORS
        .iter()
        .find(|&&(name, error_isa, _)| name == program && error_isa == isa)
        .map(|&(_, _, error)| error)
}

/// The stack `program` gets: what its `min_stack_size!` asks for (`bench-prime-sieve`
/// and `bench-memset` 16 KiB, `seed-snippets` 32 KiB, `corpus-all` 512 KiB, the other
/// corpus programs 64 KiB), else the linker's default of 8 KiB.
pub fn stack_size(program: &str) -> u32 {
    match program {
        "bench-prime-sieve" | "bench-memset" => 16 * 1024,
        "seed-snippets" => 32 * 1024,
        "corpus-all" => 512 * 1024,
        "corpus-hashes" | "corpus-ledger" => 64 * 1024,
        _ => 8 * 1024,
    }
}

/// The corpus of real third-party code: the `contracts/corpus-*` programs, built from
/// the `corpus-kernels` crate. Each export is one of `corpus_kernels::WORKLOADS`, under
/// the workload's name: `fn(n: u32) -> u64`, the input size in, a checksum of the
/// output out (in `a0`, or `a0` and `a1` on 32-bit instruction sets).
pub mod corpus {
    /// The corpus programs, largest first.
    pub const PROGRAMS: [&str; 3] = [ALL, "corpus-hashes", "corpus-ledger"];

    /// The program that exports every workload.
    pub const ALL: &str = "corpus-all";

    /// Whether `program` is one of the corpus programs.
    pub fn contains(program: &str) -> bool {
        PROGRAMS.contains(&program)
    }
}

/// What each guest program must do, as scenarios over a `call(export, args) -> a0`
/// function, so that the tests of every VM (ours, the reference) and of every linker
/// check the same expectations. Each scenario asserts its results and returns them,
/// for comparisons between two runs.
pub mod scenarios {
    /// Calls an export with register arguments and returns `a0`.
    pub type Call<'a> = &'a mut dyn FnMut(&str, &[u64]) -> u64;

    /// A scenario: runs calls, asserts their results, returns them.
    pub type Scenario = fn(Call) -> Vec<u64>;

    /// What the host's `get_third_number` returns to `hello-world`.
    pub const THIRD_NUMBER: u32 = 100;

    /// The scenario of every program that has one, by program name.
    pub const ALL: [(&str, Scenario); 7] = [
        ("hello-world", hello_world),
        ("linker-test", linker_test),
        ("derive-compat", hello_world),
        ("bench-minimal", minimal),
        ("bench-prime-sieve", prime_sieve),
        ("bench-memset", memset),
        ("bench-emulator", emulator),
    ];

    /// `hello-world`: `add_numbers(a, b) = a + b + get_third_number()`, wrapping.
    pub fn hello_world(call: Call) -> Vec<u64> {
        let results = vec![call("add_numbers", &[1, 2]) as u32, call("add_numbers", &[u64::from(u32::MAX), 1]) as u32];
        assert_eq!(results, [103, THIRD_NUMBER]);
        results.into_iter().map(u64::from).collect()
    }

    /// `linker-test`: exports with 0 to 6 arguments, an import, data in every kind of
    /// section, function pointers and recursion.
    pub fn linker_test(call: Call) -> Vec<u64> {
        let results = vec![
            call("zero_args", &[]) as u32,
            call("one_arg", &[3]) as u32,
            call("one_arg", &[9]) as u32,
            call("two_args", &[0, 5]) as u32,
            call("two_args", &[1, 5]) as u32,
            call("two_args", &[2, 5]) as u32,
            call("three_args", &[1, 2, 3]) as u32,
            call("four_args", &[1, 2, 3, 4]) as u32,
            call("four_args", &[0, 0, 0, 0]) as u32,
            call("five_args", &[1, 2, 3, 4, 5]) as u32,
            call("five_args", &[1, 1, 1, 1, 1]) as u32,
            call("six_args", &[1, 1, 1, 1, 1, 1]) as u32,
            call("recursion", &[20]) as u32,
            call("string", &[]) as u32,
        ];
        let expected = [
            THIRD_NUMBER,
            7,
            3,
            12,
            5u32.wrapping_sub(7),
            35,
            123,
            1000,
            1010,
            15,
            20,
            1 ^ 2 ^ 4 ^ 8 ^ 16 ^ 32,
            6765,
            11_000 + u32::from(b'r'),
        ];
        assert_eq!(results, expected);
        results.into_iter().map(u64::from).collect()
    }

    /// `bench-minimal`: every `run` bumps the counter, `initialize` resets it.
    pub fn minimal(call: Call) -> Vec<u64> {
        let mut results = Vec::new();
        call("initialize", &[]);
        results.push(call("get_counter", &[]) as u32);
        for _ in 1..=10 {
            call("run", &[]);
            results.push(call("get_counter", &[]) as u32);
        }
        call("initialize", &[]);
        results.push(call("get_counter", &[]) as u32);
        let expected: Vec<u32> = (0..=10).chain([0]).collect();
        assert_eq!(results, expected);
        results.into_iter().map(u64::from).collect()
    }

    /// `bench-prime-sieve`: 664579 primes below ten million (`initialize` traps if the
    /// sieve is wrong for small limits).
    pub fn prime_sieve(call: Call) -> Vec<u64> {
        call("initialize", &[]);
        let before = call("get_result", &[]) as u32;
        call("run", &[]);
        let after = call("get_result", &[]) as u32;
        assert_eq!((before, after), (0, 664_579));
        vec![u64::from(before), u64::from(after)]
    }

    /// `bench-memset`: each fill variant writes its own value (1, 2, 3) over a 4 MiB
    /// buffer; `checksum` sums every 1021st byte.
    pub fn memset(call: Call) -> Vec<u64> {
        let samples = (4_u32 << 20).div_ceil(1021);
        let mut results = Vec::new();
        call("initialize", &[]);
        results.push(call("checksum", &[]) as u32);
        for export in ["run", "run_naive", "run_accelerated"] {
            call(export, &[]);
            results.push(call("checksum", &[]) as u32);
        }
        assert_eq!(results, [0, samples, samples * 2, samples * 3]);
        results.into_iter().map(u64::from).collect()
    }

    /// The frames one `bench-emulator` run emulates.
    pub const EMULATOR_FRAMES: u32 = 30;

    /// The CRC passes the emulated program completes in one run.
    pub const EMULATOR_CRC_PASSES: u32 = 2;

    /// The hash of `bench-emulator`'s framebuffer, RAM and CPU state after a run.
    pub const EMULATOR_CHECKSUM: u32 = 0xf2f7_62c4;

    /// `bench-emulator`: a run powers the NES-like system on and emulates 30 frames. The
    /// CRC-16 the emulated 6502 program last computed must be [`emulator_crc`]'s, and
    /// the hash of the final framebuffer, RAM and CPU state [`EMULATOR_CHECKSUM`].
    pub fn emulator(call: Call) -> Vec<u64> {
        call("initialize", &[]);
        call("run", &[]);
        let results = ["get_frames", "get_passes", "get_crc", "get_result"].map(|export| call(export, &[]) as u32);
        let expected_crc = u32::from(emulator_crc(EMULATOR_CRC_PASSES as u8));
        assert_eq!(results, [EMULATOR_FRAMES, EMULATOR_CRC_PASSES, expected_crc, EMULATOR_CHECKSUM]);
        results.into_iter().map(u64::from).collect()
    }

    /// What `bench-emulator`'s 6502 program computes, written directly: the CRC-16
    /// (CCITT: polynomial `0x1021`, initial value `0xFFFF`) of its 1 KiB of level data
    /// (512 steps of the 16-bit xorshift generator with shifts 7, 9, 8 from `0x5AC3`, each
    /// giving its high and low byte) in pass `passes` (1-based): each pass increments the
    /// data's first byte after computing its CRC.
    pub fn emulator_crc(passes: u8) -> u16 {
        let mut state: u16 = 0x5ac3;
        let mut data = Vec::with_capacity(1024);
        for _ in 0..512 {
            state ^= state << 7;
            state ^= state >> 9;
            state ^= state << 8;
            data.extend_from_slice(&state.to_be_bytes());
        }
        data[0] = data[0].wrapping_add(passes.wrapping_sub(1));
        let mut crc: u16 = 0xffff;
        for byte in data {
            crc ^= u16::from(byte) << 8;
            for _ in 0..8 {
                crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
            }
        }
        crc
    }
}
