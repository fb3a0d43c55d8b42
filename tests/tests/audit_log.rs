//! The audit log is written ahead: a state-changing request whose entry cannot be kept is
//! refused and does nothing, and entries kept while the store is away reach it later, also
//! across a `kill -9` of the server.

use robofleet::control::client::ControlClient;
use robofleet::server::zmq_context;
use robofleet::store::mongo::{MongoOptions, MongoStore};
use robofleet::store::Store;
use robofleet_tests::mongo::OwnDb;
use robofleet_tests::*;
use serde_json::{json, Value};
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

#[test]
fn a_request_whose_audit_entry_cannot_be_written_is_refused_and_does_nothing() {
    let feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |_| {});
    // The spool's place taken by a folder: no entry can be written ahead.
    let spool = srv.data.path().join("audit_spool.jsonl");
    let _ = std::fs::remove_file(&spool);
    std::fs::create_dir(&spool).unwrap();
    let reply = srv.ctl(json!({"cmd": "kill_switch", "reason": "drill"}));
    assert_eq!(
        reply["error"]["code"],
        json!("audit_unavailable"),
        "{reply}"
    );
    let stats = srv.ok(json!({"cmd": "stats"}));
    assert_eq!(stats["kill_switch"]["engaged"], json!(false), "{stats}");
    assert_eq!(stats["control"]["audit_failed"], json!(1), "{stats}");
    assert!(!srv.data.path().join("kill_switch.json").exists());
    // Reads are not audited and still work.
    assert_eq!(srv.ctl(json!({"cmd": "list"}))["ok"], json!(true));

    // Writable again: the same request acts, and its entry is in the log.
    std::fs::remove_dir(&spool).unwrap();
    srv.ok(json!({"cmd": "kill_switch", "reason": "drill"}));
    let stats = srv.ok(json!({"cmd": "stats"}));
    assert_eq!(stats["kill_switch"]["engaged"], json!(true), "{stats}");
    let audit = srv.ok(json!({"cmd": "audit"}));
    let entries = audit["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{audit}");
    assert_eq!(
        (&entries[0]["cmd"], &entries[0]["result"]),
        (&json!("kill_switch"), &json!("ok"))
    );
    srv.stop();
}

fn audit_entries(client: &mut ControlClient) -> Vec<Value> {
    match client.request(&json!({"cmd": "audit"})) {
        Ok(r) if r["ok"] == json!(true) => r["result"]["entries"].as_array().unwrap().clone(),
        _ => Vec::new(),
    }
}

#[test]
fn entries_kept_while_the_database_is_away_reach_it_after_a_kill_9() {
    let mut db = OwnDb::start();
    let feed = Feed::new();
    let plugins = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let control = format!("tcp://127.0.0.1:{}", free_port());
    let uri = db.uri("audit");
    let serve = || {
        serve_command(plugins.path(), data.path())
            .args(["--control", &control, "--feed", &feed.endpoint])
            .args(["--store", &uri])
            .spawn()
            .expect("start robofleet serve")
    };
    let mut child = serve();
    let mut client = ControlClient::new(&zmq_context(), &control, Duration::from_secs(10));
    assert!(wait_until(T, || client
        .request(&json!({"cmd": "list"}))
        .is_ok()));
    client
        .request(&json!({"cmd": "pause", "robot": "first"}))
        .unwrap();
    assert!(wait_until(T, || audit_entries(&mut client).len() == 1));

    db.stop();
    // The control socket does not wait for the database: each request is answered, its
    // entry kept in the spool.
    for name in ["a", "b", "c"] {
        let reply = client
            .request(&json!({"cmd": "pause", "robot": name}))
            .unwrap();
        assert_eq!(reply["error"]["code"], json!("unknown_robot"), "{reply}");
    }
    let stats = client.request(&json!({"cmd": "stats"})).unwrap();
    assert_eq!(
        stats["result"]["control"]["audit_pending"],
        json!(3),
        "{stats}"
    );
    child.kill().unwrap();
    child.wait().unwrap();

    db.restart();
    let mut child = serve();
    let mut entries = Vec::new();
    assert!(
        wait_until(Duration::from_secs(60), || {
            entries = audit_entries(&mut client);
            entries.len() == 4
        }),
        "{entries:?}"
    );
    let robots: Vec<String> = entries
        .iter()
        .rev()
        .map(|e| {
            let request: Value = serde_json::from_str(e["request"].as_str().unwrap()).unwrap();
            assert_eq!(e["who"], json!("local"));
            request["robot"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(robots, ["first", "a", "b", "c"]);
    let results: Vec<&Value> = entries.iter().map(|e| &e["result"]).collect();
    assert!(
        results.iter().all(|r| **r == json!("unknown_robot")),
        "{entries:?}"
    );
    assert!(wait_until(T, || {
        let stats = client.request(&json!({"cmd": "stats"})).unwrap();
        stats["result"]["control"]["audit_pending"] == json!(0)
    }));
    // In the database itself, each once.
    let store = MongoStore::open(&MongoOptions::new(&uri, "analyst")).unwrap();
    let stored = store.audit_log(100).unwrap();
    let mut times: Vec<i64> = stored.iter().map(|e| e.ts_ns).collect();
    times.dedup();
    assert_eq!((stored.len(), times.len()), (4, 4), "{stored:?}");
    child.kill().unwrap();
    child.wait().unwrap();
}
