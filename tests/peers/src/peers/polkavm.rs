//! Our VM (`pvm`) and polkavm 0.37, each with its interpreter and its compiler, on the
//! blobs of the `contracts/bench-*` programs for Latest64 and Latest32 (from the
//! `guest-programs` crate, as `vm-bench` gets them).

use std::time::Instant;

use guest_programs::Isa;
use peers_native::{measure, Instance, Measurement, Plan, Program};

use super::{Peer, Unavailable};

/// Gas for every call: far more than any program needs (both VMs meter gas).
const GAS: i64 = i64::MAX / 4;

/// The instruction sets the programs are linked for, in table order.
const ISAS: [Isa; 2] = [Isa::Latest64, Isa::Latest32];

/// Our backends and polkavm's, for both instruction sets.
pub fn peers() -> Vec<Box<dyn Peer>> {
    let mut peers: Vec<Box<dyn Peer>> = Vec::new();
    for isa in ISAS {
        for (backend, label) in [(pvm::Backend::Interpreter, "interpreter"), (pvm::Backend::Compiler, "compiler")] {
            let name = format!("ours {label} ({isa})");
            peers.push(match pvm::Engine::new(&pvm::Config { backend }) {
                Ok(engine) => Box::new(Ours { name, engine, isa }),
                Err(error) => Box::new(Unavailable { name, reason: error.to_string() }),
            });
        }
    }
    for isa in ISAS {
        for (backend, label) in
            [(polkavm::BackendKind::Interpreter, "interpreter"), (polkavm::BackendKind::Compiler, "compiler")]
        {
            let name = format!("polkavm 0.37 {label} ({isa})");
            peers.push(match reference_engine(backend) {
                Ok(engine) => Box::new(Reference { name, engine, isa }),
                Err(reason) => Box::new(Unavailable { name, reason }),
            });
        }
    }
    peers
}

/// The blob of `program` for `isa`.
fn blob(program: Program, isa: Isa) -> Result<&'static [u8], String> {
    guest_programs::blob(program.guest(), isa).ok_or_else(|| format!("no {isa} blob of {}", program.guest()))
}

/// Our VM with one backend.
struct Ours {
    name: String,
    engine: pvm::Engine,
    isa: Isa,
}

impl Peer for Ours {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn measure(&mut self, program: Program, plan: Plan) -> Result<Measurement, String> {
        let blob = blob(program, self.isa)?;
        let start = Instant::now();
        let module = pvm::Module::new(&self.engine, &pvm::ModuleConfig::default(), blob).map_err(|e| e.to_string())?;
        let load = start.elapsed().as_secs_f64();
        let mut instance = pvm::Linker::new().instantiate(&module).map_err(|error| error.to_string())?;
        instance.set_gas(GAS);
        let mut vm = OursInstance { instance, program };
        if program.has_initialize() {
            vm.call("initialize")?;
        }
        Ok(measure(&mut vm, plan, Some(load)))
    }
}

struct OursInstance {
    instance: pvm::Instance<()>,
    program: Program,
}

impl OursInstance {
    fn call(&mut self, export: &str) -> Result<u64, String> {
        self.instance.call(&mut (), export, &[]).map_err(|error| format!("`{export}` fails: {error}"))
    }
}

impl Instance for OursInstance {
    fn run(&mut self) {
        self.call("run").expect("our VM runs `run`");
    }

    fn result(&mut self) -> u32 {
        let export = self.program.result_export();
        // The result is a `u32` in `a0`.
        self.call(export).expect("our VM runs the result export") as u32
    }
}

/// polkavm's engine for `kind`, configured as `vm-bench` configures it: module cache
/// off (so that every load compiles), and `set_allow_experimental` where its Linux
/// sandbox is not available.
fn reference_engine(kind: polkavm::BackendKind) -> Result<polkavm::Engine, String> {
    let mut config = polkavm::Config::new();
    config.set_backend(Some(kind));
    config.set_cache_enabled(false);
    polkavm::Engine::new(&config).or_else(|_| {
        config.set_allow_experimental(true);
        polkavm::Engine::new(&config).map_err(|error| error.to_string())
    })
}

/// polkavm 0.37 with one backend (synchronous gas metering, as `vm-bench`).
struct Reference {
    name: String,
    engine: polkavm::Engine,
    isa: Isa,
}

impl Peer for Reference {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn measure(&mut self, program: Program, plan: Plan) -> Result<Measurement, String> {
        let blob = blob(program, self.isa)?;
        let mut config = polkavm::ModuleConfig::new();
        config.set_gas_metering(Some(polkavm::GasMeteringKind::Sync));
        let start = Instant::now();
        let module = polkavm::Module::new(&self.engine, &config, blob.to_vec().into()).map_err(|e| e.to_string())?;
        let load = start.elapsed().as_secs_f64();
        let linker: polkavm::Linker<(), core::convert::Infallible> = polkavm::Linker::new();
        let pre = linker.instantiate_pre(&module).map_err(|error| error.to_string())?;
        let mut instance = pre.instantiate().map_err(|error| error.to_string())?;
        instance.set_gas(GAS);
        let mut vm = ReferenceInstance { instance, program };
        if program.has_initialize() {
            vm.instance
                .call_typed_and_get_result::<(), ()>(&mut (), "initialize", ())
                .map_err(|error| format!("`initialize` fails: {error:?}"))?;
        }
        Ok(measure(&mut vm, plan, Some(load)))
    }
}

struct ReferenceInstance {
    instance: polkavm::Instance<(), core::convert::Infallible>,
    program: Program,
}

impl Instance for ReferenceInstance {
    fn run(&mut self) {
        self.instance.call_typed_and_get_result::<(), ()>(&mut (), "run", ()).expect("polkavm runs `run`");
    }

    fn result(&mut self) -> u32 {
        let export = self.program.result_export();
        self.instance.call_typed_and_get_result::<u32, ()>(&mut (), export, ()).expect("polkavm runs the result export")
    }
}
