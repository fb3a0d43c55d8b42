//! Reading a robot's journal: every record in order, segment by segment.

use super::format::{self, RawRecord, SEGMENT_HEADER_LEN};
use super::{list_segments, JournalError};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

/// What a walk over the journal saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WalkSummary {
    pub records: u64,
    pub bytes: u64,
    /// A torn last record (a crash mid-append, or a writer still appending), left unread.
    pub torn_tail: Option<String>,
}

pub struct JournalReader {
    dir: PathBuf,
    segments: Vec<(u64, PathBuf)>,
}

impl JournalReader {
    pub fn open(dir: &Path) -> Result<Self, JournalError> {
        if !dir.is_dir() {
            return Err(JournalError::Missing(dir.to_path_buf()));
        }
        Ok(JournalReader {
            dir: dir.to_path_buf(),
            segments: list_segments(dir)?,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn is_empty(&self) -> bool {
        self.segments.is_empty()
    }

    /// Hand every record to `f` in journal order until it breaks. Damage at the very end of
    /// the last segment is a torn tail (reported, not an error); damage anywhere else is.
    pub fn walk(
        &self,
        mut f: impl FnMut(RawRecord<'_>) -> ControlFlow<()>,
    ) -> Result<WalkSummary, JournalError> {
        let mut summary = WalkSummary::default();
        let last = self.segments.len().saturating_sub(1);
        for (i, (_, path)) in self.segments.iter().enumerate() {
            let bytes = std::fs::read(path).map_err(|e| JournalError::io(path, e))?;
            if bytes.len() < SEGMENT_HEADER_LEN && i == last {
                summary.torn_tail = Some("segment header cut short".into());
                break;
            }
            format::check_segment_header(&bytes).map_err(|e| JournalError::corrupt(path, e))?;
            let mut pos = SEGMENT_HEADER_LEN;
            loop {
                match format::next_record(&bytes, pos) {
                    format::Next::Record(rec, next) => {
                        summary.records += 1;
                        summary.bytes += (next - pos) as u64;
                        pos = next;
                        if f(rec).is_break() {
                            return Ok(summary);
                        }
                    }
                    format::Next::End => break,
                    format::Next::Damaged(why) if i == last => {
                        summary.torn_tail = Some(format!("{why} at byte {pos}"));
                        break;
                    }
                    format::Next::Damaged(why) => {
                        return Err(JournalError::corrupt(path, format!("{why} at byte {pos}")))
                    }
                }
            }
        }
        Ok(summary)
    }
}
