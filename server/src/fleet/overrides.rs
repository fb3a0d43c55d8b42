//! Parameters set over the control socket outlive the robot's build.
//!
//! An operator who sets `every=2` on a running robot expects it to hold after a `reload`, a
//! replaced build, an edited `<name>.toml`, a stop and start, or a server restart. So each
//! `set_params` is kept per robot name in one JSON file (`<data>/params.json`), and laid
//! over the plugin's defaults and its toml every time the robot starts. Keys never set over
//! the control socket follow the file. The file is rewritten whole (write aside, rename).

use crate::control::{json_to_params, params_to_json};
use robofleet_api::Params;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

pub struct ParamOverrides {
    /// `None`: kept in memory only (this process's life).
    path: Option<PathBuf>,
    by_robot: Mutex<BTreeMap<String, Params>>,
}

impl ParamOverrides {
    /// Read the kept overrides; a missing file is none. A file that cannot be read is moved
    /// aside to `params.json.unreadable` (never overwritten by the next `set_params`), logged,
    /// and the robots run on their files' params.
    pub fn open(path: Option<PathBuf>) -> Self {
        let mut by_robot = BTreeMap::new();
        if let Some(p) = &path {
            let read = std::fs::read(p).map_err(|e| e.to_string());
            match read.and_then(|bytes| parse(&bytes)) {
                Ok(map) => by_robot = map,
                Err(_) if !p.exists() => {}
                Err(e) => {
                    let aside = p.with_extension("json.unreadable");
                    let moved = std::fs::rename(p, &aside);
                    tracing::error!(
                        "{}: {e}: params set over the control socket are not applied; the file is {}",
                        p.display(),
                        match moved {
                            Ok(()) => format!("kept as {}", aside.display()),
                            Err(e) => format!("left in place ({e})"),
                        }
                    );
                }
            }
        }
        ParamOverrides {
            path,
            by_robot: Mutex::new(by_robot),
        }
    }

    /// What was set over the control socket for `robot` (empty if nothing).
    pub fn get(&self, robot: &str) -> Params {
        let map = self.by_robot.lock().unwrap_or_else(|e| e.into_inner());
        map.get(robot).cloned().unwrap_or_default()
    }

    /// Remember `params` for `robot` (merged over what it had) and write the file.
    pub fn add(&self, robot: &str, params: &Params) -> Result<(), String> {
        let mut map = self.by_robot.lock().unwrap_or_else(|e| e.into_inner());
        let merged = map.get(robot).cloned().unwrap_or_default().merged(params);
        map.insert(robot.to_string(), merged);
        let Some(path) = &self.path else {
            return Ok(());
        };
        let json: Map<String, Value> = map
            .iter()
            .map(|(name, p)| (name.clone(), params_to_json(p)))
            .collect();
        let text = serde_json::to_vec_pretty(&json).map_err(|e| e.to_string())?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| format!("cannot keep params in {}: {e}", path.display()))
    }
}

fn parse(bytes: &[u8]) -> Result<BTreeMap<String, Params>, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let Value::Object(map) = value else {
        return Err("not a JSON object of robot name -> params".into());
    };
    map.iter()
        .map(|(name, p)| json_to_params(p).map(|p| (name.clone(), p)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use robofleet_api::ParamValue;

    #[test]
    fn overrides_merge_and_survive_a_reopen_and_garbage_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("params.json");
        let kept = ParamOverrides::open(Some(path.clone()));
        let mut a = Params::new();
        a.0.insert("every".into(), ParamValue::Int(2));
        kept.add("ma", &a).unwrap();
        let mut b = Params::new();
        b.0.insert("mode".into(), ParamValue::Str("x".into()));
        kept.add("ma", &b).unwrap();
        let again = ParamOverrides::open(Some(path.clone()));
        assert_eq!(again.get("ma"), a.merged(&b));
        assert_eq!(again.get("other"), Params::new());
        std::fs::write(&path, b"{not json").unwrap();
        let fresh = ParamOverrides::open(Some(path.clone()));
        assert_eq!(fresh.get("ma"), Params::new());
        // The unreadable file is kept aside, not overwritten by the next write.
        fresh.add("ma", &b).unwrap();
        let aside = std::fs::read(dir.path().join("params.json.unreadable")).unwrap();
        assert_eq!(aside, b"{not json");
    }
}
