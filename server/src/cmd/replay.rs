//! `robofleet replay`: rebuild robots from their journals through a plugin build, check
//! every action against the recorded one, and write the results for analysts.

use anyhow::{bail, Context};
use robofleet::feed::timestamp::parse_ts;
use robofleet::plugin::load_plugin;
use robofleet::replay::run::{replay_robot, RunOptions, RunReport};
use robofleet::replay::sink::{DirSink, MongoSink, ReplaySink};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(clap::Args)]
pub struct Args {
    /// The plugin build to replay through; results are written to the store.
    #[arg(long, conflicts_with = "check", required_unless_present = "check")]
    pub plugin: Option<PathBuf>,
    /// Check a new build before deploying it: replay through NEW.so, write nothing, exit 1
    /// if it would have acted differently anywhere.
    #[arg(long, value_name = "NEW.so")]
    pub check: Option<PathBuf>,
    /// Journal root (one folder per robot).
    #[arg(long, default_value = "robofleet-data/journal")]
    pub journal: PathBuf,
    /// Robot to replay (repeatable). Default: every robot in the journal root whose
    /// recorded build is the same crate as the plugin.
    #[arg(long)]
    pub robot: Vec<String>,
    /// Report and write only events from this time on (ns since the epoch, or
    /// 2026-11-25T10:00:00Z); earlier ones are replayed to rebuild the state.
    #[arg(long)]
    pub from: Option<String>,
    /// Stop after this time.
    #[arg(long)]
    pub to: Option<String>,
    /// Where results go: `embedded` (files under <data>/replay/) or a mongodb:// URI.
    #[arg(long, default_value = "embedded")]
    pub store: String,
    /// Data folder of the embedded store.
    #[arg(long, default_value = "robofleet-data")]
    pub data: PathBuf,
    /// Tag for this run's documents. [default: replay-<robot>-<wall clock ns>]
    #[arg(long)]
    pub run_id: Option<String>,
    /// Replay and report only.
    #[arg(long)]
    pub no_write: bool,
    /// Also snapshot the rebuilt state every N events.
    #[arg(long, default_value_t = 0)]
    pub snapshot_every: u64,
    /// Print the reports as JSON.
    #[arg(long)]
    pub json: bool,
}

fn time(arg: &Option<String>, what: &str) -> anyhow::Result<Option<i64>> {
    arg.as_deref()
        .map(|s| parse_ts(s).with_context(|| format!("--{what} {s:?}: not a time")))
        .transpose()
}

/// Robots in `root` whose last recorded build is of crate `krate`.
fn robots_built_by(root: &Path, krate: &str) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(root)
        .with_context(|| format!("cannot read journal root {}", root.display()))?;
    for entry in entries.flatten() {
        let dir = entry.path();
        let Ok(reader) = robofleet::journal::JournalReader::open(&dir) else {
            continue;
        };
        if let Ok(Some(begin)) = robofleet::journal::history::current_begin(&reader) {
            if begin.build.split(' ').next() == Some(krate) {
                out.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    Ok(out)
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let checking = args.check.is_some();
    let Some(so) = args.check.as_ref().or(args.plugin.as_ref()) else {
        bail!("give --plugin X.so or --check NEW.so");
    };
    let private = std::env::temp_dir().join(format!("robofleet-replay-{}", std::process::id()));
    let plugin = Arc::new(load_plugin(so, &private).context("cannot load the plugin")?);
    let (from, to) = (time(&args.from, "from")?, time(&args.to, "to")?);
    let robots = if args.robot.is_empty() {
        let krate = plugin.build_id.split(' ').next().unwrap_or_default();
        let found = robots_built_by(&args.journal, krate)?;
        if found.is_empty() {
            bail!(
                "no journal in {} was recorded by {krate}",
                args.journal.display()
            );
        }
        found
    } else {
        args.robot.clone()
    };
    let stamp = robofleet::clock::wall_ns();
    let mut reports = Vec::new();
    for robot in &robots {
        let dir = robofleet::journal::robot_dir(&args.journal, robot);
        if !dir.is_dir() {
            bail!(
                "no journal for robot {robot:?} in {}",
                args.journal.display()
            );
        }
        let run_id = match &args.run_id {
            Some(id) if robots.len() == 1 => id.clone(),
            Some(id) => format!("{id}-{robot}"),
            None => format!("replay-{robot}-{stamp}"),
        };
        let opts = RunOptions {
            run_id: run_id.clone(),
            from,
            to,
            snapshot_every: args.snapshot_every,
        };
        let sink: Option<Box<dyn ReplaySink>> = if checking || args.no_write {
            None
        } else if args.store.starts_with("mongodb") {
            Some(Box::new(MongoSink::connect(&args.store, &run_id)?))
        } else {
            Some(Box::new(DirSink::create(
                &args.data.join("replay"),
                &run_id,
            )?))
        };
        let bar = progress_bar(&dir, robot);
        let tick = bar.clone();
        let report = replay_robot(
            &dir,
            &plugin,
            &opts,
            sink,
            Box::new(move |b| tick.set_position(b)),
        )
        .with_context(|| format!("replay of {robot} failed"))?;
        bar.finish_and_clear();
        if !args.json {
            print_report(&report);
        }
        reports.push(report);
    }
    let _ = std::fs::remove_dir_all(&private);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    }
    let differs = reports.iter().filter(|r| !r.identical).count();
    if checking {
        if differs > 0 {
            eprintln!(
                "{} would have acted differently on {differs} of {} robots' recorded sessions",
                so.display(),
                reports.len()
            );
            std::process::exit(1);
        }
        let verdict = format!(
            "{} acts identically on every recorded session ({} robots)",
            so.display(),
            reports.len()
        );
        // With --json, stdout carries the JSON alone.
        if args.json {
            eprintln!("{verdict}");
        } else {
            println!("{verdict}");
        }
    }
    Ok(())
}

fn progress_bar(dir: &Path, robot: &str) -> indicatif::ProgressBar {
    let total: u64 = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_prefix(robot.to_string());
    bar
}

fn print_report(r: &RunReport) {
    println!("robot {} through {}", r.robot, r.build);
    println!("  recorded by:      {}", r.recorded_builds.join(", "));
    println!(
        "  events replayed:  {} ({} in range), runs {}",
        r.events_replayed, r.events_in_range, r.runs
    );
    println!("  actions produced: {}", r.actions);
    println!(
        "  recorded ends:    {} checked, {} state mismatches",
        r.ends_checked, r.end_mismatches
    );
    println!(
        "  checkpoints:      {} checked, {} state mismatches",
        r.checkpoints_checked, r.checkpoint_mismatches
    );
    if let Some(no) = r.started_from_checkpoint {
        println!("  started from:     checkpoint {no:08} (the journal before it was deleted)");
    }
    if let Some(h) = &r.final_state_hash {
        println!("  final state:      #{} sha256 {h}", r.final_seq);
    }
    if let Some(t) = &r.torn_tail {
        println!("  torn tail:        {t} (left unread)");
    }
    if let Some(f) = &r.failed {
        println!("  robot failed:     {f}");
    }
    match &r.first_divergence {
        None if r.identical => {
            println!("  verdict:          IDENTICAL: every action matches the recorded one")
        }
        None => println!(
            "  verdict:          DIFFERENT: a rebuilt end or checkpoint state differs from the recorded one"
        ),
        Some(d) => {
            println!(
                "  verdict:          DIFFERENT at {} of {} events",
                r.divergent_events, r.events_replayed
            );
            println!("  first divergent event #{} (ts {}):", d.seq, d.ts);
            println!("    event:    {}", d.event);
            println!("    recorded: {}", d.recorded);
            println!("    produced: {}", d.produced);
        }
    }
    if let Some(o) = &r.output {
        println!("  written to:       {o}");
    }
}
