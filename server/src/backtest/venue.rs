//! The gateway and the store, in one synchronous piece: the live [`SimExchange`] fills
//! orders, and an in-memory order table held to the store's own rules
//! ([`crate::store::rules`]) turns its output into the events the trade-updates thread would
//! deliver ([`update_event`]): each fill, then the order update that reports it.

use super::sim::Counts;
use crate::gateway::exchange::{ExchangeInput, ExchangeOutput, SimExchange};
use crate::market::MarketData;
use crate::risk::Denial;
use crate::store::{rules, Order, StoreError, Trade};
use crate::streams::trades::{fill_event, order_event, order_update};
use robofleet_api::{Action, EventKind, OrderRequest, OrderStatus, OrderUpdate};
use std::collections::{BTreeMap, HashMap, VecDeque};

/// Where the venue puts what it produced: events for the robot, in delivery order, and the
/// fills themselves, in venue order.
pub struct Out<'a> {
    pub events: &'a mut VecDeque<(i64, EventKind)>,
    pub fills: &'a mut Vec<Trade>,
    pub counts: &'a mut Counts,
}

impl Out<'_> {
    /// The same destinations, for one more call.
    pub fn reborrow(&mut self) -> Out<'_> {
        Out {
            events: self.events,
            fills: self.fills,
            counts: self.counts,
        }
    }
}

pub struct Venue {
    robot: String,
    exchange: SimExchange,
    /// Open orders only: a finished one is folded into `finished` so memory does not grow
    /// with the length of the data.
    orders: HashMap<String, Order, foldhash::quality::RandomState>,
    /// Order sequences of the finished orders (ids are `<robot>-<seq>`).
    finished: FinishedSeqs,
    /// Finished orders by final status.
    finished_by_status: HashMap<OrderStatus, u64>,
}

impl Venue {
    pub fn new(robot: &str) -> Self {
        Venue {
            robot: robot.to_string(),
            exchange: SimExchange::new(),
            orders: HashMap::default(),
            finished: FinishedSeqs::default(),
            finished_by_status: HashMap::new(),
        }
    }

    /// Check every order against `instruments`, as the live gateway does.
    pub fn set_instruments(&mut self, instruments: robofleet_api::Instruments) {
        self.exchange.set_instruments(instruments);
    }

    /// Market data: resting orders may fill.
    pub fn market(&mut self, md: &MarketData, out: Out<'_>) {
        let outputs = self.exchange.market(md);
        self.apply(outputs, out);
    }

    /// A robot's order, as the live loop stores it and the gateway hands it on.
    pub fn submit(&mut self, ts: i64, req: OrderRequest, out: Out<'_>) {
        let order = Order::new_request(&self.robot, req, ts);
        let refused =
            if self.orders.contains_key(&order.client_id) || self.is_finished(&order.client_id) {
                Some(StoreError::DuplicateOrder(order.client_id.clone()))
            } else {
                rules::check_new_order(&order).err()
            };
        if let Some(e) = refused {
            // As the live loop: an order never vanishes, the robot hears why.
            out.counts.store_refused += 1;
            out.events.push_back((
                ts,
                EventKind::OrderUpdate(OrderUpdate {
                    client_id: order.client_id,
                    symbol: order.symbol,
                    status: OrderStatus::Rejected,
                    filled_qty: 0,
                    remaining_qty: order.qty,
                    reason: Some(format!("store refused the order: {e}")),
                    amends: 0,
                }),
            ));
            return;
        }
        out.counts.orders += 1;
        // The venue keeps the order; the exchange copies what it needs from it.
        let kept = self
            .orders
            .entry(order.client_id.clone())
            .insert_entry(order)
            .into_mut();
        let outputs = self.exchange.new_order(kept, ts);
        self.apply(outputs, out);
    }

    /// An order or amend the pre-trade checks denied: it never reaches the exchange; the
    /// robot hears why at once (a denied order as `Denied`, a denied amend as its order's
    /// unchanged state with the reason).
    pub fn deny(&mut self, ts: i64, action: &Action, denial: &Denial, out: Out<'_>) {
        let update = match action {
            Action::Submit(req) => {
                self.finished.insert(req.order_seq);
                *self
                    .finished_by_status
                    .entry(OrderStatus::Denied)
                    .or_default() += 1;
                // As the live loop stores it.
                order_update(&Order::denied(
                    &self.robot,
                    req.clone(),
                    ts,
                    denial.to_string(),
                ))
            }
            Action::Amend { client_id, .. } => {
                let Some(o) = self.orders.get(client_id) else {
                    return;
                };
                OrderUpdate {
                    reason: Some(format!("amend denied: {denial}")),
                    ..order_update(o)
                }
            }
            _ => return,
        };
        out.events.push_back((ts, EventKind::OrderUpdate(update)));
    }

    /// Whether `client_id` is one of this robot's orders that has finished.
    fn is_finished(&self, client_id: &str) -> bool {
        client_id
            .strip_prefix(self.robot.as_str())
            .and_then(|rest| rest.strip_prefix('-'))
            .and_then(|seq| seq.parse::<u64>().ok())
            .is_some_and(|seq| self.finished.contains(seq))
    }

    pub fn cancel(&mut self, ts: i64, client_id: &str, out: Out<'_>) {
        if self.is_finished(client_id) {
            // The store writes nothing for an order already finished.
            return;
        }
        let Some(order) = self.orders.get_mut(client_id) else {
            // The store refuses a cancel of an unknown order; the robot is not told.
            out.counts.store_errors += 1;
            return;
        };
        // The store writes nothing for an order already finished or cancelling.
        if order.status.is_terminal() || order.cancel_requested {
            return;
        }
        order.cancel_requested = true;
        out.counts.cancels_sent += 1;
        let outputs = self.exchange.process(ExchangeInput::Cancel {
            client_id: client_id.to_string(),
            ts_ns: ts,
        });
        self.apply(outputs, out);
    }

    /// A robot's amend: recorded on its order and handed to the exchange, as the store and
    /// the gateway do.
    pub fn amend(
        &mut self,
        ts: i64,
        client_id: &str,
        price: Option<robofleet_api::Price>,
        qty: Option<i64>,
        out: Out<'_>,
    ) {
        if self.is_finished(client_id) {
            return;
        }
        let Some(order) = self.orders.get_mut(client_id) else {
            out.counts.store_errors += 1;
            return;
        };
        let Some(amend) = order.next_amend(price, qty) else {
            return;
        };
        order.amend_request = Some(amend.clone());
        let outputs = self.exchange.process(ExchangeInput::Amend {
            client_id: client_id.to_string(),
            amend,
            ts_ns: ts,
        });
        self.apply(outputs, out);
    }

    /// Cancel every open order (of `symbol`, if given), oldest first, as the live server
    /// expands a robot's `CancelAll`.
    pub fn cancel_all(&mut self, ts: i64, symbol: Option<&str>, mut out: Out<'_>) {
        let mut open: Vec<(u64, String)> = self
            .orders
            .values()
            .filter(|o| !o.status.is_terminal() && !o.cancel_requested)
            .filter(|o| symbol.is_none_or(|s| o.symbol == s))
            .map(|o| (o.order_seq, o.client_id.clone()))
            .collect();
        open.sort();
        for (_, id) in open {
            self.cancel(ts, &id, out.reborrow());
        }
    }

    /// Orders by final status, in the API's names (`Working` ones were still open).
    pub fn order_statuses(&self) -> BTreeMap<String, u64> {
        let mut by: BTreeMap<String, u64> = self
            .finished_by_status
            .iter()
            .map(|(status, n)| (format!("{status:?}"), *n))
            .collect();
        for o in self.orders.values() {
            *by.entry(format!("{:?}", o.status)).or_default() += 1;
        }
        by
    }

    /// What the gateway writes and the store checks; each write the robot's update (built
    /// from the stored order or trade, as the trade-updates thread does, with no copy of
    /// the order made for it).
    fn apply(&mut self, outputs: Vec<ExchangeOutput>, out: Out<'_>) {
        for output in outputs {
            let event = match output {
                ExchangeOutput::Fill(trade) => {
                    let ok = self
                        .orders
                        .get(&trade.client_id)
                        .is_some_and(|o| rules::check_trade(o, &trade).is_ok());
                    if !ok {
                        out.counts.store_errors += 1;
                        continue;
                    }
                    let event = fill_event(&trade);
                    out.fills.push(trade);
                    event
                }
                ExchangeOutput::Change(change) => {
                    let Some(order) = self.orders.get_mut(&change.client_id) else {
                        out.counts.store_errors += 1;
                        continue;
                    };
                    if rules::check_change(order, &change).is_err() {
                        out.counts.store_errors += 1;
                        continue;
                    }
                    rules::apply_change(order, &change);
                    if order.status.is_terminal() {
                        let (status, seq) = (order.status, order.order_seq);
                        self.exchange.forget_finished(&change.client_id);
                        self.finished.insert(seq);
                        *self.finished_by_status.entry(status).or_default() += 1;
                        match self.orders.remove(&change.client_id) {
                            Some(order) => order_update_event(order),
                            None => continue,
                        }
                    } else {
                        order_event(order)
                    }
                }
            };
            out.events.push_back(event);
        }
    }
}

/// A finished order's update, its strings moved into the event.
fn order_update_event(o: Order) -> (i64, EventKind) {
    let remaining_qty = o.remaining_qty();
    (
        o.updated_ns,
        EventKind::OrderUpdate(OrderUpdate {
            client_id: o.client_id,
            symbol: o.symbol,
            status: o.status,
            filled_qty: o.filled_qty,
            remaining_qty,
            reason: o.reason,
            amends: o.amends,
        }),
    )
}

/// A set of order sequences that stays small when orders finish roughly in the order they
/// were sent (a robot's sequences are handed out one after another): one run of consecutive
/// finished sequences, and the few outside it.
#[derive(Debug, Default)]
struct FinishedSeqs {
    /// `start..end`, every one finished.
    run: Option<(u64, u64)>,
    others: std::collections::BTreeSet<u64>,
}

impl FinishedSeqs {
    fn insert(&mut self, seq: u64) {
        let (start, end) = match self.run {
            None => (seq, seq + 1),
            Some((start, end)) if seq == end => (start, end + 1),
            Some((start, end)) if seq + 1 == start => (seq, end),
            Some((start, end)) if (start..end).contains(&seq) => return,
            Some(_) => {
                self.others.insert(seq);
                return;
            }
        };
        let (mut start, mut end) = (start, end);
        // Those outside the run that now touch it join it.
        while self.others.remove(&end) {
            end += 1;
        }
        while start > 0 && self.others.remove(&(start - 1)) {
            start -= 1;
        }
        self.run = Some((start, end));
    }

    fn contains(&self, seq: u64) -> bool {
        self.run.is_some_and(|(s, e)| (s..e).contains(&seq)) || self.others.contains(&seq)
    }

    /// Sequences kept one by one (what memory grows with).
    #[cfg(test)]
    fn scattered(&self) -> usize {
        self.others.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use robofleet_api::testing::px;
    use robofleet_api::{OrderType, Price, Side};

    fn req(seq: u64, side: Side, order_type: OrderType, qty: i64) -> OrderRequest {
        OrderRequest {
            client_id: format!("r-{seq}"),
            order_seq: seq,
            symbol: "Si".into(),
            side,
            order_type,
            tif: robofleet_api::TimeInForce::Day,
            qty,
        }
    }

    fn quote(ts: i64, bid: f64, ask: f64) -> MarketData {
        MarketData {
            symbol: "Si".into(),
            ts,
            sent_ns: None,
            kind: crate::market::MarketKind::Quote {
                bid: Price::from_f64(bid).unwrap(),
                bid_size: 5,
                ask: Price::from_f64(ask).unwrap(),
                ask_size: 5,
            },
        }
    }

    fn kinds(events: &VecDeque<(i64, EventKind)>) -> Vec<String> {
        let name = |k: &EventKind| match k {
            EventKind::Fill(f) => format!("fill {} {}@{}", f.client_id, f.qty, f.price),
            EventKind::OrderUpdate(u) => format!("{} {:?} {}", u.client_id, u.status, u.filled_qty),
            other => format!("{other:?}"),
        };
        events.iter().map(|(_, k)| name(k)).collect()
    }

    #[test]
    fn finished_sequences_fold_into_one_run() {
        let mut f = FinishedSeqs::default();
        for seq in [5, 7, 6, 9, 4, 8, 3, 100] {
            f.insert(seq);
        }
        assert!((3..=9).all(|s| f.contains(s)) && f.contains(100));
        assert!(!f.contains(2) && !f.contains(10) && !f.contains(99));
        assert_eq!(f.scattered(), 1, "only 100 is kept on its own");
        // A long run of orders finishing a little out of order keeps almost nothing apart.
        let mut f = FinishedSeqs::default();
        for base in (0..100_000u64).step_by(4) {
            for seq in [base + 1, base, base + 3, base + 2] {
                f.insert(seq);
            }
        }
        assert_eq!(f.scattered(), 0);
        assert!(f.contains(99_999) && !f.contains(100_000));
    }

    #[test]
    fn fills_come_before_the_update_that_reports_them() {
        let (mut events, mut fills, mut counts) = (VecDeque::new(), Vec::new(), Counts::default());
        let mut v = Venue::new("r");
        macro_rules! out {
            () => {
                Out {
                    events: &mut events,
                    fills: &mut fills,
                    counts: &mut counts,
                }
            };
        }
        // No market yet: a market order is rejected by the exchange.
        v.submit(1, req(1, Side::Buy, OrderType::Market, 1), out!());
        v.market(&quote(2, 99.0, 100.0), out!());
        // 5 of 7 at the touch; the rest keeps working.
        v.submit(3, req(2, Side::Buy, OrderType::Market, 7), out!());
        v.submit(
            4,
            req(3, Side::Sell, OrderType::Limit { price: px("101.0") }, 1),
            out!(),
        );
        v.submit(
            4,
            req(4, Side::Buy, OrderType::Limit { price: px("98.0") }, 1),
            out!(),
        );
        v.market(&quote(5, 101.0, 102.0), out!());
        v.cancel(6, "r-4", out!());
        v.cancel(6, "r-4", out!());
        v.cancel(6, "r-404", out!());
        v.submit(7, req(3, Side::Sell, OrderType::Market, 1), out!());
        assert_eq!(
            kinds(&events),
            [
                "r-1 Rejected 0",
                "r-2 Working 0",
                "fill r-2 5@100",
                "r-2 PartiallyFilled 5",
                "r-3 Working 0",
                "r-4 Working 0",
                "fill r-2 2@102",
                "r-2 Filled 7",
                "fill r-3 1@101",
                "r-3 Filled 1",
                "r-4 Cancelled 0",
                "r-3 Rejected 0",
            ]
        );
        assert_eq!((events[1].0, events[2].0, events[6].0), (3, 3, 5));
        assert_eq!(fills.len(), 3);
        assert_eq!((counts.orders, counts.cancels_sent), (4, 1));
        assert_eq!((counts.store_refused, counts.store_errors), (1, 1));
        let statuses = v.order_statuses();
        let get = |k: &str| statuses.get(k).copied();
        assert_eq!(
            (get("Rejected"), get("Filled"), get("Cancelled")),
            (Some(1), Some(2), Some(1))
        );
    }
}
