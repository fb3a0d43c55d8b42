//! The paper venue: the simulated exchange behind a FIX 4.4 acceptor, fed by the fleet's
//! market feed (`robofleet venue --fix`), so a fleet can paper-trade over real FIX and the
//! tests run real FIX sessions.

mod reports;
pub mod requests;

use crate::engine::{self, Engine, EngineError, Handler, Role, SessionKey};
use crate::md::serve::MdServer;
use crossbeam_channel::{select, Receiver, Sender};
use quickfix::{Message, MsgFromAppError};
use reports::{cancel_reject, execution_report, ord_status_code, PaperOrder};
use requests::VenueRequest;
use robofleet_api::{Instrument, OrderStatus, OrderType};
use robofleet_core::clock;
use robofleet_core::market::MarketData;
use robofleet_core::store::{OrderChange, Trade};
use robofleet_gateway::{ExchangeInput, ExchangeOutput, GatewayStats, SimExchange};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::thread::JoinHandle;

pub struct PaperConfig {
    /// QuickFIX settings of the acceptor (`ConnectionType=acceptor`).
    pub settings: PathBuf,
    pub feed_endpoint: String,
    pub instruments: Vec<Instrument>,
    /// Cancel a session's working orders when it logs out or drops (as venues that offer
    /// cancel-on-disconnect do); the client hears of it when it is back.
    pub cancel_on_disconnect: bool,
}

/// The running paper venue. Dropping it stops it.
pub struct PaperVenue {
    engine: Option<Engine>,
    stop: Option<Sender<()>>,
    stop_feed: Arc<AtomicBool>,
    threads: Vec<JoinHandle<()>>,
}

#[derive(Debug, thiserror::Error)]
pub enum PaperError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Feed(#[from] robofleet_gateway::GatewayError),
    #[error("cannot start a thread: {0}")]
    Spawn(std::io::Error),
}

struct Requests {
    tx: Sender<(SessionKey, VenueRequest)>,
}

impl Handler for Requests {
    fn logon(&self, session: &SessionKey) {
        tracing::info!(client = %session.target, "paper venue: client logged on");
    }

    fn logout(&self, session: &SessionKey) {
        tracing::info!(client = %session.target, "paper venue: client logged out");
        let _ = self.tx.send((session.clone(), VenueRequest::Disconnected));
    }

    fn app(&self, session: &SessionKey, msg: &Message) -> Result<(), MsgFromAppError> {
        match requests::read(msg, &session.target, clock::wall_ns()) {
            Ok(req) => {
                let _ = self.tx.send((session.clone(), req));
                Ok(())
            }
            Err(e) => {
                tracing::warn!(client = %session.target, "paper venue: refused a message: {e}");
                Err(match e {
                    crate::FixMapError::Unexpected(_) => MsgFromAppError::UnsupportedMessageType,
                    crate::FixMapError::Missing { .. } => MsgFromAppError::FieldNotFound,
                    _ => MsgFromAppError::IncorrectTagValue,
                })
            }
        }
    }
}

impl PaperVenue {
    pub fn start(ctx: &zmq::Context, cfg: PaperConfig) -> Result<PaperVenue, PaperError> {
        let sock = robofleet_gateway::feed_sub::connect(ctx, &cfg.feed_endpoint)?;
        let (md_tx, md_rx) = crossbeam_channel::bounded(65_536);
        let (req_tx, req_rx) = crossbeam_channel::unbounded();
        let (stop_tx, stop_rx) = crossbeam_channel::bounded(1);
        let stop_feed = Arc::new(AtomicBool::new(false));
        let mut venue = PaperVenue {
            engine: None,
            stop: Some(stop_tx),
            stop_feed: stop_feed.clone(),
            threads: Vec::new(),
        };
        let stats = Arc::new(GatewayStats::default());
        let feed = std::thread::Builder::new()
            .name("paper-feed".into())
            .spawn(move || robofleet_gateway::feed_sub::run(sock, md_tx, stats, stop_feed))
            .map_err(PaperError::Spawn)?;
        venue.threads.push(feed);
        let mut exchange = SimExchange::with_next_exec_seq(1);
        let symbols: Vec<String> = cfg.instruments.iter().map(|i| i.symbol.clone()).collect();
        exchange.set_instruments(cfg.instruments.into_iter().collect());
        let mut book = Book {
            exchange,
            orders: HashMap::new(),
            fills: HashMap::new(),
            next_exec: 0,
            disconnected: std::collections::HashSet::new(),
            finished: HashMap::new(),
            prefix: format!("PX{}-", clock::wall_ns()),
            cancel_on_disconnect: cfg.cancel_on_disconnect,
            md: MdServer::new(symbols),
        };
        let matcher = std::thread::Builder::new()
            .name("paper-exchange".into())
            .spawn(move || book.run(req_rx, md_rx, stop_rx))
            .map_err(PaperError::Spawn)?;
        venue.threads.push(matcher);
        venue.engine = Some(Engine::start(
            &cfg.settings,
            Role::Acceptor,
            Arc::new(Requests { tx: req_tx }),
        )?);
        Ok(venue)
    }

    pub fn stop(self) {}
}

impl Drop for PaperVenue {
    fn drop(&mut self) {
        if let Some(e) = self.engine.take() {
            e.stop();
        }
        self.stop.take();
        self.stop_feed
            .store(true, std::sync::atomic::Ordering::Relaxed);
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// The exchange's thread: its orders, and what it owes each session.
struct Book {
    exchange: SimExchange,
    orders: HashMap<String, PaperOrder>,
    /// A fill waiting for the change that reports it (the exchange emits the fill first).
    fills: HashMap<String, Trade>,
    next_exec: u64,
    /// Finished orders, for status requests about them.
    finished: HashMap<String, PaperOrder>,
    /// Orders being cancelled because their session dropped.
    disconnected: std::collections::HashSet<String>,
    /// Exec ids of this run: `PX<start ns>-<n>`, never the same across restarts.
    prefix: String,
    cancel_on_disconnect: bool,
    /// Market data subscriptions.
    md: MdServer,
}

impl Book {
    fn run(
        &mut self,
        reqs: Receiver<(SessionKey, VenueRequest)>,
        md: Receiver<MarketData>,
        stop: Receiver<()>,
    ) {
        let mut md = md;
        loop {
            select! {
                recv(reqs) -> r => match r {
                    Ok((session, req)) => self.on_request(session, req),
                    Err(_) => return,
                },
                recv(md) -> m => match m {
                    Ok(m) => {
                        // Always, so a later subscriber's snapshot is the book as it is.
                        for (session, msg) in self.md.market(&m) {
                            send(msg, &session);
                        }
                        self.apply(ExchangeInput::Market(m));
                    }
                    Err(_) => md = crossbeam_channel::never(),
                },
                recv(stop) -> _ => return,
            }
        }
    }

    fn on_request(&mut self, session: SessionKey, req: VenueRequest) {
        let ts_ns = clock::wall_ns();
        match req {
            VenueRequest::MarketData(req) => {
                for (session, msg) in self.md.request(&session, req) {
                    send(msg, &session);
                }
            }
            VenueRequest::Disconnected => {
                self.md.disconnected(&session);
                if !self.cancel_on_disconnect {
                    return;
                }
                let theirs: Vec<String> = self
                    .orders
                    .iter()
                    .filter(|(_, o)| o.session == session)
                    .map(|(id, _)| id.clone())
                    .collect();
                if !theirs.is_empty() {
                    tracing::info!(client = %session.target, orders = theirs.len(), "paper venue: cancel on disconnect");
                }
                for client_id in theirs {
                    self.disconnected.insert(client_id.clone());
                    self.apply(ExchangeInput::Cancel { client_id, ts_ns });
                }
            }
            VenueRequest::New(order) => {
                let price = match order.order_type {
                    OrderType::Limit { price } => Some(price),
                    OrderType::Market => None,
                };
                self.orders.insert(
                    order.client_id.clone(),
                    PaperOrder {
                        session,
                        venue_order_id: format!("{}O{}", self.prefix, self.orders.len() + 1),
                        cl_ord_id: order.client_id.clone(),
                        orig_cl_ord_id: None,
                        symbol: order.symbol.clone(),
                        side: order.side,
                        qty: order.qty,
                        price,
                        status: OrderStatus::New,
                        reason: None,
                        cum_qty: 0,
                        avg_px: robofleet_api::Price::ZERO,
                    },
                );
                self.apply(ExchangeInput::NewOrder {
                    order: *order,
                    ts_ns,
                });
            }
            VenueRequest::Status {
                client_id,
                cl_ord_id,
                symbol,
                side,
            } => {
                self.next_exec += 1;
                let exec_id = format!("{}{}", self.prefix, self.next_exec);
                let known = self
                    .orders
                    .get(&client_id)
                    .or_else(|| self.finished.get(&client_id));
                let msg = match known {
                    Some(o) => {
                        let now = OrderChange {
                            client_id: client_id.clone(),
                            status: o.status,
                            filled_qty: o.cum_qty,
                            avg_price: o.avg_px,
                            reason: o.reason.clone(),
                            ts_ns,
                            amends: None,
                            qty: None,
                            price: None,
                            venue_order_id: None,
                        };
                        let mut o = o.clone();
                        o.orig_cl_ord_id = None;
                        execution_report(&o, &exec_id, 'I', &now, None, ts_ns)
                    }
                    None => {
                        reports::unknown_order_status(&cl_ord_id, &symbol, side, &exec_id, ts_ns)
                    }
                };
                send(msg, &session);
            }
            VenueRequest::Cancel {
                client_id,
                cl_ord_id,
            } => {
                let was = self.take_request(&client_id, &cl_ord_id);
                let input = ExchangeInput::Cancel {
                    client_id: client_id.clone(),
                    ts_ns,
                };
                if !self.apply_about(input, &client_id) {
                    self.refuse(&session, &client_id, &cl_ord_id, was, '1');
                }
            }
            VenueRequest::Replace {
                client_id,
                cl_ord_id,
                amend,
            } => {
                let was = self.take_request(&client_id, &cl_ord_id);
                let input = ExchangeInput::Amend {
                    client_id: client_id.clone(),
                    amend,
                    ts_ns,
                };
                if !self.apply_about(input, &client_id) {
                    self.refuse(&session, &client_id, &cl_ord_id, was, '2');
                }
            }
        }
    }

    /// A cancel or replace of a known order: it now answers under the request's ClOrdID.
    /// Returns the ClOrdID it replaced (`None`: not an order here).
    fn take_request(&mut self, client_id: &str, cl_ord_id: &str) -> Option<String> {
        let o = self.orders.get_mut(client_id)?;
        let was = std::mem::replace(&mut o.cl_ord_id, cl_ord_id.to_string());
        o.orig_cl_ord_id = Some(was.clone());
        Some(was)
    }

    /// A cancel or replace the exchange did not answer (the order is finished, or never
    /// was): an OrderCancelReject.
    fn refuse(
        &mut self,
        session: &SessionKey,
        client_id: &str,
        cl_ord_id: &str,
        was: Option<String>,
        to: char,
    ) {
        let Some(o) = self.orders.get_mut(client_id) else {
            let orig = was.unwrap_or_else(|| client_id.to_string());
            let msg = cancel_reject(None, cl_ord_id, &orig, to, "8", "unknown order");
            return send(msg, session);
        };
        let orig = o.orig_cl_ord_id.take().unwrap_or_default();
        o.cl_ord_id = orig.clone();
        let msg = cancel_reject(Some(o), cl_ord_id, &orig, to, "0", "too late or unknown");
        send(msg, &o.session.clone());
    }

    fn apply(&mut self, input: ExchangeInput) {
        self.apply_about(input, "");
    }

    /// Do `input` and report what came of it; true if order `client_id` changed.
    fn apply_about(&mut self, input: ExchangeInput, client_id: &str) -> bool {
        let mut changed = false;
        for out in self.exchange.process(input) {
            match out {
                ExchangeOutput::Fill(t) => {
                    self.fills.insert(t.client_id.clone(), t);
                }
                ExchangeOutput::Change(c) => {
                    changed |= c.client_id == client_id;
                    self.report(&c);
                }
            }
        }
        changed
    }

    fn report(&mut self, c: &OrderChange) {
        let cod;
        let c = if self.disconnected.remove(&c.client_id) && c.status == OrderStatus::Cancelled {
            cod = OrderChange {
                reason: Some("cancelled on disconnect".into()),
                ..c.clone()
            };
            &cod
        } else {
            c
        };
        let fill = self.fills.remove(&c.client_id);
        self.next_exec += 1;
        let own_id = format!("{}{}", self.prefix, self.next_exec);
        let Some(o) = self.orders.get_mut(&c.client_id) else {
            return;
        };
        let refused = c
            .reason
            .as_deref()
            .is_some_and(|r| r.starts_with("amend refused"));
        if c.amends.is_some() && refused {
            let orig = o.orig_cl_ord_id.take().unwrap_or_default();
            let cl = std::mem::replace(&mut o.cl_ord_id, orig.clone());
            let reason = c.reason.clone().unwrap_or_default();
            let msg = cancel_reject(
                Some(o),
                &cl,
                &orig,
                '2',
                ord_status_code(c.status, c.filled_qty),
                &reason,
            );
            return send(msg, &o.session.clone());
        }
        let (exec_type, exec_id) = match &fill {
            Some(t) => ('F', t.exec_id.clone()),
            None if c.amends.is_some() => ('5', own_id),
            None => (
                match c.status {
                    OrderStatus::New | OrderStatus::Working => '0',
                    OrderStatus::Cancelled => '4',
                    OrderStatus::Rejected | OrderStatus::Denied => '8',
                    OrderStatus::PartiallyFilled | OrderStatus::Filled => 'D',
                },
                own_id,
            ),
        };
        if exec_type == '5' {
            o.qty = c.qty.unwrap_or(o.qty);
            o.price = c.price.or(o.price);
        }
        (o.status, o.cum_qty, o.avg_px) = (c.status, c.filled_qty, c.avg_price);
        let msg = execution_report(o, &exec_id, exec_type, c, fill.as_ref(), clock::wall_ns());
        // Once answered, later reports name the order by the ClOrdID now in force.
        o.orig_cl_ord_id = None;
        let session = o.session.clone();
        o.reason.clone_from(&c.reason);
        if c.status.is_terminal() {
            // Kept, finished, so a status request after the end still hears how it ended.
            if let Some(o) = self.orders.remove(&c.client_id) {
                self.finished.insert(c.client_id.clone(), o);
            }
        }
        send(msg, &session);
    }
}

fn send(msg: Result<Message, crate::FixMapError>, session: &SessionKey) {
    match msg.and_then(|m| engine::send(m, session)) {
        Ok(()) => {}
        Err(e) => tracing::error!(client = %session.target, "paper venue: report not sent: {e}"),
    }
}
