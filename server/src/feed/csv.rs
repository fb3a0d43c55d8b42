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
    // At most nine fields are kept (on the stack: no allocation per row); more is an error.
    let mut fields = [""; 9];
    let mut n = 0usize;
    for part in line.trim_end_matches(['\r', '\n']).split(',') {
        if let Some(slot) = fields.get_mut(n) {
            *slot = part.trim();
        }
        n += 1;
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
        return Ok(MarketData {
            symbol: f[1].to_string(),
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
    Ok(MarketData {
        symbol: f[1].to_string(),
        ts,
        sent_ns: None,
        kind,
    })
}

/// Reads messages from a CSV file, skipping (and counting) what it cannot parse.
pub struct CsvReader {
    path: PathBuf,
    reader: BufReader<File>,
    line_no: u64,
    seen_data_line: bool,
    bad_rows: u64,
    buf: Vec<u8>,
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
                    parse_row(line)
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
mod tests {
    use super::*;
    use robofleet_api::testing::px;
    use std::io::Write;

    fn quote(bid: f64, bid_size: i64, ask: f64, ask_size: i64) -> MarketKind {
        MarketKind::Quote {
            bid: Price::from_f64(bid).unwrap(),
            bid_size,
            ask: Price::from_f64(ask).unwrap(),
            ask_size,
        }
    }

    #[test]
    fn good_rows_parse() {
        let q = parse_row("2026-11-02T10:00:00Z,Si,quote,99998,12,100000,7,,").unwrap();
        assert_eq!(q.symbol, "Si");
        assert_eq!(q.ts, 1_793_613_600_000_000_000);
        assert_eq!(q.sent_ns, None);
        assert_eq!(q.kind, quote(99998.0, 12, 100000.0, 7));
        let t = parse_row("5, RTS ,trade,,,,,110010,3\r\n").unwrap();
        assert_eq!((t.symbol.as_str(), t.ts), ("RTS", 5));
        assert_eq!(
            t.kind,
            MarketKind::Trade {
                price: px("110010.0"),
                size: 3
            }
        );
    }

    #[test]
    fn depth_rows_parse_and_bad_ones_say_why() {
        let d = parse_row("7,Si,depth,41,snapshot,99998@12 99997.5@30,100000@7").unwrap();
        let lv = |p: &str, qty| robofleet_api::Level { price: px(p), qty };
        assert_eq!(
            d.kind,
            MarketKind::Depth {
                seq: 41,
                snapshot: true,
                bids: vec![lv("99998", 12), lv("99997.5", 30)],
                asks: vec![lv("100000", 7)],
            }
        );
        let u = parse_row("8,Si,depth,42,update,,100000@0").unwrap();
        assert!(
            matches!(u.kind, MarketKind::Depth { snapshot: false, ref bids, .. } if bids.is_empty())
        );
        for (row, why) in [
            (
                "8,Si,depth,42,update,1@1",
                "expected 9 comma-separated fields, got 6",
            ),
            (
                "8,Si,depth,x,update,,",
                "depth row: seq \"x\" is not a number",
            ),
            (
                "8,Si,depth,1,full,,",
                "depth row: \"full\" is neither `snapshot` nor `update`",
            ),
            (
                "8,Si,depth,1,update,1:1,",
                "depth row: level \"1:1\" is not price@qty",
            ),
            ("8,Si,depth,1,update,1e3@1,", "depth row: price \"1e3\": "),
            (
                "8,Si,depth,1,snapshot,1@0,",
                "depth row: invalid values: depth levels",
            ),
        ] {
            let err = parse_row(row).unwrap_err().to_string();
            assert!(err.starts_with(why), "{row}: {err}");
        }
    }

    /// The example in docs/feed.md is a valid file, depth rows and all.
    #[test]
    fn the_documented_example_parses() {
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/feed.md"))
            .unwrap();
        let block = doc
            .split("```text")
            .find(|b| b.contains("# Si, 2026-11-02"))
            .and_then(|b| b.split("```").next())
            .unwrap();
        let rows: Vec<&str> = block
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("ts,"))
            .collect();
        assert_eq!(rows.len(), 5);
        for row in rows {
            parse_row(row).unwrap_or_else(|e| panic!("{row}: {e}"));
        }
    }

    #[test]
    fn bad_rows_are_typed_errors() {
        assert_eq!(parse_row("1,Si,quote,1,2,3"), Err(RowError::FieldCount(6)));
        assert!(matches!(
            parse_row("x,Si,quote,1,2,3,4,,"),
            Err(RowError::BadTs(_))
        ));
        assert_eq!(parse_row("1,,trade,,,,,1,1"), Err(RowError::EmptySymbol));
        assert!(matches!(
            parse_row("1,Si,bar,,,,,1,1"),
            Err(RowError::BadType(_))
        ));
        assert_eq!(
            parse_row("1,Si,quote,1,2,3,4,5,"),
            Err(RowError::UnexpectedField("price"))
        );
        assert!(matches!(
            parse_row("1,Si,trade,,,,,1,0"),
            Err(RowError::BadField { field: "size", .. })
        ));
        assert!(matches!(
            parse_row("1,Si,quote,NaN,1,2,1,,"),
            Err(RowError::BadField { field: "bid", .. })
        ));
        assert!(matches!(
            parse_row("1,Si,quote,1,-1,2,1,,"),
            Err(RowError::BadField { .. })
        ));
    }

    #[test]
    fn reader_skips_and_counts_bad_rows() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let body = format!(
            "# recorded on a test morning\n{HEADER}\n\n1,Si,quote,99,1,100,2,,\ngarbage\n\
             2026-11-02T10:00:00.5Z,RTS,trade,,,,,110000,4\n3,Si,trade,,,,,abc,1\n"
        );
        f.write_all(body.as_bytes()).unwrap();
        f.write_all(b"4,Si\xff,quote,1,1,2,2,,\n5,Si,trade,,,,,101,1")
            .unwrap(); // no final newline
        let mut r = CsvReader::open(f.path()).unwrap();
        let mut got = Vec::new();
        while let Some(md) = r.next_message().unwrap() {
            got.push(md);
        }
        assert_eq!(
            got.iter().map(|m| m.ts).collect::<Vec<_>>(),
            [1, 1_793_613_600_500_000_000, 5]
        );
        assert_eq!(r.bad_rows(), 3);
        r.rewind().unwrap();
        assert_eq!(r.next_message().unwrap().map(|m| m.ts), Some(1));
        assert!(CsvReader::open(Path::new("/nonexistent/ticks.csv")).is_err());
    }

    #[test]
    fn sample_file_parses_cleanly() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/sample_ticks.csv");
        let mut r = CsvReader::open(&path).unwrap();
        let (mut n, mut trades, mut last_ts) = (0, 0, i64::MIN);
        while let Some(md) = r.next_message().unwrap() {
            assert!(md.ts >= last_ts, "sample must be in time order");
            last_ts = md.ts;
            trades += matches!(md.kind, MarketKind::Trade { .. }) as u32;
            n += 1;
        }
        assert_eq!(r.bad_rows(), 0);
        assert!((2000..=4000).contains(&n), "{n} rows");
        assert!(trades > 0 && trades < n / 2);
    }
}
