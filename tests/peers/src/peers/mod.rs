//! The peers: everything that runs the benchmark programs, one [`Peer`] per table row.

pub mod ckb;
pub mod i686;
pub mod polkavm;
pub mod wasm;

use std::path::PathBuf;

use peers_native::{measure, native, Measurement, Plan, Program};

/// One row of every table: a VM (or the native machine) that runs the programs.
pub trait Peer {
    /// The row's name.
    fn name(&self) -> String;

    /// Loads `program`, times its `run` export following `plan` and reads its result;
    /// an error says why the peer cannot run it.
    fn measure(&mut self, program: Program, plan: Plan) -> Result<Measurement, String>;
}

/// A peer that cannot run at all on this machine, with the reason: it still gets a row.
pub struct Unavailable {
    /// The row's name.
    pub name: String,
    /// Why it does not run.
    pub reason: String,
}

impl Peer for Unavailable {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn measure(&mut self, _program: Program, _plan: Plan) -> Result<Measurement, String> {
        Err(self.reason.clone())
    }
}

/// The kernels compiled into this binary: the reference every result is checked
/// against.
pub struct NativeHost;

impl Peer for NativeHost {
    fn name(&self) -> String {
        format!("native {}", std::env::consts::ARCH)
    }

    fn measure(&mut self, program: Program, plan: Plan) -> Result<Measurement, String> {
        Ok(measure(native(program).as_mut(), plan, None))
    }
}

/// Every peer, in table order (the native host first: it is the reference).
pub fn all() -> Vec<Box<dyn Peer>> {
    let mut peers: Vec<Box<dyn Peer>> = vec![Box::new(NativeHost)];
    peers.extend(polkavm::peers());
    peers.push(Box::new(wasm::Wasmtime::new()));
    peers.push(Box::new(wasm::Wasmi::new()));
    peers.push(Box::new(i686::NativeI686));
    peers.push(Box::new(ckb::Ckb(ckb::Machine::Interpreter)));
    peers.push(Box::new(ckb::Ckb(ckb::Machine::Asm)));
    for backend in ["interpreter", "JIT"] {
        peers.push(Box::new(Unavailable { name: format!("Solana eBPF {backend}"), reason: SBPF.into() }));
    }
    peers
}

/// Why there is no Solana eBPF build of the kernels (README, "Benchmark peers"): nightly
/// builds them for `bpfel-unknown-none` as LLVM bitcode, and upstream LLVM's BPF backend
/// (`llc` of rustup's `llvm-tools`) refuses the result.
const SBPF: &str = "no SBF build of the kernels: upstream LLVM's BPF backend (nightly's bpfel-unknown-none) \
                    rejects them (\"A call to built-in function 'memset' is not supported\"); Solana's LLVM fork \
                    (platform-tools) is not on crates.io or rustup";

/// Where scripts/bench.sh builds the guest shells (tests/peers/guests) and the i686
/// runner: `PVM_PEERS_GUESTS`, or `target/peers-guests` in the repository.
fn guest_dir() -> PathBuf {
    std::env::var_os("PVM_PEERS_GUESTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/peers-guests")))
}

/// The build `file` (a path under [`guest_dir`]), or why it is missing.
fn guest_build(file: &str) -> Result<Vec<u8>, String> {
    let path = guest_dir().join(file);
    std::fs::read(&path)
        .map_err(|error| format!("{} is not built ({error}; scripts/bench.sh builds it)", path.display()))
}
