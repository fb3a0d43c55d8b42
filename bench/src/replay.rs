//! `robofleet-bench replay`: events per second through the real replay engine
//! ([`Replayer`]) for each example robot, against two baselines measured in the same rounds.
//!
//! For each robot its release-built plugin is loaded and a journal is written through the live
//! code path ([`super::replay_gen`]: the backtest loop, the live simulated exchange): Start,
//! `--quotes` quotes of a seeded random walk with the order updates and fills the exchange
//! answers the robot's orders with, Stop, a graceful end. Then,
//! `--rounds` times, on that journal (in the page cache: it was just written):
//!
//! - **walk**: `JournalReader::open` + `walk` with a closure that only looks at each record
//!   (reading the segments, framing, checksums): what any replay pays before the robot runs;
//! - **direct**: a fresh robot from the journal's Begin args, handed every journaled input
//!   in a loop (already in memory, results only counted): market records through
//!   `RobotInstance::market` in batches as replay hands them, other events through
//!   `handle_bytes`: the robot and the plugin boundary alone;
//! - **replay**: `Replayer::new(plugin, ()).run(&JournalReader::open(dir)?, 0)`, checked: every
//!   event replayed, none divergent, the End's state hash matched, no failure.
//!
//! The direct loop's final state hash must equal the journal's End hash too.

use super::rate::{per_sec, Machine, Spread, TempRoot};
use super::replay_gen::{self, Generated};
use super::ReplayArgs;
use anyhow::{anyhow, bail, Context};
use robofleet::journal::format::{self, BeginRecord};
use robofleet::journal::{JournalReader, RecordKind};
use robofleet::plugin::{load_plugin, LoadedPlugin, RobotInstance};
use robofleet::replay::engine::DEFAULT_BATCH;
use robofleet::replay::Replayer;
use robofleet_api::abi::{RfLevel, RfMarket};
use serde::Serialize;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

const GOAL_EVENTS_PER_SEC: f64 = 5e6;

/// Issue 9's goals for a robot: (events/s, share of the walk), if it has any. `market_maker`
/// (an order on a third of its events) has the lower rate and no share.
fn goals(robot: &str) -> Option<(f64, Option<f64>)> {
    match robot {
        "ma_cross" | "template_robot" => Some((GOAL_EVENTS_PER_SEC, Some(0.40))),
        "market_maker" => Some((3e6, None)),
        _ => None,
    }
}

#[derive(Serialize)]
struct RobotReport {
    robot: String,
    generated: Generated,
    /// Events per second of the live path (`RobotCore::process` with the journal) while the
    /// journal was written, venue and quote generation included.
    generated_events_per_sec: f64,
    records: u64,
    journal_bytes: u64,
    walk: Spread,
    direct: Spread,
    replay: Spread,
    /// Median replay rate over the median walk rate, measured in the same rounds. The replay
    /// reads the journal on a second thread, so its time is not walk + robot + engine.
    replay_over_walk: f64,
    /// Its goals (events/s, share of the walk) and whether this run met them; none for a
    /// robot with no goal (a test fixture).
    goal_events_per_sec: Option<f64>,
    goal_share_of_walk: Option<f64>,
    goal_met: Option<bool>,
}

#[derive(Serialize)]
struct Report {
    machine: Machine,
    quotes: u64,
    rounds: u32,
    robots: Vec<RobotReport>,
    goal_events_per_sec: f64,
}

pub fn run(args: &ReplayArgs) -> anyhow::Result<()> {
    if args.quotes == 0 || args.rounds == 0 || args.robots.is_empty() {
        bail!("--quotes, --rounds and --robots must not be zero or empty");
    }
    let plugin_dir = match &args.plugin_dir {
        Some(d) => d.clone(),
        None => std::env::current_exe()
            .context("cannot find this executable's path")?
            .parent()
            .context("this executable's path has no folder")?
            .to_path_buf(),
    };
    let root = TempRoot::new(args.dir.as_deref(), "replay")?;
    let mut machine = Machine::at_start(&root.0);
    let mut robots = Vec::new();
    for name in &args.robots {
        robots.push(bench_robot(args, &plugin_dir, name, &root.0)?);
    }
    machine.finish();
    let report = Report {
        machine,
        quotes: args.quotes,
        rounds: args.rounds,
        robots,
        goal_events_per_sec: GOAL_EVENTS_PER_SEC,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print(&report);
    }
    Ok(())
}

fn plugin_path(dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let (pre, suf) = (std::env::consts::DLL_PREFIX, std::env::consts::DLL_SUFFIX);
    let path = dir.join(format!("{pre}{name}{suf}"));
    if !path.is_file() {
        bail!(
            "no plugin {name} at {}: build it with `cargo build --release -p {name}`, or pass \
             --plugin-dir",
            path.display()
        );
    }
    Ok(path)
}

fn bench_robot(
    args: &ReplayArgs,
    plugin_dir: &Path,
    name: &str,
    root: &Path,
) -> anyhow::Result<RobotReport> {
    let path = plugin_path(plugin_dir, name)?;
    let plugin = Arc::new(load_plugin(&path, &root.join("private"))?);
    let dir = root.join(name);
    if !args.json {
        eprintln!("{name}: writing a journal of {} quotes", args.quotes);
    }
    let g = replay_gen::write_journal(&plugin, &dir, args.quotes, args.seed)
        .with_context(|| format!("{name}: writing its journal"))?;
    let (begin, events) = journaled_events(&dir)?;
    let journaled: u64 = events.iter().map(Input::events).sum();
    if journaled != g.events {
        bail!("{name}: {journaled} events journaled, {} handled", g.events);
    }
    let (mut walk, mut direct, mut replay) = (Vec::new(), Vec::new(), Vec::new());
    let (mut records, mut bytes) = (0, 0);
    for round in 1..=args.rounds {
        let started = Instant::now();
        let summary = JournalReader::open(&dir)?.walk(|rec| {
            std::hint::black_box(rec);
            ControlFlow::Continue(())
        })?;
        walk.push(per_sec(g.events, started.elapsed()));
        (records, bytes) = (summary.records, summary.bytes);
        direct.push(direct_once(&plugin, &begin, &events, &g)?);
        replay.push(replay_once(&plugin, &dir, &g)?);
        if !args.json {
            eprintln!(
                "{name} round {round}: walk {:.2}, direct {:.2}, replay {:.2} M events/s",
                walk[walk.len() - 1] / 1e6,
                direct[direct.len() - 1] / 1e6,
                replay[replay.len() - 1] / 1e6
            );
        }
    }
    let (walk, direct, replay) = (Spread::new(walk), Spread::new(direct), Spread::new(replay));
    Ok(RobotReport {
        robot: name.to_string(),
        generated_events_per_sec: g.events as f64 / g.secs,
        generated: g,
        records,
        journal_bytes: bytes,
        replay_over_walk: replay.median / walk.median,
        goal_events_per_sec: goals(name).map(|g| g.0),
        goal_share_of_walk: goals(name).and_then(|g| g.1),
        goal_met: goals(name).map(|(rate, share)| {
            replay.median >= rate && share.is_none_or(|s| replay.median / walk.median >= s)
        }),
        walk,
        direct,
        replay,
    })
}

/// What a journal hands its robot, in order: runs of market records, other events, and
/// the symbol names the records' ids stand for.
enum Input {
    Markets(Vec<RfMarket>, Vec<RfLevel>),
    Event(Vec<u8>),
    Symbol(u32, String),
}

impl Input {
    fn events(&self) -> u64 {
        match self {
            Input::Markets(run, _) => run.len() as u64,
            Input::Event(_) => 1,
            Input::Symbol(..) => 0,
        }
    }
}

/// The Begin record and every input after it, in journal order.
fn journaled_events(dir: &Path) -> anyhow::Result<(BeginRecord, Vec<Input>)> {
    let mut begin = None;
    let mut inputs = Vec::new();
    let mut bad = 0u64;
    JournalReader::open(dir)?.walk(|rec| {
        match rec.kind {
            RecordKind::Begin => begin = rec.decode::<BeginRecord>().ok(),
            RecordKind::Event => inputs.push(Input::Event(rec.body.to_vec())),
            RecordKind::Symbol => match format::read_symbol(rec.body) {
                Some((id, name)) => inputs.push(Input::Symbol(id, name.to_string())),
                None => bad += 1,
            },
            RecordKind::Market => {
                if !matches!(inputs.last(), Some(Input::Markets(..))) {
                    inputs.push(Input::Markets(Vec::new(), Vec::new()));
                }
                if let Some(Input::Markets(run, levels)) = inputs.last_mut() {
                    match RfMarket::from_journal_body(rec.body, levels) {
                        Some(m) => run.push(m),
                        None => bad += 1,
                    }
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    })?;
    if bad > 0 {
        bail!("{bad} undecodable Symbol or Market records");
    }
    Ok((begin.ok_or_else(|| anyhow!("no Begin record"))?, inputs))
}

fn direct_once(
    plugin: &Arc<LoadedPlugin>,
    begin: &BeginRecord,
    inputs: &[Input],
    g: &Generated,
) -> anyhow::Result<f64> {
    let mut robot = RobotInstance::create(plugin.clone(), &begin.args)?;
    let (mut action_bytes, mut events) = (0usize, 0u64);
    let started = Instant::now();
    for input in inputs {
        match input {
            Input::Event(event) => {
                action_bytes += robot.handle_bytes(event, |b| b.len())?;
                events += 1;
            }
            Input::Symbol(id, name) => robot.define_symbol(*id, name)?,
            // Handed over as replay does: a batch at a time, on from each answered record.
            Input::Markets(run, levels) => {
                for batch in run.chunks(DEFAULT_BATCH) {
                    let mut at = 0;
                    while at < batch.len() {
                        let (done, result) = robot.market(&batch[at..], levels, |b| b.len());
                        action_bytes += result?;
                        at += done;
                    }
                }
                events += run.len() as u64;
            }
        }
    }
    let rate = per_sec(events, started.elapsed());
    std::hint::black_box(action_bytes);
    if events != g.events {
        bail!(
            "{}: {events} events handed over, {} journaled",
            begin.args.name,
            g.events
        );
    }
    if format::state_hash(&robot.snapshot_bytes()?) != g.end_hash {
        bail!(
            "{}: calling the robot directly ended in another state",
            begin.args.name
        );
    }
    Ok(rate)
}

fn replay_once(plugin: &Arc<LoadedPlugin>, dir: &Path, g: &Generated) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut replayer = Replayer::new(plugin.clone(), ());
    replayer.run(&JournalReader::open(dir)?, 0)?;
    let took = started.elapsed();
    let s = &replayer.stats;
    let ok = s.runs == 1
        && s.events == g.events
        && s.divergent_events == 0
        && s.ends_checked == 1
        && s.end_mismatches == 0
        && s.failed.is_none()
        && s.walk.torn_tail.is_none();
    if !ok {
        bail!(
            "replay of {} did not match its journal: {s:?}",
            dir.display()
        );
    }
    Ok(per_sec(g.events, took))
}

fn print(r: &Report) {
    println!(
        "replay, {} quotes per robot, {} rounds ({})",
        r.quotes,
        r.rounds,
        r.machine.line()
    );
    println!(
        "{:<15} {:>9} {:>8} {:>8} {:>9} {:>19} {:>19} {:>19} {:>7} {:>7}",
        "robot",
        "events",
        "orders",
        "fills",
        "MB",
        "walk M ev/s",
        "direct M ev/s",
        "replay M ev/s",
        "rep/dir",
        "rep/walk"
    );
    for b in &r.robots {
        println!(
            "{:<15} {:>9} {:>8} {:>8} {:>9.1} {:>19} {:>19} {:>19} {:>6.2}x {:>7.0}%",
            b.robot,
            b.generated.events,
            b.generated.orders,
            b.generated.fills,
            b.journal_bytes as f64 / 1e6,
            b.walk.show(),
            b.direct.show(),
            b.replay.show(),
            b.replay.median / b.direct.median,
            b.replay_over_walk * 100.0
        );
    }
    for b in &r.robots {
        println!(
            "{}: live path while writing {:.2} M events/s; replay {:.0} ns/event (walk {:.0}, \
             robot alone {:.0}), {:.0}% of the walk; {}",
            b.robot,
            b.generated_events_per_sec / 1e6,
            b.replay.ns_each(),
            b.walk.ns_each(),
            b.direct.ns_each(),
            b.replay_over_walk * 100.0,
            match (b.goal_events_per_sec, b.goal_share_of_walk, b.goal_met) {
                (Some(rate), share, Some(met)) => format!(
                    "goal >= {:.0} M events/s{}: {}",
                    rate / 1e6,
                    share.map_or(String::new(), |s| format!(
                        " and >= {:.0}% of the walk",
                        s * 100.0
                    )),
                    if met { "met" } else { "MISSED" }
                ),
                _ => "no goal (a test fixture)".to_string(),
            }
        );
    }
}
