//! Writing the control plane's audit log: every state-changing request, allowed or not.

use super::protocol::CtlError;
use crate::stats::FleetStats;
use crate::store::{AuditEntry, Store};
use serde_json::Value;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// A request's text is kept up to this many bytes (a `set_params` can be large).
const MAX_REQUEST_TEXT: usize = 4096;

pub(super) struct Auditor {
    store: Arc<dyn Store>,
    server: String,
    stats: Arc<FleetStats>,
    /// Entries of one server get distinct, increasing times (MongoDB's `_id` is built on it).
    last_ts: i64,
}

impl Auditor {
    pub(super) fn new(store: Arc<dyn Store>, server: &str, stats: &Arc<FleetStats>) -> Self {
        Auditor {
            store,
            server: server.to_string(),
            stats: stats.clone(),
            last_ts: 0,
        }
    }

    /// Write one entry. A failed write is logged and counted (`stats.control.audit_failed`);
    /// the request has already happened by then.
    pub(super) fn record(
        &mut self,
        caller: &super::auth::Caller,
        cmd: &str,
        body: &[u8],
        result: &Result<Value, CtlError>,
    ) {
        let ts_ns = crate::clock::wall_ns().max(self.last_ts + 1);
        self.last_ts = ts_ns;
        let mut request = String::from_utf8_lossy(body).into_owned();
        if request.len() > MAX_REQUEST_TEXT {
            let mut cut = MAX_REQUEST_TEXT;
            while !request.is_char_boundary(cut) {
                cut -= 1;
            }
            request.truncate(cut);
            request.push_str("...");
        }
        let (result, message) = match result {
            Ok(_) => ("ok".to_string(), String::new()),
            Err(e) => (e.code.to_string(), e.message.clone()),
        };
        let entry = AuditEntry {
            ts_ns,
            server: self.server.clone(),
            who: caller.name.clone(),
            role: caller.role.as_str().to_string(),
            cmd: cmd.to_string(),
            request,
            result,
            message,
        };
        tracing::info!(who = %entry.who, cmd = %entry.cmd, result = %entry.result, "control audit");
        if let Err(e) = self.store.append_audit(&entry) {
            self.stats
                .control_audit_failed
                .fetch_add(1, Ordering::Relaxed);
            tracing::error!(
                "control audit entry not written ({} {} by {}): {e}",
                entry.cmd,
                entry.result,
                entry.who
            );
        }
    }

    /// The newest entries, for `audit`.
    pub(super) fn newest(&self, limit: usize) -> Result<Vec<AuditEntry>, crate::store::StoreError> {
        self.store.audit_log(limit)
    }
}
