//! The node side: the modules and instances of one runtime call, and the
//! process-wide cache of translated modules.

use std::collections::BTreeMap;

use crate::{Error, InstanceHandle, ModuleHandle, ModuleSettings, Stop, TrapReason};

/// How much one runtime call may hold on the node.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Modules prepared in one runtime call.
    pub modules: usize,
    /// Live instances (a contract calling contracts keeps one per frame).
    pub instances: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { modules: 1024, instances: 256 }
    }
}

/// The modules and instances of one runtime call. The node creates one per call (block
/// import, block authoring, runtime API call) in a [`PvmHostExt`].
pub struct Host {
    engine: pvm::Engine,
    limits: Limits,
    modules: BTreeMap<ModuleHandle, pvm::Module>,
    /// The handle of each module prepared in this call, by what it was prepared from.
    prepared: BTreeMap<ModuleSettings, ModuleHandle>,
    instances: BTreeMap<InstanceHandle, pvm::RawInstance>,
    next_module: ModuleHandle,
    next_instance: InstanceHandle,
}

sp_externalities::decl_extension! {
    /// The node's `pvm` state for one runtime call; registering it makes the runtime
    /// interface available.
    pub struct PvmHostExt(Host);
}

impl PvmHostExt {
    /// State on the default engine (the compiler where the machine supports it).
    pub fn new() -> Self {
        Self::with_engine(pvm::Engine::default())
    }

    /// State on `engine` (for comparing backends).
    pub fn with_engine(engine: pvm::Engine) -> Self {
        PvmHostExt(Host::new(engine, Limits::default()))
    }
}

impl Default for PvmHostExt {
    fn default() -> Self {
        Self::new()
    }
}

/// Translated modules by code hash, engine backend and heap limit, kept across runtime
/// calls (64 of them).
static CACHE: pvm::ModuleCache<([u8; 32], pvm::Backend, Option<u32>)> = pvm::ModuleCache::new(64);

impl Host {
    /// Empty state on `engine`.
    pub fn new(engine: pvm::Engine, limits: Limits) -> Self {
        Host {
            engine,
            limits,
            modules: BTreeMap::new(),
            prepared: BTreeMap::new(),
            instances: BTreeMap::new(),
            next_module: 1,
            next_instance: 1,
        }
    }

    /// The backend every module of this state runs on.
    pub fn backend(&self) -> pvm::Backend {
        self.engine.backend()
    }

    /// See [`crate::pvm_host::prepare`].
    pub fn prepare(&mut self, settings: ModuleSettings, code: &[u8]) -> Result<ModuleHandle, Error> {
        // A block calls the same code many times: one handle per code, so the limit is
        // on distinct codes.
        if let Some(&handle) = self.prepared.get(&settings) {
            return Ok(handle);
        }
        if self.modules.len() >= self.limits.modules {
            return Err(Error::TooManyModules);
        }
        let key = (settings.code_hash, self.engine.backend(), settings.max_heap_size);
        // The hash names the code: a cached module of the same hash is its translation.
        // (A runtime passing a wrong hash gets the other code's module: its own bug, and
        // the same on every node that cached it.)
        let module = CACHE.get_or_translate(key, || {
            let config = pvm::ModuleConfig { max_heap_size: settings.max_heap_size, ..Default::default() };
            pvm::Module::new(&self.engine, &config, code)
                .map_err(|error| Error::InvalidCode(error.to_string().into_bytes()))
        })?;
        let handle = self.next_module;
        self.next_module += 1;
        self.modules.insert(handle, module);
        self.prepared.insert(settings, handle);
        Ok(handle)
    }

    /// See [`crate::pvm_host::export_pc`].
    pub fn export_pc(&mut self, module: ModuleHandle, name: &[u8]) -> Result<u32, Error> {
        let module = self.modules.get(&module).ok_or(Error::UnknownModule)?;
        module.exports().iter().find(|export| export.symbol == name).map(|export| export.pc).ok_or(Error::NoSuchExport)
    }

    /// See [`crate::pvm_host::imports`].
    pub fn imports(&mut self, module: ModuleHandle) -> Result<Vec<Vec<u8>>, Error> {
        Ok(self.modules.get(&module).ok_or(Error::UnknownModule)?.imports().to_vec())
    }

    /// See [`crate::pvm_host::instantiate`].
    pub fn instantiate(&mut self, module: ModuleHandle) -> Result<InstanceHandle, Error> {
        let module = self.modules.get(&module).ok_or(Error::UnknownModule)?;
        if self.instances.len() >= self.limits.instances {
            return Err(Error::TooManyInstances);
        }
        let handle = self.next_instance;
        self.next_instance += 1;
        self.instances.insert(handle, module.instantiate());
        Ok(handle)
    }

    fn instance(&mut self, instance: InstanceHandle) -> Result<&mut pvm::RawInstance, Error> {
        self.instances.get_mut(&instance).ok_or(Error::UnknownInstance)
    }

    /// See [`crate::pvm_host::prepare_call`].
    pub fn prepare_call(&mut self, instance: InstanceHandle, pc: u32, args: &[u64]) -> Result<(), Error> {
        self.instance(instance)?.prepare_call(pc, args).map_err(|_| Error::InvalidPc)
    }

    /// See [`crate::pvm_host::run`].
    pub fn run(&mut self, instance: InstanceHandle) -> Result<Stop, Error> {
        let instance = self.instance(instance)?;
        Ok(match instance.run() {
            pvm::Interrupt::Finished => Stop::Finished,
            pvm::Interrupt::Ecalli(index) => Stop::HostCall { index },
            pvm::Interrupt::NotEnoughGas => Stop::NotEnoughGas { pc: instance.next_program_counter() },
            pvm::Interrupt::Trap => Stop::Trap {
                pc: instance.program_counter(),
                reason: match instance.trap_reason() {
                    Some(pvm::TrapReason::Explicit) | Some(pvm::TrapReason::Host) | None => TrapReason::Explicit,
                    Some(pvm::TrapReason::InvalidInstruction) => TrapReason::InvalidInstruction,
                    Some(pvm::TrapReason::InvalidJump { target }) => TrapReason::InvalidJump { target },
                    Some(pvm::TrapReason::MemoryAccess(fault)) => {
                        TrapReason::MemoryAccess { address: fault.address, is_write: fault.is_write }
                    }
                },
            },
            // Only page-map instances report page faults, and this interface makes none.
            pvm::Interrupt::PageFault(fault) => Stop::Trap {
                pc: instance.program_counter(),
                reason: TrapReason::MemoryAccess { address: fault.address, is_write: fault.is_write },
            },
        })
    }

    /// See [`crate::pvm_host::gas`].
    pub fn gas(&mut self, instance: InstanceHandle) -> Result<i64, Error> {
        Ok(self.instance(instance)?.gas())
    }

    /// See [`crate::pvm_host::set_gas`].
    pub fn set_gas(&mut self, instance: InstanceHandle, gas: i64) -> Result<(), Error> {
        self.instance(instance)?.set_gas(gas);
        Ok(())
    }

    fn register(index: u32) -> Result<pvm::Reg, Error> {
        pvm::Reg::ALL.get(index as usize).copied().ok_or(Error::InvalidRegister)
    }

    /// See [`crate::pvm_host::reg`].
    pub fn reg(&mut self, instance: InstanceHandle, index: u32) -> Result<u64, Error> {
        let reg = Self::register(index)?;
        Ok(self.instance(instance)?.reg(reg))
    }

    /// See [`crate::pvm_host::set_reg`].
    pub fn set_reg(&mut self, instance: InstanceHandle, index: u32, value: u64) -> Result<(), Error> {
        let reg = Self::register(index)?;
        self.instance(instance)?.set_reg(reg, value);
        Ok(())
    }

    /// See [`crate::pvm_host::read_memory`]. The length is bounded by the guest's
    /// memory: a read past it fails before anything is allocated for it.
    pub fn read_memory(&mut self, instance: InstanceHandle, address: u32, len: u32) -> Result<Vec<u8>, Error> {
        let instance = self.instance(instance)?;
        let end = address.checked_add(len).ok_or(Error::MemoryAccess { address })?;
        // Probe both ends first: a huge length at a bad address costs nothing.
        if len > 0 {
            instance.read_memory(address, &mut [0]).map_err(|fault| Error::MemoryAccess { address: fault.address })?;
            instance.read_memory(end - 1, &mut [0]).map_err(|fault| Error::MemoryAccess { address: fault.address })?;
        }
        instance.read_memory_vec(address, len).map_err(|fault| Error::MemoryAccess { address: fault.address })
    }

    /// See [`crate::pvm_host::write_memory`].
    pub fn write_memory(&mut self, instance: InstanceHandle, address: u32, data: &[u8]) -> Result<(), Error> {
        self.instance(instance)?
            .write_memory(address, data)
            .map_err(|fault| Error::MemoryAccess { address: fault.address })
    }

    /// See [`crate::pvm_host::heap_size`].
    pub fn heap_size(&mut self, instance: InstanceHandle) -> Result<u32, Error> {
        Ok(self.instance(instance)?.heap_size())
    }

    /// See [`crate::pvm_host::heap_limit_reached`].
    pub fn heap_limit_reached(&mut self, instance: InstanceHandle) -> Result<bool, Error> {
        Ok(self.instance(instance)?.heap_limit_reached())
    }

    /// See [`crate::pvm_host::destroy`].
    pub fn destroy(&mut self, instance: InstanceHandle) -> Result<(), Error> {
        self.instances.remove(&instance).map(drop).ok_or(Error::UnknownInstance)
    }
}
