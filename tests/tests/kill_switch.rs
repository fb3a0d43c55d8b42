//! The fleet's latching kill switch end to end: no new order passes, every working order is
//! cancelled, the audit entry exists, it stays engaged across a restart, and an operator's
//! reset lets the robots trade again.

use robofleet::server;
use robofleet_tests::*;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

fn start(feed: &Feed, plugins: &Path, data: &Path) -> TestServer {
    let cfg = TestServer::config(&feed.endpoint, plugins, data);
    TestServer::from_handle(server::start(cfg).expect("server starts"))
}

fn open_orders(srv: &mut TestServer) -> Vec<Value> {
    let page = srv.ok(json!({"cmd": "orders", "robot": "template", "open_only": true}));
    page["orders"].as_array().unwrap().clone()
}

fn all_orders(srv: &mut TestServer) -> Vec<Value> {
    let page = srv.ok(json!({"cmd": "orders", "robot": "template", "limit": 10000}));
    page["orders"].as_array().unwrap().clone()
}

fn wait_trading(srv: &mut TestServer, feed: &mut Feed, state: &str) {
    assert!(
        wait_until(T, || {
            feed.quote("Si", 100_000.0, 100_001.0, 5);
            srv.status("template")["trading_state"] == json!(state)
        }),
        "trading_state {state}: {}",
        srv.status("template")
    );
}

/// Orders created after `since_ns` that were not denied.
fn passed_since(srv: &mut TestServer, since_ns: i64) -> Vec<Value> {
    all_orders(srv)
        .into_iter()
        .filter(|o| o["created_ns"].as_i64().unwrap() > since_ns && o["status"] != json!("Denied"))
        .collect()
}

#[test]
fn the_kill_switch_halts_cancels_latches_across_a_restart_and_an_operator_resets_it() {
    let mut feed = Feed::new();
    let plugins = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    install(
        &plugin("template_robot"),
        plugins.path(),
        "libtemplate_robot.so",
    );
    // An order every quote, 50 under the bid, each replacing the one before: one always works.
    std::fs::write(
        plugins.path().join("libtemplate_robot.toml"),
        "[params]\nevery = 1\noffset = 50\n",
    )
    .unwrap();
    let mut srv = start(&feed, plugins.path(), data.path());
    assert!(wait_until(T, || srv.state("template") == "running"));
    // No risk.toml: the robot has no checks of its own, and the kill switch still holds it.
    assert_eq!(srv.status("template")["trading_state"], Value::Null);
    assert!(wait_until(T, || {
        feed.quote("Si", 100_000.0, 100_001.0, 5);
        open_orders(&mut srv)
            .iter()
            .any(|o| o["status"] == json!("Working"))
    }));

    let r = srv.ok(json!({"cmd": "kill_switch", "reason": "drill"}));
    assert_eq!(r["engaged"], json!(true), "{r}");
    assert_eq!(r["by"], json!("local"));
    assert_eq!(r["reason"], json!("drill"));
    assert_eq!(r["already_engaged"], json!(false));
    assert_eq!(r["robots_halted"], json!(1));
    // Every working order is cancelled, and nothing new works.
    wait_trading(&mut srv, &mut feed, "HALTED");
    let halted_at = robofleet::clock::wall_ns();
    assert!(
        wait_until(T, || open_orders(&mut srv).is_empty()),
        "{:?}",
        open_orders(&mut srv)
    );
    assert!(wait_until(T, || {
        feed.quote("Si", 100_010.0, 100_011.0, 5);
        all_orders(&mut srv).iter().any(|o| {
            o["status"] == json!("Denied")
                && o["reason"]
                    == json!("HALTED: an order (limit kill switch engaged by local: drill)")
        })
    }));
    assert_eq!(passed_since(&mut srv, halted_at), Vec::<Value>::new());
    // A second engage changes nothing; the switch shows in stats; the audit log has it.
    let again = srv.ok(json!({"cmd": "kill_switch"}));
    assert_eq!(again["already_engaged"], json!(true));
    assert_eq!(again["reason"], json!("drill"));
    let stats = srv.ok(json!({"cmd": "stats"}));
    assert_eq!(stats["kill_switch"]["engaged"], json!(true), "{stats}");
    let audit = srv.ok(json!({"cmd": "audit"}));
    let kill = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|e| e["cmd"] == json!("kill_switch"))
        .cloned()
        .expect("audited");
    assert_eq!(
        (kill["who"].clone(), kill["result"].clone()),
        (json!("local"), json!("ok"))
    );
    assert!(kill["request"].as_str().unwrap().contains("drill"));

    // Latched: a restart does not release it; the robot starts halted.
    srv.stop();
    let mut srv = start(&feed, plugins.path(), data.path());
    assert!(wait_until(T, || srv.state("template") == "running"));
    let restarted_at = robofleet::clock::wall_ns();
    wait_trading(&mut srv, &mut feed, "HALTED");
    assert!(wait_until(T, || {
        feed.quote("Si", 100_020.0, 100_021.0, 5);
        all_orders(&mut srv).iter().any(|o| {
            o["status"] == json!("Denied") && o["created_ns"].as_i64().unwrap() > restarted_at
        })
    }));
    assert_eq!(passed_since(&mut srv, restarted_at), Vec::<Value>::new());

    // Only an operator's reset lets it trade again.
    let r = srv.ok(json!({"cmd": "reset_kill_switch"}));
    assert_eq!(r["engaged"], json!(false));
    assert_eq!(r["was"]["by"], json!("local"));
    assert_eq!(r["robots_resumed"], json!(1));
    assert_eq!(
        srv.ok(json!({"cmd": "stats"}))["kill_switch"],
        json!({"engaged": false})
    );
    assert!(wait_until(T, || {
        feed.quote("Si", 100_030.0, 100_031.0, 5);
        open_orders(&mut srv)
            .iter()
            .any(|o| o["status"] == json!("Working"))
    }));
    srv.stop();
    assert!(!data.path().join("kill_switch.json").exists());
}
