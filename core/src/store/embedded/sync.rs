//! When the log reaches the disk: [`SyncPolicy`] and the background syncer for
//! [`SyncPolicy::IntervalMs`].

use crossbeam_channel::RecvTimeoutError;
use std::fmt;
use std::fs::File;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// When the embedded store forces its log to stable storage (`fsync`, as `sync_data`).
///
/// Whatever the policy, every record is handed to the operating system with one `write` before
/// the store call returns (there is no buffering in the process), so a killed or crashed
/// server loses nothing. The policy only decides what survives a power cut or a kernel crash:
///
/// - [`Never`](SyncPolicy::Never) (`"never"`): the OS writes the log back when it likes
///   (typically within ~30 s). Fastest; for tests and replays.
/// - [`EveryWrite`](SyncPolicy::EveryWrite) (`"always"`): every record is synced before the
///   call returns. Nothing acknowledged is ever lost, but each write costs a disk flush
///   (from tens of microseconds to milliseconds), which is far over the order-path budget.
/// - [`IntervalMs(n)`](SyncPolicy::IntervalMs) (`"interval:n"`, the default with n = 100): a
///   background thread syncs every `n` ms, and only when something was written since the last
///   sync; at most the last `n` ms of records can be lost to a power cut. Writers never wait
///   for the disk. Dropping the store stops the thread after a final sync. `n` must be at
///   least 1 (`IntervalMs(0)` is treated as `EveryWrite`).
/// - [`Group`](SyncPolicy::Group) (`"group"`): group commit. Writers never wait for the
///   disk, but what they wrote is acted on only once it is on it: the notifications a write
///   makes (a new order, amend or cancel for the gateway; an order change or a trade for
///   its robot) wait until the `store-group` thread's next `fdatasync` covers it, and one
///   sync covers every write made before it began. Nothing acknowledged downstream is ever
///   lost, as with `always`, at a fraction of its cost per write (`robofleet-bench fix`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncPolicy {
    Never,
    EveryWrite,
    IntervalMs(u64),
    Group,
}

impl Default for SyncPolicy {
    fn default() -> Self {
        SyncPolicy::IntervalMs(100)
    }
}

impl fmt::Display for SyncPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyncPolicy::Never => f.write_str("never"),
            SyncPolicy::EveryWrite => f.write_str("always"),
            SyncPolicy::IntervalMs(ms) => write!(f, "interval:{ms}"),
            SyncPolicy::Group => f.write_str("group"),
        }
    }
}

/// A string that is not `never`, `always`, `group` or `interval:<ms>` (ms >= 1).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid sync policy {0:?}: expected \"never\", \"always\", \"group\" or \"interval:<ms>\" with ms >= 1"
)]
pub struct ParseSyncPolicyError(pub String);

impl FromStr for SyncPolicy {
    type Err = ParseSyncPolicyError;

    /// Case-insensitive, surrounding whitespace ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        match t.as_str() {
            "never" => return Ok(SyncPolicy::Never),
            "always" => return Ok(SyncPolicy::EveryWrite),
            "group" => return Ok(SyncPolicy::Group),
            _ => {}
        }
        t.strip_prefix("interval:")
            .and_then(|ms| ms.trim().parse::<u64>().ok())
            .filter(|&ms| ms >= 1)
            .map(SyncPolicy::IntervalMs)
            .ok_or_else(|| ParseSyncPolicyError(s.to_string()))
    }
}

/// The background thread of `IntervalMs`: syncs `file` when `dirty` was set.
pub(super) struct Syncer {
    /// Dropping it disconnects the channel, which stops the thread.
    stop: Option<crossbeam_channel::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Syncer {
    pub(super) fn start(
        file: File,
        dirty: Arc<AtomicBool>,
        interval: Duration,
    ) -> std::io::Result<Syncer> {
        let (stop, stopped) = crossbeam_channel::bounded::<()>(0);
        let thread = std::thread::Builder::new()
            .name("store-sync".into())
            .spawn(move || loop {
                let done = !matches!(
                    stopped.recv_timeout(interval),
                    Err(RecvTimeoutError::Timeout)
                );
                sync_if_dirty(&file, &dirty);
                if done {
                    break;
                }
            })?;
        Ok(Syncer {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

fn sync_if_dirty(file: &File, dirty: &AtomicBool) {
    if dirty.swap(false, Ordering::AcqRel) {
        if let Err(e) = file.sync_data() {
            dirty.store(true, Ordering::Release);
            tracing::warn!("store: background fsync failed (will retry): {e}");
        }
    }
}

impl Drop for Syncer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
