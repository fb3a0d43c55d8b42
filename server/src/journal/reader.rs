//! Reading a robot's journal: every record in order, segment by segment.

use super::format::{self, RawRecord, MAX_RECORD_LEN, RECORD_HEADER_LEN, SEGMENT_HEADER_LEN};
use super::{is_archived, list_segments, JournalError};
use std::fs::File;
use std::io::Read;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

/// Segments are read this much at a time into one reused buffer (a record larger than this
/// grows it): the records are parsed while still in the CPU cache, and a 64 MiB segment costs
/// no 64 MiB allocation to page in.
const READ_CHUNK: usize = 256 << 10;

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

    /// The segments' numbers and paths, in order (archived ones included).
    pub fn segments(&self) -> &[(u64, PathBuf)] {
        &self.segments
    }

    /// The same journal from segment `first` to segment `last` only (both kept): a replay
    /// from a checkpoint (which starts a segment) to another.
    pub fn between(&self, first: u64, last: u64) -> JournalReader {
        JournalReader {
            dir: self.dir.clone(),
            segments: self
                .segments
                .iter()
                .filter(|(no, _)| (first..=last).contains(no))
                .cloned()
                .collect(),
        }
    }

    /// Hand every record to `f` in journal order until it breaks. Damage at the very end of
    /// the last segment is a torn tail (reported, not an error); damage anywhere else is.
    pub fn walk(
        &self,
        mut f: impl FnMut(RawRecord<'_>) -> ControlFlow<()>,
    ) -> Result<WalkSummary, JournalError> {
        let mut summary = WalkSummary::default();
        let last = self.segments.len().saturating_sub(1);
        let mut buf = Vec::new();
        for (i, (_, path)) in self.segments.iter().enumerate() {
            let io = |e| JournalError::io(path, e);
            let mut seg = Window::new(open_segment(path).map_err(io)?, &mut buf);
            seg.fill(SEGMENT_HEADER_LEN).map_err(io)?;
            if seg.rest().len() < SEGMENT_HEADER_LEN && i == last {
                summary.torn_tail = Some("segment header cut short".into());
                break;
            }
            format::check_segment_header(seg.rest()).map_err(|e| JournalError::corrupt(path, e))?;
            seg.consume(SEGMENT_HEADER_LEN);
            loop {
                // Have the whole next record in the window, or all the segment has left.
                seg.fill(RECORD_HEADER_LEN).map_err(io)?;
                if let Some(len) = seg.rest().get(..4) {
                    let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
                    if (1..=MAX_RECORD_LEN).contains(&len) {
                        seg.fill(RECORD_HEADER_LEN + len).map_err(io)?;
                    }
                }
                let pos = seg.offset();
                match format::next_record(seg.rest(), 0) {
                    format::Next::Record(rec, len) => {
                        summary.records += 1;
                        summary.bytes += len as u64;
                        let flow = f(rec);
                        seg.consume(len);
                        if flow.is_break() {
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

/// A segment's bytes from the start: an archived one through zstd.
pub fn open_segment(path: &Path) -> std::io::Result<Box<dyn Read + Send>> {
    let file = File::open(path)?;
    if is_archived(path) {
        Ok(Box::new(zstd::Decoder::new(file)?))
    } else {
        Ok(Box::new(file))
    }
}

/// A window onto a segment file: `buf[start..end]` holds its bytes from `offset()` on.
struct Window<'b> {
    file: Box<dyn Read + Send>,
    buf: &'b mut Vec<u8>,
    start: usize,
    end: usize,
    /// File offset of `buf[0]`.
    base: u64,
    eof: bool,
}

impl<'b> Window<'b> {
    fn new(file: Box<dyn Read + Send>, buf: &'b mut Vec<u8>) -> Self {
        Window {
            file,
            buf,
            start: 0,
            end: 0,
            base: 0,
            eof: false,
        }
    }

    /// The unconsumed bytes read so far.
    fn rest(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    fn offset(&self) -> u64 {
        self.base + self.start as u64
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
    }

    /// Read until at least `need` bytes are unconsumed or the file ends.
    fn fill(&mut self, need: usize) -> std::io::Result<()> {
        if self.end - self.start >= need || self.eof {
            return Ok(());
        }
        self.buf.copy_within(self.start..self.end, 0);
        self.base += self.start as u64;
        self.end -= self.start;
        self.start = 0;
        let size = need.max(READ_CHUNK);
        if self.buf.len() < size {
            self.buf.resize(size, 0);
        }
        while self.end < need {
            match self.file.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => self.end += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}
