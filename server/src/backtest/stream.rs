//! The report files written as the backtest runs, so memory does not grow with the data:
//! `trades.csv`, `positions.csv` and `robot.log` a row at a time, and the equity curve for
//! `equity.svg` kept to a bounded number of points (each stretch's low and high).

use super::ledger::CurvePoint;
use super::plot::{decimate, MAX_POINTS};
use super::report::Report;
use super::rows::append_int;
use super::sim::{FillRow, LogLine};
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
    fn new(capital: f64) -> Self {
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

    fn push(&mut self, ts: i64, equity: f64) {
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
    trades: BufWriter<File>,
    /// `positions.csv`, written on its own thread.
    positions: super::rows::RowWriter,
    log: BufWriter<File>,
    /// One row of `trades.csv` or `robot.log` as it is made (reused: no allocation a row).
    line: Vec<u8>,
    times: TsWriter,
    pub equity: EquitySteps,
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
    /// Start the report that will be `target` and its row files.
    pub fn create(target: &Path, capital: f64) -> Result<Self, BacktestError> {
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
            trades: open(&dir, "trades.csv", TRADES_HEADER)?,
            positions: super::rows::RowWriter::spawn(open(
                &dir,
                "positions.csv",
                POSITIONS_HEADER,
            )?)
            .map_err(|error| BacktestError::Write {
                path: dir.join("positions.csv"),
                error,
            })?,
            log: open(&dir, "robot.log", "")?,
            line: Vec::with_capacity(256),
            times: TsWriter::default(),
            equity: EquitySteps::new(capital),
            dir,
            finished: false,
        })
    }

    pub fn fill(&mut self, f: &FillRow) -> Result<(), BacktestError> {
        let t = &f.trade;
        let line = &mut self.line;
        line.clear();
        append_int(t.ts_ns, line);
        line.push(b',');
        self.times.append(t.ts_ns, line);
        for text in [&t.exec_id, &t.client_id, &t.symbol] {
            line.push(b',');
            line.extend_from_slice(text.as_bytes());
        }
        line.push(b',');
        line.extend_from_slice(match t.side {
            robofleet_api::Side::Buy => &b"Buy"[..],
            robofleet_api::Side::Sell => &b"Sell"[..],
        });
        line.push(b',');
        append_int(t.qty, line);
        line.push(b',');
        t.price.append_to(line);
        line.push(b',');
        t.fee.append_to(line);
        line.push(b',');
        append_int(f.position, line);
        line.push(b',');
        f.realized.append_to(line);
        line.push(b'\n');
        self.trades
            .write_all(line)
            .map_err(|error| write_error(&self.dir, "trades.csv", error))
    }

    pub fn point(&mut self, p: CurvePoint) -> Result<(), BacktestError> {
        self.equity.push(p.ts, p.equity.to_f64());
        self.positions
            .push(p)
            .map_err(|error| BacktestError::Write {
                path: self.dir.join("positions.csv"),
                error,
            })
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

    /// Flush the rows, then write `report.json` and `equity.svg`; every file's path.
    pub fn finish(mut self, report: &Report) -> Result<Vec<PathBuf>, BacktestError> {
        self.positions
            .finish()
            .map_err(|error| BacktestError::Write {
                path: self.dir.join("positions.csv"),
                error,
            })?;
        for (name, w) in [
            ("trades.csv", &mut self.trades),
            ("robot.log", &mut self.log),
        ] {
            w.flush().map_err(|error| BacktestError::Write {
                path: self.dir.join(name),
                error,
            })?;
        }
        let json = serde_json::to_string_pretty(report)
            .map_err(|e| BacktestError::Plot(format!("report: {e}")))?;
        let equity = std::mem::replace(&mut self.equity, EquitySteps::new(0.0));
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
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}
