//! The gateway thread: order requests and market data in, store writes out.

use std::collections::HashMap;
use std::sync::Arc;

use crossbeam_channel::{never, select, Receiver};
use robofleet_api::OrderStatus;

use super::conflate;
use super::exchange::{ExchangeInput, ExchangeOutput};
use super::stats::GatewayStats;
use super::venue::Venue;
use crate::clock;
use crate::market::MarketData;
use crate::store::{
    GatewayRequest, GatewayWrite, Order, OrderChange, OrderFilter, Store, StoreError, Trade,
};

/// What the stored trades of each open order add up to when the gateway starts: (qty,
/// qty x price). The trades are the truth; an order's `filled_qty` lags them when the last
/// gateway stopped between writing a fill and writing the change that reports it.
#[derive(Default)]
pub struct StoredFills(HashMap<String, (i64, i128)>);

impl StoredFills {
    pub fn of_open_orders(store: &dyn Store, trades: &[Trade]) -> Result<StoredFills, StoreError> {
        let open = OrderFilter {
            open_only: true,
            ..OrderFilter::default()
        };
        let mut fills: HashMap<String, (i64, i128)> = store
            .orders(&open)?
            .into_iter()
            .map(|o| (o.client_id, (0, 0)))
            .collect();
        for t in trades {
            if let Some((qty, notional)) = fills.get_mut(&t.client_id) {
                *qty += t.qty;
                *notional += t.qty as i128 * t.price.raw() as i128;
            }
        }
        fills.retain(|_, (qty, _)| *qty > 0);
        Ok(StoredFills(fills))
    }

    /// Bring a replayed `order` up to its stored trades. Returns the change that reports
    /// fills its record missed, when the order stays open (a fully filled one is reported
    /// `Filled` by the exchange).
    fn catch_up(&mut self, order: &mut Order, ts_ns: i64) -> Option<OrderChange> {
        let (qty, notional) = self.0.remove(&order.client_id)?;
        if qty <= order.filled_qty || order.status.is_terminal() {
            return None;
        }
        tracing::warn!(
            client_id = %order.client_id,
            recorded = order.filled_qty,
            traded = qty,
            "order record behind its trades (a gateway stopped between a fill and its \
             report): filled qty restored from the trades"
        );
        order.filled_qty = qty.min(order.qty);
        order.avg_price = crate::store::average_price(notional, qty);
        if order.status == OrderStatus::New {
            // It was accepted: it has trades. Replay it as working, never accept it again.
            order.status = OrderStatus::Working;
        }
        (order.filled_qty < order.qty).then(|| OrderChange {
            client_id: order.client_id.clone(),
            status: OrderStatus::PartiallyFilled,
            filled_qty: order.filled_qty,
            avg_price: order.avg_price,
            reason: None,
            ts_ns,
            amends: None,
            qty: None,
            price: None,
            venue_order_id: None,
        })
    }
}

/// Our time for each open order's changes and fills: the gateway's wall clock, but always
/// after the order was created and after its previous change. The exchange works in the
/// venue's time (the simulated one: market data time, which lags ours or, replaying a day
/// from a file, lies in the past); that time stays on the trade as `venue_ts_ns`.
#[derive(Default)]
pub struct OrderClock(HashMap<String, i64>);

impl OrderClock {
    fn open(&mut self, order: &Order) {
        let floor = order.created_ns.max(order.updated_ns);
        self.0.insert(order.client_id.clone(), floor);
    }

    fn stamp(&mut self, client_id: &str) -> i64 {
        let now = clock::wall_ns();
        match self.0.get_mut(client_id) {
            // Strictly later than the last: an order's changes never share a time, so
            // sorting them by time gives the order they happened in.
            Some(floor) => {
                *floor = now.max(floor.saturating_add(1));
                *floor
            }
            None => now,
        }
    }

    fn close(&mut self, client_id: &str) {
        self.0.remove(client_id);
    }
}

/// Monotonic ns as the session throttle counts them.
fn mono_now() -> i64 {
    i64::try_from(clock::mono_ns()).unwrap_or(i64::MAX)
}

/// The most order requests taken from the queue at once.
const REQUEST_BATCH: usize = 256;

/// The most market data messages taken from the queue at once.
const MD_BATCH: usize = 4_096;

/// How often the gateway re-reads the instrument registry from the store.
const INSTRUMENTS_REFRESH: std::time::Duration = std::time::Duration::from_secs(1);

/// The least time between two extra reads of the registry for an order on a symbol it does not
/// hold: enough that a stream of orders on a made-up symbol cannot load the store.
const UNKNOWN_SYMBOL_REREAD: std::time::Duration = std::time::Duration::from_millis(100);

pub struct Runner {
    pub store: Arc<dyn Store>,
    pub stats: Arc<GatewayStats>,
    pub venue: Box<dyn Venue>,
    /// The venue's answers, reused from one input to the next.
    pub answers: Vec<ExchangeOutput>,
    /// The registry the venue checks against, as last read from the store.
    pub instruments: Vec<robofleet_api::Instrument>,
    /// When the registry was last read for an order on a symbol it did not hold.
    pub unknown_symbol_read: Option<std::time::Instant>,
    /// Market data taken from the queue at once, to be conflated ([`crate::conflate`]).
    pub md_batch: Vec<MarketData>,
    /// Answers not written yet: what one turn of the loop made, written together
    /// ([`Runner::flush_writes`]).
    pub unwritten: Vec<GatewayWrite>,
    pub stored_fills: StoredFills,
    pub clock: OrderClock,
    /// The venue session's message rate, when it has one: requests wait here for a token.
    pub throttle: Option<super::throttle::SessionThrottle>,
}

impl Runner {
    /// Serve until `shutdown` gets a message or its sender is dropped.
    pub fn run(
        mut self,
        requests: Receiver<GatewayRequest>,
        market: Receiver<MarketData>,
        shutdown: Receiver<()>,
    ) {
        // A disconnected channel is always ready; swapping in `never()` keeps `select!`
        // from spinning on it while the other inputs still work.
        let mut requests = requests;
        let mut market = market;
        let mut later = self.venue.later_answers().unwrap_or_else(never);
        let refresh = crossbeam_channel::tick(INSTRUMENTS_REFRESH);
        loop {
            self.stats.set_queued(market.len(), requests.len());
            // Requests waiting for the session's rate: wake when the next token is due.
            let wait = self.throttle.as_mut().and_then(|t| t.wait_ns(mono_now()));
            let next_token = match wait {
                Some(ns) => crossbeam_channel::after(std::time::Duration::from_nanos(
                    u64::try_from(ns).unwrap_or(0),
                )),
                None => never(),
            };
            select! {
                recv(refresh) -> _ => self.refresh_instruments(),
                recv(next_token) -> _ => self.send_waiting(),
                recv(requests) -> msg => match msg {
                    Ok(req) => {
                        self.submit(req);
                        // What else waits is taken too: its answers are written together.
                        for _ in 1..REQUEST_BATCH {
                            match requests.try_recv() {
                                Ok(req) => self.submit(req),
                                Err(_) => break,
                            }
                        }
                    }
                    Err(_) => {
                        tracing::warn!("the store stopped delivering order requests");
                        requests = never();
                    }
                },
                recv(later) -> msg => match msg {
                    Ok(answer) => {
                        for output in answer.outputs {
                            self.write_answer(output);
                        }
                        if let Some(written) = answer.written {
                            self.flush_writes();
                            let _ = written.send(());
                        }
                    }
                    Err(_) => {
                        tracing::warn!(venue = self.venue.name(), "the venue stopped answering");
                        later = never();
                    }
                },
                recv(market) -> msg => match msg {
                    Ok(md) => self.on_market_batch(md, &market),
                    Err(_) => {
                        tracing::warn!("the market data thread stopped");
                        market = never();
                    }
                },
                recv(shutdown) -> _ => break,
            }
            self.flush_writes();
        }
        self.flush_writes();
        self.stop_venue(later);
        tracing::debug!("gateway thread stopped");
    }

    /// Stop the venue on a thread of its own while this one still writes what it answers:
    /// a venue that waits for its answers to be written (FIX) may get some while its session
    /// closes, and stopping it here alone would wait on ourselves.
    fn stop_venue(&mut self, later: Receiver<super::venue::LaterAnswer>) {
        let venue = std::mem::replace(&mut self.venue, Box::new(super::venue::Stopped));
        let stopper = match std::thread::Builder::new()
            .name("gateway-stop".into())
            .spawn(move || drop(venue))
        {
            Ok(t) => t,
            Err(e) => {
                tracing::error!("cannot stop the venue on its own thread: {e}");
                return;
            }
        };
        while !stopper.is_finished() {
            if let Ok(answer) = later.recv_timeout(std::time::Duration::from_millis(10)) {
                for output in answer.outputs {
                    self.write_answer(output);
                }
                self.flush_writes();
                if let Some(written) = answer.written {
                    let _ = written.send(());
                }
            }
        }
        let _ = stopper.join();
    }

    /// Take up a changed registry (a server reloaded its file into the store).
    fn refresh_instruments(&mut self) {
        match self.store.instruments() {
            Ok(specs) if specs != self.instruments => {
                tracing::info!(versions = specs.len(), "instrument registry changed");
                self.venue.set_instruments(specs.iter().cloned().collect());
                self.instruments = specs;
            }
            Ok(_) => {}
            // Keep checking against the registry we have; the store says it is away.
            Err(e) => tracing::debug!("instrument registry not re-read: {e}"),
        }
    }

    /// Before an order on a symbol the registry we hold does not list is refused, read the
    /// registry again: a server may have just written it (a gateway that started first, or
    /// a reload less than [`INSTRUMENTS_REFRESH`] ago).
    fn know_symbol(&mut self, symbol: &str) {
        if self.instruments.iter().any(|i| i.symbol == symbol) {
            return;
        }
        let now = std::time::Instant::now();
        if self
            .unknown_symbol_read
            .is_some_and(|t| now.duration_since(t) < UNKNOWN_SYMBOL_REREAD)
        {
            return;
        }
        self.unknown_symbol_read = Some(now);
        self.refresh_instruments();
    }

    /// A request from the store: to the venue now, or in turn when the session's rate says.
    pub fn submit(&mut self, req: GatewayRequest) {
        match self.throttle.as_mut() {
            None => self.on_request(req),
            Some(t) => {
                let now = mono_now();
                let was_waiting = t.waiting() > 0;
                t.push(req, now);
                self.send_waiting();
                let waiting = self.throttle.as_ref().map_or(0, |t| t.waiting());
                if waiting > 0 {
                    GatewayStats::bump(&self.stats.session_throttled);
                    if !was_waiting {
                        tracing::debug!(
                            "venue session at its message rate: requests wait their turn"
                        );
                    }
                }
            }
        }
    }

    /// Send what the session's rate allows now, robots in turn.
    fn send_waiting(&mut self) {
        loop {
            let now = mono_now();
            let Some((req, queued_at)) = self.throttle.as_mut().and_then(|t| t.pop(now)) else {
                break;
            };
            self.stats
                .record_session_wait(now.saturating_sub(queued_at));
            self.on_request(req);
        }
        let waiting = self.throttle.as_ref().map_or(0, |t| t.waiting());
        self.stats
            .session_waiting
            .store(waiting as u64, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn on_request(&mut self, req: GatewayRequest) {
        match req {
            GatewayRequest::New(mut order) => {
                // First thing, so the latency does not include our own work.
                self.stats.record_order_latency(&order);
                GatewayStats::bump(&self.stats.orders_seen);
                self.clock.open(&order);
                self.know_symbol(&order.symbol);
                let ts_ns = self.clock.stamp(&order.client_id);
                if let Some(change) = self.stored_fills.catch_up(&mut order, ts_ns) {
                    self.push_change(change);
                }
                self.apply(ExchangeInput::NewOrder { order, ts_ns });
            }
            GatewayRequest::Amend { client_id, amend } => {
                let ts_ns = self.clock.stamp(&client_id);
                self.apply(ExchangeInput::Amend {
                    client_id,
                    amend,
                    ts_ns,
                });
            }
            GatewayRequest::Cancel { client_id } => {
                GatewayStats::bump(&self.stats.cancels_seen);
                let ts_ns = self.clock.stamp(&client_id);
                self.apply(ExchangeInput::Cancel { client_id, ts_ns });
            }
        }
    }

    /// `first` and whatever else waits behind it, conflated: a gateway that fell behind trades
    /// against the newest quote or book of each symbol, not the ones the market has left.
    fn on_market_batch(&mut self, first: MarketData, market: &Receiver<MarketData>) {
        let mut batch = std::mem::take(&mut self.md_batch);
        batch.push(first);
        while batch.len() < MD_BATCH {
            match market.try_recv() {
                Ok(md) => batch.push(md),
                Err(_) => break,
            }
        }
        let skipped = conflate::conflate(&mut batch);
        if skipped > 0 {
            self.stats
                .md_conflated
                .fetch_add(skipped, std::sync::atomic::Ordering::Relaxed);
        }
        for md in batch.drain(..) {
            self.on_market(md);
        }
        self.md_batch = batch;
    }

    pub fn on_market(&mut self, md: MarketData) {
        GatewayStats::bump(&self.stats.md_messages);
        if self.venue.wants_market_data() {
            self.apply(ExchangeInput::Market(md));
        }
    }

    /// The venue answers each Fill before the Change that reports it, and the writes
    /// keep that order, so a robot never sees a fill count its trades do not explain.
    fn apply(&mut self, input: ExchangeInput) {
        let mut answers = std::mem::take(&mut self.answers);
        self.venue.process(input, &mut answers);
        for answer in answers.drain(..) {
            self.write_answer(answer);
        }
        self.answers = answers;
    }

    /// One answer of the venue, stamped with our time ([`OrderClock`]) as it is written.
    fn write_answer(&mut self, answer: ExchangeOutput) {
        match answer {
            ExchangeOutput::Fill(mut trade) => {
                trade.ts_ns = self.clock.stamp(&trade.client_id);
                self.push_trade(trade)
            }
            ExchangeOutput::Change(mut change) => {
                change.ts_ns = self.clock.stamp(&change.client_id);
                if change.status.is_terminal() {
                    self.clock.close(&change.client_id);
                }
                self.push_change(change)
            }
        }
    }
}
