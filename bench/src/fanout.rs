//! `fanout`: market data to many robots on one busy symbol (issue 13). For each robot count,
//! an in-process server runs that many template robots told never to trade, all on one
//! symbol; for each tick rate, `robofleet feed --synthetic` (a child process, so its CPU is
//! not counted) publishes quotes for `--secs`, and the run reports deliveries a second, tick
//! -> robot latency (the market data thread's receipt to the robot taking the message from its
//! queue), CPU per delivery (the whole server process, its journals included) and what was
//! dropped. Every message the market data thread received must reach every robot (or be
//! counted as dropped); how long after the feed stopped that took says whether it kept up. The baseline, measured first in the same run: a raw ZeroMQ inproc
//! PUSH -> PULL message rate between two threads, the transport every delivery crossed
//! before the worker pool.

use super::probe::{self, TempDirs, SYMBOL};
use anyhow::{bail, Context};
use hdrhistogram::Histogram;
use robofleet::robot::{RobotShared, RobotState};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Args, Clone, Debug)]
pub struct FanoutArgs {
    /// Robot counts, each in a server of its own.
    #[arg(long, value_delimiter = ',', default_values_t = [1usize, 100, 1000])]
    pub robots: Vec<usize>,
    /// Quotes a second on the one symbol.
    #[arg(long, value_delimiter = ',', default_values_t = [200.0f64, 1000.0, 5000.0])]
    pub rates: Vec<f64>,
    /// Seconds of quotes at each rate.
    #[arg(long, default_value_t = 5)]
    pub secs: u64,
    /// How long a run may take to hand over what was queued once the feed stops. A robot
    /// count that needed more than a second is not run at the higher rates.
    #[arg(long, default_value_t = 120)]
    pub drain_secs: u64,
    /// The template robot's plugin. [default: libtemplate_robot.so beside this executable]
    #[arg(long)]
    pub plugin: Option<PathBuf>,
    /// The robots' journal sync policy (os, always, batch:MS), as `serve --journal-sync`;
    /// `off` runs them without journals.
    #[arg(long, default_value = "batch:10")]
    pub journal: String,
    /// Robot workers, as `serve --workers` (0: the server's default).
    #[arg(long, default_value_t = 0)]
    pub workers: usize,
}

/// One robot count at one rate.
struct Row {
    robots: usize,
    rate: f64,
    /// Messages the feed published, and those the market data thread received (the rest were
    /// dropped at the feed's or the server's socket: the thread fell behind).
    published: u64,
    received: u64,
    delivered: u64,
    /// Delivered while the feed ran, a second.
    per_sec: f64,
    /// Seconds after the feed stopped until every robot had all (None: not within drain).
    drained_after: Option<f64>,
    dropped: u64,
    cpu_ns_per_delivery: f64,
    /// The same CPU by the threads that spent it: robot workers, market data, journal
    /// fsyncs, the rest (ns a delivery).
    by_thread: Vec<(&'static str, f64)>,
    wait: Histogram<u64>,
}

/// Each thread's CPU between two snapshots, by role, ns a delivery.
fn by_role(
    before: &std::collections::BTreeMap<String, u64>,
    after: &std::collections::BTreeMap<String, u64>,
    delivered: u64,
) -> Vec<(&'static str, f64)> {
    let mut roles: Vec<(&'static str, f64)> = ["workers", "market-data", "journal-sync", "other"]
        .iter()
        .map(|r| (*r, 0.0))
        .collect();
    for (name, ns) in super::thread_cpu::used(before, after) {
        let i = match name.as_str() {
            n if n.starts_with("robot-worker") => 0,
            "market-data" => 1,
            "journal-sync" => 2,
            _ => 3,
        };
        roles[i].1 += ns as f64 / delivered.max(1) as f64;
    }
    roles
}

pub fn run(args: &FanoutArgs) -> anyhow::Result<()> {
    let here = std::env::current_exe()?
        .parent()
        .context("this executable has no folder")?
        .to_path_buf();
    let plugin = args
        .plugin
        .clone()
        .unwrap_or_else(|| here.join("libtemplate_robot.so"));
    let feed_exe = here.join("robofleet");
    if !feed_exe.is_file() {
        bail!(
            "no robofleet binary at {}: `cargo build --release -p robofleet`",
            feed_exe.display()
        );
    }
    if !plugin.is_file() {
        bail!(
            "no template robot at {}: `cargo build --release -p template_robot`",
            plugin.display()
        );
    }
    let inproc = inproc_rate(2_000_000)?;
    println!(
        "baseline: zmq inproc PUSH -> PULL, one message at a time: {:.2} M msgs/s",
        inproc / 1e6
    );
    let mut rows = Vec::new();
    for &n in &args.robots {
        let dirs = TempDirs::new("robofleet-bench-fanout")?;
        std::fs::copy(&plugin, dirs.plugins.join("libtemplate_robot.so"))?;
        let mut toml = format!("symbols = [\"{SYMBOL}\"]\n[params]\nevery = 1000000000000\n");
        for i in 0..n {
            toml += &format!("\n[[instance]]\nname = \"f{i:04}\"\n");
        }
        std::fs::write(dirs.plugins.join("libtemplate_robot.toml"), toml)?;
        let feed = format!("tcp://127.0.0.1:{}", probe::free_port()?);
        let mut cfg = robofleet::server::ServeConfig::new(&dirs.plugins, &dirs.data);
        cfg.control_endpoint = "tcp://127.0.0.1:*".into();
        cfg.feed_endpoint = feed.clone();
        // The robots never trade: no gateway (its own feed socket would count too).
        cfg.gateway = false;
        cfg.workers = args.workers;
        match args.journal.as_str() {
            "off" => cfg.journal_dir = None,
            policy => {
                cfg.journal.sync = policy.parse().map_err(|e: String| anyhow::anyhow!(e))?;
            }
        }
        let server = robofleet::server::start(cfg)?;
        let until = Instant::now() + Duration::from_secs(120);
        while server
            .registry
            .all()
            .iter()
            .filter(|r| r.state() == RobotState::Running)
            .count()
            < n
        {
            if Instant::now() > until {
                bail!("{n} robots did not all start");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut behind = None;
        for &rate in &args.rates {
            if let Some(at) = behind {
                println!("{n:>5} robots {rate:>6.0}/s: not run (fell behind at {at:.0}/s)");
                continue;
            }
            let robots = server.registry.all();
            let row = one_rate(
                server.pool(),
                &robots,
                &server.stats.market.messages,
                &feed_exe,
                &feed,
                rate,
                args,
            )?;
            print_row(&row);
            if !kept_up(&row) {
                behind = Some(rate);
            }
            rows.push(row);
        }
        server.shutdown();
    }
    println!("\ngoals (issue 13, 2 cores): 1,000 robots at 1,000 ticks/s keep up, nothing dropped, p99 <= 5 ms; CPU per delivery <= 0.5 µs");
    if !rows.iter().any(|r| r.robots == 1000 && r.rate == 1000.0) {
        println!("  1,000 x 1,000/s: not run (the robot counts or rates asked for, or fell behind at a lower rate): MISSED");
    }
    for r in rows.iter().filter(|r| r.robots == 1000 && r.rate == 1000.0) {
        let kept_up = kept_up(r);
        let p99_ms = r.wait.value_at_quantile(0.99) as f64 / 1e6;
        println!(
            "  1,000 x 1,000/s: kept up {}, p99 {p99_ms:.1} ms {}, CPU {:.2} µs a delivery {}",
            if kept_up { "yes" } else { "NO" },
            if p99_ms <= 5.0 { "met" } else { "MISSED" },
            r.cpu_ns_per_delivery / 1e3,
            if r.cpu_ns_per_delivery <= 500.0 {
                "met"
            } else {
                "MISSED"
            }
        );
    }
    Ok(())
}

fn one_rate(
    pool: &robofleet::robot::pool::Pool,
    robots: &[Arc<RobotShared>],
    md_received: &std::sync::atomic::AtomicU64,
    feed_exe: &std::path::Path,
    feed: &str,
    rate: f64,
    args: &FanoutArgs,
) -> anyhow::Result<Row> {
    let n = robots.len();
    let events = |rs: &[Arc<RobotShared>]| -> u64 {
        rs.iter().map(|r| r.events.load(Ordering::Relaxed)).sum()
    };
    let dropped = |rs: &[Arc<RobotShared>]| -> u64 {
        rs.iter()
            .map(|r| r.md_dropped.load(Ordering::Relaxed))
            .sum()
    };
    pool.reset_md_wait();
    let (events0, dropped0) = (events(robots), dropped(robots));
    let md0 = md_received.load(Ordering::Relaxed);
    let cpu0 = process_cpu_ns();
    let threads0 = super::thread_cpu::snapshot();
    let count = (rate * args.secs as f64) as u64;
    let fed_at = Instant::now();
    let status = std::process::Command::new(feed_exe)
        .args([
            "feed",
            "--synthetic",
            "--symbols",
            SYMBOL,
            "--endpoint",
            feed,
        ])
        .args(["--rate", &rate.to_string(), "--count", &count.to_string()])
        // Publishing starts once the server's subscription has arrived: nothing is lost to it.
        .args(["--wait-subscriber-ms", "10000"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()?;
    if !status.success() {
        bail!("robofleet feed failed: {status}");
    }
    let fed_for = fed_at.elapsed().as_secs_f64();
    let during = events(robots) - events0;
    let stopped = Instant::now();
    // What reached the market data thread, once it has taken what is still in its socket.
    let mut received = md_received.load(Ordering::Relaxed) - md0;
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let now = md_received.load(Ordering::Relaxed) - md0;
        if now == received {
            break;
        }
        received = now;
    }
    let want = received * n as u64;
    let mut drained_after = None;
    while stopped.elapsed() < Duration::from_secs(args.drain_secs) {
        if events(robots) - events0 + (dropped(robots) - dropped0) >= want {
            drained_after = Some(stopped.elapsed().as_secs_f64());
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let delivered = events(robots) - events0;
    let cpu = process_cpu_ns().saturating_sub(cpu0);
    let by_thread = by_role(&threads0, &super::thread_cpu::snapshot(), delivered);
    let wait = pool.md_wait();
    Ok(Row {
        robots: n,
        rate,
        published: count,
        received,
        delivered,
        per_sec: during as f64 / fed_for,
        drained_after,
        dropped: dropped(robots) - dropped0,
        cpu_ns_per_delivery: cpu as f64 / delivered.max(1) as f64,
        by_thread,
        wait,
    })
}

/// The messages reached the market data thread (one in a thousand may not: runs here lose
/// one at the feed's end, whatever the rate), every robot had all of them within a second of
/// the feed stopping, and none was dropped at a robot's queue.
fn kept_up(r: &Row) -> bool {
    r.received as f64 >= r.published as f64 * 0.999
        && r.drained_after.is_some_and(|s| s <= 1.0)
        && r.dropped == 0
}

fn print_row(r: &Row) {
    let ms = |q: f64| r.wait.value_at_quantile(q) as f64 / 1e6;
    println!(
        "{:>5} robots {:>6.0}/s: published {:>6}, received {:>6}, delivered {:>9} ({:>9.0}/s while fed), dropped {}, drained {}, tick->robot p50 {:.3} ms p99 {:.3} ms, CPU {:.2} µs a delivery",
        r.robots,
        r.rate,
        r.published,
        r.received,
        r.delivered,
        r.per_sec,
        r.dropped,
        r.drained_after.map_or("NOT within the drain time".into(), |s| format!("{s:.2} s after")),
        ms(0.5),
        ms(0.99),
        r.cpu_ns_per_delivery / 1e3
    );
    let parts: Vec<String> = r
        .by_thread
        .iter()
        .map(|(role, ns)| format!("{role} {:.2}", ns / 1e3))
        .collect();
    println!(
        "{:>21}CPU µs a delivery by thread: {}",
        "",
        parts.join(", ")
    );
}

/// This process's user + system CPU time, ns (`/proc/self/stat`, clock ticks of 10 ms).
fn process_cpu_ns() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let Some(after) = stat.rfind(')').map(|i| &stat[i + 2..]) else {
        return 0;
    };
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    (ticks(11) + ticks(12)) * 10_000_000
}

/// Messages a second from one thread's PUSH to another's PULL over inproc.
fn inproc_rate(count: u64) -> anyhow::Result<f64> {
    let ctx = robofleet::server::zmq_context();
    let pull = ctx.socket(zmq::PULL)?;
    pull.bind("inproc://bench-fanout-baseline")?;
    let push = ctx.socket(zmq::PUSH)?;
    push.connect("inproc://bench-fanout-baseline")?;
    let sender = std::thread::spawn(move || -> anyhow::Result<()> {
        let msg = [0u8; 96];
        for _ in 0..count {
            push.send(&msg[..], 0)?;
        }
        Ok(())
    });
    let started = Instant::now();
    for _ in 0..count {
        pull.recv_bytes(0)?;
    }
    let took = started.elapsed();
    sender
        .join()
        .map_err(|_| anyhow::anyhow!("sender panicked"))??;
    Ok(count as f64 / took.as_secs_f64())
}
