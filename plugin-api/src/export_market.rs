//! The glue's market data path: records refreshed into reused events, many per call.

use crate::abi::{RfBuf, RfLent, RfLevel, RfMarket, MD_BAR, MD_DEPTH, MD_QUOTE, MD_TRADE};
use crate::export::{guarded, guarded_code, input, instance, write_actions};
use crate::money::Price;
use crate::robot::Robot;
use crate::types::{Bar, Depth, EventKind, Level, Quote, TradePrint};
use std::ffi::c_void;

/// Make `kind` the market event `rec` stands for, reusing its strings and vectors; a book
/// takes its levels from `levels`. An error for a kind this build does not know, or levels
/// that are not there.
#[doc(hidden)]
pub fn fill_market_kind(
    kind: &mut EventKind,
    rec: &RfMarket,
    symbol: &str,
    levels: &[RfLevel],
) -> Result<(), String> {
    fn set(s: &mut String, to: &str) {
        if s != to {
            s.clear();
            s.push_str(to);
        }
    }
    match rec.kind {
        MD_QUOTE => {
            if !matches!(kind, EventKind::Quote(_)) {
                *kind = EventKind::Quote(Quote {
                    symbol: String::new(),
                    bid: Price::from_raw(0),
                    bid_size: 0,
                    ask: Price::from_raw(0),
                    ask_size: 0,
                });
            }
            if let EventKind::Quote(q) = kind {
                set(&mut q.symbol, symbol);
                (q.bid, q.ask) = (Price::from_raw(rec.px[0]), Price::from_raw(rec.px[1]));
                (q.bid_size, q.ask_size) = (rec.qty[0], rec.qty[1]);
            }
        }
        MD_TRADE => {
            if !matches!(kind, EventKind::Trade(_)) {
                *kind = EventKind::Trade(TradePrint {
                    symbol: String::new(),
                    price: Price::from_raw(0),
                    size: 0,
                });
            }
            if let EventKind::Trade(t) = kind {
                set(&mut t.symbol, symbol);
                (t.price, t.size) = (Price::from_raw(rec.px[0]), rec.qty[0]);
            }
        }
        MD_BAR => {
            if !matches!(kind, EventKind::Bar(_)) {
                *kind = EventKind::Bar(Bar {
                    symbol: String::new(),
                    period_secs: 0,
                    open: Price::from_raw(0),
                    high: Price::from_raw(0),
                    low: Price::from_raw(0),
                    close: Price::from_raw(0),
                    volume: 0,
                });
            }
            if let EventKind::Bar(b) = kind {
                set(&mut b.symbol, symbol);
                (b.open, b.high) = (Price::from_raw(rec.px[0]), Price::from_raw(rec.px[1]));
                (b.low, b.close) = (Price::from_raw(rec.px[2]), Price::from_raw(rec.px[3]));
                b.volume = rec.qty[0];
                b.period_secs = u32::try_from(rec.qty[1]).unwrap_or(0);
            }
        }
        MD_DEPTH => {
            let bad = || format!("book record #{} points at levels it was not given", rec.seq);
            let (first, count) = rec.level_span().ok_or_else(bad)?;
            let end = first.checked_add(count).ok_or_else(bad)?;
            let here = levels.get(first..end).ok_or_else(bad)?;
            let (bids, asks) = here.split_at(rec.qty[0] as usize);
            if !matches!(kind, EventKind::Depth(_)) {
                *kind = EventKind::Depth(Depth::default());
            }
            if let EventKind::Depth(d) = kind {
                set(&mut d.symbol, symbol);
                let level = |l: &RfLevel| Level {
                    price: Price::from_raw(l.price),
                    qty: l.qty,
                };
                d.bids.clear();
                d.bids.extend(bids.iter().map(level));
                d.asks.clear();
                d.asks.extend(asks.iter().map(level));
            }
        }
        other => return Err(format!("unknown market record kind {other}")),
    }
    Ok(())
}

/// # Safety
/// See [`crate::abi::PluginVTable`]; `records` points at `count` records.
pub unsafe extern "C" fn market<R: Robot>(
    handle: *mut c_void,
    records: *const RfMarket,
    count: usize,
    levels: *const RfLevel,
    level_count: usize,
    actions: *mut RfLent,
    done: *mut usize,
    err: *mut RfBuf,
) -> i32 {
    let mut handed = 0usize;
    let code = guarded_code(err, || {
        // SAFETY: see the function's contract.
        let inst = unsafe { instance::<R>(handle) }?;
        let records: &[RfMarket] = if records.is_null() || count == 0 {
            &[]
        } else {
            unsafe { std::slice::from_raw_parts(records, count) }
        };
        let levels: &[RfLevel] = if levels.is_null() || level_count == 0 {
            &[]
        } else {
            unsafe { std::slice::from_raw_parts(levels, level_count) }
        };
        inst.actions.list_mut().clear();
        for rec in records {
            handed += 1;
            let Some(name) = inst.symbols.get(rec.symbol as usize) else {
                return Err(format!(
                    "market record for undefined symbol id {}",
                    rec.symbol
                ));
            };
            let slot = (rec.kind as usize).wrapping_sub(1);
            let Some(event) = inst.market_events.get_mut(slot) else {
                return Err(format!("unknown market record kind {}", rec.kind));
            };
            fill_market_kind(&mut event.kind, rec, name, levels)?;
            (event.seq, event.ts) = (rec.seq, rec.ts);
            inst.robot.on_event(event, &mut inst.actions);
            if !inst.actions.as_slice().is_empty() {
                break;
            }
        }
        write_actions(inst, actions)
    });
    if !done.is_null() {
        // SAFETY: the host passes a valid out pointer.
        unsafe { done.write(handed) };
    }
    code
}

/// # Safety
/// See [`crate::abi::PluginVTable`].
pub unsafe extern "C" fn define_symbol<R: Robot>(
    handle: *mut c_void,
    id: u32,
    name: *const u8,
    name_len: usize,
    err: *mut RfBuf,
) -> i32 {
    guarded(err, || {
        // SAFETY: see the function's contract.
        let inst = unsafe { instance::<R>(handle) }?;
        let name = std::str::from_utf8(unsafe { input(name, name_len) })
            .map_err(|_| format!("symbol id {id}: name is not UTF-8"))?;
        let at = id as usize;
        if at > 1 << 20 {
            return Err(format!("symbol id {id} is out of range"));
        }
        if inst.symbols.len() <= at {
            inst.symbols.resize(at + 1, String::new());
        }
        inst.symbols[at] = name.to_string();
        Ok(Vec::new())
    })
}
