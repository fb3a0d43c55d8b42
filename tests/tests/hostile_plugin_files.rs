//! No file in the plugin folder, whatever its content, can crash the server or keep it from
//! starting: truncated builds, zero-filled and empty files, text; each is refused with the
//! reason in `list`, and the robots already running go on. A relative `--plugins` folder
//! hot-swaps and removes like an absolute one.

use robofleet::control::client::ControlClient;
use robofleet::plugin::probe::{check_elf, probe_in_child};
use robofleet::server::zmq_context;
use robofleet_tests::*;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

/// The first `len` bytes of `good`, written to `dir/name` (a copy cut short).
fn cut(good: &Path, len: usize, dir: &Path, name: &str) {
    let bytes = std::fs::read(good).unwrap();
    std::fs::write(dir.join(name), &bytes[..len.min(bytes.len())]).unwrap();
}

/// Write aside, then rename into place: the way a build is dropped in.
fn drop_in(bytes: &[u8], dir: &Path, name: &str) {
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, dir.join(name)).unwrap();
}

fn refused(srv: &mut TestServer) -> Vec<(String, String)> {
    let list = srv.ok(json!({"cmd": "list"}));
    list["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let file = r["file"].as_str().unwrap();
            let name = Path::new(file).file_name().unwrap().to_string_lossy();
            (name.into_owned(), r["error"].as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn truncated_zeroed_and_text_files_are_refused_with_reasons_and_the_fleet_runs_on() {
    let good = plugin("ma_cross");
    let size = std::fs::metadata(&good).unwrap().len() as usize;
    let feed = Feed::new();
    // A truncated build already in the folder at start must not keep the server down.
    let mut srv = TestServer::start(&feed.endpoint, |dir| {
        install(&plugin("template_robot"), dir, "libtemplate_robot.so");
        cut(&good, 4096, dir, "libcut_at_start.so");
    });
    assert!(wait_until(T, || srv.state("template") == "running"));
    let generation = srv.status("template")["generation"].clone();

    let bytes = std::fs::read(&good).unwrap();
    let mut expected: Vec<(String, &str)> = vec![("libcut_at_start.so".into(), "file too short")];
    for len in [64, 100, 4096, 65_536, size / 2, size - 1] {
        let name = format!("libcut_{len}.so");
        drop_in(&bytes[..len], srv.plugins.path(), &name);
        expected.push((name, "file too short"));
    }
    drop_in(&vec![0u8; 65_536], srv.plugins.path(), "libzeros.so");
    expected.push(("libzeros.so".into(), "invalid ELF header"));
    drop_in(b"", srv.plugins.path(), "libempty.so");
    expected.push(("libempty.so".into(), "file too short"));
    drop_in(b"not a library\n", srv.plugins.path(), "notes.so");
    expected.push(("notes.so".into(), "file too short"));

    let mut got = Vec::new();
    let all_refused = wait_until(T, || {
        got = refused(&mut srv);
        expected
            .iter()
            .all(|(f, _)| got.iter().any(|(g, _)| g == f))
    });
    assert!(all_refused, "not all refused: {got:?}");
    for (file, words) in &expected {
        let (_, reason) = got.iter().find(|(g, _)| g == file).unwrap();
        assert!(
            reason.contains("not a loadable library") && reason.contains(words),
            "{file}: expected the loader's reason {words:?}, got {reason:?}"
        );
    }

    // A truncated build renamed over the running robot's file: refused, the old build runs on.
    drop_in(
        &bytes[..size / 3],
        srv.plugins.path(),
        "libtemplate_robot.so",
    );
    assert!(
        wait_until(T, || refused(&mut srv)
            .iter()
            .any(|(f, _)| f == "libtemplate_robot.so")),
        "the truncated replacement was not refused"
    );
    let status = srv.status("template");
    assert_eq!(status["state"]["state"], "running", "{status}");
    assert_eq!(status["generation"], generation, "the robot was restarted");
    assert_eq!(srv.list_names(), vec!["template".to_string()]);
    srv.stop();
}

#[test]
fn the_elf_check_finds_every_truncation_of_a_real_build() {
    let bytes = std::fs::read(plugin("ma_cross")).unwrap();
    assert_eq!(check_elf(&bytes), Ok(()));
    // Cut anywhere past the ELF header: the check must see the library is incomplete.
    let step = (bytes.len() / 97).max(1);
    for len in (64..bytes.len()).step_by(step).chain([bytes.len() - 1]) {
        let reason = check_elf(&bytes[..len])
            .err()
            .unwrap_or_else(|| panic!("a build cut at {len} of {} passed", bytes.len()));
        assert!(reason.contains("file too short"), "{len}: {reason}");
    }
}

#[test]
fn a_loader_crash_in_the_child_probe_is_a_refusal_not_a_crash() {
    let exe = target_dir().join("robofleet");
    let dir = tempfile::tempdir().unwrap();
    let good = plugin("ma_cross");
    // Straight to the child, past the ELF check: its dlopen faults on this file.
    cut(&good, 4096, dir.path(), "cut.so");
    let cut_path = dir.path().join("cut.so");
    let err = probe_in_child(&exe, Path::new("plugins/libcut.so"), &cut_path)
        .expect_err("a truncated build passed the child probe")
        .to_string();
    assert!(
        err.starts_with("plugins/libcut.so: ") && err.contains("crashed the loader (SIGBUS"),
        "{err}"
    );
    // The loader's own words come back from the child.
    std::fs::write(dir.path().join("zeros.so"), vec![0u8; 4096]).unwrap();
    let err = probe_in_child(&exe, Path::new("z.so"), &dir.path().join("zeros.so"))
        .expect_err("zeros passed")
        .to_string();
    assert_eq!(err, "z.so: not a loadable library: invalid ELF header");
    // A good build passes.
    probe_in_child(&exe, &good, &good).expect("a good build is refused");
    // A probe executable that cannot start is a refusal with its reason.
    let err = probe_in_child(&dir.path().join("missing"), &good, &good)
        .expect_err("no probe executable")
        .to_string();
    assert!(err.contains("cannot start the plugin check"), "{err}");
}

fn ctl(client: &mut ControlClient, req: Value) -> Value {
    client.request(&req).unwrap_or(Value::Null)
}

#[test]
fn serve_with_a_relative_plugins_folder_swaps_and_removes_robots() {
    let work = tempfile::tempdir().unwrap();
    std::fs::create_dir(work.path().join("plugins")).unwrap();
    install(
        &plugin("template_robot"),
        &work.path().join("plugins"),
        "libtemplate_robot.so",
    );
    let control = format!("tcp://127.0.0.1:{}", free_port());
    let feed = format!("tcp://127.0.0.1:{}", free_port());
    let mut child = serve_command(Path::new("./plugins"), Path::new("./data"))
        .current_dir(work.path())
        .args(["--control", &control, "--feed", &feed, "--settle-ms", "100"])
        .spawn()
        .expect("start robofleet serve");
    let mut client = ControlClient::new(&zmq_context(), &control, Duration::from_secs(5));
    let status = |c: &mut ControlClient| ctl(c, json!({"cmd": "status", "robot": "template"}));
    assert!(
        wait_until(T, || status(&mut client)["result"]["state"]["state"]
            == "running"),
        "robot did not start"
    );
    let gen1 = status(&mut client)["result"]["generation"]
        .as_u64()
        .unwrap();

    // Replaced: the robot restarts on the new build; nothing is refused.
    install(
        &plugin("template_robot"),
        &work.path().join("plugins"),
        "libtemplate_robot.so",
    );
    assert!(
        wait_until(T, || {
            let s = status(&mut client)["result"].clone();
            s["generation"].as_u64().unwrap_or(0) > gen1 && s["state"]["state"] == "running"
        }),
        "not restarted: {}",
        ctl(&mut client, json!({"cmd": "list"}))
    );
    let list = ctl(&mut client, json!({"cmd": "list"}));
    assert_eq!(list["result"]["refused"], json!([]), "{list}");

    // Removed: the robot stops and leaves the fleet.
    std::fs::remove_file(work.path().join("plugins/libtemplate_robot.so")).unwrap();
    assert!(
        wait_until(T, || ctl(&mut client, json!({"cmd": "list"}))["result"]
            ["robots"]
            == json!([])),
        "robot still listed after its file was removed"
    );
    let _ = ctl(&mut client, json!({"cmd": "shutdown"}));
    let mut exited = false;
    wait_until(T, || {
        exited = child.try_wait().ok().flatten().is_some();
        exited
    });
    if !exited {
        let _ = child.kill();
    }
}

#[test]
fn the_elf_check_survives_corrupted_headers() {
    // Random bytes written over the headers of a real build: an answer every time, never a
    // panic (goblin reads offsets and counts from the file itself).
    let good = std::fs::read(plugin("template_robot")).unwrap();
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut bytes = good.clone();
    let mut refused = 0;
    for _ in 0..300 {
        let mut changed = Vec::new();
        for _ in 0..1 + next() % 8 {
            let at = (next() % 4096) as usize % bytes.len();
            changed.push(at);
            bytes[at] = next() as u8;
        }
        refused += usize::from(check_elf(&bytes).is_err());
        for at in changed {
            bytes[at] = good[at];
        }
    }
    // Some corruptions are harmless to the check (padding, names): not every one is refused.
    assert!(refused > 0, "no corruption of the headers was noticed");
}
