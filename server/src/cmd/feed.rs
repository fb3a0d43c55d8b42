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
    /// CSV pace: recorded, max, or a speed-up factor like 10x.
    #[arg(long, default_value = "recorded")]
    pub speed: Speed,
    /// Start the CSV over when it ends.
    #[arg(long = "loop")]
    pub loop_csv: bool,
    /// Publish a synthetic random walk instead.
    #[arg(long)]
    pub synthetic: bool,
    /// Symbols for the synthetic feed.
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
        _ => bail!("say what to publish: --csv FILE or --synthetic"),
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
