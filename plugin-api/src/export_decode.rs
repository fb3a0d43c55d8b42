//! Decoding a postcard event into the glue's reused events: an order update or a fill (the
//! events a trading robot gets most after market data) is read with its strings borrowed
//! from the bytes and copied into strings that are kept from call to call, so nothing is
//! allocated for it. Rarer events are decoded the ordinary way.

use crate::instrument::Instrument;
use crate::money::Price;
use crate::types::{
    Bar, Depth, Event, EventKind, Fill, OrderStatus, OrderUpdate, Params, Quote, Side, TradePrint,
};
use serde::Deserialize;

/// `Event` with the order update's and the fill's strings borrowed. Its variants mirror
/// `EventKind` one for one, in order (postcard encodes a variant by its index): the test
/// below decodes every variant both ways.
#[derive(Deserialize)]
struct EventRef<'a> {
    seq: u64,
    ts: i64,
    #[serde(borrow)]
    kind: KindRef<'a>,
}

#[derive(Deserialize)]
enum KindRef<'a> {
    Start,
    Stop,
    Quote(Quote),
    Trade(TradePrint),
    Bar(Bar),
    Params(Params),
    Command {
        name: String,
        args: String,
    },
    #[serde(borrow)]
    OrderUpdate(OrderUpdateRef<'a>),
    #[serde(borrow)]
    Fill(FillRef<'a>),
    Timer {
        id: u64,
    },
    Instrument(Instrument),
    Depth(Depth),
}

#[derive(Deserialize)]
struct OrderUpdateRef<'a> {
    client_id: &'a str,
    symbol: &'a str,
    status: OrderStatus,
    filled_qty: i64,
    remaining_qty: i64,
    reason: Option<&'a str>,
    amends: u32,
}

#[derive(Deserialize)]
struct FillRef<'a> {
    client_id: &'a str,
    exec_id: &'a str,
    symbol: &'a str,
    side: Side,
    qty: i64,
    price: Price,
}

/// Reused events for the kinds decoded in place.
#[derive(Debug)]
pub(crate) struct Reused {
    update: Event,
    fill: Event,
    /// Any other kind, decoded afresh.
    other: Event,
}

impl Default for Reused {
    fn default() -> Self {
        let blank = |kind| Event {
            seq: 0,
            ts: 0,
            kind,
        };
        Reused {
            update: blank(EventKind::OrderUpdate(OrderUpdate {
                client_id: String::new(),
                symbol: String::new(),
                status: OrderStatus::New,
                filled_qty: 0,
                remaining_qty: 0,
                reason: None,
                amends: 0,
            })),
            fill: blank(EventKind::Fill(Fill {
                client_id: String::new(),
                exec_id: String::new(),
                symbol: String::new(),
                side: Side::Buy,
                qty: 0,
                price: Price::ZERO,
            })),
            other: blank(EventKind::Start),
        }
    }
}

fn set(s: &mut String, to: &str) {
    if s != to {
        s.clear();
        s.push_str(to);
    }
}

impl Reused {
    /// The event `bytes` (postcard) stand for.
    pub(crate) fn decode(&mut self, bytes: &[u8]) -> Result<&Event, postcard::Error> {
        let r: EventRef<'_> = postcard::from_bytes(bytes)?;
        let (event, kind) = match r.kind {
            KindRef::OrderUpdate(u) => {
                if let EventKind::OrderUpdate(o) = &mut self.update.kind {
                    set(&mut o.client_id, u.client_id);
                    set(&mut o.symbol, u.symbol);
                    o.status = u.status;
                    (o.filled_qty, o.remaining_qty) = (u.filled_qty, u.remaining_qty);
                    match (u.reason, &mut o.reason) {
                        (Some(text), Some(kept)) => set(kept, text),
                        (Some(text), kept) => *kept = Some(text.to_string()),
                        (None, kept) => *kept = None,
                    }
                    o.amends = u.amends;
                }
                (&mut self.update, None)
            }
            KindRef::Fill(f) => {
                if let EventKind::Fill(o) = &mut self.fill.kind {
                    set(&mut o.client_id, f.client_id);
                    set(&mut o.exec_id, f.exec_id);
                    set(&mut o.symbol, f.symbol);
                    (o.side, o.qty, o.price) = (f.side, f.qty, f.price);
                }
                (&mut self.fill, None)
            }
            KindRef::Start => (&mut self.other, Some(EventKind::Start)),
            KindRef::Stop => (&mut self.other, Some(EventKind::Stop)),
            KindRef::Quote(q) => (&mut self.other, Some(EventKind::Quote(q))),
            KindRef::Trade(t) => (&mut self.other, Some(EventKind::Trade(t))),
            KindRef::Bar(b) => (&mut self.other, Some(EventKind::Bar(b))),
            KindRef::Params(p) => (&mut self.other, Some(EventKind::Params(p))),
            KindRef::Command { name, args } => {
                (&mut self.other, Some(EventKind::Command { name, args }))
            }
            KindRef::Timer { id } => (&mut self.other, Some(EventKind::Timer { id })),
            KindRef::Instrument(i) => (&mut self.other, Some(EventKind::Instrument(i))),
            KindRef::Depth(d) => (&mut self.other, Some(EventKind::Depth(d))),
        };
        if let Some(kind) = kind {
            event.kind = kind;
        }
        (event.seq, event.ts) = (r.seq, r.ts);
        Ok(event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::px;

    /// Every kind there is; adding one to `EventKind` breaks this match until it is here.
    fn every_kind() -> Vec<EventKind> {
        let all = vec![
            EventKind::Start,
            EventKind::Stop,
            EventKind::Quote(Quote {
                symbol: "Si".into(),
                bid: px("1"),
                bid_size: 2,
                ask: px("3"),
                ask_size: 4,
            }),
            EventKind::Trade(TradePrint {
                symbol: "Si".into(),
                price: px("5"),
                size: 6,
            }),
            EventKind::Bar(Bar {
                symbol: "Si".into(),
                period_secs: 60,
                open: px("1"),
                high: px("2"),
                low: px("0.5"),
                close: px("1.5"),
                volume: 9,
            }),
            EventKind::Params(Params::new().with("k", 1)),
            EventKind::Command {
                name: "go".into(),
                args: "now".into(),
            },
            EventKind::OrderUpdate(OrderUpdate {
                client_id: "r-1".into(),
                symbol: "Si".into(),
                status: OrderStatus::Cancelled,
                filled_qty: 1,
                remaining_qty: 2,
                reason: Some("why".into()),
                amends: 3,
            }),
            EventKind::Fill(Fill {
                client_id: "r-1".into(),
                exec_id: "x-9".into(),
                symbol: "Si".into(),
                side: Side::Sell,
                qty: 4,
                price: px("99.5"),
            }),
            EventKind::Timer { id: 7 },
            EventKind::Instrument(Instrument {
                symbol: "Si".into(),
                venue: "MOEX".into(),
                currency: "RUB".into(),
                tick_size: px("1"),
                tick_value: crate::Money::units(1),
                lot_size: 1,
                fee_per_lot: crate::Money::ZERO,
                fee_rate: Price::ZERO,
                currency_decimals: 2,
                utc_offset_min: 180,
                days: 0x1f,
                sessions: vec![crate::Session {
                    start_min: 600,
                    end_min: 1130,
                }],
                expiry_ns: None,
                effective_from_ns: Some(5),
            }),
            EventKind::Depth(Depth {
                symbol: "Si".into(),
                bids: vec![crate::Level {
                    price: px("1"),
                    qty: 2,
                }],
                asks: vec![],
            }),
        ];
        for kind in &all {
            match kind {
                EventKind::Start
                | EventKind::Stop
                | EventKind::Quote(_)
                | EventKind::Trade(_)
                | EventKind::Bar(_)
                | EventKind::Params(_)
                | EventKind::Command { .. }
                | EventKind::OrderUpdate(_)
                | EventKind::Fill(_)
                | EventKind::Timer { .. }
                | EventKind::Instrument(_)
                | EventKind::Depth(_) => {}
            }
        }
        all
    }

    #[test]
    fn every_kind_decodes_as_postcard_decodes_it_and_reuse_leaves_nothing_behind() {
        let mut reused = Reused::default();
        // Twice round, so each reused event is overwritten by a later one of its kind.
        for (i, kind) in every_kind().into_iter().chain(every_kind()).enumerate() {
            let event = Event {
                seq: i as u64,
                ts: -(i as i64),
                kind,
            };
            let bytes = postcard::to_allocvec(&event).unwrap();
            assert_eq!(reused.decode(&bytes).unwrap(), &event);
        }
        // A reason that goes away goes away; other strings shrink as well as grow.
        let update = |client_id: &str, reason: Option<&str>| Event {
            seq: 1,
            ts: 1,
            kind: EventKind::OrderUpdate(OrderUpdate {
                client_id: client_id.into(),
                symbol: "RTS".into(),
                status: OrderStatus::Working,
                filled_qty: 0,
                remaining_qty: 1,
                reason: reason.map(str::to_string),
                amends: 0,
            }),
        };
        for e in [update("a-very-long-id-1", Some("x")), update("b", None)] {
            let bytes = postcard::to_allocvec(&e).unwrap();
            assert_eq!(reused.decode(&bytes).unwrap(), &e);
        }
        assert!(reused.decode(&[0xff, 0xff, 0xff]).is_err());
    }
}
