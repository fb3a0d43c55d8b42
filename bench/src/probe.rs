//! The `latency_probe` robot in an in-process server, as `latency` and `mongo` (span 1) run
//! it: the plugin found beside this executable, installed into a temporary plugin folder,
//! a temporary data folder, a free loopback port for the feed.

use anyhow::{bail, Context};
use std::path::{Path, PathBuf};

/// The probe's robot name (from the plugin's `RobotInfo`): its plugin and config file names.
pub const ROBOT: &str = "latency_probe";

/// `--plugin`, or the probe built beside this executable (e.g. target/release).
pub fn find_plugin(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    let path = match given {
        Some(p) => p.to_path_buf(),
        None => {
            let exe = std::env::current_exe().context("cannot find this executable's path")?;
            let dir = exe
                .parent()
                .context("this executable's path has no folder")?;
            dir.join(format!(
                "{}latency_probe{}",
                std::env::consts::DLL_PREFIX,
                std::env::consts::DLL_SUFFIX
            ))
        }
    };
    if !path.is_file() {
        bail!(
            "the latency_probe plugin is not at {}: build it with `cargo build --release \
             --workspace` (it lands beside target/release/robofleet-bench), or pass --plugin PATH",
            path.display()
        );
    }
    Ok(path)
}

/// A temporary plugin folder and data folder, removed on drop.
pub struct TempDirs {
    root: PathBuf,
    pub plugins: PathBuf,
    pub data: PathBuf,
}

impl TempDirs {
    /// Under the temp dir, `PREFIX-<pid>-<wall ns>`: each bench names its own, so a leftover
    /// folder says which bench left it.
    pub fn new(prefix: &str) -> anyhow::Result<TempDirs> {
        let root = std::env::temp_dir().join(format!(
            "{prefix}-{}-{}",
            std::process::id(),
            robofleet::clock::wall_ns()
        ));
        let plugins = root.join("plugins");
        let data = root.join("data");
        for d in [&plugins, &data] {
            std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
        }
        // The feed is stamped with the wall clock: the symbols trade at every hour here.
        let tick = |s: &str| s.parse().expect("a tick");
        let specs = [
            robofleet::instruments::always_open(SYMBOL, tick("0.01")),
            robofleet::instruments::always_open("Si", tick("1")),
            robofleet::instruments::always_open("RTS", tick("10")),
        ];
        let registry = data.join(robofleet::instruments::FILE_NAME);
        std::fs::write(&registry, robofleet::instruments::to_toml(&specs))
            .with_context(|| format!("cannot write {}", registry.display()))?;
        Ok(TempDirs {
            root,
            plugins,
            data,
        })
    }
}

impl Drop for TempDirs {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.root) {
            tracing::warn!("cannot remove {}: {e}", self.root.display());
        }
    }
}

/// Config first, then the plugin: written aside and renamed into place, as a trader should.
/// `cancel_every` 0 writes no config, so the probe runs on its default (never cancel).
pub fn install(plugin: &Path, dir: &Path, cancel_every: u64) -> anyhow::Result<()> {
    if cancel_every > 0 {
        let toml = format!("[params]\ncancel_every = {cancel_every}\n");
        let path = dir.join(format!("{ROBOT}.toml"));
        std::fs::write(&path, toml).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let tmp = dir.join(format!(".{ROBOT}.so.tmp"));
    std::fs::copy(plugin, &tmp)
        .with_context(|| format!("cannot copy {} to {}", plugin.display(), tmp.display()))?;
    let dest = dir.join(format!("{ROBOT}.so"));
    std::fs::rename(&tmp, &dest)
        .with_context(|| format!("cannot rename the plugin to {}", dest.display()))?;
    Ok(())
}

/// A free TCP port on loopback (bind port 0, read it, let it go).
pub fn free_port() -> anyhow::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").context("no free loopback port")?;
    Ok(l.local_addr().context("loopback port")?.port())
}

/// The symbol the probe trades, and the feed's only one.
pub const SYMBOL: &str = "BENCH";
/// How long the feed waits for the server's subscription before it starts publishing.
pub const SUBSCRIBER_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// The synthetic feed the probe is measured on: quotes only (the probe places one order per
/// quote and ignores trades), `rate` a second, each stamped with its send time.
pub fn spawn_quote_feed(
    endpoint: &str,
    rate: f64,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<Result<robofleet::feed::FeedStats, robofleet::feed::FeedError>> {
    use robofleet::feed::{self, FeedOptions, FeedSource, SyntheticConfig};
    let mut opts = FeedOptions::new(FeedSource::Synthetic(SyntheticConfig {
        symbols: vec![SYMBOL.to_string()],
        rate_per_sec: rate,
        seed: 1,
        trade_ratio: 0.0,
        limit: None,
        start_ts: None,
    }));
    opts.endpoint = endpoint.to_string();
    opts.stamp_sent = true;
    opts.wait_for_subscriber = Some(SUBSCRIBER_WAIT);
    feed::spawn_feed(robofleet::server::zmq_context(), opts, stop)
}

/// Wait until `server` runs the probe robot; fail at once if it failed or its plugin was
/// refused, and after `timeout` otherwise.
pub fn wait_running(
    server: &robofleet::server::ServerHandle,
    timeout: std::time::Duration,
) -> anyhow::Result<std::sync::Arc<robofleet::robot::RobotShared>> {
    use robofleet::robot::RobotState;
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if let Some(robot) = server.registry.get(ROBOT) {
            match robot.state() {
                RobotState::Running => return Ok(robot),
                RobotState::Failed(why) => bail!("the {ROBOT} robot failed: {why}"),
                _ => {}
            }
        }
        if let Some((file, why)) = server.registry.refused().into_iter().next() {
            bail!("the server refused the plugin {file}: {why}");
        }
        if std::time::Instant::now() >= deadline {
            bail!("the {ROBOT} robot was not running after {timeout:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
