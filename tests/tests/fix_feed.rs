//! Market data over FIX: the paper venue serves the fleet's feed to FIX subscribers, and
//! `robofleet feed --fix` republishes a venue's snapshots and incremental refreshes on a
//! ZeroMQ feed. What a subscriber of that feed sees must be what the source published:
//! the same quotes and trades, and depth that rebuilds the same books.

use robofleet::market::book::{Books, Rebuilt};
use robofleet::market::{self, MarketData, MarketKind};
use robofleet::server::zmq_context;
use robofleet_api::{Level, Price};
use robofleet_fix::engine::{Role, SessionKey};
use robofleet_fix::md::feed::{BookKind, FixFeed, FixFeedConfig};
use robofleet_fix::paper::{PaperConfig, PaperVenue};
use robofleet_fix::settings::{self, SessionFile};
use robofleet_tests::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

const T: Duration = Duration::from_secs(20);

fn key(sender: &str, target: &str) -> SessionKey {
    SessionKey {
        begin: "FIX.4.4".into(),
        sender: sender.into(),
        target: target.into(),
    }
}

fn session_file(dir: &Path, role: Role, session: &SessionKey, port: u16) -> PathBuf {
    settings::write(
        dir,
        &SessionFile {
            role,
            session,
            host: "127.0.0.1",
            port,
            heartbeat_s: 5,
            reconnect_s: 1,
        },
    )
    .expect("settings written")
}

fn start_venue(dir: &Path, port: u16, feed: &Feed, client: &str) -> PaperVenue {
    PaperVenue::start(
        &zmq_context(),
        PaperConfig {
            settings: session_file(
                &dir.join("venue"),
                Role::Acceptor,
                &key("PAPER", client),
                port,
            ),
            feed_endpoint: feed.endpoint.clone(),
            instruments: test_instruments(),
            cancel_on_disconnect: false,
        },
    )
    .expect("paper venue starts")
}

fn start_feed(dir: &Path, port: u16, symbols: &[&str], me: &str) -> (FixFeed, String) {
    let endpoint = format!("tcp://127.0.0.1:{}", free_port());
    let feed = FixFeed::start(
        &zmq_context(),
        FixFeedConfig {
            settings: session_file(&dir.join("feed"), Role::Initiator, &key(me, "PAPER"), port),
            endpoint: endpoint.clone(),
            sndhwm: 100_000,
            symbols: symbols.iter().map(|s| s.to_string()).collect(),
            book: BookKind::Both,
            depth: 0,
            trades: true,
        },
    )
    .expect("FIX feed starts");
    (feed, endpoint)
}

fn subscriber(endpoint: &str) -> zmq::Socket {
    let sub = zmq_context().socket(zmq::SUB).unwrap();
    sub.set_rcvtimeo(100).unwrap();
    sub.connect(endpoint).unwrap();
    sub.set_subscribe(b"").unwrap();
    sub
}

fn recv(sub: &zmq::Socket) -> Option<MarketData> {
    let frames = sub.recv_multipart(0).ok()?;
    let mut md = market::decode(&frames).expect("the FIX feed publishes the wire format");
    md.sent_ns = None;
    Some(md)
}

fn p(s: &str) -> Price {
    s.parse().unwrap()
}

fn l(price: &str, qty: i64) -> Level {
    Level {
        price: p(price),
        qty,
    }
}

struct Source {
    feed: Feed,
    ts: i64,
    sent: Vec<MarketData>,
}

impl Source {
    fn new() -> Source {
        Source {
            feed: Feed::new(),
            ts: 1_790_000_000_000_000_000,
            sent: Vec::new(),
        }
    }

    fn send(&mut self, symbol: &str, kind: MarketKind) {
        // Odd ns, so a time cut to ms or µs anywhere on the way shows.
        self.ts += 1_000_123_457;
        let md = MarketData {
            symbol: symbol.into(),
            ts: self.ts,
            sent_ns: None,
            kind,
        };
        self.feed.send_md(&md);
        self.sent.push(md);
    }

    fn quote(&mut self, symbol: &str, bid: &str, bid_size: i64, ask: &str, ask_size: i64) {
        let kind = MarketKind::Quote {
            bid: p(bid),
            bid_size,
            ask: p(ask),
            ask_size,
        };
        self.send(symbol, kind);
    }

    fn trade(&mut self, symbol: &str, price: &str, size: i64) {
        let kind = MarketKind::Trade {
            price: p(price),
            size,
        };
        self.send(symbol, kind);
    }

    fn depth(&mut self, seq: u64, snapshot: bool, bids: Vec<Level>, asks: Vec<Level>) {
        let kind = MarketKind::Depth {
            seq,
            snapshot,
            bids,
            asks,
        };
        self.send("RTS", kind);
    }
}

/// Trades on `symbol` until one comes out of the FIX feed: then the venue has the source
/// and the feed's subscriptions are in place. Drains what came before.
fn warm_up(src: &mut Source, sub: &zmq::Socket, symbol: &str) {
    let deadline = Instant::now() + T;
    loop {
        assert!(
            Instant::now() < deadline,
            "nothing came through the FIX feed"
        );
        src.trade(symbol, "1", 1);
        if let Some(md) = recv(sub) {
            if md.symbol == symbol && matches!(md.kind, MarketKind::Trade { .. }) {
                break;
            }
        }
    }
    std::thread::sleep(Duration::from_millis(300));
    while recv(sub).is_some() {}
    src.sent.clear();
}

/// Everything the FIX feed publishes until `n` messages of `pred` came, or the timeout.
fn collect(sub: &zmq::Socket, n: usize, pred: impl Fn(&MarketData) -> bool) -> Vec<MarketData> {
    let (deadline, mut got) = (Instant::now() + T, Vec::new());
    while got.iter().filter(|m| pred(m)).count() < n && Instant::now() < deadline {
        if let Some(md) = recv(sub) {
            got.push(md);
        }
    }
    got
}

fn is_rts_depth(m: &MarketData) -> bool {
    m.symbol == "RTS" && matches!(m.kind, MarketKind::Depth { .. })
}

/// Each of RTS's depth messages' book, rebuilt as a robot's market data thread would (a gap: empty).
fn books(msgs: &[MarketData]) -> Vec<(Vec<Level>, Vec<Level>)> {
    let mut books = Books::default();
    let mut out = Vec::new();
    for m in msgs.iter().filter(|m| is_rts_depth(m)) {
        match books.rebuild(m.clone()) {
            Rebuilt::Data(MarketData {
                kind: MarketKind::Depth { bids, asks, .. },
                ..
            })
            | Rebuilt::Gap(MarketData {
                kind: MarketKind::Depth { bids, asks, .. },
                ..
            }) => out.push((bids, asks)),
            _ => {}
        }
    }
    out
}

#[test]
fn a_venues_fix_market_data_reaches_the_zeromq_feed_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut src = Source::new();
    let _venue = start_venue(dir.path(), port, &src.feed, "MD1");
    let (fix_feed, endpoint) = start_feed(dir.path(), port, &["Si", "RTS"], "MD1");
    let sub = subscriber(&endpoint);
    warm_up(&mut src, &sub, "Si");
    // A subscriber that joins now, after the books' snapshots: it is sent them again.
    drop(sub);
    let sub = subscriber(&endpoint);
    let joined = collect(&sub, 1, is_rts_depth);
    assert!(
        matches!(joined.last().map(|m| &m.kind), Some(MarketKind::Depth { snapshot: true, bids, asks, .. }) if bids.is_empty() && asks.is_empty()),
        "a joiner is sent RTS's (empty) book: {joined:?}"
    );

    // Si: quotes (one the same as the last, one with a side of size 0) and trades.
    src.quote("Si", "99998", 12, "100000", 7);
    src.quote("Si", "99998", 12, "100000", 7);
    src.trade("Si", "100000", 3);
    src.quote("Si", "99999.5", 4, "100000.25", 0);
    src.quote("Si", "99990", 1, "99995", 2);
    // RTS: a book, updates (a new level, a change, a deletion), a gap, a new snapshot.
    src.depth(
        10,
        true,
        vec![l("150000", 5), l("149990", 8)],
        vec![l("150010", 3)],
    );
    src.depth(11, false, vec![l("150000", 6)], vec![l("150020", 9)]);
    src.depth(12, false, vec![l("149990", 0), l("149980", 2)], vec![]);
    src.trade("RTS", "150010", 2);
    src.depth(14, false, vec![l("149970", 1)], vec![]);
    src.depth(
        15,
        true,
        vec![l("149960", 4)],
        vec![l("150030", 1), l("150040", 6)],
    );
    src.depth(16, false, vec![], vec![l("150030", 0)]);

    let sent = src.sent.clone();
    let want_books = books(&sent);
    let sent_with_join: Vec<MarketData> =
        joined.iter().filter(|m| is_rts_depth(m)).cloned().collect();
    let got = collect(&sub, want_books.len(), is_rts_depth);

    let of = |msgs: &[MarketData], symbol: &str| -> Vec<MarketData> {
        msgs.iter()
            .filter(|m| {
                m.symbol == symbol
                    && matches!(m.kind, MarketKind::Quote { .. } | MarketKind::Trade { .. })
            })
            .cloned()
            .collect()
    };
    // Quotes and trades exactly as published, ns times and exact prices included.
    assert_eq!(of(&got, "Si"), of(&sent, "Si"));
    let trades = |msgs: &[MarketData]| -> Vec<MarketData> {
        msgs.iter()
            .filter(|m| m.symbol == "RTS" && matches!(m.kind, MarketKind::Trade { .. }))
            .cloned()
            .collect()
    };
    assert_eq!(
        trades(&got),
        trades(&sent),
        "{:?}",
        got.iter()
            .map(|m| format!("{} {} {:?}", m.symbol, m.ts, m.kind))
            .collect::<Vec<_>>()
    );
    // Depth that rebuilds the same books, the gap's empty one included.
    let got_with_join: Vec<MarketData> = sent_with_join.iter().chain(&got).cloned().collect();
    assert_eq!(books(&got_with_join)[1..], want_books[..]);
    // The top of RTS's book as quotes, at each change of it.
    let rts_quotes: Vec<(Price, i64, Price, i64)> = got
        .iter()
        .filter_map(|m| match m.kind {
            MarketKind::Quote {
                bid,
                bid_size,
                ask,
                ask_size,
            } if m.symbol == "RTS" => Some((bid, bid_size, ask, ask_size)),
            _ => None,
        })
        .collect();
    assert_eq!(rts_quotes.first(), Some(&(p("150000"), 5, p("150010"), 3)));
    assert_eq!(rts_quotes.last(), Some(&(p("149960"), 4, p("150040"), 6)));
    assert_eq!(fix_feed.counters.rejected.load(Ordering::Relaxed), 0);
    assert_eq!(fix_feed.counters.dropped_hwm.load(Ordering::Relaxed), 0);
}

#[test]
fn a_refused_symbol_is_counted_and_a_returning_venue_is_subscribed_to_again() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut src = Source::new();
    let venue = start_venue(dir.path(), port, &src.feed, "MD2");
    let (fix_feed, endpoint) = start_feed(dir.path(), port, &["Si", "NOPE"], "MD2");
    let sub = subscriber(&endpoint);
    let c = fix_feed.counters.clone();
    // NOPE's quotes and depth are both refused (MarketDataRequestReject); Si flows.
    assert!(wait_until(T, || c.rejected.load(Ordering::Relaxed) == 2));
    warm_up(&mut src, &sub, "Si");

    drop(venue);
    let venue = start_venue(dir.path(), port, &src.feed, "MD2");
    assert!(
        wait_until(T, || c.logons.load(Ordering::Relaxed) == 2),
        "the feed logs on again"
    );
    // The new logon's subscriptions: Si's book comes again as a snapshot, and quotes flow.
    let deadline = Instant::now() + T;
    let (mut snapshot, mut quote) = (false, false);
    while !(snapshot && quote) {
        assert!(
            Instant::now() < deadline,
            "nothing after the venue came back"
        );
        src.quote("Si", "99990", 1, "99995", 2);
        while let Some(md) = recv(&sub) {
            match md.kind {
                MarketKind::Depth { snapshot: true, .. } if md.symbol == "Si" => snapshot = true,
                MarketKind::Quote { .. } if md.symbol == "Si" => quote = true,
                _ => {}
            }
        }
    }
    assert_eq!(c.rejected.load(Ordering::Relaxed), 4, "NOPE refused again");
    drop(venue);
}

#[test]
fn robofleet_feed_fix_republishes_and_says_what_it_did() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut src = Source::new();
    let _venue = start_venue(dir.path(), port, &src.feed, "MD3");
    let settings = session_file(
        &dir.path().join("feed"),
        Role::Initiator,
        &key("MD3", "PAPER"),
        port,
    );
    let endpoint = format!("tcp://127.0.0.1:{}", free_port());
    let child = std::process::Command::new(target_dir().join("robofleet"))
        .args(["feed", "--fix"])
        .arg(&settings)
        .args([
            "--symbols",
            "Si",
            "--book",
            "quotes",
            "--endpoint",
            &endpoint,
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("robofleet feed --fix runs");
    let sub = subscriber(&endpoint);
    let deadline = Instant::now() + T;
    let got = loop {
        assert!(
            Instant::now() < deadline,
            "no quote came out of robofleet feed --fix"
        );
        src.quote("Si", "99998", 12, "100000", 7);
        if let Some(md) = recv(&sub) {
            break md;
        }
    };
    assert_eq!(got.symbol, "Si");
    assert!(matches!(got.kind, MarketKind::Quote { .. }), "{got:?}");
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{out:?}");
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout).expect("a JSON stats line");
    let mut keys: Vec<&str> = stats
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "dropped_hwm",
            "logons",
            "published",
            "rejected",
            "unreadable"
        ]
    );
    assert!(stats["published"].as_u64().unwrap() >= 1, "{stats}");
    assert_eq!(stats["logons"], 1);
    assert_eq!(stats["rejected"], 0);
}
