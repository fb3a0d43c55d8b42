//! 1,000 robots in one server: all start from one plugin file, idle robots use no CPU,
//! and one tick reaches every robot and becomes 1,000 orders with nothing dropped.

use robofleet_tests::*;
use serde_json::json;
use std::fmt::Write;
use std::time::Duration;

const ROBOTS: usize = 1000;

/// This process's user+system CPU time, in clock ticks (/proc/self/stat fields 14 and 15).
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("read /proc/self/stat");
    let after_comm = &stat[stat.rfind(')').expect("stat format") + 2..];
    let fields: Vec<&str> = after_comm.split_whitespace().collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[test]
fn a_thousand_robots_start_idle_quietly_and_all_trade() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        let mut toml = String::new();
        for i in 0..ROBOTS {
            writeln!(toml, "[[instance]]\nname = \"probe{i:04}\"").unwrap();
        }
        std::fs::write(dir.join("liblatency_probe.toml"), toml).unwrap();
        install(&plugin("latency_probe"), dir, "liblatency_probe.so");
    });
    let registry = srv.handle.as_ref().unwrap().registry.clone();
    let all_running = || {
        let all = registry.all();
        all.len() == ROBOTS
            && all
                .iter()
                .all(|r| matches!(r.state(), robofleet::robot::RobotState::Running))
    };
    assert!(
        wait_until(Duration::from_secs(60), all_running),
        "not all robots started"
    );

    // Idle: 1,000 robot threads blocked in their waits. Over 2 s the whole process may use
    // at most 10% of one core (clock ticks are 1/100 s).
    std::thread::sleep(Duration::from_millis(300));
    let before = cpu_ticks();
    std::thread::sleep(Duration::from_secs(2));
    let used = cpu_ticks() - before;
    assert!(used <= 20, "idle fleet used {used} CPU ticks in 2 s");

    // One tick at a time until the market data thread has subscribed, then every robot
    // must have ordered exactly once per quote it saw, with nothing dropped.
    assert!(wait_until(Duration::from_secs(30), || {
        feed.quote("BENCH", 100.0, 101.0, 1);
        std::thread::sleep(Duration::from_millis(50));
        registry
            .all()
            .iter()
            .all(|r| r.orders_sent.load(std::sync::atomic::Ordering::Relaxed) >= 1)
    }));
    let stats = srv.ok(json!({"cmd": "stats"}));
    assert_eq!(
        stats["market_data"]["dropped"],
        json!(0),
        "{}",
        stats["market_data"]
    );
    // Quotes published in the loop above may still be on their way: let every robot handle
    // all it was delivered, then every order it counted must be in the store.
    let delivered = stats["market_data"]["delivered"].as_u64().unwrap();
    let sum = |f: &dyn Fn(&robofleet::robot::RobotShared) -> u64| -> u64 {
        registry.all().iter().map(|r| f(r)).sum()
    };
    let relaxed = std::sync::atomic::Ordering::Relaxed;
    assert!(wait_until(Duration::from_secs(30), || {
        // Each robot: Start + one event per delivered quote.
        sum(&|r| r.events.load(relaxed)) >= delivered + ROBOTS as u64
    }));
    let store = srv.handle.as_ref().unwrap().store.clone();
    let mut counts = (0, 0);
    assert!(
        wait_until(Duration::from_secs(30), || {
            let sent = sum(&|r| r.orders_sent.load(relaxed));
            counts = (
                store.orders(&Default::default()).unwrap().len() as u64,
                sent,
            );
            counts.0 == counts.1 && sent >= ROBOTS as u64
        }),
        "orders in the store / sent: {counts:?}"
    );
    srv.stop();
}
