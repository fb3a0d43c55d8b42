//! The gateway threads end to end: a real ZeroMQ feed, a `FakeVecStore`.

mod conflation;
mod fake_store;
mod session_rate;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use robofleet_api::testing::px;
use robofleet_api::{OrderStatus, OrderType, Price, Side};

fn p(x: f64) -> Price {
    Price::from_f64(x).unwrap()
}

use super::*;
use crate::clock;
use crate::market::{encode, MarketData, MarketKind};
use crate::store::{Order, StatusChange, Trade};
use fake_store::FakeVecStore;

const WAIT: Duration = Duration::from_secs(5);

/// Poll `cond` until it holds or 5 s pass.
fn wait_until(mut cond: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < WAIT {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    cond()
}

/// A PUB socket on a free port, standing in for `robofleet feed`.
struct Feed {
    sock: zmq::Socket,
    endpoint: String,
}

impl Feed {
    fn new(ctx: &zmq::Context) -> Feed {
        let sock = ctx.socket(zmq::PUB).expect("PUB socket");
        sock.bind("tcp://127.0.0.1:*").expect("bind a free port");
        let endpoint = sock
            .get_last_endpoint()
            .expect("last endpoint")
            .expect("endpoint is UTF-8");
        Feed { sock, endpoint }
    }

    fn send(&self, frames: &[Vec<u8>]) {
        self.sock.send_multipart(frames, 0).expect("publish");
    }

    fn quote(ts: i64, bid: Price, ask: Price, size: i64) -> [Vec<u8>; 2] {
        encode(&MarketData {
            symbol: "Si".into(),
            ts,
            sent_ns: Some(clock::wall_ns()),
            kind: MarketKind::Quote {
                bid,
                bid_size: size,
                ask,
                ask_size: size,
            },
        })
    }

    /// Publish `frames` until `seen` holds: the SUB side joins late (the slow joiner),
    /// so the first messages may be lost.
    fn publish_until(&self, frames: &[Vec<u8>], mut seen: impl FnMut() -> bool) {
        let start = Instant::now();
        while !seen() {
            assert!(start.elapsed() < WAIT, "the gateway never saw the feed");
            self.send(frames);
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn order(id: &str, order_type: OrderType, qty: i64) -> Order {
    Order {
        client_id: id.to_string(),
        robot: "bot".to_string(),
        order_seq: 1,
        symbol: "Si".to_string(),
        side: Side::Buy,
        order_type,
        tif: robofleet_api::TimeInForce::Day,
        qty,
        status: OrderStatus::New,
        filled_qty: 0,
        avg_price: px("0.0"),
        reason: None,
        cancel_requested: false,
        amend_request: None,
        amends: 0,
        created_ns: clock::wall_ns(),
        updated_ns: 0,
        history: Vec::new(),
        tick_recv_mono_ns: None,
        tick_sent_ns: None,
        venue_order_id: None,
    }
}

struct Setup {
    ctx: zmq::Context,
    feed: Feed,
    store: Arc<FakeVecStore>,
    stats: Arc<GatewayStats>,
}

impl Setup {
    fn new() -> Setup {
        let ctx = zmq::Context::new();
        let feed = Feed::new(&ctx);
        Setup {
            ctx,
            feed,
            store: Arc::new(FakeVecStore::with_si()),
            stats: Arc::new(GatewayStats::default()),
        }
    }

    fn spawn(&self) -> GatewayHandle {
        let cfg = GatewayConfig {
            feed_endpoint: self.feed.endpoint.clone(),
            ..GatewayConfig::default()
        };
        spawn_gateway(
            self.ctx.clone(),
            self.store.clone(),
            cfg,
            self.stats.clone(),
        )
        .expect("gateway starts")
    }

    fn status_of(&self, id: &str) -> Option<OrderStatus> {
        self.store.order(id).map(|o| o.status)
    }

    fn count(&self, c: &std::sync::atomic::AtomicU64) -> u64 {
        c.load(Ordering::Relaxed)
    }
}

fn statuses(o: &Order) -> Vec<OrderStatus> {
    o.history.iter().map(|h| h.status).collect()
}

#[test]
fn market_buy_becomes_working_then_filled_with_a_trade() {
    let s = Setup::new();
    let gw = s.spawn();
    s.feed
        .publish_until(&Feed::quote(1_000, p(99.0), p(100.0), 10), || {
            s.count(&s.stats.md_messages) > 0
        });

    let mut o = order("bot-1", OrderType::Market, 3);
    o.tick_recv_mono_ns = Some(clock::mono_ns());
    o.tick_sent_ns = Some(clock::wall_ns());
    s.store.insert_order(&o).expect("insert");
    assert!(wait_until(
        || s.status_of("bot-1") == Some(OrderStatus::Filled)
    ));

    let stored = s.store.order("bot-1").expect("stored");
    assert_eq!(
        statuses(&stored),
        vec![OrderStatus::Working, OrderStatus::Filled]
    );
    assert_eq!((stored.filled_qty, stored.avg_price), (3, p(100.0)));
    let trades = s.store.trades(None).expect("trades");
    assert_eq!(trades.len(), 1);
    let t = &trades[0];
    assert_eq!(
        (t.exec_id.as_str(), t.client_id.as_str()),
        ("SIM-1", "bot-1")
    );
    assert_eq!((t.side, t.qty, t.price), (Side::Buy, 3, p(100.0)));
    assert!(
        stored.created_ns <= t.ts_ns && t.ts_ns <= stored.history[1].ts_ns,
        "our times: created, then the fill, then its change"
    );

    let snap = s.stats.snapshot();
    assert_eq!((snap.orders_seen, snap.fills, snap.rejects), (1, 1, 0));
    assert_eq!(snap.store_errors, 0);
    assert_eq!(s.stats.latency_inside().len(), 1);
    assert_eq!(s.stats.latency_wire().len(), 1);

    let start = Instant::now();
    gw.shutdown();
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "shutdown is prompt"
    );
}

#[test]
fn a_fill_on_old_market_data_keeps_the_venue_time_and_is_stamped_after_its_order() {
    // Market data from a replayed day: its times lie far before the order was created.
    let s = Setup::new();
    let gw = s.spawn();
    s.feed
        .publish_until(&Feed::quote(1_000, p(99.0), p(101.0), 10), || {
            s.count(&s.stats.md_messages) > 0
        });
    s.store
        .insert_order(&order("bot-1", OrderType::Limit { price: px("100.0") }, 2))
        .expect("insert");
    assert!(wait_until(
        || s.status_of("bot-1") == Some(OrderStatus::Working)
    ));
    let seen = s.count(&s.stats.md_messages);
    s.feed
        .publish_until(&Feed::quote(2_000, p(99.0), p(100.0), 10), || {
            s.count(&s.stats.md_messages) > seen
        });
    assert!(wait_until(
        || s.status_of("bot-1") == Some(OrderStatus::Filled)
    ));
    let stored = s.store.order("bot-1").expect("stored");
    let trades = s.store.trades(None).expect("trades");
    let t = &trades[0];
    assert_eq!(t.venue_ts_ns, Some(2_000), "the venue's time is kept");
    assert!(
        t.ts_ns >= stored.created_ns,
        "a fill stamped before its order: {} < {}",
        t.ts_ns,
        stored.created_ns
    );
    // The life of the order in time order is the order it happened in.
    let mut by_time = stored.history.clone();
    by_time.sort_by_key(|h| h.ts_ns);
    assert_eq!(by_time, stored.history);
    assert_eq!(
        statuses(&stored),
        vec![OrderStatus::Working, OrderStatus::Filled]
    );
    assert!(stored.history[0].ts_ns >= stored.created_ns);
    assert!(t.ts_ns <= stored.updated_ns);
    gw.shutdown();
}

#[test]
fn garbage_feed_message_is_counted_and_gateway_survives() {
    let s = Setup::new();
    let _gw = s.spawn();
    let junk = [b"Si".to_vec(), b"{not json".to_vec()];
    s.feed
        .publish_until(&junk, || s.count(&s.stats.feed_garbage) > 0);
    s.feed.send(&[b"one frame only".to_vec()]);
    s.feed
        .publish_until(&Feed::quote(1, p(99.0), p(100.0), 10), || {
            s.count(&s.stats.md_messages) > 0
        });
    assert!(s.count(&s.stats.feed_garbage) >= 1);

    s.store
        .insert_order(&order("bot-1", OrderType::Market, 1))
        .expect("insert");
    assert!(wait_until(
        || s.status_of("bot-1") == Some(OrderStatus::Filled)
    ));
}

#[test]
fn replayed_order_is_not_accepted_twice_and_exec_ids_continue() {
    let s = Setup::new();
    let mut o = order("bot-1", OrderType::Limit { price: px("100.0") }, 5);
    o.status = OrderStatus::PartiallyFilled;
    o.filled_qty = 2;
    o.avg_price = px("98.0");
    o.tick_recv_mono_ns = Some(1);
    o.history = vec![
        StatusChange {
            status: OrderStatus::Working,
            ts_ns: 1,
            reason: None,
        },
        StatusChange {
            status: OrderStatus::PartiallyFilled,
            ts_ns: 2,
            reason: None,
        },
    ];
    let old = Trade {
        exec_id: "SIM-7".into(),
        client_id: "bot-1".into(),
        robot: "bot".into(),
        symbol: "Si".into(),
        side: Side::Buy,
        qty: 2,
        price: px("98.0"),
        ts_ns: 2,
        venue_ts_ns: None,
        fee: robofleet_api::Money::ZERO,
        currency: None,
    };
    s.store.preload(o, vec![old]);
    let _gw = s.spawn();
    s.feed
        .publish_until(&Feed::quote(10, p(98.5), p(99.0), 10), || {
            s.status_of("bot-1") == Some(OrderStatus::Filled)
        });

    let stored = s.store.order("bot-1").expect("stored");
    assert_eq!(
        statuses(&stored),
        vec![
            OrderStatus::Working,
            OrderStatus::PartiallyFilled,
            OrderStatus::Filled
        ],
        "no second Working"
    );
    assert_eq!(stored.filled_qty, 5);
    assert_eq!(stored.avg_price, px("98.6"));
    let trades = s.store.trades(None).expect("trades");
    assert_eq!(trades.len(), 2);
    assert_eq!((trades[1].exec_id.as_str(), trades[1].qty), ("SIM-8", 3));
    assert_eq!(
        s.stats.latency_inside().len(),
        0,
        "replays are not latency samples"
    );
}

#[test]
fn rejects_cancels_and_store_errors() {
    let s = Setup::new();
    let _gw = s.spawn();

    // No quote has arrived: a market order is rejected.
    s.store
        .insert_order(&order("bot-1", OrderType::Market, 1))
        .expect("insert");
    assert!(wait_until(
        || s.status_of("bot-1") == Some(OrderStatus::Rejected)
    ));
    let rejected = s.store.order("bot-1").expect("stored");
    assert_eq!(rejected.reason.as_deref(), Some("no market for Si"));

    // A failing store is counted and logged; the gateway carries on.
    s.store.fail_writes.store(true, Ordering::Relaxed);
    let limit = OrderType::Limit { price: px("50.0") };
    s.store
        .insert_order(&order("bot-2", limit, 1))
        .expect("insert");
    assert!(wait_until(|| s.count(&s.stats.store_errors) == 1));
    s.store.fail_writes.store(false, Ordering::Relaxed);

    s.store
        .insert_order(&order("bot-3", limit, 1))
        .expect("insert");
    assert!(wait_until(
        || s.status_of("bot-3") == Some(OrderStatus::Working)
    ));
    s.store.request_cancel("bot-3").expect("cancel");
    assert!(wait_until(
        || s.status_of("bot-3") == Some(OrderStatus::Cancelled)
    ));
    let cancelled = s.store.order("bot-3").expect("stored");
    assert_eq!(cancelled.reason.as_deref(), Some(exchange::CANCEL_REASON));

    let snap = s.stats.snapshot();
    assert_eq!((snap.orders_seen, snap.cancels_seen), (3, 1));
    assert_eq!((snap.rejects, snap.store_errors, snap.fills), (1, 1, 0));
}

#[test]
fn a_registry_written_after_the_gateway_started_is_read_before_an_order_is_refused() {
    let s = Setup::new();
    // The gateway starts first, on a store with no registry yet (a fleet's gateway process
    // started before its servers).
    let si = s.store.instruments().expect("read");
    s.store.put_instruments(&[]).expect("clear");
    let _gw = s.spawn();
    s.store.put_instruments(&si).expect("a server writes it");
    // At once, well inside the periodic re-read: the order is checked against it.
    let limit = OrderType::Limit { price: px("50.0") };
    s.store
        .insert_order(&order("bot-1", limit, 1))
        .expect("insert");
    assert!(wait_until(|| s
        .status_of("bot-1")
        .is_some_and(|st| st != OrderStatus::New)));
    assert_eq!(s.status_of("bot-1"), Some(OrderStatus::Working));
    // A symbol in no registry is still refused.
    let mut made_up = order("bot-2", limit, 1);
    made_up.symbol = "XX".into();
    s.store.insert_order(&made_up).expect("insert");
    assert!(wait_until(
        || s.status_of("bot-2") == Some(OrderStatus::Rejected)
    ));
    let reason = s.store.order("bot-2").and_then(|o| o.reason);
    assert_eq!(
        reason.as_deref(),
        Some("unknown symbol XX: not in the instrument registry")
    );
}

#[test]
fn bad_feed_endpoint_is_an_error() {
    let ctx = zmq::Context::new();
    let cfg = GatewayConfig {
        feed_endpoint: "not an endpoint".into(),
        ..GatewayConfig::default()
    };
    let store = Arc::new(FakeVecStore::with_si());
    let err = spawn_gateway(ctx, store, cfg, Arc::default()).err();
    assert!(matches!(err, Some(GatewayError::Connect { .. })), "{err:?}");
}
