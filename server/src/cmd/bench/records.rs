//! Records for the throughput benches: a seeded quote random walk, and a journal bench's
//! workload encoded before its clock starts.

use anyhow::Context;
use robofleet::journal::format;
use robofleet::journal::RecordKind;
use robofleet_api::{Action, Event, EventKind, OrderRequest, OrderType, Quote, Rng, Side};

/// 2026-05-01T00:00:00Z in ns: where every generated clock starts.
pub const T0: i64 = 1_777_593_600_000_000_000;

/// Top-of-book quotes for a few symbols in turn: the mid moves -1, 0 or +1 tick per quote (4
/// ticks one time in 16), the spread is one tick, sizes 1-99, 50 µs - 1 ms apart. The same
/// seed gives the same quotes.
pub struct QuoteWalk {
    rng: Rng,
    /// (symbol, tick, bid in ticks)
    books: Vec<(String, f64, i64)>,
    next: usize,
    pub ts: i64,
}

impl QuoteWalk {
    pub fn new(seed: u64, symbols: &[String]) -> QuoteWalk {
        let books = symbols
            .iter()
            .map(|s| match s.as_str() {
                "Si" => (s.clone(), 1.0, 90_000),
                "RTS" => (s.clone(), 10.0, 11_000),
                _ => (s.clone(), 1.0, 10_000),
            })
            .collect();
        QuoteWalk {
            rng: Rng::new(seed),
            books,
            next: 0,
            ts: T0,
        }
    }

    pub fn quote(&mut self) -> Quote {
        let i = self.next;
        self.next = (self.next + 1) % self.books.len();
        self.ts += self.rng.range_i64(50_000, 1_000_000);
        // Now and then a jump, so resting orders a few ticks away get filled.
        let step = match self.rng.range_i64(0, 32) {
            0 => -4,
            1 => 4,
            r => r % 3 - 1,
        };
        let (symbol, tick, bid) = &mut self.books[i];
        *bid += step;
        Quote {
            symbol: symbol.clone(),
            bid: *bid as f64 * *tick,
            bid_size: self.rng.range_i64(1, 100),
            ask: (*bid + 1) as f64 * *tick,
            ask_size: self.rng.range_i64(1, 100),
        }
    }
}

/// The records, encoded once: bodies for the journal, framed bytes for the baseline.
pub struct Workload {
    pub bodies: Vec<u8>,
    /// Per event: (event body start, event body end = actions body start, actions body end).
    pub items: Vec<(u32, u32, u32)>,
    pub framed: Vec<u8>,
    /// Per event, where its framed records start; one more at the end.
    pub framed_at: Vec<u32>,
}

impl Workload {
    pub fn new(events: u64, actions_every: u64) -> anyhow::Result<Workload> {
        let mut w = Workload {
            bodies: Vec::new(),
            items: Vec::with_capacity(events as usize),
            framed: Vec::new(),
            framed_at: vec![0],
        };
        let mut walk = QuoteWalk::new(1, &["Si".to_string()]);
        for seq in 1..=events {
            let kind = EventKind::Quote(walk.quote());
            let event = Event {
                seq,
                ts: walk.ts,
                kind,
            };
            let start = w.bodies.len();
            w.bodies = postcard::to_extend(&event, std::mem::take(&mut w.bodies))?;
            let mid = w.bodies.len();
            format::frame(RecordKind::Event, &w.bodies[start..mid], &mut w.framed);
            if actions_every > 0 && seq % actions_every == 0 {
                let n = seq / actions_every;
                let actions = vec![
                    Action::Cancel {
                        client_id: format!("template-{}", n.max(2) - 1),
                    },
                    Action::Submit(OrderRequest {
                        client_id: format!("template-{n}"),
                        order_seq: n,
                        symbol: "Si".into(),
                        side: Side::Buy,
                        qty: 1,
                        order_type: OrderType::Limit { price: 89_990.0 },
                    }),
                ];
                w.bodies = postcard::to_extend(&actions, std::mem::take(&mut w.bodies))?;
                format::frame(RecordKind::Actions, &w.bodies[mid..], &mut w.framed);
            }
            let u32_of = |n: usize| u32::try_from(n).context("too many events for one run");
            w.items
                .push((u32_of(start)?, u32_of(mid)?, u32_of(w.bodies.len())?));
            w.framed_at.push(u32_of(w.framed.len())?);
        }
        Ok(w)
    }

    pub fn body(&self, from: u32, to: u32) -> &[u8] {
        &self.bodies[from as usize..to as usize]
    }

    /// Records and framed bytes of the first `n` events.
    pub fn size(&self, n: u64) -> (u64, u64) {
        let actions = self.items[..n as usize]
            .iter()
            .filter(|i| i.2 > i.1)
            .count();
        (n + actions as u64, self.framed_at[n as usize] as u64)
    }
}
