//! Runs every guest blob on the reference implementation (PolkaVM 0.37's
//! interpreter) and checks real results, proving that the blobs are valid and
//! do what their sources say.

use guest_programs::{blob, link_error, programs, Isa};
use polkavm::{BackendKind, Caller, Config, Engine, GasMeteringKind, Instance, Linker, Module, ModuleConfig};

/// Enough for the largest benchmark (the prime sieve) with a wide margin.
const GAS_LIMIT: i64 = 20_000_000_000;

use guest_programs::scenarios::{self, THIRD_NUMBER};

/// Programs that must link for ReviveV1 (they use no newer instructions).
const REVIVE_V1_PROGRAMS: &[&str] = &["bench-minimal", "bench-prime-sieve", "derive-compat", "hello-world"];

struct Program {
    isa: Isa,
    instance: Instance,
}

impl Program {
    /// Calls `function` with `u32` arguments; returns `a0` (as a `u32`).
    fn call(&mut self, function: &str, args: &[u64]) -> u64 {
        self.instance.set_gas(GAS_LIMIT);
        let result = match *args {
            [] => self.instance.call_typed_and_get_result::<u32, _>(&mut (), function, ()),
            [a] => self.instance.call_typed_and_get_result::<u32, _>(&mut (), function, (a as u32,)),
            [a, b] => self.instance.call_typed_and_get_result::<u32, _>(&mut (), function, (a as u32, b as u32)),
            [a, b, c] => {
                self.instance.call_typed_and_get_result::<u32, _>(&mut (), function, (a as u32, b as u32, c as u32))
            }
            [a, b, c, d] => self.instance.call_typed_and_get_result::<u32, _>(
                &mut (),
                function,
                (a as u32, b as u32, c as u32, d as u32),
            ),
            [a, b, c, d, e] => self.instance.call_typed_and_get_result::<u32, _>(
                &mut (),
                function,
                (a as u32, b as u32, c as u32, d as u32, e as u32),
            ),
            [a, b, c, d, e, f] => self.instance.call_typed_and_get_result::<u32, _>(
                &mut (),
                function,
                (a as u32, b as u32, c as u32, d as u32, e as u32, f as u32),
            ),
            _ => panic!("{function}: unsupported arguments {args:?}"),
        };
        u64::from(result.unwrap_or_else(|error| panic!("calling {function} on {} failed: {error:?}", self.isa)))
    }
}

fn engine() -> Engine {
    let mut config = Config::new();
    config.set_backend(Some(BackendKind::Interpreter));
    Engine::new(&config).unwrap()
}

/// Loads the blob of `program` for `isa`, if it was linked for it.
fn load(engine: &Engine, program: &str, isa: Isa) -> Option<Module> {
    let mut module_config = ModuleConfig::new();
    module_config.set_gas_metering(Some(GasMeteringKind::Sync));
    let bytes = blob(program, isa)?;
    let module = Module::new(engine, &module_config, bytes.into())
        .unwrap_or_else(|error| panic!("{program} ({isa}) failed to load: {error}"));
    assert_eq!(module.is_64_bit(), isa.is_64_bit(), "{program} ({isa})");
    Some(module)
}

/// Instantiates `program` on the interpreter for every instruction set it was linked for.
fn instantiate_all(program: &str) -> Vec<Program> {
    let engine = engine();
    let mut linker: Linker = Linker::new();
    linker.define_typed("get_third_number", |_caller: Caller| -> u32 { THIRD_NUMBER }).unwrap();

    let instances: Vec<Program> = Isa::ALL
        .into_iter()
        .filter_map(|isa| Some((isa, load(&engine, program, isa)?)))
        .map(|(isa, module)| {
            let instance = linker.instantiate_pre(&module).unwrap().instantiate().unwrap();
            Program { isa, instance }
        })
        .collect();
    assert!(instances.len() >= 2, "{program}: expected at least Latest32 and Latest64 blobs");
    instances
}

#[test]
fn every_program_links() {
    let expected = [
        "bench-emulator",
        "bench-memset",
        "bench-minimal",
        "bench-prime-sieve",
        "compute",
        "corpus-all",
        "corpus-hashes",
        "corpus-ledger",
        "counter",
        "derive-compat",
        "flipper",
        "heap-demo",
        "hello-world",
        "host-test",
        "linker-test",
        "registry",
        "seed-snippets",
        "token",
        "wallet",
    ];
    assert_eq!(programs(), expected);

    for &program in programs() {
        for isa in Isa::ALL {
            match (blob(program, isa), link_error(program, isa)) {
                (Some(bytes), None) => {
                    eprintln!("{program:>18} {isa:>8}: {:>6} bytes", bytes.len())
                }
                (None, Some(error)) => eprintln!("{program:>18} {isa:>8}: not linked: {error}"),
                other => panic!("{program} ({isa}): expected exactly one of blob/link error, got {other:?}"),
            }
        }
        assert!(blob(program, Isa::Latest32).is_some(), "{program}");
        assert!(blob(program, Isa::Latest64).is_some(), "{program}");
    }

    for program in REVIVE_V1_PROGRAMS {
        assert!(blob(program, Isa::ReviveV1).is_some(), "{program}: {:?}", link_error(program, Isa::ReviveV1));
    }
    assert!(blob("no-such-program", Isa::Latest64).is_none());
}

#[test]
fn min_stack_size_is_recorded() {
    let engine = engine();
    for &program in programs() {
        let expected = guest_programs::stack_size(program);
        for isa in Isa::ALL {
            if let Some(module) = load(&engine, program, isa) {
                assert_eq!(module.memory_map().stack_size(), expected, "{program} ({isa})");
            }
        }
    }
}

#[test]
fn programs_behave_as_their_sources_say() {
    for (name, scenario) in scenarios::ALL {
        for mut program in instantiate_all(name) {
            scenario(&mut |export, args| program.call(export, args));
        }
    }
}
