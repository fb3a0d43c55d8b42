//! Pre-trade checks through the real binary and a real plugin: `robofleet backtest --risk`.
//! A denied order never reaches the venue and the robot is told; at a limit's edge nothing
//! changes; a halt stops new orders; the same run twice gives the same decisions.

use robofleet_tests::{plugin, target_dir, write_si_walk};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn walk(dir: &Path) -> PathBuf {
    let data = dir.join("walk.csv");
    write_si_walk(&data);
    data
}

/// Run market_maker on `data` with `extra` args; the report.
fn run(data: &Path, out: &Path, extra: &[&str]) -> Value {
    let mm = plugin("market_maker");
    let o = Command::new(target_dir().join("robofleet"))
        .args(["backtest", "--plugin", mm.to_str().unwrap()])
        .args([
            "--data",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .args(["--symbols", "Si"])
        .args(extra)
        .output()
        .expect("run robofleet backtest");
    assert!(
        o.status.success(),
        "backtest failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap()
}

fn risk_file(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn order_quantity_at_its_edge_changes_nothing_and_over_it_denies_everything() {
    let dir = tempfile::tempdir().unwrap();
    let data = walk(dir.path());
    let limits = risk_file(
        dir.path(),
        "risk.toml",
        "[robots.default.symbols.Si]\nmax_order_qty = 1\n",
    );
    let free = run(&data, &dir.path().join("free"), &[]);
    assert_eq!(free["risk"], Value::Null, "no --risk: no checks");
    assert!(free["fills"].as_u64().unwrap() > 0, "{free}");

    // Quotes of 1 lot against a limit of 1: the edge passes, the run is unchanged.
    let edge = run(&data, &dir.path().join("edge"), &["--risk", &limits]);
    assert_eq!(edge["risk"]["denied"], 0, "{}", edge["risk"]);
    assert_eq!(edge["risk"]["state"], "ACTIVE");
    for f in ["trades.csv", "positions.csv", "robot.log"] {
        assert_eq!(
            read(dir.path().join("free").join(f)),
            read(dir.path().join("edge").join(f)),
            "{f} changed at the edge"
        );
    }
    assert_eq!(edge["fills"], free["fills"]);

    // Quotes of 2 lots: every one is denied before the venue, the robot hears each.
    let over = run(
        &data,
        &dir.path().join("over"),
        &["--risk", &limits, "--params", "qty=2"],
    );
    let denied = over["risk"]["denied"].as_u64().unwrap();
    assert!(denied > 0, "{over}");
    assert_eq!(over["risk"]["denied_by_code"]["MAX_ORDER_QTY"], denied);
    assert_eq!(over["counts"]["risk_denied"], denied);
    assert_eq!(over["order_statuses"]["Denied"], denied);
    assert_eq!(over["orders"], 0, "no denied order reached the venue");
    assert_eq!(over["fills"], 0);
    // Each denial came back to the robot as an update it handled.
    assert!(over["counts"]["update_events"].as_u64().unwrap() >= denied);
}

#[test]
fn an_execution_throttle_halts_the_robot_and_the_decisions_repeat() {
    let dir = tempfile::tempdir().unwrap();
    let data = walk(dir.path());
    let limits = risk_file(
        dir.path(),
        "risk.toml",
        "[robots.market_maker]\nfills = { max = 3, window_ms = 600000 }\n",
    );
    let a = run(&data, &dir.path().join("a"), &["--risk", &limits]);
    assert_eq!(a["risk"]["state"], "HALTED", "{}", a["risk"]);
    assert!(a["risk"]["denied_by_code"]["HALTED"].as_u64().unwrap() > 0);
    let log = read(dir.path().join("a").join("robot.log"));
    assert!(
        log.contains(
            "risk: trading state HALTED: EXECUTION_THROTTLE: 4 fills (limit 3 fills in 600000 ms)"
        ),
        "{log}"
    );
    // Orders already working may still fill after the halt; no new one is sent.
    let free = run(&data, &dir.path().join("free"), &[]);
    assert!(a["orders"].as_u64().unwrap() < free["orders"].as_u64().unwrap());

    let b = run(&data, &dir.path().join("b"), &["--risk", &limits]);
    assert_eq!(a["risk"], b["risk"]);
    for f in ["trades.csv", "positions.csv", "robot.log", "report.json"] {
        assert_eq!(
            read(dir.path().join("a").join(f)),
            read(dir.path().join("b").join(f)),
            "{f} differs between two runs"
        );
    }
}

#[test]
fn a_bad_limits_file_is_refused_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let data = walk(dir.path());
    let limits = risk_file(
        dir.path(),
        "risk.toml",
        "[robots.default.symbols.Si]\nmax_notional = 1.5\n",
    );
    let mm = plugin("market_maker");
    let o = Command::new(target_dir().join("robofleet"))
        .args(["backtest", "--plugin", mm.to_str().unwrap()])
        .args(["--data", data.to_str().unwrap(), "--risk", &limits])
        .args(["--out", dir.path().join("x").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("risk.toml") && err.contains("decimal strings"),
        "{err}"
    );
    assert!(
        !dir.path().join("x").exists(),
        "no report for a refused run"
    );
}
