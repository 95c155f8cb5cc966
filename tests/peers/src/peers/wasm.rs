//! wasm32 in wasmtime (Cranelift) and wasmi (its default: validation up front,
//! translation into its register bytecode lazily, per function), on the
//! `wasm32-unknown-unknown` modules of tests/peers/guests (the examples). Neither meters
//! fuel (our VMs and polkavm meter gas).

use std::time::Instant;

use peers_native::{measure, Instance, Measurement, Plan, Program};

use super::{guest_build, Peer};

/// The wasm32 module of `program`.
fn module_bytes(program: Program) -> Result<Vec<u8>, String> {
    let file = format!("wasm32-unknown-unknown/release/examples/{}.wasm", program.name().replace('-', "_"));
    guest_build(&file)
}

/// wasmtime with its default configuration (Cranelift, optimising for speed).
pub struct Wasmtime {
    engine: wasmtime::Engine,
}

impl Wasmtime {
    pub fn new() -> Self {
        Wasmtime { engine: wasmtime::Engine::default() }
    }
}

impl Peer for Wasmtime {
    fn name(&self) -> String {
        "wasmtime 36 (Cranelift), wasm32".into()
    }

    fn measure(&mut self, program: Program, plan: Plan) -> Result<Measurement, String> {
        let bytes = module_bytes(program)?;
        let start = Instant::now();
        let module = wasmtime::Module::new(&self.engine, &bytes).map_err(|error| error.to_string())?;
        let load = start.elapsed().as_secs_f64();
        let mut store = wasmtime::Store::new(&self.engine, ());
        let instance = wasmtime::Instance::new(&mut store, &module, &[]).map_err(|error| error.to_string())?;
        let export = |store: &mut wasmtime::Store<()>, name: &str| {
            instance.get_typed_func::<(), ()>(store, name).map_err(|error| error.to_string())
        };
        let initialize = export(&mut store, "initialize")?;
        let run = export(&mut store, "run")?;
        let result = instance
            .get_typed_func::<(), u32>(&mut store, program.result_export())
            .map_err(|error| error.to_string())?;
        initialize.call(&mut store, ()).map_err(|error| error.to_string())?;
        let mut vm = WasmtimeInstance { store, run, result };
        Ok(measure(&mut vm, plan, Some(load)))
    }
}

struct WasmtimeInstance {
    store: wasmtime::Store<()>,
    run: wasmtime::TypedFunc<(), ()>,
    result: wasmtime::TypedFunc<(), u32>,
}

impl Instance for WasmtimeInstance {
    fn run(&mut self) {
        self.run.call(&mut self.store, ()).expect("wasmtime runs `run`");
    }

    fn result(&mut self) -> u32 {
        self.result.call(&mut self.store, ()).expect("wasmtime runs the result export")
    }
}

/// wasmi with its default configuration.
pub struct Wasmi {
    engine: wasmi::Engine,
}

impl Wasmi {
    pub fn new() -> Self {
        Wasmi { engine: wasmi::Engine::default() }
    }
}

impl Peer for Wasmi {
    fn name(&self) -> String {
        "wasmi 1.1, wasm32".into()
    }

    fn measure(&mut self, program: Program, plan: Plan) -> Result<Measurement, String> {
        let bytes = module_bytes(program)?;
        let start = Instant::now();
        let module = wasmi::Module::new(&self.engine, &bytes).map_err(|error| error.to_string())?;
        let load = start.elapsed().as_secs_f64();
        let mut store = wasmi::Store::new(&self.engine, ());
        let linker = wasmi::Linker::<()>::new(&self.engine);
        let instance = linker.instantiate_and_start(&mut store, &module).map_err(|error| error.to_string())?;
        let initialize = instance.get_typed_func::<(), ()>(&store, "initialize").map_err(|error| error.to_string())?;
        let run = instance.get_typed_func::<(), ()>(&store, "run").map_err(|error| error.to_string())?;
        let result =
            instance.get_typed_func::<(), u32>(&store, program.result_export()).map_err(|error| error.to_string())?;
        initialize.call(&mut store, ()).map_err(|error| error.to_string())?;
        let mut vm = WasmiInstance { store, run, result };
        Ok(measure(&mut vm, plan, Some(load)))
    }
}

struct WasmiInstance {
    store: wasmi::Store<()>,
    run: wasmi::TypedFunc<(), ()>,
    result: wasmi::TypedFunc<(), u32>,
}

impl Instance for WasmiInstance {
    fn run(&mut self) {
        self.run.call(&mut self.store, ()).expect("wasmi runs `run`");
    }

    fn result(&mut self) -> u32 {
        self.result.call(&mut self.store, ()).expect("wasmi runs the result export")
    }
}
