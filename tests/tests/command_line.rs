//! The README's commands, as a user runs them: the real `robofleet` binary for `demo`,
//! `ctl` and `feed`, against real sockets.

use robofleet_tests::*;
use serde_json::{json, Value};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

fn endpoint() -> String {
    format!("tcp://127.0.0.1:{}", free_port())
}

/// `robofleet ctl --control E ARGS...`: exit code and the JSON reply it printed.
fn ctl(control: &str, args: &[&str]) -> (i32, Value) {
    ctl_with("--control", control, args)
}

/// The same, naming the control socket's flag (`--control`, or its alias `--endpoint`).
fn ctl_with(flag: &str, control: &str, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["ctl", flag, control, "--timeout-ms", "2000"];
    all.extend_from_slice(args);
    let out = robofleet(&all);
    let reply = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), reply)
}

fn demo(data: &std::path::Path, control: &str, secs: u64) -> Child {
    Command::new(target_dir().join("robofleet"))
        .args(["demo", "--every", "1", "--duration", &secs.to_string()])
        .arg("--data")
        .arg(data)
        .args(["--control", control, "--feed", &endpoint()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start robofleet demo")
}

fn status(control: &str, robot: &str) -> Value {
    ctl(control, &["status", robot]).1["result"].clone()
}

#[test]
fn demo_trades_and_is_steered_with_ctl_and_a_second_run_starts_fresh() {
    let data = tempfile::tempdir().unwrap();
    let control = endpoint();
    let child = demo(data.path(), &control, 6);
    assert!(
        wait_until(T, || {
            let (code, reply) = ctl(&control, &["list"]);
            code == 0
                && reply["result"]["robots"]
                    .as_array()
                    .is_some_and(|r| r.len() >= 4)
        }),
        "the demo fleet did not come up"
    );
    let (code, reply) = ctl(&control, &["set-params", "ma_si", "fast=3", "slow=12"]);
    assert_eq!(code, 0, "{reply}");
    assert_eq!(reply["result"]["fast"], json!(3), "{reply}");
    assert!(wait_until(T, || status(&control, "ma_si")["params"]
        ["slow"]
        == json!(12)));
    // A malformed request through the client: an error reply and exit code 1.
    let (code, reply) = ctl(&control, &["pause", "no_such_robot"]);
    assert_eq!((code, reply["ok"].clone()), (1, json!(false)), "{reply}");
    assert!(wait_until(T, || {
        let (_, orders) = ctl(&control, &["orders", "--limit", "5"]);
        orders["result"]["orders"]
            .as_array()
            .is_some_and(|o| !o.is_empty() && o.len() <= 5)
    }));

    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for robot in ["ma_si", "ma_rts", "market_maker", "template"] {
        assert!(
            stdout.contains(robot),
            "{robot} missing from the summary:\n{stdout}"
        );
    }
    assert!(
        stdout.contains("dropped at the high-water mark"),
        "{stdout}"
    );

    // Again on the same folder: store and journals start fresh together, so no robot is
    // rebuilt from a journal whose orders the new store has never seen.
    let control = endpoint();
    let child = demo(data.path(), &control, 5);
    for robot in ["ma_si", "market_maker", "template"] {
        assert!(
            wait_until(T, || status(&control, robot)["state"]["state"] == "running"),
            "{robot} did not start"
        );
        assert_eq!(
            status(&control, robot)["recovery"],
            json!("fresh"),
            "{robot}"
        );
    }
    assert!(child.wait_with_output().unwrap().status.success());
}

#[test]
fn feed_command_publishes_a_synthetic_walk_that_reaches_a_robot() {
    let feed = endpoint();
    let mut srv = TestServer::start(&feed, |dir| {
        std::fs::write(
            dir.join("libtemplate_robot.toml"),
            "params = { every = 1 }\n",
        )
        .unwrap();
        install(&plugin("template_robot"), dir, "libtemplate_robot.so");
    });
    assert!(wait_until(T, || srv.state("template") == "running"));
    let out = robofleet(&[
        "feed",
        "--synthetic",
        "--endpoint",
        &feed,
        "--symbols",
        "Si",
        "--rate",
        "500",
        "--count",
        "300",
        "--wait-subscriber-ms",
        "5000",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(wait_until(T, || {
        srv.orders("template")
            .as_array()
            .is_some_and(|o| !o.is_empty())
    }));
    let stats = srv.ok(json!({"cmd": "stats"}));
    assert_eq!(stats["market_data"]["garbage"], json!(0), "{stats}");
    assert_eq!(stats["market_data"]["dropped"], json!(0), "{stats}");
    srv.stop();
}

#[test]
fn serve_stops_gracefully_on_sigterm_and_its_robots_end_cleanly() {
    let (plugins, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    install(
        &plugin("template_robot"),
        plugins.path(),
        "libtemplate_robot.so",
    );
    let control = endpoint();
    let mut child = serve_command(plugins.path(), data.path())
        .args(["--control", &control, "--feed", &endpoint()])
        .spawn()
        .expect("start robofleet serve");
    assert!(wait_until(T, || status(&control, "template")["state"]
        ["state"]
        == "running"));
    // What a service manager sends to stop a service.
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut exit = None;
    assert!(wait_until(T, || {
        exit = child.try_wait().unwrap();
        exit.is_some()
    }));
    let exit = exit.unwrap();
    assert_eq!(exit.code(), Some(0), "not a clean exit: {exit:?}");
    // The robot ended cleanly: its next start is a resume of a graceful end, so the
    // journal's last record is an End (a kill would leave none).
    let build = plugin("template_robot");
    let (code, report) = replay_report(
        &data.path().join("journal"),
        "template",
        // Report only: results written to the default folder would land in tests/.
        &["--plugin", &build.to_string_lossy(), "--no-write"],
    );
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["ends_checked"], json!(1), "{report}");
}

/// The control socket is `--control` on both ends, and `--endpoint` (its older name on
/// `ctl`) still works on both, as README.md and docs/control-protocol.md say.
#[test]
fn the_control_socket_is_named_control_on_serve_and_ctl_and_endpoint_still_works() {
    let (plugins, data) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    install(
        &plugin("template_robot"),
        plugins.path(),
        "libtemplate_robot.so",
    );
    let control = endpoint();
    let mut child = KillOnDrop(
        serve_command(plugins.path(), data.path())
            .args(["--endpoint", &control, "--feed", &endpoint()])
            .spawn()
            .expect("start robofleet serve"),
    );
    // The robot loads once its file has settled; until then `status` is unknown_robot.
    assert!(wait_until(T, || ctl(&control, &["status", "template"]).0 == 0));
    let (code, reply) = ctl_with("--endpoint", &control, &["status", "template"]);
    assert_eq!((code, &reply["result"]["name"]), (0, &json!("template")));
    let (code, reply) = ctl(&control, &["shutdown"]);
    assert_eq!((code, &reply["result"]), (0, &json!("shutting down")));
    assert!(wait_until(T, || child.0.try_wait().unwrap().is_some()));
}

/// A server process that a failing assertion must not leave running.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn benchmarks_live_in_their_own_binary_not_in_the_product() {
    // `robofleet` ships without them; `robofleet-bench` has every one BENCHMARKS.md runs.
    let out = robofleet(&["bench", "latency"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "robofleet still has a bench command"
    );
    let help = robofleet(&["--help"]);
    assert!(!String::from_utf8_lossy(&help.stdout).contains("bench"));
    let bench = Command::new(target_dir().join("robofleet-bench"))
        .arg("--help")
        .output()
        .expect("run robofleet-bench");
    let text = String::from_utf8_lossy(&bench.stdout);
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../BENCHMARKS.md"))
        .expect("BENCHMARKS.md");
    for sub in ["latency", "journal", "replay", "mongo"] {
        assert!(text.contains(sub), "robofleet-bench has no {sub}: {text}");
        assert!(
            doc.contains(&format!("robofleet-bench {sub}")),
            "BENCHMARKS.md runs no `robofleet-bench {sub}`"
        );
    }
}
