//! The instrument registry end to end: robots receive their symbols' specs and price on the
//! grid in effect, a reload reaches them, the gateway refuses what the registry does not
//! allow, and a bad file changes nothing.

use robofleet::instruments::{always_open, to_toml, FILE_NAME};
use robofleet_tests::*;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

const T: Duration = Duration::from_secs(15);

fn write_registry(data: &Path, si_tick: &str) {
    let specs = [always_open("Si", si_tick.parse().unwrap())];
    std::fs::write(data.join(FILE_NAME), to_toml(&specs)).unwrap();
}

/// The limit prices of the template's orders, as decimal text.
fn limit_prices(srv: &mut TestServer) -> Vec<i64> {
    srv.orders("template")
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| {
            o["order_type"]["Limit"]["price"]
                .as_str()
                .map(|p| p.parse().unwrap())
        })
        .collect()
}

#[test]
fn robots_price_on_the_grid_they_are_given_and_a_reload_reaches_them() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start_with_data(&feed.endpoint, |plugins, data| {
        install(&plugin("template_robot"), plugins, "libtemplate_robot.so");
        std::fs::write(
            plugins.join("libtemplate_robot.toml"),
            "[params]\nevery = 1\noffset = 3\n",
        )
        .unwrap();
        write_registry(data, "10");
    });
    assert!(wait_until(T, || srv.state("template") == "running"));
    // bid 100007 - offset 3 = 100004: on a tick of 10 the robot bids 100000.
    assert!(wait_until(T, || {
        feed.quote("Si", 100_007.0, 100_008.0, 5);
        !limit_prices(&mut srv).is_empty()
    }));
    assert!(
        limit_prices(&mut srv).iter().all(|p| p % 10 == 0),
        "{:?}",
        limit_prices(&mut srv)
    );
    assert_eq!(limit_prices(&mut srv)[0], 100_000);
    // The registry now says tick 1: after the reload the robot bids 100004.
    write_registry(srv.data.path(), "1");
    let r = srv.ok(json!({"cmd": "reload_instruments"}));
    assert_eq!(
        (r["versions"].clone(), r["events_sent"].clone()),
        (json!(1), json!(1)),
        "{r}"
    );
    assert_eq!(r["changed"][0]["tick_size"], json!("1"));
    assert!(wait_until(T, || {
        feed.quote("Si", 100_007.0, 100_008.0, 5);
        limit_prices(&mut srv).contains(&100_004)
    }));
    let listed = srv.ok(json!({"cmd": "instruments"}));
    assert_eq!(
        listed["instruments"].as_array().unwrap().len(),
        1,
        "{listed}"
    );
    assert!(listed["file"].as_str().unwrap().ends_with(FILE_NAME));
    // A bad file changes nothing and says why.
    std::fs::write(
        srv.data.path().join(FILE_NAME),
        "[[instrument]]\nsymbol = \"Si\"\n",
    )
    .unwrap();
    let bad = srv.ctl(json!({"cmd": "reload_instruments"}));
    assert_eq!(bad["error"]["code"], json!("bad_instruments"), "{bad}");
    assert!(
        bad["error"]["message"]
            .as_str()
            .unwrap()
            .contains("missing field"),
        "{bad}"
    );
    let still = srv.ok(json!({"cmd": "instruments"}));
    assert_eq!(still["instruments"][0]["tick_size"], json!("1"));
    srv.stop();
}

fn statuses(srv: &mut TestServer, robot: &str) -> Vec<(String, Value)> {
    srv.orders(robot)
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["status"].as_str().unwrap().to_string(),
                o["reason"].clone(),
            )
        })
        .collect()
}

#[test]
fn the_gateway_refuses_a_symbol_the_registry_does_not_have() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start_with_data(&feed.endpoint, |plugins, data| {
        install(&plugin("panicky"), plugins, "libpanicky.so");
        std::fs::write(plugins.join("libpanicky.toml"), "symbols = [\"GAZP\"]\n").unwrap();
        // The shipped MOEX registry: no GAZP in it.
        std::fs::write(data.join(FILE_NAME), robofleet::instruments::SHIPPED).unwrap();
    });
    assert!(wait_until(T, || srv.state("panicky") == "running"));
    assert!(wait_until(T, || {
        feed.quote("GAZP", 150.0, 151.0, 5);
        statuses(&mut srv, "panicky")
            .first()
            .is_some_and(|(s, _)| s == "Rejected")
    }));
    assert_eq!(
        statuses(&mut srv, "panicky")[0].1,
        json!("unknown symbol GAZP: not in the instrument registry")
    );
    // The robot hears the reason too.
    assert!(wait_until(T, || srv.status("panicky")
        ["order_updates_received"]
        == json!(1)));
    srv.stop();
}

#[test]
fn a_new_data_folder_gets_the_shipped_registry_and_a_bad_one_stops_the_server() {
    let feed = Feed::new();
    let plugins = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    // Not TestServer::config, which writes the tests' own registry.
    let mut cfg = robofleet::server::ServeConfig::new(plugins.path(), data.path());
    cfg.control_endpoint = "tcp://127.0.0.1:*".into();
    cfg.feed_endpoint = feed.endpoint.clone();
    let handle = robofleet::server::start(cfg.clone()).expect("server starts");
    let mut srv = TestServer::from_handle(handle);
    let written = std::fs::read_to_string(data.path().join(FILE_NAME)).unwrap();
    assert_eq!(written, robofleet::instruments::SHIPPED);
    let listed = srv.ok(json!({"cmd": "instruments"}));
    let symbols: Vec<&str> = listed["instruments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["symbol"].as_str().unwrap())
        .collect();
    assert_eq!(symbols, ["RTS", "RTS", "Si"], "{listed}");
    srv.stop();
    // A file that does not parse: the server does not start, and says where and why.
    std::fs::write(
        data.path().join(FILE_NAME),
        "[[instrument]]\nsymbol = \"Si\"\nvenue = \"MOEX\"\ncurrency = \"RUB\"\n\
         tick_size = \"1\"\nsessions = [\"10:00-18:45\"]\n",
    )
    .unwrap();
    let err = match robofleet::server::start(cfg) {
        Ok(_) => panic!("started on a malformed registry"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("instrument #1 (Si): give exactly one of `tick_value` and `point_value`"),
        "{err}"
    );
    assert!(err.contains(FILE_NAME), "{err}");
}
