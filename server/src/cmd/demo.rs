//! `robofleet demo`: the synthetic feed, the example robots on the embedded store and the
//! simulated gateway, with a live summary until Ctrl-C (or `--duration`).

use anyhow::{bail, Context};
use robofleet::feed::{self, FeedOptions, FeedSource, SyntheticConfig};
use robofleet::fleet::ManagerCmd;
use robofleet::server::{
    self, zmq_context, ServeConfig, ServerHandle, DEFAULT_CONTROL, DEFAULT_FEED,
};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// Where the demo keeps its plugins, store and journals (store and journals start fresh).
    #[arg(long, default_value = "robofleet-demo")]
    pub data: PathBuf,
    /// Stop after this many seconds (default: run until Ctrl-C).
    #[arg(long)]
    pub duration: Option<u64>,
    /// Synthetic market data messages per second, across Si and RTS.
    #[arg(long, default_value_t = 200.0)]
    pub rate: f64,
    /// Control socket (what `ctl --control` connects to).
    #[arg(long, visible_alias = "endpoint", default_value = DEFAULT_CONTROL)]
    pub control: String,
    #[arg(long, default_value = DEFAULT_FEED)]
    pub feed: String,
    /// Seconds between summaries.
    #[arg(long, default_value_t = 2)]
    pub every: u64,
}

const EXAMPLES: [&str; 3] = ["ma_cross", "market_maker", "template_robot"];

/// Two moving-average robots from one plugin file, one per market.
const MA_CROSS_TOML: &str = r#"# Two instances of the ma_cross plugin: one per market.
[[instance]]
name = "ma_si"
symbols = ["Si"]

[[instance]]
name = "ma_rts"
symbols = ["RTS"]
params = { fast = 8, slow = 30 }
"#;

fn install_examples(plugins: &Path) -> anyhow::Result<()> {
    let exe = std::env::current_exe().context("cannot find the robofleet executable")?;
    let built = exe.parent().context("executable has no folder")?;
    std::fs::create_dir_all(plugins)?;
    // The server refuses a plugin folder or file others may write (docs/security.md),
    // whatever the umask made them.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(plugins, std::fs::Permissions::from_mode(0o755))?;
    for name in EXAMPLES {
        let file = format!("lib{name}.so");
        let src = built.join(&file);
        if !src.exists() {
            bail!(
                "{} is missing: build the example robots first (cargo build --release --workspace)",
                src.display()
            );
        }
        // Write aside and rename into place, as a trader should.
        let tmp = plugins.join(format!(".{file}.tmp"));
        std::fs::copy(&src, &tmp)?;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o644))?;
        std::fs::rename(&tmp, plugins.join(&file))?;
    }
    std::fs::write(plugins.join("libma_cross.toml"), MA_CROSS_TOML)?;
    Ok(())
}

/// 2026-11-02T07:00:00Z: the demo market's first timestamp.
pub const DEMO_MARKET_START_NS: i64 = 1_793_602_800_000_000_000;

pub fn run(args: Args) -> anyhow::Result<()> {
    let plugins = args.data.join("plugins");
    // A fresh day: the store and the journals go together. A journal kept over a wiped store
    // would rebuild robots holding positions and orders that the store has never seen.
    for part in ["store", "journal"] {
        let dir = args.data.join(part);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .with_context(|| format!("cannot clear the previous demo's {part}"))?;
        }
    }
    // Params set over the control socket in the previous demo are not this one's.
    let _ = std::fs::remove_file(args.data.join("params.json"));
    install_examples(&plugins)?;

    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::Relaxed)).context("Ctrl-C handler")?;

    let mut cfg = ServeConfig::new(&plugins, &args.data);
    cfg.control_endpoint = args.control.clone();
    cfg.feed_endpoint = args.feed.clone();
    let handle = server::start(cfg).context("cannot start the server")?;

    let mut feed_opts = FeedOptions::new(FeedSource::Synthetic(SyntheticConfig {
        symbols: vec!["Si".into(), "RTS".into()],
        rate_per_sec: args.rate,
        // Market time is the sample data's morning (2026-11-02 10:00 Moscow), inside the
        // shipped registry's sessions whatever the hour the demo runs at.
        start_ts: Some(DEMO_MARKET_START_NS),
        ..SyntheticConfig::default()
    }));
    feed_opts.endpoint = args.feed.clone();
    feed_opts.stamp_sent = true;
    feed_opts.wait_for_subscriber = Some(Duration::from_secs(5));
    let feed = feed::spawn_feed(zmq_context(), feed_opts, stop.clone());

    println!(
        "robofleet demo: robots from {}, control {} (try `robofleet ctl list`), Ctrl-C to stop",
        plugins.display(),
        handle.control_endpoint()
    );
    let started = Instant::now();
    let mut next = started + Duration::from_secs(args.every.max(1));
    while !stop.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(100));
        if args
            .duration
            .is_some_and(|d| started.elapsed() >= Duration::from_secs(d))
        {
            break;
        }
        if Instant::now() >= next {
            next += Duration::from_secs(args.every.max(1));
            print_summary(&handle, started.elapsed());
        }
    }
    stop.store(true, Ordering::Relaxed);
    let feed_stats = feed
        .join()
        .map_err(|_| anyhow::anyhow!("feed thread panicked"))??;
    print_summary(&handle, started.elapsed());
    println!(
        "feed: {} published, {} dropped at the high-water mark",
        feed_stats.published, feed_stats.dropped_hwm
    );
    let _ = handle.shutdown_sender().send(ManagerCmd::Shutdown);
    handle.wait();
    Ok(())
}

fn print_summary(handle: &ServerHandle, elapsed: Duration) {
    let md = handle.stats.market.snapshot();
    let orders = handle.store.orders(&Default::default()).unwrap_or_default();
    let trades = handle.store.trades(None).unwrap_or_default();
    let positions = handle.store.positions(None).unwrap_or_default();
    println!(
        "\n[{:>5.1}s] market data {} msgs ({} dropped, {} garbage) | orders {} | fills {}",
        elapsed.as_secs_f64(),
        md.messages,
        md.dropped,
        md.garbage,
        orders.len(),
        trades.len()
    );
    println!(
        "  {:<14} {:<8} {:>8} {:>7} {:>6}  positions (qty @ avg, realized PnL)",
        "robot", "state", "events", "orders", "fills"
    );
    for robot in handle.registry.all() {
        let s = robot.status();
        let state = serde_json::to_value(&s.state)
            .ok()
            .and_then(|v| v["state"].as_str().map(String::from))
            .unwrap_or_default();
        let pos: Vec<String> = positions
            .iter()
            .filter(|p| p.robot == s.name)
            .map(|p| {
                format!(
                    "{} {:+} @ {:.1}, {:+.1}",
                    p.symbol, p.qty, p.avg_price, p.realized_pnl
                )
            })
            .collect();
        println!(
            "  {:<14} {:<8} {:>8} {:>7} {:>6}  {}",
            s.name,
            state,
            s.events,
            s.orders_sent,
            s.fills_received,
            if pos.is_empty() {
                "flat".to_string()
            } else {
                pos.join("; ")
            }
        );
    }
}
