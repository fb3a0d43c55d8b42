//! Limits changed at run time: `reload_limits` reads `<data>/risk.toml` again, each running
//! robot takes its new limits at once, and every change is in its journal with its time.

use robofleet::journal::format::{RiskChange, RiskRecord};
use robofleet::journal::{robot_dir, JournalReader, RecordKind};
use robofleet_tests::*;
use serde_json::{json, Value};
use std::ops::ControlFlow;
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

fn orders(srv: &mut TestServer) -> Vec<Value> {
    let page = srv.ok(json!({"cmd": "orders", "robot": "template", "limit": 10000}));
    page["orders"].as_array().unwrap().clone()
}

/// Wait until an order created after `since` has `status` (and, if given, this reason start).
fn wait_order(srv: &mut TestServer, feed: &mut Feed, since: i64, status: &str, reason: &str) {
    let mut px = 100_000.0;
    assert!(
        wait_until(T, || {
            px += 1.0;
            feed.quote("Si", px, px + 1.0, 5);
            // A steady quote repeats the same order (the duplicate window's case).
            feed.quote("Si", px, px + 1.0, 5);
            orders(srv).iter().any(|o| {
                o["created_ns"].as_i64().unwrap() > since
                    && o["status"] == json!(status)
                    && o["reason"].as_str().unwrap_or("").starts_with(reason)
            })
        }),
        "an order {status} {reason:?}: {:?}",
        orders(srv)
    );
}

#[test]
fn reloaded_limits_take_effect_at_once_and_are_journaled() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start_with_data(&feed.endpoint, |plugins, _data| {
        install(&plugin("template_robot"), plugins, "libtemplate_robot.so");
        std::fs::write(
            plugins.join("libtemplate_robot.toml"),
            "[params]\nevery = 1\noffset = 50\n",
        )
        .unwrap();
    });
    assert!(wait_until(T, || srv.state("template") == "running"));
    // No file: nothing is checked.
    assert_eq!(srv.status("template")["trading_state"], Value::Null);
    wait_order(&mut srv, &mut feed, 0, "Cancelled", "");

    let risk = srv.data.path().join("risk.toml");
    std::fs::write(&risk, "[robots.default]\nduplicate_window_ms = 600000\n").unwrap();
    let r = srv.ok(json!({"cmd": "reload_limits"}));
    assert_eq!(r["checked"], json!(true), "{r}");
    assert_eq!(r["robots_sent"], json!(1));
    assert!(r["file"].as_str().unwrap().ends_with("risk.toml"));
    assert!(wait_until(T, || srv.status("template")["trading_state"]
        == json!("ACTIVE")));
    let reloaded = robofleet::clock::wall_ns();
    wait_order(&mut srv, &mut feed, reloaded, "Denied", "DUPLICATE_ORDER: ");

    // A bad file changes nothing, and says what is wrong.
    std::fs::write(&risk, "[robots.default]\nmax_working_orders = 0\n").unwrap();
    let r = srv.ctl(json!({"cmd": "reload_limits"}));
    assert_eq!(r["error"]["code"], json!("bad_limits"), "{r}");
    assert!(r["error"]["message"]
        .as_str()
        .unwrap()
        .contains("max_working_orders"));
    let bad_at = robofleet::clock::wall_ns();
    wait_order(&mut srv, &mut feed, bad_at, "Denied", "DUPLICATE_ORDER: ");

    // No file again: no checks.
    std::fs::remove_file(&risk).unwrap();
    let r = srv.ok(json!({"cmd": "reload_limits"}));
    assert_eq!(r["checked"], json!(false));
    assert!(wait_until(T, || srv.status("template")["trading_state"] == Value::Null));
    let cleared = robofleet::clock::wall_ns();
    wait_order(&mut srv, &mut feed, cleared, "Cancelled", "");
    let audit = srv.ok(json!({"cmd": "audit"}));
    let results: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["cmd"] == json!("reload_limits"))
        .map(|e| e["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["ok", "bad_limits", "ok"]);

    // The journal has every change, with its time, in the order the robot took them.
    let data = srv.stop_keeping_data();
    let journal = data.path().join("journal");
    let mut changes = Vec::new();
    JournalReader::open(&robot_dir(&journal, "template"))
        .unwrap()
        .walk(|rec| {
            if rec.kind == RecordKind::Risk {
                changes.push(rec.decode::<RiskRecord>().expect("a risk record"));
            }
            ControlFlow::Continue(())
        })
        .unwrap();
    let limits: Vec<Option<Value>> = changes
        .iter()
        .map(|c| match &c.change {
            RiskChange::Limits(l) => l.as_deref().map(|j| serde_json::from_str(j).unwrap()),
            other => panic!("only limits changed: {other:?}"),
        })
        .collect();
    assert_eq!(limits.len(), 3, "{changes:?}");
    assert_eq!(limits[0], None, "no limits at start");
    assert_eq!(
        limits[1].as_ref().unwrap()["duplicate_window_ms"],
        json!(600000)
    );
    assert_eq!(limits[2], None);
    assert!(changes[1].wall_ns < reloaded && changes[1].wall_ns > changes[0].wall_ns);
    assert!(changes[2].wall_ns < cleared && changes[2].wall_ns > bad_at);

    // A replay of the journal is identical: the robot saw the denials as updates.
    let so = plugin("template_robot").to_string_lossy().to_string();
    let (code, r) = replay_report(&journal, "template", &["--check", &so]);
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["identical"], json!(true), "{r:#}");
}
