//! `robofleet new NAME` makes a robot crate outside this workspace that passes its own tests,
//! builds as it is, and trades once dropped into a server's plugin folder.

use robofleet_tests::*;
use serde_json::json;
use std::process::Command;
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

fn cargo(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    Command::new(cargo)
        .current_dir(dir)
        .args(args)
        // Its own target folder, kept between runs (the crate is the same each time).
        .env("CARGO_TARGET_DIR", target_dir().join("../scaffold"))
        .output()
        .expect("run cargo")
}

#[test]
fn a_scaffolded_robot_tests_builds_loads_and_trades() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().to_string_lossy().into_owned();
    let out = robofleet(&["new", "scaffold_bot", "--dir", &dir]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let root = work.path().join("scaffold_bot");
    for file in [
        "Cargo.toml",
        "Cargo.lock",
        "src/lib.rs",
        "src/tests.rs",
        "README.md",
    ] {
        assert!(root.join(file).is_file(), "{file} not written");
    }
    // Refused: the same name again, and a name that is not one.
    assert!(!robofleet(&["new", "scaffold_bot", "--dir", &dir])
        .status
        .success());
    assert!(!robofleet(&["new", "Bad-Name", "--dir", &dir])
        .status
        .success());

    // Its own tests (the harness from robofleet_api::testing), offline: the lock file pins
    // what this workspace already built with.
    let test = cargo(&root, &["test", "--offline"]);
    let text = String::from_utf8_lossy(&test.stdout);
    assert!(
        test.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&test.stderr)
    );
    assert!(
        text.contains("default_acts_on_every_tenth_quote ... ok"),
        "the robot's unit tests did not run: {text}"
    );
    let build = cargo(&root, &["build", "--offline"]);
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    let so = target_dir().join("../scaffold/debug/libscaffold_bot.so");

    let mut feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |d| install(&so, d, "libscaffold_bot.so"));
    assert!(
        wait_until(T, || srv.state("scaffold_bot") == "running"),
        "{}",
        srv.ok(json!({"cmd": "list"}))
    );
    assert!(wait_until(T, || {
        feed.quote("Si", 100_000.0, 100_001.0, 5);
        std::thread::sleep(Duration::from_millis(5));
        srv.orders("scaffold_bot")
            .as_array()
            .is_some_and(|o| o.iter().any(|o| o["client_id"] == "scaffold_bot-1"))
    }));
    srv.stop();
}
