//! Checkpoints: a robot's state at a point of its journal, so that a restart restores it and
//! replays only what follows.
//!
//! A checkpoint is two things under one number N:
//! - the segment `N.rfj`, whose first record is a `Checkpoint` record (the last event's seq
//!   and the state's hash), written on the robot's worker;
//! - the file `N.rfc`: the snapshot and what the server keeps beside the robot, written after
//!   it on the checkpoint thread (to `N.rfc.tmp`, synced, renamed into place).
//!
//! A checkpoint is *trusted* once a replay from the trusted one before it (or from its run's
//! `Begin`) reproduced its hash and its file restores to that hash. The file `trusted` holds
//! the number of the latest trusted checkpoint; every kept checkpoint before it is trusted.

use super::format::{self, BeginRecord, CheckpointRecord, RecordKind, SEGMENT_HEADER_LEN};
use super::reader::open_segment;
use super::{list_segments, JournalError};
use robofleet_api::Params;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

pub const FILE_MAGIC: [u8; 8] = *b"RFCKPT\0\0";
pub const FILE_VERSION: u32 = 1;
/// Magic, version, reserved, body length, body CRC32.
const FILE_HEADER_LEN: usize = 24;
const TRUSTED_FILE: &str = "trusted";

/// What a checkpoint file holds: enough to go on as if the journal had been replayed to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckpointData {
    pub record: CheckpointRecord,
    /// The run it belongs to (its robot's create args).
    pub begin: BeginRecord,
    /// The build that ran the robot when it was taken.
    pub build: String,
    /// The robot's snapshot: postcard `(next_order_seq, state bytes)`.
    pub snapshot: Vec<u8>,
    /// The parameters the robot had last been given.
    pub params: Params,
    /// The order updates and fills it had seen, and the orders it sent in this run: what a
    /// restart reconciles with the store.
    pub seen_orders: Vec<(String, (i64, u8, u32))>,
    pub seen_fills: Vec<String>,
    pub own_orders: Vec<String>,
}

/// The checkpoint file of checkpoint `no`.
pub fn file_path(dir: &Path, no: u64) -> PathBuf {
    dir.join(format!("{no:08}.rfc"))
}

/// A checkpoint file's bytes: magic, version, 4 reserved bytes, the body's length and CRC32
/// (u32 LE each), then the body (postcard [`CheckpointData`]).
pub fn encode_file(data: &CheckpointData) -> Result<Vec<u8>, String> {
    let body = postcard::to_allocvec(data).map_err(|e| e.to_string())?;
    let len = u32::try_from(body.len()).map_err(|_| "a checkpoint over 4 GiB".to_string())?;
    let mut out = Vec::with_capacity(FILE_HEADER_LEN + body.len());
    out.extend_from_slice(&FILE_MAGIC);
    out.extend_from_slice(&FILE_VERSION.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// A checkpoint file's bytes, checked: `Err` says why they cannot be used.
pub fn decode_file(bytes: &[u8]) -> Result<CheckpointData, String> {
    if bytes.len() < FILE_HEADER_LEN || bytes[..8] != FILE_MAGIC {
        return Err("not a checkpoint file".into());
    }
    let word =
        |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    if word(8) != FILE_VERSION {
        return Err(format!(
            "checkpoint version {}, this build reads {FILE_VERSION}",
            word(8)
        ));
    }
    let body = &bytes[FILE_HEADER_LEN..];
    if body.len() != word(16) as usize || crc32fast::hash(body) != word(20) {
        return Err("damaged (length or checksum mismatch)".into());
    }
    postcard::from_bytes(body).map_err(|e| format!("undecodable: {e}"))
}

/// Write checkpoint `no`'s file whole or not at all, and make it survive a crash.
pub fn write_file(dir: &Path, no: u64, data: &CheckpointData) -> Result<(), JournalError> {
    let bytes = encode_file(data).map_err(|e| JournalError::corrupt(dir, e))?;
    let path = file_path(dir, no);
    let tmp = path.with_extension("rfc.tmp");
    let io = |e| JournalError::io(&tmp, e);
    let mut file = std::fs::File::create(&tmp).map_err(io)?;
    file.write_all(&bytes).map_err(io)?;
    file.sync_data().map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(|e| JournalError::io(&path, e))?;
    sync_dir(dir);
    Ok(())
}

/// Checkpoint `no`'s file, checked; `Err` says why it cannot be used.
pub fn read_file(dir: &Path, no: u64) -> Result<CheckpointData, String> {
    let path = file_path(dir, no);
    let bytes = std::fs::read(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!(
            "{}: never written (the process stopped before it was)",
            path.display()
        ),
        _ => format!("{}: {e}", path.display()),
    })?;
    decode_file(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// The journal's checkpoints, oldest first: each segment that starts with a `Checkpoint`
/// record, whether or not its file exists.
pub fn list(dir: &Path) -> Result<Vec<(u64, CheckpointRecord)>, JournalError> {
    let mut out = Vec::new();
    for (no, path) in list_segments(dir)? {
        if let Some(rec) = first_checkpoint_record(&path) {
            out.push((no, rec));
        }
    }
    Ok(out)
}

/// The checkpoint the journal starts with, when retention deleted what came before it:
/// its number and record (`None` when the first segment starts otherwise).
pub fn journal_starts_with(reader: &super::JournalReader) -> Option<(u64, CheckpointRecord)> {
    let (no, path) = reader.segments().first()?;
    first_checkpoint_record(path).map(|rec| (*no, rec))
}

/// The `Checkpoint` record a segment starts with, if it does (and it is whole).
fn first_checkpoint_record(path: &Path) -> Option<CheckpointRecord> {
    let mut head = Vec::with_capacity(256);
    open_segment(path)
        .ok()?
        .take((SEGMENT_HEADER_LEN + format::RECORD_HEADER_LEN + 128) as u64)
        .read_to_end(&mut head)
        .ok()?;
    format::check_segment_header(&head).ok()?;
    match format::next_record(&head, SEGMENT_HEADER_LEN) {
        format::Next::Record(rec, _) if rec.kind == RecordKind::Checkpoint => rec.decode().ok(),
        _ => None,
    }
}

/// The latest trusted checkpoint's number (0: none yet).
pub fn trusted(dir: &Path) -> u64 {
    std::fs::read_to_string(dir.join(TRUSTED_FILE))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0)
}

/// Record checkpoint `no` as the latest trusted one (atomically: rename into place); an
/// older one than already recorded changes nothing.
pub fn set_trusted(dir: &Path, no: u64) -> Result<(), JournalError> {
    if trusted(dir) >= no {
        return Ok(());
    }
    let path = dir.join(TRUSTED_FILE);
    let tmp = dir.join("trusted.tmp");
    std::fs::write(&tmp, format!("{no}\n")).map_err(|e| JournalError::io(&tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| JournalError::io(&path, e))?;
    sync_dir(dir);
    Ok(())
}

/// Set a checkpoint that failed its check aside (`N.rfc.bad`, kept for analysis).
pub fn set_aside(dir: &Path, no: u64) {
    let path = file_path(dir, no);
    let _ = std::fs::rename(&path, path.with_extension("rfc.bad"));
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// When the server checkpoints a robot, and how many checkpoints it keeps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckpointPolicy {
    /// After this many events since the last one (0: not by count).
    pub every_events: u64,
    /// After this long since the last one, if any event came since (0: not by time).
    pub every_secs: u64,
    /// Trusted checkpoints kept; the segments before the oldest kept go by `retention`.
    pub keep: usize,
    pub retention: super::retention::Retention,
}

impl CheckpointPolicy {
    /// No checkpoints: a restart replays the whole run (and nothing is archived).
    pub fn off() -> Self {
        CheckpointPolicy {
            every_events: 0,
            every_secs: 0,
            ..CheckpointPolicy::default()
        }
    }

    pub fn is_on(&self) -> bool {
        self.every_events > 0 || self.every_secs > 0
    }
}

impl Default for CheckpointPolicy {
    fn default() -> Self {
        CheckpointPolicy {
            // A restart replays at most about this many events per robot: 100 robots' worth
            // is about a second here (BENCHMARKS.md, "Restart").
            every_events: 100_000,
            every_secs: 300,
            keep: 2,
            retention: super::retention::Retention::Archive,
        }
    }
}
