//! Runs every guest blob on our VM (`pvm`) and checks the same results that
//! `reference.rs` checks on polkavm 0.37, plus those of `heap-demo`; and runs
//! `heap-demo`'s blobs on both VMs, which must agree on every result and on the gas
//! each call uses.

use guest_programs::{blob, link_error, programs, Isa};
use pvm::{Caller, Engine, HostError, Instance, Linker, Module, ModuleConfig, Reg};

/// Enough for the largest benchmark (the prime sieve) with a wide margin.
const GAS_LIMIT: i64 = 20_000_000_000;

use guest_programs::scenarios::{self, THIRD_NUMBER};

/// `heap-demo`'s host function `scale(value: u64, factor: u32) -> u64`.
fn scale(value: u64, factor: u32) -> u64 {
    value.wrapping_mul(u64::from(factor)).wrapping_add(1)
}

/// Splits 64-bit values into registers as the guest ABI does: one register on 64-bit
/// targets, two (low word first) on 32-bit ones.
fn wide(isa: Isa, values: &[u64]) -> Vec<u64> {
    if isa.is_64_bit() {
        values.to_vec()
    } else {
        values.iter().flat_map(|&value| [value & 0xffff_ffff, value >> 32]).collect()
    }
}

/// The host functions of every guest program, for `pvm`.
fn linker() -> Linker<()> {
    let mut linker = Linker::new();
    linker.define("get_third_number", |caller: Caller<'_, ()>| {
        caller.instance.set_reg(Reg::A0, u64::from(THIRD_NUMBER));
        Ok(())
    });
    linker.define("scale", |caller: Caller<'_, ()>| {
        let instance = caller.instance;
        if instance.module().isa().is_64_bit() {
            let result = scale(instance.reg(Reg::A0), instance.reg(Reg::A1) as u32);
            instance.set_reg(Reg::A0, result);
        } else {
            let value = instance.reg(Reg::A0) | instance.reg(Reg::A1) << 32;
            let result = scale(value, instance.reg(Reg::A2) as u32);
            instance.set_reg(Reg::A0, result & 0xffff_ffff);
            instance.set_reg(Reg::A1, result >> 32);
        }
        Ok::<(), HostError>(())
    });
    linker.define("byte_sum", |caller: Caller<'_, ()>| {
        let instance = caller.instance;
        let message = instance.read_memory_vec(instance.reg(Reg::A0) as u32, instance.reg(Reg::A1) as u32)?;
        instance.set_reg(Reg::A0, u64::from(byte_sum(&message)));
        Ok::<(), HostError>(())
    });
    linker
}

/// `heap-demo`'s host function `byte_sum(message: &str) -> u32`.
fn byte_sum(message: &[u8]) -> u32 {
    message.iter().map(|&byte| u32::from(byte)).sum()
}

/// Loads the blob of `program` for `isa` in `pvm`, if it was linked for it.
fn load(program: &str, isa: Isa) -> Option<Module> {
    let bytes = blob(program, isa)?;
    let module = Module::new(&Engine::default(), &ModuleConfig::default(), bytes)
        .unwrap_or_else(|error| panic!("{program} ({isa}) failed to load in pvm: {error}"));
    assert_eq!(module.isa().is_64_bit(), isa.is_64_bit(), "{program} ({isa})");
    Some(module)
}

struct Program {
    isa: Isa,
    instance: Instance<()>,
}

impl Program {
    /// Calls `function` with raw register arguments; returns `a0`.
    fn call_raw(&mut self, function: &str, args: &[u64]) -> u64 {
        self.instance.set_gas(GAS_LIMIT);
        let result = self.instance.call(&mut (), function, args);
        result.unwrap_or_else(|error| panic!("calling {function} on {} failed: {error}", self.isa))
    }

    /// Calls `function()`, which returns a `u32`.
    fn get(&mut self, function: &str) -> u32 {
        self.call_raw(function, &[]) as u32
    }

    /// Calls `function` with raw register arguments; it returns a `u64`, in `a0` and, on
    /// 32-bit targets, `a1`.
    fn call_u64(&mut self, function: &str, args: &[u64]) -> u64 {
        let low = self.call_raw(function, args);
        if self.isa.is_64_bit() {
            low
        } else {
            low | self.instance.reg(Reg::A1) << 32
        }
    }
}

/// Instantiates `program` in `pvm` for every instruction set it was linked for.
fn instantiate_all(program: &str) -> Vec<Program> {
    let linker = linker();
    let instances: Vec<Program> = Isa::ALL
        .into_iter()
        .filter_map(|isa| Some((isa, load(program, isa)?)))
        .map(|(isa, module)| Program { isa, instance: linker.instantiate(&module).unwrap() })
        .collect();
    assert!(instances.len() >= 2, "{program}: expected at least Latest32 and Latest64 blobs");
    instances
}

#[test]
fn every_blob_loads() {
    for &program in programs() {
        for isa in Isa::ALL {
            match (load(program, isa), link_error(program, isa)) {
                (Some(module), None) => assert!(!module.exports().is_empty(), "{program} ({isa})"),
                (None, Some(_)) => {}
                _ => panic!("{program} ({isa}): expected exactly one of blob/link error"),
            }
        }
    }
}

#[test]
fn min_stack_size_is_recorded() {
    for &program in programs() {
        let expected = guest_programs::stack_size(program);
        for isa in Isa::ALL {
            if let Some(module) = load(program, isa) {
                assert_eq!(module.memory_map().stack_size, expected, "{program} ({isa})");
            }
        }
    }
}

#[test]
fn programs_behave_as_their_sources_say() {
    for (name, scenario) in scenarios::ALL {
        for mut program in instantiate_all(name) {
            scenario(&mut |export, args| program.call_raw(export, args));
        }
    }
}

/// 1² + 2² + ... + n².
fn sum_of_squares(n: u64) -> u64 {
    n * (n + 1) * (2 * n + 1) / 6
}

#[test]
fn heap_demo_allocates() {
    assert!(link_error("heap-demo", Isa::ReviveV1).is_some(), "ReviveV1 has no `sbrk`");
    for mut program in instantiate_all("heap-demo") {
        let isa = program.isa;
        assert_eq!(program.get("heap_size"), 0, "{isa}: nothing allocated yet");
        for n in [0, 1, 2, 10, 1000] {
            assert_eq!(program.call_u64("sum_squares", &[n]), sum_of_squares(n), "{isa}: n = {n}");
        }
        let small = program.get("heap_size");
        assert!(small > 0, "{isa}");

        // Larger than 32 bits: the result takes two registers on 32-bit targets.
        assert_eq!(program.call_u64("sum_squares", &[20_000]), sum_of_squares(20_000), "{isa}");
        let large = program.get("heap_size");
        assert!(large >= small + 20_000 * 8, "{isa}: {small} -> {large}");

        // A `u64` to the host and back.
        let expected = scale(sum_of_squares(20_000), 1_000_003);
        assert_eq!(program.call_u64("scaled_sum_squares", &[20_000, 1_000_003]), expected, "{isa}");

        // A `&str` to the host: its address and length in two registers.
        for (len, expected) in [(0, 0), (5, byte_sum(b"hello")), (1000, byte_sum(b"hello from the guest"))] {
            assert_eq!(program.call_raw("greeting_byte_sum", &[len]) as u32, expected, "{isa}: len = {len}");
        }

        // mix(a: u64, b: i64, c: i8, negate: bool) -> i64: six registers on 32-bit targets.
        let (a, b, c) = (0x1234_5678_9abc_def0_u64, -0x1111_1111_1111_1111_i64, -128_i8);
        let sum = (a as i64).wrapping_add(b).wrapping_add(i64::from(c));
        for (negate, expected) in [(false, sum), (true, sum.wrapping_neg())] {
            let mut args = wide(isa, &[a, b as u64]);
            args.push(i64::from(c) as u64);
            args.push(u64::from(negate));
            assert_eq!(program.call_u64("mix", &args) as i64, expected, "{isa}: negate = {negate}");
        }
    }
}

/// One call of a `heap-demo` export, with its arguments as the reference's typed API
/// takes them.
#[derive(Copy, Clone, Debug)]
enum Call {
    HeapSize,
    SumSquares(u32),
    ScaledSumSquares(u32, u32),
    Mix(u64, i64, i8, bool),
}

/// What a call returned (widened to 64 bits) and the gas it used.
type Outcome = (u64, i64);

fn run_on_pvm(isa: Isa, calls: &[Call]) -> Vec<Outcome> {
    let module = load("heap-demo", isa).unwrap();
    let mut program = Program { isa, instance: linker().instantiate(&module).unwrap() };
    calls
        .iter()
        .map(|&call| {
            let result = match call {
                Call::HeapSize => u64::from(program.get("heap_size")),
                Call::SumSquares(n) => program.call_u64("sum_squares", &[u64::from(n)]),
                Call::ScaledSumSquares(n, factor) => {
                    program.call_u64("scaled_sum_squares", &[u64::from(n), u64::from(factor)])
                }
                Call::Mix(a, b, c, negate) => {
                    let mut args = wide(isa, &[a, b as u64]);
                    args.push(i64::from(c) as u64);
                    args.push(u64::from(negate));
                    program.call_u64("mix", &args)
                }
            };
            (result, GAS_LIMIT - program.instance.gas())
        })
        .collect()
}

fn run_on_polkavm(isa: Isa, calls: &[Call]) -> Vec<Outcome> {
    use polkavm::{BackendKind, Config, GasMeteringKind};

    let mut config = Config::new();
    config.set_backend(Some(BackendKind::Interpreter));
    let engine = polkavm::Engine::new(&config).unwrap();
    let mut module_config = polkavm::ModuleConfig::new();
    module_config.set_gas_metering(Some(GasMeteringKind::Sync));
    let module = polkavm::Module::new(&engine, &module_config, blob("heap-demo", isa).unwrap().into()).unwrap();
    let mut linker: polkavm::Linker = polkavm::Linker::new();
    linker
        .define_typed("scale", |_caller: polkavm::Caller, value: u64, factor: u32| -> u64 { scale(value, factor) })
        .unwrap();
    linker
        .define_typed("byte_sum", |caller: polkavm::Caller, address: u32, len: u32| -> u32 {
            byte_sum(&caller.instance.read_memory(address, len).unwrap_or_default())
        })
        .unwrap();
    let mut instance = linker.instantiate_pre(&module).unwrap().instantiate().unwrap();

    calls
        .iter()
        .map(|&call| {
            instance.set_gas(GAS_LIMIT);
            let result = match call {
                Call::HeapSize => instance.call_typed_and_get_result::<u32, _>(&mut (), "heap_size", ()).map(u64::from),
                Call::SumSquares(n) => instance.call_typed_and_get_result::<u64, _>(&mut (), "sum_squares", (n,)),
                Call::ScaledSumSquares(n, factor) => {
                    instance.call_typed_and_get_result::<u64, _>(&mut (), "scaled_sum_squares", (n, factor))
                }
                Call::Mix(a, b, c, negate) => instance
                    .call_typed_and_get_result::<i64, _>(&mut (), "mix", (a, b, i32::from(c), u32::from(negate)))
                    .map(|result| result as u64),
            };
            let result = result.unwrap_or_else(|error| panic!("{call:?} on polkavm ({isa}) failed: {error:?}"));
            (result, GAS_LIMIT - instance.gas())
        })
        .collect()
}

#[test]
fn heap_demo_runs_identically_on_polkavm_and_pvm() {
    let calls = [
        Call::HeapSize,
        Call::SumSquares(0),
        Call::SumSquares(1),
        Call::HeapSize,
        Call::SumSquares(100),
        Call::SumSquares(20_000),
        Call::HeapSize,
        Call::ScaledSumSquares(20_000, 1_000_003),
        Call::Mix(0x1234_5678_9abc_def0, -0x1111_1111_1111_1111, -128, false),
        Call::Mix(u64::MAX, i64::MIN, 127, true),
        Call::HeapSize,
    ];
    for isa in [Isa::Latest32, Isa::Latest64] {
        let ours = run_on_pvm(isa, &calls);
        let reference = run_on_polkavm(isa, &calls);
        for ((call, ours), reference) in calls.iter().zip(&ours).zip(&reference) {
            eprintln!("{isa}: {call:?} -> {ours:?}");
            assert_eq!(ours, reference, "{isa}: {call:?}: (result, gas used) on pvm vs polkavm");
        }
        assert_eq!(ours[5].0, sum_of_squares(20_000), "{isa}");
        assert!(ours.iter().all(|&(_, gas)| gas > 0), "{isa}: every call costs gas");
    }
}

/// One stop of a run: the interrupt, pc, next pc, gas and registers.
type Stop = (String, u32, u32, i64, Vec<u64>);

/// Runs `export` of `module` with no arguments and `gas`, answering host calls with 0,
/// until it finishes, traps, runs out of gas or stops 100 times. `warm` translates the
/// whole program first.
fn stops(module: &Module, export: u32, gas: i64, warm: bool) -> Vec<Stop> {
    let mut instance = module.instantiate();
    if warm {
        instance.translate_all();
    }
    instance.prepare_call(export, &[]).unwrap();
    instance.set_gas(gas);
    let mut stops = Vec::new();
    for _ in 0..100 {
        let interrupt = instance.run();
        let regs = Reg::ALL.iter().map(|&reg| instance.reg(reg)).collect();
        stops.push((
            format!("{interrupt:?}"),
            instance.program_counter(),
            instance.next_program_counter(),
            instance.gas(),
            regs,
        ));
        match interrupt {
            pvm::Interrupt::Ecalli(_) => instance.set_reg(Reg::A0, 0),
            _ => break,
        }
    }
    stops
}

/// The interpreter translates a block when it first reaches it. Every export of every
/// guest program, called with several gas limits (so that it stops at many places),
/// stops identically whether the code was translated before it ran or as it ran.
#[test]
fn every_export_runs_the_same_cold_and_warm() {
    let engine = Engine::new(&pvm::Config { backend: pvm::Backend::Interpreter }).unwrap();
    let mut runs = 0;
    for &program in programs() {
        for isa in Isa::ALL {
            let Some(bytes) = blob(program, isa) else { continue };
            let module = Module::new(&engine, &ModuleConfig::default(), bytes).unwrap();
            for export in module.exports() {
                for gas in [0, 1, 7, 50, 333, 2_000, 10_000, 100_000, 5_000_000] {
                    let cold = stops(&module, export.pc, gas, false);
                    let warm = stops(&module, export.pc, gas, true);
                    assert_eq!(cold, warm, "{program} ({isa}) {}: gas {gas}", export.name());
                    runs += 1;
                }
            }
        }
    }
    assert!(runs > 100, "only {runs} runs");
}

/// `seed-snippets`, the seed document's guest snippets as it writes them, on `pvm`
/// (the blobs of both linkers) and on polkavm 0.37: the same results, the same gas, the
/// same message logged, the stack its `min_stack_size!` asks for.
#[test]
fn the_seeds_snippets_run_as_written() {
    /// One run's observations: each call's result and gas, then the messages logged.
    type Run = (Vec<(u64, i64)>, Vec<String>);
    const CALLS: [(&str, &[u64]); 7] = [
        ("add", &[2, 3]),
        ("add_numbers", &[1, 2]),
        ("say_hello", &[]),
        ("sum_up_to", &[100]),
        ("grow", &[0]),
        ("grow", &[4096]),
        ("grow", &[0]),
    ];
    let check = |what: &str, (results, logged): &Run| {
        let values: Vec<u32> = results.iter().map(|&(value, _)| value as u32).collect();
        assert_eq!(values[..2], [5, 3 + THIRD_NUMBER], "{what}");
        assert_eq!(values[3], 5050, "{what}");
        assert!(values[4] != 0 && values[5] == values[4] && values[6] == values[5] + 4096, "{what}: sbrk {values:?}");
        assert_eq!(logged, &["hello from the seed's snippets"], "{what}");
    };

    let on_pvm = |bytes: &[u8]| -> Run {
        let module = Module::new(&Engine::default(), &ModuleConfig::default(), bytes).unwrap();
        assert_eq!(module.memory_map().stack_size, guest_programs::stack_size("seed-snippets"));
        let mut linker: Linker<Vec<String>> = Linker::new();
        linker.define("get_third_number", |caller: Caller<'_, Vec<String>>| {
            caller.instance.set_reg(Reg::A0, u64::from(THIRD_NUMBER));
            Ok(())
        });
        linker.define("host_log", |caller: Caller<'_, Vec<String>>| {
            let (address, length) = (caller.instance.reg(Reg::A0) as u32, caller.instance.reg(Reg::A1) as u32);
            let message = caller.instance.read_memory_vec(address, length)?;
            caller.data.push(String::from_utf8_lossy(&message).into_owned());
            Ok::<(), HostError>(())
        });
        let mut instance = linker.instantiate(&module).unwrap();
        let mut logged = Vec::new();
        let results = CALLS
            .iter()
            .map(|&(export, args)| {
                instance.set_gas(GAS_LIMIT);
                let value =
                    instance.call(&mut logged, export, args).unwrap_or_else(|error| panic!("{export}: {error}"));
                (value, GAS_LIMIT - instance.gas())
            })
            .collect();
        (results, logged)
    };
    let on_polkavm = |bytes: &[u8]| -> Run {
        use polkavm::{BackendKind, Config, GasMeteringKind};
        let mut config = Config::new();
        config.set_backend(Some(BackendKind::Interpreter));
        let engine = polkavm::Engine::new(&config).unwrap();
        let mut module_config = polkavm::ModuleConfig::new();
        module_config.set_gas_metering(Some(GasMeteringKind::Sync));
        let module = polkavm::Module::new(&engine, &module_config, bytes.to_vec().into()).unwrap();
        let mut linker: polkavm::Linker<Vec<String>> = polkavm::Linker::new();
        linker.define_typed("get_third_number", || -> u32 { THIRD_NUMBER }).unwrap();
        linker
            .define_typed("host_log", |caller: polkavm::Caller<Vec<String>>, address: u32, length: u32| {
                let message = caller.instance.read_memory(address, length).unwrap_or_default();
                caller.user_data.push(String::from_utf8_lossy(&message).into_owned());
            })
            .unwrap();
        let mut instance = linker.instantiate_pre(&module).unwrap().instantiate().unwrap();
        let mut logged = Vec::new();
        let results = CALLS
            .iter()
            .map(|&(export, args)| {
                instance.set_gas(GAS_LIMIT);
                let value = match args {
                    [] => instance.call_typed_and_get_result::<u32, _>(&mut logged, export, ()),
                    [a] => instance.call_typed_and_get_result::<u32, _>(&mut logged, export, (*a as u32,)),
                    [a, b] => instance.call_typed_and_get_result::<u32, _>(&mut logged, export, (*a as u32, *b as u32)),
                    _ => unreachable!("at most two arguments"),
                };
                let value = value.unwrap_or_else(|error| panic!("{export} on polkavm: {error:?}"));
                (u64::from(value), GAS_LIMIT - instance.gas())
            })
            .collect();
        (results, logged)
    };

    assert!(link_error("seed-snippets", Isa::ReviveV1).is_some(), "ReviveV1 has no `sbrk`");
    let ours = guest_programs::our_blob("seed-snippets").unwrap();
    for (what, bytes) in [
        ("polkavm-linker, latest32", blob("seed-snippets", Isa::Latest32).unwrap()),
        ("polkavm-linker, latest64", blob("seed-snippets", Isa::Latest64).unwrap()),
        ("pvm-linker, latest64", ours),
    ] {
        let run = on_pvm(bytes);
        check(what, &run);
        let reference = on_polkavm(bytes);
        // `say_hello` returns nothing: `a0` is whatever the program left there.
        let comparable = |run: &Run| -> Run {
            let mut run = run.clone();
            run.0[2].0 = 0;
            run
        };
        assert_eq!(comparable(&run), comparable(&reference), "{what}: pvm and polkavm 0.37 differ");
    }
}
