//! The thread that moves answered audit entries from the spool into the store, in order,
//! retrying for as long as the store is away. The control thread never waits on the store
//! for the audit log.

use super::spool::Spool;
use crate::stats::FleetStats;
use crate::store::{AuditEntry, Store, StoreError};
use crossbeam_channel::{Receiver, RecvTimeoutError};
use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub(super) struct Shipper {
    pub(super) rx: Receiver<AuditEntry>,
    pub(super) store: Arc<dyn Store>,
    pub(super) spool: Arc<Mutex<Spool>>,
    pub(super) stats: Arc<FleetStats>,
}

impl Shipper {
    /// Ship until the sender is gone and everything is shipped, or the sender is gone and
    /// the store refuses: what is left stays in the spool for the next start.
    pub(super) fn run(self) {
        let mut queue: VecDeque<AuditEntry> = VecDeque::new();
        let mut closed = false;
        let mut backoff = Duration::from_millis(50);
        loop {
            if queue.is_empty() {
                if closed {
                    return;
                }
                match self.rx.recv() {
                    Ok(e) => queue.push_back(e),
                    Err(_) => return,
                }
            }
            queue.extend(self.rx.try_iter());
            let Some(entry) = queue.front() else { continue };
            match self.store.append_audit(entry) {
                Ok(()) => {
                    backoff = Duration::from_millis(50);
                    self.mark_shipped(entry.ts_ns);
                    queue.pop_front();
                }
                Err(e @ (StoreError::Unavailable(_) | StoreError::Io(_))) => {
                    if closed {
                        tracing::warn!(
                            "{} audit entries not yet in the store ({e}): they stay in the spool for the next start",
                            queue.len()
                        );
                        return;
                    }
                    tracing::warn!("audit entry waits for the store: {e}");
                    match self.rx.recv_timeout(backoff) {
                        Ok(e) => queue.push_back(e),
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => closed = true,
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                }
                Err(e) => {
                    // Not a store that is away: retrying cannot help. The entry stays in
                    // the server's log in full.
                    self.stats
                        .control_audit_failed
                        .fetch_add(1, Ordering::Relaxed);
                    tracing::error!(
                        "the store refused an audit entry ({e}); the entry: {}",
                        serde_json::to_string(entry).unwrap_or_default()
                    );
                    self.mark_shipped(entry.ts_ns);
                    queue.pop_front();
                }
            }
        }
    }

    fn mark_shipped(&self, ts_ns: i64) {
        let mut spool = self.spool.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = spool.shipped(ts_ns) {
            // Only costs a second shipping of entries the store already has, after a crash.
            tracing::warn!("audit spool: cannot mark an entry shipped: {e}");
        }
        self.stats
            .control_audit_pending
            .store(spool.pending() as u64, Ordering::Relaxed);
    }
}
