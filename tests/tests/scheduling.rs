//! Robots on the worker pool (issue 13): a robot asleep in its handler holds up no other
//! (with two workers, and with one, where the watchdog adds a worker); robots with input
//! take turns on one worker, so a backlog cannot starve a robot behind it; a robot that
//! opted into conflation gets the newest quote when it falls behind, counted, and its
//! journal replays exactly.

use robofleet::robot::RobotShared;
use robofleet_tests::*;
use serde_json::json;
use std::fmt::Write;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

const FAST: usize = 20;

fn robot(srv: &TestServer, name: &str) -> Arc<RobotShared> {
    srv.handle
        .as_ref()
        .unwrap()
        .registry
        .get(name)
        .unwrap_or_else(|| panic!("no robot {name}"))
}

fn events(r: &RobotShared) -> u64 {
    r.events.load(Ordering::Relaxed)
}

/// A slowpoke (with `slow_toml` for its settings) and FAST template robots told never to
/// trade, all on Si, in a server with `workers` robot workers; all running.
fn fleet(feed: &Feed, workers: usize, slow_toml: &str) -> TestServer {
    let slow_toml = slow_toml.to_string();
    let srv = TestServer::start_tweaked(
        &feed.endpoint,
        |dir: &Path| {
            let mut toml = String::from("[params]\nevery = 1000000000\n");
            for i in 0..FAST {
                writeln!(toml, "[[instance]]\nname = \"fast{i:02}\"").unwrap();
            }
            std::fs::write(dir.join("libtemplate_robot.toml"), toml).unwrap();
            install(&plugin("template_robot"), dir, "libtemplate_robot.so");
            std::fs::write(dir.join("libslowpoke.toml"), slow_toml).unwrap();
            install(&plugin("slowpoke"), dir, "libslowpoke.so");
        },
        |cfg| cfg.workers = workers,
    );
    let registry = srv.handle.as_ref().unwrap().registry.clone();
    assert!(
        wait_until(Duration::from_secs(30), || {
            let all = registry.all();
            all.len() > FAST
                && all
                    .iter()
                    .all(|r| matches!(r.state(), robofleet::robot::RobotState::Running))
        }),
        "not all robots started"
    );
    srv
}

/// Quotes until one has reached every robot named (the subscription is live).
fn warm_up(feed: &mut Feed, robots: &[Arc<RobotShared>]) {
    let before: Vec<u64> = robots.iter().map(|r| events(r)).collect();
    assert!(wait_until(Duration::from_secs(30), || {
        feed.quote("Si", 100.0, 101.0, 1);
        std::thread::sleep(Duration::from_millis(50));
        robots.iter().zip(&before).all(|(r, b)| events(r) > *b)
    }));
}

/// With a robot sleeping 100 ms over every quote, 50 quotes at 100 a second: the fast robots
/// have every one within a second of the last, while the slow one is still seconds behind.
fn slow_robot_holds_up_no_other(workers: usize) -> TestServer {
    let mut feed = Feed::new();
    let srv = fleet(
        &feed,
        workers,
        "name = \"slow\"\n[params]\nsleep_us = 100000\n",
    );
    let slow = robot(&srv, "slow");
    let fast: Vec<_> = (0..FAST)
        .map(|i| robot(&srv, &format!("fast{i:02}")))
        .collect();
    warm_up(&mut feed, &fast);
    let start: Vec<u64> = fast.iter().map(|r| events(r)).collect();
    for i in 0..50 {
        feed.quote("Si", 100.0 + i as f64, 101.0 + i as f64, 1);
        std::thread::sleep(Duration::from_millis(10));
    }
    let last = Instant::now();
    assert!(
        wait_until(Duration::from_secs(1), || fast
            .iter()
            .zip(&start)
            .all(|(r, s)| events(r) >= s + 50)),
        "the fast robots fell behind a slow one: {:?}",
        fast.iter()
            .zip(&start)
            .map(|(r, s)| events(r) - s)
            .collect::<Vec<_>>()
    );
    let took = last.elapsed();
    let queued = slow.md_queued();
    assert!(
        queued > 10,
        "the slow robot was not behind ({queued} waiting) when the others had all {took:?} after"
    );
    srv
}

#[test]
fn a_robot_asleep_in_its_handler_holds_up_no_other() {
    let srv = slow_robot_holds_up_no_other(2);
    srv.stop();
}

#[test]
fn with_one_worker_the_watchdog_adds_one_for_the_others() {
    let mut srv = slow_robot_holds_up_no_other(1);
    let workers = srv.ok(json!({"cmd": "stats"}))["workers"].clone();
    assert_eq!(workers["count"], json!(1), "{workers}");
    assert!(workers["added"].as_u64().unwrap() >= 1, "{workers}");
    srv.stop();
}

/// One worker, two robots each given 3,000 quotes at once (each quote costing 20 µs more): they
/// take turns of at most 256 inputs, so neither is ever far ahead of the other, and no turn
/// is long enough for the watchdog to add a worker. Run to empty, the first would take
/// everything waiting for it in one turn.
#[test]
fn robots_with_input_take_turns_on_one_worker() {
    let mut feed = Feed::new();
    let mut srv = fleet(
        &feed,
        1,
        "[params]\nspin_us = 20\n[[instance]]\nname = \"hog_a\"\nsymbols = [\"RTS\"]\n\
         [[instance]]\nname = \"hog_b\"\nsymbols = [\"BENCH\"]\n",
    );
    let (a, b) = (robot(&srv, "hog_a"), robot(&srv, "hog_b"));
    assert!(wait_until(Duration::from_secs(30), || {
        feed.quote("RTS", 100000.0, 100010.0, 1);
        feed.quote("BENCH", 100.0, 100.01, 1);
        std::thread::sleep(Duration::from_millis(50));
        events(&a) > 1 && events(&b) > 1
    }));
    std::thread::sleep(Duration::from_millis(100));
    let (a0, b0) = (events(&a), events(&b));
    const BACKLOG: u64 = 3000;
    for i in 0..BACKLOG {
        feed.quote("RTS", 100000.0 + 10.0 * (i % 50) as f64, 100600.0, 1);
        feed.quote("BENCH", 100.0 + 0.01 * (i % 50) as f64, 101.0, 1);
    }
    let mut widest = 0i64;
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (da, db) = ((events(&a) - a0) as i64, (events(&b) - b0) as i64);
        if da.min(db) < BACKLOG as i64 {
            widest = widest.max((da - db).abs());
        }
        if (da >= BACKLOG as i64 && db >= BACKLOG as i64) || Instant::now() > deadline {
            break;
        }
        std::thread::sleep(Duration::from_micros(500));
    }
    assert!(
        events(&a) - a0 >= BACKLOG && events(&b) - b0 >= BACKLOG,
        "not all handled"
    );
    eprintln!("on one worker, one robot was at most {widest} inputs ahead of the other");
    assert!(
        widest <= 500,
        "one robot got {widest} inputs ahead of the other on the one worker"
    );
    let workers = srv.ok(json!({"cmd": "stats"}))["workers"].clone();
    assert_eq!(
        workers["added"],
        json!(0),
        "a turn held the worker too long: {workers}"
    );
    srv.stop();
}

/// A robot with `conflate = true`, 20 ms over each quote, given 200 quotes in 0.2 s: it sees
/// far fewer, always the newest waiting, the last one included; the rest are counted; and a
/// replay of its journal is identical.
#[test]
fn a_conflating_robot_behind_gets_the_newest_quote_and_replays_exactly() {
    let mut feed = Feed::new();
    let mut srv = fleet(
        &feed,
        2,
        "name = \"latest\"\nconflate = true\n[params]\nsleep_us = 20000\n",
    );
    let latest = robot(&srv, "latest");
    warm_up(&mut feed, std::slice::from_ref(&latest));
    std::thread::sleep(Duration::from_millis(100));
    let conflated0 = latest.md_conflated.load(Ordering::Relaxed);
    for i in 0..200 {
        feed.quote("Si", 100.0 + i as f64, 101.0 + i as f64, 1);
        std::thread::sleep(Duration::from_millis(1));
    }
    let last_ts = feed.last_ts();
    // It has seen the last quote once nothing waits for it.
    assert!(wait_until(Duration::from_secs(20), || {
        latest.md_queued() == 0
            && srv.ok(json!({"cmd": "status", "robot": "latest"}))["md_conflated"]
                .as_u64()
                .unwrap()
                > 0
    }));
    std::thread::sleep(Duration::from_millis(200));
    let status = srv.ok(json!({"cmd": "status", "robot": "latest"}));
    let conflated = status["md_conflated"].as_u64().unwrap();
    assert_eq!(status["md_dropped"], json!(0), "{status}");
    let data = srv.stop_keeping_data();
    let journal = data.path().join("journal");
    let seen = journaled_ticks(&journal.join("latest"));
    assert_eq!(
        seen.last(),
        Some(&last_ts),
        "the newest quote is the last it saw"
    );
    assert!(seen.windows(2).all(|p| p[1] > p[0]), "in order");
    // Of the 200 quotes (the feed steps 1 ms a quote), each was either seen or counted.
    let first = last_ts - 199 * 1_000_000;
    let seen_of_200 = seen.iter().filter(|ts| **ts >= first).count() as u64;
    assert!(seen_of_200 < 100, "it saw {seen_of_200} of 200 quotes");
    assert_eq!(
        seen_of_200 + conflated - conflated0,
        200,
        "seen + conflated = published"
    );
    let so = plugin("slowpoke").to_string_lossy().to_string();
    let (code, r) = replay_report(&journal, "latest", &["--plugin", &so]);
    assert_eq!(code, 0, "{r}");
    assert_eq!(r["identical"], json!(true), "{r:#}");
    // The fast robots, which did not opt in, got every quote.
    for i in 0..FAST {
        let ticks = journaled_ticks(&journal.join(format!("fast{i:02}")));
        assert_eq!(ticks.last(), Some(&last_ts));
        assert!(ticks.windows(2).all(|p| p[1] - p[0] == 1_000_000));
    }
}
