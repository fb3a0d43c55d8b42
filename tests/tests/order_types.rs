//! Order types end to end: a robot's cancel-all reaches every open order it has in the store.

use robofleet_tests::*;
use serde_json::json;
use std::time::Duration;

const T: Duration = Duration::from_secs(15);

#[test]
fn a_robots_cancel_all_cancels_every_open_order_it_has() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        install(&plugin("template_robot"), dir, "libtemplate_robot.so");
        // An order a quote, far under the market: they stay open.
        std::fs::write(
            dir.join("libtemplate_robot.toml"),
            "[params]\nevery = 1\noffset = 50\n",
        )
        .unwrap();
    });
    assert!(wait_until(T, || srv.state("template") == "running"));
    let open = |srv: &mut TestServer| -> usize {
        srv.ok(json!({"cmd": "orders", "robot": "template", "open_only": true}))["orders"]
            .as_array()
            .unwrap()
            .len()
    };
    assert!(wait_until(T, || {
        feed.quote("Si", 100_000.0, 100_001.0, 5);
        open(&mut srv) >= 1
    }));
    srv.ok(json!({"cmd": "pause", "robot": "template"}));
    srv.ok(json!({"cmd": "command", "robot": "template", "name": "cancel_all"}));
    assert!(wait_until(T, || open(&mut srv) == 0), "open orders left");
    let orders = srv.orders("template");
    let cancelled: Vec<_> = orders
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["reason"] == json!("cancelled by robot"))
        .collect();
    assert!(!cancelled.is_empty(), "{orders}");
    assert!(
        orders
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["status"] == json!("Cancelled")),
        "{orders}"
    );
    srv.stop();
}
