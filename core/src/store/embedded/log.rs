//! The append-only log: one record per line, `<crc32 of json, 8 hex digits> <json>\n`.

use super::sync::SyncPolicy;
use crate::store::{AmendRequest, Order, OrderChange, StoreError, Trade};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// One change to the store, as read back from the log.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub(super) enum Record {
    OrderInserted(Order),
    CancelRequested {
        client_id: String,
        ts_ns: i64,
    },
    OrderUpdated(OrderChange),
    TradeInserted(Trade),
    /// The whole instrument registry, replacing the previous one.
    InstrumentsSet(Vec<robofleet_api::Instrument>),
    AmendRequested {
        client_id: String,
        amend: AmendRequest,
    },
    /// A control-plane audit entry.
    Audit(crate::store::AuditEntry),
}

/// The same records, borrowed, for writing without a copy. Serializes exactly as [`Record`].
#[derive(Serialize)]
pub(super) enum RecordRef<'a> {
    OrderInserted(&'a Order),
    CancelRequested {
        client_id: &'a str,
        ts_ns: i64,
    },
    OrderUpdated(&'a OrderChange),
    TradeInserted(&'a Trade),
    InstrumentsSet(&'a [robofleet_api::Instrument]),
    AmendRequested {
        client_id: &'a str,
        amend: &'a AmendRequest,
    },
    Audit(&'a crate::store::AuditEntry),
}

const HEX: &[u8; 16] = b"0123456789abcdef";
/// `<8 hex> <json>`: the json starts here.
const JSON_AT: usize = 9;
/// Don't keep a huge encoding buffer around after one huge record.
const MAX_KEPT_BUF: usize = 1 << 20;

/// Encode `rec` as one complete line (newline included) into `buf`, replacing its contents.
pub(super) fn encode(buf: &mut Vec<u8>, rec: &RecordRef<'_>) -> Result<(), StoreError> {
    buf.clear();
    buf.extend_from_slice(b"00000000 ");
    serde_json::to_writer(&mut *buf, rec).map_err(|e| StoreError::Io(io::Error::other(e)))?;
    let crc = crc32fast::hash(&buf[JSON_AT..]);
    for (i, b) in buf[..8].iter_mut().enumerate() {
        *b = HEX[((crc >> (28 - 4 * i)) & 0xf) as usize];
    }
    buf.push(b'\n');
    Ok(())
}

/// The json of a line (without its newline) if its framing and checksum are right.
fn checked_json(line: &[u8]) -> Option<&[u8]> {
    if line.len() <= JSON_AT || line[8] != b' ' {
        return None;
    }
    let hex = std::str::from_utf8(&line[..8]).ok()?;
    let crc = u32::from_str_radix(hex, 16).ok()?;
    let json = &line[JSON_AT..];
    (crc32fast::hash(json) == crc).then_some(json)
}

/// Read the log at `path` (created if missing), feeding each good record to `apply` in order.
///
/// A bad tail (an incomplete last line, or lines whose checksum fails with no good record
/// after them) is saved next to the log as `<log>.cut-<wall ns>`, cut off, and warned about. A
/// bad line followed by a good one, a checksummed line that does not parse, or a record
/// `apply` refuses is [`StoreError::Corrupt`] naming the line (1-based).
/// Returns the file, opened for appending, and its length.
pub(super) fn replay(
    path: &Path,
    mut apply: impl FnMut(Record) -> Result<(), String>,
) -> Result<(File, u64), StoreError> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(StoreError::Unavailable(format!(
                "{} is in use by another store",
                path.display()
            )));
        }
        Err(std::fs::TryLockError::Error(e)) => {
            tracing::warn!("store: cannot lock {} ({e}); going on", path.display());
        }
    }
    let reader = BufReader::with_capacity(1 << 16, &file);
    let (offset, bad) = read_records(reader, path, &mut apply)?;

    let mut len = offset;
    if let Some((bad_line, at)) = bad {
        let saved = save_tail(&file, path, at);
        tracing::warn!(
            "store: {}: cut a torn or corrupt tail of {} bytes from line {bad_line} on ({})",
            path.display(),
            offset - at,
            match &saved {
                Ok(p) => format!("saved to {}", p.display()),
                Err(e) => format!("could not save it: {e}"),
            }
        );
        file.set_len(at)?;
        file.sync_data()?;
        len = at;
    }
    Ok((file, len))
}

/// Where a log's reading stopped: the length read, and the first bad line (number, offset)
/// that no good line followed (a torn tail to cut), if any.
type ReadEnd = (u64, Option<(usize, u64)>);

/// The records of a log, read from `reader`, each good one fed to `apply` in order; what
/// [`replay`] does before it cuts a torn tail. `path` only names the log in errors.
pub(super) fn read_records(
    mut reader: impl BufRead,
    path: &Path,
    apply: &mut impl FnMut(Record) -> Result<(), String>,
) -> Result<ReadEnd, StoreError> {
    let corrupt = |line: usize, what: String| {
        StoreError::Corrupt(format!("{} line {line}: {what}", path.display()))
    };
    let mut line = Vec::new();
    let mut offset = 0u64;
    let mut line_no = 0usize;
    // The first bad line (number, offset) not yet followed by a good one.
    let mut bad: Option<(usize, u64)> = None;
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let start = offset;
        offset += n as u64;
        let json = match line.strip_suffix(b"\n") {
            Some(l) => checked_json(l),
            None => None, // incomplete: necessarily the last line
        };
        let Some(json) = json else {
            bad.get_or_insert((line_no, start));
            continue;
        };
        if let Some((bad_line, _)) = bad {
            return Err(corrupt(
                bad_line,
                format!("bad record followed by a good one at line {line_no}"),
            ));
        }
        let record: Record = serde_json::from_slice(json)
            .map_err(|e| corrupt(line_no, format!("unreadable record: {e}")))?;
        apply(record).map_err(|e| corrupt(line_no, e))?;
    }
    Ok((offset, bad))
}

/// Copy the log from `at` to its end into a side file, for a post-mortem.
fn save_tail(mut file: &File, path: &Path, at: u64) -> io::Result<PathBuf> {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".cut-{}", crate::clock::wall_ns()));
    let out_path = PathBuf::from(name);
    file.seek(SeekFrom::Start(at))?;
    let mut out = File::create(&out_path)?;
    io::copy(&mut file, &mut out)?;
    out.sync_all()?;
    Ok(out_path)
}

/// Appends records to the log file.
pub(super) struct LogWriter {
    file: File,
    policy: SyncPolicy,
    buf: Vec<u8>,
    /// Length of the log up to the last complete record.
    len: u64,
    /// Set after each write, for the background syncer.
    dirty: Arc<AtomicBool>,
    /// A failed write could not be undone: refuse further writes.
    broken: bool,
    /// Group commit: wakes the group thread (see `group.rs`).
    kick: Option<crossbeam_channel::Sender<()>>,
}

impl LogWriter {
    pub(super) fn new(file: File, len: u64, policy: SyncPolicy, dirty: Arc<AtomicBool>) -> Self {
        LogWriter {
            file,
            policy,
            buf: Vec::with_capacity(4096),
            len,
            dirty,
            broken: false,
            kick: None,
        }
    }

    /// Write one record with a single `write`, then sync if the policy says so.
    /// On error nothing of the record is left in the log.
    pub(super) fn append(&mut self, rec: &RecordRef<'_>) -> Result<(), StoreError> {
        if self.broken {
            return Err(StoreError::Unavailable(
                "an earlier failed write could not be rolled back".into(),
            ));
        }
        if self.buf.capacity() > MAX_KEPT_BUF {
            self.buf = Vec::with_capacity(4096);
        }
        encode(&mut self.buf, rec)?;
        let written = (&self.file).write_all(&self.buf).and_then(|()| {
            if self.policy == SyncPolicy::EveryWrite {
                self.file.sync_data()
            } else {
                Ok(())
            }
        });
        if let Err(e) = written {
            if let Err(e2) = self.file.set_len(self.len) {
                tracing::warn!("store: cannot roll back a failed write ({e2}); refusing writes");
                self.broken = true;
            }
            return Err(e.into());
        }
        self.len += self.buf.len() as u64;
        if matches!(self.policy, SyncPolicy::IntervalMs(_) | SyncPolicy::Group) {
            self.dirty.store(true, Ordering::Release);
        }
        if let Some(kick) = &self.kick {
            // Full means the group thread is awake already and will see this write.
            let _ = kick.try_send(());
        }
        Ok(())
    }

    /// Group commit: wake the group thread at each write.
    pub(super) fn wake_on_write(&mut self, kick: crossbeam_channel::Sender<()>) {
        self.kick = Some(kick);
    }

    /// Bytes in the log.
    pub(super) fn len(&self) -> u64 {
        self.len
    }

    pub(super) fn sync(&self) -> Result<(), StoreError> {
        self.file.sync_data()?;
        Ok(())
    }
}
