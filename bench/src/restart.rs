//! `restart`: how long a fleet takes from start to every robot running, when each robot has
//! a long journal behind it, against the same fleet started fresh in the same run.
//!
//! A run:
//! 1. writes (or reuses, with `--keep`) one journal per robot: the template robot (told never
//!    to trade, so every event is a quote) handed `--events` events through the live
//!    `RobotCore`, checkpointed through the live `Checkpointing` every `--checkpoint-events`
//!    events, the last checkpoint `--tail` events before the end (a restart replays those),
//!    each checkpoint written and confirmed by the live checkpoint thread and older segments
//!    gone by `--retention`. The journal then ends as a killed process leaves it: no `Stop`.
//! 2. measures, `--rounds` times each, an in-process server (the code the binary ships) from
//!    `server::start` to every robot `Running`: on a fresh data folder (the baseline: no
//!    journal) and on the written journals (the restart). The measured servers take no new
//!    checkpoints, so every round restores the same checkpoint and replays the same tail.

use super::probe::TempDirs;
use super::records::{quote_walk, T0};
use super::report::loadavg;
use anyhow::{anyhow, bail, Context};
use robofleet::journal::checkpoint::CheckpointPolicy;
use robofleet::journal::retention::Retention;
use robofleet::journal::{JournalOptions, JournalSync};
use robofleet::plugin::{load_plugin, LoadedPlugin};
use robofleet::robot::checkpoints::{worker, Checkpointing};
use robofleet::robot::recovery::{self, JournalSpec};
use robofleet::robot::{RobotShared, RobotState};
use robofleet_api::{CreateArgs, EventKind, Params};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Args, Clone, Debug)]
pub struct RestartArgs {
    /// Robots in the fleet, each with its own journal.
    #[arg(long, default_value_t = 100)]
    pub robots: usize,
    /// Events journaled per robot.
    #[arg(long, default_value_t = 10_000_000)]
    pub events: u64,
    /// Checkpoint interval, in events, while the journals are written.
    #[arg(long, default_value_t = CheckpointPolicy::default().every_events)]
    pub checkpoint_events: u64,
    /// Events after the last checkpoint (what a restart replays). [default: the interval - 1,
    /// the worst case]
    #[arg(long)]
    pub tail: Option<u64>,
    /// What becomes of segments before the oldest kept checkpoint: archive, delete or keep
    /// (archive and keep take about 85 bytes an event on disk, per robot).
    #[arg(long, default_value = "delete")]
    pub retention: Retention,
    /// Measured starts of each kind.
    #[arg(long, default_value_t = 3)]
    pub rounds: u32,
    /// The template robot's plugin. [default: libtemplate_robot.so beside this executable]
    #[arg(long)]
    pub plugin: Option<PathBuf>,
    /// Write the journals here and keep them; a folder already holding them is reused.
    #[arg(long)]
    pub keep: Option<PathBuf>,
}

const PLUGIN_FILE: &str = "libtemplate_robot.so";

pub fn run(args: &RestartArgs) -> anyhow::Result<()> {
    let tail = args
        .tail
        .unwrap_or(args.checkpoint_events.saturating_sub(1));
    if args.checkpoint_events == 0 || tail >= args.events {
        bail!("need --checkpoint-events > 0 and --tail < --events");
    }
    let plugin_path = match &args.plugin {
        Some(p) => p.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("this executable has no folder")?
            .join(PLUGIN_FILE),
    };
    if !plugin_path.is_file() {
        bail!(
            "no template robot at {}: `cargo build --release -p template_robot`",
            plugin_path.display()
        );
    }
    let dirs = TempDirs::new("robofleet-bench-restart")?;
    let journals = args
        .keep
        .clone()
        .unwrap_or_else(|| dirs.data.join("journal"));
    let plugin = Arc::new(load_plugin(&plugin_path, &dirs.data.join("private"))?);
    let names: Vec<String> = (0..args.robots).map(|i| format!("r{i:03}")).collect();
    let started = Instant::now();
    let written = write_all(&plugin, &journals, &names, args, tail)?;
    if written > 0 {
        eprintln!(
            "wrote {written} journals of {} events in {:.0} s",
            args.events,
            started.elapsed().as_secs_f64()
        );
    }
    install_fleet(&plugin_path, &dirs.plugins, &names)?;
    let load_start = loadavg();
    let (mut fresh, mut restart) = (Vec::new(), Vec::new());
    for round in 0..args.rounds {
        let empty = dirs.data.join(format!("fresh-{round}"));
        fresh.push(time_to_running(&dirs.plugins, &dirs.data, &empty, &names)?);
        restart.push(time_to_running(
            &dirs.plugins,
            &dirs.data,
            &journals,
            &names,
        )?);
        eprintln!(
            "round {round}: fresh {:.3} s, restart {:.3} s",
            fresh[round as usize], restart[round as usize]
        );
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (f, r) = (median(&mut fresh), median(&mut restart));
    println!("restart: {} robots, {} events journaled each, checkpoint every {}, {tail} events after the last", args.robots, args.events, args.checkpoint_events);
    println!("  fresh start (no journal), to all running:  {f:.3} s   (rounds {fresh:.3?})");
    println!("  restart from the journals, to all running: {r:.3} s   (rounds {restart:.3?})");
    println!(
        "  restart / fresh: {:.2}x; goal <= 2 s: {}",
        r / f,
        if r <= 2.0 { "met" } else { "MISSED" }
    );
    println!("  load {load_start} at start, {} at end", loadavg());
    Ok(())
}

/// The template robot as `names.len()` instances that never trade.
fn install_fleet(plugin: &Path, dir: &Path, names: &[String]) -> anyhow::Result<()> {
    std::fs::copy(plugin, dir.join(PLUGIN_FILE))?;
    let mut toml = String::from("[params]\nevery = 1000000000000\n");
    for name in names {
        toml += &format!("\n[[instance]]\nname = \"{name}\"\n");
    }
    std::fs::write(dir.join("libtemplate_robot.toml"), toml)?;
    Ok(())
}

/// Seconds from `server::start` to every robot running, journals in `journal`.
fn time_to_running(
    plugins: &Path,
    data: &Path,
    journal: &Path,
    names: &[String],
) -> anyhow::Result<f64> {
    let mut cfg = robofleet::server::ServeConfig::new(plugins, data);
    cfg.journal_dir = Some(journal.to_path_buf());
    cfg.journal.checkpoint = CheckpointPolicy::off();
    cfg.control_endpoint = "tcp://127.0.0.1:*".into();
    cfg.feed_endpoint = format!("tcp://127.0.0.1:{}", super::probe::free_port()?);
    cfg.settle = Duration::from_millis(0);
    let t0 = Instant::now();
    let server = robofleet::server::start(cfg)?;
    let deadline = t0 + Duration::from_secs(600);
    loop {
        let robots = server.registry.all();
        if let Some(r) = robots
            .iter()
            .find(|r| matches!(r.state(), RobotState::Failed(_)))
        {
            bail!("{} failed: {:?}", r.name, r.state());
        }
        let running = robots
            .iter()
            .filter(|r| r.state() == RobotState::Running)
            .count();
        if running == names.len() {
            break;
        }
        if Instant::now() > deadline {
            bail!("{running} of {} robots running after 600 s", names.len());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let took = t0.elapsed().as_secs_f64();
    // A restart that did not go on from a checkpoint is not the restart measured.
    for r in server.registry.all() {
        let how = r.status().recovery;
        if how != "fresh" && !how.contains(": checkpoint ") {
            bail!("{} did not start from a checkpoint: {how}", r.name);
        }
    }
    server.shutdown();
    Ok(took)
}

/// Write the journals that are not there yet; returns how many were written.
fn write_all(
    plugin: &Arc<LoadedPlugin>,
    root: &Path,
    names: &[String],
    args: &RestartArgs,
    tail: u64,
) -> anyhow::Result<usize> {
    let mut written = 0;
    for name in names {
        let dir = root.join(name);
        if dir.join("trusted").is_file() {
            continue;
        }
        if dir.exists() {
            std::fs::remove_dir_all(&dir)?;
        }
        write_one(plugin, &dir, name, args, tail)
            .with_context(|| format!("writing {name}'s journal"))?;
        written += 1;
    }
    if !worker::drain(Duration::from_secs(3600)) {
        bail!("the checkpoint thread did not finish");
    }
    Ok(written)
}

fn write_one(
    plugin: &Arc<LoadedPlugin>,
    dir: &Path,
    name: &str,
    args: &RestartArgs,
    tail: u64,
) -> anyhow::Result<()> {
    let info = &plugin.info;
    let mut params: Params = info.default_params.clone();
    params.0.insert(
        "every".into(),
        robofleet_api::ParamValue::Int(1_000_000_000_000),
    );
    let create = CreateArgs {
        name: name.to_string(),
        params: params.clone(),
        symbols: info.default_symbols.clone(),
        seed: robofleet::fleet::seed_for(name),
        first_order_seq: 1,
    };
    let policy = CheckpointPolicy {
        every_events: args.checkpoint_events,
        every_secs: 0,
        keep: 2,
        retention: args.retention,
    };
    let spec = JournalSpec {
        dir: dir.to_path_buf(),
        opts: JournalOptions {
            sync: JournalSync::Os,
            checkpoint: policy.clone(),
            ..JournalOptions::default()
        },
    };
    let started =
        recovery::start(plugin, create.clone(), Some(&spec), T0).map_err(|e| anyhow!(e))?;
    let mut core = started.core;
    let begin = started.begin.context("no Begin")?;
    let shared = Arc::new(RobotShared::new(
        name,
        dir.to_path_buf(),
        &plugin.build_label(),
        create.symbols.clone(),
        create.seed,
        0,
        params.clone(),
    ));
    let mut checkpoints =
        Checkpointing::new(policy, dir.to_path_buf(), begin, plugin.clone(), shared, 0)
            .context("checkpoints off")?;
    core.process(T0, EventKind::Start)?;
    // Checkpoints land `tail` events before the end, and every interval before that.
    let phase = (args.events - tail) % args.checkpoint_events;
    for md in quote_walk(create.seed, &create.symbols)? {
        if core.seq() >= args.events {
            break;
        }
        core.process_md(&md)?;
        let seq = core.seq();
        if seq % args.checkpoint_events == phase && seq <= args.events - tail {
            checkpoints
                .take(&mut core, params.clone())
                .map_err(|e| anyhow!(e))?;
        }
    }
    core.flush()?;
    Ok(())
}
