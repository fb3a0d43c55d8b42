use crate::robot::RobotShared;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// The robots the control socket can see, and the plugin files that were refused.
#[derive(Default)]
pub struct Registry {
    robots: RwLock<BTreeMap<String, Arc<RobotShared>>>,
    refused: RwLock<BTreeMap<String, String>>,
}

impl Registry {
    pub fn get(&self, name: &str) -> Option<Arc<RobotShared>> {
        self.robots
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()
    }

    pub fn all(&self) -> Vec<Arc<RobotShared>> {
        self.robots
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }

    pub fn insert(&self, shared: Arc<RobotShared>) {
        let mut map = self.robots.write().unwrap_or_else(|e| e.into_inner());
        map.insert(shared.name.clone(), shared);
    }

    pub fn remove(&self, name: &str) {
        self.robots
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
    }

    /// Remember why a plugin file was refused (replaced by the next attempt's outcome).
    pub fn set_refused(&self, file: &str, why: Option<String>) {
        let mut map = self.refused.write().unwrap_or_else(|e| e.into_inner());
        match why {
            Some(w) => map.insert(file.to_string(), w),
            None => map.remove(file),
        };
    }

    pub fn refused(&self) -> BTreeMap<String, String> {
        self.refused
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}
