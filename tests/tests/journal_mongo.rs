//! The journal and restart recovery on the MongoDB store: a robot stopped with its server
//! comes back with its state rebuilt from its journal, and each of its fills in MongoDB
//! reaches it exactly once across the restart.

use robofleet::control::client::ControlClient;
use robofleet::gateway::{spawn_gateway, GatewayConfig, GatewayStats};
use robofleet::journal::robot_dir;
use robofleet::server::{self, zmq_context, ServeConfig, ServerHandle};
use robofleet::store::mongo::{MongoOptions, MongoStore};
use robofleet::store::{OrderFilter, Store};
use robofleet_tests::*;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

fn server(uri: &str, feed: &Feed, plugins: &Path, data: &Path) -> (ServerHandle, ControlClient) {
    let mut cfg = ServeConfig::new(plugins, data);
    cfg.control_endpoint = "tcp://127.0.0.1:*".into();
    cfg.feed_endpoint = feed.endpoint.clone();
    cfg.store_uri = Some(uri.into());
    cfg.name = "desk".into();
    cfg.gateway = false;
    cfg.settle = Duration::from_millis(50);
    let handle = server::start(cfg).unwrap();
    let client = ControlClient::new(
        &zmq_context(),
        handle.control_endpoint(),
        Duration::from_secs(10),
    );
    (handle, client)
}

fn status(client: &mut ControlClient, robot: &str) -> Value {
    client
        .request(&json!({"cmd": "status", "robot": robot}))
        .unwrap()["result"]
        .clone()
}

#[test]
fn a_robot_on_mongodb_is_rebuilt_from_its_journal_and_each_fill_reaches_it_once() {
    let uri = robofleet_tests::mongo::uri_for("journal_mongo");
    let mut feed = Feed::new();
    let plugins = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    install(&plugin("ma_cross"), plugins.path(), "libma_cross.so");
    let store: Arc<dyn Store> =
        Arc::new(MongoStore::open(&MongoOptions::new(&uri, "test")).unwrap());
    let gw_store: Arc<dyn Store> =
        Arc::new(MongoStore::open(&MongoOptions::new(&uri, "gateway:g")).unwrap());
    gw_store
        .put_instruments(&robofleet_tests::test_instruments())
        .unwrap();
    let gateway = spawn_gateway(
        zmq_context(),
        gw_store,
        GatewayConfig {
            feed_endpoint: feed.endpoint.clone(),
            ..GatewayConfig::default()
        },
        Arc::new(GatewayStats::default()),
    )
    .unwrap();

    let (srv, mut client) = server(&uri, &feed, plugins.path(), data.path());
    assert!(wait_until(T, || status(&mut client, "ma_cross")["state"]
        ["state"]
        == json!("running")));
    let mut seed = 3;
    assert!(
        wait_until(Duration::from_secs(60), || {
            seed += 1;
            random_walk(
                &mut feed,
                &[("Si", 90_000.0)],
                40,
                seed,
                Duration::from_millis(1),
            );
            status(&mut client, "ma_cross")["fills_received"]
                .as_u64()
                .unwrap_or(0)
                >= 2
        }),
        "ma_cross trades on MongoDB"
    );
    srv.shutdown();
    // While the server is down the market goes on: its working orders may fill.
    random_walk(
        &mut feed,
        &[("Si", 90_000.0)],
        200,
        99,
        Duration::from_millis(1),
    );
    std::thread::sleep(Duration::from_millis(500));

    let (srv, mut client) = server(&uri, &feed, plugins.path(), data.path());
    assert!(wait_until(T, || status(&mut client, "ma_cross")["state"]
        ["state"]
        == json!("running")));
    let s = status(&mut client, "ma_cross");
    assert!(
        s["recovery"]
            .as_str()
            .unwrap()
            .starts_with("rebuilt from journal (restart)"),
        "{s}"
    );
    std::thread::sleep(Duration::from_millis(1000));
    srv.shutdown();
    gateway.shutdown();

    // Every fill in MongoDB reached the robot once; every order it holds, it submitted.
    let mut fills = journaled_fills(&robot_dir(&data.path().join("journal"), "ma_cross"));
    let mut stored: Vec<String> = store
        .trades(Some("ma_cross"))
        .unwrap()
        .into_iter()
        .map(|t| t.exec_id)
        .collect();
    fills.sort();
    stored.sort();
    assert!(!stored.is_empty());
    assert_eq!(
        fills, stored,
        "each fill in the store reached the robot exactly once"
    );
    let so = plugin("ma_cross").to_string_lossy().to_string();
    let (code, r) = replay_report(&data.path().join("journal"), "ma_cross", &["--check", &so]);
    assert_eq!((code, &r["identical"]), (0, &json!(true)), "{r:#}");
    let orders = store
        .orders(&OrderFilter {
            robot: Some("ma_cross".into()),
            open_only: false,
        })
        .unwrap();
    assert!(!orders.is_empty());
}
