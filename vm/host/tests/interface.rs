//! The runtime interface called as a runtime calls it (natively, through test
//! externalities with the node's extension registered): results and gas equal a direct
//! run on the interpreter; every misuse is an error.

use pvm::program::{Args, BlobBuilder};
use pvm::{Backend, Config, Engine, InstructionSet, Opcode, Reg};
use pvm_host::pvm_host as host;
use pvm_host::{Error, Host, Limits, ModuleSettings, PvmHostExt, Stop, TrapReason};

/// `add_numbers(a, b) = a + b + get_third_number()`; `store_high` writes far out of
/// bounds; `spin` loops forever.
fn program() -> Vec<u8> {
    let reg = |r: Reg| r as u8;
    let mut builder = BlobBuilder::new(InstructionSet::ReviveV1);
    builder.stack_size(0x1000);
    builder.rw_data(&[7; 16], 0x1000);
    let import = builder.import("get_third_number");
    builder.export_here("add_numbers");
    builder.push(Opcode::Add64, Args { regs: [reg(Reg::S0), reg(Reg::A0), reg(Reg::A1)], ..Args::default() });
    builder.push(Opcode::Ecalli, Args { imm1: import, ..Args::default() });
    builder.push(Opcode::Add64, Args { regs: [reg(Reg::A0), reg(Reg::A0), reg(Reg::S0)], ..Args::default() });
    builder.push(Opcode::JumpIndirect, Args { regs: [reg(Reg::RA), 0, 0], ..Args::default() });
    builder.export_here("store_high");
    builder.push(Opcode::StoreImmU32, Args { imm1: 0x9000_0000, imm2: 1, ..Args::default() });
    builder.push(Opcode::JumpIndirect, Args { regs: [reg(Reg::RA), 0, 0], ..Args::default() });
    builder.export_here("spin");
    let spin =
        builder.push(Opcode::AddImm64, Args { regs: [reg(Reg::A0), reg(Reg::A0), 0], imm1: 1, ..Args::default() });
    builder.push(Opcode::Jump, Args { imm1: spin, ..Args::default() });
    builder.build()
}

/// Where the RW data is (no RO data: right after the first guard and an empty RO zone).
const RW: u32 = 0x20000;

fn settings() -> ModuleSettings {
    ModuleSettings { code_hash: [42; 32], max_heap_size: None }
}

fn with_extension<R>(f: impl FnOnce() -> R) -> R {
    let mut externalities = sp_io::TestExternalities::default();
    externalities.register_extension(PvmHostExt::new());
    externalities.execute_with(f)
}

fn export_pc(blob: &[u8], name: &str) -> u32 {
    pvm::program::ProgramBlob::parse(blob).unwrap().export(name).unwrap().pc
}

#[test]
fn a_call_with_a_host_call_matches_the_interpreter() {
    let blob = program();
    let (result, gas) = with_extension(|| {
        let module = host::prepare(settings(), &blob).unwrap();
        let instance = host::instantiate(module).unwrap();
        assert_eq!((module, instance), (1, 1), "handles count from 1 in each runtime call");
        host::prepare_call(instance, export_pc(&blob, "add_numbers"), vec![1, 2]).unwrap();
        host::set_gas(instance, 10_000).unwrap();
        // The runtime serves the host call itself, then resumes.
        assert_eq!(host::run(instance).unwrap(), Stop::HostCall { index: 0 });
        host::set_reg(instance, Reg::A0 as u32, 100).unwrap();
        assert_eq!(host::run(instance).unwrap(), Stop::Finished);
        (host::reg(instance, Reg::A0 as u32).unwrap(), host::gas(instance).unwrap())
    });

    let engine = Engine::new(&Config { backend: Backend::Interpreter }).unwrap();
    let module = pvm::Module::new(&engine, &pvm::ModuleConfig::default(), &blob).unwrap();
    let mut linker = pvm::Linker::<()>::new();
    linker.define("get_third_number", |caller: pvm::Caller<'_, ()>| {
        caller.instance.set_reg(Reg::A0, 100);
        Ok(())
    });
    let mut instance = linker.instantiate(&module).unwrap();
    instance.set_gas(10_000);
    assert_eq!(instance.call(&mut (), "add_numbers", &[1, 2]).unwrap(), result);
    assert_eq!(result, 103);
    assert_eq!(instance.gas(), gas);
}

#[test]
fn traps_and_running_out_of_gas_are_reported_and_resumable() {
    let blob = program();
    with_extension(|| {
        let module = host::prepare(settings(), &blob).unwrap();
        let instance = host::instantiate(module).unwrap();
        host::prepare_call(instance, export_pc(&blob, "store_high"), vec![]).unwrap();
        host::set_gas(instance, 100).unwrap();
        let stop = host::run(instance).unwrap();
        assert_eq!(
            stop,
            Stop::Trap {
                pc: export_pc(&blob, "store_high"),
                reason: TrapReason::MemoryAccess { address: 0x9000_0000, is_write: true }
            }
        );

        host::prepare_call(instance, export_pc(&blob, "spin"), vec![]).unwrap();
        host::set_gas(instance, 10).unwrap();
        assert!(matches!(host::run(instance).unwrap(), Stop::NotEnoughGas { .. }));
        let counted = host::reg(instance, Reg::A0 as u32).unwrap();
        host::set_gas(instance, 10).unwrap();
        assert!(matches!(host::run(instance).unwrap(), Stop::NotEnoughGas { .. }));
        assert!(host::reg(instance, Reg::A0 as u32).unwrap() > counted, "resuming continues the loop");
    });
}

#[test]
fn misuse_is_an_error_not_a_panic() {
    let blob = program();
    with_extension(|| {
        assert_eq!(host::instantiate(7), Err(Error::UnknownModule));
        assert_eq!(host::run(7), Err(Error::UnknownInstance));
        assert_eq!(host::destroy(7), Err(Error::UnknownInstance));
        assert!(matches!(
            host::prepare(ModuleSettings { code_hash: [1; 32], ..settings() }, b"not a blob"),
            Err(Error::InvalidCode(_))
        ));

        let module = host::prepare(settings(), &blob).unwrap();
        let instance = host::instantiate(module).unwrap();
        assert_eq!(host::reg(instance, 13), Err(Error::InvalidRegister));
        assert_eq!(host::set_reg(instance, u32::MAX, 0), Err(Error::InvalidRegister));
        assert_eq!(host::prepare_call(instance, 1, vec![]), Err(Error::InvalidPc));
        assert_eq!(host::read_memory(instance, 0, 4), Err(Error::MemoryAccess { address: 0 }));
        assert_eq!(host::read_memory(instance, RW, u32::MAX), Err(Error::MemoryAccess { address: RW }));
        assert!(matches!(host::read_memory(instance, RW + 0xff0, 0x20), Err(Error::MemoryAccess { .. })));
        assert_eq!(host::read_memory(instance, RW, 4), Ok(vec![7; 4]));
        assert_eq!(host::write_memory(instance, 0x10, &[1]), Err(Error::MemoryAccess { address: 0x10 }));
        host::write_memory(instance, RW, &[9, 9]).unwrap();
        assert_eq!(host::read_memory(instance, RW, 3), Ok(vec![9, 9, 7]));
        assert_eq!(host::heap_size(instance), Ok(0));
        host::destroy(instance).unwrap();
        assert_eq!(host::gas(instance), Err(Error::UnknownInstance));
    });
}

#[test]
fn without_the_extension_the_interface_is_unavailable() {
    sp_io::TestExternalities::default().execute_with(|| {
        assert_eq!(host::prepare(settings(), &program()), Err(Error::Unavailable));
        assert_eq!(host::run(1), Err(Error::Unavailable));
        assert_eq!(host::backend(), Err(Error::Unavailable));
    });
}

#[test]
fn the_node_names_its_backend() {
    let name = with_extension(host::backend).unwrap();
    assert_eq!(name, Engine::default().backend().name().as_bytes());
}

#[test]
fn live_instances_are_bounded() {
    let blob = program();
    let mut state = Host::new(Engine::default(), Limits { modules: 2, instances: 3 });
    let module = state.prepare(settings(), &blob).unwrap();
    let instances: Vec<_> = (0..3).map(|_| state.instantiate(module).unwrap()).collect();
    assert_eq!(state.instantiate(module), Err(Error::TooManyInstances));
    state.destroy(instances[0]).unwrap();
    state.instantiate(module).unwrap();
    // The same code again is the same module; the limit is on distinct codes.
    assert_eq!(state.prepare(settings(), &blob), Ok(module));
    // (Hashes no other test uses: translations are cached by hash process-wide.)
    let other = |byte| ModuleSettings { code_hash: [byte; 32], max_heap_size: None };
    assert_eq!(state.prepare(other(0xb1), &blob), Ok(module + 1));
    assert_eq!(state.prepare(other(0xb2), &blob), Err(Error::TooManyModules));
    assert_eq!(state.prepare(other(0xb1), &blob), Ok(module + 1));
}
