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
    /// Symbol numbers by name (a data file may hold many symbols).
    numbers: std::collections::HashMap<String, u32, foldhash::quality::RandomState>,
    last: Option<(String, u32)>,
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
        if let Some((name, n)) = &self.last {
            if name == symbol {
                return *n;
            }
        }
        let n = match self.numbers.get(symbol) {
            Some(&n) => n,
            None => {
                let n = self.numbers.len() as u32;
                self.numbers.insert(symbol.to_string(), n);
                self.batch.push(LedgerInput::Symbol(symbol.to_string()));
                n
            }
        };
        match &mut self.last {
            Some((name, last)) => {
                name.clear();
                name.push_str(symbol);
                *last = n;
            }
            None => self.last = Some((symbol.to_string(), n)),
        }
        n
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
    row: RowBuf,
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
                    row: RowBuf::default(),
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

impl AccountsThread {
    /// End the thread without waiting for a result (a run that failed).
    pub fn stop(&mut self) {
        self.full = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for AccountsThread {
    fn drop(&mut self) {
        self.stop();
    }
}

impl RowFiles {
    /// The rows of what the ledger just booked.
    fn write(&mut self, accounts: &mut Accounts, equity: &mut EquitySteps) {
        for (trade, position, realized) in accounts.fills.drain(..) {
            trades_row(&trade, position, realized, &mut self.times, &mut self.row);
            if self.trades_err.is_ok() {
                self.trades_err = self.trades.write_all(self.row.take());
            }
        }
        for p in accounts.ledger.drain_curve() {
            equity.push(p.ts, p.equity.to_f64());
            positions_row(&p, &mut self.times, &mut self.row);
            if self.positions_err.is_ok() {
                self.positions_err = self.positions.write_all(self.row.take());
            }
        }
    }
}

/// One row as it is built. Numbers go in with copies of a fixed size (into slack kept past
/// the end), not a `memcpy` call of their own length each: close to a million rows of a
/// dozen fields are written per million quotes.
#[derive(Default)]
struct RowBuf {
    buf: Vec<u8>,
    len: usize,
    /// A timestamp's text on its way in.
    scratch: Vec<u8>,
}

/// Room kept past the end for one fixed-size copy.
const SLACK: usize = 64;

impl RowBuf {
    /// Make room for `n` more bytes past the end, plus the slack.
    fn room(&mut self, n: usize) {
        if self.buf.len() < self.len + n + SLACK {
            self.buf.resize(self.len + n + SLACK, 0);
        }
    }

    fn byte(&mut self, b: u8) {
        self.room(1);
        self.buf[self.len] = b;
        self.len += 1;
    }

    fn bytes(&mut self, text: &[u8]) {
        self.room(text.len());
        self.buf[self.len..self.len + text.len()].copy_from_slice(text);
        self.len += text.len();
    }

    /// An exact decimal, as `Price` and `Money` print.
    fn decimal(&mut self, raw: i128) {
        self.digits::<48>(|buf| robofleet_api::money::decimal_digits(raw, buf));
    }

    fn int(&mut self, v: i64) {
        self.digits::<24>(|buf| robofleet_api::money::integer_digits(v, buf));
    }

    /// Text that `write` puts at the end of an `N`-byte buffer (returning where it starts),
    /// taken in with one copy of `N` bytes from there: a zeroed second buffer follows the
    /// first, so the copy never runs past the end.
    fn digits<const N: usize>(&mut self, write: impl FnOnce(&mut [u8; N]) -> usize) {
        let mut text = [[0u8; N]; 2];
        let at = write(&mut text[0]);
        self.room(N);
        self.buf[self.len..self.len + N].copy_from_slice(&text.as_flattened()[at..at + N]);
        self.len += N - at;
    }

    fn time(&mut self, times: &mut TsWriter, ns: i64) {
        let mut text = std::mem::take(&mut self.scratch);
        text.clear();
        times.append(ns, &mut text);
        self.bytes(&text);
        self.scratch = text;
    }

    /// The row, and a fresh start for the next.
    fn take(&mut self) -> &[u8] {
        let len = std::mem::take(&mut self.len);
        &self.buf[..len]
    }
}

/// One `trades.csv` row.
fn trades_row(
    t: &Trade,
    position: i64,
    realized: robofleet_api::Money,
    times: &mut TsWriter,
    row: &mut RowBuf,
) {
    row.int(t.ts_ns);
    row.byte(b',');
    row.time(times, t.ts_ns);
    for text in [&t.exec_id, &t.client_id, &t.symbol] {
        row.byte(b',');
        row.bytes(text.as_bytes());
    }
    row.byte(b',');
    row.bytes(match t.side {
        robofleet_api::Side::Buy => &b"Buy"[..],
        robofleet_api::Side::Sell => &b"Sell"[..],
    });
    row.byte(b',');
    row.int(t.qty);
    row.byte(b',');
    row.decimal(i128::from(t.price.raw()));
    row.byte(b',');
    row.decimal(t.fee.raw());
    row.byte(b',');
    row.int(position);
    row.byte(b',');
    row.decimal(realized.raw());
    row.byte(b'\n');
}

/// One `positions.csv` row.
fn positions_row(p: &CurvePoint, times: &mut TsWriter, row: &mut RowBuf) {
    row.int(p.ts);
    row.byte(b',');
    row.time(times, p.ts);
    row.byte(b',');
    row.bytes(p.symbol.as_bytes());
    row.byte(b',');
    row.int(p.position);
    for price in [p.avg_price, p.mark] {
        row.byte(b',');
        row.decimal(i128::from(price.raw()));
    }
    for money in [p.realized, p.unrealized, p.fees, p.equity, p.drawdown] {
        row.byte(b',');
        row.decimal(money.raw());
    }
    row.byte(b'\n');
}

#[cfg(test)]
mod tests {
    use super::RowBuf;
    use robofleet_api::{Money, Price};

    #[test]
    fn a_row_is_what_display_writes() {
        let mut row = RowBuf::default();
        let mut want = String::new();
        for v in [0, 7, -7, 10, i64::MAX, i64::MIN, 1_793_602_800_000_000_000] {
            row.int(v);
            row.byte(b',');
            want += &format!("{v},");
        }
        for raw in [
            0,
            1,
            -1,
            500_000_000,
            -1_250_000_000,
            100_000_500_000_000,
            i64::MIN,
        ] {
            row.decimal(i128::from(raw));
            row.bytes(b";");
            want += &format!("{};", Price::from_raw(raw));
        }
        for raw in [i128::MAX, i128::MIN, 12_345_678_901_234_567_890_123, -10] {
            row.decimal(raw);
            row.byte(b' ');
            want += &format!("{} ", Money::from_raw(raw));
        }
        assert_eq!(String::from_utf8_lossy(row.take()), want);
        assert!(row.take().is_empty(), "taking a row starts the next");
    }
}
