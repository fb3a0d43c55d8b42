//! `positions.csv` written on a thread of its own: a backtest writes close to a row per quote,
//! and formatting and writing them is a good part of the loop's time. The loop hands over
//! the points a batch at a time; the thread formats each row by hand (no `write!`) and writes.

use super::ledger::CurvePoint;
use super::timefmt::TsWriter;
use crossbeam_channel::{bounded, Receiver, Sender};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::thread::JoinHandle;

/// Points per hand-over.
const BATCH: usize = 8192;

pub struct RowWriter {
    batch: Vec<CurvePoint>,
    full: Option<Sender<Vec<CurvePoint>>>,
    empty: Receiver<Vec<CurvePoint>>,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl RowWriter {
    /// Write rows to `out` (its header already written) on a new thread.
    pub fn spawn(mut out: BufWriter<File>) -> std::io::Result<Self> {
        let (full, rows) = bounded::<Vec<CurvePoint>>(4);
        let (give_back, empty) = bounded::<Vec<CurvePoint>>(6);
        let thread = std::thread::Builder::new()
            .name("backtest-rows".into())
            .spawn(move || -> std::io::Result<()> {
                let mut line = Vec::with_capacity(256);
                let mut times = TsWriter::default();
                for mut batch in rows.iter() {
                    for p in batch.drain(..) {
                        line.clear();
                        positions_row(&p, &mut times, &mut line);
                        out.write_all(&line)?;
                    }
                    let _ = give_back.try_send(batch);
                }
                out.flush()
            })?;
        Ok(RowWriter {
            batch: Vec::with_capacity(BATCH),
            full: Some(full),
            empty,
            thread: Some(thread),
        })
    }

    /// Queue one row. A write error shows here (the thread has stopped) or at `finish`.
    pub fn push(&mut self, p: CurvePoint) -> std::io::Result<()> {
        self.batch.push(p);
        if self.batch.len() >= BATCH {
            let next = self
                .empty
                .try_recv()
                .unwrap_or_else(|_| Vec::with_capacity(BATCH));
            let batch = std::mem::replace(&mut self.batch, next);
            let sent = self.full.as_ref().map(|tx| tx.send(batch));
            if !matches!(sent, Some(Ok(()))) {
                return self.finish();
            }
        }
        Ok(())
    }

    /// Write what is queued, flush, and end the thread; its first error, if any.
    pub fn finish(&mut self) -> std::io::Result<()> {
        if let Some(tx) = self.full.take() {
            let _ = tx.send(std::mem::take(&mut self.batch));
        }
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(std::io::Error::other("the row writer thread panicked")),
            None => Ok(()),
        }
    }
}

impl Drop for RowWriter {
    fn drop(&mut self) {
        let _ = self.finish();
    }
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
