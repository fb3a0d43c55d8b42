//! # Backtest
//!
//! `robofleet backtest`: one robot over historical market data on the live code path (the
//! same [`RobotCore`](crate::robot::core::RobotCore) the live robot loop drives, the same
//! [`SimExchange`](crate::gateway::SimExchange) the gateway drives, the store's own order
//! rules), on one thread (the data file is read and parsed ahead on a second), with time
//! taken only from the data. The same plugin build, data and settings give byte-identical
//! report files on every run.
//!
//! # Layout
//! - `mod.rs`: [`BacktestConfig`], [`run`], [`BacktestError`], `name=value` parameters.
//! - `sim.rs`: [`Sim`], the loop and its fixed event order (see there); also what
//!   `robofleet-bench replay` drives to write a journal.
//! - `ahead.rs`: the data file read and parsed on a second thread, in batches.
//! - `venue.rs`: the live exchange behind the store's order rules; fills and updates out.
//! - `ledger.rs`: positions from fills, PnL marked at the quote mid, equity, drawdown.
//! - `report.rs`: `report.json` and the summary; `stream.rs`: the report folder and
//!   `robot.log`, written as the run goes; `rows.rs`: the ledger, `trades.csv` and
//!   `positions.csv` on a thread of their own, fed the loop's notes (marks and fills).
//! - `plot.rs`: `equity.svg`, drawn without font files.
//! - `timefmt.rs`: data timestamps as RFC 3339 text.

mod ahead;
mod ledger;
mod plot;
mod report;
mod rows;
mod sim;
mod stream;
mod timefmt;
mod venue;

pub use ledger::{CurvePoint, Drawdown, Ledger, SymbolPnl};
pub use report::{Outcome, Report};
pub use rows::{Accounts, LedgerInput, LedgerNotes};
pub use sim::{Counts, LogLine, Sim, MAX_FOLLOW_UPS};
pub use timefmt::fmt_ts;

use crate::feed::csv::{CsvReader, RowError};
use crate::feed::FeedError;
use crate::fleet::seed_for;
use crate::plugin::{load_plugin, PluginError};
use crate::robot::core::CoreError;
use crate::robot::recovery;
use robofleet_api::{CreateArgs, Money, ParamValue, Params};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum BacktestError {
    #[error("plugin {0}: no such file")]
    PluginMissing(PathBuf),
    #[error(transparent)]
    Plugin(#[from] PluginError),
    #[error("robot {robot}: {reason}")]
    Create { robot: String, reason: String },
    #[error("data file {path}: {error}")]
    DataIo {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "{path}:{line}: bad row: {error} (format: docs/feed.md; --skip-bad-rows skips such rows)"
    )]
    BadRow {
        path: PathBuf,
        line: u64,
        error: RowError,
    },
    #[error(
        "{path}:{line}: ts {ts} is before the previous row's {prev}: rows must be in time order"
    )]
    TimeOrder {
        path: PathBuf,
        line: u64,
        ts: i64,
        prev: i64,
    },
    #[error("{0}: no market data rows")]
    NoData(PathBuf),
    #[error("robot failed at event #{seq} ({kind}): {error}")]
    Robot {
        seq: u64,
        kind: &'static str,
        error: CoreError,
    },
    #[error("the robot answered its own order events more than {limit} times after the row at ts {ts} without new market data: a loop in the robot?")]
    Runaway { ts: i64, limit: u64 },
    #[error("parameter {0:?} is not name=value")]
    BadParam(String),
    #[error("cannot write {path}: {error}")]
    Write {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot draw the equity curve: {0}")]
    Plot(String),
}

/// What to backtest, and how.
#[derive(Clone, Debug)]
pub struct BacktestConfig {
    pub plugin: PathBuf,
    pub data: PathBuf,
    /// Merged over the plugin's default params.
    pub params: Params,
    /// `None`: the plugin's default symbols.
    pub symbols: Option<Vec<String>>,
    /// `None`: the server's default for the robot's name.
    pub seed: Option<u64>,
    /// `None`: the plugin's own name.
    pub name: Option<String>,
    /// Starting equity (for the drawdown in percent); PnL is in the specs' currency.
    pub capital: Money,
    /// Skip (and count) malformed rows instead of stopping at the first.
    pub skip_bad_rows: bool,
    /// The instrument registry the venue checks orders against and the robot is given.
    pub instruments: Vec<robofleet_api::Instrument>,
    /// Pre-trade limits (`risk.toml`); `None`: no checks.
    pub risk: Option<std::sync::Arc<crate::risk::RiskFile>>,
}

impl BacktestConfig {
    pub fn new(plugin: impl Into<PathBuf>, data: impl Into<PathBuf>) -> Self {
        BacktestConfig {
            plugin: plugin.into(),
            data: data.into(),
            params: Params::new(),
            symbols: None,
            seed: None,
            name: None,
            capital: Money::ZERO,
            skip_bad_rows: false,
            // The shipped registry parses: a unit test holds it to that.
            instruments: crate::instruments::parse(crate::instruments::SHIPPED).unwrap_or_default(),
            risk: None,
        }
    }
}

/// `name=value` pairs as params: an integer, else a finite float, else a bool, else a string
/// (as `robofleet ctl set-params` reads them).
pub fn params_from_pairs<S: AsRef<str>>(pairs: &[S]) -> Result<Params, BacktestError> {
    let mut params = Params::new();
    for pair in pairs {
        let pair = pair.as_ref();
        let Some((k, v)) = pair.split_once('=').filter(|(k, _)| !k.trim().is_empty()) else {
            return Err(BacktestError::BadParam(pair.to_string()));
        };
        let value = if let Ok(i) = v.parse::<i64>() {
            ParamValue::Int(i)
        } else if let Some(f) = v.parse::<f64>().ok().filter(|f| f.is_finite()) {
            ParamValue::Float(f)
        } else if let Ok(b) = v.parse::<bool>() {
            ParamValue::Bool(b)
        } else {
            ParamValue::Str(v.to_string())
        };
        params.0.insert(k.trim().to_string(), value);
    }
    Ok(params)
}

/// Removes the private plugin folder once the plugin (declared after it) is unloaded.
struct PrivateDir(PathBuf);

impl Drop for PrivateDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// Run the backtest, writing the report into `out` (default `backtest-<robot>`) as it goes:
/// rows as they happen, `report.json` and `equity.svg` at the end.
pub fn run(cfg: &BacktestConfig, out: Option<&Path>) -> Result<Outcome, BacktestError> {
    if !cfg.plugin.is_file() {
        return Err(BacktestError::PluginMissing(cfg.plugin.clone()));
    }
    let data_io = |error| BacktestError::DataIo {
        path: cfg.data.clone(),
        error,
    };
    // The data's hash is taken on a thread of its own while the backtest runs.
    let data_path = cfg.data.clone();
    let data_sha256 = std::thread::spawn(move || sha256_file(&data_path));
    let feed_err = |e: FeedError| match e {
        FeedError::Io { source, .. } => data_io(source),
        other => data_io(std::io::Error::other(other.to_string())),
    };
    let mut rows =
        ahead::RowsAhead::spawn(CsvReader::open(&cfg.data).map_err(feed_err)?).map_err(data_io)?;

    let private =
        PrivateDir(std::env::temp_dir().join(format!("robofleet-backtest-{}", std::process::id())));
    let plugin = Arc::new(load_plugin(&cfg.plugin, &private.0)?);
    let info = &plugin.info;
    let name = match (&cfg.name, info.name.is_empty()) {
        (Some(n), _) => n.clone(),
        (None, false) => info.name.clone(),
        (None, true) => file_name(&cfg.plugin)
            .trim_start_matches("lib")
            .trim_end_matches(".so")
            .to_string(),
    };
    let args = CreateArgs {
        name: name.clone(),
        params: info.default_params.merged(&cfg.params),
        symbols: cfg
            .symbols
            .clone()
            .unwrap_or_else(|| info.default_symbols.clone()),
        seed: cfg.seed.unwrap_or_else(|| seed_for(&name)),
        first_order_seq: 1,
    };
    for key in cfg.params.0.keys() {
        if !info.default_params.0.contains_key(key) {
            tracing::warn!("parameter {key:?} is not one of the robot's defaults");
        }
    }
    // No journal, so no wall clock: the time argument is only ever written to a journal.
    let started = recovery::start(&plugin, args.clone(), None, 0).map_err(|reason| {
        BacktestError::Create {
            robot: name.clone(),
            reason,
        }
    })?;
    let mut ledger = Ledger::new(&name, cfg.capital);
    ledger.set_instruments(cfg.instruments.iter().cloned().collect());
    let mut core = started.core;
    // The venue is in this process and never repeats itself: nothing to deduplicate.
    core.trust_updates();
    if let Some(file) = &cfg.risk {
        let specs = cfg.instruments.iter().cloned().collect();
        core = core.with_risk(crate::risk::RiskEngine::new(
            &name,
            file.for_robot(&name),
            specs,
        ));
    }
    let mut sim = sim::Sim::new(&name, core, &args.symbols, info.timer_ms)
        .with_feeds(info.feeds)
        .with_instruments(&cfg.instruments);
    let dir = out.map_or_else(
        || PathBuf::from(format!("backtest-{name}")),
        Path::to_path_buf,
    );
    let mut writer = stream::ReportWriter::create(&dir, ledger)?;

    let (mut first_ts, mut last_ts, mut bad_rows) = (None::<i64>, i64::MIN, 0u64);
    loop {
        let (line_no, row) = match rows.next_row().map_err(feed_err)? {
            None => break,
            Some(row) => row,
        };
        let md = match row {
            Ok(md) => md,
            Err(_) if cfg.skip_bad_rows => {
                bad_rows += 1;
                continue;
            }
            Err(error) => {
                return Err(BacktestError::BadRow {
                    path: cfg.data.clone(),
                    line: line_no,
                    error,
                })
            }
        };
        if md.ts < last_ts {
            return Err(BacktestError::TimeOrder {
                path: cfg.data.clone(),
                line: line_no,
                ts: md.ts,
                prev: last_ts,
            });
        }
        if first_ts.is_none() {
            first_ts = Some(md.ts);
            sim.ledger_notes().start(md.ts);
            sim.start(md.ts)?;
        }
        last_ts = md.ts;
        rows.reuse_symbol(sim.on_row(md)?);
        sim.drain_into(&mut writer)?;
    }
    let Some(first_ts) = first_ts else {
        return Err(BacktestError::NoData(cfg.data.clone()));
    };
    let state_hash = sim.stop(last_ts)?;
    sim.drain_into(&mut writer)?;
    let ledger = writer.close_ledger(sim.ledger_notes())?;
    let report = report::build(report::Inputs {
        sim,
        ledger,
        args,
        build: plugin.build_label(),
        plugin_file: file_name(&cfg.plugin),
        data_file: file_name(&cfg.data),
        data_sha256: data_sha256
            .join()
            .map_err(|_| data_io(std::io::Error::other("the data hash thread panicked")))?
            .map_err(data_io)?,
        bad_rows,
        first_ts,
        last_ts,
        state_hash,
    });
    let files = writer.finish(&report)?;
    Ok(Outcome { report, dir, files })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn sha256_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut buf)? {
            0 => break,
            n => hasher.update(&buf[..n]),
        }
    }
    Ok(crate::journal::format::hex(&hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_parse_like_ctl() {
        let p = params_from_pairs(&["fast=3", "k=1.5", "on=true", "mode=x=y"]).unwrap();
        assert_eq!(p.i64("fast"), Some(3));
        assert_eq!(p.f64("k"), Some(1.5));
        assert_eq!(p.bool("on"), Some(true));
        assert_eq!(p.str("mode"), Some("x=y"));
        assert!(matches!(
            params_from_pairs(&["fast"]),
            Err(BacktestError::BadParam(_))
        ));
        assert!(params_from_pairs(&["=3"]).is_err());
    }
}
