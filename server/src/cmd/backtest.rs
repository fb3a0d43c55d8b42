//! `robofleet backtest`: one robot over a CSV of market data, on the live code path, with a
//! report (see docs/backtest.md).

use anyhow::Context;
use robofleet::backtest::{self, BacktestConfig};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The robot: a plugin `.so` (e.g. target/release/libma_cross.so).
    #[arg(long)]
    pub plugin: PathBuf,
    /// Market data in the feed's CSV format (docs/feed.md), in time order.
    #[arg(long)]
    pub data: PathBuf,
    /// Parameters over the plugin's defaults: `--params fast=3 slow=12` (repeatable).
    #[arg(long, value_name = "NAME=VALUE", num_args = 1..)]
    pub params: Vec<String>,
    /// Symbols to trade (default: the plugin's).
    #[arg(long, value_delimiter = ',')]
    pub symbols: Option<Vec<String>>,
    /// The robot's random seed (default: the server's for its name).
    #[arg(long)]
    pub seed: Option<u64>,
    /// The robot's name (default: the plugin's); order ids are `<name>-<n>`.
    #[arg(long)]
    pub name: Option<String>,
    /// Starting equity, for the drawdown in percent (PnL is in the instruments' currency).
    #[arg(long, default_value = "0")]
    pub capital: robofleet_api::Money,
    /// The instrument registry (format: docs/instruments.md; default: the shipped one, Si and
    /// RTS on MOEX).
    #[arg(long)]
    pub instruments: Option<PathBuf>,
    /// Pre-trade limits (format: docs/risk.md; default: none, nothing is checked).
    #[arg(long)]
    pub risk: Option<PathBuf>,
    /// Skip and count malformed rows instead of stopping at the first one.
    #[arg(long)]
    pub skip_bad_rows: bool,
    /// Where the report goes (default: backtest-<robot>).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let mut cfg = BacktestConfig::new(&args.plugin, &args.data);
    cfg.params = backtest::params_from_pairs(&args.params)?;
    cfg.symbols = args.symbols;
    cfg.seed = args.seed;
    cfg.name = args.name;
    cfg.capital = args.capital;
    cfg.skip_bad_rows = args.skip_bad_rows;
    if let Some(path) = &args.instruments {
        cfg.instruments = robofleet::instruments::load(path)?;
    }
    if let Some(path) = &args.risk {
        cfg.risk = Some(std::sync::Arc::new(robofleet::risk::RiskFile::load(path)?));
    }
    let outcome = backtest::run(&cfg, args.out.as_deref()).context("backtest failed")?;
    let out = &outcome.dir;
    let names: Vec<String> = outcome
        .files
        .iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    // A closed pipe (`backtest ... | head`) is not worth a panic: the report is written.
    let mut stdout = std::io::stdout().lock();
    let _ = write!(stdout, "{}", outcome.summary());
    let _ = writeln!(
        stdout,
        "  report    {}/ ({})",
        out.display(),
        names.join(", ")
    );
    Ok(())
}
