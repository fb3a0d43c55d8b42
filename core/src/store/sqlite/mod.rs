//! The SQLite store: one database file in WAL mode (`<dir>/store.sqlite`) that analysts can
//! query with `sqlite3`, pandas or DuckDB while the fleet runs.
//!
//! Only what the fleet needs at once stays in memory: the open orders, each robot's highest
//! order sequence number, the instrument registry and the changes not in the file yet.
//! Everything else is read from the file when asked for, so opening it and its memory do not
//! grow with its history.
//!
//! A write is one append to the store's own write-ahead log (`ahead.rs`: a few µs, synced by
//! the sync policy), not a SQLite commit (tens of µs, a `pwrite` per page it dirties): the
//! `store-sync` thread applies what was written to the database every 100 ms, in one
//! transaction (`apply.rs`), and a read of the file applies what is waiting first. Analysts
//! reading the file see the fleet's writes within about 100 ms.
//!
//! # Layout
//! - `mod.rs`: the store, opening it (applying what its ahead log holds beyond the file).
//! - `calls.rs`: its [`Store`] calls.
//! - `ahead.rs`: the write-ahead log; `apply.rs`: changes from it into the file.
//! - `schema.rs`: the tables (`docs/store.md` "SQLite"), rows to and from orders and trades.
//! - `query.rs`: lists, pages and positions.
//! - `sync.rs`: the sync policies and the `store-sync` thread (interval and group commit).
//! - `watchers.rs`: gateways and robots told of writes, in write order.
//!
//! # Concurrency
//! One connection behind one mutex, as in the embedded log store: a write checks, writes,
//! updates memory and notifies its watchers while holding it, so every watcher sees changes
//! in write order. Another process may read the file at any time (WAL readers do not block
//! the writer); a second store on the same file is refused (`store.sqlite.lock`).

pub mod ahead;
mod apply;
mod calls;
mod query;
mod schema;
mod sync;
#[cfg(test)]
mod tests;
mod watchers;

pub use schema::VERSION as SCHEMA_VERSION;

use self::sync::{Shared, WalSyncer};
use self::watchers::Watchers;
use super::embedded::SyncPolicy;
use super::{Order, StoreError};
use crossbeam_channel::Sender;
use robofleet_api::Instrument;
use rusqlite::Connection;
use schema::sql_err;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// The database's file name inside the store directory.
pub const DB_FILE: &str = "store.sqlite";
const LOCK_FILE: &str = "store.sqlite.lock";
/// How long a write waits for a reader's lock (a checkpoint) before it fails.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub struct SqliteStore {
    inner: Arc<Mutex<Inner>>,
    /// The connection changes are applied on; whoever holds it applies (in order).
    applier: Arc<Mutex<Connection>>,
    /// `always`: each write's append is synced before the call returns.
    sync_each: bool,
    path: PathBuf,
    dirty: Arc<AtomicBool>,
    /// Wakes the `store-sync` thread (each write under group commit). Kept under every
    /// policy: the thread ends when it is dropped.
    kick: Sender<()>,
    group: bool,
    /// Declared after `inner`'s users: syncs a last time and stops when dropped.
    _syncer: Option<WalSyncer>,
    /// Held while the store is open: a second store on the same file is refused.
    _lock: std::fs::File,
}

pub(super) struct Inner {
    conn: Connection,
    /// Orders not finished yet, by client id.
    open: HashMap<String, Order>,
    max_seq: HashMap<String, u64>,
    instruments: Vec<Instrument>,
    watchers: Watchers,
    ahead: ahead::AheadLog,
    /// Changes written to the ahead log and not yet applied to the file, in order.
    pending: Vec<(u64, ahead::Change)>,
    /// The latest state (and change number) of orders whose change is pending.
    unapplied: HashMap<String, (u64, Order)>,
    /// Exec ids of trades pending, by change number.
    unapplied_fills: HashMap<String, u64>,
    applied_op: u64,
    last_apply_error: Option<String>,
}

impl SqliteStore {
    /// Open (or create) the store in `dir`.
    pub fn open(dir: &Path, sync: SyncPolicy) -> Result<SqliteStore, StoreError> {
        let sync = match sync {
            SyncPolicy::IntervalMs(0) => SyncPolicy::EveryWrite,
            other => other,
        };
        std::fs::create_dir_all(dir)?;
        let lock = lock_dir(dir)?;
        let path = dir.join(DB_FILE);
        let conn = Connection::open(&path).map_err(sql_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sql_err)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(sql_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Unavailable(format!(
                "{} cannot use write-ahead logging (journal mode {mode})",
                path.display()
            )));
        }
        // The ahead log carries the sync policy; the file is synced at checkpoints, and
        // before the ahead log's applied segments are deleted.
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql_err)?;
        // Checkpoints are the `store-sync` thread's (see `sync.rs`), never a write's.
        conn.pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(sql_err)?;
        schema::create_or_check(&conn)?;
        apply::ensure_meta(&conn)?;
        let mut conn = conn;
        let next_op = recover_ahead(dir, &mut conn, &path)?;
        let ahead = ahead::AheadLog::start(dir, next_op)?;
        let open = query::open_orders(&conn)?;
        let max_seq = query::max_seqs(&conn)?;
        let instruments = query::instruments(&conn)?;
        tracing::debug!(
            "store: opened {} ({} open orders, sync {sync})",
            path.display(),
            open.len()
        );
        let inner = Arc::new(Mutex::new(Inner {
            conn,
            open,
            max_seq,
            instruments,
            watchers: Watchers::new(sync == SyncPolicy::Group),
            ahead,
            pending: Vec::new(),
            unapplied: HashMap::new(),
            unapplied_fills: HashMap::new(),
            applied_op: next_op - 1,
            last_apply_error: None,
        }));
        let applier = Arc::new(Mutex::new(applier_connection(&path)?));
        let dirty = Arc::new(AtomicBool::new(false));
        let (kick, kicked) = crossbeam_channel::bounded::<()>(1);
        let (every, syncs) = match sync {
            SyncPolicy::IntervalMs(ms) => (Duration::from_millis(ms).min(sync::APPLY_EVERY), true),
            // Kicked by each write; the timer applies and retries a failed sync.
            SyncPolicy::Group => (sync::APPLY_EVERY, true),
            _ => (sync::APPLY_EVERY, false),
        };
        let sync_every = match sync {
            SyncPolicy::IntervalMs(ms) => Duration::from_millis(ms),
            _ => Duration::ZERO,
        };
        let syncer = WalSyncer::start(
            Shared {
                inner: inner.clone(),
                applier: applier.clone(),
                wal: wal_path(&path),
                dirty: dirty.clone(),
                syncs,
                sync_every,
                db: path.clone(),
            },
            every,
            kicked,
        )?;
        Ok(SqliteStore {
            inner,
            applier,
            sync_each: sync == SyncPolicy::EveryWrite,
            path,
            dirty,
            kick,
            group: sync == SyncPolicy::Group,
            _syncer: Some(syncer),
            _lock: lock,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Force everything written so far to stable storage and into the file, whatever the
    /// policy (and hand on what group commit was holding for it).
    pub fn sync(&self) -> Result<(), StoreError> {
        self.flush()?;
        let mut inner = self.lock();
        self.sync_locked(&mut inner)?;
        sync::sync_wal(&wal_path(&self.path))?;
        Ok(())
    }

    /// Apply every change written so far to the file (what a read of the file does first).
    pub fn flush(&self) -> Result<(), StoreError> {
        apply::flush(&self.inner, &self.applier)
    }

    fn sync_locked(&self, inner: &mut Inner) -> Result<(), StoreError> {
        self.dirty.store(false, Ordering::Release);
        inner.ahead.sync_now()?;
        let mark = inner.watchers.mark();
        inner.watchers.deliver_before(mark);
        Ok(())
    }

    /// Append `change` to the ahead log (synced now under `always`) and queue it for the
    /// file; memory answers for it until it is applied.
    fn log(&self, inner: &mut Inner, change: ahead::Change) -> Result<(), StoreError> {
        let op = inner.ahead.append(&change)?;
        if self.sync_each {
            inner.ahead.sync_now()?;
        }
        match &change {
            ahead::Change::Order(o) => {
                inner.unapplied.insert(o.client_id.clone(), (op, o.clone()));
            }
            ahead::Change::Trade(t) => {
                inner.unapplied_fills.insert(t.exec_id.clone(), op);
            }
            _ => {}
        }
        inner.pending.push((op, change));
        self.wrote();
        Ok(())
    }

    /// After a write: the syncer has something to do.
    fn wrote(&self) {
        self.dirty.store(true, Ordering::Release);
        if self.group {
            let _ = self.kick.try_send(());
        }
    }

    /// Before a new watcher is told the state: what it holds must be durable, and what
    /// waits for that goes out first, to the watchers there already.
    fn settle(&self, inner: &mut Inner) -> Result<(), StoreError> {
        if inner.watchers.has_deferred() {
            self.sync_locked(inner)?;
        }
        Ok(())
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Nothing panics while holding the lock with half-applied state; recover if it did.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn wal_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

fn lock_dir(dir: &Path) -> Result<std::fs::File, StoreError> {
    let path = dir.join(LOCK_FILE);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Unavailable(format!(
            "{} is in use by another store",
            dir.join(DB_FILE).display()
        ))),
        Err(std::fs::TryLockError::Error(e)) => {
            tracing::warn!("store: cannot lock {} ({e}); going on", path.display());
            Ok(file)
        }
    }
}

impl Inner {
    /// The order `client_id`: open ones and ones with a change pending from memory,
    /// finished ones from the file.
    fn order(&self, client_id: &str) -> Result<Order, StoreError> {
        if let Some(o) = self.open.get(client_id) {
            return Ok(o.clone());
        }
        if let Some((_, o)) = self.unapplied.get(client_id) {
            return Ok(o.clone());
        }
        schema::order(&self.conn, client_id)?
            .ok_or_else(|| StoreError::UnknownOrder(client_id.to_string()))
    }

    /// Whether an order with this client id was ever written.
    fn has_order(&self, client_id: &str) -> Result<bool, StoreError> {
        Ok(self.open.contains_key(client_id)
            || self.unapplied.contains_key(client_id)
            || schema::has_order(&self.conn, client_id)?)
    }

    /// Keep the open orders in step with `order` as changed.
    fn track(&mut self, order: &Order) {
        if order.status.is_terminal() {
            self.open.remove(&order.client_id);
        } else {
            self.open.insert(order.client_id.clone(), order.clone());
        }
    }
}

impl Drop for SqliteStore {
    /// Everything into the file, the file synced, and the ahead log deleted: the next open
    /// has nothing to read in it.
    fn drop(&mut self) {
        let done = self.flush().and_then(|()| {
            sync::sync_wal(&wal_path(&self.path))?;
            Ok(())
        });
        match done {
            Ok(()) => {
                let dir = self
                    .path
                    .parent()
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                let mut inner = self.lock();
                if inner.pending.is_empty() {
                    inner.ahead.closed.clear();
                    for (_, path) in ahead::segments(&dir).unwrap_or_default() {
                        let _ = std::fs::remove_file(path);
                    }
                }
            }
            Err(e) => tracing::warn!("store: closing with writes still in the ahead log: {e}"),
        }
    }
}

/// The connection changes are applied on.
fn applier_connection(db: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(db).map_err(sql_err)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(sql_err)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(sql_err)?;
    conn.pragma_update(None, "wal_autocheckpoint", 0)
        .map_err(sql_err)?;
    Ok(conn)
}

/// Apply what the ahead log holds beyond the file (a crash before it was applied), make the
/// file durable, and delete the log. Returns the number the next change gets.
fn recover_ahead(dir: &Path, conn: &mut Connection, db: &Path) -> Result<u64, StoreError> {
    let applied = apply::applied_op(conn)?;
    let todo = ahead::read(dir, applied)?;
    let last = todo.last().map_or(0, |(op, _)| *op).max(applied);
    if !todo.is_empty() {
        tracing::info!(
            "store: applying {} changes from {}'s ahead log",
            todo.len(),
            db.display()
        );
        apply::apply(conn, &todo)?;
    }
    sync::sync_wal(&wal_path(db))?;
    for (_, path) in ahead::segments(dir)? {
        std::fs::remove_file(path)?;
    }
    Ok(last + 1)
}

/// What [`SqliteStore::import`] brought in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Imported {
    pub orders: usize,
    pub trades: usize,
    pub audit: usize,
    pub instruments: usize,
}

impl SqliteStore {
    /// Bring in another store's records as they stand (a log store's, for
    /// `robofleet store import`), in one transaction: all or nothing. Refused unless this
    /// store holds no orders and no trades yet.
    pub fn import(
        &self,
        orders: &[Order],
        trades: &[super::Trade],
        instruments: &[robofleet_api::Instrument],
        audit: &[super::AuditEntry],
    ) -> Result<Imported, StoreError> {
        self.flush()?;
        let mut inner = self.lock();
        let held: i64 = inner
            .conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM orders) + (SELECT COUNT(*) FROM trades)",
                [],
                |r| r.get(0),
            )
            .map_err(sql_err)?;
        if held > 0 {
            return Err(StoreError::Unavailable(format!(
                "{} already holds {held} orders and trades; import only into a new store",
                self.path.display()
            )));
        }
        let tx = inner.conn.transaction().map_err(sql_err)?;
        for o in orders {
            schema::upsert_order(&tx, o)?;
        }
        for t in trades {
            schema::insert_trade(&tx, t)?;
        }
        for e in audit {
            schema::insert_audit(&tx, e)?;
        }
        if !instruments.is_empty() {
            schema::put_instruments(&tx, instruments)?;
        }
        tx.commit().map_err(sql_err)?;
        self.sync_locked(&mut inner)?;
        inner.open = query::open_orders(&inner.conn)?;
        inner.max_seq = query::max_seqs(&inner.conn)?;
        inner.instruments = instruments.to_vec();
        Ok(Imported {
            orders: orders.len(),
            trades: trades.len(),
            audit: audit.len(),
            instruments: instruments.len(),
        })
    }
}
