//! The control plane's audit log: every state-changing control request, who sent it and
//! what came of it, kept in the store beside the orders (`docs/security.md`).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When the request was answered (wall clock, ns since the epoch).
    pub ts_ns: i64,
    /// The server that took it (`serve --name`).
    pub server: String,
    /// The client key's name from the access file; `local` without CURVE.
    pub who: String,
    /// That key's role: `viewer`, `trader` or `admin`.
    pub role: String,
    /// The request's `cmd`.
    pub cmd: String,
    /// The request as sent, as JSON text (its `id` left out).
    pub request: String,
    /// `ok`, or the error code of the reply (`forbidden` for a role too small).
    pub result: String,
    /// The error message; empty when `ok`.
    pub message: String,
}
