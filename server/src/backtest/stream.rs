//! The report files written as the backtest runs, so memory does not grow with the data:
//! `trades.csv`, `positions.csv` (on the ledger's thread, `rows.rs`) and `robot.log` a row
//! at a time, and the equity curve for `equity.svg` kept to a bounded number of points (each
//! stretch's low and high).

use super::ledger::Ledger;
use super::plot::{decimate, MAX_POINTS};
use super::report::Report;
use super::rows::{AccountsThread, LedgerNotes};
use super::sim::LogLine;
use super::timefmt::TsWriter;
use super::{plot, BacktestError};
use robofleet_api::LogLevel;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

const TRADES_HEADER: &str =
    "ts,time,exec_id,client_id,symbol,side,qty,price,fee,position,realized_pnl\n";
const POSITIONS_HEADER: &str =
    "ts,time,symbol,position,avg_price,mark,realized_pnl,unrealized_pnl,fees,equity,drawdown\n";

/// The equity curve as a step line over data time, thinned as it grows.
#[derive(Debug)]
pub struct EquitySteps {
    t0: Option<i64>,
    points: Vec<(f64, f64)>,
    last: f64,
}

impl EquitySteps {
    pub(super) fn new(capital: f64) -> Self {
        EquitySteps {
            t0: None,
            points: Vec::new(),
            last: capital,
        }
    }

    fn x(&self, ts: i64) -> f64 {
        (ts - self.t0.unwrap_or(ts)) as f64 / 1e9
    }

    /// The data's first time: x = 0.
    pub fn start(&mut self, ts: i64) {
        if self.t0.is_none() {
            self.t0 = Some(ts);
            self.points.push((0.0, self.last));
        }
    }

    pub(super) fn push(&mut self, ts: i64, equity: f64) {
        let x = self.x(ts);
        // Equity holds until the next change: a step.
        self.points.push((x, self.last));
        self.points.push((x, equity));
        self.last = equity;
        if self.points.len() > 4 * MAX_POINTS {
            self.points = decimate(std::mem::take(&mut self.points), 2 * MAX_POINTS);
        }
    }

    /// Every point to draw, up to the data's last time.
    pub fn finish(mut self, t1: i64) -> Vec<(f64, f64)> {
        let x = self.x(t1);
        let last = self.last;
        self.points.push((x, last));
        decimate(self.points, MAX_POINTS)
    }
}

/// The report folder, filled as the run goes: in a hidden folder beside it that takes its
/// place only when the run has finished, so a failed backtest leaves no report.
pub struct ReportWriter {
    /// Where the report goes once complete.
    target: PathBuf,
    /// Where it is written meanwhile (removed if the run fails).
    dir: PathBuf,
    finished: bool,
    /// The ledger, `trades.csv` and `positions.csv`, on a thread of their own.
    accounts: AccountsThread,
    /// The equity curve, once the ledger's thread has given it back.
    equity: Option<EquitySteps>,
    log: BufWriter<File>,
    /// One row of `robot.log` as it is made (reused: no allocation a row).
    line: Vec<u8>,
    times: TsWriter,
}

fn open(dir: &Path, name: &str, header: &str) -> Result<BufWriter<File>, BacktestError> {
    let path = dir.join(name);
    let mut w = File::create(&path)
        .map(|f| BufWriter::with_capacity(1 << 16, f))
        .map_err(|error| BacktestError::Write {
            path: path.clone(),
            error,
        })?;
    w.write_all(header.as_bytes())
        .map_err(|error| BacktestError::Write { path, error })?;
    Ok(w)
}

/// A row file that could not be written (its path made only then).
fn write_error(dir: &Path, name: &str, error: std::io::Error) -> BacktestError {
    BacktestError::Write {
        path: dir.join(name),
        error,
    }
}

impl ReportWriter {
    /// Start the report that will be `target`, its row files and the thread that keeps
    /// `ledger`.
    pub fn create(target: &Path, ledger: Ledger) -> Result<Self, BacktestError> {
        let capital = ledger.capital().to_f64();
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "backtest".into());
        let dir = target.with_file_name(format!(".{name}.partial-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|error| BacktestError::Write {
            path: dir.clone(),
            error,
        })?;
        Ok(ReportWriter {
            target: target.to_path_buf(),
            accounts: AccountsThread::spawn(
                ledger,
                EquitySteps::new(capital),
                open(&dir, "trades.csv", TRADES_HEADER)?,
                open(&dir, "positions.csv", POSITIONS_HEADER)?,
            )
            .map_err(|error| BacktestError::Write {
                path: dir.join("positions.csv"),
                error,
            })?,
            equity: None,
            log: open(&dir, "robot.log", "")?,
            line: Vec::with_capacity(256),
            times: TsWriter::default(),
            dir,
            finished: false,
        })
    }

    /// Hand the ledger's notes over, a batch at a time.
    pub fn notes(&mut self, notes: &mut LedgerNotes) {
        self.accounts.take(notes, false);
    }

    /// Every note booked and every row written: the ledger, for the report.
    pub fn close_ledger(&mut self, notes: &mut LedgerNotes) -> Result<Ledger, BacktestError> {
        let write_err = write_error;
        let closed = self
            .accounts
            .close(notes)
            .map_err(|e| write_err(&self.dir, "positions.csv", e))?;
        closed
            .trades
            .map_err(|e| write_err(&self.dir, "trades.csv", e))?;
        closed
            .positions
            .map_err(|e| write_err(&self.dir, "positions.csv", e))?;
        self.equity = Some(closed.equity);
        Ok(closed.ledger)
    }

    pub fn log(&mut self, l: &LogLine) -> Result<(), BacktestError> {
        let level = match l.level {
            LogLevel::Debug => "DEBUG",
            LogLevel::Info => "INFO",
            LogLevel::Warn => "WARN",
            LogLevel::Error => "ERROR",
        };
        let line = &mut self.line;
        line.clear();
        self.times.append(l.ts, line);
        line.push(b' ');
        line.extend_from_slice(level.as_bytes());
        line.push(b' ');
        line.extend_from_slice(l.message.as_bytes());
        line.push(b'\n');
        self.log
            .write_all(line)
            .map_err(|error| write_error(&self.dir, "robot.log", error))
    }

    /// Flush `robot.log`, then write `report.json` and `equity.svg`; every file's path.
    /// [`ReportWriter::close_ledger`] first.
    pub fn finish(mut self, report: &Report) -> Result<Vec<PathBuf>, BacktestError> {
        self.log.flush().map_err(|error| BacktestError::Write {
            path: self.dir.join("robot.log"),
            error,
        })?;
        let json = serde_json::to_string_pretty(report)
            .map_err(|e| BacktestError::Plot(format!("report: {e}")))?;
        let equity = self.equity.take().unwrap_or_else(|| EquitySteps::new(0.0));
        let svg = plot::equity_svg(report, equity.finish(report.data.last_ts))?;
        for (name, body) in [("report.json", json + "\n"), ("equity.svg", svg)] {
            let path = self.dir.join(name);
            std::fs::write(&path, body).map_err(|error| BacktestError::Write {
                path: path.clone(),
                error,
            })?;
        }
        // The finished report takes the place of any earlier one.
        let _ = std::fs::remove_dir_all(&self.target);
        std::fs::rename(&self.dir, &self.target).map_err(|error| BacktestError::Write {
            path: self.target.clone(),
            error,
        })?;
        self.finished = true;
        Ok([
            "report.json",
            "trades.csv",
            "positions.csv",
            "robot.log",
            "equity.svg",
        ]
        .iter()
        .map(|n| self.target.join(n))
        .collect())
    }
}

impl Drop for ReportWriter {
    fn drop(&mut self) {
        if !self.finished {
            // The ledger's thread writes no more before its files go.
            self.accounts.stop();
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
