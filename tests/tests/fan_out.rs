//! 1,000 robots on one symbol (issue 13): idle they cost under 1% of a core, and each of them
//! gets every tick, in order, with nothing dropped: what each robot's journal says it saw is
//! exactly what the feed published. Alone in its test binary, so the CPU it measures is the
//! server's.

use robofleet_tests::*;
use serde_json::json;
use std::fmt::Write;
use std::sync::atomic::Ordering;
use std::time::Duration;

const ROBOTS: usize = 1000;
/// Quotes after the warm-up, about 500 a second.
const QUOTES: usize = 300;

/// CPU time of this process's threads so far by thread name, ns
/// (`/proc/self/task/*/schedstat`).
fn thread_cpu_ns() -> std::collections::BTreeMap<String, u64> {
    let mut by_name = std::collections::BTreeMap::new();
    for task in std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .flatten()
    {
        let name = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        let ran = std::fs::read_to_string(task.path().join("schedstat"))
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok());
        *by_name.entry(name.trim().to_string()).or_default() += ran.unwrap_or(0);
    }
    by_name
}

#[test]
fn a_thousand_robots_on_one_symbol_idle_for_nothing_and_get_every_tick_in_order() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        // Told never to trade: only market data flows.
        let mut toml = String::from("[params]\nevery = 1000000000\n");
        for i in 0..ROBOTS {
            writeln!(toml, "[[instance]]\nname = \"fan{i:04}\"").unwrap();
        }
        std::fs::write(dir.join("libtemplate_robot.toml"), toml).unwrap();
        install(&plugin("template_robot"), dir, "libtemplate_robot.so");
    });
    let registry = srv.handle.as_ref().unwrap().registry.clone();
    assert!(
        wait_until(Duration::from_secs(60), || {
            let all = registry.all();
            all.len() == ROBOTS
                && all
                    .iter()
                    .all(|r| matches!(r.state(), robofleet::robot::RobotState::Running))
        }),
        "not all robots started"
    );

    // Idle: 1,000 robots with nothing to do. Over 3 s the whole process may use at most 1%
    // of one core (30 ms).
    std::thread::sleep(Duration::from_millis(500));
    let before = thread_cpu_ns();
    std::thread::sleep(Duration::from_secs(3));
    let used: Vec<(String, f64)> = thread_cpu_ns()
        .into_iter()
        .map(|(name, ns)| {
            let was = before.get(&name).copied().unwrap_or(0);
            (name, ns.saturating_sub(was) as f64 / 1e6)
        })
        .filter(|(_, ms)| *ms > 0.0)
        .collect();
    let used_ms: f64 = used.iter().map(|(_, ms)| ms).sum();
    eprintln!("1,000 idle robots: {used_ms:.1} ms of CPU in 3 s: {used:?}");
    assert!(
        used_ms <= 30.0,
        "1,000 idle robots used {used_ms:.1} ms of CPU in 3 s: {used:?}"
    );

    // Warm-up: a quote every 50 ms until one has reached every robot (the market data
    // thread's subscription is live).
    let events = || -> Vec<u64> {
        registry
            .all()
            .iter()
            .map(|r| r.events.load(Ordering::Relaxed))
            .collect()
    };
    let at_start = events();
    assert!(wait_until(Duration::from_secs(30), || {
        feed.quote("Si", 100.0, 101.0, 1);
        std::thread::sleep(Duration::from_millis(50));
        events().iter().zip(&at_start).all(|(now, then)| now > then)
    }));
    // Then QUOTES quotes at about 500 a second, each one its own price and timestamp.
    let mut last_ts = 0;
    for i in 0..QUOTES {
        feed.quote("Si", 100.0 + i as f64, 101.0 + i as f64, 1);
        last_ts = feed.last_ts();
        std::thread::sleep(Duration::from_millis(2));
    }
    let stats_done = |srv: &mut TestServer| {
        let md = srv.ok(json!({"cmd": "stats"}))["market_data"].clone();
        md["delivered"].as_u64().unwrap_or(0) + md["dropped"].as_u64().unwrap_or(0)
            == md["messages"].as_u64().unwrap_or(0) * ROBOTS as u64
    };
    assert!(wait_until(Duration::from_secs(60), || stats_done(&mut srv)));
    let stats = srv.ok(json!({"cmd": "stats"}));
    assert_eq!(
        stats["market_data"]["dropped"],
        json!(0),
        "{}",
        stats["market_data"]
    );
    assert!(stats["workers"]["tick_to_robot_ns_p99"].as_u64().unwrap() > 0);
    // A graceful stop: every robot's journal is whole.
    let data = srv.stop_keeping_data();
    let journal = data.path().join("journal");
    for i in 0..ROBOTS {
        let name = format!("fan{i:04}");
        let ticks = journaled_ticks(&journal.join(&name));
        assert!(ticks.len() > QUOTES, "{name} saw {} ticks", ticks.len());
        // Consecutive feed timestamps (the feed steps 1 ms a quote), ending at the last one.
        for pair in ticks.windows(2) {
            assert_eq!(
                pair[1] - pair[0],
                1_000_000,
                "{name}: a tick missing or out of order"
            );
        }
        assert_eq!(
            ticks.last(),
            Some(&last_ts),
            "{name} did not see the last tick"
        );
    }
}
