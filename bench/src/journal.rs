//! `robofleet-bench journal`: how fast one robot's journal takes records, with the real
//! [`JournalWriter`] on the real disk.
//!
//! The records are what the live loop appends: a postcard `Event` per quote (a seeded random
//! walk on `Si`), and after every `--actions-every`-th one the robot's postcard actions (a
//! cancel and a new limit order). They are encoded before the clock starts. Three modes:
//!
//! | mode | flush (write syscall) | fsync |
//! | --- | --- | --- |
//! | `batch` | every `--flush-every` events | within `--batch-ms` of a write, on the journal's background syncer thread (as in the server) |
//! | `live` | after every event, as the robot loop does before it blocks or acts | as `batch` |
//! | `always` | after every event | at every flush, on the writing thread |
//!
//! Each is timed from the first append to the end of the final `sync_now` (everything on
//! disk), in a fresh folder, and checked by reading the journal back. Its baseline, in the
//! same rounds, writes the same framed bytes with `write_all` into a `BufWriter<File>` of the
//! journal's buffer size, flushing at the same points and `fdatasync`ing as the journal does
//! (a thread of its own every `--batch-ms` for the batched modes, inline for `always`): the
//! floor for that pattern of syscalls, without the journal's framing, checksums and
//! bookkeeping.

use super::rate::{per_sec, Machine, Spread, TempRoot};
use super::records::Workload;
use super::JournalArgs;
use anyhow::bail;
use robofleet::journal::format::{self, SEGMENT_HEADER_LEN};
use robofleet::journal::{JournalOptions, JournalReader, JournalSync, JournalWriter, RecordKind};
use serde::Serialize;
use std::io::{BufWriter, Write};
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const GOAL_EVENTS_PER_SEC: f64 = 1e6;

struct Mode {
    name: &'static str,
    events: u64,
    flush_every: u64,
    sync: JournalSync,
}

/// For the baseline's batched modes: `fdatasync` a clone of `file` every `every` until
/// `stop`, as the journal's background syncer does.
fn background_sync(
    file: &std::fs::File,
    every: Duration,
    stop: &Arc<AtomicBool>,
) -> anyhow::Result<std::thread::JoinHandle<()>> {
    let file = file.try_clone()?;
    let stop = Arc::clone(stop);
    Ok(std::thread::spawn(move || {
        while !stop.load(Ordering::Relaxed) {
            std::thread::sleep(every);
            let _ = file.sync_data();
        }
    }))
}

fn journal_once(w: &Workload, m: &Mode, dir: &Path) -> anyhow::Result<Duration> {
    let opts = JournalOptions {
        sync: m.sync,
        ..JournalOptions::default()
    };
    let (mut j, _) = JournalWriter::open(dir, opts)?;
    let started = Instant::now();
    for (i, &(ev, act, end)) in w.items[..m.events as usize].iter().enumerate() {
        j.append(RecordKind::Event, w.body(ev, act))?;
        if end > act {
            j.append(RecordKind::Actions, w.body(act, end))?;
        }
        if (i as u64 + 1).is_multiple_of(m.flush_every) {
            j.flush()?;
        }
    }
    j.sync_now()?;
    let took = started.elapsed();
    drop(j);
    let (records, bytes) = w.size(m.events);
    let walk = JournalReader::open(dir)?.walk(|_| ControlFlow::Continue(()))?;
    if walk.records != records || walk.bytes != bytes || walk.torn_tail.is_some() {
        bail!(
            "{}: wrote {records} records of {bytes} bytes, read back {walk:?}",
            m.name
        );
    }
    Ok(took)
}

fn baseline_once(w: &Workload, m: &Mode, dir: &Path) -> anyhow::Result<Duration> {
    std::fs::create_dir_all(dir)?;
    let file = std::fs::File::create(dir.join("raw.bin"))?;
    let mut out = BufWriter::with_capacity(JournalOptions::default().buffer_bytes, file);
    out.write_all(&format::segment_header())?;
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let syncer = match m.sync {
        JournalSync::Batch(every) => Some(background_sync(out.get_ref(), every, &stop)?),
        _ => None,
    };
    for i in 0..m.events as usize {
        out.write_all(&w.framed[w.framed_at[i] as usize..w.framed_at[i + 1] as usize])?;
        if (i as u64 + 1).is_multiple_of(m.flush_every) {
            out.flush()?;
            if m.sync == JournalSync::Always {
                out.get_ref().sync_data()?;
            }
        }
    }
    out.flush()?;
    out.get_ref().sync_data()?;
    let took = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    if let Some(t) = syncer {
        let _ = t.join();
    }
    let len = out.get_ref().metadata()?.len();
    if len != (SEGMENT_HEADER_LEN as u64 + w.size(m.events).1) {
        bail!("{}: baseline wrote {len} bytes", m.name);
    }
    Ok(took)
}

#[derive(Serialize)]
struct ModeReport {
    mode: &'static str,
    events: u64,
    records: u64,
    bytes: u64,
    flush_every: u64,
    sync: String,
    journal_events_per_sec: Spread,
    baseline_events_per_sec: Spread,
    journal_mb_per_sec: f64,
    baseline_mb_per_sec: f64,
    /// Median journal rate over median baseline rate.
    journal_over_baseline: f64,
}

#[derive(Serialize)]
struct Report {
    machine: Machine,
    rounds: u32,
    event_record_bytes_avg: f64,
    actions_every: u64,
    modes: Vec<ModeReport>,
    goal_events_per_sec: f64,
    /// The batched mode's median against the goal.
    goal_met: bool,
}

pub fn run(args: &JournalArgs) -> anyhow::Result<()> {
    if args.events == 0 || args.flush_every == 0 || args.rounds == 0 {
        bail!("--events, --flush-every and --rounds must be at least 1");
    }
    let batch = JournalSync::Batch(Duration::from_millis(args.batch_ms));
    let modes: Vec<Mode> = [
        ("batch", args.events, args.flush_every, batch),
        ("live", args.live_events, 1, batch),
        ("always", args.always_events, 1, JournalSync::Always),
    ]
    .into_iter()
    .filter(|m| m.1 > 0)
    .map(|(name, events, flush_every, sync)| Mode {
        name,
        events,
        flush_every,
        sync,
    })
    .collect();
    let most = modes.iter().map(|m| m.events).max().unwrap_or(0);
    let root = TempRoot::new(args.dir.as_deref(), "journal")?;
    let mut machine = Machine::at_start(&root.0);
    if !args.json {
        eprintln!("encoding {most} events; writing under {}", root.0.display());
    }
    let w = Workload::new(most, args.actions_every)?;
    let mut rates = vec![(Vec::new(), Vec::new()); modes.len()];
    for round in 0..args.rounds {
        for (m, (journal, baseline)) in modes.iter().zip(rates.iter_mut()) {
            // Alternate which goes first, so neither always meets the other's writeback.
            for is_journal in [round % 2 == 0, round % 2 != 0] {
                let which = if is_journal { "journal" } else { "baseline" };
                let dir = root.0.join(format!("{round}-{}-{which}", m.name));
                let took = match is_journal {
                    true => journal_once(&w, m, &dir)?,
                    false => baseline_once(&w, m, &dir)?,
                };
                std::fs::remove_dir_all(&dir)?;
                let rate = per_sec(m.events, took);
                if !args.json {
                    eprintln!(
                        "round {} {:>6} {which:>8}: {rate:>12.0} events/s",
                        round + 1,
                        m.name
                    );
                }
                match is_journal {
                    true => journal.push(rate),
                    false => baseline.push(rate),
                }
            }
        }
    }
    machine.finish();
    let reports: Vec<ModeReport> = modes
        .iter()
        .zip(rates)
        .map(|(m, r)| mode_report(&w, m, r))
        .collect();
    let event_bytes: u64 = w.items.iter().map(|i| u64::from(i.1 - i.0)).sum();
    let report = Report {
        machine,
        rounds: args.rounds,
        event_record_bytes_avg: event_bytes as f64 / w.items.len().max(1) as f64
            + (format::RECORD_HEADER_LEN + 1) as f64,
        actions_every: args.actions_every,
        goal_met: reports
            .iter()
            .any(|r| r.mode == "batch" && r.journal_events_per_sec.median >= GOAL_EVENTS_PER_SEC),
        goal_events_per_sec: GOAL_EVENTS_PER_SEC,
        modes: reports,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print(&report);
    }
    Ok(())
}

fn mode_report(w: &Workload, m: &Mode, (journal, baseline): (Vec<f64>, Vec<f64>)) -> ModeReport {
    let (records, bytes) = w.size(m.events);
    let (journal, baseline) = (Spread::new(journal), Spread::new(baseline));
    let mb = |rate: f64| rate * bytes as f64 / m.events as f64 / 1e6;
    ModeReport {
        mode: m.name,
        events: m.events,
        records,
        bytes,
        flush_every: m.flush_every,
        sync: match m.sync {
            JournalSync::Batch(d) => format!("batch:{}ms", d.as_millis()),
            other => format!("{other:?}").to_lowercase(),
        },
        journal_mb_per_sec: mb(journal.median),
        baseline_mb_per_sec: mb(baseline.median),
        journal_over_baseline: journal.median / baseline.median,
        journal_events_per_sec: journal,
        baseline_events_per_sec: baseline,
    }
}

fn print(r: &Report) {
    println!("journal append, one robot ({})", r.machine.line());
    println!(
        "event records {:.1} bytes framed on average; an actions record after every {}th; \
         {} rounds; events/s median (min-max)",
        r.event_record_bytes_avg, r.actions_every, r.rounds
    );
    println!(
        "mode      events  flush fsync           journal events/s    MB/s          baseline events/s    MB/s  j/base"
    );
    for m in &r.modes {
        println!(
            "{:<7} {:>8} {:>6} {:<10} {:>24} {:>7.1} {:>26} {:>7.1} {:>6.2}x",
            m.mode,
            m.events,
            m.flush_every,
            m.sync,
            m.journal_events_per_sec.show(),
            m.journal_mb_per_sec,
            m.baseline_events_per_sec.show(),
            m.baseline_mb_per_sec,
            m.journal_over_baseline
        );
    }
    println!(
        "goal: >= {:.0} M events/s with batched sync: {}",
        r.goal_events_per_sec / 1e6,
        if r.goal_met { "met" } else { "MISSED" }
    );
}
