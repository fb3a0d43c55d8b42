//! When the SQLite store's writes reach the disk, by [`SyncPolicy`]:
//!
//! - `never`: `PRAGMA synchronous = OFF`; the OS writes back when it likes.
//! - `always`: `synchronous = FULL`; every write's commit syncs the write-ahead log.
//! - `interval:n` (the default, n = 100): `synchronous = NORMAL` (the WAL is synced at each
//!   checkpoint), and the `store-sync` thread `fdatasync`s the WAL every `n` ms when
//!   something was written: at most the last `n` ms can be lost to a power cut.
//! - `group`: `synchronous = NORMAL`, and what a write makes known (to a gateway, to a
//!   robot) waits until the `store-sync` thread's next `fdatasync` of the WAL covers it.
//!
//! Whatever the policy, each write is committed (handed to the OS) before its call returns,
//! so a killed server loses nothing.
//!
//! Checkpoints (copying the WAL into the database file, with an `fsync` of each under
//! `NORMAL`) are this thread's too, at most every [`CHECKPOINT_EVERY`], on a connection of
//! its own (`PASSIVE`: it never waits for a reader or the writer): SQLite's automatic
//! checkpoint would run inside a write, and cost it milliseconds.

use super::Inner;
use crate::store::embedded::SyncPolicy;
use crossbeam_channel::{select, Receiver, Sender};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a failed sync waits before the next try.
const RETRY: Duration = Duration::from_millis(10);
/// How often the WAL is copied into the database file, at most.
pub(super) const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// The `PRAGMA synchronous` value a policy runs with.
pub(super) fn synchronous(policy: SyncPolicy) -> &'static str {
    match policy {
        SyncPolicy::Never => "OFF",
        SyncPolicy::EveryWrite => "FULL",
        SyncPolicy::IntervalMs(_) | SyncPolicy::Group => "NORMAL",
    }
}

/// The `store-sync` thread: syncs for `interval:n` and `group`, checkpoints for all.
pub(super) struct WalSyncer {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// What the thread shares with the writers.
pub(super) struct Shared {
    pub(super) inner: Arc<Mutex<Inner>>,
    /// The database's write-ahead log (`<file>-wal`).
    pub(super) wal: PathBuf,
    /// Set by each write; the thread syncs only when it is.
    pub(super) dirty: Arc<AtomicBool>,
    /// Whether the thread syncs the WAL (`interval:n`, `group`) or only checkpoints.
    pub(super) syncs: bool,
    /// The database, for the thread's own connection.
    pub(super) db: PathBuf,
}

impl WalSyncer {
    /// `kick` wakes the thread at once (group commit: each write sends one); without it the
    /// thread syncs every `every`.
    pub(super) fn start(
        shared: Shared,
        every: Duration,
        kick: Receiver<()>,
    ) -> std::io::Result<WalSyncer> {
        let (stop, stopped) = crossbeam_channel::bounded::<()>(0);
        let thread = std::thread::Builder::new()
            .name("store-sync".into())
            .spawn(move || {
                let mut checkpoints = Checkpoints::new(&shared.db);
                loop {
                    let last = select! {
                        recv(kick) -> k => k.is_err(),
                        recv(stopped) -> _ => true,
                        default(every) => false,
                    };
                    // A final round at the stop, so nothing written is left unsynced.
                    if shared.syncs {
                        round(&shared, last);
                    }
                    checkpoints.maybe(last);
                    if last {
                        break;
                    }
                }
            })?;
        Ok(WalSyncer {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

/// Sync what was written, then hand on what that sync covered.
fn round(shared: &Shared, last: bool) {
    loop {
        let mark = lock(&shared.inner).watchers.mark();
        let synced = if shared.dirty.swap(false, Ordering::AcqRel) {
            sync_wal(&shared.wal)
        } else {
            Ok(())
        };
        match synced {
            Ok(()) => {
                lock(&shared.inner).watchers.deliver_before(mark);
                return;
            }
            Err(e) => {
                shared.dirty.store(true, Ordering::Release);
                tracing::warn!("store: WAL fsync failed (will retry): {e}");
                if last {
                    return;
                }
                std::thread::sleep(RETRY);
            }
        }
    }
}

/// `fdatasync` the write-ahead log (absent: nothing was written since the last checkpoint).
pub(super) fn sync_wal(wal: &std::path::Path) -> std::io::Result<()> {
    match std::fs::OpenOptions::new().write(true).open(wal) {
        Ok(f) => f.sync_data(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// The thread's own connection, checkpointing at most every [`CHECKPOINT_EVERY`].
struct Checkpoints {
    conn: Option<rusqlite::Connection>,
    last: std::time::Instant,
}

impl Checkpoints {
    fn new(db: &std::path::Path) -> Checkpoints {
        let conn = rusqlite::Connection::open(db)
            .inspect_err(|e| tracing::warn!("store: no checkpoint connection ({e})"))
            .ok();
        Checkpoints {
            conn,
            last: std::time::Instant::now(),
        }
    }

    fn maybe(&mut self, now: bool) {
        if !now && self.last.elapsed() < CHECKPOINT_EVERY {
            return;
        }
        self.last = std::time::Instant::now();
        if let Some(conn) = &self.conn {
            let done: rusqlite::Result<(i64, i64, i64)> =
                conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                });
            if let Err(e) = done {
                tracing::warn!("store: checkpoint failed (will retry): {e}");
            }
        }
    }
}

fn lock(inner: &Mutex<Inner>) -> std::sync::MutexGuard<'_, Inner> {
    inner.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Drop for WalSyncer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
