//! The instrument registry: specs from `<data>/instruments.toml`, kept in the store so every
//! process (servers, the gateway, analysts) sees the same ones, and handed to robots as
//! journaled `Instrument` events. See `docs/instruments.md`.

pub mod file;

pub use file::{always_open, parse, to_toml, SpecError};

use robofleet_api::Instrument;
use std::path::{Path, PathBuf};

/// The registry's file name in the data folder.
pub const FILE_NAME: &str = "instruments.toml";
/// The specs shipped with robofleet (Si and RTS on MOEX), copied into a new data folder.
pub const SHIPPED: &str = include_str!("../../../data/instruments.toml");

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path}: {error}")]
    Spec { path: PathBuf, error: SpecError },
}

/// The versions in `specs` of the symbols `wanted` admits, by symbol then `effective_from_ns`:
/// the order robots receive them in and `instruments` lists them in.
pub fn in_order(specs: &[Instrument], wanted: impl Fn(&str) -> bool) -> Vec<Instrument> {
    let mut out: Vec<Instrument> = specs
        .iter()
        .filter(|s| wanted(&s.symbol))
        .cloned()
        .collect();
    out.sort_by(|a, b| (&a.symbol, a.effective_from_ns).cmp(&(&b.symbol, b.effective_from_ns)));
    out
}

/// `<data>/instruments.toml`, written from the shipped specs first if it is not there.
pub fn load_or_create(data: &Path) -> Result<Vec<Instrument>, RegistryError> {
    let path = data.join(FILE_NAME);
    if !path.exists() {
        std::fs::create_dir_all(data).map_err(|error| RegistryError::Io {
            path: data.to_path_buf(),
            error,
        })?;
        std::fs::write(&path, SHIPPED).map_err(|error| RegistryError::Io {
            path: path.clone(),
            error,
        })?;
        tracing::info!(path = %path.display(), "wrote the shipped instrument registry");
    }
    load(&path)
}

/// Read and check one registry file.
pub fn load(path: &Path) -> Result<Vec<Instrument>, RegistryError> {
    let text = std::fs::read_to_string(path).map_err(|error| RegistryError::Io {
        path: path.to_path_buf(),
        error,
    })?;
    parse(&text).map_err(|error| RegistryError::Spec {
        path: path.to_path_buf(),
        error,
    })
}

/// The registry this server runs on: its file, and the specs last loaded from it.
#[derive(Debug)]
pub struct SharedRegistry {
    path: PathBuf,
    specs: std::sync::RwLock<Vec<Instrument>>,
}

impl SharedRegistry {
    /// Load `<data>/instruments.toml` (writing the shipped one first if it is missing).
    pub fn open(data: &Path) -> Result<SharedRegistry, RegistryError> {
        let specs = load_or_create(data)?;
        Ok(SharedRegistry {
            path: data.join(FILE_NAME),
            specs: std::sync::RwLock::new(specs),
        })
    }

    /// A registry of these specs, read from no file (`reload` reads `path`).
    pub fn with_specs(path: PathBuf, specs: Vec<Instrument>) -> SharedRegistry {
        SharedRegistry {
            path,
            specs: std::sync::RwLock::new(specs),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn all(&self) -> Vec<Instrument> {
        self.specs.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Every version of the specs of `symbols`, by symbol then time.
    pub fn for_symbols(&self, symbols: &[String]) -> Vec<Instrument> {
        let specs = self.specs.read().unwrap_or_else(|e| e.into_inner());
        in_order(&specs, |s| symbols.iter().any(|w| w == s))
    }

    /// Put these specs back (a reload the store refused).
    pub fn replace(&self, specs: Vec<Instrument>) {
        *self.specs.write().unwrap_or_else(|e| e.into_inner()) = specs;
    }

    /// Read the file again. On success the new specs replace the old and the versions that
    /// are new or changed are returned; on error the old specs stay.
    pub fn reload(&self) -> Result<Vec<Instrument>, RegistryError> {
        let fresh = load(&self.path)?;
        let mut specs = self.specs.write().unwrap_or_else(|e| e.into_inner());
        let changed = fresh
            .iter()
            .filter(|s| !specs.contains(s))
            .cloned()
            .collect();
        *specs = fresh;
        Ok(changed)
    }
}
