//! Each robot's journal: every event that enters its loop, in loop order, before the robot
//! handles it, and the actions it returned after; enough to rebuild its state exactly.
//!
//! # Layout
//! - [`format`]: segments, record framing (length + CRC32), record kinds and bodies.
//! - [`writer`]: appending with write-ahead flushes, sync policies, torn-tail repair.
//! - [`syncer`]: the one background thread that fsyncs journals under a batched policy.
//! - [`reader`]: walking the records in order.
//! - `ahead`: the same walk with the reading done on a second thread ([`JournalReader::walk_ahead`]).
//! - [`history`]: a journal read back as runs (Begin .. events .. End) for recovery and replay.
//! - [`checkpoint`]: a robot's state at a segment boundary (`N.rfc` beside `N.rfj`), and
//!   which checkpoints a replay has confirmed.
//! - [`retention`]: segments older than the checkpoints kept, archived (zstd) or deleted.
//!
//! A robot's journal lives in `<journal dir>/<robot name>/` as `00000001.rfj`, `00000002.rfj`,
//! ... See `docs/journal.md` for the format.

mod ahead;
pub mod checkpoint;
pub mod format;
pub mod history;
pub mod reader;
pub mod retention;
pub mod syncer;
pub mod writer;

#[cfg(test)]
mod checkpoint_tests;
#[cfg(test)]
mod tests;

pub use format::{RawRecord, RecordKind};
pub use reader::{JournalReader, WalkSummary};
pub use writer::{JournalOptions, JournalSync, JournalWriter, TailRepair};

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("journal {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("journal {path} is corrupt: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error("no journal at {0}")]
    Missing(PathBuf),
    #[error("a journal record of {0} bytes is too large")]
    TooLarge(usize),
}

impl JournalError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        JournalError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    fn corrupt(path: &Path, reason: impl Into<String>) -> Self {
        JournalError::Corrupt {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }
}

/// A robot's journal directory under the journal root.
pub fn robot_dir(root: &Path, robot: &str) -> PathBuf {
    root.join(robot)
}

/// What an archived segment's name ends with: `00000001.rfj.zst`.
pub const ARCHIVED_SUFFIX: &str = ".rfj.zst";

/// Whether `path` names an archived (zstd-compressed) segment.
pub fn is_archived(path: &Path) -> bool {
    path.to_str().is_some_and(|p| p.ends_with(ARCHIVED_SUFFIX))
}

fn segment_path(dir: &Path, no: u64) -> PathBuf {
    dir.join(format!("{no:08}.rfj"))
}

/// The segments in `dir`, in order.
fn list_segments(dir: &Path) -> Result<Vec<(u64, PathBuf)>, JournalError> {
    let entries = std::fs::read_dir(dir).map_err(|e| JournalError::io(dir, e))?;
    let mut segments = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| JournalError::io(dir, e))?;
        let name = entry.file_name();
        // A live segment, or one archived by retention (read back through zstd).
        let Some(stem) = name.to_str().and_then(|n| {
            n.strip_suffix(".rfj")
                .or_else(|| n.strip_suffix(ARCHIVED_SUFFIX))
        }) else {
            continue;
        };
        if let Ok(no) = stem.parse::<u64>() {
            segments.push((no, entry.path()));
        }
    }
    segments.sort();
    // A segment both live and archived (a crash mid-archive): the live one is whole.
    segments.dedup_by(|later, earlier| {
        let same = later.0 == earlier.0;
        if same && is_archived(&earlier.1) {
            std::mem::swap(later, earlier);
        }
        same
    });
    Ok(segments)
}
