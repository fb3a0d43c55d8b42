//! Reading a journal ahead on a second thread: [`JournalReader::walk_ahead`].
//!
//! A replay spends most of its time in the robot; reading the segments, framing and checking
//! each record's CRC is the rest. Done on another core, that part overlaps the robot's: the
//! reader thread copies whole records into large chunks (so the threads meet once per
//! thousand records or so, not per record) and the caller's thread only walks the chunks.

use super::format::{RawRecord, RecordKind};
use super::reader::{JournalReader, WalkSummary};
use super::JournalError;
use crossbeam_channel::{bounded, Receiver, Sender};
use std::ops::ControlFlow;

/// A chunk is handed over once it holds this many bytes of records.
const CHUNK_BYTES: usize = 256 << 10;
/// Chunks read ahead of the caller at most (and so the memory a walk takes: ~2 MiB).
const CHUNKS_AHEAD: usize = 6;

/// Records copied out of the journal: `bytes` holds their bodies, `recs` where each is.
#[derive(Default)]
struct Chunk {
    bytes: Vec<u8>,
    recs: Vec<(RecordKind, usize, usize, u64)>,
}

impl JournalReader {
    /// [`JournalReader::walk`] with the reading and checking done on a thread of its own,
    /// ahead of `f`. The same records in the same order, the same summary and errors; `f`
    /// sees every record before the damage an error reports.
    pub fn walk_ahead(
        &self,
        mut f: impl FnMut(RawRecord<'_>) -> ControlFlow<()>,
    ) -> Result<WalkSummary, JournalError> {
        let (full_tx, full_rx) = bounded::<Chunk>(CHUNKS_AHEAD);
        let (empty_tx, empty_rx) = bounded::<Chunk>(CHUNKS_AHEAD + 2);
        std::thread::scope(|scope| {
            let reader = std::thread::Builder::new()
                .name("journal-read-ahead".into())
                .spawn_scoped(scope, || read_into_chunks(self, full_tx, empty_rx));
            let reader = match reader {
                Ok(r) => r,
                // No thread to be had: read on this one.
                Err(_) => return self.walk(f),
            };
            let mut seen = WalkSummary::default();
            let mut stopped = false;
            'chunks: for chunk in full_rx.iter() {
                for &(kind, start, len, framed) in &chunk.recs {
                    seen.records += 1;
                    seen.bytes += framed;
                    let rec = RawRecord {
                        kind,
                        body: &chunk.bytes[start..start + len],
                    };
                    if f(rec).is_break() {
                        stopped = true;
                        break 'chunks;
                    }
                }
                // Back for reuse; if the reader is done, it is simply dropped.
                let _ = empty_tx.try_send(chunk);
            }
            // Dropping the receiver stops a reader still going (its next send fails).
            drop(full_rx);
            let read = reader.join().unwrap_or_else(|_| {
                Err(JournalError::corrupt(
                    self.dir(),
                    "the journal reader thread panicked".to_string(),
                ))
            });
            if stopped {
                return Ok(seen);
            }
            read.map(|summary| WalkSummary {
                torn_tail: summary.torn_tail,
                ..seen
            })
        })
    }
}

/// The reader thread: walk the journal, copying records into chunks for the caller.
fn read_into_chunks(
    reader: &JournalReader,
    full: Sender<Chunk>,
    empty: Receiver<Chunk>,
) -> Result<WalkSummary, JournalError> {
    let mut chunk = Chunk::default();
    let mut gone = false;
    let summary = reader.walk(|rec| {
        let start = chunk.bytes.len();
        chunk.bytes.extend_from_slice(rec.body);
        let framed = (rec.body.len() + 1 + super::format::RECORD_HEADER_LEN) as u64;
        chunk.recs.push((rec.kind, start, rec.body.len(), framed));
        if chunk.bytes.len() >= CHUNK_BYTES || chunk.recs.len() >= CHUNK_BYTES / 16 {
            let mut next = empty.try_recv().unwrap_or_default();
            next.bytes.clear();
            next.recs.clear();
            if full.send(std::mem::replace(&mut chunk, next)).is_err() {
                gone = true;
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    })?;
    if !gone && !chunk.recs.is_empty() {
        let _ = full.send(chunk);
    }
    Ok(summary)
}
