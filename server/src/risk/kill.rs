//! The fleet's latching kill switch: engaged by an operator, it halts every robot of the
//! server and cancels their working orders; it stays engaged, across restarts, until an
//! operator resets it. Its state is kept in `<data>/kill_switch.json`, written (and
//! fsynced) before the switch acts.

use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub const FILE_NAME: &str = "kill_switch.json";

/// An engaged kill switch: when, by whom, why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Engaged {
    pub since_ns: i64,
    pub by: String,
    pub reason: String,
}

impl Engaged {
    /// The text a denied order's reason carries.
    pub fn describe(&self) -> String {
        format!("kill switch engaged by {}: {}", self.by, self.reason)
    }
}

pub struct KillSwitch {
    /// `None`: kept in memory only (tests, backtests).
    path: Option<PathBuf>,
    state: Mutex<Option<Engaged>>,
}

impl KillSwitch {
    /// Read the switch from `data_dir`. A file that cannot be read or parsed leaves the
    /// switch engaged (the safe side) and says why.
    pub fn open(data_dir: &Path) -> KillSwitch {
        let path = data_dir.join(FILE_NAME);
        let state = match std::fs::read(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => Some(unreadable(&path, &e.to_string())),
            Ok(bytes) => match serde_json::from_slice::<Engaged>(&bytes) {
                Ok(engaged) => Some(engaged),
                Err(e) => Some(unreadable(&path, &e.to_string())),
            },
        };
        if let Some(e) = &state {
            tracing::warn!(
                "the kill switch is engaged ({}): robots start halted until an operator resets it",
                e.describe()
            );
        }
        KillSwitch {
            path: Some(path),
            state: Mutex::new(state),
        }
    }

    pub fn in_memory() -> KillSwitch {
        KillSwitch {
            path: None,
            state: Mutex::new(None),
        }
    }

    pub fn engaged(&self) -> Option<Engaged> {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Engage the switch (kept on disk first). Already engaged: stays as it was, and
    /// `Ok(false)` says so.
    pub fn engage(&self, engaged: Engaged) -> Result<bool, String> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.is_some() {
            return Ok(false);
        }
        if let Some(path) = &self.path {
            write_durably(path, &engaged)?;
        }
        *state = Some(engaged);
        Ok(true)
    }

    /// Reset the switch; returns what it was (`None`: it was not engaged).
    pub fn reset(&self) -> Result<Option<Engaged>, String> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(path) = &self.path {
            match std::fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(format!("cannot remove {}: {e}", path.display())),
            }
        }
        Ok(state.take())
    }
}

fn unreadable(path: &Path, why: &str) -> Engaged {
    tracing::error!(
        "{} is unreadable ({why}): the kill switch is taken as engaged",
        path.display()
    );
    Engaged {
        since_ns: 0,
        by: "robofleet".into(),
        reason: format!("{} unreadable: {why}", path.display()),
    }
}

fn write_durably(path: &Path, engaged: &Engaged) -> Result<(), String> {
    let tmp = path.with_extension("json.tmp");
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&serde_json::to_vec_pretty(engaged).unwrap_or_default())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        if let Some(dir) = path.parent() {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    };
    write().map_err(|e| format!("cannot keep the kill switch in {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engaged(by: &str) -> Engaged {
        Engaged {
            since_ns: 7,
            by: by.into(),
            reason: "test".into(),
        }
    }

    #[test]
    fn the_switch_latches_across_a_restart_until_reset() {
        let dir = tempfile::tempdir().unwrap();
        let k = KillSwitch::open(dir.path());
        assert_eq!(k.engaged(), None);
        assert_eq!(k.engage(engaged("ann")), Ok(true));
        // A second engage changes nothing: the first one stands.
        assert_eq!(k.engage(engaged("bob")), Ok(false));
        let again = KillSwitch::open(dir.path());
        assert_eq!(again.engaged(), Some(engaged("ann")));
        assert_eq!(again.reset(), Ok(Some(engaged("ann"))));
        assert_eq!(KillSwitch::open(dir.path()).engaged(), None);
        assert_eq!(again.reset(), Ok(None));
    }

    #[test]
    fn an_unreadable_file_means_engaged() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), b"{not json").unwrap();
        let k = KillSwitch::open(dir.path());
        let e = k.engaged().expect("engaged");
        assert!(e.reason.contains("unreadable"), "{e:?}");
    }
}
