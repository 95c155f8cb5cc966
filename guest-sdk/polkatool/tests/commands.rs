//! The subcommands on a small program built with the VM's blob writer.

use polkatool::commands;
use pvm::program::{Args, BlobBuilder};
use pvm::{CallError, Engine, InstructionSet, Module, ModuleConfig, Opcode, Reg};

/// `double(x) = 2 * x`, and `ask()`, which calls the import `host_value`.
fn program() -> (Vec<u8>, Module) {
    let mut builder = BlobBuilder::new(InstructionSet::ReviveV1);
    builder.stack_size(0x1000);
    let import = builder.import("host_value");
    let [a0, ra] = [Reg::A0 as u8, Reg::RA as u8];
    builder.export_here("double");
    builder.push(Opcode::Add64, Args { regs: [a0, a0, a0], ..Args::default() });
    builder.push(Opcode::JumpIndirect, Args { regs: [ra, 0, 0], ..Args::default() });
    builder.export_here("ask");
    builder.push(Opcode::Ecalli, Args { imm1: import, ..Args::default() });
    builder.push(Opcode::JumpIndirect, Args { regs: [ra, 0, 0], ..Args::default() });
    let blob = builder.build();
    let module = Module::new(&Engine::default(), &ModuleConfig::default(), &blob).unwrap();
    (blob, module)
}

#[test]
fn run_calls_exports_in_order_and_reports_gas() {
    let (_, module) = program();
    let reports = commands::run(&module, &["double".into(), "double".into()], &[vec![21], vec![21]], 100).unwrap();
    assert_eq!(reports.len(), 2);
    for report in &reports {
        assert_eq!(report.result, Ok(42));
        assert_eq!(report.gas_used, 2);
    }
}

#[test]
fn run_stops_with_a_clear_error_on_a_missing_import() {
    let (_, module) = program();
    let reports = commands::run(&module, &["ask".into(), "double".into()], &[vec![], vec![]], 100).unwrap();
    assert_eq!(reports.len(), 1, "stops after the failing call");
    assert_eq!(reports[0].result, Err(CallError::UnresolvedImport { index: 0, name: "host_value".into() }));
    let message = reports[0].result.as_ref().unwrap_err().to_string();
    assert!(message.contains("'host_value'"), "{message}");
}

#[test]
fn run_rejects_unknown_exports_and_too_many_arguments() {
    let (_, module) = program();
    let error = commands::run(&module, &["nope".into()], &[vec![]], 100).err().unwrap().to_string();
    assert!(error.contains("no export named 'nope'") && error.contains("double, ask"), "{error}");
    let error = commands::run(&module, &["double".into()], &[vec![1; 7]], 100).err().unwrap().to_string();
    assert!(error.contains("at most 6 arguments"), "{error}");
}

#[test]
fn disassembly_and_stats_list_the_program() {
    let (blob, module) = program();
    let listing = commands::disassemble(&module);
    assert!(listing.contains("double:") && listing.contains("add_64 a0, a0, a0"), "{listing}");
    assert!(listing.contains("// import #0: host_value"), "{listing}");
    let stats = commands::stats(&module, blob.len());
    assert!(stats.contains("instructions             4 (0 invalid)"), "{stats}");
    assert!(stats.contains(&format!("blob size                {} bytes", blob.len())), "{stats}");
}
