//! The control plane's audit log: every state-changing request, allowed or not.
//!
//! # Layout
//! - `mod.rs`: [`Auditor`], what the control thread calls: [`Auditor::begin`] before a
//!   request acts, [`Auditor::finish`] with its result, [`Auditor::refused`] for one refused
//!   before it could act.
//! - `spool.rs`: the write-ahead file in the data folder; a request whose entry cannot be
//!   written there is refused (`audit_unavailable`).
//! - `shipper.rs`: the thread that moves answered entries into the store, retrying while
//!   the store is away.

mod shipper;
pub mod spool;

use super::auth::Caller;
use super::protocol::CtlError;
use crate::stats::FleetStats;
use crate::store::{AuditEntry, Store};
use crossbeam_channel::Sender;
use serde_json::Value;
use spool::Spool;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// A request's text is kept up to this many bytes (a `set_params` can be large).
const MAX_REQUEST_TEXT: usize = 4096;

pub struct Auditor {
    store: Arc<dyn Store>,
    server: String,
    stats: Arc<FleetStats>,
    spool: Arc<Mutex<Spool>>,
    /// To the shipper; `None` once dropping.
    tx: Option<Sender<AuditEntry>>,
    shipper: Option<JoinHandle<()>>,
    /// Entries of one server get distinct, increasing times (MongoDB's `_id` is built on it).
    last_ts: i64,
}

/// An audited request that has begun: its entry, written ahead, waiting for the result.
pub(super) struct Ticket {
    entry: AuditEntry,
}

impl Auditor {
    /// The audit log of server `server`, its spool in `data_dir` (`None`: in memory, for
    /// tests). Entries a previous run left in the spool are shipped first.
    pub fn open(
        store: Arc<dyn Store>,
        server: &str,
        stats: &Arc<FleetStats>,
        data_dir: Option<&Path>,
    ) -> std::io::Result<Auditor> {
        let (spool, left) = match data_dir {
            Some(dir) => Spool::open(dir)?,
            None => (Spool::in_memory(), Vec::new()),
        };
        if !left.is_empty() {
            tracing::info!(
                "{} audit entries from the last run go to the store",
                left.len()
            );
        }
        let last_ts = left.iter().map(|e| e.ts_ns).max().unwrap_or(0);
        stats
            .control_audit_pending
            .store(left.len() as u64, Ordering::Relaxed);
        let spool = Arc::new(Mutex::new(spool));
        let (tx, rx) = crossbeam_channel::unbounded();
        for e in left {
            let _ = tx.send(e);
        }
        let shipper = shipper::Shipper {
            rx,
            store: store.clone(),
            spool: spool.clone(),
            stats: stats.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("audit".into())
            .spawn(move || shipper.run())?;
        Ok(Auditor {
            store,
            server: server.to_string(),
            stats: stats.clone(),
            spool,
            tx: Some(tx),
            shipper: Some(thread),
            last_ts,
        })
    }

    /// Write the entry of a request about to act. `Err`: it could not be written, and the
    /// request must be refused with that error.
    pub(super) fn begin(
        &mut self,
        caller: &Caller,
        cmd: &str,
        body: &[u8],
    ) -> Result<Ticket, CtlError> {
        let entry = self.entry(caller, cmd, body);
        let written = self.lock().intent(&entry);
        match written {
            Ok(()) => Ok(Ticket { entry }),
            Err(e) => {
                self.stats
                    .control_audit_failed
                    .fetch_add(1, Ordering::Relaxed);
                tracing::error!(
                    "`{cmd}` by {} refused: its audit entry cannot be written: {e}",
                    caller.name
                );
                Err(CtlError::new(
                    "audit_unavailable",
                    format!("the audit log cannot be written ({e}); nothing was done"),
                ))
            }
        }
    }

    /// The request of `ticket` was answered with `result`.
    pub(super) fn finish(&mut self, ticket: Ticket, result: &Result<Value, CtlError>) {
        let mut entry = ticket.entry;
        (entry.result, entry.message) = outcome(result);
        self.answered(entry);
    }

    /// A request refused before it could act (its role, or no audit log).
    pub(super) fn refused(&mut self, caller: &Caller, cmd: &str, body: &[u8], e: &CtlError) {
        let mut entry = self.entry(caller, cmd, body);
        (entry.result, entry.message) = (e.code.to_string(), e.message.clone());
        self.answered(entry);
    }

    /// The newest entries, for `audit`: the store's, with those still on their way to it.
    pub(super) fn newest(&self, limit: usize) -> Result<Vec<AuditEntry>, crate::store::StoreError> {
        let mut entries = self.store.audit_log(limit)?;
        let waiting = self.lock().unshipped();
        for e in waiting {
            let known = entries
                .iter()
                .any(|s| s.ts_ns == e.ts_ns && s.server == e.server);
            if !known {
                entries.push(e);
            }
        }
        entries.sort_by(|a, b| b.ts_ns.cmp(&a.ts_ns).then_with(|| b.server.cmp(&a.server)));
        entries.truncate(limit);
        Ok(entries)
    }

    fn answered(&mut self, entry: AuditEntry) {
        tracing::info!(who = %entry.who, cmd = %entry.cmd, result = %entry.result, "control audit");
        let mut spool = self.lock();
        if let Err(e) = spool.done(&entry) {
            // The intent is on disk (or the request never acted): the entry still goes to
            // the store from memory; only a crash before then leaves it `unknown`.
            tracing::warn!(
                "audit spool: the result of `{}` not written: {e}",
                entry.cmd
            );
        }
        self.stats
            .control_audit_pending
            .store(spool.pending() as u64, Ordering::Relaxed);
        drop(spool);
        if let Some(tx) = &self.tx {
            let _ = tx.send(entry);
        }
    }

    fn entry(&mut self, caller: &Caller, cmd: &str, body: &[u8]) -> AuditEntry {
        let ts_ns = crate::clock::wall_ns().max(self.last_ts + 1);
        self.last_ts = ts_ns;
        AuditEntry {
            ts_ns,
            server: self.server.clone(),
            who: caller.name.clone(),
            role: caller.role.as_str().to_string(),
            cmd: cmd.to_string(),
            request: request_text(body),
            result: String::new(),
            message: String::new(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Spool> {
        self.spool.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Drop for Auditor {
    /// Ship what the store will take now; the rest waits in the spool for the next start.
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.shipper.take() {
            let _ = t.join();
        }
    }
}

fn outcome(result: &Result<Value, CtlError>) -> (String, String) {
    match result {
        Ok(_) => ("ok".to_string(), String::new()),
        Err(e) => (e.code.to_string(), e.message.clone()),
    }
}

fn request_text(body: &[u8]) -> String {
    let mut request = String::from_utf8_lossy(body).into_owned();
    if request.len() > MAX_REQUEST_TEXT {
        let mut cut = MAX_REQUEST_TEXT;
        while !request.is_char_boundary(cut) {
            cut -= 1;
        }
        request.truncate(cut);
        request.push_str("...");
    }
    request
}
