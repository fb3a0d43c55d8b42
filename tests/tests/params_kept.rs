//! Params set over the control socket are kept: across `reload`, an edited `<name>.toml`
//! and a server restart, and `status.params` always shows what the robot runs on (checked
//! by what it does: `template` buys on every `every`-th quote).

use robofleet::server;
use robofleet_tests::*;
use serde_json::json;
use std::path::Path;
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

fn start(feed: &str, plugins: &Path, data: &Path) -> TestServer {
    let cfg = TestServer::config(feed, plugins, data);
    TestServer::from_handle(server::start(cfg).expect("server starts"))
}

/// Orders `template` places on the next 12 quotes (it buys on every `every`-th).
fn orders_on_12_quotes(srv: &mut TestServer, feed: &mut Feed) -> usize {
    let count = |srv: &mut TestServer| srv.orders("template").as_array().map_or(0, |a| a.len());
    let events = |srv: &mut TestServer| srv.status("template")["events"].as_u64().unwrap();
    let (orders0, events0) = (count(srv), events(srv));
    for _ in 0..12 {
        feed.quote("Si", 100_000.0, 100_001.0, 5);
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        wait_until(T, || events(srv) >= events0 + 12),
        "quotes not handled"
    );
    // Orders land in the store shortly after the robot sends them.
    let mut placed = 0;
    wait_until(Duration::from_secs(2), || {
        placed = count(srv) - orders0;
        false
    });
    placed
}

fn restarted(srv: &mut TestServer, generation: u64) -> bool {
    wait_until(T, || {
        let s = srv.status("template");
        s["generation"].as_u64().unwrap_or(0) > generation && s["state"]["state"] == "running"
    })
}

#[test]
fn set_params_holds_across_reload_toml_edit_and_restart_and_status_shows_it() {
    let mut feed = Feed::new();
    let plugins = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    install(
        &plugin("template_robot"),
        plugins.path(),
        "libtemplate_robot.so",
    );
    let mut srv = start(&feed.endpoint, plugins.path(), data.path());
    assert!(wait_until(T, || srv.state("template") == "running"));
    assert_eq!(
        orders_on_12_quotes(&mut srv, &mut feed),
        1,
        "every=10 by default"
    );

    srv.ok(json!({"cmd": "set_params", "robot": "template", "params": {"every": 2}}));
    assert_eq!(srv.status("template")["params"]["every"], json!(2));
    assert_eq!(orders_on_12_quotes(&mut srv, &mut feed), 6);

    // reload: the robot restarts on the same file, keeping what the operator set.
    let gen = srv.status("template")["generation"].as_u64().unwrap();
    srv.ok(json!({"cmd": "reload", "robot": "template"}));
    assert!(restarted(&mut srv, gen));
    assert_eq!(srv.status("template")["params"]["every"], json!(2));
    assert_eq!(
        orders_on_12_quotes(&mut srv, &mut feed),
        6,
        "reload lost every=2"
    );

    // An edited toml changes the keys it sets; the operator's key stays.
    let gen = srv.status("template")["generation"].as_u64().unwrap();
    let tmp = plugins.path().join(".libtemplate_robot.toml.tmp");
    std::fs::write(&tmp, "[params]\nevery = 3\noffset = 7.0\n").unwrap();
    std::fs::rename(&tmp, plugins.path().join("libtemplate_robot.toml")).unwrap();
    assert!(restarted(&mut srv, gen));
    let params = srv.status("template")["params"].clone();
    assert_eq!(params["every"], json!(2), "{params}");
    assert_eq!(params["offset"], json!(7.0), "{params}");
    assert_eq!(orders_on_12_quotes(&mut srv, &mut feed), 6);

    // A server restart on the same data folder keeps them too.
    srv.stop();
    let mut srv = start(&feed.endpoint, plugins.path(), data.path());
    assert!(wait_until(T, || srv.state("template") == "running"));
    assert_eq!(srv.status("template")["params"]["every"], json!(2));
    assert_eq!(orders_on_12_quotes(&mut srv, &mut feed), 6);
    srv.stop();
}

#[test]
fn status_shows_the_files_params_when_they_change_under_a_rebuilt_robot() {
    // Rebuilt from a journal that has offset=5.0, then told offset=9.0 by its new toml:
    // status must show 9.0 at once, not the journal's value.
    let feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        install(&plugin("template_robot"), dir, "libtemplate_robot.so");
    });
    assert!(wait_until(T, || srv.state("template") == "running"));
    let gen = srv.status("template")["generation"].as_u64().unwrap();
    let tmp = srv.plugins.path().join(".t.tmp");
    std::fs::write(&tmp, "[params]\noffset = 9.0\n").unwrap();
    std::fs::rename(&tmp, srv.plugins.path().join("libtemplate_robot.toml")).unwrap();
    assert!(restarted(&mut srv, gen));
    let status = srv.status("template");
    assert!(
        status["recovery"]
            .as_str()
            .unwrap_or_default()
            .starts_with("rebuilt from journal"),
        "{status}"
    );
    assert_eq!(status["params"]["offset"], json!(9.0), "{status}");
    srv.stop();
}
