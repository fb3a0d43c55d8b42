//! Accounts: robots limited together. Their summed loss halts every robot of the account
//! until an operator resumes it; an order that would take the account's open notional past
//! its limit is denied; each robot journals the account's state as it takes it.

use robofleet::journal::format::{RiskChange, RiskRecord};
use robofleet::journal::{robot_dir, JournalReader, RecordKind};
use robofleet_tests::*;
use serde_json::{json, Value};
use std::ops::ControlFlow;
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

const ACCOUNT: &str = r#"
[accounts.desk]
robots = ["panicky", "template"]
max_notional = "250000"
daily_loss = { halt = "50" }

[fleet]
max_notional = "1000000000"
"#;

fn orders(srv: &mut TestServer, robot: &str) -> Vec<Value> {
    let page = srv.ok(json!({"cmd": "orders", "robot": robot, "limit": 10000}));
    page["orders"].as_array().unwrap().clone()
}

fn denied_with(srv: &mut TestServer, robot: &str, prefix: &str) -> bool {
    orders(srv, robot).iter().any(|o| {
        o["status"] == json!("Denied") && o["reason"].as_str().unwrap_or("").starts_with(prefix)
    })
}

#[test]
fn an_accounts_loss_halts_all_its_robots_and_its_notional_limit_denies() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start_with_data(&feed.endpoint, |plugins, data| {
        install(&plugin("template_robot"), plugins, "libtemplate_robot.so");
        install(&plugin("panicky"), plugins, "libpanicky.so");
        // An order every quote 50 under the bid, each replacing the one before.
        std::fs::write(
            plugins.join("libtemplate_robot.toml"),
            "[params]\nevery = 1\noffset = 50\n",
        )
        .unwrap();
        std::fs::write(data.join("risk.toml"), ACCOUNT).unwrap();
    });
    assert!(wait_until(T, || srv.state("template") == "running"
        && srv.state("panicky") == "running"));
    // Panicky buys one lot at the first bid; a lower ask fills it.
    assert!(wait_until(T, || {
        feed.quote("Si", 100_000.0, 100_001.0, 5);
        feed.quote("Si", 99_990.0, 99_995.0, 5);
        srv.ok(json!({"cmd": "trades", "robot": "panicky"}))["trades"]
            .as_array()
            .is_some_and(|t| !t.is_empty())
    }));
    // Its lot and the template's working order (about 100,000 RUB each) leave no room for
    // the template's next order while the one it replaces is still counted.
    assert!(
        wait_until(T, || {
            feed.quote("Si", 99_990.0, 99_995.0, 5);
            denied_with(&mut srv, "template", "ACCOUNT_NOTIONAL: ")
        }),
        "{:?}",
        orders(&mut srv, "template")
    );
    let d = orders(&mut srv, "template")
        .into_iter()
        .find(|o| {
            o["reason"]
                .as_str()
                .unwrap_or("")
                .starts_with("ACCOUNT_NOTIONAL")
        })
        .unwrap();
    assert!(
        d["reason"]
            .as_str()
            .unwrap()
            .ends_with(" RUB (limit 250000 RUB for account desk)"),
        "{d}"
    );

    // The market falls 200: panicky's lot loses more than the account's 50: every robot of
    // the account is halted, the one that lost nothing too.
    assert!(
        wait_until(T, || {
            feed.quote("Si", 99_790.0, 99_800.0, 5);
            srv.status("template")["trading_state"] == json!("HALTED")
                && srv.status("panicky")["trading_state"] == json!("HALTED")
        }),
        "{} {}",
        srv.status("template"),
        srv.status("panicky")
    );
    let stats = srv.ok(json!({"cmd": "stats"}));
    let fleet = &stats["accounts"][1];
    assert_eq!(
        (fleet["name"].clone(), fleet["robots"].clone()),
        (json!("fleet"), json!(["*"]))
    );
    assert_eq!(
        fleet["trading_state"],
        json!("ACTIVE"),
        "its own limits are far away"
    );
    assert!(fleet["notional"]["RUB"].as_str().is_some(), "{fleet}");
    let desk = &stats["accounts"][0];
    assert_eq!(desk["name"], json!("desk"));
    assert_eq!(desk["trading_state"], json!("HALTED"));
    assert!(desk["reason"]
        .as_str()
        .unwrap()
        .starts_with("account desk: ACCOUNT_DAILY_LOSS: "));
    let halted_at = robofleet::clock::wall_ns();
    assert!(wait_until(T, || {
        feed.quote("Si", 99_790.0, 99_800.0, 5);
        orders(&mut srv, "template").iter().any(|o| {
            o["created_ns"].as_i64().unwrap() > halted_at
                && o["reason"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("HALTED: an order (limit account desk: ACCOUNT_DAILY_LOSS: ")
        })
    }));
    let passed: Vec<Value> = orders(&mut srv, "template")
        .into_iter()
        .filter(|o| o["created_ns"].as_i64().unwrap() > halted_at && o["status"] != json!("Denied"))
        .collect();
    assert_eq!(passed, Vec::<Value>::new());

    // An operator raises the limit and resumes the account: its robots trade again.
    std::fs::write(
        srv.data.path().join("risk.toml"),
        ACCOUNT.replace("halt = \"50\"", "halt = \"100000\""),
    )
    .unwrap();
    srv.ok(json!({"cmd": "reload_limits"}));
    let r = srv.ok(json!({"cmd": "resume_account", "account": "desk"}));
    assert_eq!(r, json!({"account": "desk", "was": "HALTED"}));
    let r = srv.ctl(json!({"cmd": "resume_account", "account": "nope"}));
    assert_eq!(r["error"]["code"], json!("unknown_account"));
    assert!(wait_until(T, || {
        feed.quote("Si", 99_790.0, 99_800.0, 5);
        srv.status("template")["trading_state"] == json!("ACTIVE")
    }));

    // The template journaled each state of the account it took.
    let data = srv.stop_keeping_data();
    let mut states = Vec::new();
    JournalReader::open(&robot_dir(&data.path().join("journal"), "template"))
        .unwrap()
        .walk(|rec| {
            if rec.kind == RecordKind::Risk {
                if let Ok(RiskRecord {
                    change: RiskChange::Account { state, .. },
                    ..
                }) = rec.decode::<RiskRecord>()
                {
                    states.push(state);
                }
            }
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(states, ["HALTED", "ACTIVE"]);
}
