//! # ma_cross: moving-average crossover
//!
//! For every traded symbol the robot keeps the last `slow` quote mids `(bid + ask) / 2`. Once it
//! has `slow` of them it compares the simple moving average of the last `fast` mids with the one
//! of all `slow`: when the fast average crosses above the slow one the robot wants to be long
//! `qty`, when it crosses below it wants to be short `qty` (both clamped to `max_position`).
//! It then sends market orders until its position matches that target.
//!
//! * Position comes only from `Fill` events: an order can be partly filled, cancelled or
//!   rejected, so what was sent says little about what is held.
//! * At most one order per symbol is outstanding. It stays outstanding until a terminal
//!   `OrderUpdate` (Filled / Cancelled / Rejected) **and** every fill that update reports has
//!   arrived, so the robot never re-sends because a status overtook its fill.
//! * A rejected order stops trading the symbol until the next crossover, so a venue that
//!   rejects everything does not get one order per quote.
//! * Quotes for symbols it does not trade, or with a zero / non-finite side, are ignored.
//!
//! ## Params
//! | name | type | default | meaning |
//! | --- | --- | --- | --- |
//! | `fast` | int | 5 | length of the fast average, in quotes (>= 1) |
//! | `slow` | int | 20 | length of the slow average, in quotes (> `fast`, <= 10000) |
//! | `qty` | int | 1 | size of the long or short target (>= 1) |
//! | `max_position` | int | 5 | absolute position cap (>= 0) |
//!
//! A `Params` event reconfigures the robot (invalid values are logged and ignored). Changing
//! the lengths forgets the last trend so the change itself is not read as a crossover.
//!
//! Default symbols: `["Si"]`.

use robofleet_api::{
    Actions, CreateArgs, Event, EventKind, Fill, LogLevel, OrderUpdate, Params, Price, Quote,
    Robot, RobotInfo,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

mod config;
#[cfg(test)]
mod tests;

pub use config::Config;

/// The order a symbol is waiting on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Outstanding {
    client_id: String,
    /// Quantity of fills received for it so far.
    filled_seen: i64,
    /// Filled quantity the terminal update reported, once one came.
    terminal_filled: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct SymbolState {
    /// Last `slow` mids, oldest first.
    mids: VecDeque<Price>,
    /// Exact sums of the last `slow` and last `fast` mids (nano-units), kept as each mid
    /// arrives: O(1) per quote, whatever the window.
    slow_sum: i128,
    fast_sum: i128,
    /// Sign of (fast MA - slow MA) the last time it was non-zero; 0 until known.
    trend: i8,
    /// The signal being followed: +1 long, -1 short, 0 none yet.
    direction: i8,
    position: i64,
    outstanding: Option<Outstanding>,
    /// Set by a rejection; cleared by the next crossover.
    halted: bool,
}

/// The robot. All of it is state, so all of it goes into the snapshot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MaCross {
    config: Config,
    symbols: BTreeMap<String, SymbolState>,
}

impl MaCross {
    /// Position held in `symbol` according to the fills seen.
    pub fn position(&self, symbol: &str) -> i64 {
        self.symbols.get(symbol).map_or(0, |s| s.position)
    }

    pub fn config(&self) -> Config {
        self.config
    }

    fn on_quote(&mut self, q: &Quote, out: &mut Actions) {
        let config = self.config;
        let Some(sym) = self.symbols.get_mut(&q.symbol) else {
            return;
        };
        if !q.bid.is_positive() || !q.ask.is_positive() {
            return;
        }
        let mid = Price::mid(q.bid, q.ask);
        sym.mids.push_back(mid);
        sym.slow_sum += mid.raw() as i128;
        sym.fast_sum += mid.raw() as i128;
        if sym.mids.len() > config.fast {
            // The mid that just left the fast window.
            sym.fast_sum -= sym.mids[sym.mids.len() - 1 - config.fast].raw() as i128;
        }
        if sym.mids.len() > config.slow {
            if let Some(old) = sym.mids.pop_front() {
                sym.slow_sum -= old.raw() as i128;
            }
        }
        if sym.mids.len() == config.slow {
            // fast_sum / fast vs slow_sum / slow, compared exactly by cross-multiplying.
            let (fast, slow) = (config.fast as i128, config.slow as i128);
            let sign = (sym.fast_sum * slow).cmp(&(sym.slow_sum * fast)) as i8;
            if sign != 0 {
                if sym.trend != 0 && sign != sym.trend {
                    // The averages for the log, exact to 10⁻⁹ (rounded down): no float
                    // formatting, and the 128-bit divisions only at a crossing.
                    let average = |sum: i128, n: i128| Price::from_raw((sum / n) as i64);
                    let (fast_ma, slow_ma) =
                        (average(sym.fast_sum, fast), average(sym.slow_sum, slow));
                    sym.direction = sign;
                    sym.halted = false;
                    out.info(format!(
                        "{}: fast {fast_ma} crossed {} slow {slow_ma}, target {}",
                        q.symbol,
                        if sign > 0 { "above" } else { "below" },
                        config.target(sign)
                    ));
                }
                sym.trend = sign;
            }
        }
        rebalance(&q.symbol, sym, &config, out);
    }

    fn on_fill(&mut self, f: &Fill, out: &mut Actions) {
        let config = self.config;
        let Some(sym) = self.symbols.get_mut(&f.symbol) else {
            out.log(
                LogLevel::Warn,
                format!("fill {} for untraded symbol {}", f.client_id, f.symbol),
            );
            return;
        };
        if f.qty <= 0 {
            out.log(LogLevel::Warn, format!("ignoring fill with qty {}", f.qty));
            return;
        }
        sym.position = sym.position.saturating_add(f.side.sign() * f.qty);
        if let Some(o) = sym.outstanding.as_mut() {
            if o.client_id == f.client_id {
                o.filled_seen = o.filled_seen.saturating_add(f.qty);
                if o.terminal_filled.is_some_and(|t| o.filled_seen >= t) {
                    sym.outstanding = None;
                }
            }
        }
        // An unexpected fill moves the position off target: correct it now, not at the next quote.
        rebalance(&f.symbol, sym, &config, out);
    }

    fn on_order_update(&mut self, u: &OrderUpdate, out: &mut Actions) {
        let Some(sym) = self.symbols.get_mut(&u.symbol) else {
            return;
        };
        let Some(o) = sym.outstanding.as_mut() else {
            return;
        };
        if o.client_id != u.client_id || !u.status.is_terminal() {
            return;
        }
        if u.status == robofleet_api::OrderStatus::Rejected {
            sym.halted = true;
            out.log(
                LogLevel::Warn,
                format!(
                    "{} rejected ({}): not trading {} until the next crossover",
                    u.client_id,
                    u.reason.as_deref().unwrap_or("no reason"),
                    u.symbol
                ),
            );
        }
        // Deliberately no rebalance here: the fills this update reports may not have arrived,
        // and the position they change is what the next order must be sized from.
        if o.filled_seen >= u.filled_qty {
            sym.outstanding = None;
        } else {
            o.terminal_filled = Some(u.filled_qty);
        }
    }

    fn on_params(&mut self, p: &Params, out: &mut Actions) {
        match Config::from_params(p) {
            Ok(new) => {
                if (new.fast, new.slow) != (self.config.fast, self.config.slow) {
                    for sym in self.symbols.values_mut() {
                        sym.trend = 0;
                    }
                }
                self.config = new;
                out.info(format!("reconfigured: {new:?}"));
            }
            Err(e) => out.log(LogLevel::Warn, format!("params ignored: {e}")),
        }
    }
}

/// Send a market order towards the target unless one is already on its way.
fn rebalance(symbol: &str, sym: &mut SymbolState, config: &Config, out: &mut Actions) {
    if sym.direction == 0 || sym.halted || sym.outstanding.is_some() {
        return;
    }
    let delta = config.target(sym.direction).saturating_sub(sym.position);
    let client_id = match delta {
        0 => return,
        d if d > 0 => out.buy_market(symbol, d),
        d => out.sell_market(symbol, d.saturating_neg()),
    };
    sym.outstanding = Some(Outstanding {
        client_id,
        filled_seen: 0,
        terminal_filled: None,
    });
}

impl Robot for MaCross {
    fn info() -> RobotInfo {
        RobotInfo {
            name: "ma_cross".into(),
            description:
                "Moving-average crossover on quote mids: long when fast > slow, short when below."
                    .into(),
            default_params: Params::new()
                .with("fast", 5)
                .with("slow", 20)
                .with("qty", 1)
                .with("max_position", 5),
            default_symbols: vec!["Si".into()],
            timer_ms: None,
            feeds: robofleet_api::Feeds::QUOTES,
        }
    }

    fn create(args: &CreateArgs) -> Result<Self, String> {
        let config = Config::from_params(&args.params)?;
        let symbols = args
            .symbols
            .iter()
            .map(|s| (s.clone(), SymbolState::default()))
            .collect();
        Ok(MaCross { config, symbols })
    }

    fn on_event(&mut self, event: &Event, out: &mut Actions) {
        match &event.kind {
            EventKind::Start => out.info(format!(
                "ma_cross started on {:?} with {:?}",
                self.symbols.keys().collect::<Vec<_>>(),
                self.config
            )),
            EventKind::Quote(q) => self.on_quote(q, out),
            EventKind::Fill(f) => self.on_fill(f, out),
            EventKind::OrderUpdate(u) => self.on_order_update(u, out),
            EventKind::Params(p) => self.on_params(p, out),
            EventKind::Command { name, .. } => {
                out.log(LogLevel::Warn, format!("unknown command `{name}`"))
            }
            // Positions are left as they are: flattening is the operator's decision. Specs
            // are not needed: this robot sends market orders of whole lots.
            EventKind::Stop
            | EventKind::Trade(_)
            | EventKind::Bar(_)
            | EventKind::Timer { .. }
            | EventKind::Instrument(_)
            | EventKind::Depth(_) => {}
        }
    }

    fn snapshot(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// The snapshot is the whole robot: restoring is decoding it.
    fn restore(_args: &CreateArgs, snapshot: &[u8]) -> Result<Self, String> {
        postcard::from_bytes(snapshot).map_err(|e| format!("bad snapshot: {e}"))
    }
}

robofleet_api::export_robot!(MaCross);
