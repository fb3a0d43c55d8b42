//! The report: `report.json` (the summary), `trades.csv` (every fill), `positions.csv`
//! (position and equity whenever they change), `robot.log` (the robot's own log lines) and
//! `equity.svg`, plus the short summary printed to stdout. Nothing in them comes from the
//! wall clock or the machine: no absolute paths, no run times.

use super::ledger::{Drawdown, SymbolPnl};
use super::sim::{Counts, Sim};
use super::timefmt::fmt_ts;
use crate::control::params::params_to_json;
use robofleet_api::CreateArgs;
use robofleet_api::Money;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DataSummary {
    /// The file name (no folder).
    pub file: String,
    pub sha256: String,
    /// Good rows replayed.
    pub rows: u64,
    /// Malformed rows skipped (only with `--skip-bad-rows`).
    pub bad_rows_skipped: u64,
    pub first_ts: i64,
    pub last_ts: i64,
    pub from: String,
    pub to: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pnl {
    pub realized: Money,
    pub unrealized: Money,
    pub fees: Money,
    /// `realized + unrealized − fees`.
    pub total: Money,
    /// The currencies of the symbols traded (the sums above add them up as they are: trade
    /// one currency per backtest for a meaningful total).
    pub currencies: Vec<String>,
}

/// `report.json`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub robot: String,
    /// The plugin's build label (crate, version, file hash).
    pub build: String,
    pub plugin: String,
    pub data: DataSummary,
    pub params: serde_json::Value,
    pub symbols: Vec<String>,
    pub seed: u64,
    /// Events the robot handled, `Start` and `Stop` included.
    pub events: u64,
    /// Orders the exchange took.
    pub orders: u64,
    /// Orders by final status.
    pub order_statuses: BTreeMap<String, u64>,
    /// Executions.
    pub fills: u64,
    /// Round trips: a position closed to flat or flipped through zero.
    pub trades: u64,
    pub volume: i64,
    /// In the specs' currency (price points × lots for a symbol without one), marked at the last quote mid.
    pub pnl: Pnl,
    pub per_symbol: BTreeMap<String, SymbolPnl>,
    pub final_position: BTreeMap<String, i64>,
    pub capital: Money,
    pub final_equity: Money,
    pub max_drawdown: Drawdown,
    pub counts: Counts,
    /// The pre-trade checks (`--risk`); `null` without them.
    pub risk: Option<RiskSummary>,
    /// SHA-256 of the robot's snapshot at the end (as its journal would record it).
    pub state_hash: String,
}

/// What the pre-trade checks did over the run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RiskSummary {
    /// The trading state at the end: `ACTIVE`, `REDUCING` or `HALTED`.
    pub state: crate::risk::TradingState,
    /// Orders and amends denied, in all and by code.
    pub denied: u64,
    pub denied_by_code: BTreeMap<&'static str, u64>,
    /// Cancels over the `cancels` rate (passed, only counted).
    pub cancels_over_rate: u64,
}

/// A finished backtest: the report, and the files written into its folder.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub report: Report,
    pub dir: PathBuf,
    pub files: Vec<PathBuf>,
}

pub(super) struct Inputs {
    pub sim: Sim,
    pub ledger: super::ledger::Ledger,
    pub args: CreateArgs,
    pub build: String,
    pub plugin_file: String,
    pub data_file: String,
    pub data_sha256: String,
    pub bad_rows: u64,
    pub first_ts: i64,
    pub last_ts: i64,
    pub state_hash: [u8; 32],
}

pub(super) fn build(i: Inputs) -> Report {
    let mut sim = i.sim;
    let risk = sim.risk_summary();
    let ledger = i.ledger;
    let per_symbol = ledger.per_symbol();
    let sum = |f: fn(&SymbolPnl) -> Money| per_symbol.values().map(f).sum::<Money>();
    let (realized, unrealized) = (sum(|s| s.realized), sum(|s| s.unrealized));
    let fees = sum(|s| s.fees);
    Report {
        robot: i.args.name.clone(),
        build: i.build,
        plugin: i.plugin_file,
        data: DataSummary {
            file: i.data_file,
            sha256: i.data_sha256,
            rows: sim.counts.rows,
            bad_rows_skipped: i.bad_rows,
            first_ts: i.first_ts,
            last_ts: i.last_ts,
            from: fmt_ts(i.first_ts),
            to: fmt_ts(i.last_ts),
        },
        params: params_to_json(&i.args.params),
        symbols: i.args.symbols.clone(),
        seed: i.args.seed,
        events: sim.events(),
        orders: sim.counts.orders,
        order_statuses: sim.order_statuses(),
        fills: sim.fills_booked,
        trades: per_symbol.values().map(|s| s.round_trips).sum(),
        volume: per_symbol.values().map(|s| s.volume).sum(),
        pnl: Pnl {
            realized,
            unrealized,
            fees,
            total: realized + unrealized - fees,
            currencies: {
                let mut c: Vec<String> = per_symbol
                    .values()
                    .filter_map(|s| s.currency.clone())
                    .collect();
                c.sort();
                c.dedup();
                c
            },
        },
        final_position: per_symbol
            .iter()
            .map(|(k, s)| (k.clone(), s.position))
            .collect(),
        per_symbol,
        capital: ledger.capital(),
        final_equity: ledger.equity(),
        max_drawdown: ledger.drawdown().clone(),
        counts: sim.counts.clone(),
        risk,
        state_hash: crate::journal::format::hex(&i.state_hash),
    }
}

impl Outcome {
    /// The few lines printed after a run.
    pub fn summary(&self) -> String {
        let r = &self.report;
        let mut s = String::new();
        let _ = writeln!(s, "backtest {} ({})", r.robot, r.build);
        let _ = writeln!(
            s,
            "  data      {}: {} rows, {} .. {}",
            r.data.file, r.data.rows, r.data.from, r.data.to
        );
        let _ = writeln!(
            s,
            "  robot     {} events, {} orders, {} fills, {} round trips, volume {}",
            r.events, r.orders, r.fills, r.trades, r.volume
        );
        let _ = writeln!(
            s,
            "  pnl       realized {}, unrealized {}, fees {}, total {} ({})",
            r.pnl.realized,
            r.pnl.unrealized,
            r.pnl.fees,
            r.pnl.total,
            if r.pnl.currencies.is_empty() {
                "price points".to_string()
            } else {
                r.pnl.currencies.join("+")
            }
        );
        let pct = match r.max_drawdown.pct {
            Some(p) => format!("; max {p:.2}% of the high it fell from"),
            None => " (no %: equity never rose above 0; give --capital)".into(),
        };
        let _ = writeln!(s, "  drawdown  max {}{pct}", r.max_drawdown.abs);
        let pos: Vec<String> = r
            .final_position
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        let pos = if pos.is_empty() {
            "flat (no fills)".to_string()
        } else {
            pos.join(", ")
        };
        let _ = writeln!(s, "  position  {pos}");
        s
    }
}
