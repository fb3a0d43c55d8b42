//! A robot's panic is reported at once, even with `RUST_BACKTRACE=1` in the server's
//! environment (where the default panic hook would first symbolize a backtrace of the whole
//! binary on the robot's thread, for seconds); the backtrace follows in the log.

use robofleet::control::client::ControlClient;
use robofleet::server::zmq_context;
use robofleet_tests::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const T: Duration = Duration::from_secs(30);

#[test]
fn a_panic_marks_the_robot_failed_at_once_and_its_backtrace_follows_in_the_log() {
    let work = tempfile::tempdir().unwrap();
    let plugins = work.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    install(&plugin("panicky"), &plugins, "libpanicky.so");
    let log_path = work.path().join("serve.log");
    let control = format!("tcp://127.0.0.1:{}", free_port());
    let feed = format!("tcp://127.0.0.1:{}", free_port());
    let mut child = serve_command(&plugins, &work.path().join("data"))
        .args(["--control", &control, "--feed", &feed])
        .env("RUST_BACKTRACE", "1")
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .expect("start robofleet serve");
    let mut client = ControlClient::new(&zmq_context(), &control, Duration::from_secs(5));
    let mut status = || {
        client
            .request(&json!({"cmd": "status", "robot": "panicky"}))
            .map(|r| r["result"].clone())
            .unwrap_or(Value::Null)
    };
    assert!(wait_until(T, || status()["state"]["state"] == "running"));
    let mut client2 = ControlClient::new(&zmq_context(), &control, Duration::from_secs(5));
    let asked = Instant::now();
    let reply = client2
        .request(&json!({"cmd": "command", "robot": "panicky", "name": "boom"}))
        .unwrap();
    assert_eq!(reply["ok"], json!(true), "{reply}");
    let mut failed = Value::Null;
    while asked.elapsed() < T {
        let s = status();
        if s["state"]["state"] == "failed" {
            failed = s;
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let took = asked.elapsed();
    assert_eq!(failed["state"]["state"], "failed", "never failed");
    // Before the fix this took 11-19 s (the backtrace came first); the goal is under 100 ms.
    // The bound leaves room for a loaded machine; the time is printed for the record.
    println!("panic to failed status: {took:?}");
    assert!(took < Duration::from_secs(1), "failed only after {took:?}");
    let detail = failed["state"]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("panicky robot exploded on purpose") && detail.contains("src/lib.rs:"),
        "the message and where it happened: {failed}"
    );
    // The backtrace, resolved off the robot's thread, arrives in the log afterwards.
    let mut log = String::new();
    let resolved = wait_until(T, || {
        log = std::fs::read_to_string(&log_path).unwrap_or_default();
        log.contains("robot panic backtrace") && log.contains("on_event")
    });
    let _ = client2.request(&json!({"cmd": "shutdown"}));
    if !wait_until(T, || child.try_wait().ok().flatten().is_some()) {
        let _ = child.kill();
    }
    assert!(resolved, "no resolved backtrace in the log:\n{log}");
    // The default hook's own backtrace print never ran.
    assert!(!log.contains("stack backtrace:"), "{log}");
}
