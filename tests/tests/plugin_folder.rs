//! A robot dropped into the watched folder starts trading; replacing its file restarts it
//! on the new code; removing it stops it. Bad plugins are refused while the rest run.

use robofleet_tests::*;
use serde_json::json;
use std::time::Duration;

const T: Duration = Duration::from_secs(15);

#[test]
fn drop_in_starts_trading_replace_restarts_remove_stops() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |_| {});
    assert!(srv.list_names().is_empty());

    // Drop a robot in: it starts with no configuration and trades on the feed.
    install(&plugin("panicky"), srv.plugins.path(), "libpanicky.so");
    assert!(
        wait_until(T, || srv.state("panicky") == "running"),
        "robot did not start"
    );
    let gen1 = srv.status("panicky")["generation"].as_u64().unwrap();
    assert!(
        wait_until(T, || {
            feed.quote("Si", 100.0, 101.0, 5);
            let orders = srv.orders("panicky");
            !orders.as_array().unwrap().is_empty()
        }),
        "no order from the dropped-in robot"
    );

    // Replace the file (rename into place): the robot restarts on the new build.
    install(&plugin("panicky"), srv.plugins.path(), "libpanicky.so");
    assert!(
        wait_until(T, || {
            let s = srv.status("panicky");
            s["generation"].as_u64().unwrap_or(0) > gen1 && s["state"]["state"] == "running"
        }),
        "robot was not restarted after its file was replaced"
    );
    // The new build rebuilt the robot's state from its journal: it remembers it has bought.
    let status = srv.status("panicky");
    assert!(
        status["recovery"]
            .as_str()
            .unwrap()
            .starts_with("rebuilt from journal"),
        "{status}"
    );
    let events = |srv: &mut TestServer| srv.status("panicky")["events"].as_u64().unwrap();
    let before = events(&mut srv);
    assert!(wait_until(T, || {
        feed.quote("Si", 100.0, 101.0, 5);
        events(&mut srv) >= before + 5
    }));
    let orders = srv.orders("panicky");
    assert_eq!(
        orders.as_array().unwrap().len(),
        1,
        "no second buy: {orders}"
    );

    // Remove the file: the robot stops and leaves the fleet.
    std::fs::remove_file(srv.plugins.path().join("libpanicky.so")).unwrap();
    assert!(
        wait_until(T, || srv.list_names().is_empty()),
        "robot still listed after removal"
    );
    srv.stop();
}

#[test]
fn bad_plugins_are_refused_with_reasons_and_the_rest_run() {
    let feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        install(&plugin("template_robot"), dir, "libtemplate_robot.so");
        install(&plugin("bad_abi"), dir, "libbad_abi.so");
        install(&plugin("no_entry"), dir, "libno_entry.so");
        install(&plugin("abort_plugin"), dir, "libabort_plugin.so");
        std::fs::write(dir.join("notes.so"), b"this is not an ELF file\n").unwrap();
    });
    assert!(wait_until(T, || srv.state("template") == "running"));
    let mut reasons = Vec::new();
    assert!(
        wait_until(T, || {
            let list = srv.ok(json!({"cmd": "list"}));
            reasons = list["refused"].as_array().unwrap().clone();
            reasons.len() == 4
        }),
        "expected 4 refused plugins, got {reasons:?}"
    );
    let reason = |file: &str| -> String {
        reasons
            .iter()
            .find(|r| r["file"].as_str().unwrap().ends_with(file))
            .map(|r| r["error"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("{file} not refused: {reasons:?}"))
    };
    assert!(
        reason("libbad_abi.so").contains(&format!(
            "ABI version {}",
            robofleet_api::abi::ABI_VERSION + 1
        )),
        "{}",
        reason("libbad_abi.so")
    );
    assert!(reason("libno_entry.so").contains("no `robofleet_plugin_entry` symbol"));
    assert!(reason("libabort_plugin.so").contains("panic = \"abort\""));
    assert!(reason("notes.so").contains("not a loadable library"));
    assert_eq!(srv.list_names(), vec!["template".to_string()]);
    srv.stop();
}

#[test]
fn toml_beside_a_plugin_declares_several_instances() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        std::fs::write(
            dir.join("libpanicky.toml"),
            "[[instance]]\nname = \"p_si\"\n[[instance]]\nname = \"p_rts\"\nsymbols = [\"RTS\"]\n",
        )
        .unwrap();
        install(&plugin("panicky"), dir, "libpanicky.so");
    });
    assert!(wait_until(T, || srv.state("p_si") == "running"
        && srv.state("p_rts") == "running"));
    assert_eq!(srv.status("p_rts")["symbols"], json!(["RTS"]));
    // Each instance gets only its own symbol's market data.
    assert!(wait_until(T, || {
        feed.quote("RTS", 110000.0, 110010.0, 3);
        !srv.orders("p_rts").as_array().unwrap().is_empty()
    }));
    assert!(srv.orders("p_si").as_array().unwrap().is_empty());
    srv.stop();
}

#[test]
fn timer_events_arrive_at_the_configured_interval_without_market_data() {
    let feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        std::fs::write(dir.join("libpanicky.toml"), "timer_ms = 20\n").unwrap();
        install(&plugin("panicky"), dir, "libpanicky.so");
    });
    assert!(wait_until(T, || srv.state("panicky") == "running"));
    let before = srv.status("panicky")["events"].as_u64().unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let timers = srv.status("panicky")["events"].as_u64().unwrap() - before;
    // 25 expected; the bounds only say "periodic, not stalled, not bursting".
    assert!(
        (10..=40).contains(&timers),
        "{timers} timer events in 500 ms at 20 ms"
    );
    srv.stop();
}

#[test]
fn a_plugin_written_in_place_slowly_loads_once_whole_and_a_bad_replacement_keeps_the_robot() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |_| {});
    // Written straight into the folder (no rename), in two halves with a pause while the file
    // is open: a loader that acted at create or at the first write would refuse a half file.
    let bytes = std::fs::read(plugin("template_robot")).unwrap();
    let target = srv.plugins.path().join("libtemplate_robot.so");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&target).unwrap();
        f.write_all(&bytes[..bytes.len() / 2]).unwrap();
        f.flush().unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        f.write_all(&bytes[bytes.len() / 2..]).unwrap();
    }
    assert!(
        wait_until(T, || srv.state("template") == "running"),
        "the robot did not start from a file written in place"
    );
    let list = srv.ok(json!({"cmd": "list"}));
    assert_eq!(
        list["refused"],
        json!([]),
        "a half-written file was loaded: {list}"
    );
    let gen = srv.status("template")["generation"].as_u64().unwrap();
    assert_eq!(gen, 1, "loaded more than once: {}", srv.status("template"));

    // A broken build dropped over it is refused; the running robot stays and keeps trading.
    let bad = srv.plugins.path().join(".bad.tmp");
    std::fs::write(&bad, b"not a library at all").unwrap();
    std::fs::rename(&bad, &target).unwrap();
    assert!(
        wait_until(T, || {
            let list = srv.ok(json!({"cmd": "list"}));
            list["refused"].as_array().is_some_and(|r| r.len() == 1)
        }),
        "the broken replacement was not refused"
    );
    let status = srv.status("template");
    assert_eq!(status["state"]["state"], "running", "{status}");
    assert_eq!(status["generation"].as_u64().unwrap(), gen, "{status}");
    srv.ok(json!({"cmd": "set_params", "robot": "template", "params": {"every": 1}}));
    assert!(
        wait_until(T, || {
            feed.quote("Si", 100.0, 101.0, 5);
            let orders = srv.orders("template");
            !orders.as_array().unwrap().is_empty()
        }),
        "the robot stopped trading after a bad replacement"
    );
    srv.stop();
}

#[test]
fn editing_or_removing_a_toml_while_running_reshapes_that_plugins_robots() {
    let feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        install(&plugin("panicky"), dir, "libpanicky.so");
    });
    assert!(wait_until(T, || srv.state("panicky") == "running"));
    let names = |srv: &mut TestServer| {
        let mut n = srv.list_names();
        n.sort();
        n
    };
    // Two instances declared: they replace the plugin's default robot.
    let toml = srv.plugins.path().join("libpanicky.toml");
    let tmp = srv.plugins.path().join(".libpanicky.toml.tmp");
    std::fs::write(
        &tmp,
        "[[instance]]\nname = \"p_a\"\n[[instance]]\nname = \"p_b\"\nsymbols = [\"RTS\"]\n",
    )
    .unwrap();
    std::fs::rename(&tmp, &toml).unwrap();
    assert!(
        wait_until(T, || names(&mut srv) == ["p_a", "p_b"]
            && srv.state("p_a") == "running"
            && srv.state("p_b") == "running"),
        "{:?}",
        names(&mut srv)
    );
    assert_eq!(srv.status("p_b")["symbols"], json!(["RTS"]));
    // The toml removed: back to one robot on the plugin's defaults.
    std::fs::remove_file(&toml).unwrap();
    assert!(
        wait_until(T, || names(&mut srv) == ["panicky"]
            && srv.state("panicky") == "running"),
        "{:?}",
        names(&mut srv)
    );
    assert_eq!(srv.status("panicky")["symbols"], json!(["Si"]));
    srv.stop();
}

#[test]
fn a_plugin_file_or_folder_others_can_write_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        install(&plugin("template_robot"), dir, "libtemplate_robot.so");
        install(&plugin("ma_cross"), dir, "libma_cross.so");
        let shared = dir.join("libma_cross.so");
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o666)).unwrap();
    });
    assert!(wait_until(T, || srv.state("template") == "running"));
    let mut refused = Vec::new();
    assert!(wait_until(T, || {
        refused = srv.ok(json!({"cmd": "list"}))["refused"]
            .as_array()
            .unwrap()
            .clone();
        !refused.is_empty()
    }));
    let error = refused[0]["error"].as_str().unwrap();
    assert!(refused[0]["file"]
        .as_str()
        .unwrap()
        .ends_with("libma_cross.so"));
    assert!(
        error.contains("writable by its group and everyone (mode 0666)"),
        "{error}"
    );
    assert_eq!(srv.list_names(), vec!["template".to_string()]);
    srv.stop();

    // A folder others can write: the server does not start.
    let plugins = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    std::fs::set_permissions(plugins.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let cfg = TestServer::config(&feed.endpoint, plugins.path(), data.path());
    let err = match robofleet::server::start(cfg) {
        Ok(_) => panic!("a server started on a world-writable plugin folder"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("writable by its group and everyone (mode 0777)"),
        "{err}"
    );
}
