//! Records for the throughput benches: the synthetic feed's quotes from a fixed start, and
//! a journal bench's workload encoded before its clock starts.

use anyhow::Context;
use robofleet::feed::synthetic::Generator;
use robofleet::feed::SyntheticConfig;
use robofleet::journal::format;
use robofleet::journal::RecordKind;
use robofleet_api::{Action, Event, OrderRequest, OrderType, Price, Side};

/// 2026-05-01T00:00:00Z in ns: where every generated clock starts.
pub const T0: i64 = 1_777_593_600_000_000_000;

/// The project's synthetic market ([`Generator`]), quotes only, 2,000 a second from [`T0`]:
/// a seeded random walk of each symbol's book, the same for the same seed.
pub fn quote_walk(seed: u64, symbols: &[String]) -> anyhow::Result<Generator> {
    let cfg = SyntheticConfig {
        symbols: symbols.to_vec(),
        rate_per_sec: 2000.0,
        seed,
        trade_ratio: 0.0,
        limit: None,
        start_ts: None,
    };
    Ok(Generator::new(&cfg, T0)?)
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
        let walk = quote_walk(1, &["Si".to_string()])?;
        for (seq, md) in (1..=events).zip(walk) {
            let event = Event {
                seq,
                ts: md.ts,
                kind: md.to_event_kind(),
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
                        order_type: OrderType::Limit {
                            price: Price::units(89_990),
                        },
                        tif: robofleet_api::TimeInForce::Day,
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
