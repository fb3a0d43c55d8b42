//! Retention: segments older than the oldest checkpoint kept are no longer needed to
//! restart; they are archived (zstd, `N.rfj.zst`, still read by replay) or deleted.

use super::{checkpoint, is_archived, list_segments, JournalError, ARCHIVED_SUFFIX};
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Retention {
    /// Leave every segment as it is.
    Keep,
    /// Compress old segments with zstd; `robofleet replay` reads them as they are.
    #[default]
    Archive,
    /// Delete old segments: a replay then starts at the oldest checkpoint kept.
    Delete,
}

impl std::str::FromStr for Retention {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "keep" => Ok(Retention::Keep),
            "archive" => Ok(Retention::Archive),
            "delete" => Ok(Retention::Delete),
            _ => Err(format!(
                "journal retention {s:?}: use keep, archive or delete"
            )),
        }
    }
}

/// What [`apply`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Retained {
    pub archived: u64,
    pub deleted: u64,
    /// Bytes the segments it touched took before, and take now.
    pub bytes_before: u64,
    pub bytes_after: u64,
}

/// Archive or delete every segment before `keep_from`, and the checkpoint files before it.
pub fn apply(dir: &Path, keep_from: u64, policy: Retention) -> Result<Retained, JournalError> {
    let mut done = Retained::default();
    if policy == Retention::Keep {
        return Ok(done);
    }
    for (no, path) in list_segments(dir)? {
        if no >= keep_from {
            break;
        }
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        match policy {
            Retention::Archive if is_archived(&path) => continue,
            Retention::Archive => {
                done.bytes_before += size;
                done.bytes_after += archive(dir, no, &path)?;
                done.archived += 1;
            }
            _ => {
                done.bytes_before += size;
                std::fs::remove_file(&path).map_err(|e| JournalError::io(&path, e))?;
                done.deleted += 1;
            }
        }
        // Its checkpoint file, one set aside, and what a crash left half written.
        let rfc = checkpoint::file_path(dir, no);
        let archive_tmp = dir.join(format!("{no:08}{ARCHIVED_SUFFIX}.tmp"));
        for stale in [
            rfc.clone(),
            rfc.with_extension("rfc.bad"),
            rfc.with_extension("rfc.tmp"),
            archive_tmp,
        ] {
            let _ = std::fs::remove_file(stale);
        }
    }
    Ok(done)
}

/// Compress segment `no` into `N.rfj.zst` (synced, renamed into place), then remove it.
/// A crash in between leaves both, and readers take the live one.
fn archive(dir: &Path, no: u64, path: &Path) -> Result<u64, JournalError> {
    let target = dir.join(format!("{no:08}{ARCHIVED_SUFFIX}"));
    let tmp = target.with_extension("zst.tmp");
    let io = |e| JournalError::io(&tmp, e);
    let mut input = std::fs::File::open(path).map_err(|e| JournalError::io(path, e))?;
    let out = std::fs::File::create(&tmp).map_err(io)?;
    // Level 3: zstd's default; about 200 MB/s here, a background thread's work.
    let mut enc = zstd::Encoder::new(out, 3).map_err(io)?;
    std::io::copy(&mut input, &mut enc).map_err(io)?;
    let out = enc.finish().map_err(io)?;
    out.sync_data().map_err(io)?;
    let size = out.metadata().map(|m| m.len()).unwrap_or(0);
    std::fs::rename(&tmp, &target).map_err(|e| JournalError::io(&target, e))?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    std::fs::remove_file(path).map_err(|e| JournalError::io(path, e))?;
    Ok(size)
}
