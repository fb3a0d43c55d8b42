//! MongoDB under sustained load: two servers, each with a market maker, and one gateway
//! process share a database while the feed quotes steadily. Nothing is lost: every order the
//! robots sent is answered by the gateway, and every fill in the database reaches its robot
//! exactly once. (The lag bound is a speed goal, measured by `robofleet-bench mongo
//! --sustain`, not timed here.)

use robofleet::server::{self, ServeConfig, ServerHandle};
use robofleet::store::{OrderFilter, Store};
use robofleet_api::OrderStatus;
use robofleet_tests::mongo;
use robofleet_tests::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

const T: Duration = Duration::from_secs(60);

fn server(uri: &str, name: &str, feed: &str, plugins: &Path, data: &Path) -> ServerHandle {
    let mut cfg = ServeConfig::new(plugins, data);
    write_test_instruments(data);
    cfg.control_endpoint = "tcp://127.0.0.1:*".into();
    cfg.feed_endpoint = feed.into();
    cfg.store_uri = Some(uri.into());
    cfg.name = name.into();
    cfg.gateway = false;
    server::start(cfg).unwrap()
}

/// A plugin folder running the market maker as `name`.
fn maker(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("libmarket_maker.toml"),
        format!("name = \"{name}\"\nsymbols = [\"Si\"]\n"),
    )
    .unwrap();
    install(&plugin("market_maker"), dir.path(), "libmarket_maker.so");
    dir
}

#[test]
fn under_a_steady_feed_every_order_is_answered_and_every_fill_reaches_its_robot_once() {
    // SecantusDB keeps every retryable write for 30 minutes and scans them all at each write
    // (docs/store.md): without this, the load here would slow every later test's database.
    let base = mongo::uri_for("mongo_load");
    let sep = if base.contains('?') { '&' } else { '?' };
    let uri = format!("{base}{sep}retryWrites=false");
    let mut feed = Feed::new();
    let endpoint = feed.endpoint.clone();
    let gateway = std::process::Command::new(target_dir().join("robofleet"))
        .args([
            "gateway", "--store", &uri, "--feed", &endpoint, "--every", "0",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start robofleet gateway");
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _gateway = Kill(gateway);
    let robots = ["mm_a", "mm_b"];
    let plugins: Vec<_> = robots.iter().map(|r| maker(r)).collect();
    let data: Vec<_> = robots
        .iter()
        .map(|_| tempfile::tempdir().unwrap())
        .collect();
    let servers: Vec<ServerHandle> = robots
        .iter()
        .enumerate()
        .map(|(i, r)| server(&uri, r, &endpoint, plugins[i].path(), data[i].path()))
        .collect();
    assert!(wait_until(T, || servers
        .iter()
        .zip(robots)
        .all(|(s, r)| s.registry.get(r).is_some())));

    // Eight seconds of quotes at about 50 a second: the robots quote, requote and get filled.
    let stop = Arc::new(AtomicBool::new(false));
    let feeder = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut seed = 11;
            let started = std::time::Instant::now();
            while started.elapsed() < Duration::from_secs(8) && !stop.load(Ordering::Relaxed) {
                seed += 1;
                random_walk(
                    &mut feed,
                    &[("Si", 90_000.0)],
                    10,
                    seed,
                    Duration::from_millis(20),
                );
            }
        })
    };
    feeder.join().unwrap();
    stop.store(true, Ordering::Relaxed);

    let store = servers[0].store.clone();
    let all = |store: &Arc<dyn Store>| store.orders(&OrderFilter::default()).unwrap();
    let sent: u64 = servers
        .iter()
        .zip(robots)
        .map(|(s, r)| {
            s.registry
                .get(r)
                .unwrap()
                .orders_sent
                .load(Ordering::Relaxed)
        })
        .sum();
    assert!(sent >= 20, "the robots traded: {sent} orders");
    // Every order the robots sent is in the database and answered (none left `New`).
    assert!(
        wait_until(T, || {
            let orders = all(&store);
            orders.len() as u64 >= sent && orders.iter().all(|o| o.status != OrderStatus::New)
        }),
        "orders unanswered: {:?}",
        all(&store)
            .iter()
            .filter(|o| o.status == OrderStatus::New)
            .map(|o| &o.client_id)
            .collect::<Vec<_>>()
    );
    // Every fill in the database reaches its robot, once.
    let trades = |robot: &str| -> BTreeSet<String> {
        store
            .trades(Some(robot))
            .unwrap()
            .into_iter()
            .map(|t| t.exec_id)
            .collect()
    };
    let filled: usize = robots.iter().map(|r| trades(r).len()).sum();
    eprintln!("{sent} orders sent, {filled} fills");
    assert!(filled > 0, "some fills");
    for (i, robot) in robots.iter().enumerate() {
        let shared = servers[i].registry.get(robot).unwrap();
        assert!(
            wait_until(T, || shared.fills_received.load(Ordering::Relaxed)
                >= trades(robot).len() as u64),
            "{robot}: {} of {} fills delivered",
            shared.fills_received.load(Ordering::Relaxed),
            trades(robot).len()
        );
    }
    let dirs: Vec<_> = data.iter().map(|d| d.path().join("journal")).collect();
    for server in servers {
        server.shutdown();
    }
    for (i, robot) in robots.iter().enumerate() {
        let fills = journaled_fills(&robofleet::journal::robot_dir(&dirs[i], robot));
        let once: BTreeSet<String> = fills.iter().cloned().collect();
        assert_eq!(once.len(), fills.len(), "{robot}: a fill delivered twice");
        assert_eq!(
            once,
            trades(robot),
            "{robot}: the fills it got are the database's"
        );
    }
}
