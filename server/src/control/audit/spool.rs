//! `<data>/audit_spool.jsonl`: the audit log's write-ahead file. An audited request is
//! written here (and fsynced) before it acts, its result when it is answered, and a mark
//! once the store has the entry. A request that cannot be written here is refused, so no
//! state-changing request happens without its entry; the store may be away for as long as
//! it likes, and a server killed at any point ships what it had at its next start.
//!
//! One JSON object per line: `{"intent": entry}`, `{"done": entry}`, `{"shipped": ts_ns}`.
//! An entry is known by its `ts_ns` (one server's entries have distinct times). The file is
//! rewritten empty whenever every entry in it is answered and shipped.

use crate::store::AuditEntry;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "audit_spool.jsonl";

/// What a request still open at a crash is recorded as.
pub const UNKNOWN_RESULT: &str = "unknown";

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Line {
    Intent(AuditEntry),
    Done(AuditEntry),
    Shipped(i64),
}

/// An entry the spool holds: answered or not, shipped or not.
struct Held {
    entry: AuditEntry,
    done: bool,
}

pub struct Spool {
    /// `None`: kept in memory only (tests and tools without a data folder).
    path: Option<PathBuf>,
    /// Entries not yet in the store, by `ts_ns`.
    held: BTreeMap<i64, Held>,
}

impl Spool {
    /// Open the spool in `data_dir`. Entries a previous run left are returned to be shipped:
    /// a request that was never answered comes back with the result `unknown`.
    pub fn open(data_dir: &Path) -> std::io::Result<(Spool, Vec<AuditEntry>)> {
        let path = data_dir.join(FILE_NAME);
        let held = match std::fs::read(&path) {
            Ok(bytes) => read_lines(&bytes, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
            Err(e) => return Err(e),
        };
        let left: Vec<AuditEntry> = held
            .into_values()
            .map(|h| {
                let mut entry = h.entry;
                if !h.done {
                    entry.result = UNKNOWN_RESULT.into();
                    entry.message = "the server stopped before this request was answered".into();
                }
                entry
            })
            .collect();
        let mut spool = Spool {
            path: Some(path),
            held: BTreeMap::new(),
        };
        // Start a clean file holding just what is still to ship.
        spool.rewrite(&left)?;
        Ok((spool, left))
    }

    pub fn in_memory() -> Spool {
        Spool {
            path: None,
            held: BTreeMap::new(),
        }
    }

    /// A request about to act. Durable when this returns `Ok`.
    pub fn intent(&mut self, entry: &AuditEntry) -> std::io::Result<()> {
        self.append(&Line::Intent(entry.clone()), true)?;
        self.held.insert(
            entry.ts_ns,
            Held {
                entry: entry.clone(),
                done: false,
            },
        );
        Ok(())
    }

    /// A request answered (or refused before it could act). Durable when this returns `Ok`;
    /// held in memory for shipping either way.
    pub fn done(&mut self, entry: &AuditEntry) -> std::io::Result<()> {
        self.held.insert(
            entry.ts_ns,
            Held {
                entry: entry.clone(),
                done: true,
            },
        );
        self.append(&Line::Done(entry.clone()), true)
    }

    /// The store has the entry `ts_ns`. Not fsynced: shipping twice is harmless.
    pub fn shipped(&mut self, ts_ns: i64) -> std::io::Result<()> {
        if self.held.get(&ts_ns).is_some_and(|h| h.done) {
            self.held.remove(&ts_ns);
        }
        if self.held.is_empty() {
            return self.rewrite(&[]);
        }
        self.append(&Line::Shipped(ts_ns), false)
    }

    /// Entries answered but not yet in the store, oldest first.
    pub fn unshipped(&self) -> Vec<AuditEntry> {
        self.held
            .values()
            .filter(|h| h.done)
            .map(|h| h.entry.clone())
            .collect()
    }

    pub fn pending(&self) -> usize {
        self.held.len()
    }

    /// Opened for each line (control requests are few): a spool file that was removed or
    /// replaced since is found at once, never written through a stale handle.
    fn append(&mut self, line: &Line, sync: bool) -> std::io::Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let mut text = serde_json::to_vec(line).map_err(std::io::Error::other)?;
        text.push(b'\n');
        let mut f = OpenOptions::new().create(true).append(true).open(path)?;
        f.write_all(&text)?;
        if sync {
            f.sync_data()?;
        }
        Ok(())
    }

    /// Replace the file with `entries` as answered lines (a rename into place, fsynced).
    fn rewrite(&mut self, entries: &[AuditEntry]) -> std::io::Result<()> {
        let Some(path) = self.path.clone() else {
            return Ok(());
        };
        let tmp = path.with_extension("jsonl.tmp");
        let mut f = File::create(&tmp)?;
        for e in entries {
            let mut text =
                serde_json::to_vec(&Line::Done(e.clone())).map_err(std::io::Error::other)?;
            text.push(b'\n');
            f.write_all(&text)?;
        }
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, &path)?;
        if let Some(dir) = path.parent() {
            File::open(dir)?.sync_all()?;
        }
        for e in entries {
            self.held.insert(
                e.ts_ns,
                Held {
                    entry: e.clone(),
                    done: true,
                },
            );
        }
        Ok(())
    }
}

/// The spool's lines in order. A line that does not parse (the torn end of a crash, or
/// damage) is skipped and logged: the lines around it still count.
fn read_lines(bytes: &[u8], path: &Path) -> BTreeMap<i64, Held> {
    let mut held = BTreeMap::new();
    for (n, raw) in bytes.split(|b| *b == b'\n').enumerate() {
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Line>(raw) {
            Ok(Line::Intent(entry)) => {
                held.entry(entry.ts_ns)
                    .or_insert(Held { entry, done: false });
            }
            Ok(Line::Done(entry)) => {
                held.insert(entry.ts_ns, Held { entry, done: true });
            }
            Ok(Line::Shipped(ts)) => {
                if held.get(&ts).is_some_and(|h: &Held| h.done) {
                    held.remove(&ts);
                }
            }
            Err(e) => tracing::warn!(
                "{} line {}: skipped, not an audit spool line: {e}",
                path.display(),
                n + 1
            ),
        }
    }
    held
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(ts_ns: i64, cmd: &str) -> AuditEntry {
        AuditEntry {
            ts_ns,
            server: "s".into(),
            who: "ann".into(),
            role: "admin".into(),
            cmd: cmd.into(),
            request: format!("{{\"cmd\":\"{cmd}\"}}"),
            result: String::new(),
            message: String::new(),
        }
    }

    fn answered(ts_ns: i64, cmd: &str) -> AuditEntry {
        let mut e = entry(ts_ns, cmd);
        e.result = "ok".into();
        e
    }

    #[test]
    fn what_a_crash_leaves_is_shipped_at_the_next_start_and_an_open_request_is_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let (mut spool, left) = Spool::open(dir.path()).unwrap();
        assert!(left.is_empty());
        spool.intent(&entry(1, "stop")).unwrap();
        spool.done(&answered(1, "stop")).unwrap();
        spool.intent(&entry(2, "kill_switch")).unwrap();
        spool.done(&answered(2, "kill_switch")).unwrap();
        spool.shipped(1).unwrap();
        // Killed while `shutdown` was acting.
        spool.intent(&entry(3, "shutdown")).unwrap();
        drop(spool);

        let (spool, left) = Spool::open(dir.path()).unwrap();
        let got: Vec<(i64, &str)> = left.iter().map(|e| (e.ts_ns, e.result.as_str())).collect();
        assert_eq!(got, [(2, "ok"), (3, UNKNOWN_RESULT)]);
        assert!(left[1].message.contains("stopped before"));
        assert_eq!(spool.pending(), 2);
        assert_eq!(spool.unshipped().len(), 2);
        // The file was rewritten with just those: a third start sees the same.
        drop(spool);
        let (_, again) = Spool::open(dir.path()).unwrap();
        assert_eq!(again, left);
    }

    #[test]
    fn the_file_is_emptied_once_everything_is_shipped() {
        let dir = tempfile::tempdir().unwrap();
        let (mut spool, _) = Spool::open(dir.path()).unwrap();
        spool.intent(&entry(5, "pause")).unwrap();
        spool.done(&answered(5, "pause")).unwrap();
        spool.intent(&entry(6, "resume")).unwrap();
        // 6 still open: 5's mark is appended, the file is kept.
        spool.shipped(5).unwrap();
        assert!(std::fs::metadata(dir.path().join(FILE_NAME)).unwrap().len() > 0);
        spool.done(&answered(6, "resume")).unwrap();
        spool.shipped(6).unwrap();
        assert_eq!(
            std::fs::metadata(dir.path().join(FILE_NAME)).unwrap().len(),
            0
        );
        assert_eq!(spool.pending(), 0);
    }

    #[test]
    fn a_torn_or_foreign_line_is_skipped_and_the_rest_still_counts() {
        let dir = tempfile::tempdir().unwrap();
        let good = serde_json::to_string(&Line::Done(answered(7, "stop"))).unwrap();
        let text =
            format!("{good}\nnot json\n{{\"done\": {{\"ts_ns\": 8}}}}\n{{\"intent\":{{\"ts_");
        std::fs::write(dir.path().join(FILE_NAME), text).unwrap();
        let (_, left) = Spool::open(dir.path()).unwrap();
        assert_eq!(left, [answered(7, "stop")]);
    }

    #[test]
    fn an_unwritable_spool_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let (mut spool, _) = Spool::open(dir.path()).unwrap();
        let path = dir.path().join(FILE_NAME);
        // Written to before: no handle of the old file is kept to write through.
        spool.intent(&entry(8, "pause")).unwrap();
        std::fs::remove_file(&path).unwrap();
        std::fs::create_dir(&path).unwrap();
        assert!(spool.intent(&entry(9, "stop")).is_err());
        assert_eq!(spool.pending(), 1);
    }
}
