//! What runs a contract's code: the pallet drives a [`Machine`] (run until a stop,
//! serve host calls from its own state, run again) and does not care where it runs.
//! Two implementations: the `pvm` instance in the runtime itself (the interpreter in a
//! Wasm runtime, the compiler in a native one), and, with the `host-execution` feature,
//! an instance on the node through the `pvm-host` runtime interface (the node's
//! compiler), used wherever the node provides it. Both give identical results and gas.

use alloc::{boxed::Box, format, string::String, vec::Vec};

use pvm::Reg;

/// Why a run stopped.
pub(crate) enum Stop {
    Finished,
    /// A call of import `index`.
    HostCall(u32),
    /// A trap at `pc`, described.
    Trap {
        pc: u32,
        reason: String,
    },
    NotEnoughGas {
        pc: u32,
    },
}

/// A running contract instance.
pub(crate) trait Machine {
    fn run(&mut self) -> Stop;
    fn reg(&self, reg: Reg) -> u64;
    fn set_reg(&mut self, reg: Reg, value: u64);
    fn gas(&self) -> pvm::Gas;
    fn set_gas(&mut self, gas: pvm::Gas);
    /// Reads guest memory; the error is the address of the first inaccessible byte.
    fn read_memory(&self, address: u32, len: u32) -> Result<Vec<u8>, u32>;
    /// Writes guest memory; the error is as for [`Machine::read_memory`].
    fn write_memory(&mut self, address: u32, data: &[u8]) -> Result<(), u32>;
    fn heap_size(&self) -> u32;
    /// Whether `sbrk` was refused because of the heap limit: the guest's allocation
    /// failed, which explains a trap that follows.
    fn heap_limit_reached(&self) -> bool;

    /// Consumes gas; fails, consuming nothing, if there is not enough.
    fn consume_gas(&mut self, amount: u64) -> Result<(), ()> {
        let amount = pvm::Gas::try_from(amount).unwrap_or(pvm::Gas::MAX);
        let gas = self.gas();
        if gas < amount {
            return Err(());
        }
        self.set_gas(gas - amount);
        Ok(())
    }
}

/// The host functions (`pvm-contracts-host`) run on any machine.
impl pvm_contracts_host::Guest for dyn Machine + '_ {
    fn arg(&self, index: usize) -> u64 {
        self.reg(Reg::ARGS[index])
    }

    fn set_result(&mut self, value: u64) {
        self.set_reg(Reg::A0, value)
    }

    fn gas(&self) -> i64 {
        Machine::gas(self)
    }

    fn set_gas(&mut self, gas: i64) {
        Machine::set_gas(self, gas)
    }

    fn read(&mut self, address: u32, len: u32) -> Result<Vec<u8>, u32> {
        self.read_memory(address, len)
    }

    fn write(&mut self, address: u32, data: &[u8]) -> Result<(), u32> {
        self.write_memory(address, data)
    }
}

/// A started call: the machine and the symbols of the code's imports, in index order.
pub(crate) struct Started {
    pub machine: Box<dyn Machine>,
    pub imports: Vec<Vec<u8>>,
}

/// Starts a call of `export` with `gas`: on the node if it runs programs for the
/// runtime (feature `host-execution`), else in the runtime with the module `load`
/// makes (or takes from a cache). An error means the stored code does not load.
pub(crate) fn start(
    code_hash: [u8; 32],
    code: &[u8],
    max_heap_size: Option<u32>,
    export: &str,
    gas: pvm::Gas,
    load: impl FnOnce() -> Result<pvm::Module, ()>,
) -> Result<Started, ()> {
    #[cfg(feature = "host-execution")]
    if let Some(started) = remote::start(code_hash, code, max_heap_size, export, gas)? {
        return Ok(started);
    }
    let _ = (code_hash, code, max_heap_size);
    let module = load()?;
    let pc = module.export(export).ok_or(())?.pc;
    let mut instance = module.instantiate();
    instance.prepare_call(pc, &[]).map_err(|_| ())?;
    instance.set_gas(gas);
    Ok(Started { machine: Box::new(instance), imports: module.imports().to_vec() })
}

/// Where [`start`] runs contracts now: see [`crate::Pallet::execution`].
pub(crate) fn execution() -> crate::Execution {
    #[cfg(feature = "host-execution")]
    if let Ok(backend) = pvm_host::pvm_host::backend() {
        return crate::Execution { on_node: true, backend };
    }
    let backend = pvm::Engine::default().backend().name().as_bytes().to_vec();
    crate::Execution { on_node: false, backend }
}

impl Machine for pvm::RawInstance {
    fn run(&mut self) -> Stop {
        match pvm::RawInstance::run(self) {
            pvm::Interrupt::Finished => Stop::Finished,
            pvm::Interrupt::Ecalli(index) => Stop::HostCall(index),
            pvm::Interrupt::Trap => {
                Stop::Trap { pc: self.program_counter(), reason: describe_trap(self.trap_reason()) }
            }
            pvm::Interrupt::PageFault(fault) => {
                Stop::Trap { pc: self.program_counter(), reason: format!("page fault at {:#x}", fault.address) }
            }
            pvm::Interrupt::NotEnoughGas => Stop::NotEnoughGas { pc: self.program_counter() },
        }
    }

    fn reg(&self, reg: Reg) -> u64 {
        pvm::RawInstance::reg(self, reg)
    }

    fn set_reg(&mut self, reg: Reg, value: u64) {
        pvm::RawInstance::set_reg(self, reg, value)
    }

    fn gas(&self) -> pvm::Gas {
        pvm::RawInstance::gas(self)
    }

    fn set_gas(&mut self, gas: pvm::Gas) {
        pvm::RawInstance::set_gas(self, gas)
    }

    fn read_memory(&self, address: u32, len: u32) -> Result<Vec<u8>, u32> {
        self.read_memory_vec(address, len).map_err(|fault| fault.address)
    }

    fn write_memory(&mut self, address: u32, data: &[u8]) -> Result<(), u32> {
        pvm::RawInstance::write_memory(self, address, data).map_err(|fault| fault.address)
    }

    fn heap_size(&self) -> u32 {
        pvm::RawInstance::heap_size(self)
    }

    fn heap_limit_reached(&self) -> bool {
        pvm::RawInstance::heap_limit_reached(self)
    }
}

/// A trap reason in words.
pub(crate) fn describe_trap(reason: Option<pvm::TrapReason>) -> String {
    match reason {
        Some(pvm::TrapReason::Explicit) | None => String::from("the contract executed a trap (for example a panic)"),
        Some(pvm::TrapReason::InvalidInstruction) => String::from("invalid instruction"),
        Some(pvm::TrapReason::InvalidJump { target }) => format!("invalid jump to {target:#x}"),
        Some(pvm::TrapReason::MemoryAccess(fault)) => {
            format!("{} of inaccessible memory at {:#x}", if fault.is_write { "write" } else { "read" }, fault.address)
        }
        Some(pvm::TrapReason::Host) => String::from("stopped by a host function"),
    }
}

/// Instances on the node, through the `pvm-host` runtime interface.
#[cfg(feature = "host-execution")]
mod remote {
    use super::*;
    use pvm_host::pvm_host as host;

    pub(crate) struct Remote {
        instance: pvm_host::InstanceHandle,
    }

    /// `None` if the node does not run programs for the runtime.
    pub(crate) fn start(
        code_hash: [u8; 32],
        code: &[u8],
        max_heap_size: Option<u32>,
        export: &str,
        gas: pvm::Gas,
    ) -> Result<Option<Started>, ()> {
        // Where the node cannot take the program (no state, or its limits on one runtime
        // call are reached), the runtime runs it itself: the same results and gas, so
        // the node's limits affect speed only.
        let fall_back = |error| match error {
            pvm_host::Error::Unavailable
            | pvm_host::Error::TooManyModules
            | pvm_host::Error::TooManyInstances
            | pvm_host::Error::Resources => Ok(None),
            _ => Err(()),
        };
        let module = match host::prepare(pvm_host::ModuleSettings { code_hash, max_heap_size }, code) {
            Ok(module) => module,
            Err(error) => return fall_back(error),
        };
        let pc = host::export_pc(module, export.as_bytes()).map_err(|_| ())?;
        let imports = host::imports(module).map_err(|_| ())?;
        let instance = match host::instantiate(module) {
            Ok(instance) => instance,
            Err(error) => return fall_back(error),
        };
        let remote = Remote { instance };
        host::prepare_call(instance, pc, Vec::new()).map_err(|_| ())?;
        host::set_gas(instance, gas).map_err(|_| ())?;
        Ok(Some(Started { machine: Box::new(remote), imports }))
    }

    impl Drop for Remote {
        fn drop(&mut self) {
            let _ = host::destroy(self.instance);
        }
    }

    /// The node checks every handle and register: an error here means the node lost
    /// the instance, which the contract sees as a trap (through `Stop::Trap`) or as
    /// zeros, never as a runtime panic.
    impl Machine for Remote {
        fn run(&mut self) -> Stop {
            match host::run(self.instance) {
                Ok(pvm_host::Stop::Finished) => Stop::Finished,
                Ok(pvm_host::Stop::HostCall { index }) => Stop::HostCall(index),
                Ok(pvm_host::Stop::NotEnoughGas { pc }) => Stop::NotEnoughGas { pc },
                Ok(pvm_host::Stop::Trap { pc, reason }) => {
                    Stop::Trap { pc, reason: describe_trap(Some(convert(reason))) }
                }
                Err(error) => Stop::Trap { pc: 0, reason: format!("the node could not run the contract: {error:?}") },
            }
        }

        fn reg(&self, reg: Reg) -> u64 {
            host::reg(self.instance, reg as u32).unwrap_or(0)
        }

        fn set_reg(&mut self, reg: Reg, value: u64) {
            let _ = host::set_reg(self.instance, reg as u32, value);
        }

        fn gas(&self) -> pvm::Gas {
            host::gas(self.instance).unwrap_or(0)
        }

        fn set_gas(&mut self, gas: pvm::Gas) {
            let _ = host::set_gas(self.instance, gas);
        }

        fn read_memory(&self, address: u32, len: u32) -> Result<Vec<u8>, u32> {
            host::read_memory(self.instance, address, len).map_err(|error| match error {
                pvm_host::Error::MemoryAccess { address } => address,
                _ => address,
            })
        }

        fn write_memory(&mut self, address: u32, data: &[u8]) -> Result<(), u32> {
            host::write_memory(self.instance, address, data).map_err(|error| match error {
                pvm_host::Error::MemoryAccess { address } => address,
                _ => address,
            })
        }

        fn heap_size(&self) -> u32 {
            host::heap_size(self.instance).unwrap_or(0)
        }

        fn heap_limit_reached(&self) -> bool {
            host::heap_limit_reached(self.instance).unwrap_or(false)
        }
    }

    fn convert(reason: pvm_host::TrapReason) -> pvm::TrapReason {
        match reason {
            pvm_host::TrapReason::Explicit => pvm::TrapReason::Explicit,
            pvm_host::TrapReason::InvalidInstruction => pvm::TrapReason::InvalidInstruction,
            pvm_host::TrapReason::InvalidJump { target } => pvm::TrapReason::InvalidJump { target },
            pvm_host::TrapReason::MemoryAccess { address, is_write } => {
                pvm::TrapReason::MemoryAccess(pvm::Fault { address, is_write })
            }
        }
    }
}
