//! Where the server's limits come from: `<data>/risk.toml`, read at start and again at
//! `reload_limits`. A file that does not parse changes nothing.

use super::limits::{LimitsError, RiskFile, RobotLimits, FILE_NAME};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

pub struct LimitsSource {
    /// `None`: limits given in code (tests), never reloaded.
    path: Option<PathBuf>,
    file: RwLock<Option<Arc<RiskFile>>>,
    /// The accounts of the file, as their robots report to them.
    accounts: Arc<super::account::AccountBook>,
    /// Successful reloads so far.
    reloads: std::sync::atomic::AtomicU64,
}

impl LimitsSource {
    /// Read `<data>/risk.toml` (no file: no checks).
    pub fn open(data_dir: &Path) -> Result<LimitsSource, LimitsError> {
        let file = RiskFile::in_data_dir(data_dir)?.map(Arc::new);
        Ok(LimitsSource {
            path: Some(data_dir.join(FILE_NAME)),
            accounts: Arc::new(super::account::AccountBook::new(file.as_deref())),
            file: RwLock::new(file),
            reloads: Default::default(),
        })
    }

    pub fn fixed(file: Option<RiskFile>) -> LimitsSource {
        LimitsSource {
            path: None,
            accounts: Arc::new(super::account::AccountBook::new(file.as_ref())),
            file: RwLock::new(file.map(Arc::new)),
            reloads: Default::default(),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The accounts, with what their robots hold.
    pub fn accounts(&self) -> &Arc<super::account::AccountBook> {
        &self.accounts
    }

    /// Whether any limits are in force.
    pub fn is_set(&self) -> bool {
        self.file
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// The limits of robot `name` now (`None`: its orders are not checked).
    pub fn for_robot(&self, name: &str) -> Option<RobotLimits> {
        let file = self.file.read().unwrap_or_else(|e| e.into_inner());
        file.as_ref().map(|f| f.for_robot(name))
    }

    /// Read the file again. A bad file is an error and the limits stay as they were; a file
    /// that is gone means no checks from now on.
    pub fn reload(&self) -> Result<(), LimitsError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        let new = RiskFile::in_data_dir(dir)?.map(Arc::new);
        self.accounts.set_limits(new.as_deref());
        *self.file.write().unwrap_or_else(|e| e.into_inner()) = new;
        self.reloads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    /// Whether the file was reloaded since the server started (a robot whose limits were
    /// resolved just before a reload is then sent them again as it connects).
    pub fn reloaded(&self) -> bool {
        self.reloads.load(std::sync::atomic::Ordering::Relaxed) > 0
    }
}
