use anyhow::Context;
use robofleet::fleet::ManagerCmd;
use robofleet::gateway::throttle::SessionRate;
use robofleet::journal::checkpoint::CheckpointPolicy;
use robofleet::journal::retention::Retention;
use robofleet::journal::{JournalOptions, JournalSync};
use robofleet::server::{
    self, ServeConfig, DEFAULT_CONTROL, DEFAULT_CONTROL_REPLY_HWM, DEFAULT_FEED,
};
use robofleet::store::embedded::SyncPolicy;
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GatewayMode {
    Auto,
    On,
    Off,
}

/// Every setting can come from `--config FILE` (TOML, same names with `_`) and be
/// overridden on the command line.
#[derive(clap::Args, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// A TOML file with any of the settings below.
    #[arg(long)]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// Folder of robot plugins (*.so, optional <name>.toml beside each); watched for changes.
    /// [default: plugins]
    #[arg(long)]
    pub plugins: Option<PathBuf>,
    /// Where the store (SQLite or log) and private plugin copies live. [default: robofleet-data]
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Control socket (what `ctl --control` connects to). [default: tcp://127.0.0.1:5560]
    #[arg(long, visible_alias = "endpoint")]
    pub control: Option<String>,
    /// The control plane's access file: the server's CURVE key and the client keys allowed,
    /// each with a role (docs/security.md). Required to bind --control anywhere but
    /// loopback. Without it the socket is loopback-only and every client an admin.
    #[arg(long)]
    pub control_auth: Option<PathBuf>,
    /// Market data feed. [default: tcp://127.0.0.1:5561]
    #[arg(long)]
    pub feed: Option<String>,
    /// Where orders and trades live: `sqlite` (a SQLite database in --data that analysts
    /// query while the fleet runs), `log` (the JSON log store, `embedded` before) or a
    /// `mongodb://` URI. [default: sqlite]
    #[arg(long)]
    pub store: Option<String>,
    /// This server's name on a shared store; two servers on one database need two names.
    /// [default: robofleet]
    #[arg(long)]
    pub name: Option<String>,
    /// Run the order gateway in this process: auto = with the SQLite or log store only (on a
    /// shared database, run one `robofleet gateway` for the whole fleet). [default: auto]
    #[arg(long, value_enum)]
    pub gateway: Option<GatewayMode>,
    /// SQLite (or log) store sync policy: never, always, group (group commit), or interval:MS. [default: interval:100]
    #[arg(long)]
    #[serde(default, deserialize_with = "sync_from_str")]
    pub sync: Option<SyncPolicy>,
    /// Quiet period (ms) after a plugin file is complete before it is loaded. [default: 250]
    #[arg(long)]
    pub settle_ms: Option<u64>,
    /// Robots' journals (one folder per robot); `off` runs without journal or recovery.
    /// [default: <data>/journal]
    #[arg(long)]
    pub journal: Option<String>,
    /// Journal fsync policy: os, always, or batch:MS (records reach the OS before any
    /// action in every policy). [default: batch:10]
    #[arg(long)]
    #[serde(default, deserialize_with = "journal_sync_from_str")]
    pub journal_sync: Option<JournalSync>,
    /// Checkpoint each robot after this many events (0: not by count); restart restores
    /// the latest trusted checkpoint and replays only what follows. [default: 100000]
    #[arg(long)]
    pub checkpoint_events: Option<u64>,
    /// ... or after this many seconds with any event since (0: not by time; both 0: no
    /// checkpoints). [default: 300]
    #[arg(long)]
    pub checkpoint_secs: Option<u64>,
    /// Trusted checkpoints kept per robot; journal segments before the oldest kept go by
    /// --journal-retention. [default: 2]
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub checkpoints_kept: Option<u64>,
    /// What becomes of journal segments before the oldest checkpoint kept: archive (zstd,
    /// still replayed), delete, or keep. [default: archive]
    #[arg(long)]
    #[serde(default, deserialize_with = "retention_from_str")]
    pub journal_retention: Option<Retention>,
    /// The venue session's message rate: RATE or RATE/BURST messages a second (orders,
    /// amends and cancels), each robot served in turn when requests wait (MOEX: 30 per
    /// login). Without it the session is not limited. Only for the gateway in this
    /// process (`--gateway`).
    #[arg(long)]
    #[serde(default, deserialize_with = "rate_from_str")]
    pub venue_rate: Option<SessionRate>,
    /// The gateway's venue: the FIX 4.4 session of this QuickFIX settings file
    /// (docs/venues.md). Without it the gateway trades with the simulated exchange. Only
    /// for the gateway in this process (`--gateway`).
    #[arg(long)]
    pub fix: Option<PathBuf>,
    /// Replies queued per control client before one is dropped (and counted in
    /// stats.control.replies_dropped): a client keeps at most this many requests in
    /// flight. [default: 10000]
    #[arg(long, value_parser = clap::value_parser!(i32).range(1..))]
    pub control_reply_hwm: Option<i32>,
    /// Worker threads that run the robots (each robot on one at a time). [default: one per
    /// core, at least 2]
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub workers: Option<u64>,
}

fn journal_sync_from_str<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<JournalSync>, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map(Some).map_err(serde::de::Error::custom)
}

fn retention_from_str<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<Retention>, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map(Some).map_err(serde::de::Error::custom)
}

pub fn rate_from_str<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<SessionRate>, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map(Some).map_err(serde::de::Error::custom)
}

fn sync_from_str<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<SyncPolicy>, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map(Some).map_err(serde::de::Error::custom)
}

impl Args {
    /// Flags over the config file over defaults.
    pub fn config(&self) -> anyhow::Result<ServeConfig> {
        let file: Args = super::config_file::load(self.config.as_deref())?;
        let pick = |a: &Option<String>, b: &Option<String>, d: &str| {
            a.clone()
                .or_else(|| b.clone())
                .unwrap_or_else(|| d.to_string())
        };
        let store = pick(&self.store, &file.store, "sqlite");
        let control_reply_hwm = self
            .control_reply_hwm
            .or(file.control_reply_hwm)
            .unwrap_or(DEFAULT_CONTROL_REPLY_HWM);
        // The flag's parser checks this; a config file's value comes here unchecked (zmq
        // reads 0 as "no limit" and refuses a negative one with a bare EINVAL).
        if control_reply_hwm < 1 {
            anyhow::bail!("control_reply_hwm must be at least 1, got {control_reply_hwm}");
        }
        let gateway = self.gateway.or(file.gateway).unwrap_or(GatewayMode::Auto);
        let workers = match self.workers.or(file.workers) {
            None => 0,
            Some(n @ 1..=1024) => n as usize,
            Some(n) => anyhow::bail!("workers must be 1 to 1024, got {n}"),
        };
        let data_dir: PathBuf = self
            .data
            .clone()
            .or(file.data)
            .unwrap_or_else(|| "robofleet-data".into());
        let journal_dir = match self.journal.clone().or(file.journal) {
            Some(j) if j == "off" => None,
            Some(j) => Some(PathBuf::from(j)),
            None => Some(data_dir.join("journal")),
        };
        let defaults = CheckpointPolicy::default();
        let kept = self.checkpoints_kept.or(file.checkpoints_kept);
        if kept == Some(0) {
            anyhow::bail!("checkpoints_kept must be at least 1");
        }
        let checkpoint = CheckpointPolicy {
            every_events: self
                .checkpoint_events
                .or(file.checkpoint_events)
                .unwrap_or(defaults.every_events),
            every_secs: self
                .checkpoint_secs
                .or(file.checkpoint_secs)
                .unwrap_or(defaults.every_secs),
            keep: kept.map_or(defaults.keep, |k| k as usize),
            retention: self
                .journal_retention
                .or(file.journal_retention)
                .unwrap_or(defaults.retention),
        };
        let journal = JournalOptions {
            sync: self.journal_sync.or(file.journal_sync).unwrap_or_default(),
            checkpoint,
            ..JournalOptions::default()
        };
        Ok(ServeConfig {
            workers,
            journal_dir,
            journal,
            plugins_dir: self
                .plugins
                .clone()
                .or(file.plugins)
                .unwrap_or_else(|| "plugins".into()),
            data_dir,
            control_endpoint: pick(&self.control, &file.control, DEFAULT_CONTROL),
            control_reply_hwm,
            control_auth: self.control_auth.clone().or(file.control_auth),
            feed_endpoint: pick(&self.feed, &file.feed, DEFAULT_FEED),
            venue_rate: self.venue_rate.or(file.venue_rate),
            fix: self.fix.clone().or(file.fix),
            gateway: match gateway {
                GatewayMode::On => true,
                GatewayMode::Off => false,
                GatewayMode::Auto => !store.starts_with("mongodb"),
            },
            sync: self.sync.or(file.sync).unwrap_or_default(),
            name: pick(&self.name, &file.name, "robofleet"),
            store_uri: Some(store),
            settle: Duration::from_millis(self.settle_ms.or(file.settle_ms).unwrap_or(250)),
            // This very binary checks each new plugin build in a child process.
            plugin_probe: std::env::current_exe().ok(),
        })
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let cfg = args.config()?;
    std::fs::create_dir_all(&cfg.plugins_dir)
        .with_context(|| format!("cannot create plugin folder {}", cfg.plugins_dir.display()))?;
    let handle = server::start(cfg).context("cannot start the server")?;
    let stop = handle.shutdown_sender();
    ctrlc::set_handler(move || {
        let _ = stop.send(ManagerCmd::Shutdown);
    })
    .context("cannot install the Ctrl-C handler")?;
    handle.wait();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: Args,
    }

    #[test]
    fn flags_override_the_config_file_which_overrides_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("robofleet.toml");
        std::fs::write(
            &path,
            "store = \"mongodb://db:27017/fleet\"\nname = \"desk1\"\nsync = \"always\"\nsettle_ms = 50\n",
        )
        .unwrap();
        let p = path.to_str().unwrap();
        let cfg = Cli::parse_from(["x", "--config", p, "--name", "desk2"])
            .args
            .config()
            .unwrap();
        assert_eq!(cfg.store_uri.as_deref(), Some("mongodb://db:27017/fleet"));
        assert_eq!(cfg.name, "desk2");
        assert_eq!(cfg.sync, SyncPolicy::EveryWrite);
        assert!(!cfg.gateway, "auto: no gateway on a shared store");
        assert_eq!(cfg.control_endpoint, DEFAULT_CONTROL);
        let plain = Cli::parse_from(["x"]).args.config().unwrap();
        assert!(plain.gateway);
        assert_eq!(plain.store_uri.as_deref(), Some("sqlite"));
        std::fs::write(&path, "control_reply_hwm = 0\n").unwrap();
        let err = Cli::parse_from(["x", "--config", p]).args.config().err();
        assert!(err.is_some_and(|e| e.to_string().contains("control_reply_hwm")));
        std::fs::write(&path, "stor = \"typo\"\n").unwrap();
        assert!(Cli::parse_from(["x", "--config", p]).args.config().is_err());
    }

    #[test]
    fn checkpoint_settings_come_from_flags_the_file_or_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("robofleet.toml");
        std::fs::write(
            &path,
            "checkpoint_events = 5000\ncheckpoints_kept = 4\njournal_retention = \"delete\"\n",
        )
        .unwrap();
        let p = path.to_str().unwrap();
        let cfg = Cli::parse_from(["x", "--config", p, "--checkpoint-secs", "0"])
            .args
            .config()
            .unwrap();
        let cp = cfg.journal.checkpoint;
        assert_eq!((cp.every_events, cp.every_secs, cp.keep), (5000, 0, 4));
        assert_eq!(cp.retention, Retention::Delete);
        let plain = Cli::parse_from(["x"]).args.config().unwrap();
        assert_eq!(plain.journal.checkpoint, CheckpointPolicy::default());
        assert!(Cli::try_parse_from(["x", "--journal-retention", "shred"]).is_err());
        assert!(Cli::try_parse_from(["x", "--checkpoints-kept", "0"]).is_err());
        std::fs::write(&path, "checkpoints_kept = 0\n").unwrap();
        assert!(Cli::parse_from(["x", "--config", p]).args.config().is_err());
    }

    #[test]
    fn workers_come_from_the_flag_the_file_or_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("robofleet.toml");
        std::fs::write(&path, "workers = 3\n").unwrap();
        let p = path.to_str().unwrap();
        let from_file = Cli::parse_from(["x", "--config", p]).args.config().unwrap();
        assert_eq!(from_file.workers, 3);
        let flag = Cli::parse_from(["x", "--config", p, "--workers", "5"]);
        assert_eq!(flag.args.config().unwrap().workers, 5);
        // 0 in the settings: the pool's own default (one per core, at least 2).
        assert_eq!(Cli::parse_from(["x"]).args.config().unwrap().workers, 0);
        assert!(Cli::try_parse_from(["x", "--workers", "0"]).is_err());
        std::fs::write(&path, "workers = 0\n").unwrap();
        let err = Cli::parse_from(["x", "--config", p]).args.config().err();
        assert!(err.is_some_and(|e| e.to_string().contains("workers")));
    }
}
