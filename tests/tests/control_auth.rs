//! The control plane for the right people: CURVE with an allow-list checked by the ZAP
//! handler, roles, the audit log, the loopback rule, and the `keygen` / `ctl --key` tools.

use robofleet::control::auth::keys::{CurveKey, KeyPair};
use robofleet::control::client::{ClientError, ControlClient, CurveClient};
use robofleet::server::{self, zmq_context};
use robofleet_tests::doc_shapes::workspace_root;
use robofleet_tests::*;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

const T: Duration = Duration::from_secs(15);

struct Keys {
    server: KeyPair,
    admin: KeyPair,
    trader: KeyPair,
    viewer: KeyPair,
}

/// Key files in `dir` and an access file naming admin, trader and viewer keys.
fn write_access(dir: &Path) -> Keys {
    let gen = |name: &str| {
        let k = KeyPair::generate().expect("CURVE keys");
        k.write(&dir.join(name)).expect("key files");
        k
    };
    let keys = Keys {
        server: gen("server"),
        admin: gen("ann"),
        trader: gen("tom"),
        viewer: gen("vic"),
    };
    let client = |name: &str, k: &KeyPair, role: &str| {
        format!(
            "[[clients]]\nname = \"{name}\"\npublic_key = \"{}\"\nrole = \"{role}\"\n",
            k.public.to_z85()
        )
    };
    let text = format!(
        "server_key = \"server.key\"\n{}{}{}",
        client("ann", &keys.admin, "admin"),
        client("tom", &keys.trader, "trader"),
        client("vic", &keys.viewer, "viewer")
    );
    std::fs::write(dir.join("access.toml"), text).unwrap();
    keys
}

fn client(srv: &TestServer, keys: &KeyPair, server: CurveKey) -> ControlClient {
    ControlClient::new(
        &zmq_context(),
        srv.handle.as_ref().unwrap().control_endpoint(),
        Duration::from_secs(5),
    )
    .with_curve(CurveClient {
        keys: keys.clone(),
        server,
    })
}

fn code(reply: &Value) -> &str {
    assert_eq!(reply["ok"], json!(false), "{reply}");
    reply["error"]["code"].as_str().unwrap()
}

fn start_secured(feed: &Feed, keydir: &Path) -> TestServer {
    let plugins = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    install(
        &plugin("template_robot"),
        plugins.path(),
        "libtemplate_robot.so",
    );
    let mut cfg = TestServer::config(&feed.endpoint, plugins.path(), data.path());
    cfg.control_auth = Some(keydir.join("access.toml"));
    let handle = server::start(cfg).expect("server starts with CURVE");
    let mut srv = TestServer::from_handle(handle);
    srv.plugins = plugins;
    srv.data = data;
    srv
}

#[test]
fn each_role_may_do_its_own_and_nothing_more_and_every_change_is_audited() {
    let feed = Feed::new();
    let keydir = tempfile::tempdir().unwrap();
    let keys = write_access(keydir.path());
    let srv = start_secured(&feed, keydir.path());
    let server_key = keys.server.public;
    let mut admin = client(&srv, &keys.admin, server_key);
    let mut trader = client(&srv, &keys.trader, server_key);
    let mut viewer = client(&srv, &keys.viewer, server_key);
    let state = |c: &mut ControlClient| {
        let r = c
            .request(&json!({"cmd": "status", "robot": "template"}))
            .unwrap();
        r["result"]["state"]["state"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    assert!(wait_until(T, || state(&mut viewer) == "running"));

    // A viewer reads, and may change nothing.
    assert_eq!(
        viewer.request(&json!({"cmd": "list"})).unwrap()["ok"],
        json!(true)
    );
    let refused = viewer
        .request(&json!({"cmd": "pause", "robot": "template"}))
        .unwrap();
    assert_eq!(code(&refused), "forbidden");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("`pause` needs the trader role; \"vic\" has viewer"),
        "{message}"
    );
    // A trader steers robots but cannot stop one or the server.
    let r = trader
        .request(&json!({"cmd": "stop", "robot": "template"}))
        .unwrap();
    assert_eq!(code(&r), "forbidden");
    assert_eq!(
        code(&trader.request(&json!({"cmd": "shutdown"})).unwrap()),
        "forbidden"
    );
    assert_eq!(state(&mut viewer), "running", "nothing happened");
    let r = trader
        .request(&json!({"cmd": "pause", "robot": "template"}))
        .unwrap();
    assert_eq!(r["ok"], json!(true), "{r}");
    assert!(wait_until(T, || state(&mut viewer) == "paused"));
    // An admin may stop it.
    let r = admin
        .request(&json!({"cmd": "stop", "robot": "template"}))
        .unwrap();
    assert_eq!(r["ok"], json!(true), "{r}");
    assert!(wait_until(T, || state(&mut viewer) == "stopped"));

    // Every state-changing request, allowed or refused, is in the audit log; reads are not.
    let audit = viewer.request(&json!({"cmd": "audit"})).unwrap();
    let entries = audit["result"]["entries"].as_array().unwrap().clone();
    let seen: Vec<(String, String, String)> = entries
        .iter()
        .rev()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap().to_string();
            (s("who"), s("cmd"), s("result"))
        })
        .collect();
    let want = [
        ("vic", "pause", "forbidden"),
        ("tom", "stop", "forbidden"),
        ("tom", "shutdown", "forbidden"),
        ("tom", "pause", "ok"),
        ("ann", "stop", "ok"),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect();
    assert_eq!(seen, want, "{audit}");
    let stop = &entries[0];
    assert_eq!(stop["role"], json!("admin"));
    assert_eq!(stop["server"], json!("robofleet"));
    assert!(stop["request"].as_str().unwrap().contains("\"stop\""));
    assert!(stop["ts_ns"].as_i64().unwrap() > entries[1]["ts_ns"].as_i64().unwrap());
    let stats = viewer.request(&json!({"cmd": "stats"})).unwrap();
    assert_eq!(stats["result"]["control"]["forbidden"], json!(3), "{stats}");
    srv.stop();
}

#[test]
fn strangers_are_refused_at_the_handshake_and_nothing_happens() {
    let feed = Feed::new();
    let keydir = tempfile::tempdir().unwrap();
    let keys = write_access(keydir.path());
    let srv = start_secured(&feed, keydir.path());
    let server_key = keys.server.public;
    let mut viewer = client(&srv, &keys.viewer, server_key);
    let stranger = KeyPair::generate().unwrap();
    // An unknown key: refused by the ZAP handler, and the client says so at once.
    let mut c = client(&srv, &stranger, server_key);
    match c.request(&json!({"cmd": "shutdown"})) {
        Err(ClientError::Refused { why, .. }) => {
            assert!(why.contains("does not know this client key"), "{why}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // A known key that expects another server key: the handshake fails too.
    let mut c = client(&srv, &keys.admin, stranger.public);
    assert!(matches!(
        c.request(&json!({"cmd": "shutdown"})),
        Err(ClientError::Refused { .. })
    ));
    // No CURVE at all: no reply ever comes.
    let mut plain = ControlClient::new(
        &zmq_context(),
        srv.handle.as_ref().unwrap().control_endpoint(),
        Duration::from_millis(1500),
    );
    assert!(matches!(
        plain.request(&json!({"cmd": "shutdown"})),
        Err(ClientError::Timeout { .. })
    ));
    // The server is still up, nothing was done, nothing audited; the refusals are counted.
    let stats = viewer.request(&json!({"cmd": "stats"})).unwrap();
    assert_eq!(stats["ok"], json!(true));
    assert!(
        stats["result"]["control"]["auth_refused"].as_u64().unwrap() >= 1,
        "{stats}"
    );
    let audit = viewer.request(&json!({"cmd": "audit"})).unwrap();
    assert_eq!(audit["result"]["entries"], json!([]), "{audit}");
    srv.stop();
}

#[test]
fn a_control_socket_off_loopback_needs_curve() {
    let feed = Feed::new();
    let plugins = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut cfg = TestServer::config(&feed.endpoint, plugins.path(), data.path());
    cfg.control_endpoint = "tcp://0.0.0.0:*".into();
    let err = server::start(cfg.clone())
        .err()
        .expect("refused")
        .to_string();
    assert!(
        err.contains("is not on loopback") && err.contains("--control-auth"),
        "{err}"
    );
    // A bad access file stops the start too, with the reason.
    let keydir = tempfile::tempdir().unwrap();
    std::fs::write(
        keydir.path().join("access.toml"),
        "server_key = \"none.key\"\n",
    )
    .unwrap();
    cfg.control_auth = Some(keydir.path().join("access.toml"));
    let err = server::start(cfg.clone())
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("server_key"), "{err}");
    // With one, it binds everywhere.
    let keys = write_access(keydir.path());
    let handle = server::start(cfg).expect("CURVE on all interfaces");
    let endpoint = handle.control_endpoint().replace("0.0.0.0", "127.0.0.1");
    let mut admin = ControlClient::new(&zmq_context(), &endpoint, Duration::from_secs(5))
        .with_curve(CurveClient {
            keys: keys.admin,
            server: keys.server.public,
        });
    assert_eq!(
        admin.request(&json!({"cmd": "list"})).unwrap()["ok"],
        json!(true)
    );
    handle.shutdown();
}

#[test]
fn without_curve_the_local_admin_is_audited() {
    let feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        install(&plugin("template_robot"), dir, "libtemplate_robot.so");
    });
    assert!(wait_until(T, || srv.state("template") == "running"));
    srv.ok(json!({"cmd": "pause", "robot": "template"}));
    srv.ok(json!({"cmd": "status"}));
    let r = srv.ctl(json!({"cmd": "resume", "robot": "nobody"}));
    assert_eq!(code(&r), "unknown_robot");
    let entries = srv.ok(json!({"cmd": "audit", "limit": 10}))["entries"].clone();
    assert_eq!(entries.as_array().unwrap().len(), 2, "{entries}");
    assert_eq!(entries[0]["who"], json!("local"));
    assert_eq!(entries[0]["result"], json!("unknown_robot"));
    assert_eq!(entries[1]["cmd"], json!("pause"));
    assert_eq!(entries[1]["role"], json!("admin"));
    let r = srv.ctl(json!({"cmd": "audit", "limit": 0}));
    assert_eq!(code(&r), "bad_field");
    srv.stop();
}

#[test]
fn keygen_and_ctl_with_a_key_file_drive_a_secured_server() {
    let feed = Feed::new();
    let keydir = tempfile::tempdir().unwrap();
    let dir = keydir.path();
    for name in ["server", "ann"] {
        let out = robofleet(&["keygen", dir.join(name).to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).starts_with("public_key = \""));
    }
    // Never over an existing key.
    let again = robofleet(&["keygen", dir.join("ann").to_str().unwrap()]);
    assert!(!again.status.success());
    let ann = KeyPair::read(&dir.join("ann.key")).unwrap();
    std::fs::write(
        dir.join("access.toml"),
        format!(
            "server_key = \"server.key\"\n[[clients]]\nname = \"ann\"\npublic_key = \"{}\"\nrole = \"viewer\"\n",
            ann.public.to_z85()
        ),
    )
    .unwrap();
    let srv = start_secured(&feed, dir);
    let endpoint = srv.handle.as_ref().unwrap().control_endpoint().to_string();
    let key = dir.join("ann.key");
    let server_pub = dir.join("server.pub");
    let ctl = |req: &[&str]| {
        let mut args = vec!["ctl", "--control", &endpoint, "--timeout-ms", "5000"];
        args.extend_from_slice(&["--key", key.to_str().unwrap()]);
        args.extend_from_slice(&["--server-key", server_pub.to_str().unwrap()]);
        args.extend_from_slice(req);
        robofleet(&args)
    };
    let out = ctl(&["list"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = ctl(&["stop", "template"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("forbidden"));
    let out = ctl(&["audit", "--limit", "5"]);
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reply["result"]["entries"][0]["result"], json!("forbidden"));
    // A key of a stranger: a clear refusal, not a hang.
    let out = robofleet(&["keygen", dir.join("eve").to_str().unwrap()]);
    assert!(out.status.success());
    let eve = dir.join("eve.key");
    let out = robofleet(&[
        "ctl",
        "--control",
        &endpoint,
        "--key",
        eve.to_str().unwrap(),
        "--server-key",
        server_pub.to_str().unwrap(),
        "list",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("refused this client's CURVE handshake"),
        "{err}"
    );
    srv.stop();
}

/// docs/security.md's access file example is one the server takes, with the roles it says.
#[test]
fn the_documented_access_file_is_read_as_documented() {
    let page = std::fs::read_to_string(workspace_root().join("docs/security.md")).unwrap();
    let example = page
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a TOML example in docs/security.md");
    let dir = tempfile::tempdir().unwrap();
    KeyPair::generate()
        .unwrap()
        .write(&dir.path().join("server"))
        .unwrap();
    let filler = KeyPair::generate().unwrap().public.to_z85();
    let text = example.replace("\"...\"", &format!("\"{filler}\""));
    std::fs::write(dir.path().join("access.toml"), text).unwrap();
    let access = robofleet::control::auth::Access::read(&dir.path().join("access.toml"))
        .expect("the documented example is accepted");
    let mut roles: Vec<(String, &str)> = access
        .clients
        .values()
        .map(|c| (c.name.clone(), c.role.as_str()))
        .collect();
    roles.sort();
    assert_eq!(
        roles,
        [
            ("ann".to_string(), "admin"),
            ("desk-monitor".to_string(), "viewer")
        ]
    );
}
