//! Order book depth over the real feed: snapshots and updates rebuilt into books, a gap
//! dropping the book until the next snapshot (counted), books reaching only the robots that
//! asked for depth, and the gateway's simulated exchange filling against the levels.

use robofleet::market::{MarketData, MarketKind};
use robofleet_api::{Level, Price};
use robofleet_tests::*;
use serde_json::{json, Value};
use std::time::Duration;

const T: Duration = Duration::from_secs(15);

fn lv(p: &str, qty: i64) -> Level {
    Level {
        price: p.parse::<Price>().unwrap(),
        qty,
    }
}

fn depth(feed: &Feed, seq: u64, snapshot: bool, bids: Vec<Level>, asks: Vec<Level>) {
    feed.send_md(&MarketData {
        symbol: "Si".into(),
        ts: robofleet::clock::wall_ns(),
        sent_ns: None,
        kind: MarketKind::Depth {
            seq,
            snapshot,
            bids,
            asks,
        },
    });
}

/// (side, qty, limit price) of each order the robot sent, in the order it sent them.
fn bids_sent(srv: &mut TestServer, robot: &str) -> Vec<(String, i64, String)> {
    let orders = srv.orders(robot);
    let mut out: Vec<(u64, String, i64, String)> = orders
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let price = o["order_type"]["Limit"]["price"]
                .as_str()
                .unwrap_or("")
                .to_string();
            let side = o["side"].as_str().unwrap_or("").to_string();
            (
                o["order_seq"].as_u64().unwrap(),
                side,
                o["qty"].as_i64().unwrap(),
                price,
            )
        })
        .collect();
    out.sort();
    out.into_iter()
        .map(|(_, side, qty, px)| (side, qty, px))
        .collect()
}

#[test]
fn books_reach_the_robots_that_asked_and_a_gap_waits_for_a_snapshot() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        install(&plugin("book_watcher"), dir, "libbook_watcher.so");
        install(&plugin("panicky"), dir, "libpanicky.so");
    });
    assert!(wait_until(T, || srv.state("book_watcher") == "running"
        && srv.state("panicky") == "running"));
    // The first snapshot, sent until the subscription is live: each one resets the book.
    assert!(wait_until(T, || {
        depth(
            &feed,
            1,
            true,
            vec![lv("99", 5), lv("98", 7)],
            vec![lv("101", 2), lv("102", 4), lv("104", 9)],
        );
        !bids_sent(&mut srv, "book_watcher").is_empty()
    }));
    let first = bids_sent(&mut srv, "book_watcher");
    assert_eq!(first[0], ("Buy".to_string(), 203, "99".to_string()));
    // Update 2 adds a better bid and removes an ask: the robot sees the whole book after it.
    depth(&feed, 2, false, vec![lv("100", 1)], vec![lv("104", 0)]);
    let after_update = ("Buy".to_string(), 302, "100".to_string());
    assert!(wait_until(T, || bids_sent(&mut srv, "book_watcher")
        .contains(&after_update)));
    // Update 4 after 2: a gap. Nothing reaches the robot until the next snapshot.
    depth(&feed, 4, false, vec![lv("97", 1)], vec![]);
    depth(&feed, 5, false, vec![lv("96", 1)], vec![]);
    depth(&feed, 10, true, vec![lv("95", 3)], vec![lv("103", 1)]);
    let after_snapshot = ("Buy".to_string(), 101, "95".to_string());
    assert!(wait_until(T, || bids_sent(&mut srv, "book_watcher")
        .contains(&after_snapshot)));
    let sent = bids_sent(&mut srv, "book_watcher");
    let at = sent.iter().position(|o| *o == after_update).unwrap();
    assert_eq!(
        sent[at + 1..],
        [after_snapshot],
        "only the snapshot after the gap: {sent:?}"
    );
    let stats = srv.ok(json!({"cmd": "stats"}));
    assert_eq!(stats["market_data"]["depth_gaps"], json!(1), "{stats}");
    assert_eq!(stats["market_data"]["depth_stale"], json!(1), "{stats}");
    assert_eq!(stats["gateway"]["depth_gaps"], json!(1), "{stats}");
    // A quote reaches the quotes robot (panicky bids at its bid), never the depth robot.
    assert!(wait_until(T, || {
        feed.quote("Si", 90.0, 91.0, 5);
        !srv.orders("panicky").as_array().unwrap().is_empty()
    }));
    assert!(bids_sent(&mut srv, "book_watcher")
        .iter()
        .all(|(side, ..)| side == "Buy"));
    // And no book reached panicky: its only order is the one for the quote.
    let panicky: Value = srv.orders("panicky");
    assert_eq!(panicky.as_array().unwrap().len(), 1, "{panicky}");
    // The gateway's exchange fills against the levels: the best of the robot's resting bids
    // (302 lots at 100, partly filled by the quotes above) walks a book of asks at 94 and
    // 95, price by price.
    let before = srv.trades("book_watcher").as_array().unwrap().len();
    depth(
        &feed,
        11,
        true,
        vec![lv("90", 1)],
        vec![lv("94", 50), lv("95", 100)],
    );
    assert!(wait_until(T, || srv
        .trades("book_watcher")
        .as_array()
        .unwrap()
        .len()
        >= before + 2));
    let trades = srv.trades("book_watcher");
    let new: Vec<(i64, &str, &str)> = trades.as_array().unwrap()[before..]
        .iter()
        .map(|t| {
            let id = t["client_id"].as_str().unwrap();
            (t["qty"].as_i64().unwrap(), t["price"].as_str().unwrap(), id)
        })
        .collect();
    let best = new[0].2;
    assert_eq!(new, [(50, "94", best), (100, "95", best)], "{trades}");
    srv.stop();
}
