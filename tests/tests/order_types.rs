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

#[test]
fn a_robot_moves_its_order_with_an_amend_and_hears_the_answer() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        install(&plugin("template_robot"), dir, "libtemplate_robot.so");
        std::fs::write(
            dir.join("libtemplate_robot.toml"),
            "[params]\nevery = 1\noffset = 50\namend = true\n",
        )
        .unwrap();
    });
    assert!(wait_until(T, || srv.state("template") == "running"));
    assert!(wait_until(T, || {
        feed.quote("Si", 100_000.0, 100_001.0, 5);
        srv.orders("template")
            .as_array()
            .is_some_and(|a| !a.is_empty())
    }));
    // The market moves up: the robot moves the same order up after it.
    assert!(wait_until(T, || {
        feed.quote("Si", 100_020.0, 100_021.0, 5);
        let orders = srv.orders("template");
        orders[0]["amends"].as_u64().unwrap_or(0) >= 1
    }));
    let orders = srv.orders("template");
    let orders = orders.as_array().unwrap();
    assert_eq!(orders.len(), 1, "moved, not replaced: {orders:?}");
    let o = &orders[0];
    assert_eq!(o["client_id"], json!("template-1"));
    assert_eq!(o["order_type"], json!({"Limit": {"price": "99970"}}), "{o}");
    assert_eq!(
        (o["status"].clone(), o["reason"].clone()),
        (json!("Working"), json!("amended"))
    );
    // The answer reached the robot as an order update.
    assert!(wait_until(T, || srv.status("template")
        ["order_updates_received"]
        .as_u64()
        .unwrap_or(0)
        >= 2));
    srv.stop();
}
