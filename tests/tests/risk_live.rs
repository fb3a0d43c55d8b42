//! Pre-trade checks on the live server: `<data>/risk.toml`, a real robot, the embedded store.
//! A denied order is kept in the store as `Denied` with its reason and never reaches the
//! gateway; the robot hears it; a replay of the robot's journal reproduces every step.

use robofleet_tests::*;
use serde_json::{json, Value};
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

fn orders_with(orders: &Value, status: &str) -> Vec<Value> {
    orders
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["status"] == json!(status))
        .cloned()
        .collect()
}

#[test]
fn denied_orders_are_kept_as_denied_and_the_journal_replays_them() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start_with_data(&feed.endpoint, |plugins, data| {
        install(&plugin("template_robot"), plugins, "libtemplate_robot.so");
        // An order every quote, 50 under the bid; each replaces the one before (cancel, then
        // a new order): at a steady quote, the same order again.
        std::fs::write(
            plugins.join("libtemplate_robot.toml"),
            "[params]\nevery = 1\noffset = 50\n",
        )
        .unwrap();
        std::fs::write(
            data.join("risk.toml"),
            "[robots.default]\nduplicate_window_ms = 600000\n",
        )
        .unwrap();
    });
    assert!(wait_until(T, || srv.state("template") == "running"));
    assert!(
        wait_until(T, || {
            feed.quote("Si", 100_000.0, 100_001.0, 5);
            srv.status("template")["orders_denied"]
                .as_u64()
                .unwrap_or(0)
                >= 3
        }),
        "orders over the limit are denied: {}",
        srv.status("template")
    );
    let orders = srv.orders("template");
    let denied = orders_with(&orders, "Denied");
    assert!(denied.len() >= 3, "{orders}");
    for o in &denied {
        let reason = o["reason"].as_str().unwrap();
        assert!(
            reason.starts_with("DUPLICATE_ORDER: ") && reason.ends_with(" (limit 600000 ms)"),
            "{o}"
        );
        assert_eq!(o["filled_qty"], json!(0));
        assert_eq!(o["history"].as_array().unwrap().len(), 1, "{o}");
        assert_eq!(o["history"][0]["status"], json!("Denied"), "never New: {o}");
    }
    // The first order passed and reached the gateway (it worked, then was cancelled).
    let passed: Vec<_> = orders
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["status"] != json!("Denied"))
        .collect();
    assert_eq!(passed.len(), 1, "{orders}");
    assert!(passed[0]["history"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["status"] == json!("Working")));
    // The robot heard every denial (each an order update it handled).
    let status = srv.status("template");
    assert!(
        status["order_updates_received"].as_u64().unwrap()
            >= status["orders_denied"].as_u64().unwrap(),
        "{status}"
    );

    let data = srv.stop_keeping_data();
    let journal = data.path().join("journal");
    let so = plugin("template_robot").to_string_lossy().to_string();
    let (code, r) = replay_report(&journal, "template", &["--check", &so]);
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["identical"], json!(true), "{r:#}");
    assert_eq!(r["divergent_events"], json!(0));
}

#[test]
fn a_bad_limits_file_stops_the_server_from_starting() {
    let plugins = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    std::fs::write(
        data.path().join("risk.toml"),
        "[robots.default]\nmax_working_orders = \"many\"\n",
    )
    .unwrap();
    let cfg = TestServer::config("tcp://127.0.0.1:1", plugins.path(), data.path());
    let err = match robofleet::server::start(cfg) {
        Ok(_) => panic!("a server started on a bad risk.toml"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("risk.toml") && err.contains("max_working_orders"),
        "{err}"
    );
}

#[test]
fn an_execution_throttle_halts_a_live_robot_until_an_operator_resumes_it() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start_with_data(&feed.endpoint, |plugins, data| {
        install(&plugin("market_maker"), plugins, "libmarket_maker.so");
        std::fs::write(
            data.join("risk.toml"),
            "[robots.default]\nfills = { max = 1, window_ms = 600000 }\n",
        )
        .unwrap();
    });
    assert!(wait_until(T, || srv.state("market_maker") == "running"));
    assert_eq!(srv.status("market_maker")["trading_state"], json!("ACTIVE"));
    let mut seed = 3;
    assert!(
        wait_until(Duration::from_secs(60), || {
            seed += 1;
            random_walk(
                &mut feed,
                &[("Si", 90_000.0)],
                50,
                seed,
                Duration::from_millis(1),
            );
            srv.status("market_maker")["trading_state"] == json!("HALTED")
        }),
        "two fills halt it: {}",
        srv.status("market_maker")
    );
    // Halted: what it sends now is denied, and kept so.
    assert!(wait_until(T, || {
        random_walk(
            &mut feed,
            &[("Si", 90_000.0)],
            20,
            seed,
            Duration::from_millis(1),
        );
        orders_with(&srv.orders("market_maker"), "Denied")
            .iter()
            .any(|o| o["reason"] == json!("HALTED: an order (limit halted)"))
    }));
    srv.ok(json!({"cmd": "resume_trading", "robot": "market_maker"}));
    assert!(wait_until(T, || srv.status("market_maker")
        ["trading_state"]
        == json!("ACTIVE")));
    srv.stop();
}
