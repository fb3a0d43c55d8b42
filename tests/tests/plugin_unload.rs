//! A reloaded robot's old build leaves the process: once its robot has ended on its worker,
//! only the new build's private copy is mapped. Robots run on long-lived worker threads, so
//! this checks that nothing of the old build (its instance, thread-local destructors on a
//! worker) keeps the library loaded. Alone in its test binary: it reads this process's maps.

use robofleet_tests::*;
use serde_json::json;
use std::time::Duration;

/// The private copies of the template robot mapped in this process now.
fn mapped_builds() -> Vec<String> {
    let maps = std::fs::read_to_string("/proc/self/maps").expect("/proc/self/maps");
    let mut paths: Vec<String> = maps
        .lines()
        .filter(|l| l.contains("libtemplate_robot"))
        .filter_map(|l| l.split_whitespace().last().map(str::to_string))
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

#[test]
fn a_reloaded_robots_old_build_is_unmapped() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        install(&plugin("template_robot"), dir, "libtemplate_robot.so");
    });
    let t = Duration::from_secs(20);
    let status = |srv: &mut TestServer| srv.ctl(json!({"cmd": "status", "robot": "template"}));
    assert!(wait_until(t, || status(&mut srv)["result"]["state"]
        ["state"]
        == "running"));
    let mut seen = mapped_builds();
    assert_eq!(seen.len(), 1, "{seen:?}");
    for _ in 0..3 {
        // It trades on the workers first, so they have run its code.
        for _ in 0..20 {
            feed.quote("Si", 100.0, 101.0, 1);
            std::thread::sleep(Duration::from_millis(10));
        }
        let gen = status(&mut srv)["result"]["generation"].as_u64().unwrap();
        srv.ok(json!({"cmd": "reload", "robot": "template"}));
        assert!(wait_until(t, || {
            let s = status(&mut srv)["result"].clone();
            s["generation"].as_u64().unwrap_or(0) > gen && s["state"]["state"] == "running"
        }));
        let mut now = Vec::new();
        assert!(
            wait_until(t, || {
                now = mapped_builds();
                now.len() == 1 && now != seen
            }),
            "after a reload, mapped: {now:?} (before: {seen:?})"
        );
        seen = now;
    }
    srv.stop();
}
