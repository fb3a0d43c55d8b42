//! `robofleet gateway`: the order gateway as its own process, on a shared store.

use anyhow::Context;
use robofleet::gateway::throttle::SessionRate;
use robofleet::gateway::{spawn_gateway, spawn_gateway_on, GatewayConfig, GatewayStats};
use robofleet::server::{open_store, zmq_context, DEFAULT_FEED};
use robofleet::store::embedded::SyncPolicy;
use serde::Deserialize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Every setting can come from `--config FILE` (TOML, same names) and be overridden on the
/// command line.
#[derive(clap::Args, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// A TOML file with any of the settings below.
    #[arg(long)]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// The shared store, a `mongodb://` URI.
    #[arg(long)]
    pub store: Option<String>,
    /// Market data for the simulated exchange. [default: tcp://127.0.0.1:5561]
    #[arg(long)]
    pub feed: Option<String>,
    /// This gateway's name on the store (its change stream position is kept under it).
    /// [default: gateway]
    #[arg(long)]
    pub name: Option<String>,
    /// Print the gateway's counters this often (seconds; 0 = never). [default: 10]
    #[arg(long)]
    pub every: Option<u64>,
    /// The venue session's message rate: RATE or RATE/BURST messages a second (orders,
    /// amends and cancels), each robot served in turn when requests wait (MOEX: 30 per
    /// login). Without it the session is not limited.
    #[arg(long)]
    #[serde(default, deserialize_with = "super::serve::rate_from_str")]
    pub venue_rate: Option<SessionRate>,
    /// The venue: the FIX 4.4 session of this QuickFIX settings file (docs/venues.md).
    /// Without it the gateway trades with the simulated exchange.
    #[arg(long)]
    pub fix: Option<PathBuf>,
}

/// The gateway's settings: flags over the config file over defaults.
#[derive(Debug, PartialEq)]
pub struct Settings {
    pub store: String,
    pub feed: String,
    pub name: String,
    pub every: u64,
    pub venue_rate: Option<SessionRate>,
    pub fix: Option<PathBuf>,
}

impl Args {
    pub fn settings(&self) -> anyhow::Result<Settings> {
        let file: Args = super::config_file::load(self.config.as_deref())?;
        let Some(store) = self.store.clone().or(file.store) else {
            anyhow::bail!("no store: pass --store mongodb://... (or `store` in --config)");
        };
        if !store.starts_with("mongodb") {
            anyhow::bail!("a separate gateway needs a shared store: --store mongodb://...");
        }
        Ok(Settings {
            store,
            feed: self
                .feed
                .clone()
                .or(file.feed)
                .unwrap_or_else(|| DEFAULT_FEED.to_string()),
            name: self
                .name
                .clone()
                .or(file.name)
                .unwrap_or_else(|| "gateway".to_string()),
            every: self.every.or(file.every).unwrap_or(10),
            venue_rate: self.venue_rate.or(file.venue_rate),
            fix: self.fix.clone().or(file.fix),
        })
    }
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let args = args.settings()?;
    let store = open_store(
        Some(&args.store),
        std::path::Path::new("."),
        SyncPolicy::default(),
        &format!("gateway:{}", args.name),
    )
    .context("cannot open the store")?;
    let stats = Arc::new(GatewayStats::default());
    let cfg = GatewayConfig {
        feed_endpoint: args.feed.clone(),
        session_rate: args.venue_rate,
    };
    let gateway = match &args.fix {
        None => spawn_gateway(zmq_context(), store.clone(), cfg, stats.clone()),
        Some(settings) => {
            let venue = robofleet_fix::client::FixVenue::open(settings)
                .context("cannot start the FIX session")?;
            spawn_gateway_on(
                zmq_context(),
                store.clone(),
                cfg,
                stats.clone(),
                Box::new(venue),
            )
        }
    }
    .context("cannot start the gateway")?;
    let (stop_tx, stop_rx) = crossbeam_channel::bounded::<()>(1);
    ctrlc::set_handler(move || {
        let _ = stop_tx.try_send(());
    })
    .context("Ctrl-C handler")?;
    tracing::info!(
        "gateway {} running: store {}, feed {}",
        args.name,
        args.store,
        args.feed
    );
    let tick = if args.every == 0 {
        crossbeam_channel::never()
    } else {
        crossbeam_channel::tick(Duration::from_secs(args.every))
    };
    loop {
        crossbeam_channel::select! {
            recv(stop_rx) -> _ => break,
            recv(tick) -> _ => {
                let s = serde_json::json!({"gateway": stats.snapshot(), "store": store.health()});
                tracing::info!("{s}");
            }
        }
    }
    gateway.shutdown();
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
        let path = dir.path().join("gateway.toml");
        std::fs::write(
            &path,
            "store = \"mongodb://db:27017/fleet\"\nname = \"gw1\"\nevery = 0\nvenue_rate = \"30/5\"\n",
        )
        .unwrap();
        let p = path.to_str().unwrap();
        let s = Cli::parse_from(["x", "--config", p, "--name", "gw2"])
            .args
            .settings()
            .unwrap();
        assert_eq!(
            s,
            Settings {
                store: "mongodb://db:27017/fleet".into(),
                feed: DEFAULT_FEED.into(),
                name: "gw2".into(),
                every: 0,
                venue_rate: Some(SessionRate { rate: 30, burst: 5 }),
                fix: None,
            }
        );
        // No store anywhere, or not a shared one: a clear error.
        let e = Cli::parse_from(["x"]).args.settings().unwrap_err();
        assert!(e.to_string().contains("no store"), "{e}");
        let e = Cli::parse_from(["x", "--store", "embedded"])
            .args
            .settings()
            .unwrap_err();
        assert!(e.to_string().contains("shared store"), "{e}");
        std::fs::write(&path, "stor = \"typo\"\n").unwrap();
        assert!(Cli::parse_from(["x", "--config", p])
            .args
            .settings()
            .is_err());
    }
}
