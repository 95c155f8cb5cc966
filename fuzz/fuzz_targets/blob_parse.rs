//! Arbitrary bytes as a program blob: loading must never panic, and a blob that loads
//! is instantiated and its first export called with a small gas limit.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(module) = pvm::Module::new(&pvm::Engine::default(), &pvm::ModuleConfig::default(), data) else {
        return;
    };
    let Some(export) = module.exports().first() else {
        return;
    };
    let pc = export.pc;
    let mut instance = module.instantiate();
    if instance.prepare_call(pc, &[1, 2, 3]).is_err() {
        return;
    }
    instance.set_gas(10_000);
    for _ in 0..64 {
        match instance.run() {
            pvm::Interrupt::Ecalli(_) => continue,
            pvm::Interrupt::NotEnoughGas => instance.set_gas(100),
            _ => break,
        }
    }
    let _ = instance.program_counter();
    let _ = instance.next_program_counter();
});
