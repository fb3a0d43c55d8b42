//! Checkpoints and journal retention, on the real server process with real robots trading:
//! a restart restores the latest trusted checkpoint and replays only what follows; kill -9
//! right after a checkpoint, a checkpoint cut off while being written and a corrupt one are
//! each passed over (and said so); archived segments replay as they are, and a journal whose
//! start retention deleted replays from its oldest checkpoint.

use robofleet::control::client::ControlClient;
use robofleet::journal::checkpoint;
use robofleet::server::zmq_context;
use robofleet_tests::*;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const ROBOT: &str = "market_maker";

/// A plugin folder with the market maker, a data folder, and a feed that keeps quoting.
struct Fleet {
    plugins: tempfile::TempDir,
    data: tempfile::TempDir,
    control: String,
    feed_endpoint: String,
    stop_feed: Arc<AtomicBool>,
    feeder: Option<JoinHandle<()>>,
    client: ControlClient,
    args: Vec<String>,
}

impl Fleet {
    fn new(args: &[&str]) -> Fleet {
        let plugins = tempfile::tempdir().unwrap();
        install(&plugin(ROBOT), plugins.path(), "libmarket_maker.so");
        let control = format!("tcp://127.0.0.1:{}", free_port());
        let mut feed = Feed::new();
        let feed_endpoint = feed.endpoint.clone();
        let stop_feed = Arc::new(AtomicBool::new(false));
        let stop = stop_feed.clone();
        let feeder = std::thread::spawn(move || {
            let mut seed = 7;
            while !stop.load(Ordering::Relaxed) {
                seed += 1;
                random_walk(
                    &mut feed,
                    &[("Si", 90_000.0)],
                    20,
                    seed,
                    Duration::from_millis(1),
                );
            }
        });
        let client = ControlClient::new(&zmq_context(), &control, Duration::from_secs(2));
        Fleet {
            plugins,
            data: tempfile::tempdir().unwrap(),
            control,
            feed_endpoint,
            stop_feed,
            feeder: Some(feeder),
            client,
            args: args.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn journal(&self) -> PathBuf {
        self.data.path().join("journal")
    }

    fn robot_dir(&self) -> PathBuf {
        self.journal().join(ROBOT)
    }

    /// Start the server and wait until the robot runs.
    fn serve(&mut self) -> Child {
        let child = serve_command(self.plugins.path(), self.data.path())
            .args(["--control", &self.control, "--feed", &self.feed_endpoint])
            .args(["--settle-ms", "50"])
            .args(&self.args)
            .spawn()
            .expect("start robofleet serve");
        assert!(
            wait_until(Duration::from_secs(30), || self.status()["state"]["state"]
                == json!("running")),
            "the robot runs"
        );
        child
    }

    fn status(&mut self) -> Value {
        self.client
            .request(&json!({"cmd": "status", "robot": ROBOT}))
            .map(|r| r["result"].clone())
            .unwrap_or(Value::Null)
    }

    fn trusted_seq(&mut self) -> u64 {
        self.status()["checkpoints"]["trusted_seq"]
            .as_u64()
            .unwrap_or(0)
    }

    fn shutdown(&mut self, mut child: Child) {
        let reply = self.client.request(&json!({"cmd": "shutdown"})).unwrap();
        assert_eq!(reply["ok"], json!(true), "{reply}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(child.try_wait().ok().flatten().is_some_and(|s| s.success()));
    }

    /// `robofleet replay` of the robot's journal: its report, which must be identical.
    fn replay_identical(&self) -> Value {
        self.stop_feed.store(true, Ordering::Relaxed);
        let so = plugin(ROBOT).to_string_lossy().to_string();
        let (code, r) = replay_report(&self.journal(), ROBOT, &["--plugin", &so, "--no-write"]);
        assert_eq!(code, 0, "{r:#}");
        assert_eq!(r["identical"], json!(true), "{r:#}");
        r
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        self.stop_feed.store(true, Ordering::Relaxed);
        if let Some(f) = self.feeder.take() {
            let _ = f.join();
        }
    }
}

/// "checkpoint 00000007 at event #1234, then 56 events replayed": (checkpoint, replayed).
fn restored_from(recovery: &str) -> Option<(u64, u64)> {
    let rest = recovery.split("checkpoint ").nth(1)?;
    let no = rest.get(..8)?.parse().ok()?;
    let replayed = recovery
        .split("then ")
        .nth(1)?
        .split(' ')
        .next()?
        .parse()
        .ok()?;
    Some((no, replayed))
}

/// The kept checkpoint files' numbers, oldest first.
fn checkpoint_files(dir: &Path) -> Vec<u64> {
    let mut out: Vec<u64> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".rfc")?.parse().ok()
        })
        .collect();
    out.sort();
    out
}

fn files_ending(dir: &Path, suffix: &str) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(suffix))
        .count()
}

#[test]
fn restart_goes_on_from_a_checkpoint_and_passes_over_a_cut_off_or_corrupt_one() {
    let mut fleet = Fleet::new(&["--checkpoint-events", "150", "--checkpoints-kept", "2"]);

    // 1. kill -9 right after a checkpoint was confirmed.
    let child = fleet.serve();
    assert!(
        wait_until(Duration::from_secs(60), || fleet.trusted_seq() >= 1200),
        "checkpoints are taken and confirmed: {:#}",
        fleet.status()
    );
    let before = fleet.trusted_seq();
    assert!(wait_until(Duration::from_secs(30), || fleet.trusted_seq() > before));
    let mut child = child;
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    let child = fleet.serve();
    let status = fleet.status();
    let recovery = status["recovery"].as_str().unwrap_or_default().to_string();
    eprintln!("after kill -9: {recovery}");
    let (no, replayed) = restored_from(&recovery).unwrap_or_else(|| panic!("{recovery}"));
    assert!(no > 1, "{recovery}");
    // Only what followed the checkpoint (at most the one not yet confirmed, and the rest).
    assert!(replayed < 600, "{recovery}");
    assert!(!recovery.contains("unusable"), "{recovery}");
    let dir = fleet.robot_dir();
    assert!(files_ending(&dir, ".rfj.zst") > 0, "old segments archived");
    fleet.shutdown(child);
    let files = checkpoint_files(&dir);
    let latest = *files.last().unwrap();
    assert_eq!(
        checkpoint::trusted(&dir),
        latest,
        "a graceful stop confirms its checkpoints"
    );

    // 2. Cut off while being written: the latest file half written, not yet renamed.
    let path = checkpoint::file_path(&dir, latest);
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(path.with_extension("rfc.tmp"), &bytes[..bytes.len() / 2]).unwrap();
    std::fs::remove_file(&path).unwrap();
    std::fs::write(dir.join("trusted"), format!("{}\n", files[files.len() - 2])).unwrap();
    let child = fleet.serve();
    let recovery = fleet.status()["recovery"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    eprintln!("cut off: {recovery}");
    let (no, _) = restored_from(&recovery).unwrap_or_else(|| panic!("{recovery}"));
    assert_eq!(no, files[files.len() - 2], "{recovery}");
    assert!(
        recovery.contains(&format!("checkpoint {latest:08} set aside")),
        "{recovery}"
    );
    // Two more confirmed, so an earlier one is kept to fall back to below.
    let from = fleet.trusted_seq();
    assert!(wait_until(Duration::from_secs(60), || fleet.trusted_seq()
        >= from + 300));
    fleet.shutdown(child);

    // 3. Corrupt: a byte of the latest trusted file flipped.
    let files = checkpoint_files(&dir);
    let latest = *files.last().unwrap();
    assert_eq!(checkpoint::trusted(&dir), latest);
    let path = checkpoint::file_path(&dir, latest);
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x55;
    std::fs::write(&path, bytes).unwrap();
    let child = fleet.serve();
    let recovery = fleet.status()["recovery"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    eprintln!("corrupt: {recovery}");
    assert!(
        recovery.contains(&format!("checkpoint {latest:08} unusable"))
            && recovery.contains("damaged"),
        "{recovery}"
    );
    let (no, _) = restored_from(&recovery).unwrap_or_else(|| panic!("{recovery}"));
    assert!(no < latest, "{recovery}");
    assert!(
        path.with_extension("rfc.bad").is_file(),
        "set aside for analysis"
    );
    fleet.shutdown(child);

    // Every run replays identically, the archived segments read as they are.
    let r = fleet.replay_identical();
    eprintln!("replay: {r}");
    assert!(r["checkpoints_checked"].as_u64().unwrap() >= 8, "{r:#}");
    assert_eq!(r["started_from_checkpoint"], Value::Null);
    assert!(r["runs"].as_u64().unwrap() >= 1, "{r:#}");
}

#[test]
fn a_journal_whose_start_was_deleted_replays_from_its_oldest_checkpoint() {
    let mut fleet = Fleet::new(&[
        "--checkpoint-events",
        "150",
        "--checkpoints-kept",
        "1",
        "--journal-retention",
        "delete",
    ]);
    let child = fleet.serve();
    assert!(wait_until(Duration::from_secs(60), || fleet.trusted_seq() >= 900));
    fleet.shutdown(child);
    let dir = fleet.robot_dir();
    assert!(
        !dir.join("00000001.rfj").exists(),
        "the first segment was deleted"
    );
    assert_eq!(files_ending(&dir, ".rfj.zst"), 0, "nothing archived");
    let r = fleet.replay_identical();
    let oldest = checkpoint_files(&dir)[0];
    assert_eq!(r["started_from_checkpoint"], json!(oldest), "{r:#}");
    assert!(r["events_replayed"].as_u64().unwrap() > 0, "{r:#}");
}
