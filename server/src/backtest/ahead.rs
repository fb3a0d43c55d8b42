//! The data file read and parsed on a second thread, ahead of the backtest loop: the loop
//! (robot, venue, ledger, report) and the parsing each get a core.

use crate::feed::csv::{CsvReader, RowError};
use crate::feed::FeedError;
use crate::market::MarketData;
use crossbeam_channel::{bounded, Receiver, Sender};
use std::collections::VecDeque;
use std::thread::JoinHandle;

/// Rows per hand-over: the threads meet once per this many rows.
const BATCH: usize = 8192;
/// Batches parsed ahead at most.
const AHEAD: usize = 4;

/// A parsed row (or why it is bad) and its line number.
pub type Row = (u64, Result<MarketData, RowError>);

/// An emptied batch and the symbol strings of its rows, handed back to the reader to reuse
/// (no allocation per row in the reader, no free per row in the loop).
type Spent = (Vec<Row>, Vec<String>);

pub struct RowsAhead {
    rows: Option<Receiver<Vec<Row>>>,
    recycle: Sender<Spent>,
    /// Symbols of rows handed out of the current batch, spent.
    spent: Vec<String>,
    /// The batch being handed out, from its front.
    current: VecDeque<Row>,
    reader: Option<JoinHandle<Result<(), FeedError>>>,
}

impl RowsAhead {
    pub fn spawn(mut reader: CsvReader) -> std::io::Result<Self> {
        let (tx, rx) = bounded::<Vec<Row>>(AHEAD);
        let (recycle, reused) = bounded::<Spent>(AHEAD + 2);
        let handle = std::thread::Builder::new()
            .name("backtest-read".into())
            .spawn(move || -> Result<(), FeedError> {
                loop {
                    let (mut batch, symbols) = reused.try_recv().unwrap_or_default();
                    batch.clear();
                    for symbol in symbols {
                        reader.reuse_symbol(symbol);
                    }
                    let mut ended = false;
                    while batch.len() < BATCH {
                        match reader.next_row() {
                            Ok(Some(row)) => batch.push((reader.line_no(), row)),
                            Ok(None) => {
                                ended = true;
                                break;
                            }
                            Err(e) => {
                                let _ = tx.send(batch);
                                return Err(e);
                            }
                        }
                    }
                    // A send fails only when the loop has stopped reading: stop too.
                    if tx.send(batch).is_err() || ended {
                        return Ok(());
                    }
                }
            })?;
        Ok(RowsAhead {
            rows: Some(rx),
            recycle,
            spent: Vec::new(),
            current: VecDeque::new(),
            reader: Some(handle),
        })
    }

    /// A handed-out row's symbol, spent: the reader writes a later row's symbol into it.
    pub fn reuse_symbol(&mut self, symbol: String) {
        if symbol.capacity() > 0 {
            self.spent.push(symbol);
        }
    }

    /// The next row, in file order; `None` at the end; the file's read error, if any, once
    /// every row before it has been handed out.
    pub fn next_row(&mut self) -> Result<Option<Row>, FeedError> {
        loop {
            if let Some(row) = self.current.pop_front() {
                return Ok(Some(row));
            }
            let batch = self.rows.as_ref().and_then(|rx| rx.recv().ok());
            match batch {
                Some(batch) => {
                    // Give the emptied vector back for the reader to refill (a vector and a
                    // deque convert into each other without copying).
                    let used = Vec::from(std::mem::replace(&mut self.current, batch.into()));
                    let spent = std::mem::take(&mut self.spent);
                    let _ = self.recycle.try_send((used, spent));
                }
                None => {
                    self.rows = None;
                    return match self.reader.take().map(JoinHandle::join) {
                        Some(Ok(result)) => result.map(|()| None),
                        Some(Err(_)) => Err(FeedError::Io {
                            path: std::path::PathBuf::new(),
                            source: std::io::Error::other("the data reader thread panicked"),
                        }),
                        None => Ok(None),
                    };
                }
            }
        }
    }
}

impl Drop for RowsAhead {
    fn drop(&mut self) {
        // Stop the reader (its next send fails) and wait for it.
        self.rows = None;
        if let Some(handle) = self.reader.take() {
            let _ = handle.join();
        }
    }
}
