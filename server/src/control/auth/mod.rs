//! Who may drive the control socket, and what each may do.
//!
//! Without an access file the control socket serves loopback (or `ipc://`) only, and every
//! client there is an admin named `local`: anyone who can reach it is already on the
//! machine. With one (`serve --control-auth FILE`) it speaks ZeroMQ CURVE: the server's key
//! pair encrypts it, a ZAP handler ([`zap`]) lets in only the listed client keys, and each
//! key's [`Role`] bounds what its requests may do.
//!
//! # Layout
//! - [`keys`]: CURVE key files (`robofleet keygen`).
//! - [`zap`]: the process's ZAP handler, one allow-list per control socket.
//! - here: the access file, roles, and the loopback rule.

pub mod keys;
pub mod zap;

use keys::{CurveKey, KeyPair};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// What a client key may do; each role may do everything the ones before it may.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads: list, status, positions, orders, trades, stats, instruments, audit.
    Viewer,
    /// Steers robots: pause, resume, set_params, command.
    Trader,
    /// Runs the fleet: start, stop, reload, limits, the kill switch, shutdown.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Trader => "trader",
            Role::Admin => "admin",
        }
    }
}

/// Who sent a request: a client key's name and role (`local` admin without CURVE).
#[derive(Clone, Debug, PartialEq)]
pub struct Caller {
    pub name: String,
    pub role: Role,
}

impl Caller {
    pub fn local() -> Caller {
        Caller {
            name: LOCAL.into(),
            role: Role::Admin,
        }
    }
}

/// The caller's name on a control socket without CURVE.
pub const LOCAL: &str = "local";

#[derive(Debug, thiserror::Error)]
#[error("control access file {path}: {reason}")]
pub struct AccessError {
    pub path: PathBuf,
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccessFile {
    server_key: PathBuf,
    #[serde(default)]
    clients: Vec<ClientEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientEntry {
    name: String,
    public_key: String,
    role: Role,
}

/// The access file read and checked: the server's key pair and the allowed client keys.
#[derive(Clone, Debug)]
pub struct Access {
    pub server: KeyPair,
    /// Client public key -> who it is.
    pub clients: HashMap<CurveKey, Caller>,
}

impl Access {
    /// Read the access file; `server_key` is relative to the file's folder.
    pub fn read(path: &Path) -> Result<Access, AccessError> {
        let err = |reason: String| AccessError {
            path: path.to_path_buf(),
            reason,
        };
        if !keys::curve_available() {
            return Err(err(keys::NO_CURVE.into()));
        }
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let file: AccessFile = toml::from_str(&text).map_err(|e| err(e.to_string()))?;
        let key_path = path
            .parent()
            .unwrap_or(Path::new("."))
            .join(&file.server_key);
        let server = KeyPair::read(&key_path).map_err(|e| err(format!("server_key: {e}")))?;
        if file.clients.is_empty() {
            return Err(err(
                "no [[clients]]: nobody could use the control socket".into()
            ));
        }
        let mut clients = HashMap::new();
        let mut names = std::collections::HashSet::new();
        for c in file.clients {
            if c.name.is_empty() || c.name == LOCAL {
                return Err(err(format!(
                    "client name {:?} is reserved or empty",
                    c.name
                )));
            }
            if !names.insert(c.name.clone()) {
                return Err(err(format!("client name {:?} is given twice", c.name)));
            }
            let key = CurveKey::from_z85(&c.public_key)
                .map_err(|e| err(format!("client {:?}: public_key: {e}", c.name)))?;
            if key == server.public {
                return Err(err(format!("client {:?} has the server's own key", c.name)));
            }
            let caller = Caller {
                name: c.name,
                role: c.role,
            };
            if let Some(other) = clients.insert(key, caller) {
                return Err(err(format!(
                    "client {:?}'s key is listed twice",
                    other.name
                )));
            }
        }
        Ok(Access { server, clients })
    }
}

/// Whether a control endpoint can only be reached from this machine: `ipc://`, `inproc://`,
/// or TCP on a loopback address (`127.0.0.0/8`, `[::1]`, `localhost`).
pub fn is_local_endpoint(endpoint: &str) -> bool {
    if endpoint.starts_with("ipc://") || endpoint.starts_with("inproc://") {
        return true;
    }
    let Some(rest) = endpoint.strip_prefix("tcp://") else {
        return false;
    };
    // A TCP bind may name its interface before a ';' ("tcp://eth0;host:port" connects).
    let host = match rest.rsplit_once(':') {
        Some((host, _port)) => host,
        None => return false,
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host == "localhost" {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests;
