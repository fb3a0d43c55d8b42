//! `robofleet gateway`: the order gateway as its own process, on a shared store.

use anyhow::Context;
use robofleet::gateway::{spawn_gateway, GatewayConfig, GatewayStats};
use robofleet::server::{open_store, zmq_context, DEFAULT_FEED};
use robofleet::store::embedded::SyncPolicy;
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// The shared store, a `mongodb://` URI.
    #[arg(long)]
    pub store: String,
    /// Market data for the simulated exchange.
    #[arg(long, default_value = DEFAULT_FEED)]
    pub feed: String,
    /// This gateway's name on the store (its change stream position is kept under it).
    #[arg(long, default_value = "gateway")]
    pub name: String,
    /// Print the gateway's counters this often (seconds; 0 = never).
    #[arg(long, default_value_t = 10)]
    pub every: u64,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if !args.store.starts_with("mongodb") {
        anyhow::bail!("a separate gateway needs a shared store: --store mongodb://...");
    }
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
    };
    let gateway = spawn_gateway(zmq_context(), store.clone(), cfg, stats.clone())
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
