//! A tick published on the feed becomes an order, a fill, a trade event at that robot and a
//! position, with nothing lost; garbage on the feed is counted and dropped.

use robofleet_tests::*;
use serde_json::json;
use std::time::Duration;

const T: Duration = Duration::from_secs(15);

#[test]
fn tick_becomes_order_fill_trade_event_and_position() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        install(&plugin("panicky"), dir, "libpanicky.so");
    });
    assert!(wait_until(T, || srv.state("panicky") == "running"));
    // Garbage first: counted, dropped, no harm.
    feed.send_raw(vec![b"Si".to_vec(), b"\x00\x01garbage".to_vec()]);
    feed.send_raw(vec![b"Si".to_vec()]);
    // The robot bids 1 lot at the bid of its first quote.
    assert!(wait_until(T, || {
        feed.quote("Si", 100.0, 101.0, 5);
        !srv.orders("panicky").as_array().unwrap().is_empty()
    }));
    let orders = srv.orders("panicky");
    let order = &orders[0];
    assert_eq!(order["client_id"], json!("panicky-1"));
    assert_eq!(order["order_type"], json!({"Limit": {"price": "100"}}));
    assert!(wait_until(T, || srv.orders("panicky")[0]["status"] == "Working"));
    // The market comes down through the bid: the gateway fills it.
    assert!(wait_until(T, || {
        feed.quote("Si", 99.0, 100.0, 5);
        srv.orders("panicky")[0]["status"] == "Filled"
    }));
    let trades = srv.trades("panicky");
    assert_eq!(trades.as_array().unwrap().len(), 1, "{trades}");
    assert_eq!(trades[0]["price"], json!("100"));
    assert_eq!(trades[0]["qty"], json!(1));
    // The fill reaches the robot through its trade subscription, and the order updates too.
    assert!(wait_until(T, || srv.status("panicky")["fills_received"] == json!(1)));
    assert!(
        srv.status("panicky")["order_updates_received"]
            .as_u64()
            .unwrap()
            >= 2
    );
    let positions = srv.ok(json!({"cmd": "positions", "robot": "panicky"}));
    assert_eq!(positions[0]["qty"], json!(1), "{positions}");
    assert_eq!(positions[0]["avg_price"], json!("100"));
    let stats = srv.ok(json!({"cmd": "stats"}));
    assert!(
        stats["market_data"]["garbage"].as_u64().unwrap() >= 2,
        "{stats}"
    );
    assert_eq!(stats["robots"][0]["md_dropped"], json!(0));
    // Latency: time inside the plugin, and tick -> gateway for the one order.
    let robot = &stats["robots"][0];
    let (p50, p99) = (
        robot["handle_ns_p50"].as_u64(),
        robot["handle_ns_p99"].as_u64(),
    );
    assert!(
        matches!((p50, p99), (Some(a), Some(b)) if a > 0 && b >= a),
        "{stats}"
    );
    let inside = &stats["gateway"]["latency_inside_ns"];
    assert_eq!(inside["count"], json!(1), "{stats}");
    assert!(inside["p50"].as_u64().unwrap() > 0, "{stats}");
    srv.stop();
}

#[test]
fn orders_and_trades_survive_a_server_restart() {
    let mut feed = Feed::new();
    let data = tempfile::tempdir().unwrap();
    let plugins = tempfile::tempdir().unwrap();
    install(&plugin("panicky"), plugins.path(), "libpanicky.so");
    let start = |feed: &Feed, journal: bool| {
        let mut cfg = robofleet::server::ServeConfig::new(plugins.path(), data.path());
        cfg.control_endpoint = "tcp://127.0.0.1:*".into();
        cfg.feed_endpoint = feed.endpoint.clone();
        if !journal {
            cfg.journal_dir = None;
        }
        robofleet::server::start(cfg).unwrap()
    };
    let orders = |h: &robofleet::server::ServerHandle| -> Vec<String> {
        let all = h.store.orders(&Default::default()).unwrap();
        all.into_iter().map(|o| o.client_id).collect()
    };
    let events = |h: &robofleet::server::ServerHandle| {
        h.registry.get("panicky").map_or(0, |r| r.status().events)
    };
    // panicky buys once, on its first quote.
    let handle = start(&feed, true);
    assert!(wait_until(T, || {
        feed.quote("Si", 100.0, 101.0, 5);
        orders(&handle).len() == 1
    }));
    handle.shutdown();

    // Restarted: the order is still in the store, and the robot, rebuilt from its journal,
    // remembers it has bought: more quotes send nothing twice.
    let handle = start(&feed, true);
    assert_eq!(orders(&handle), ["panicky-1"]);
    assert!(wait_until(T, || handle
        .registry
        .get("panicky")
        .is_some_and(|r| r
            .status()
            .recovery
            .starts_with("rebuilt from journal"))));
    let before = events(&handle);
    assert!(wait_until(T, || {
        feed.quote("Si", 100.0, 101.0, 5);
        events(&handle) >= before + 5
    }));
    assert_eq!(orders(&handle), ["panicky-1"]);
    handle.shutdown();

    // Without a journal the robot starts afresh and buys again: its order sequence continues
    // from the store, so the new order cannot collide with the old one.
    let handle = start(&feed, false);
    assert!(wait_until(T, || {
        feed.quote("Si", 100.0, 101.0, 5);
        orders(&handle).len() == 2
    }));
    assert_eq!(orders(&handle), ["panicky-1", "panicky-2"]);
    handle.shutdown();
}
