//! Appending to a robot's journal: buffered, flushed to the OS before any action leaves the
//! robot (write-ahead), fsynced by the configured policy, torn tail cut off at open.

use super::format::{self, RecordKind, SEGMENT_HEADER_LEN};
use super::syncer::{self, SyncTarget};
use super::{is_archived, list_segments, segment_path, JournalError};
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// When appended records are forced to disk. Every policy hands records to the OS before
/// the robot's actions are carried out, so a killed process loses nothing it acted on; the
/// policy decides what a power cut can take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JournalSync {
    /// Never fsync: the OS writes back when it likes.
    Os,
    /// fsync within this long of a write, on a background thread (batched): the robot's
    /// thread never waits on the disk.
    Batch(Duration),
    /// fsync at every flush, on the robot's worker.
    Always,
}

impl Default for JournalSync {
    fn default() -> Self {
        JournalSync::Batch(Duration::from_millis(10))
    }
}

impl std::str::FromStr for JournalSync {
    type Err = String;
    /// `os`, `always`, or `batch:<ms>` (`batch` alone is 10 ms).
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "os" | "none" => Ok(JournalSync::Os),
            "always" => Ok(JournalSync::Always),
            "batch" => Ok(JournalSync::default()),
            _ => s
                .strip_prefix("batch:")
                .and_then(|ms| ms.trim_end_matches("ms").parse::<u64>().ok())
                .map(|ms| JournalSync::Batch(Duration::from_millis(ms)))
                .ok_or_else(|| format!("journal sync {s:?}: use os, always or batch:<ms>")),
        }
    }
}

#[derive(Clone, Debug)]
pub struct JournalOptions {
    pub sync: JournalSync,
    /// Start a new segment once the current one is this big.
    pub segment_bytes: u64,
    /// Buffer this much before handing it to the OS (a flush empties it sooner).
    pub buffer_bytes: usize,
    /// When the robot's state is checkpointed, and what is kept (the robot's loop and the
    /// checkpoint thread act on it; the writer only starts the segments).
    pub checkpoint: super::checkpoint::CheckpointPolicy,
}

impl Default for JournalOptions {
    fn default() -> Self {
        JournalOptions {
            sync: JournalSync::default(),
            segment_bytes: 64 << 20,
            buffer_bytes: 16 << 10,
            checkpoint: Default::default(),
        }
    }
}

/// What opening found at the end of the journal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TailRepair {
    /// Bytes of a torn last record cut off, and why.
    pub cut_bytes: u64,
    pub reason: Option<String>,
}

pub struct JournalWriter {
    dir: PathBuf,
    opts: JournalOptions,
    segment_no: u64,
    /// The current segment, shared with the background syncer.
    target: Arc<SyncTarget>,
    /// Bytes in the current segment, including what is still buffered.
    segment_len: u64,
    buf: Vec<u8>,
    /// Written to the OS since this writer last fsynced it itself.
    unsynced: bool,
}

impl JournalWriter {
    /// Open `dir` for appending (creating it), cutting off a torn tail of the last segment.
    pub fn open(dir: &Path, opts: JournalOptions) -> Result<(Self, TailRepair), JournalError> {
        std::fs::create_dir_all(dir).map_err(|e| JournalError::io(dir, e))?;
        let segments = list_segments(dir)?;
        let mut repair = TailRepair::default();
        let (segment_no, target, segment_len) = match segments.last() {
            None => {
                let (f, len) = new_segment(dir, 1)?;
                (1, f, len)
            }
            // Archived segments are closed: a new one follows them.
            Some(&(no, ref path)) if is_archived(path) => {
                let (f, len) = new_segment(dir, no + 1)?;
                (no + 1, f, len)
            }
            Some(&(no, ref path)) => {
                let bytes = std::fs::read(path).map_err(|e| JournalError::io(path, e))?;
                let valid = if bytes.len() < SEGMENT_HEADER_LEN {
                    // Crashed while writing the header: the segment holds nothing yet.
                    repair.reason = Some("segment header cut short".into());
                    0
                } else {
                    format::check_segment_header(&bytes)
                        .map_err(|e| JournalError::corrupt(path, e))?;
                    valid_prefix(&bytes, &mut repair)
                };
                repair.cut_bytes = (bytes.len() - valid) as u64;
                let file = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| JournalError::io(path, e))?;
                file.set_len(valid as u64)
                    .map_err(|e| JournalError::io(path, e))?;
                let mut file = file;
                use std::io::Seek;
                file.seek(std::io::SeekFrom::End(0))
                    .map_err(|e| JournalError::io(path, e))?;
                if valid == 0 {
                    file.write_all(&format::segment_header())
                        .map_err(|e| JournalError::io(path, e))?;
                }
                let target = SyncTarget::new(file, path.clone());
                (no, target, valid.max(SEGMENT_HEADER_LEN) as u64)
            }
        };
        let buffer_bytes = opts.buffer_bytes;
        let writer = JournalWriter {
            dir: dir.to_path_buf(),
            opts,
            segment_no,
            target,
            segment_len,
            buf: Vec::with_capacity(buffer_bytes + 256),
            unsynced: false,
        };
        Ok((writer, repair))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The number of the segment being appended to.
    pub fn segment_no(&self) -> u64 {
        self.segment_no
    }

    /// Close the current segment and start the next, whose first record is `kind` with
    /// `body` (a checkpoint), handed to the OS before this returns. Returns its number.
    pub fn start_segment_with(
        &mut self,
        kind: RecordKind,
        body: &[u8],
    ) -> Result<u64, JournalError> {
        self.roll()?;
        self.append(kind, body)?;
        self.flush()?;
        Ok(self.segment_no)
    }

    /// Append one record (buffered). Hands the buffer to the OS when it is full.
    pub fn append(&mut self, kind: RecordKind, body: &[u8]) -> Result<(), JournalError> {
        if body.len() + 1 > format::MAX_RECORD_LEN {
            return Err(JournalError::TooLarge(body.len()));
        }
        if self.segment_len >= self.opts.segment_bytes {
            self.roll()?;
        }
        let before = self.buf.len();
        format::frame(kind, body, &mut self.buf);
        self.segment_len += (self.buf.len() - before) as u64;
        if self.buf.len() >= self.opts.buffer_bytes {
            self.write_out()?;
        }
        Ok(())
    }

    /// Hand everything appended to the OS, and fsync if the policy says so now. Under a
    /// batched policy the fsync is the background syncer's; its failure shows here.
    pub fn flush(&mut self) -> Result<(), JournalError> {
        self.write_out()?;
        match self.opts.sync {
            JournalSync::Os => {}
            JournalSync::Always if self.unsynced => self.fsync()?,
            JournalSync::Always => {}
            JournalSync::Batch(_) => {
                if let Some(e) = self.target.take_failure() {
                    return Err(JournalError::io(
                        &self.target.path,
                        std::io::Error::other(e),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Hand everything to the OS and fsync it, whatever the policy (at a graceful end).
    pub fn sync_now(&mut self) -> Result<(), JournalError> {
        self.write_out()?;
        if self.unsynced {
            self.fsync()?;
        }
        Ok(())
    }

    /// Whether records are buffered that the OS has not seen.
    pub fn has_buffered(&self) -> bool {
        !self.buf.is_empty()
    }

    /// Background fsyncs of the current segment so far.
    pub fn background_syncs(&self) -> u64 {
        self.target.syncs()
    }

    fn write_out(&mut self) -> Result<(), JournalError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let result = (&self.target.file).write_all(&self.buf);
        self.buf.clear();
        self.unsynced = true;
        if let JournalSync::Batch(every) = self.opts.sync {
            syncer::mark_dirty(&self.target, every);
        }
        result.map_err(|e| JournalError::io(&self.target.path, e))
    }

    fn fsync(&mut self) -> Result<(), JournalError> {
        self.target
            .file
            .sync_data()
            .map_err(|e| JournalError::io(&self.target.path, e))?;
        self.unsynced = false;
        Ok(())
    }

    fn roll(&mut self) -> Result<(), JournalError> {
        // Under a batched policy the syncer holds the closed segment until it is synced:
        // the robot's worker does not wait for the disk here either.
        self.flush()?;
        if self.unsynced && !matches!(self.opts.sync, JournalSync::Batch(_)) {
            self.fsync()?;
        }
        let (target, len) = new_segment(&self.dir, self.segment_no + 1)?;
        self.segment_no += 1;
        self.target = target;
        self.segment_len = len;
        Ok(())
    }
}

impl Drop for JournalWriter {
    fn drop(&mut self) {
        if let Err(e) = self.sync_now() {
            tracing::error!("journal {}: final flush failed: {e}", self.dir.display());
        }
    }
}

fn new_segment(dir: &Path, no: u64) -> Result<(Arc<SyncTarget>, u64), JournalError> {
    let path = segment_path(dir, no);
    let mut file = OpenOptions::new()
        .create_new(true)
        .write(true)
        .open(&path)
        .map_err(|e| JournalError::io(&path, e))?;
    file.write_all(&format::segment_header())
        .map_err(|e| JournalError::io(&path, e))?;
    // The new name must survive a crash as well as the data in it.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok((SyncTarget::new(file, path), SEGMENT_HEADER_LEN as u64))
}

/// Length of the segment's valid records (from the header on); notes any damage after them.
fn valid_prefix(bytes: &[u8], repair: &mut TailRepair) -> usize {
    let mut pos = SEGMENT_HEADER_LEN;
    loop {
        match format::next_record(bytes, pos) {
            format::Next::Record(_, next) => pos = next,
            format::Next::End => return pos,
            format::Next::Damaged(why) => {
                repair.reason = Some(why);
                return pos;
            }
        }
    }
}
