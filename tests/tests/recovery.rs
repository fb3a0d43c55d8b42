//! Restart recovery: the real server process is killed (SIGKILL) at random points while its
//! robots trade, and started again each time. Afterwards every robot's journal replays
//! identically, every order in the store was submitted exactly once by its robot, and every
//! fill in the store reached its robot exactly once.

use robofleet::control::client::ControlClient;
use robofleet::server::zmq_context;
use robofleet::store::embedded::{EmbeddedStore, SyncPolicy};
use robofleet::store::sqlite::SqliteStore;
use robofleet::store::{OrderFilter, Store};
use robofleet_tests::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ROBOTS: [(&str, &str); 2] = [("ma_cross", "ma_cross"), ("market_maker", "market_maker")];

fn serve(
    store: &str,
    plugins: &Path,
    data: &Path,
    control: &str,
    feed: &str,
    extra: &[&str],
) -> Child {
    Command::new(target_dir().join("robofleet"))
        .args([
            "serve",
            "--store",
            store,
            "--settle-ms",
            "50",
            "--control",
            control,
            "--feed",
            feed,
        ])
        .arg("--plugins")
        .arg(plugins)
        .arg("--data")
        .arg(data)
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start robofleet serve")
}

fn all_running(client: &mut ControlClient) -> bool {
    ROBOTS.iter().all(|(robot, _)| {
        client
            .request(&json!({"cmd": "status", "robot": robot}))
            .map(|r| r["result"]["state"]["state"] == json!("running"))
            .unwrap_or(false)
    })
}

#[test]
fn kill_9_at_random_points_loses_no_fill_and_sends_no_order_twice() {
    kill_9_at_random_points("embedded", &[]);
}

#[test]
fn kill_9_at_random_points_on_the_sqlite_store_loses_no_fill_and_sends_no_order_twice() {
    kill_9_at_random_points("sqlite", &[]);
}

/// Checkpoints every 200 events: the kills land before, after and while they are taken,
/// written and confirmed, and old segments are archived as the robots go.
#[test]
fn kill_9_at_random_points_with_checkpoints_loses_no_fill_and_sends_no_order_twice() {
    kill_9_at_random_points("embedded", &["--checkpoint-events", "200"]);
}

/// Four kills at random points, a graceful run, a run without market data; then the checks.
fn kill_9_at_random_points(store_kind: &str, extra: &[&str]) {
    let plugins = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    for (_, krate) in ROBOTS {
        install(&plugin(krate), plugins.path(), &format!("lib{krate}.so"));
    }
    let control = format!("tcp://127.0.0.1:{}", free_port());
    let mut feed = Feed::new();
    let feed_endpoint = feed.endpoint.clone();
    let stop_feed = Arc::new(AtomicBool::new(false));
    let feeder = {
        let stop = stop_feed.clone();
        std::thread::spawn(move || {
            let mut seed = 1;
            while !stop.load(Ordering::Relaxed) {
                seed += 1;
                random_walk(
                    &mut feed,
                    &[("Si", 90_000.0), ("RTS", 110_000.0)],
                    20,
                    seed,
                    Duration::from_millis(1),
                );
            }
        })
    };
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(1);
    eprintln!("kill points from seed {seed}");
    let mut rng = seed;
    let mut client = ControlClient::new(&zmq_context(), &control, Duration::from_secs(2));
    for round in 0..4 {
        let mut child = serve(
            store_kind,
            plugins.path(),
            data.path(),
            &control,
            &feed_endpoint,
            extra,
        );
        assert!(
            wait_until(Duration::from_secs(30), || all_running(&mut client)),
            "round {round}: robots run"
        );
        rng = rng
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let live = Duration::from_millis(300 + (rng >> 33) % 1500);
        std::thread::sleep(live);
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        eprintln!("round {round}: killed after {live:?}");
    }
    // A last, graceful run; then the feed stops, and one more run with no market data picks
    // up any fill written after a robot had stopped (it reaches the robot when it is back).
    for last in [false, true] {
        let mut child = serve(
            store_kind,
            plugins.path(),
            data.path(),
            &control,
            &feed_endpoint,
            extra,
        );
        assert!(wait_until(Duration::from_secs(30), || all_running(
            &mut client
        )));
        std::thread::sleep(Duration::from_millis(1500));
        if !last {
            stop_feed.store(true, Ordering::Relaxed);
        }
        let reply = client
            .request(&json!({"cmd": "shutdown"}))
            .expect("shutdown reply");
        assert_eq!(reply["ok"], json!(true), "{reply}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(
            child.try_wait().ok().flatten().is_some_and(|s| s.success()),
            "graceful exit"
        );
    }
    feeder.join().unwrap();

    let store: Box<dyn Store> = match store_kind {
        "sqlite" => {
            Box::new(SqliteStore::open(&data.path().join("store"), SyncPolicy::Never).unwrap())
        }
        _ => Box::new(EmbeddedStore::open(&data.path().join("store"), SyncPolicy::Never).unwrap()),
    };
    let journal = data.path().join("journal");
    let out = tempfile::tempdir().unwrap();
    let out_dir = out.path().to_string_lossy().to_string();
    let mut total_fills = 0;
    for (robot, krate) in ROBOTS {
        let so = plugin(krate).to_string_lossy().to_string();
        let (code, r) = replay_report(
            &journal,
            robot,
            &["--plugin", &so, "--data", &out_dir, "--run-id", robot],
        );
        assert_eq!(code, 0, "{r}");
        assert_eq!(
            r["identical"],
            json!(true),
            "{robot} replays identically after the kills: {r:#}"
        );
        assert!(!r["recorded_builds"].as_array().unwrap().is_empty());
        if !extra.is_empty() {
            assert!(
                r["checkpoints_checked"].as_u64().unwrap_or(0) > 0,
                "{robot} took checkpoints: {r:#}"
            );
        }

        // Every order in the store was submitted once, and every submit reached the store.
        let actions =
            std::fs::read_to_string(out.path().join("replay").join(robot).join("actions.jsonl"))
                .unwrap();
        let mut submitted: BTreeMap<String, u32> = BTreeMap::new();
        for line in actions.lines() {
            let doc: Value = serde_json::from_str(line).unwrap();
            for a in doc["actions"].as_array().unwrap() {
                if let Some(id) = a["Submit"]["client_id"].as_str() {
                    *submitted.entry(id.to_string()).or_default() += 1;
                }
            }
        }
        assert!(
            submitted.values().all(|n| *n == 1),
            "{robot}: an order id submitted twice"
        );
        let filter = OrderFilter {
            robot: Some(robot.to_string()),
            open_only: false,
        };
        let stored: BTreeSet<String> = store
            .orders(&filter)
            .unwrap()
            .into_iter()
            .map(|o| o.client_id)
            .collect();
        let submitted: BTreeSet<String> = submitted.into_keys().collect();
        let unsent: Vec<&String> = stored.difference(&submitted).collect();
        let unstored: Vec<&String> = submitted.difference(&stored).collect();
        assert!(unsent.is_empty() && unstored.is_empty(), "{robot}: orders in the store never submitted {unsent:?}, submitted but not stored {unstored:?}");

        // Every fill reached the robot once.
        let fills = journaled_fills(&robofleet::journal::robot_dir(&journal, robot));
        let unique: BTreeSet<String> = fills.iter().cloned().collect();
        assert_eq!(unique.len(), fills.len(), "{robot}: a fill delivered twice");
        let trades: BTreeSet<String> = store
            .trades(Some(robot))
            .unwrap()
            .into_iter()
            .map(|t| t.exec_id)
            .collect();
        let missed: Vec<&String> = trades.difference(&unique).collect();
        let unknown: Vec<&String> = unique.difference(&trades).collect();
        assert!(
            missed.is_empty() && unknown.is_empty(),
            "{robot}: fills missed {missed:?}, fills not in the store {unknown:?} (of {})",
            trades.len()
        );
        total_fills += trades.len();
    }
    assert!(total_fills > 0, "the robots traded across the kills");
}
