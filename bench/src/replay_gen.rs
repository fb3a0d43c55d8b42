//! A realistic journal for the replay bench: a robot driven through the backtest's loop
//! ([`Sim`]: the live `RobotCore`, the live simulated exchange behind the store's order rules)
//! on a seeded quote walk, with its journal on, exactly as the robot thread writes it.

use super::records::{quote_walk, T0};
use anyhow::{anyhow, bail};
use robofleet::backtest::{Accounts, Ledger, Sim};
use robofleet::journal::JournalOptions;
use robofleet::plugin::LoadedPlugin;
use robofleet::robot::recovery::{self, JournalSpec};
use robofleet_api::CreateArgs;
use std::path::Path;
use std::sync::Arc;

/// What went into a generated journal.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Generated {
    pub args: Option<CreateArgs>,
    pub build: String,
    pub quotes: u64,
    /// Every event the robot handled: Start, quotes, timers, order updates, fills, Stop.
    pub events: u64,
    pub orders: u64,
    pub cancels: u64,
    pub fills: u64,
    /// Order updates and fills delivered to the robot.
    pub update_events: u64,
    pub end_hash: [u8; 32],
    pub secs: f64,
}

/// Write `dir` (which must not hold a journal yet): the robot with the plugin's default
/// params and symbols, Start, `quotes` quotes and all they lead to, Stop, a graceful end.
pub fn write_journal(
    plugin: &Arc<LoadedPlugin>,
    dir: &Path,
    quotes: u64,
    seed: u64,
) -> anyhow::Result<Generated> {
    let started = std::time::Instant::now();
    let info = &plugin.info;
    let args = CreateArgs {
        name: info.name.clone(),
        params: info.default_params.clone(),
        symbols: info.default_symbols.clone(),
        seed,
        first_order_seq: 1,
    };
    if args.symbols.is_empty() {
        bail!("{} has no default symbols to quote", args.name);
    }
    let spec = JournalSpec {
        dir: dir.to_path_buf(),
        opts: JournalOptions::default(),
    };
    let s = recovery::start(plugin, args.clone(), Some(&spec), T0).map_err(|e| anyhow!(e))?;
    if s.resumed.is_some() {
        bail!("{} already holds a journal", dir.display());
    }
    // The ledger books what the backtest's would (on this thread: there is no report).
    let mut accounts = Accounts::new(Ledger::new(
        &args.name,
        robofleet_api::Money::units(1_000_000),
    ));
    let mut sim = Sim::new(&args.name, s.core, &args.symbols, info.timer_ms);
    sim.start(T0)?;
    let mut last_ts = T0;
    for md in quote_walk(seed, &args.symbols)?.take(quotes as usize) {
        last_ts = md.ts;
        sim.on_row(md)?;
        for note in sim.ledger_notes().drain() {
            accounts.apply(note);
        }
        accounts.fills.clear();
        accounts.ledger.drain_curve();
    }
    let end_hash = sim.stop(last_ts)?;
    Ok(Generated {
        args: Some(args),
        build: plugin.build_label(),
        quotes,
        events: sim.events(),
        orders: sim.counts.orders,
        cancels: sim.counts.cancels_sent,
        fills: sim.fills_booked,
        update_events: sim.counts.update_events,
        end_hash,
        secs: started.elapsed().as_secs_f64(),
    })
}
