use anyhow::{bail, Context};
use robofleet::feed::{self, FeedOptions, FeedSource, Speed, SyntheticConfig, DEFAULT_ENDPOINT};
use robofleet::server::zmq_context;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// Where to publish (ZeroMQ XPUB bind).
    #[arg(long, default_value = DEFAULT_ENDPOINT)]
    pub endpoint: String,
    /// Replay this CSV file (format in docs/feed.md).
    #[arg(long, conflicts_with = "synthetic")]
    pub csv: Option<PathBuf>,
    /// Republish a FIX venue's market data instead: QuickFIX settings of the initiator
    /// session (docs/venues.md); subscribes to --symbols at every logon.
    #[arg(long, conflicts_with_all = ["csv", "synthetic"])]
    pub fix: Option<PathBuf>,
    /// With --fix: what of each symbol's book to subscribe to: quotes (top of book), depth,
    /// or both.
    #[arg(long, default_value = "both", value_parser = ["quotes", "depth", "both"])]
    pub book: String,
    /// With --fix: levels a side for depth (0: all the venue has).
    #[arg(long, default_value_t = 0)]
    pub depth: u32,
    /// With --fix: do not subscribe to trades.
    #[arg(long)]
    pub no_trades: bool,
    /// CSV pace: recorded, max, or a speed-up factor like 10x.
    #[arg(long, default_value = "recorded")]
    pub speed: Speed,
    /// Start the CSV over when it ends.
    #[arg(long = "loop")]
    pub loop_csv: bool,
    /// Publish a synthetic random walk instead.
    #[arg(long)]
    pub synthetic: bool,
    /// Symbols for the synthetic feed, or to subscribe to with --fix.
    #[arg(long, value_delimiter = ',', default_value = "Si,RTS")]
    pub symbols: Vec<String>,
    /// Synthetic messages per second across all symbols.
    #[arg(long, default_value_t = 100.0)]
    pub rate: f64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Stop after this many synthetic messages.
    #[arg(long)]
    pub count: Option<u64>,
    /// Data time of the first synthetic message (RFC 3339 or ns; default: now), e.g. inside
    /// the instruments' trading sessions.
    #[arg(long, value_parser = parse_start)]
    pub start: Option<i64>,
    /// Wait up to this many ms for a first subscriber before publishing.
    #[arg(long, default_value_t = 0)]
    pub wait_subscriber_ms: u64,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    if let Some(settings) = &args.fix {
        return run_fix(settings, &args);
    }
    let source = match (&args.csv, args.synthetic) {
        (Some(path), false) => FeedSource::Csv {
            path: path.clone(),
            speed: args.speed,
        },
        (None, true) => FeedSource::Synthetic(SyntheticConfig {
            symbols: args.symbols.clone(),
            rate_per_sec: args.rate,
            seed: args.seed,
            limit: args.count,
            start_ts: args.start,
            ..SyntheticConfig::default()
        }),
        _ => bail!("say what to publish: --csv FILE, --synthetic or --fix SETTINGS"),
    };
    let mut opts = FeedOptions::new(source);
    opts.endpoint = args.endpoint.clone();
    opts.loop_csv = args.loop_csv;
    opts.stamp_sent = true;
    if args.wait_subscriber_ms > 0 {
        opts.wait_for_subscriber = Some(Duration::from_millis(args.wait_subscriber_ms));
    }
    let shutdown = Arc::new(AtomicBool::new(false));
    let flag = shutdown.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed)).context("Ctrl-C handler")?;
    let stats = feed::run_feed(&zmq_context(), &opts, &shutdown)?;
    println!("{}", serde_json::to_string(&stats)?);
    Ok(())
}

fn parse_start(s: &str) -> Result<i64, String> {
    robofleet::feed::timestamp::parse_ts(s)
        .ok_or_else(|| format!("{s:?} is not an RFC 3339 time or integer ns"))
}

/// `--fix`: a FIX venue's market data, republished until Ctrl-C.
fn run_fix(settings: &std::path::Path, args: &Args) -> anyhow::Result<()> {
    use robofleet_fix::md::feed::{BookKind, FixFeed, FixFeedConfig};
    let book = match args.book.as_str() {
        "quotes" => BookKind::Quotes,
        "depth" => BookKind::Depth,
        _ => BookKind::Both,
    };
    let feed = FixFeed::start(
        &zmq_context(),
        FixFeedConfig {
            settings: settings.to_path_buf(),
            endpoint: args.endpoint.clone(),
            sndhwm: feed::DEFAULT_SNDHWM,
            symbols: args.symbols.clone(),
            book,
            depth: args.depth,
            trades: !args.no_trades,
        },
    )
    .context("cannot start the FIX market data feed")?;
    tracing::info!(settings = %settings.display(), endpoint = %args.endpoint, "FIX market data feed started");
    let (stop_tx, stop_rx) = crossbeam_channel::bounded::<()>(1);
    ctrlc::set_handler(move || {
        let _ = stop_tx.try_send(());
    })
    .context("Ctrl-C handler")?;
    let _ = stop_rx.recv();
    let c = feed.counters.clone();
    feed.stop()?;
    let load = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
    println!(
        "{}",
        serde_json::json!({
            "logons": load(&c.logons),
            "published": load(&c.published),
            "dropped_hwm": load(&c.dropped_hwm),
            "rejected": load(&c.rejected),
            "unreadable": load(&c.unreadable),
        })
    );
    Ok(())
}
