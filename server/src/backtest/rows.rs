//! The ledger and the row files that follow it, `trades.csv` and `positions.csv`, on a thread
//! of their own. The loop only notes what the ledger needs (each mark, each fill) in the
//! order it happens and hands the notes over a batch at a time; this thread keeps positions,
//! PnL, equity and drawdown, writes a row per fill and per curve point (by hand, no `write!`)
//! and steps the equity curve. Nothing the robot or the venue sees depends on the ledger, so
//! it can run behind them. At the end the loop takes the ledger back for the report.

use super::ledger::{CurvePoint, Ledger};
use super::stream::EquitySteps;
use super::timefmt::TsWriter;
use crate::store::Trade;
use crossbeam_channel::{bounded, Receiver, Sender};
use robofleet_api::Price;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::thread::JoinHandle;

/// Notes per hand-over.
pub const BATCH: usize = 8192;

/// What the ledger is told, in the order the loop saw it.
#[derive(Debug)]
pub enum LedgerInput {
    /// The data's first time: the equity curve starts here.
    Start(i64),
    /// The name of the next symbol number (numbers count up from 0).
    Symbol(String),
    /// A quote (or a book's best levels) for symbol number `symbol`.
    Mark {
        ts: i64,
        symbol: u32,
        bid: Price,
        ask: Price,
    },
    /// A fill at the venue.
    Fill(Box<Trade>),
}

/// The loop's side: its notes, numbered symbols, and the batch being filled.
#[derive(Default)]
pub struct LedgerNotes {
    batch: Vec<LedgerInput>,
    names: Vec<String>,
    last: u32,
}

impl LedgerNotes {
    pub fn start(&mut self, ts: i64) {
        self.batch.push(LedgerInput::Start(ts));
    }

    pub fn mark(&mut self, ts: i64, symbol: &str, bid: Price, ask: Price) {
        let symbol = self.number(symbol);
        self.batch.push(LedgerInput::Mark {
            ts,
            symbol,
            bid,
            ask,
        });
    }

    pub fn fill(&mut self, trade: Trade) {
        self.batch.push(LedgerInput::Fill(Box::new(trade)));
    }

    /// A symbol's number, named to the ledger on first sight (the last one is tried first:
    /// a run marks one symbol row after row).
    fn number(&mut self, symbol: &str) -> u32 {
        if self
            .names
            .get(self.last as usize)
            .is_some_and(|n| n == symbol)
        {
            return self.last;
        }
        let i = match self.names.iter().position(|n| n == symbol) {
            Some(i) => i,
            None => {
                self.names.push(symbol.to_string());
                self.batch.push(LedgerInput::Symbol(symbol.to_string()));
                self.names.len() - 1
            }
        };
        self.last = i as u32;
        self.last
    }

    /// The notes taken since the last call.
    pub fn drain(&mut self) -> std::vec::Drain<'_, LedgerInput> {
        self.batch.drain(..)
    }

    fn len(&self) -> usize {
        self.batch.len()
    }
}

/// A ledger that takes notes, and the rows each one leads to.
pub struct Accounts {
    pub ledger: Ledger,
    names: Vec<String>,
    /// Fills booked and not yet written, each with the position and realized PnL it left.
    pub fills: Vec<(Box<Trade>, i64, robofleet_api::Money)>,
}

impl Accounts {
    pub fn new(ledger: Ledger) -> Self {
        Accounts {
            ledger,
            names: Vec::new(),
            fills: Vec::new(),
        }
    }

    /// Book one note: curve points wait in the ledger ([`Ledger::drain_curve`]), fills with
    /// the position and realized PnL they left in `fills`.
    pub fn apply(&mut self, input: LedgerInput) {
        match input {
            LedgerInput::Start(_) => {}
            LedgerInput::Symbol(name) => self.names.push(name),
            LedgerInput::Mark {
                ts,
                symbol,
                bid,
                ask,
            } => {
                if let Some(name) = self.names.get(symbol as usize) {
                    self.ledger.on_quote(ts, name, bid, ask);
                }
            }
            LedgerInput::Fill(trade) => {
                self.ledger.on_fill(&trade);
                let position = self.ledger.position(&trade.symbol);
                let realized = self.ledger.realized(&trade.symbol);
                self.fills.push((trade, position, realized));
            }
        }
    }
}

/// What the thread gives back at the end.
pub struct Closed {
    pub ledger: Ledger,
    pub equity: EquitySteps,
    /// The first write error of each file, if any.
    pub trades: std::io::Result<()>,
    pub positions: std::io::Result<()>,
}

pub struct AccountsThread {
    full: Option<Sender<Vec<LedgerInput>>>,
    empty: Receiver<Vec<LedgerInput>>,
    thread: Option<JoinHandle<Closed>>,
}

struct RowFiles {
    trades: BufWriter<File>,
    positions: BufWriter<File>,
    trades_err: std::io::Result<()>,
    positions_err: std::io::Result<()>,
    line: Vec<u8>,
    times: TsWriter,
}

impl AccountsThread {
    /// Keep `ledger` and write rows to `trades` and `positions` (headers written) on a new
    /// thread.
    pub fn spawn(
        ledger: Ledger,
        equity: EquitySteps,
        trades: BufWriter<File>,
        positions: BufWriter<File>,
    ) -> std::io::Result<Self> {
        let (full, notes) = bounded::<Vec<LedgerInput>>(4);
        let (give_back, empty) = bounded::<Vec<LedgerInput>>(6);
        let thread = std::thread::Builder::new()
            .name("backtest-ledger".into())
            .spawn(move || {
                let mut accounts = Accounts::new(ledger);
                let mut equity = equity;
                let mut files = RowFiles {
                    trades,
                    positions,
                    trades_err: Ok(()),
                    positions_err: Ok(()),
                    line: Vec::with_capacity(256),
                    times: TsWriter::default(),
                };
                for mut batch in notes.iter() {
                    for input in batch.drain(..) {
                        if let LedgerInput::Start(ts) = input {
                            equity.start(ts);
                        }
                        accounts.apply(input);
                        files.write(&mut accounts, &mut equity);
                    }
                    let _ = give_back.try_send(batch);
                }
                for (w, err) in [
                    (&mut files.trades, &mut files.trades_err),
                    (&mut files.positions, &mut files.positions_err),
                ] {
                    if err.is_ok() {
                        *err = w.flush();
                    }
                }
                Closed {
                    ledger: accounts.ledger,
                    equity,
                    trades: files.trades_err,
                    positions: files.positions_err,
                }
            })?;
        Ok(AccountsThread {
            full: Some(full),
            empty,
            thread: Some(thread),
        })
    }

    /// Hand the notes over once a batch is full (`all`: whatever there is).
    pub fn take(&mut self, notes: &mut LedgerNotes, all: bool) {
        if notes.len() < BATCH && !(all && notes.len() > 0) {
            return;
        }
        let next = self
            .empty
            .try_recv()
            .unwrap_or_else(|_| Vec::with_capacity(BATCH));
        let batch = std::mem::replace(&mut notes.batch, next);
        // A send fails only if the thread has ended, which `close` then reports.
        if let Some(tx) = &self.full {
            let _ = tx.send(batch);
        }
    }

    /// Wait for every note to be booked and written; the ledger back.
    pub fn close(&mut self, notes: &mut LedgerNotes) -> std::io::Result<Closed> {
        self.take(notes, true);
        self.full = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(closed)) => Ok(closed),
            Some(Err(_)) => Err(std::io::Error::other("the ledger thread panicked")),
            None => Err(std::io::Error::other(
                "the ledger thread was closed already",
            )),
        }
    }
}

impl Drop for AccountsThread {
    fn drop(&mut self) {
        self.full = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl RowFiles {
    /// The rows of what the ledger just booked.
    fn write(&mut self, accounts: &mut Accounts, equity: &mut EquitySteps) {
        for (trade, position, realized) in accounts.fills.drain(..) {
            self.line.clear();
            trades_row(&trade, position, realized, &mut self.times, &mut self.line);
            if self.trades_err.is_ok() {
                self.trades_err = self.trades.write_all(&self.line);
            }
        }
        for p in accounts.ledger.drain_curve() {
            equity.push(p.ts, p.equity.to_f64());
            self.line.clear();
            positions_row(&p, &mut self.times, &mut self.line);
            if self.positions_err.is_ok() {
                self.positions_err = self.positions.write_all(&self.line);
            }
        }
    }
}

/// One `trades.csv` row.
fn trades_row(
    t: &Trade,
    position: i64,
    realized: robofleet_api::Money,
    times: &mut TsWriter,
    line: &mut Vec<u8>,
) {
    append_int(t.ts_ns, line);
    line.push(b',');
    times.append(t.ts_ns, line);
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
    append_int(position, line);
    line.push(b',');
    realized.append_to(line);
    line.push(b'\n');
}

/// One `positions.csv` row, built by hand rather than through `write!`.
fn positions_row(p: &CurvePoint, times: &mut TsWriter, line: &mut Vec<u8>) {
    append_int(p.ts, line);
    line.push(b',');
    times.append(p.ts, line);
    line.push(b',');
    line.extend_from_slice(p.symbol.as_bytes());
    line.push(b',');
    append_int(p.position, line);
    for price in [p.avg_price, p.mark] {
        line.push(b',');
        price.append_to(line);
    }
    for money in [p.realized, p.unrealized, p.fees, p.equity, p.drawdown] {
        line.push(b',');
        money.append_to(line);
    }
    line.push(b'\n');
}

/// Append `v` in decimal, as `Display` writes it.
pub fn append_int(v: i64, out: &mut Vec<u8>) {
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    let mut n = v.unsigned_abs();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(&buf[at..]);
}

#[cfg(test)]
mod tests {
    #[test]
    fn integers_append_as_display_writes_them() {
        for v in [0, 7, -7, 10, i64::MAX, i64::MIN, 1_793_602_800_000_000_000] {
            let mut out = Vec::new();
            super::append_int(v, &mut out);
            assert_eq!(out, v.to_string().into_bytes());
        }
    }
}
