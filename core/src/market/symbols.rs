//! Symbol ids: the numbers market records carry across the plugin boundary instead of names.
//!
//! One table per process, handed out in order of first use (0, 1, 2, ...). An id means the
//! same symbol everywhere in this process; across processes it may not, so a robot's journal
//! names each id it uses (a `Symbol` record) before the first record that carries it.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

#[derive(Default)]
struct Table {
    ids: HashMap<Arc<str>, u32>,
    names: Vec<Arc<str>>,
}

fn table() -> &'static RwLock<Table> {
    static TABLE: OnceLock<RwLock<Table>> = OnceLock::new();
    TABLE.get_or_init(|| RwLock::new(Table::default()))
}

/// The id of `symbol`, handed out now if it has none yet.
pub fn id(symbol: &str) -> u32 {
    {
        let t = table().read().unwrap_or_else(|e| e.into_inner());
        if let Some(id) = t.ids.get(symbol) {
            return *id;
        }
    }
    let mut t = table().write().unwrap_or_else(|e| e.into_inner());
    if let Some(id) = t.ids.get(symbol) {
        return *id;
    }
    let id = t.names.len() as u32;
    let name: Arc<str> = Arc::from(symbol);
    t.names.push(name.clone());
    t.ids.insert(name, id);
    id
}

/// The symbol with id `id`, if it was handed out.
pub fn name(id: u32) -> Option<Arc<str>> {
    let t = table().read().unwrap_or_else(|e| e.into_inner());
    t.names.get(id as usize).cloned()
}

/// Remembers which ids one robot instance has been told, and the last symbol looked up (a
/// robot mostly sees one or two): the fast path is a string compare, no lock.
#[derive(Default)]
pub struct Known {
    told: Vec<bool>,
    last: Option<(String, u32)>,
}

impl Known {
    /// The id of `symbol`, looked up through the one-entry cache.
    pub fn id_of(&mut self, symbol: &str) -> u32 {
        if let Some((name, id)) = &self.last {
            if name == symbol {
                return *id;
            }
        }
        let id = id(symbol);
        self.last = Some((symbol.to_string(), id));
        id
    }

    /// Whether the instance already knows `id`; marks it known.
    pub fn tell(&mut self, id: u32) -> bool {
        let at = id as usize;
        if self.told.len() <= at {
            self.told.resize(at + 1, false);
        }
        !std::mem::replace(&mut self.told[at], true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_named() {
        let a = id("SYMTEST-A");
        let b = id("SYMTEST-B");
        assert_ne!(a, b);
        assert_eq!(id("SYMTEST-A"), a);
        assert_eq!(name(b).as_deref(), Some("SYMTEST-B"));
        assert_eq!(name(u32::MAX), None);
        let mut known = Known::default();
        assert_eq!(known.id_of("SYMTEST-B"), b);
        assert_eq!(known.id_of("SYMTEST-A"), a);
        assert!(known.tell(a), "first time: tell it");
        assert!(!known.tell(a), "then known");
    }
}
