//! # robofleet-bench
//!
//! Measurements of the real robofleet server, run in-process against the `robofleet` library
//! (the code the `robofleet` binary ships), kept in a binary of their own so that the shipping
//! binary carries none of it. `BENCHMARKS.md` has the commands and the figures.
//!
//! - `latency`: tick-to-order latency over two spans, inside the server (market data thread
//!   receive -> robot -> store -> gateway) and wire to wire (feed publish over TCP -> ... ->
//!   gateway), with a ZeroMQ inproc round trip measured in the same run as the floor. See
//!   [`latency`] for how a run goes and `BENCHMARKS.md` for figures.
//! - `mongo`: the MongoDB store's latencies, robot -> order in MongoDB -> gateway and trade
//!   insert -> robot event, against the database's own insert and change stream round trips
//!   measured in the same run. See [`mongo`].
//! - `journal`: appends per second to a robot's journal under each flush and sync pattern,
//!   against plain buffered writes of the same bytes. See [`journal`].
//! - `fix`: the FIX venue's order path, robot -> NewOrderSingle at a FIX acceptor, against a
//!   TCP loopback round trip, and sustained orders a second, per store sync policy. See
//!   [`fix`].
//! - `replay`: events per second replayed from the example robots' journals, against walking
//!   the journal alone and calling the robot alone. See [`replay`].
//! - `store`: the SQLite store against the embedded log store: insert latency, and open
//!   time and peak memory by the length of the history. See [`store`].
//! - `fanout`: market data to many robots on one symbol (deliveries a second, tick -> robot
//!   latency, CPU per delivery) against a raw inproc message rate. See [`fanout`].
//! - `restart`: a fleet with long journals from start to all running (restored from
//!   checkpoints), against the same fleet started fresh. See [`restart`].
//!
//! # Layout
//! - `main.rs`: the command line (one subcommand per bench, its flags) and `main`.
//! - `probe.rs`: what `latency` and `mongo` share to run the `latency_probe` robot in an
//!   in-process server: finding and installing the plugin, temporary folders, a free port.
//! - `latency.rs`: `latency`, a run from start to judgement; `floor.rs`: its zmq inproc
//!   floor; `report.rs`: its report, checks and table (and the `Goal`, `Machine`, load
//!   average and CPU model the `mongo` report reuses).
//! - `mongo/`: `mongo`, one file per measured part: `mod.rs` (the run, in order), `db.rs`
//!   (the run's fresh database), `pace.rs` (histograms, pacing), `baseline.rs` (the driver
//!   directly), `span1.rs` + `fleet.rs` (robot -> MongoDB -> gateway), `span2.rs` (trade
//!   insert -> robot), `report.rs` (the report and its no-loss checks), `table.rs` (printing).
//! - `journal.rs`: `journal`; `records.rs`: the journal records it appends (quotes from the
//!   synthetic feed's generator, the template robot's actions).
//! - `replay.rs`: `replay`; `replay_gen.rs`: writing each robot's journal through the backtest
//!   loop.
//! - `rate.rs`: what the throughput benches (`journal`, `replay`) share: spreads of rounds,
//!   the machine, a temporary folder.

mod fanout;
mod fix;
mod floor;
mod journal;
mod latency;
mod mongo;
mod paced;
mod probe;
mod rate;
mod records;
mod replay;
mod replay_gen;
mod report;
mod restart;
mod risk;
mod store;
mod thread_cpu;

use clap::Parser;
use robofleet::store::embedded::SyncPolicy;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "robofleet-bench",
    version,
    about = "Measure the robofleet server: latency, MongoDB store, journal, replay"
)]
pub struct Args {
    #[command(subcommand)]
    pub what: Bench,
}

#[derive(clap::Subcommand)]
pub enum Bench {
    /// Tick-to-order latency (inside the server and wire to wire) against a zmq inproc floor.
    Latency(LatencyArgs),
    /// MongoDB store latencies (robot -> gateway, trade -> robot) against the database's own.
    Mongo(MongoArgs),
    /// Journal appends per second (batched, live and always-sync) against raw buffered writes.
    Journal(JournalArgs),
    /// Replay speed of the example robots' journals against a bare walk and direct calls.
    Replay(ReplayArgs),
    /// What the pre-trade risk checks cost per tick, against an engine with no limits.
    Risk(RiskArgs),
    /// The FIX venue's order path (robot -> NewOrderSingle) against a TCP round trip, and
    /// sustained orders a second through the gateway.
    Fix(FixArgs),
    /// The SQLite store against the embedded log store: insert latency, open time and peak
    /// memory by history.
    Store(store::StoreArgs),
    /// Restart of a fleet whose robots have long journals (restored from checkpoints)
    /// against the same fleet started fresh.
    Restart(restart::RestartArgs),
    /// Market data to 1, 100, 1,000 robots on one symbol at several tick rates: deliveries a
    /// second, tick -> robot latency and CPU per delivery, against a raw inproc message rate.
    Fanout(fanout::FanoutArgs),
    /// (internal) Open one store and report its open time and peak memory as JSON.
    #[command(name = "store-open", hide = true)]
    StoreOpen(store::OpenArgs),
}

#[derive(clap::Args, Clone, Debug)]
pub struct FixArgs {
    /// Orders timed, each policy.
    #[arg(long, default_value_t = 2000)]
    pub orders: u64,
    /// Orders sent and not timed first.
    #[arg(long, default_value_t = 200)]
    pub warmup: u64,
    /// Microseconds between timed orders (and between TCP round trips).
    #[arg(long, default_value_t = 1000)]
    pub pace_us: u64,
    /// Orders in the throughput burst.
    #[arg(long, default_value_t = 5000)]
    pub burst: u64,
}

#[derive(clap::Args, Clone, Debug)]
pub struct RiskArgs {
    /// Ticks measured per round.
    #[arg(long, default_value_t = 200_000)]
    pub ticks: u64,
    /// Ticks run before each round's measurement.
    #[arg(long, default_value_t = 10_000)]
    pub warmup: u64,
    /// Rounds, each without limits then with every limit.
    #[arg(long, default_value_t = 3)]
    pub rounds: u32,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Clone, Debug)]
pub struct LatencyArgs {
    /// Samples to measure after the warmup (one order per tick).
    #[arg(long, default_value_t = 20_000)]
    pub ticks: u64,
    /// Feed rate in messages per second: paced, since latency, not throughput, is measured.
    #[arg(long, default_value_t = 2000.0)]
    pub rate: f64,
    /// Orders seen by the gateway before the histograms are reset and measuring starts.
    #[arg(long, default_value_t = 1000)]
    pub warmup: u64,
    /// Store sync policy: never, always, or interval:MS.
    #[arg(long, default_value = "interval:100")]
    pub sync: SyncPolicy,
    /// The server's store: `embedded` (the log) or `sqlite`.
    #[arg(long, default_value = "embedded")]
    pub store: String,
    /// The robot's journal sync policy (os, always, batch:MS), as `serve --journal-sync`;
    /// `off` runs the robot without a journal (as before journals existed).
    #[arg(long, default_value = "batch:10")]
    pub journal: String,
    /// Round trips of the zmq inproc floor measurement.
    #[arg(long, default_value_t = 20_000)]
    pub floor_trips: u64,
    /// The probe cancels its oldest order after every N orders. 1 (the default) cancels each
    /// order right after placing it, so the simulated exchange's book stays empty; 0 = never:
    /// orders pile up resting in the book, and the exchange's per-quote scan of its whole book
    /// then grows with the run and dominates the figures.
    #[arg(long, default_value_t = 1)]
    pub cancel_every: u64,
    /// The latency_probe plugin; default: next to this executable.
    #[arg(long)]
    pub plugin: Option<PathBuf>,
    /// Run with these pre-trade limits (copied to the server's `<data>/risk.toml`;
    /// `bench/data/risk_all_limits.toml` sets every limit and reaches none); default: none.
    #[arg(long)]
    pub risk: Option<PathBuf>,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Clone, Debug)]
pub struct MongoArgs {
    /// The MongoDB server, `mongodb://host:port/NAME?options`. Each run works in a fresh
    /// database named NAME (default `robofleet_bench`) + `_<unix time>_<pid>`, dropped at the end.
    #[arg(long)]
    pub store: String,
    /// Span 1 samples to measure after the warmup (one order per tick).
    #[arg(long, default_value_t = 1000)]
    pub ticks: u64,
    /// Span 1 feed rate, quotes per second: paced, since latency, not throughput, is measured.
    /// Each tick costs the database about five round trips, so keep it well under its capacity.
    #[arg(long, default_value_t = 20.0)]
    pub rate: f64,
    /// Orders seen by the gateway before span 1's histograms are reset.
    #[arg(long, default_value_t = 100)]
    pub warmup: u64,
    /// The probe cancels its oldest order after every N orders; 0 (the default) = never, so
    /// each tick costs the database one order and one acceptance (the book holds them all).
    #[arg(long, default_value_t = 0)]
    pub cancel_every: u64,
    /// Span 2 samples: trades inserted one at a time, each waited for at the robot.
    #[arg(long, default_value_t = 2000)]
    pub trades: u64,
    /// Span 2 trades before measuring.
    #[arg(long, default_value_t = 100)]
    pub trade_warmup: u64,
    /// Samples of each kind of baseline operation (ping, insert, find, insert -> change
    /// stream event), measured before each span at that span's pace.
    #[arg(long, default_value_t = 300)]
    pub baseline: u64,
    /// Pace of span 2's trades and of its baseline, per second; default: `--rate`.
    #[arg(long)]
    pub op_rate: Option<f64>,
    /// The latency_probe plugin; default: next to this executable.
    #[arg(long)]
    pub plugin: Option<PathBuf>,
    /// Instead of the two spans: the highest rate the fleet sustains. Span 1 at each of these
    /// rates (orders a second, ascending, comma-separated) on a fresh database, up to the first
    /// it does not sustain, against the database's own insert -> change event capacity.
    #[arg(long, value_delimiter = ',')]
    pub sustain: Vec<f64>,
    /// With `--sustain`: seconds of ticks measured at each rate (`--ticks` is rate x this).
    #[arg(long, default_value_t = 10.0)]
    pub sustain_secs: f64,
    /// Keep the run's database instead of dropping it.
    #[arg(long)]
    pub keep_db: bool,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Clone, Debug)]
pub struct JournalArgs {
    /// Quote events appended in the batched mode (flush every `--flush-every`).
    #[arg(long, default_value_t = 2_000_000)]
    pub events: u64,
    /// Events between flushes in the batched mode.
    #[arg(long, default_value_t = 1000)]
    pub flush_every: u64,
    /// Events in the live mode: a flush (one write syscall) after every event.
    #[arg(long, default_value_t = 500_000)]
    pub live_events: u64,
    /// Events in the sync-always mode: a flush and an fdatasync after every event.
    #[arg(long, default_value_t = 2000)]
    pub always_events: u64,
    /// Batched sync: fdatasync at a flush once this many ms have passed since the last one.
    #[arg(long, default_value_t = 10)]
    pub batch_ms: u64,
    /// Every N-th event is followed by an Actions record (a cancel and a new limit order, as
    /// the template robot sends); 0 = events only.
    #[arg(long, default_value_t = 10)]
    pub actions_every: u64,
    /// Each mode is measured this many times, journal and baseline alternating.
    #[arg(long, default_value_t = 3)]
    pub rounds: u32,
    /// Where to write (a temporary folder is made inside and removed); default: the temp dir.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args, Clone, Debug)]
pub struct ReplayArgs {
    /// Quotes fed to each robot to write its journal (fills and order updates come on top).
    #[arg(long, default_value_t = 1_000_000)]
    pub quotes: u64,
    /// Robots (plugin crate names, built beside this executable or in `--plugin-dir`).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "ma_cross,market_maker,template_robot"
    )]
    pub robots: Vec<String>,
    /// Where the plugins are; default: beside this executable (e.g. target/release).
    #[arg(long)]
    pub plugin_dir: Option<PathBuf>,
    /// Seed of the quote random walk and of the robots.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Each measurement is taken this many times per robot (walk, direct, replay in turn).
    #[arg(long, default_value_t = 3)]
    pub rounds: u32,
    /// Where to write the journals (a temporary folder is made inside and removed).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

fn main() {
    let args = Args::parse();
    // As `robofleet` logs: info and up to stderr, so that `--json` output on stdout stays clean.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let result = match args.what {
        Bench::Latency(a) => latency::run(&a),
        Bench::Mongo(a) => mongo::run(&a),
        Bench::Journal(a) => journal::run(&a),
        Bench::Replay(a) => replay::run(&a),
        Bench::Risk(a) => risk::run(&a),
        Bench::Fix(a) => fix::run(&a),
        Bench::Store(a) => store::run(&a),
        Bench::StoreOpen(a) => store::open_and_report(&a),
        Bench::Restart(a) => restart::run(&a),
        Bench::Fanout(a) => fanout::run(&a),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
