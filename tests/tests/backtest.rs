//! `robofleet backtest`: the real binary, real plugins, the sample data. Two runs give
//! byte-identical reports; bad input fails with a clear message.

use robofleet_api::Money;
use robofleet_tests::{plugin, target_dir, write_si_walk};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FILES: [&str; 5] = [
    "report.json",
    "trades.csv",
    "positions.csv",
    "robot.log",
    "equity.svg",
];

fn robofleet() -> PathBuf {
    let exe = target_dir().join("robofleet");
    assert!(
        exe.exists(),
        "{} is not built: run `cargo build --workspace` (scripts/test.sh does)",
        exe.display()
    );
    exe
}

fn sample_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/sample_ticks.csv")
}

fn backtest(args: &[&str]) -> Output {
    Command::new(robofleet())
        .arg("backtest")
        .args(args)
        .output()
        .expect("run robofleet backtest")
}

fn run_ok(plugin: &Path, data: &Path, out: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "--plugin",
        plugin.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = backtest(&args);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "backtest failed: {}\n{stdout}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout.contains("pnl"), "no summary printed: {stdout}");
    for f in FILES {
        assert!(out.join(f).is_file(), "{f} missing in {}", out.display());
    }
    serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap()
}

fn assert_same_files(a: &Path, b: &Path) {
    for f in FILES {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(x == y, "{f} differs between two runs of the same backtest");
    }
}

/// Signed position per symbol from trades.csv.
fn positions_from_trades_csv(path: &Path) -> Vec<(String, i64)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut pos = std::collections::BTreeMap::<String, i64>::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let qty: i64 = f[6].parse().unwrap();
        let sign = if f[5] == "Buy" { 1 } else { -1 };
        *pos.entry(f[4].to_string()).or_default() += sign * qty;
    }
    pos.into_iter().collect()
}

#[test]
fn ma_cross_on_the_sample_gives_the_same_report_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let ma = plugin("ma_cross");
    let report = run_ok(&ma, &sample_data(), &a, &[]);
    run_ok(&ma, &sample_data(), &b, &[]);
    assert_same_files(&a, &b);

    assert_eq!(report["robot"], "ma_cross");
    assert_eq!(report["data"]["file"], "sample_ticks.csv");
    assert_eq!(report["symbols"], serde_json::json!(["Si"]));
    let fills = report["fills"].as_u64().unwrap();
    assert!(fills > 10, "ma_cross should trade on the sample: {report}");
    assert!(report["orders"].as_u64().unwrap() > 0);
    assert!(report["trades"].as_u64().unwrap() > 0);
    // Money in the report is exact decimal text, and adds up exactly.
    let money = |v: &serde_json::Value| -> Money {
        v.as_str()
            .expect("money is a JSON string")
            .parse()
            .expect("decimal text")
    };
    assert!(money(&report["max_drawdown"]["abs"]) > Money::ZERO);
    let pnl = &report["pnl"];
    assert_eq!(
        money(&pnl["realized"]) + money(&pnl["unrealized"]) - money(&pnl["fees"]),
        money(&pnl["total"])
    );
    // Si's shipped fee, 1 RUB a lot, on every lot traded.
    assert_eq!(
        money(&pnl["fees"]),
        Money::units(report["volume"].as_i64().unwrap())
    );
    assert_eq!(pnl["currencies"], serde_json::json!(["RUB"]));

    // Every fill is in trades.csv, and they add up to the final position.
    let trades = std::fs::read_to_string(a.join("trades.csv")).unwrap();
    assert_eq!(trades.lines().count() as u64, fills + 1);
    for (symbol, qty) in positions_from_trades_csv(&a.join("trades.csv")) {
        assert_eq!(report["final_position"][&symbol], qty, "{symbol}");
    }
    // The position and equity series has a row per change; the plot is an SVG.
    let positions = std::fs::read_to_string(a.join("positions.csv")).unwrap();
    assert!(positions.lines().count() as u64 > fills);
    let svg = std::fs::read_to_string(a.join("equity.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("<polyline"),
        "{svg:.200}"
    );

    // Other params give another, again reproducible, report.
    let (c, d) = (dir.path().join("c"), dir.path().join("d"));
    let fast = ["--params", "fast=3", "slow=12", "--params", "qty=2"];
    let other = run_ok(&ma, &sample_data(), &c, &fast);
    run_ok(&ma, &sample_data(), &d, &fast);
    assert_same_files(&c, &d);
    assert_eq!(other["params"]["slow"], 12);
    assert_ne!(other["fills"], report["fills"]);
}

/// Limit orders that rest, fill on later quotes and are cancelled, on generated data.
#[test]
fn market_maker_on_generated_data_is_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("walk.csv");
    write_si_walk(&data);
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let mm = plugin("market_maker");
    let args = ["--symbols", "Si", "--capital", "100000"];
    let report = run_ok(&mm, &data, &a, &args);
    run_ok(&mm, &data, &b, &args);
    assert_same_files(&a, &b);
    assert!(report["fills"].as_u64().unwrap() > 0, "{report}");
    assert!(report["counts"]["cancels_sent"].as_u64().unwrap() > 0);
    assert!(report["max_drawdown"]["pct"].is_number());
    assert_eq!(report["data"]["rows"], 3000);
}

fn run_err(args: &[&str]) -> String {
    let o = backtest(args);
    assert!(!o.status.success(), "should fail: {args:?}");
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A robot that asks for depth, on CSV depth rows: it sees whole books (not across a gap),
/// and the venue fills its resting bids level by level.
#[test]
fn depth_rows_become_books_for_the_robot_and_the_venue() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("depth.csv");
    std::fs::write(
        &data,
        "# Si books, 10:00 Moscow\n\
         2026-11-02T07:00:00Z,Si,depth,1,snapshot,99@5 98@7,101@2 102@4 104@9\n\
         2026-11-02T07:00:01Z,Si,depth,2,update,100@1,104@0\n\
         2026-11-02T07:00:02Z,Si,depth,4,update,97@1,\n\
         2026-11-02T07:00:03Z,Si,depth,5,update,96@1,\n\
         2026-11-02T07:00:04Z,Si,depth,10,snapshot,90@1,94@50 95@100 96@1000\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let report = run_ok(&plugin("book_watcher"), &data, &out, &[]);
    let counts = &report["counts"];
    assert_eq!(counts["rows"], 5, "{report}");
    assert_eq!(
        (
            counts["depth_gaps"].as_u64(),
            counts["depth_stale"].as_u64()
        ),
        (Some(1), Some(1))
    );
    // Books 1, 2 and 10 reached the robot: one bid each, sized bids * 100 + asks.
    assert_eq!(counts["market_events"], 3, "{report}");
    assert_eq!(report["orders"], 3, "{report}");
    // The book of snapshot 10 fills the bids at 100 (302 lots) then 99 (203), best first,
    // each walking the asks from 94 up.
    let trades = std::fs::read_to_string(out.join("trades.csv")).unwrap();
    let fills: Vec<(String, String, String)> = trades
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[3].to_string(), f[6].to_string(), f[7].to_string())
        })
        .collect();
    let f = |id: &str, qty: &str, px: &str| (id.to_string(), qty.to_string(), px.to_string());
    assert_eq!(
        fills,
        [
            f("book_watcher-2", "50", "94"),
            f("book_watcher-2", "100", "95"),
            f("book_watcher-2", "152", "96"),
            f("book_watcher-1", "203", "96"),
        ],
        "{trades}"
    );
}

#[test]
fn bad_input_fails_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (out, data) = (out.to_str().unwrap(), sample_data());
    let data = data.to_str().unwrap();
    let ma = plugin("ma_cross");
    let ma = ma.to_str().unwrap();

    let err = run_err(&[
        "--plugin",
        "/nonexistent/libx.so",
        "--data",
        data,
        "--out",
        out,
    ]);
    assert!(err.contains("/nonexistent/libx.so: no such file"), "{err}");

    let err = run_err(&["--plugin", data, "--data", data, "--out", out]);
    assert!(err.contains("not a loadable library"), "{err}");

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "# header next\nts,symbol,type,bid,bid_size,ask,ask_size,price,size\n\
         1,Si,quote,99,1,100,1,,\n2,Si,quote,abc,1,100,1,,\n",
    )
    .unwrap();
    let bad = bad.to_str().unwrap();
    let err = run_err(&["--plugin", ma, "--data", bad, "--out", out]);
    assert!(err.contains("bad.csv:4: bad row: field bid"), "{err}");

    let err = run_err(&[
        "--plugin",
        ma,
        "--data",
        "/nonexistent/ticks.csv",
        "--out",
        out,
    ]);
    assert!(err.contains("data file /nonexistent/ticks.csv"), "{err}");

    let err = run_err(&[
        "--plugin", ma, "--data", data, "--params", "slow=2", "--out", out,
    ]);
    assert!(err.contains("create failed"), "{err}");

    assert!(
        !Path::new(out).exists(),
        "a failed backtest writes no report"
    );
}
