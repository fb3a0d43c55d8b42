//! `robofleet-bench store`: the SQLite store against the embedded log store, in one run
//! (issue 12, item 5).
//!
//! 1. **Insert latency**: `--inserts` new orders into a fresh store of each kind (sync
//!    `interval:100`, the default), each `insert_order` call timed; the two kinds take turns
//!    for `--rounds` rounds, and each kind's samples are pooled.
//! 2. **Open time and peak memory by history**: for each of `--sizes`, a store of each kind
//!    holding that many finished orders (written through `insert_order`, sync `never`, in
//!    batches the two kinds share) is opened in a child process (`robofleet-bench store-open`)
//!    that reports how long `open` took and its peak resident memory (`VmHWM`) after it.
//!    Flat means: the SQLite store's figures do not grow with the history.

use crate::rate::{Machine, TempRoot};
use anyhow::{bail, Context};
use hdrhistogram::Histogram;
use robofleet::store::embedded::{EmbeddedStore, SyncPolicy};
use robofleet::store::sqlite::SqliteStore;
use robofleet::store::{Order, Store};
use robofleet_api::{OrderRequest, OrderType, Price, Side, TimeInForce};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;

#[derive(clap::Args, Clone, Debug)]
pub struct StoreArgs {
    /// New orders timed per kind and round.
    #[arg(long, default_value_t = 20_000)]
    pub inserts: u64,
    /// Rounds of the insert measurement, the kinds taking turns.
    #[arg(long, default_value_t = 2)]
    pub rounds: u32,
    /// Histories (finished orders) to open, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "100000,1000000")]
    pub sizes: Vec<u64>,
    /// Where to write (a temporary folder is made inside and removed); default: the temp dir.
    #[arg(long)]
    pub dir: Option<std::path::PathBuf>,
    /// Print the results as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// The two kinds, as `--store` names them.
const KINDS: [&str; 2] = ["embedded", "sqlite"];

fn open(kind: &str, dir: &Path, sync: SyncPolicy) -> anyhow::Result<Box<dyn Store>> {
    Ok(match kind {
        "embedded" => Box::new(EmbeddedStore::open(dir, sync)?),
        "sqlite" => Box::new(SqliteStore::open(dir, sync)?),
        other => bail!("unknown store kind {other}"),
    })
}

fn order(robot: &str, seq: u64, finished: bool) -> Order {
    let req = OrderRequest {
        client_id: format!("{robot}-{seq}"),
        order_seq: seq,
        symbol: "Si".into(),
        side: if seq.is_multiple_of(2) {
            Side::Buy
        } else {
            Side::Sell
        },
        qty: 1,
        order_type: OrderType::Limit {
            price: Price::units(90_000),
        },
        tif: TimeInForce::Day,
    };
    let now = robofleet::clock::wall_ns();
    if finished {
        // Finished as it is written (one record or row, as a long history's orders are).
        Order::denied(robot, req, now, "history".into())
    } else {
        Order::new_request(robot, req, now)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct InsertFigures {
    pub kind: &'static str,
    pub samples: u64,
    pub p50_ns: u64,
    pub p99_ns: u64,
    pub mean_ns: f64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Opened {
    pub kind: String,
    pub orders: u64,
    pub open_ms: f64,
    /// Peak resident memory of the child process after `open`, KiB.
    pub peak_rss_kib: u64,
    pub file_bytes: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct StoreReport {
    pub machine: Machine,
    pub inserts: Vec<InsertFigures>,
    /// SQLite's p50 over the embedded log's.
    pub insert_p50_ratio: f64,
    pub opened: Vec<Opened>,
}

pub fn run(args: &StoreArgs) -> anyhow::Result<()> {
    let tmp = TempRoot::new(args.dir.as_deref(), "store")?;
    let mut machine = Machine::at_start(&tmp.0);
    let mut hists: Vec<Histogram<u64>> = KINDS
        .iter()
        .map(|_| Histogram::new(3))
        .collect::<Result<_, _>>()?;
    for round in 0..args.rounds {
        for (k, kind) in KINDS.iter().enumerate() {
            let dir = tmp.0.join(format!("insert-{kind}-{round}"));
            let store = open(kind, &dir, SyncPolicy::IntervalMs(100))?;
            for seq in 1..=args.inserts {
                let o = order("bench", seq, false);
                let t0 = Instant::now();
                store.insert_order(&o)?;
                let _ = hists[k].record(u64::try_from(t0.elapsed().as_nanos()).unwrap_or(u64::MAX));
            }
            drop(store);
            std::fs::remove_dir_all(&dir).ok();
        }
    }
    let inserts: Vec<InsertFigures> = KINDS
        .iter()
        .zip(&hists)
        .map(|(kind, h)| InsertFigures {
            kind,
            samples: h.len(),
            p50_ns: h.value_at_quantile(0.5),
            p99_ns: h.value_at_quantile(0.99),
            mean_ns: h.mean(),
        })
        .collect();
    let insert_p50_ratio = inserts[1].p50_ns as f64 / inserts[0].p50_ns.max(1) as f64;

    let mut opened = Vec::new();
    for &size in &args.sizes {
        for kind in KINDS {
            let dir = tmp.0.join(format!("history-{kind}-{size}"));
            {
                let store = open(kind, &dir, SyncPolicy::Never)?;
                for seq in 1..=size {
                    store.insert_order(&order("hist", seq, true))?;
                }
            }
            opened.push(open_in_child(kind, &dir)?);
            std::fs::remove_dir_all(&dir).ok();
        }
    }
    machine.finish();
    let rep = StoreReport {
        machine,
        inserts,
        insert_p50_ratio,
        opened,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rep)?);
    } else {
        print_table(&rep);
    }
    Ok(())
}

/// Open the store in `dir` in a child process of this binary and read what it reports.
fn open_in_child(kind: &str, dir: &Path) -> anyhow::Result<Opened> {
    let exe = std::env::current_exe().context("cannot find this executable")?;
    let out = std::process::Command::new(exe)
        .args(["store-open", "--kind", kind, "--dir"])
        .arg(dir)
        .output()
        .context("cannot run store-open")?;
    if !out.status.success() {
        bail!(
            "store-open {kind} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    serde_json::from_slice(&out.stdout).context("store-open printed no report")
}

#[derive(clap::Args, Clone, Debug)]
pub struct OpenArgs {
    #[arg(long)]
    pub kind: String,
    #[arg(long)]
    pub dir: std::path::PathBuf,
}

/// The child's side: open, then report the time, the peak memory and the file's size.
pub fn open_and_report(args: &OpenArgs) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let store = open(&args.kind, &args.dir, SyncPolicy::Never)?;
    let open_ms = t0.elapsed().as_secs_f64() * 1e3;
    let orders = store.next_order_seq("hist")?.saturating_sub(1);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak_rss_kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    let file_bytes = std::fs::read_dir(&args.dir)?
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    let rep = Opened {
        kind: args.kind.clone(),
        orders,
        open_ms,
        peak_rss_kib,
        file_bytes,
    };
    println!("{}", serde_json::to_string(&rep)?);
    Ok(())
}

fn print_table(r: &StoreReport) {
    println!("| insert_order | samples | p50 µs | p99 µs | mean µs |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for f in &r.inserts {
        println!(
            "| {} | {} | {:.1} | {:.1} | {:.1} |",
            f.kind,
            f.samples,
            f.p50_ns as f64 / 1e3,
            f.p99_ns as f64 / 1e3,
            f.mean_ns / 1e3
        );
    }
    println!("sqlite p50 / embedded (log) p50: {:.2}", r.insert_p50_ratio);
    println!();
    println!("| store | orders | open ms | peak RSS MiB | files MiB |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for o in &r.opened {
        println!(
            "| {} | {} | {:.1} | {:.1} | {:.1} |",
            o.kind,
            o.orders,
            o.open_ms,
            o.peak_rss_kib as f64 / 1024.0,
            o.file_bytes as f64 / (1024.0 * 1024.0)
        );
    }
    println!("{}", r.machine.line());
}
