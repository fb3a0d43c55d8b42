//! A panicking robot is isolated; malformed control requests get JSON errors and the
//! server carries on; control commands reach robots through their streams.

use robofleet_tests::*;
use serde_json::{json, Value};
use std::time::Duration;

const T: Duration = Duration::from_secs(15);

#[test]
fn a_panicking_robot_is_marked_failed_and_the_others_go_on() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        install(&plugin("panicky"), dir, "libpanicky.so");
        install(&plugin("template_robot"), dir, "libtemplate_robot.so");
    });
    assert!(wait_until(T, || srv.state("panicky") == "running"
        && srv.state("template") == "running"));
    srv.ok(json!({"cmd": "command", "robot": "panicky", "name": "boom"}));
    assert!(wait_until(T, || srv.state("panicky") == "failed"));
    let status = srv.status("panicky");
    assert!(
        status["state"]["detail"]
            .as_str()
            .unwrap()
            .contains("panicky robot exploded on purpose"),
        "{status}"
    );
    // The other robot still handles events.
    let before = srv.status("template")["events"].as_u64().unwrap();
    assert!(wait_until(T, || {
        feed.quote("Si", 100.0, 101.0, 5);
        srv.status("template")["events"].as_u64().unwrap() > before + 3
    }));
    // A failed robot can be started again.
    srv.ok(json!({"cmd": "start", "robot": "panicky"}));
    assert!(wait_until(T, || srv.state("panicky") == "running"));
    srv.stop();
}

fn error_code(reply: &Value) -> &str {
    assert_eq!(reply["ok"], json!(false), "{reply}");
    reply["error"]["code"].as_str().unwrap()
}

#[test]
fn malformed_control_requests_get_errors_and_the_server_carries_on() {
    let feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        install(&plugin("template_robot"), dir, "libtemplate_robot.so");
    });
    assert!(wait_until(T, || srv.state("template") == "running"));
    let raw = |srv: &mut TestServer, b: &[u8]| srv.client.request_raw(b).expect("a reply");
    assert_eq!(error_code(&raw(&mut srv, b"{not json")), "bad_json");
    assert_eq!(error_code(&raw(&mut srv, &[0xff, 0x00, 0x13])), "bad_json");
    assert_eq!(error_code(&raw(&mut srv, b"[1,2,3]")), "bad_request");
    assert_eq!(
        error_code(&raw(&mut srv, b"{\"robot\":\"x\"}")),
        "bad_request"
    );
    assert_eq!(
        error_code(&srv.ctl(json!({"cmd": "fly"}))),
        "unknown_command"
    );
    assert_eq!(error_code(&srv.ctl(json!({"cmd": "stop"}))), "bad_request");
    assert_eq!(
        error_code(&srv.ctl(json!({"cmd": "stop", "robot": "nobody"}))),
        "unknown_robot"
    );
    assert_eq!(
        error_code(&srv.ctl(json!({"cmd": "set_params", "robot": "template", "params": [1]}))),
        "bad_field"
    );
    // A DEALER sends a frame layout REQ never would, then an empty message.
    let dealer = robofleet::server::zmq_context()
        .socket(zmq::DEALER)
        .unwrap();
    dealer.set_rcvtimeo(5000).unwrap();
    dealer
        .connect(srv.handle.as_ref().unwrap().control_endpoint())
        .unwrap();
    dealer
        .send_multipart([b"".to_vec(), b"junk".to_vec(), b"more".to_vec()], 0)
        .unwrap();
    let reply = dealer.recv_multipart(0).unwrap();
    let body: Value = serde_json::from_slice(reply.last().unwrap()).unwrap();
    assert_eq!(error_code(&body), "bad_json");
    // Still serving, ids echoed.
    let reply = srv.ctl(json!({"cmd": "list", "id": 42}));
    assert_eq!(reply["id"], json!(42));
    assert_eq!(srv.list_names(), vec!["template".to_string()]);
    let stats = srv.ok(json!({"cmd": "stats"}));
    assert!(stats["control"]["errors"].as_u64().unwrap() >= 9, "{stats}");
    srv.stop();
}

#[test]
fn pause_resume_params_stop_start_over_the_control_socket() {
    let mut feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        install(&plugin("template_robot"), dir, "libtemplate_robot.so");
    });
    assert!(wait_until(T, || srv.state("template") == "running"));
    srv.ok(json!({"cmd": "pause", "robot": "template"}));
    assert!(wait_until(T, || srv.state("template") == "paused"));
    assert!(wait_until(T, || {
        feed.quote("Si", 100.0, 101.0, 5);
        srv.status("template")["skipped_paused"].as_u64().unwrap() > 0
    }));
    srv.ok(json!({"cmd": "resume", "robot": "template"}));
    assert!(wait_until(T, || srv.state("template") == "running"));
    let merged = srv.ok(json!({"cmd": "set_params", "robot": "template", "params": {"every": 1}}));
    assert_eq!(merged["every"], json!(1));
    assert!(wait_until(T, || srv.status("template")["params"]["every"] == json!(1)));
    // The robot itself got the new params in its stream: with `every` = 1 each quote places
    // an order (under the default of 10, six quotes could place at most one).
    let orders = |srv: &mut TestServer| srv.orders("template").as_array().unwrap().len();
    let events = |srv: &mut TestServer| srv.status("template")["events"].as_u64().unwrap();
    let (orders_before, events_before) = (orders(&mut srv), events(&mut srv));
    for i in 0..6 {
        feed.quote("Si", 100.0 + f64::from(i), 101.0 + f64::from(i), 5);
    }
    assert!(wait_until(T, || events(&mut srv) >= events_before + 6));
    assert!(
        wait_until(T, || orders(&mut srv) >= orders_before + 6),
        "{} orders for 6 quotes after every=1",
        orders(&mut srv) - orders_before
    );
    assert_eq!(
        srv.ok(json!({"cmd": "stop", "robot": "template"})),
        json!({"stopped": "template"})
    );
    assert_eq!(srv.state("template"), "stopped");
    assert_eq!(
        error_code(&srv.ctl(json!({"cmd": "pause", "robot": "template"}))),
        "not_running"
    );
    srv.ok(json!({"cmd": "start", "robot": "template"}));
    assert!(wait_until(T, || srv.state("template") == "running"));
    // Params survive a stop/start.
    assert_eq!(srv.status("template")["params"]["every"], json!(1));
    srv.stop();
}

#[test]
fn reload_restarts_on_the_file_and_shutdown_ends_the_server() {
    let feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        install(&plugin("template_robot"), dir, "libtemplate_robot.so");
    });
    assert!(wait_until(T, || srv.state("template") == "running"));
    let gen = srv.status("template")["generation"].as_u64().unwrap();
    assert_eq!(
        srv.ok(json!({"cmd": "reload", "robot": "template"})),
        json!({"reloading": ["template"]})
    );
    assert!(wait_until(T, || {
        let s = srv.status("template");
        s["generation"].as_u64().unwrap() > gen && s["state"]["state"] == "running"
    }));
    // A reload that cannot load keeps the running robot and says why.
    std::fs::write(srv.plugins.path().join("libtemplate_robot.so"), b"garbage").unwrap();
    let reply = srv.ctl(json!({"cmd": "reload", "robot": "template"}));
    assert_eq!(error_code(&reply), "plugin_error");
    assert_eq!(srv.state("template"), "running");

    assert_eq!(srv.ok(json!({"cmd": "shutdown"})), json!("shutting down"));
    let handle = srv.handle.take().unwrap();
    let (done_tx, done_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        handle.wait();
        let _ = done_tx.send(());
    });
    assert!(done_rx.recv_timeout(T).is_ok(), "server did not shut down");
}
