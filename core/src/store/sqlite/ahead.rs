//! The SQLite store's own write-ahead log: each write is one append here (one `write`, a few
//! µs) and reaches the database later, many writes to one transaction (see `apply.rs`).
//!
//! Segments `ahead-NNNNNNNN.log` in the store folder; each record is
//! `len: u32 LE | crc32(op bytes + payload): u32 LE | op: u64 LE | payload`, the payload the
//! JSON of the change and `op` its number (one sequence for the store, never reused): a
//! reopened store skips what the file already holds without parsing it. A segment is
//! deleted once every change in it is in the database and the database is synced.

use crate::store::{AuditEntry, Order, StoreError, Trade};
use robofleet_api::Instrument;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// A segment is closed (and a new one started) past this size.
const SEGMENT_BYTES: u64 = 8 << 20;
const HEADER: usize = 16;

/// One change, as the database will hold it: whole rows, so applying is idempotent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Change {
    /// The order as it now stands (inserted or rewritten).
    Order(Order),
    Trade(Trade),
    Instruments(Vec<Instrument>),
    Audit(AuditEntry),
}

/// A closed segment: its file (to sync), its path and the last change in it.
pub struct Closed {
    pub file: File,
    pub path: PathBuf,
    pub last_op: u64,
}

pub struct AheadLog {
    dir: PathBuf,
    seg_no: u64,
    file: File,
    len: u64,
    buf: Vec<u8>,
    next_op: u64,
    /// Closed segments not yet deleted, oldest first.
    pub closed: Vec<Closed>,
}

fn segment_path(dir: &Path, no: u64) -> PathBuf {
    dir.join(format!("ahead-{no:08}.log"))
}

/// The segments in `dir`, in order.
pub fn segments(dir: &Path) -> Result<Vec<(u64, PathBuf)>, StoreError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let no = name
            .to_str()
            .and_then(|n| n.strip_prefix("ahead-"))
            .and_then(|n| n.strip_suffix(".log"))
            .and_then(|n| n.parse::<u64>().ok());
        if let Some(no) = no {
            out.push((no, entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

/// Every change in the segments numbered past `after`, in order. A damaged record ends the
/// reading in the last segment (a torn tail: the caller starts a new segment); anywhere else
/// it is corruption.
pub fn read(dir: &Path, after: u64) -> Result<Vec<(u64, Change)>, StoreError> {
    let segs = segments(dir)?;
    let mut out = Vec::new();
    for (i, (_, path)) in segs.iter().enumerate() {
        let mut bytes = Vec::new();
        File::open(path)?.read_to_end(&mut bytes)?;
        let whole = read_frames(&bytes, after, &mut out);
        if whole < bytes.len() && i + 1 < segs.len() {
            return Err(StoreError::Corrupt(format!(
                "{} is damaged at byte {whole}",
                path.display()
            )));
        }
    }
    Ok(out)
}

/// The changes numbered past `after` in one segment's bytes, appended to `out` in order, up
/// to the first damaged or cut-short record; how many bytes were whole records.
pub fn read_frames(bytes: &[u8], after: u64, out: &mut Vec<(u64, Change)>) -> usize {
    let mut pos = 0;
    while pos < bytes.len() {
        match frame_at(bytes, pos, after) {
            Some((rec, next)) => {
                out.extend(rec);
                pos = next;
            }
            None => break,
        }
    }
    pos
}

/// One change as a record of a segment, appended to `out` (what [`read_frames`] reads).
pub fn frame(op: u64, change: &Change, out: &mut Vec<u8>) -> Result<(), StoreError> {
    let start = out.len();
    out.extend_from_slice(&[0; HEADER]);
    serde_json::to_writer(&mut *out, change)
        .map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
    let len = u32::try_from(out.len() - start - HEADER)
        .map_err(|_| StoreError::Corrupt("a change over 4 GiB".into()))?;
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
    out[start + 8..start + HEADER].copy_from_slice(&op.to_le_bytes());
    let crc = crc32fast::hash(&out[start + 8..]);
    out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
    Ok(())
}

/// The record at `pos` (`None` inside when its change is numbered `after` or before) and
/// where the next starts; `None` when it is damaged or cut short.
fn frame_at(bytes: &[u8], pos: usize, after: u64) -> Option<(Option<(u64, Change)>, usize)> {
    let head = bytes.get(pos..pos + HEADER)?;
    let len = u32::from_le_bytes(head[..4].try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(head[4..8].try_into().ok()?);
    let op = u64::from_le_bytes(head[8..16].try_into().ok()?);
    let end = pos + HEADER + len;
    if crc32fast::hash(bytes.get(pos + 8..end)?) != crc {
        return None;
    }
    if op <= after {
        return Some((None, end));
    }
    let change = serde_json::from_slice(&bytes[pos + HEADER..end]).ok()?;
    Some((Some((op, change)), end))
}

impl AheadLog {
    /// Start a new segment after any in `dir`, numbering changes from `next_op`.
    pub fn start(dir: &Path, next_op: u64) -> Result<AheadLog, StoreError> {
        let seg_no = segments(dir)?.last().map_or(1, |(no, _)| no + 1);
        let file = new_segment(dir, seg_no)?;
        Ok(AheadLog {
            dir: dir.to_path_buf(),
            seg_no,
            file,
            len: 0,
            buf: Vec::with_capacity(1024),
            next_op,
            closed: Vec::new(),
        })
    }

    /// Append one change (handed to the OS before this returns); its number.
    pub fn append(&mut self, change: &Change) -> Result<u64, StoreError> {
        if self.len >= SEGMENT_BYTES {
            self.roll()?;
        }
        let op = self.next_op;
        self.buf.clear();
        frame(op, change, &mut self.buf)?;
        if let Err(e) = self.file.write_all(&self.buf) {
            // A partial record would be a torn tail in the middle: go on in a new segment.
            let _ = self.roll();
            return Err(e.into());
        }
        self.len += self.buf.len() as u64;
        self.next_op += 1;
        Ok(op)
    }

    /// The segment being appended to, for a sync outside the store's lock.
    pub fn current(&self) -> std::io::Result<File> {
        self.file.try_clone()
    }

    pub fn sync_now(&self) -> std::io::Result<()> {
        self.file.sync_data()
    }

    fn roll(&mut self) -> Result<(), StoreError> {
        let file = new_segment(&self.dir, self.seg_no + 1)?;
        let old = std::mem::replace(&mut self.file, file);
        self.closed.push(Closed {
            file: old,
            path: segment_path(&self.dir, self.seg_no),
            last_op: self.next_op.saturating_sub(1),
        });
        self.seg_no += 1;
        self.len = 0;
        Ok(())
    }
}

fn new_segment(dir: &Path, no: u64) -> Result<File, StoreError> {
    let file = std::fs::OpenOptions::new()
        .create_new(true)
        .append(true)
        .open(segment_path(dir, no))?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(file)
}
