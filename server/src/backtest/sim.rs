//! The backtest loop: one thread, the live [`RobotCore`], and the [`Venue`] (the live
//! exchange behind the store's rules).
//!
//! For each data row, in this order:
//! 1. timers due at or before the row's `ts` (when the robot asks for them);
//! 2. the row marks the ledger (a quote's mid), then goes to the exchange, which may fill
//!    resting orders; what that produces waits in the queue;
//! 3. the robot gets the row (if it trades that symbol); its orders and cancels go to the
//!    exchange at once, and what they produce joins the queue behind the row's own;
//! 4. the queue is delivered first in, first out: each fill, then the order update that
//!    reports it, exactly as the gateway writes them and the trade-updates thread delivers
//!    them. Whatever the robot does about them joins the back of the queue.
//!
//! Only then does the next row come. Every timestamp is the data's.

use super::rows::LedgerNotes;
use super::venue::{Out, Venue};
use super::BacktestError;
use crate::market::book::{Books, Rebuilt};
use crate::market::{MarketData, MarketKind};
use crate::robot::core::{Processed, RobotCore};
use crate::store::Trade;
use robofleet_api::{Action, EventKind, LogLevel};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Robot events that may follow one data row before the robot counts as runaway (an order
/// answered with an order, forever, without the market moving).
pub const MAX_FOLLOW_UPS: u64 = 1_000_000;

/// A robot's `Log` action, at the data time of the event that produced it.
#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    pub ts: i64,
    pub level: LogLevel,
    pub message: String,
}

/// What happened, counted.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Data rows read (every symbol).
    pub rows: u64,
    /// Rows of the robot's symbols: the market data it saw.
    pub market_events: u64,
    pub timer_events: u64,
    /// Order updates and fills delivered to the robot.
    pub update_events: u64,
    /// Orders the exchange took (accepted or rejected by it).
    pub orders: u64,
    pub cancels_sent: u64,
    /// Orders the store rules refused (duplicate id, non-finite price): the robot was told
    /// `Rejected`, as the live loop does.
    pub store_refused: u64,
    /// Cancels of orders never sent, and exchange output the store rules refused.
    pub store_errors: u64,
    /// Order updates and fills produced by the robot's answer to `Stop` (fills are in the
    /// ledger; the robot has ended and is not told).
    pub after_stop: u64,
    pub logs: u64,
    /// Depth updates out of sequence (each book then waits for a snapshot), and updates
    /// dropped while one waited.
    pub depth_gaps: u64,
    pub depth_stale: u64,
    /// Orders and amends the pre-trade checks denied (the robot was told each, `Denied`).
    pub risk_denied: u64,
}

pub struct Sim {
    core: RobotCore,
    venue: Venue,
    queue: VecDeque<(i64, EventKind)>,
    /// Fills the venue made that the ledger has not taken yet.
    new_fills: Vec<Trade>,
    symbols: BTreeSet<String>,
    /// (period, next due), both ns of data time.
    timer: Option<(i64, i64)>,
    /// What the ledger is to book (marks and fills, in order), not yet handed over by
    /// [`Sim::drain_into`]: the ledger runs on a thread of its own.
    notes: LedgerNotes,
    /// Log lines not yet taken by [`Sim::drain_into`].
    pub logs: Vec<LogLine>,
    /// Fills booked over the whole run.
    pub fills_booked: u64,
    pub counts: Counts,
    /// Specs of the robot's symbols, delivered right after `Start`.
    instruments: Vec<robofleet_api::Instrument>,
    /// Books rebuilt from depth rows, and which market data the robot asked for.
    books: Books,
    feeds: robofleet_api::Feeds,
}

impl Sim {
    /// Deliver the market data the robot asked for (its `RobotInfo::feeds`); quotes only
    /// until this is called.
    pub fn with_feeds(mut self, feeds: robofleet_api::Feeds) -> Self {
        self.feeds = feeds;
        self
    }

    /// Trade on this registry: the venue checks every order against it, and the robot gets
    /// its symbols' specs after `Start`, as a live robot does.
    pub fn with_instruments(mut self, specs: &[robofleet_api::Instrument]) -> Self {
        self.venue.set_instruments(specs.iter().cloned().collect());
        self.instruments = crate::instruments::in_order(specs, |s| self.symbols.contains(s));
        self
    }

    pub fn new(name: &str, core: RobotCore, symbols: &[String], timer_ms: Option<u64>) -> Self {
        Sim {
            core,
            venue: Venue::new(name),
            queue: VecDeque::new(),
            new_fills: Vec::new(),
            symbols: symbols.iter().cloned().collect(),
            timer: timer_ms.map(|ms| (ms.max(1) as i64 * 1_000_000, 0)),
            notes: LedgerNotes::default(),
            logs: Vec::new(),
            fills_booked: 0,
            counts: Counts::default(),
            instruments: Vec::new(),
            books: Books::default(),
            feeds: robofleet_api::Feeds::default(),
        }
    }

    /// Deliver `Start` at the first row's time; timers count from there.
    pub fn start(&mut self, ts: i64) -> Result<(), BacktestError> {
        if let Some((period, next)) = self.timer.as_mut() {
            *next = ts.saturating_add(*period);
        }
        self.deliver(ts, EventKind::Start)?;
        for spec in self.instruments.clone() {
            self.deliver(ts, EventKind::Instrument(spec))?;
        }
        self.drain(ts)
    }

    /// One data row, with everything it leads to. A depth row is first applied to its
    /// symbol's book: the venue and the robot see the whole book (or nothing, while a book
    /// waits for a snapshot after a gap). Returns the row's symbol string, spent, for the
    /// reader to reuse (empty when the row was dropped).
    pub fn on_row(&mut self, md: MarketData) -> Result<String, BacktestError> {
        self.fire_timers(md.ts)?;
        self.counts.rows += 1;
        // A gap empties the book the venue trades against; the robot waits for a snapshot.
        let (mut md, gap) = match self.books.rebuild(md) {
            Rebuilt::Data(md) => (md, false),
            Rebuilt::Gap(emptied) => {
                self.counts.depth_gaps += 1;
                (emptied, true)
            }
            Rebuilt::Stale => {
                self.counts.depth_stale += 1;
                return Ok(String::new());
            }
        };
        match &md.kind {
            MarketKind::Quote { bid, ask, .. } => self.notes.mark(md.ts, &md.symbol, *bid, *ask),
            MarketKind::Depth { bids, asks, .. } => {
                if let (Some(b), Some(a)) = (bids.first(), asks.first()) {
                    self.notes.mark(md.ts, &md.symbol, b.price, a.price);
                }
            }
            MarketKind::Trade { .. } | MarketKind::Bar { .. } => {}
        }
        self.venue.market(
            &md,
            out(&mut self.queue, &mut self.new_fills, &mut self.counts),
        );
        self.book_fills();
        let wanted = match &mut md.kind {
            MarketKind::Quote { .. } => self.feeds.quotes,
            MarketKind::Depth { bids, asks, .. } => {
                bids.truncate(robofleet_api::DEPTH_LEVELS);
                asks.truncate(robofleet_api::DEPTH_LEVELS);
                self.feeds.depth
            }
            MarketKind::Trade { .. } | MarketKind::Bar { .. } => true,
        };
        if wanted && !gap && self.symbols.contains(&md.symbol) {
            self.counts.market_events += 1;
            self.deliver_md(&md)?;
        }
        self.drain(md.ts)?;
        Ok(md.symbol)
    }

    /// Deliver `Stop` at the last row's time; its actions still reach the exchange, but the
    /// robot has ended and hears nothing more. Returns the robot's final state hash.
    pub fn stop(&mut self, ts: i64) -> Result<[u8; 32], BacktestError> {
        self.deliver(ts, EventKind::Stop)?;
        self.counts.after_stop += self.queue.len() as u64;
        self.queue.clear();
        self.core.end(ts).map_err(|error| BacktestError::Robot {
            seq: self.core.seq(),
            kind: "Stop",
            error,
        })
    }

    /// Events numbered so far (`Start` and `Stop` included).
    pub fn events(&self) -> u64 {
        self.core.seq()
    }

    /// Orders by final status, in the API's names (`Working` ones were still open).
    pub fn order_statuses(&self) -> BTreeMap<String, u64> {
        self.venue.order_statuses()
    }

    /// The ledger's notes, for a caller that keeps no report (the notes are otherwise
    /// handed over by [`Sim::drain_into`]).
    pub fn ledger_notes(&mut self) -> &mut LedgerNotes {
        &mut self.notes
    }

    /// Hand what was made since the last call to `w`, so it does not pile up in memory.
    pub fn drain_into(&mut self, w: &mut super::stream::ReportWriter) -> Result<(), BacktestError> {
        w.notes(&mut self.notes);
        for l in self.logs.drain(..) {
            w.log(&l)?;
        }
        Ok(())
    }

    /// Hand the venue's new fills to the ledger, in venue order.
    fn book_fills(&mut self) {
        for trade in self.new_fills.drain(..) {
            self.fills_booked += 1;
            self.notes.fill(trade);
        }
    }

    /// Timers due by `ts`, each at its due time. After a gap in the data longer than a
    /// period, the missed ticks collapse into one, as the live loop fires once after a stall.
    fn fire_timers(&mut self, ts: i64) -> Result<(), BacktestError> {
        while let Some((period, due)) = self.timer.filter(|(_, due)| *due <= ts) {
            let next = next_due(due, period, ts);
            // At the end of time (saturated) the timer stops rather than fire forever.
            self.timer = (next > due).then_some((period, next));
            self.counts.timer_events += 1;
            self.deliver(due, EventKind::Timer { id: 0 })?;
            self.drain(due)?;
        }
        Ok(())
    }

    fn drain(&mut self, row_ts: i64) -> Result<(), BacktestError> {
        let mut n = 0u64;
        while let Some((ts, kind)) = self.queue.pop_front() {
            n += 1;
            if n > MAX_FOLLOW_UPS {
                return Err(BacktestError::Runaway {
                    ts: row_ts,
                    limit: MAX_FOLLOW_UPS,
                });
            }
            self.counts.update_events += 1;
            self.deliver(ts, kind)?;
        }
        Ok(())
    }

    fn deliver(&mut self, ts: i64, kind: EventKind) -> Result<(), BacktestError> {
        let name = kind.name();
        let result = self.core.process(ts, kind);
        self.settle(ts, name, result)
    }

    /// Market data straight to the robot as the record it crosses as (no event built).
    fn deliver_md(&mut self, md: &MarketData) -> Result<(), BacktestError> {
        let name = match md.kind {
            MarketKind::Quote { .. } => "Quote",
            MarketKind::Trade { .. } => "Trade",
            MarketKind::Bar { .. } => "Bar",
            MarketKind::Depth { .. } => "Depth",
        };
        let result = self.core.process_md(md);
        self.settle(md.ts, name, result)
    }

    fn settle(
        &mut self,
        ts: i64,
        name: &'static str,
        result: Result<Processed, crate::robot::core::CoreError>,
    ) -> Result<(), BacktestError> {
        match result {
            Ok(Processed::Actions(actions)) => {
                self.execute(ts, actions);
                Ok(())
            }
            // The exchange never repeats itself, so this does not happen; harmless if it does.
            Ok(Processed::Duplicate) => Ok(()),
            Err(error) => Err(BacktestError::Robot {
                seq: self.core.seq(),
                kind: name,
                error,
            }),
        }
    }

    fn execute(&mut self, ts: i64, actions: Vec<Action>) {
        self.note_state_changes(ts);
        for action in actions {
            if let Err(denial) = self.core.vet(&action) {
                self.counts.risk_denied += 1;
                let out = out(&mut self.queue, &mut self.new_fills, &mut self.counts);
                self.venue.deny(ts, &action, &denial, out);
                continue;
            }
            let out = out(&mut self.queue, &mut self.new_fills, &mut self.counts);
            match action {
                Action::Submit(req) => self.venue.submit(ts, req, out),
                Action::Cancel { client_id } => self.venue.cancel(ts, &client_id, out),
                Action::CancelAll { symbol } => self.venue.cancel_all(ts, symbol.as_deref(), out),
                Action::Amend {
                    client_id,
                    price,
                    qty,
                } => self.venue.amend(ts, &client_id, price, qty, out),
                Action::Log { level, message } => {
                    self.counts.logs += 1;
                    self.logs.push(LogLine { ts, level, message });
                }
            }
            self.book_fills();
        }
    }
}

impl Sim {
    /// The checks' trading state changes, as warnings in the robot's log.
    fn note_state_changes(&mut self, ts: i64) {
        for c in self.core.take_state_changes() {
            self.counts.logs += 1;
            self.logs.push(LogLine {
                ts,
                level: LogLevel::Warn,
                message: format!(
                    "risk: trading state {}: {}: {} (limit {})",
                    c.state.as_str(),
                    c.code,
                    c.value,
                    c.limit
                ),
            });
        }
    }

    /// What the pre-trade checks did (`None`: the run had none).
    pub fn risk_summary(&mut self) -> Option<super::report::RiskSummary> {
        let r = self.core.risk()?;
        Some(super::report::RiskSummary {
            state: r.engine.state(),
            denied: r.engine.counts.denied,
            denied_by_code: r.engine.counts.denied_by_code.clone(),
            cancels_over_rate: r.engine.counts.cancels_over_rate,
        })
    }
}

fn out<'a>(
    events: &'a mut VecDeque<(i64, EventKind)>,
    fills: &'a mut Vec<Trade>,
    counts: &'a mut Counts,
) -> Out<'a> {
    Out {
        events,
        fills,
        counts,
    }
}

/// The tick after one due at `due`, with the data now at `ts`: the next on the grid, or,
/// when the data jumped past that, the first on the grid after `ts`.
fn next_due(due: i64, period: i64, ts: i64) -> i64 {
    let next = due.saturating_add(period);
    if next > ts {
        return next;
    }
    due.saturating_add(((ts - due) / period + 1).saturating_mul(period))
}

#[cfg(test)]
mod tests {
    use super::next_due;

    #[test]
    fn timers_keep_their_grid_and_collapse_gaps() {
        // Rows every 30 with a 100 period: each tick once, on the grid.
        assert_eq!(next_due(100, 100, 120), 200);
        assert_eq!(next_due(200, 100, 200), 300);
        // The data jumps from 100 to 1050: the tick due at 100 fires, the next is 1100.
        assert_eq!(next_due(100, 100, 1050), 1100);
        assert_eq!(next_due(100, 100, 1100), 1200);
        assert_eq!(next_due(i64::MAX - 5, 100, i64::MAX), i64::MAX);
    }
}
