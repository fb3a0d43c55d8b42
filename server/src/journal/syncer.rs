//! Batched fsync off the robots' workers.
//!
//! Under `JournalSync::Batch(every)` a robot's worker only writes (write-ahead: the records
//! are with the OS before its actions leave it, which is all a killed process needs); making
//! them durable against a power cut is this one process-wide thread's job, at most `every`
//! after the first unsynced write. So no robot ever waits on the disk in its tick -> order
//! path: an `fdatasync` here takes 0.2 to several ms, 10 to 100 ticks of a busy symbol.
//!
//! A journal marks its current segment dirty after a write; the first mark since the last
//! sync queues it and wakes the thread, which waits out the batch interval and then syncs
//! every queued segment. An idle fleet queues nothing, and the thread sleeps.
//!
//! A batch of many segments on one filesystem (a fleet of busy robots) is made durable with
//! one `syncfs` instead of an `fdatasync` each: 1,000 robots' journals cost this thread a
//! quarter of a core in `fdatasync`s alone.

use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// One journal segment's file, shared by its writer and the syncer.
pub struct SyncTarget {
    pub file: File,
    pub path: PathBuf,
    /// The filesystem it is on (`st_dev`; 0 unknown: always synced alone).
    dev: u64,
    /// Written since it was last queued.
    dirty: AtomicBool,
    /// The last sync error, for the writer to report (and fail its robot) at its next flush.
    failed: Mutex<Option<String>>,
    /// Background syncs done.
    syncs: AtomicU64,
}

impl SyncTarget {
    pub fn new(file: File, path: PathBuf) -> Arc<SyncTarget> {
        use std::os::unix::fs::MetadataExt;
        let dev = file.metadata().map_or(0, |m| m.dev());
        Arc::new(SyncTarget {
            file,
            path,
            dev,
            dirty: AtomicBool::new(false),
            failed: Mutex::new(None),
            syncs: AtomicU64::new(0),
        })
    }

    /// Background syncs of this segment so far.
    pub fn syncs(&self) -> u64 {
        self.syncs.load(Ordering::Relaxed)
    }

    /// A background sync that failed since the last call, if any.
    pub fn take_failure(&self) -> Option<String> {
        self.failed.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

struct Queue {
    /// (target, when it was queued, its batch interval)
    items: Vec<(Arc<SyncTarget>, Instant, Duration)>,
}

struct Syncer {
    queue: Mutex<Queue>,
    wake: Condvar,
}

fn syncer() -> &'static Syncer {
    static SYNCER: OnceLock<&'static Syncer> = OnceLock::new();
    SYNCER.get_or_init(|| {
        let s: &'static Syncer = Box::leak(Box::new(Syncer {
            queue: Mutex::new(Queue { items: Vec::new() }),
            wake: Condvar::new(),
        }));
        if let Err(e) = std::thread::Builder::new()
            .name("journal-sync".into())
            .spawn(move || run(s))
        {
            // Without the thread, batched journals are synced at their writers' next
            // `sync_now` (graceful end) only: say so, once.
            tracing::error!("cannot start the journal sync thread: {e}");
        }
        s
    })
}

/// `target` was written: have it synced within `every`.
pub fn mark_dirty(target: &Arc<SyncTarget>, every: Duration) {
    if target.dirty.swap(true, Ordering::AcqRel) {
        return; // already queued
    }
    let s = syncer();
    let mut q = s.queue.lock().unwrap_or_else(|e| e.into_inner());
    q.items.push((Arc::clone(target), Instant::now(), every));
    if q.items.len() == 1 {
        s.wake.notify_one();
    }
}

fn run(s: &'static Syncer) {
    loop {
        let mut q = s.queue.lock().unwrap_or_else(|e| e.into_inner());
        while q.items.is_empty() {
            q = s.wake.wait(q).unwrap_or_else(|e| e.into_inner());
        }
        // Let the batch gather until the oldest queued write is due.
        let due = q
            .items
            .iter()
            .map(|(_, at, every)| *at + *every)
            .min()
            .unwrap_or_else(Instant::now);
        drop(q);
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        let mut batch =
            std::mem::take(&mut s.queue.lock().unwrap_or_else(|e| e.into_inner()).items);
        for (target, _, _) in &batch {
            // Cleared before the sync: a write during it marks (and queues) the file again.
            target.dirty.store(false, Ordering::Release);
        }
        batch.sort_by_key(|(t, _, _)| t.dev);
        for group in batch.chunk_by(|a, b| a.0.dev == b.0.dev) {
            if group.len() >= SYNCFS_FROM && group[0].0.dev != 0 {
                let result = syncfs(&group[0].0.file);
                for (target, _, _) in group {
                    settle(target, result.as_ref().map_err(|e| format!("syncfs: {e}")));
                }
            } else {
                for (target, _, _) in group {
                    let result = target.file.sync_data();
                    settle(target, result.as_ref().map_err(|e| format!("fsync: {e}")));
                }
            }
        }
    }
}

/// Segments of one filesystem in a batch from which one `syncfs` replaces their `fdatasync`s.
const SYNCFS_FROM: usize = 8;

/// Everything written to the filesystem holding `file` reaches the disk (Linux reports
/// write-back errors since the last `syncfs` here, as `fdatasync` does for one file).
fn syncfs(file: &File) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: a valid open descriptor, borrowed for the call.
    match unsafe { libc::syncfs(file.as_raw_fd()) } {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

fn settle(target: &SyncTarget, result: Result<&(), String>) {
    match result {
        Ok(()) => {
            target.syncs.fetch_add(1, Ordering::Relaxed);
        }
        Err(e) => {
            tracing::error!("journal {}: {e}", target.path.display());
            *target.failed.lock().unwrap_or_else(|e| e.into_inner()) =
                Some(format!("sync of {} failed: {e}", target.path.display()));
        }
    }
}
