//! A bounded cache of translated modules, for embedders that load the same code again
//! and again (a chain runs a contract on every call): translating is the costly part
//! of loading, and a [`Module`] is cheap to clone and to share between threads.

use std::sync::Mutex;

use crate::Module;

/// Modules by key (a code hash and whatever else their translation depends on), at
/// most `capacity` of them; the least recently used go first.
pub struct ModuleCache<K> {
    /// Most recently used last.
    entries: Mutex<Vec<(K, Module)>>,
    capacity: usize,
}

impl<K: PartialEq> ModuleCache<K> {
    /// An empty cache (usable in a `static`).
    pub const fn new(capacity: usize) -> Self {
        ModuleCache { entries: Mutex::new(Vec::new()), capacity }
    }

    /// The module cached under `key`, or the one `translate` makes (cached if it
    /// succeeds).
    pub fn get_or_translate<E>(&self, key: K, translate: impl FnOnce() -> Result<Module, E>) -> Result<Module, E> {
        if let Some(module) = self.get(&key) {
            return Ok(module);
        }
        let module = translate()?;
        self.insert(key, module.clone());
        Ok(module)
    }

    /// The module cached under `key`, marked as just used.
    pub fn get(&self, key: &K) -> Option<Module> {
        let mut entries = self.entries.lock().ok()?;
        let position = entries.iter().position(|(cached, _)| cached == key)?;
        let entry = entries.remove(position);
        let module = entry.1.clone();
        entries.push(entry);
        Some(module)
    }

    /// Caches `module` under `key`, evicting the least recently used if full.
    pub fn insert(&self, key: K, module: Module) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|(cached, _)| cached != &key);
            if entries.len() >= self.capacity {
                entries.remove(0);
            }
            if self.capacity > 0 {
                entries.push((key, module));
            }
        }
    }

    /// How many modules are cached.
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |entries| entries.len())
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::{Args, BlobBuilder};
    use crate::{Engine, InstructionSet, ModuleConfig, Opcode};

    fn module() -> Module {
        let mut builder = BlobBuilder::new(InstructionSet::ReviveV1);
        builder.export_here("main");
        builder.push(Opcode::Trap, Args::default());
        Module::new(&Engine::default(), &ModuleConfig::default(), &builder.build()).unwrap()
    }

    #[test]
    fn keeps_the_most_recently_used() {
        let cache = ModuleCache::new(2);
        cache.insert(1, module());
        cache.insert(2, module());
        assert!(cache.get(&1).is_some());
        cache.insert(3, module());
        assert!(cache.get(&2).is_none(), "2 was used least recently");
        assert!(cache.get(&1).is_some() && cache.get(&3).is_some());
        let mut translated = 0;
        let _ = cache.get_or_translate::<()>(3, || {
            translated += 1;
            Ok(module())
        });
        assert_eq!((translated, cache.len()), (0, 2));
    }
}
