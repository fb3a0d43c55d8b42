//! The recorded-ticks CSV the feed replays.
//!
//! ```text
//! ts,symbol,type,bid,bid_size,ask,ask_size,price,size
//! 2026-11-02T07:00:00.125Z,Si,quote,99998,12,100000,7,,
//! 1793602800250000000,Si,trade,,,,,100000,3
//! ```
//!
//! `ts` is integer ns since the Unix epoch or RFC 3339 (`Z` or `+HH:MM` offset, up to 9
//! fractional digits). Quote rows fill `bid..ask_size` and leave `price,size` empty; trade rows
//! the reverse. Order book rows have a shape of their own, seven fields:
//!
//! ```text
//! 2026-11-02T07:00:00.125Z,Si,depth,41,snapshot,99998@12 99997@30,100000@7 100001@20
//! 2026-11-02T07:00:00.126Z,Si,depth,42,update,99999@3,100000@0
//! ```
//!
//! (`ts,symbol,depth,seq,snapshot|update,bids,asks`, each side space-separated
//! `price@qty` best first, as the wire's depth message). `#` lines and blank lines are
//! skipped; the header is optional. A malformed row is counted, logged with its line number
//! and skipped: one bad row never ends a replay.

use std::fs::File;
use std::io::{BufRead, BufReader, Seek};
use std::path::{Path, PathBuf};

use super::timestamp::parse_ts;
use super::FeedError;
use crate::market::{MarketData, MarketKind};
use robofleet_api::Price;

pub const HEADER: &str = "ts,symbol,type,bid,bid_size,ask,ask_size,price,size";

/// Bad rows logged one by one before switching to one warning per 1000.
const WARN_EACH_FIRST: u64 = 10;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RowError {
    #[error("expected 9 comma-separated fields, got {0}")]
    FieldCount(usize),
    #[error("bad ts {0:?}: expected ns since the epoch or RFC 3339")]
    BadTs(String),
    #[error("empty symbol")]
    EmptySymbol,
    #[error("type {0:?} is not `quote`, `trade` or `depth`")]
    BadType(String),
    #[error("field {field}: {value:?} is not a valid value")]
    BadField { field: &'static str, value: String },
    #[error("field {0} must be empty for this row type")]
    UnexpectedField(&'static str),
    #[error("row is not valid UTF-8")]
    NotUtf8,
    #[error("depth row: {0}")]
    BadDepth(String),
}

/// Fields of a depth row.
const DEPTH_FIELDS: usize = 7;

/// One side of a depth row: space-separated `price@qty`.
fn depth_side(text: &str) -> Result<Vec<robofleet_api::Level>, RowError> {
    text.split_whitespace()
        .map(|level| {
            let (p, q) = level
                .split_once('@')
                .ok_or_else(|| RowError::BadDepth(format!("level {level:?} is not price@qty")))?;
            let price = p
                .parse::<Price>()
                .map_err(|e| RowError::BadDepth(format!("price {p:?}: {e}")))?;
            let qty = q
                .parse::<i64>()
                .map_err(|_| RowError::BadDepth(format!("quantity {q:?} is not an integer")))?;
            Ok(robofleet_api::Level { price, qty })
        })
        .collect()
}

fn parse_depth_row(f: &[&str]) -> Result<MarketKind, RowError> {
    if f.len() != DEPTH_FIELDS {
        return Err(RowError::FieldCount(f.len()));
    }
    let seq = f[3]
        .parse::<u64>()
        .map_err(|_| RowError::BadDepth(format!("seq {:?} is not a number", f[3])))?;
    let snapshot = match f[4] {
        "snapshot" => true,
        "update" => false,
        other => {
            return Err(RowError::BadDepth(format!(
                "{other:?} is neither `snapshot` nor `update`"
            )))
        }
    };
    let kind = MarketKind::Depth {
        seq,
        snapshot,
        bids: depth_side(f[5])?,
        asks: depth_side(f[6])?,
    };
    crate::market::wire::validate(&kind).map_err(|e| RowError::BadDepth(e.to_string()))?;
    Ok(kind)
}

/// Parse one data row (not a comment, blank or header line).
pub fn parse_row(line: &str) -> Result<MarketData, RowError> {
    parse_row_reusing(line, String::new())
}

/// [`parse_row`], the symbol written into `symbol` (whose allocation a long read reuses
/// row after row).
pub fn parse_row_reusing(line: &str, mut symbol: String) -> Result<MarketData, RowError> {
    // At most nine fields are kept (on the stack: no allocation per row); more is an error.
    let mut fields = [""; 9];
    let mut n = 0usize;
    let line = line.trim_end_matches(['\r', '\n']);
    // Split on the byte: a comma is ASCII, so every piece is whole UTF-8 (a `char` search
    // per byte was a good part of reading a file).
    let mut start = 0;
    for end in commas(line.as_bytes()).chain(std::iter::once(line.len())) {
        if let Some(slot) = fields.get_mut(n) {
            *slot = trim_field(&line[start..end]);
        }
        n += 1;
        start = end + 1;
    }
    if n > fields.len() {
        return Err(RowError::FieldCount(n));
    }
    let f = &fields[..n];
    if f.get(2) == Some(&"depth") {
        let ts = parse_ts(f[0]).ok_or_else(|| RowError::BadTs(f[0].to_string()))?;
        if f[1].is_empty() {
            return Err(RowError::EmptySymbol);
        }
        set_symbol(&mut symbol, f[1]);
        return Ok(MarketData {
            symbol,
            ts,
            sent_ns: None,
            kind: parse_depth_row(f)?,
        });
    }
    if f.len() != 9 {
        return Err(RowError::FieldCount(f.len()));
    }
    let ts = parse_ts(f[0]).ok_or_else(|| RowError::BadTs(f[0].to_string()))?;
    if f[1].is_empty() {
        return Err(RowError::EmptySymbol);
    }
    // Straight from the text to an exact price: no float in between.
    let price = |i: usize, field| match f[i].parse::<Price>() {
        Ok(v) => Ok(v),
        Err(_) => Err(RowError::BadField {
            field,
            value: f[i].to_string(),
        }),
    };
    let size = |i: usize, field, min: i64| match f[i].parse::<i64>() {
        Ok(v) if v >= min => Ok(v),
        _ => Err(RowError::BadField {
            field,
            value: f[i].to_string(),
        }),
    };
    let empty = |idx: &[(usize, &'static str)]| match idx.iter().find(|(i, _)| !f[*i].is_empty()) {
        Some((_, field)) => Err(RowError::UnexpectedField(field)),
        None => Ok(()),
    };
    let kind = match f[2] {
        "quote" => {
            empty(&[(7, "price"), (8, "size")])?;
            MarketKind::Quote {
                bid: price(3, "bid")?,
                bid_size: size(4, "bid_size", 0)?,
                ask: price(5, "ask")?,
                ask_size: size(6, "ask_size", 0)?,
            }
        }
        "trade" => {
            empty(&[(3, "bid"), (4, "bid_size"), (5, "ask"), (6, "ask_size")])?;
            MarketKind::Trade {
                price: price(7, "price")?,
                size: size(8, "size", 1)?,
            }
        }
        other => return Err(RowError::BadType(other.to_string())),
    };
    set_symbol(&mut symbol, f[1]);
    Ok(MarketData {
        symbol,
        ts,
        sent_ns: None,
        kind,
    })
}

/// Where the commas of a row are.
fn commas(line: &[u8]) -> impl Iterator<Item = usize> + '_ {
    line.iter()
        .enumerate()
        .filter_map(|(i, b)| (*b == b',').then_some(i))
}

/// A field without surrounding whitespace; most fields have none, and are checked by their
/// first and last byte alone.
fn trim_field(field: &str) -> &str {
    let plain = |b: Option<&u8>| b.is_some_and(|b| (0x21..0x7f).contains(b));
    let bytes = field.as_bytes();
    if plain(bytes.first()) && plain(bytes.last()) {
        field
    } else {
        field.trim()
    }
}

/// Write `text` into a reused symbol string, only if it differs: a string another thread
/// reads stays unwritten (its cache lines are not taken from that core) while the symbol
/// does not change.
fn set_symbol(symbol: &mut String, text: &str) {
    if symbol != text {
        symbol.clear();
        symbol.push_str(text);
    }
}

/// Reads messages from a CSV file, skipping (and counting) what it cannot parse.
pub struct CsvReader {
    path: PathBuf,
    reader: BufReader<File>,
    line_no: u64,
    seen_data_line: bool,
    bad_rows: u64,
    buf: Vec<u8>,
    /// Symbol strings handed back by the reader's consumer, for the next rows.
    spare: Vec<String>,
}

impl CsvReader {
    pub fn open(path: &Path) -> Result<Self, FeedError> {
        let file = File::open(path).map_err(|e| io_err(path, e))?;
        Ok(CsvReader {
            path: path.to_path_buf(),
            reader: BufReader::new(file),
            line_no: 0,
            seen_data_line: false,
            bad_rows: 0,
            buf: Vec::new(),
            spare: Vec::new(),
        })
    }

    /// Malformed rows skipped so far, over all passes.
    pub fn bad_rows(&self) -> u64 {
        self.bad_rows
    }

    /// Start again from the first line (for `loop_csv`).
    pub fn rewind(&mut self) -> Result<(), FeedError> {
        self.reader.rewind().map_err(|e| io_err(&self.path, e))?;
        self.line_no = 0;
        self.seen_data_line = false;
        Ok(())
    }

    /// Take back a row's symbol string once it is spent: a later row writes its symbol into
    /// it rather than allocate one (a few are kept).
    pub fn reuse_symbol(&mut self, symbol: String) {
        if self.spare.len() < 8192 {
            self.spare.push(symbol);
        }
    }

    /// Line number (1-based) of the line read last.
    pub fn line_no(&self) -> u64 {
        self.line_no
    }

    /// The path being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The next good message, or `None` at the end of the file. Only I/O errors are errors.
    pub fn next_message(&mut self) -> Result<Option<MarketData>, FeedError> {
        loop {
            match self.next_row()? {
                None => return Ok(None),
                Some(Ok(md)) => return Ok(Some(md)),
                Some(Err(e)) => self.bad_row(e),
            }
        }
    }

    /// The next data row, good or bad (comments, blank lines and the header are skipped), or
    /// `None` at the end of the file; [`CsvReader::line_no`] tells where a bad row is. For
    /// readers that must not skip a bad row (the backtest).
    pub fn next_row(&mut self) -> Result<Option<Result<MarketData, RowError>>, FeedError> {
        loop {
            self.buf.clear();
            let n = self
                .reader
                .read_until(b'\n', &mut self.buf)
                .map_err(|e| io_err(&self.path, e))?;
            if n == 0 {
                return Ok(None);
            }
            self.line_no += 1;
            let parsed = match std::str::from_utf8(&self.buf) {
                Ok(line) => {
                    let line = line.trim();
                    if line.is_empty() || line.starts_with('#') {
                        continue;
                    }
                    // The header is optional, so only the first non-comment line may be it.
                    let first = !std::mem::replace(&mut self.seen_data_line, true);
                    if first && line.replace(' ', "").eq_ignore_ascii_case(HEADER) {
                        continue;
                    }
                    parse_row_reusing(line, self.spare.pop().unwrap_or_default())
                }
                Err(_) => Err(RowError::NotUtf8),
            };
            return Ok(Some(parsed));
        }
    }

    fn bad_row(&mut self, e: RowError) {
        self.bad_rows += 1;
        let (path, line, n) = (self.path.display(), self.line_no, self.bad_rows);
        if n <= WARN_EACH_FIRST {
            tracing::warn!("{path}:{line}: skipping bad row: {e}");
        } else if n.is_multiple_of(1000) {
            tracing::warn!("{path}:{line}: skipping bad row: {e} ({n} bad rows so far)");
        }
    }
}

fn io_err(path: &Path, source: std::io::Error) -> FeedError {
    FeedError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
#[path = "csv_tests.rs"]
mod tests;
