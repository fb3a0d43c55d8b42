//! Shared support for the end-to-end tests: the real server started in-process, real
//! ZeroMQ sockets, real plugins built from `plugins/` and `tests/fixtures/`.
//!
//! Plugins are built by `scripts/test.sh` (`cargo build --workspace` plus the separate
//! panic=abort fixture) before `cargo test` runs.

pub mod doc_shapes;
pub mod mongo;
pub mod orders;

use robofleet::control::client::ControlClient;
use robofleet::market::{self, MarketData, MarketKind};
use robofleet::server::{self, zmq_context, ServeConfig, ServerHandle};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// `target/debug` (the folder holding the test binary's `deps/`).
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent()
        .and_then(|deps| deps.parent())
        .expect("target dir")
        .to_path_buf()
}

/// A plugin built from this workspace, e.g. `plugin("ma_cross")` -> target/debug/libma_cross.so.
pub fn plugin(crate_name: &str) -> PathBuf {
    let path = if crate_name == "abort_plugin" {
        let profile = target_dir();
        let profile = profile
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or("debug")
            .to_string();
        target_dir().join(format!("../abort_plugin/{profile}/libabort_plugin.so"))
    } else {
        target_dir().join(format!("lib{crate_name}.so"))
    };
    assert!(
        path.exists(),
        "{} is not built: run scripts/test.sh, which builds the plugins first",
        path.display()
    );
    path
}

/// Copy a plugin into a folder the way a trader should: write aside, then rename into place.
pub fn install(plugin_path: &Path, dir: &Path, file_name: &str) {
    use std::os::unix::fs::PermissionsExt;
    let tmp = dir.join(format!(".{file_name}.tmp"));
    std::fs::copy(plugin_path, &tmp).expect("copy plugin");
    // Not writable by others, whatever the umask: the server refuses such a plugin.
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o644)).expect("chmod plugin");
    std::fs::rename(&tmp, dir.join(file_name)).expect("rename plugin into place");
}

/// A free TCP port on loopback, for a server a test starts on it.
///
/// Taken below the kernel's ephemeral range (32768-60999 on Linux), where an outgoing
/// connection of a test running beside this one could take it before the server binds it
/// (a port 0 bind hands out exactly such a port), and never the same twice in one process.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const FIRST: u32 = 12_000;
    const SPAN: u32 = 20_000;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    // Each test process starts at its own place in the span.
    let start = std::process::id().wrapping_mul(7_919) % SPAN;
    for _ in 0..SPAN {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = (FIRST + (start + n) % SPAN) as u16;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port in {FIRST}..{}", FIRST + SPAN);
}

/// A market data publisher on a real PUB socket.
pub struct Feed {
    socket: zmq::Socket,
    pub endpoint: String,
    ts: i64,
}

impl Feed {
    pub fn new() -> Feed {
        let socket = zmq_context().socket(zmq::PUB).expect("PUB socket");
        socket.set_sndhwm(100_000).expect("hwm");
        socket.set_linger(0).expect("linger");
        // ZeroMQ picks the port: a port found free and bound later can be taken between by
        // another test running beside this one.
        socket.bind("tcp://127.0.0.1:*").expect("bind feed");
        let endpoint = socket
            .get_last_endpoint()
            .expect("feed endpoint")
            .expect("feed endpoint is UTF-8");
        Feed {
            socket,
            endpoint,
            ts: 1_790_000_000_000_000_000,
        }
    }

    /// A quote; the prices are decimal literals in test code, made exact here.
    pub fn quote(&mut self, symbol: &str, bid: f64, ask: f64, size: i64) {
        self.ts += 1_000_000;
        let exact = |x: f64| robofleet_api::Price::from_f64(x).expect("a finite test price");
        self.send_md(&MarketData {
            symbol: symbol.into(),
            ts: self.ts,
            sent_ns: None,
            kind: MarketKind::Quote {
                bid: exact(bid),
                bid_size: size,
                ask: exact(ask),
                ask_size: size,
            },
        });
    }

    /// The timestamp of the last quote sent (quotes step 1 ms from a fixed start).
    pub fn last_ts(&self) -> i64 {
        self.ts
    }

    pub fn send_md(&self, md: &MarketData) {
        let frames = market::encode(md);
        self.socket.send_multipart(frames, 0).expect("publish");
    }

    pub fn send_raw(&self, frames: Vec<Vec<u8>>) {
        self.socket.send_multipart(frames, 0).expect("publish raw");
    }
}

impl Default for Feed {
    fn default() -> Self {
        Self::new()
    }
}

/// The test symbols, each traded every minute of every day (test feeds are stamped with the
/// wall clock, at any hour): `Si` (tick 1), `RTS` (tick 10), `BENCH` (tick 0.01).
pub fn test_instruments() -> Vec<robofleet_api::Instrument> {
    use robofleet::instruments::always_open;
    let p = |s: &str| s.parse().expect("a test tick");
    vec![
        always_open("Si", p("1")),
        always_open("RTS", p("10")),
        always_open("BENCH", p("0.01")),
    ]
}

/// Give a data folder the [`test_instruments`] registry, unless it has one already (a test
/// that wants the shipped MOEX specs writes them first).
pub fn write_test_instruments(data: &Path) {
    let path = data.join(robofleet::instruments::FILE_NAME);
    if !path.exists() {
        std::fs::create_dir_all(data).expect("data folder");
        let text = robofleet::instruments::to_toml(&test_instruments());
        std::fs::write(&path, text).expect("write instruments.toml");
    }
}

/// A server started in-process on temp folders, with a control client.
pub struct TestServer {
    pub handle: Option<ServerHandle>,
    pub plugins: tempfile::TempDir,
    pub data: tempfile::TempDir,
    pub client: ControlClient,
}

impl TestServer {
    /// Start with the given feed endpoint and plugins already in the folder via `setup`.
    pub fn start(feed_endpoint: &str, setup: impl FnOnce(&Path)) -> TestServer {
        let plugins = tempfile::tempdir().expect("tempdir");
        let data = tempfile::tempdir().expect("tempdir");
        setup(plugins.path());
        let cfg = TestServer::config(feed_endpoint, plugins.path(), data.path());
        let handle = server::start(cfg).expect("server starts");
        TestServer::with_folders(handle, plugins, data)
    }

    /// [`TestServer::start`], with `tweak` given the settings before the server starts.
    pub fn start_tweaked(
        feed_endpoint: &str,
        setup: impl FnOnce(&Path),
        tweak: impl FnOnce(&mut ServeConfig),
    ) -> TestServer {
        let plugins = tempfile::tempdir().expect("tempdir");
        let data = tempfile::tempdir().expect("tempdir");
        setup(plugins.path());
        let mut cfg = TestServer::config(feed_endpoint, plugins.path(), data.path());
        tweak(&mut cfg);
        let handle = server::start(cfg).expect("server starts");
        TestServer::with_folders(handle, plugins, data)
    }

    /// Start after `setup` has filled the plugin folder and the data folder (an
    /// `instruments.toml` it writes is the one the server runs on).
    pub fn start_with_data(feed_endpoint: &str, setup: impl FnOnce(&Path, &Path)) -> TestServer {
        let plugins = tempfile::tempdir().expect("tempdir");
        let data = tempfile::tempdir().expect("tempdir");
        setup(plugins.path(), data.path());
        let cfg = TestServer::config(feed_endpoint, plugins.path(), data.path());
        let handle = server::start(cfg).expect("server starts");
        TestServer::with_folders(handle, plugins, data)
    }

    /// The tests' settings: a free control port, `feed_endpoint`, a short settle time.
    pub fn config(feed_endpoint: &str, plugins: &Path, data: &Path) -> ServeConfig {
        write_test_instruments(data);
        let mut cfg = ServeConfig::new(plugins, data);
        cfg.control_endpoint = "tcp://127.0.0.1:*".into();
        cfg.feed_endpoint = feed_endpoint.into();
        cfg.settle = Duration::from_millis(100);
        cfg
    }

    /// Wrap a server started by the caller (on folders the caller keeps).
    pub fn from_handle(handle: ServerHandle) -> TestServer {
        let (plugins, data) = (tempfile::tempdir(), tempfile::tempdir());
        TestServer::with_folders(handle, plugins.expect("tempdir"), data.expect("tempdir"))
    }

    fn with_folders(
        handle: ServerHandle,
        plugins: tempfile::TempDir,
        data: tempfile::TempDir,
    ) -> TestServer {
        let client = ControlClient::new(
            &zmq_context(),
            handle.control_endpoint(),
            Duration::from_secs(10),
        );
        TestServer {
            handle: Some(handle),
            plugins,
            data,
            client,
        }
    }

    /// Send a request and return the whole reply.
    pub fn ctl(&mut self, request: Value) -> Value {
        self.client.request(&request).expect("control reply")
    }

    /// Send a request that must succeed; return its `result`.
    pub fn ok(&mut self, request: Value) -> Value {
        let reply = self.ctl(request.clone());
        assert_eq!(
            reply["ok"],
            json!(true),
            "request {request} failed: {reply}"
        );
        reply["result"].clone()
    }

    /// Every order of `robot`, oldest first, read a page at a time.
    pub fn orders(&mut self, robot: &str) -> Value {
        self.all_pages(json!({"cmd": "orders", "robot": robot}), "orders")
    }

    /// Every trade of `robot`, oldest first, read a page at a time.
    pub fn trades(&mut self, robot: &str) -> Value {
        self.all_pages(json!({"cmd": "trades", "robot": robot}), "trades")
    }

    /// Walk `request` forward from the start of time, following each page's `next`.
    fn all_pages(&mut self, mut request: Value, key: &str) -> Value {
        let mut all = Vec::new();
        request["after"] = json!(i64::MIN);
        request["limit"] = json!(1000);
        loop {
            let page = self.ok(request.clone());
            all.extend(
                page[key]
                    .as_array()
                    .expect("a page of items")
                    .iter()
                    .cloned(),
            );
            if page["more"] != json!(true) {
                return Value::Array(all);
            }
            request["after"] = page["next"].clone();
        }
    }

    pub fn status(&mut self, robot: &str) -> Value {
        self.ok(json!({"cmd": "status", "robot": robot}))
    }

    pub fn state(&mut self, robot: &str) -> String {
        let reply = self.ctl(json!({"cmd": "status", "robot": robot}));
        if reply["ok"] != json!(true) {
            return "absent".into();
        }
        reply["result"]["state"]["state"]
            .as_str()
            .unwrap_or("?")
            .to_string()
    }

    pub fn list_names(&mut self) -> Vec<String> {
        let list = self.ok(json!({"cmd": "list"}));
        list["robots"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r["name"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Stop the server and keep its data folder (journals, store) for a look afterwards.
    pub fn stop_keeping_data(mut self) -> tempfile::TempDir {
        let data = std::mem::replace(&mut self.data, tempfile::tempdir().expect("tempdir"));
        self.stop();
        data
    }

    pub fn stop(mut self) {
        if let Some(h) = self.handle.take() {
            h.shutdown();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(h) = self.handle.take() {
            h.shutdown();
        }
    }
}

/// Poll `cond` every 20 ms until it holds or `timeout` passes; returns whether it held.
pub fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The real `robofleet serve` on `plugins` and `data`, its output discarded; the caller adds
/// the control and feed endpoints (and anything else) before spawning it.
pub fn serve_command(plugins: &Path, data: &Path) -> std::process::Command {
    write_test_instruments(data);
    let mut cmd = std::process::Command::new(target_dir().join("robofleet"));
    cmd.arg("serve")
        .arg("--plugins")
        .arg(plugins)
        .arg("--data")
        .arg(data)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    cmd
}

/// Run the real `robofleet` binary to completion.
pub fn robofleet(args: &[&str]) -> std::process::Output {
    std::process::Command::new(target_dir().join("robofleet"))
        .args(args)
        .output()
        .expect("run the robofleet binary")
}

/// `robofleet replay --json ...` for one robot: exit code and its report.
pub fn replay_report(journal: &Path, robot: &str, args: &[&str]) -> (i32, Value) {
    // Results go beside the journal (a temp folder), never into the working directory.
    let data = journal
        .parent()
        .unwrap_or(journal)
        .to_string_lossy()
        .into_owned();
    let journal = journal.to_string_lossy();
    let mut all = vec!["replay", "--json", "--journal", &journal, "--robot", robot];
    if !args.contains(&"--data") {
        all.extend_from_slice(&["--data", &data]);
    }
    all.extend_from_slice(args);
    let out = robofleet(&all);
    let text = String::from_utf8_lossy(&out.stdout);
    let reports: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "replay printed no JSON ({e}): {text}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), reports[0].clone())
}

/// A deterministic random walk of quotes: `n` steps for each symbol, from `seed`.
pub fn random_walk(feed: &mut Feed, symbols: &[(&str, f64)], n: usize, seed: u64, pause: Duration) {
    let mut state = seed;
    let mut mids: Vec<f64> = symbols.iter().map(|(_, m)| *m).collect();
    for _ in 0..n {
        for (i, (symbol, start)) in symbols.iter().enumerate() {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let step = ((state >> 33) % 3) as f64 - 1.0;
            let tick = start / 1000.0;
            mids[i] = (mids[i] + step * tick).max(tick);
            feed.quote(
                symbol,
                mids[i] - tick / 2.0,
                mids[i] + tick / 2.0,
                1 + (state % 5) as i64,
            );
        }
        if !pause.is_zero() {
            std::thread::sleep(pause);
        }
    }
}

/// 3,000 rows of a seeded random walk of Si in the feed's CSV format, one every 100 ms, about
/// one in ten a trade print: the backtest tests' generated data.
pub fn write_si_walk(path: &Path) {
    let mut csv = String::from("ts,symbol,type,bid,bid_size,ask,ask_size,price,size\n");
    let mut x: u64 = 7;
    let mut mid: i64 = 100_000;
    for i in 0..3000i64 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        mid += (x >> 61) as i64 % 5 - 2;
        let ts = 1_793_602_800_000_000_000 + i * 100_000_000;
        if (x >> 40).is_multiple_of(10) {
            csv.push_str(&format!("{ts},Si,trade,,,,,{},3\n", mid + 1));
        } else {
            csv.push_str(&format!("{ts},Si,quote,{},5,{},5,,\n", mid - 1, mid + 1));
        }
    }
    std::fs::write(path, csv).expect("write the walk");
}

/// The exec ids of the fills a robot's journal (its folder) shows it was handed, in order.
/// The feed timestamps of the market records in a robot's journal, in the order it saw them.
pub fn journaled_ticks(dir: &Path) -> Vec<i64> {
    use robofleet::journal::{JournalReader, RecordKind};
    let mut ticks = Vec::new();
    let mut levels = Vec::new();
    JournalReader::open(dir)
        .expect("a robot journal")
        .walk(|rec| {
            if rec.kind == RecordKind::Market {
                let m = robofleet_api::abi::RfMarket::from_journal_body(rec.body, &mut levels)
                    .expect("a market record");
                ticks.push(m.ts);
            }
            std::ops::ControlFlow::Continue(())
        })
        .expect("a readable journal");
    ticks
}

pub fn journaled_fills(dir: &Path) -> Vec<String> {
    use robofleet::journal::{JournalReader, RecordKind};
    use robofleet_api::{Event, EventKind};
    let mut fills = Vec::new();
    JournalReader::open(dir)
        .expect("a robot journal")
        .walk(|rec| {
            if rec.kind == RecordKind::Event {
                if let Ok(Event {
                    kind: EventKind::Fill(f),
                    ..
                }) = rec.decode::<Event>()
                {
                    fills.push(f.exec_id);
                }
            }
            std::ops::ControlFlow::Continue(())
        })
        .expect("a readable journal");
    fills
}
