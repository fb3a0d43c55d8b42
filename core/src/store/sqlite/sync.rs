//! When the SQLite store's writes reach the disk, by [`SyncPolicy`]. A write is an append to
//! the store's ahead log (`ahead.rs`), and the policy is that log's:
//!
//! - `never`: the OS writes back when it likes.
//! - `always`: every write's append is `fdatasync`ed before its call returns.
//! - `interval:n` (the default, n = 100): the `store-sync` thread `fdatasync`s the ahead log
//!   every `n` ms when something was written: at most the last `n` ms can be lost to a power
//!   cut.
//! - `group`: what a write makes known (to a gateway, to a robot) waits until the
//!   `store-sync` thread's next `fdatasync` of the ahead log covers it.
//!
//! Whatever the policy, each write is handed to the OS before its call returns, so a killed
//! server loses nothing. The thread also applies what was written to the database every
//! [`APPLY_EVERY`] (`apply.rs`; the database runs `synchronous = NORMAL`), and deletes an
//! ahead log segment once all of it is applied and the database's WAL is synced.
//!
//! Checkpoints (copying the WAL into the database file, with an `fsync` of each under
//! `NORMAL`) are this thread's too, at most every [`CHECKPOINT_EVERY`], on a connection of
//! its own (`PASSIVE`: it never waits for a reader or the writer): SQLite's automatic
//! checkpoint would run inside a write, and cost it milliseconds.

use super::Inner;
use crossbeam_channel::{select, Receiver, Sender};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a failed sync waits before the next try.
const RETRY: Duration = Duration::from_millis(10);
/// How often the WAL is copied into the database file, at most.
pub(super) const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// How often what was written is applied to the database, at most (reads apply at once).
pub(super) const APPLY_EVERY: Duration = Duration::from_millis(100);

/// The `store-sync` thread: syncs for `interval:n` and `group`, checkpoints for all.
pub(super) struct WalSyncer {
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// What the thread shares with the writers.
pub(super) struct Shared {
    pub(super) inner: Arc<Mutex<Inner>>,
    pub(super) applier: Arc<Mutex<rusqlite::Connection>>,
    /// The database's write-ahead log (`<file>-wal`).
    pub(super) wal: PathBuf,
    /// Set by each write; the thread syncs only when it is.
    pub(super) dirty: Arc<AtomicBool>,
    /// Whether the thread syncs the ahead log (`interval:n`, `group`), and how often at most
    /// (zero: whenever it wakes).
    pub(super) syncs: bool,
    pub(super) sync_every: Duration,
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
                let (mut synced_at, mut applied_at) = (Instant::now(), Instant::now());
                loop {
                    let last = select! {
                        recv(kick) -> k => k.is_err(),
                        recv(stopped) -> _ => true,
                        default(every) => false,
                    };
                    // A final round at the stop, so nothing written is left unsynced.
                    if shared.syncs && (last || synced_at.elapsed() >= shared.sync_every) {
                        synced_at = Instant::now();
                        round(&shared, last);
                    }
                    if last || applied_at.elapsed() >= APPLY_EVERY {
                        applied_at = Instant::now();
                        apply_and_prune(&shared);
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

/// Apply what was written to the database; delete the ahead log's closed segments it
/// covers once the database's WAL is synced.
fn apply_and_prune(shared: &Shared) {
    if let Err(e) = super::apply::flush(&shared.inner, &shared.applier) {
        tracing::warn!("store: applying writes to the database failed (will retry): {e}");
        return;
    }
    let done: Vec<PathBuf> = {
        let inner = lock(&shared.inner);
        let applied = inner.applied_op;
        inner
            .ahead
            .closed
            .iter()
            .filter(|c| c.last_op <= applied)
            .map(|c| c.path.clone())
            .collect()
    };
    if done.is_empty() {
        return;
    }
    if let Err(e) = sync_wal(&shared.wal) {
        tracing::warn!("store: WAL fsync failed (will retry): {e}");
        return;
    }
    for path in &done {
        match std::fs::remove_file(path) {
            // Gone already: the store's close deleted the whole log meanwhile.
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                tracing::warn!("store: cannot delete {}: {e}", path.display())
            }
            _ => {}
        }
    }
    lock(&shared.inner)
        .ahead
        .closed
        .retain(|c| !done.contains(&c.path));
}

/// Sync the ahead log: its closed segments not synced yet and the one being written.
fn sync_ahead(inner: &Mutex<Inner>) -> std::io::Result<()> {
    let files = {
        let inner = lock(inner);
        let mut files = vec![inner.ahead.current()?];
        for c in &inner.ahead.closed {
            files.push(c.file.try_clone()?);
        }
        files
    };
    files.iter().try_for_each(|f| f.sync_data())
}

/// Sync what was written, then hand on what that sync covered.
fn round(shared: &Shared, last: bool) {
    loop {
        let mark = lock(&shared.inner).watchers.mark();
        let synced = if shared.dirty.swap(false, Ordering::AcqRel) {
            sync_ahead(&shared.inner)
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
                tracing::warn!("store: ahead log fsync failed (will retry): {e}");
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
