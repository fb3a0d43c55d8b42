//! `robofleet venue --fix SETTINGS`: the simulated exchange as a FIX 4.4 acceptor, fed by
//! the market feed, so a fleet can paper-trade over real FIX (docs/venues.md).

use anyhow::Context;
use robofleet::server::{zmq_context, DEFAULT_FEED};
use robofleet_fix::paper::{PaperConfig, PaperVenue};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// QuickFIX settings of the acceptor (`ConnectionType=acceptor`; its port, CompIDs and
    /// store): each of its sessions is a client the exchange serves.
    #[arg(long)]
    pub fix: PathBuf,
    /// Market data the exchange matches orders against. [default: tcp://127.0.0.1:5561]
    #[arg(long)]
    pub feed: Option<String>,
    /// The data folder whose `instruments.toml` orders are checked against (written with
    /// the shipped specs if it has none). [default: robofleet-data]
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Cancel a session's working orders when it logs out or drops (cancel-on-disconnect,
    /// as MOEX and others offer); the client hears of it when it is back.
    #[arg(long)]
    pub cancel_on_disconnect: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let data = args.data.unwrap_or_else(|| "robofleet-data".into());
    let instruments = robofleet::instruments::load_or_create(&data)
        .with_context(|| format!("cannot read the instruments of {}", data.display()))?;
    let feed = args.feed.unwrap_or_else(|| DEFAULT_FEED.to_string());
    let venue = PaperVenue::start(
        &zmq_context(),
        PaperConfig {
            settings: args.fix.clone(),
            feed_endpoint: feed.clone(),
            instruments,
            cancel_on_disconnect: args.cancel_on_disconnect,
        },
    )
    .context("cannot start the paper venue")?;
    tracing::info!(settings = %args.fix.display(), feed = %feed, "paper venue accepting FIX sessions");
    let (stop_tx, stop_rx) = crossbeam_channel::bounded::<()>(1);
    ctrlc::set_handler(move || {
        let _ = stop_tx.try_send(());
    })
    .context("Ctrl-C handler")?;
    let _ = stop_rx.recv();
    drop(venue);
    Ok(())
}
