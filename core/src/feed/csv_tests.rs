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
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/feed.md")).unwrap();
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
