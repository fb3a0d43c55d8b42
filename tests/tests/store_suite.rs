//! One behavioural suite, three backends: every test here runs against the embedded log
//! store, the SQLite store and MongoDB (the server `scripts/test.sh` starts, or
//! `MONGODB_URI`).
//!
//! A MongoDB store takes robot writes through a queue, so reads wait until they show.

use crossbeam_channel::Receiver;
use robofleet::store::embedded::{EmbeddedStore, SyncPolicy};
use robofleet::store::mongo::{MongoOptions, MongoStore};
use robofleet::store::sqlite::SqliteStore;
use robofleet::store::{
    Cursor, GatewayRequest, Order, OrderChange, OrderFilter, OrderQuery, PageQuery, RobotUpdate,
    Store, StoreError, Trade, TradeQuery,
};
use robofleet_api::testing::px;
use robofleet_api::{OrderRequest, OrderStatus, OrderType, Price, Side};

fn p(x: f64) -> Price {
    Price::from_f64(x).unwrap()
}
use robofleet_tests::{mongo, wait_until};
use std::sync::Arc;
use std::time::Duration;

const T: Duration = Duration::from_secs(15);

/// A store and what keeps it alive (its folder).
struct Backend {
    store: Arc<dyn Store>,
    _dir: Option<tempfile::TempDir>,
}

fn embedded() -> Backend {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), SyncPolicy::Never).unwrap();
    Backend {
        store: Arc::new(store),
        _dir: Some(dir),
    }
}

fn sqlite() -> Backend {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path(), SyncPolicy::Never).unwrap();
    Backend {
        store: Arc::new(store),
        _dir: Some(dir),
    }
}

fn mongodb(test: &str) -> Backend {
    let opts = MongoOptions::new(&mongo::uri_for(test), "server:suite");
    Backend {
        store: Arc::new(MongoStore::open(&opts).unwrap()),
        _dir: None,
    }
}

/// Each behaviour, once per backend.
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn embedded() {
                super::$name(&super::embedded().store)
            }
            #[test]
            fn sqlite() {
                super::$name(&super::sqlite().store)
            }
            #[test]
            fn mongodb() {
                super::$name(&super::mongodb(stringify!($name)).store)
            }
        }
    )*};
}

on_every_backend!(
    orders_fills_and_positions,
    a_duplicate_client_id_is_refused_visibly,
    a_duplicate_exec_id_is_ignored,
    a_robot_hears_only_its_own_updates_in_order,
    a_gateway_gets_open_orders_first_then_new_orders_and_cancels,
    terminal_orders_do_not_change,
    a_thousand_robots_subscribe_by_name,
    a_gateway_stopped_between_a_fill_and_its_report_never_overfills,
    orders_and_trades_come_a_page_at_a_time,
    an_amend_reaches_the_gateway_and_its_answer_changes_the_order,
    a_denied_order_is_kept_and_no_gateway_takes_it,
    an_audit_entry_shipped_twice_is_kept_once,
);

/// The audit spool ships again what a crash left unmarked: the store keeps each entry once,
/// known by server and time, and reads them newest first.
fn an_audit_entry_shipped_twice_is_kept_once(store: &Arc<dyn Store>) {
    let entry = |ts_ns: i64, server: &str| robofleet::store::AuditEntry {
        ts_ns,
        server: server.into(),
        who: "ann".into(),
        role: "admin".into(),
        cmd: "stop".into(),
        request: "{\"cmd\":\"stop\"}".into(),
        result: "ok".into(),
        message: String::new(),
    };
    for e in [
        entry(10, "a"),
        entry(20, "a"),
        entry(20, "a"),
        entry(10, "a"),
    ] {
        store.append_audit(&e).unwrap();
    }
    let log = store.audit_log(10).unwrap();
    let times: Vec<i64> = log.iter().map(|e| e.ts_ns).collect();
    assert_eq!(times, [20, 10]);
}

/// An order the pre-trade checks denied is kept, finished, with its reason; no gateway is
/// handed it, and nothing changes it afterwards.
fn a_denied_order_is_kept_and_no_gateway_takes_it(store: &Arc<dyn Store>) {
    let (tx, rx) = crossbeam_channel::unbounded();
    store.watch_order_requests(tx).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let new = order("d", 2, "Si");
    let denied = {
        let mut o = order("d", 1, "Si");
        o.status = OrderStatus::Denied;
        o.reason = Some("MAX_ORDER_QTY: 3 (limit 2)".into());
        o.history[0].status = OrderStatus::Denied;
        o.history[0].reason = o.reason.clone();
        o
    };
    let mut unexplained = order("d", 3, "Si");
    unexplained.status = OrderStatus::Denied;
    assert!(
        matches!(
            store.insert_order(&unexplained),
            Err(StoreError::InvalidTransition { .. })
        ),
        "a denial says why"
    );
    store.insert_order(&denied).unwrap();
    store.insert_order(&new).unwrap();
    stored(store, 2);
    let mut got_new = false;
    assert!(wait_until(T, || {
        while let Ok(req) = rx.try_recv() {
            match req {
                GatewayRequest::New(o) if o.client_id == "d-2" => got_new = true,
                other => panic!("a gateway was handed {other:?}"),
            }
        }
        got_new
    }));
    // Later than the new order, and nothing came for the denied one.
    std::thread::sleep(Duration::from_millis(300));
    assert!(rx.try_recv().is_err());
    let kept = store
        .orders(&OrderFilter::default())
        .unwrap()
        .into_iter()
        .find(|o| o.client_id == "d-1")
        .unwrap();
    assert_eq!(kept.status, OrderStatus::Denied);
    assert_eq!(kept.reason.as_deref(), Some("MAX_ORDER_QTY: 3 (limit 2)"));
    assert_eq!(kept.history.len(), 1);
    let open = store
        .orders(&OrderFilter {
            robot: Some("d".into()),
            open_only: true,
        })
        .unwrap();
    assert_eq!(open.len(), 1, "a denied order is not open");
    let err = store.update_order(&change(&denied, OrderStatus::Working, 0, p(0.0)));
    assert!(
        matches!(err, Err(StoreError::InvalidTransition { .. })),
        "{err:?}"
    );
}

/// A robot's amend is recorded on its order and reaches the gateway (a restarted one too,
/// while unanswered); the answer changes the order's quantity and price and reaches the
/// robot as its own update.
fn an_amend_reaches_the_gateway_and_its_answer_changes_the_order(store: &Arc<dyn Store>) {
    let o = order("am", 1, "Si"); // buy 3, limit 100
    store.insert_order(&o).unwrap();
    stored(store, 1);
    store
        .update_order(&change(&o, OrderStatus::Working, 0, p(0.0)))
        .unwrap();
    let (robot_tx, robot_rx) = crossbeam_channel::unbounded();
    store.watch_robot("am", robot_tx).unwrap();
    let (tx, rx) = crossbeam_channel::unbounded();
    store.watch_order_requests(tx).unwrap();
    assert!(matches!(
        rx.recv_timeout(T).unwrap(),
        GatewayRequest::New(_)
    ));
    std::thread::sleep(Duration::from_millis(300));
    store.request_amend("am-1", Some(p(99.0)), Some(5)).unwrap();
    let got = rx.recv_timeout(T).unwrap();
    let GatewayRequest::Amend { client_id, amend } = got else {
        panic!("expected an amend, got {got:?}");
    };
    assert_eq!(
        (client_id.as_str(), amend.seq, amend.price, amend.qty),
        ("am-1", 1, Some(p(99.0)), Some(5))
    );
    // The gateway's answer: applied.
    let mut answer = change(&o, OrderStatus::Working, 0, p(0.0));
    answer.reason = Some("amended".into());
    answer.amends = Some(1);
    answer.qty = Some(5);
    answer.price = Some(p(99.0));
    let after = store.update_order(&answer).unwrap();
    assert_eq!(
        (after.qty, after.order_type, after.amends),
        (5, OrderType::Limit { price: p(99.0) }, 1)
    );
    assert!(
        wait_until(T, || {
            robot_rx
                .try_iter()
                .any(|u| matches!(u, RobotUpdate::Order(o) if o.amends == 1 && o.qty == 5))
        }),
        "the robot hears the answer"
    );
    // A second amend, unanswered, is what a restarted gateway takes up after the order.
    store.request_amend("am-1", None, Some(4)).unwrap();
    assert!(wait_until(T, || store
        .orders(&OrderFilter::default())
        .unwrap()
        .iter()
        .any(|o| o.amend_request.as_ref().is_some_and(|a| a.seq == 2))));
    let (tx2, rx2) = crossbeam_channel::unbounded();
    let again: Arc<dyn Store> = store.clone();
    drop(rx);
    again.gateway_stopped();
    again.watch_order_requests(tx2).unwrap();
    let mut saw = Vec::new();
    while let Ok(r) = rx2.recv_timeout(Duration::from_secs(2)) {
        saw.push(r);
        if saw.len() == 2 {
            break;
        }
    }
    assert!(
        matches!(&saw[0], GatewayRequest::New(o) if o.client_id == "am-1"),
        "{saw:?}"
    );
    assert!(
        matches!(&saw[1], GatewayRequest::Amend { amend, .. } if amend.seq == 2 && amend.qty == Some(4)),
        "{saw:?}"
    );
    // Unknown orders are refused (the embedded store at once; MongoDB in its writer).
    let _ = store.request_amend("nobody-1", None, Some(1));
}

fn order(robot: &str, seq: u64, symbol: &str) -> Order {
    let req = OrderRequest {
        client_id: format!("{robot}-{seq}"),
        order_seq: seq,
        symbol: symbol.into(),
        side: Side::Buy,
        qty: 3,
        order_type: OrderType::Limit { price: p(100.0) },
        tif: robofleet_api::TimeInForce::Day,
    };
    Order::new_request(robot, req, robofleet::clock::wall_ns())
}

fn change(o: &Order, status: OrderStatus, filled: i64, price: Price) -> OrderChange {
    OrderChange {
        client_id: o.client_id.clone(),
        status,
        filled_qty: filled,
        avg_price: price,
        reason: None,
        ts_ns: robofleet::clock::wall_ns(),
        amends: None,
        qty: None,
        price: None,
        venue_order_id: None,
    }
}

fn trade(o: &Order, exec: &str, qty: i64, price: Price) -> Trade {
    Trade {
        exec_id: exec.into(),
        client_id: o.client_id.clone(),
        robot: o.robot.clone(),
        symbol: o.symbol.clone(),
        side: o.side,
        qty,
        price,
        ts_ns: robofleet::clock::wall_ns(),
        venue_ts_ns: None,
        fee: robofleet_api::Money::ZERO,
        currency: None,
    }
}

fn stored(store: &Arc<dyn Store>, n: usize) {
    assert!(
        wait_until(T, || store.orders(&OrderFilter::default()).unwrap().len()
            >= n),
        "orders did not reach the store"
    );
}

fn next_update(rx: &Receiver<RobotUpdate>) -> RobotUpdate {
    rx.recv_timeout(T).expect("an update")
}

fn orders_fills_and_positions(store: &Arc<dyn Store>) {
    assert_eq!(store.next_order_seq("r").unwrap(), 1);
    let o = order("r", 1, "Si");
    store.insert_order(&o).unwrap();
    stored(store, 1);
    assert_eq!(store.next_order_seq("r").unwrap(), 2);
    store
        .update_order(&change(&o, OrderStatus::Working, 0, p(0.0)))
        .unwrap();
    assert!(store.insert_trade(&trade(&o, "X-1", 1, p(100.0))).unwrap());
    store
        .update_order(&change(&o, OrderStatus::PartiallyFilled, 1, p(100.0)))
        .unwrap();
    assert!(store.insert_trade(&trade(&o, "X-2", 2, p(103.0))).unwrap());
    let after = store
        .update_order(&change(&o, OrderStatus::Filled, 3, p(102.0)))
        .unwrap();
    assert_eq!(after.status, OrderStatus::Filled);
    let statuses: Vec<_> = after.history.iter().map(|h| h.status).collect();
    assert_eq!(
        statuses,
        [
            OrderStatus::New,
            OrderStatus::Working,
            OrderStatus::PartiallyFilled,
            OrderStatus::Filled
        ]
    );
    let orders = store.orders(&OrderFilter::default()).unwrap();
    assert_eq!(orders[0].filled_qty, 3);
    assert!(store
        .orders(&OrderFilter {
            robot: None,
            open_only: true
        })
        .unwrap()
        .is_empty());
    assert_eq!(store.trades(Some("r")).unwrap().len(), 2);
    let p = store.positions(Some("r")).unwrap();
    assert_eq!((p.len(), p[0].qty, p[0].avg_price), (1, 3, px("102")));
    assert!(store.trades(Some("nobody")).unwrap().is_empty());
}

fn a_duplicate_client_id_is_refused_visibly(store: &Arc<dyn Store>) {
    let (tx, rx) = crossbeam_channel::unbounded();
    store.watch_robot("d", tx).unwrap();
    let first = order("d", 1, "Si");
    store.insert_order(&first).unwrap();
    stored(store, 1);
    let mut again = order("d", 1, "RTS");
    again.created_ns += 1;
    match store.insert_order(&again) {
        Err(StoreError::DuplicateOrder(id)) => assert_eq!(id, "d-1"),
        Ok(()) => match next_update(&rx) {
            RobotUpdate::Order(o) => {
                assert_eq!(o.status, OrderStatus::Rejected);
                assert!(o.reason.unwrap().contains("already exists"));
            }
            other => panic!("expected a rejection, got {other:?}"),
        },
        Err(e) => panic!("unexpected error {e}"),
    }
    let orders = store.orders(&OrderFilter::default()).unwrap();
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].symbol, "Si");
}

fn a_duplicate_exec_id_is_ignored(store: &Arc<dyn Store>) {
    let o = order("e", 1, "Si");
    store.insert_order(&o).unwrap();
    stored(store, 1);
    assert!(store.insert_trade(&trade(&o, "X-1", 1, p(100.0))).unwrap());
    assert!(!store.insert_trade(&trade(&o, "X-1", 1, p(100.0))).unwrap());
    assert_eq!(store.trades(None).unwrap().len(), 1);
    assert_eq!(store.positions(Some("e")).unwrap()[0].qty, 1);
    let ghost = order("e", 99, "Si");
    assert!(matches!(
        store.insert_trade(&trade(&ghost, "X-9", 1, p(1.0))),
        Err(StoreError::UnknownOrder(_))
    ));
}

fn a_robot_hears_only_its_own_updates_in_order(store: &Arc<dyn Store>) {
    let (tx_a, rx_a) = crossbeam_channel::unbounded();
    let (tx_b, rx_b) = crossbeam_channel::unbounded();
    store.watch_robot("a", tx_a).unwrap();
    store.watch_robot("b", tx_b).unwrap();
    let oa = order("a", 1, "Si");
    let ob = order("b", 1, "Si");
    store.insert_order(&oa).unwrap();
    store.insert_order(&ob).unwrap();
    stored(store, 2);
    store
        .update_order(&change(&oa, OrderStatus::Working, 0, p(0.0)))
        .unwrap();
    store
        .update_order(&change(&ob, OrderStatus::Working, 0, p(0.0)))
        .unwrap();
    store.insert_trade(&trade(&oa, "X-1", 3, p(100.0))).unwrap();
    store
        .update_order(&change(&oa, OrderStatus::Filled, 3, p(100.0)))
        .unwrap();
    let got: Vec<String> = (0..3)
        .map(|_| match next_update(&rx_a) {
            RobotUpdate::Order(o) => format!("{:?}", o.status),
            RobotUpdate::Trade(t) => format!("fill {}", t.exec_id),
        })
        .collect();
    assert_eq!(got, ["Working", "fill X-1", "Filled"]);
    match next_update(&rx_b) {
        RobotUpdate::Order(o) => {
            assert_eq!((o.robot.as_str(), o.status), ("b", OrderStatus::Working))
        }
        other => panic!("{other:?}"),
    }
    assert!(
        rx_b.recv_timeout(Duration::from_millis(300)).is_err(),
        "b got a's update"
    );
    assert!(
        rx_a.recv_timeout(Duration::from_millis(100)).is_err(),
        "a got a duplicate"
    );
}

fn a_gateway_gets_open_orders_first_then_new_orders_and_cancels(store: &Arc<dyn Store>) {
    let done = order("g", 1, "Si");
    let open = order("g", 2, "Si");
    store.insert_order(&done).unwrap();
    store.insert_order(&open).unwrap();
    stored(store, 2);
    store
        .update_order(&change(&done, OrderStatus::Rejected, 0, p(0.0)))
        .unwrap();
    let (tx, rx) = crossbeam_channel::unbounded();
    store.watch_order_requests(tx).unwrap();
    let first = rx.recv_timeout(T).unwrap();
    assert!(
        matches!(&first, GatewayRequest::New(o) if o.client_id == "g-2"),
        "{first:?}"
    );
    // Give the stream a moment to be live, then a new order and a cancel.
    std::thread::sleep(Duration::from_millis(300));
    let fresh = order("g", 3, "RTS");
    store.insert_order(&fresh).unwrap();
    let mut seen_new = false;
    let mut seen_cancel = false;
    assert!(wait_until(T, || {
        while let Ok(req) = rx.try_recv() {
            match req {
                GatewayRequest::New(o) if o.client_id == "g-3" => {
                    seen_new = true;
                    store.request_cancel("g-3").unwrap();
                }
                GatewayRequest::Cancel { client_id } if client_id == "g-3" => seen_cancel = true,
                // A store may repeat an open order it listed; the gateway ignores repeats.
                GatewayRequest::New(o) if o.client_id == "g-2" => {}
                other => panic!("unexpected {other:?}"),
            }
        }
        seen_new && seen_cancel
    }));
}

fn terminal_orders_do_not_change(store: &Arc<dyn Store>) {
    let o = order("t", 1, "Si");
    store.insert_order(&o).unwrap();
    stored(store, 1);
    store
        .update_order(&change(&o, OrderStatus::Cancelled, 0, p(0.0)))
        .unwrap();
    let err = store.update_order(&change(&o, OrderStatus::Working, 0, p(0.0)));
    assert!(
        matches!(err, Err(StoreError::InvalidTransition { .. })),
        "{err:?}"
    );
    // A cancel request on a terminal order is accepted and changes nothing.
    store.request_cancel("t-1").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let orders = store.orders(&OrderFilter::default()).unwrap();
    assert_eq!(orders[0].status, OrderStatus::Cancelled);
    assert!(!orders[0].cancel_requested);
}

fn a_thousand_robots_subscribe_by_name(store: &Arc<dyn Store>) {
    const N: usize = 1000;
    // One channel per robot, as the fleet's router has: a fill sent to the wrong robot shows.
    let rxs: Vec<Receiver<RobotUpdate>> = (0..N)
        .map(|i| {
            let (tx, rx) = crossbeam_channel::unbounded();
            store.watch_robot(&format!("bot{i}"), tx).unwrap();
            rx
        })
        .collect();
    let orders: Vec<Order> = (0..N).map(|i| order(&format!("bot{i}"), 1, "Si")).collect();
    for o in &orders {
        store.insert_order(o).unwrap();
    }
    stored(store, N);
    for (i, o) in orders.iter().enumerate() {
        store
            .insert_trade(&trade(o, &format!("X-{i}"), 1, p(100.0)))
            .unwrap();
    }
    for (i, rx) in rxs.iter().enumerate() {
        match rx.recv_timeout(T).expect("every robot's fill") {
            RobotUpdate::Trade(t) => {
                assert_eq!(
                    (t.robot.as_str(), t.exec_id.as_str()),
                    (&*format!("bot{i}"), &*format!("X-{i}"))
                );
            }
            other => panic!("bot{i}: {other:?}"),
        }
    }
    std::thread::sleep(Duration::from_millis(200));
    for (i, rx) in rxs.iter().enumerate() {
        assert!(rx.try_recv().is_err(), "bot{i} got more than its own fill");
    }
}

/// The gateway writes a fill, then the change that reports it. One that stopped between the
/// two left orders whose `filled_qty` lags their trades: the next gateway must count the
/// trades, report what was missed, and fill only what is left.
fn a_gateway_stopped_between_a_fill_and_its_report_never_overfills(store: &Arc<dyn Store>) {
    use robofleet::gateway::{spawn_gateway, GatewayConfig, GatewayStats};
    let part = order("gw", 1, "Si"); // qty 3, buy limit 100
    let full = order("gw", 2, "Si");
    store.insert_order(&part).unwrap();
    store.insert_order(&full).unwrap();
    stored(store, 2);
    // The earlier gateway: accepted both, stored a fill of each, reported neither.
    for o in [&part, &full] {
        store
            .update_order(&change(o, OrderStatus::Working, 0, p(0.0)))
            .unwrap();
    }
    assert!(store
        .insert_trade(&trade(&part, "SIM-1", 1, p(99.0)))
        .unwrap());
    assert!(store
        .insert_trade(&trade(&full, "SIM-2", 3, p(98.0)))
        .unwrap());

    let mut feed = robofleet_tests::Feed::new();
    store
        .put_instruments(&robofleet_tests::test_instruments())
        .unwrap();
    let cfg = GatewayConfig {
        feed_endpoint: feed.endpoint.clone(),
        ..GatewayConfig::default()
    };
    let stats = Arc::new(GatewayStats::default());
    let gw = spawn_gateway(
        robofleet::server::zmq_context(),
        store.clone(),
        cfg,
        stats.clone(),
    )
    .unwrap();
    let get = |id: &str| {
        store
            .orders(&OrderFilter::default())
            .unwrap()
            .into_iter()
            .find(|o| o.client_id == id)
            .unwrap()
    };
    // The fully traded order is reported Filled with no market at all.
    assert!(wait_until(T, || get("gw-2").status == OrderStatus::Filled));
    // The other is reported with the fill it missed, then fills only the 2 left.
    assert!(
        wait_until(T, || get("gw-1").filled_qty == 1),
        "{:?}",
        get("gw-1")
    );
    assert!(
        wait_until(T, || {
            feed.quote("Si", 98.0, 99.5, 10);
            get("gw-1").status == OrderStatus::Filled
        }),
        "{:?}",
        get("gw-1")
    );
    // A few more crossing quotes: nothing more may fill.
    for _ in 0..5 {
        feed.quote("Si", 98.0, 99.5, 10);
    }
    std::thread::sleep(Duration::from_millis(300));
    gw.shutdown();

    let trades = store.trades(Some("gw")).unwrap();
    let traded = |id: &str| -> i64 {
        trades
            .iter()
            .filter(|t| t.client_id == id)
            .map(|t| t.qty)
            .sum()
    };
    assert_eq!((traded("gw-1"), traded("gw-2")), (3, 3), "{trades:?}");
    assert_eq!(trades.len(), 3, "{trades:?}");
    let (p, f) = (get("gw-1"), get("gw-2"));
    assert_eq!((p.filled_qty, f.filled_qty), (3, 3));
    // (99 + 2 × 99.5) / 3, rounded to the nearest 10⁻⁹.
    assert_eq!(p.avg_price, px("99.333333333"), "{p:?}");
    assert_eq!(f.avg_price, px("98"));
    let statuses: Vec<OrderStatus> = p.history.iter().map(|h| h.status).collect();
    assert_eq!(
        statuses,
        [
            OrderStatus::New,
            OrderStatus::Working,
            OrderStatus::PartiallyFilled,
            OrderStatus::Filled
        ]
    );
    assert_eq!(stats.snapshot().store_errors, 0);
    let positions = store.positions(Some("gw")).unwrap();
    assert_eq!(
        positions.iter().map(|p| p.qty).sum::<i64>(),
        6,
        "{positions:?}"
    );
}

/// Every page from one end, following each page's last item: the ids in page order.
/// `fetch` reads the page at a `PageQuery`; `place` gives an item's cursor and id.
fn walk<T>(
    mut page: PageQuery,
    fetch: impl Fn(&PageQuery) -> robofleet::store::Page<T>,
    place: impl Fn(&T) -> (Cursor, String),
) -> Vec<String> {
    let mut ids = Vec::new();
    loop {
        let got = fetch(&page);
        assert!(got.items.len() <= page.limit);
        let places: Vec<(Cursor, String)> = got.items.iter().map(&place).collect();
        let last = places.last().map(|(c, _)| c.clone());
        ids.extend(places.into_iter().map(|(_, id)| id));
        if !got.more {
            return ids;
        }
        if page.oldest_first() {
            page.after = last;
        } else {
            page.before = last;
        }
    }
}

fn walk_orders(store: &Arc<dyn Store>, q: OrderQuery) -> Vec<String> {
    let fetch = |page: &PageQuery| {
        let q = OrderQuery {
            page: page.clone(),
            ..q.clone()
        };
        store.orders_page(&q).unwrap()
    };
    walk(q.page.clone(), fetch, |o: &Order| {
        (Cursor::of(o.created_ns, &o.client_id), o.client_id.clone())
    })
}

fn walk_trades(store: &Arc<dyn Store>, q: TradeQuery) -> Vec<String> {
    let fetch = |page: &PageQuery| {
        let q = TradeQuery {
            page: page.clone(),
            ..q.clone()
        };
        store.trades_page(&q).unwrap()
    };
    walk(q.page.clone(), fetch, |t: &Trade| {
        (Cursor::of(t.ts_ns, &t.exec_id), t.exec_id.clone())
    })
}

fn orders_and_trades_come_a_page_at_a_time(store: &Arc<dyn Store>) {
    // 250 orders of two robots on two symbols, three to a nanosecond (ties across pages);
    // every fifth filled, with a trade at the same kind of tied times.
    let base = 1_790_000_000_000_000_000i64;
    let mut orders = Vec::new();
    for i in 0..250u64 {
        let robot = if i % 2 == 0 { "pa" } else { "pb" };
        let symbol = if i % 3 == 0 { "RTS" } else { "Si" };
        let mut o = order(robot, i + 1, symbol);
        o.created_ns = base + (i / 3) as i64;
        store.insert_order(&o).unwrap();
        orders.push(o);
    }
    stored(store, 250);
    let mut trades = Vec::new();
    for (i, o) in orders.iter().enumerate().filter(|(i, _)| i % 5 == 0) {
        store
            .update_order(&change(o, OrderStatus::Working, 0, p(0.0)))
            .unwrap();
        let mut t = trade(o, &format!("x{i:03}"), 3, p(100.0));
        t.ts_ns = base + (i / 10) as i64;
        assert!(store.insert_trade(&t).unwrap());
        store
            .update_order(&change(o, OrderStatus::Filled, 3, p(100.0)))
            .unwrap();
        trades.push(t);
    }
    let key = |o: &Order| (o.created_ns, o.client_id.clone());
    let mut newest_first = orders.clone();
    newest_first.sort_by_key(|o| std::cmp::Reverse(key(o)));
    let ids = |v: &[Order]| v.iter().map(|o| o.client_id.clone()).collect::<Vec<_>>();
    let page = |limit| PageQuery {
        limit,
        ..PageQuery::default()
    };

    // The default page: the newest 100, and more to come.
    let first = store.orders_page(&OrderQuery::default()).unwrap();
    assert_eq!(first.items.len(), 100);
    assert!(first.more);
    assert_eq!(ids(&first.items), ids(&newest_first[..100]));
    // Back through every page, and forward from the start: each order once, in order.
    let all = |limit| OrderQuery {
        page: page(limit),
        ..OrderQuery::default()
    };
    assert_eq!(walk_orders(store, all(40)), ids(&newest_first));
    let mut forward = all(7);
    forward.page.after = Some(Cursor {
        ns: i64::MIN,
        id: None,
    });
    let mut oldest_first = ids(&newest_first);
    oldest_first.reverse();
    assert_eq!(walk_orders(store, forward), oldest_first);
    // Filters: robot, symbol, status, open only; a time-only cursor.
    let count = |q: OrderQuery| walk_orders(store, q).len();
    let q = |f: &dyn Fn(&mut OrderQuery)| {
        let mut q = all(33);
        f(&mut q);
        q
    };
    let want = |f: &dyn Fn(&Order) -> bool| orders.iter().filter(|o| f(o)).count();
    assert_eq!(
        count(q(&|q| {
            q.robot = Some("pa".into());
            q.symbol = Some("RTS".into());
        })),
        want(&|o| o.robot == "pa" && o.symbol == "RTS")
    );
    assert_eq!(count(q(&|q| q.status = Some(OrderStatus::Filled))), 50);
    assert_eq!(count(q(&|q| q.open_only = true)), 200);
    assert_eq!(
        count(q(&|q| {
            q.open_only = true;
            q.status = Some(OrderStatus::Filled);
        })),
        0
    );
    assert_eq!(
        count(q(&|q| q.page.before = Some(Cursor {
            ns: base + 10,
            id: None
        }))),
        30,
        "strictly before a time: 10 ns of 3 orders"
    );
    // Trades, newest first, by (ts_ns, exec_id).
    let mut want_trades = trades.clone();
    want_trades.sort_by_key(|t| std::cmp::Reverse((t.ts_ns, t.exec_id.clone())));
    let tq = TradeQuery {
        page: page(6),
        ..TradeQuery::default()
    };
    assert_eq!(
        walk_trades(store, tq),
        want_trades
            .iter()
            .map(|t| t.exec_id.clone())
            .collect::<Vec<_>>()
    );
    let by_robot = TradeQuery {
        robot: Some("pb".into()),
        symbol: Some("Si".into()),
        page: page(4),
    };
    assert_eq!(
        walk_trades(store, by_robot).len(),
        trades
            .iter()
            .filter(|t| t.robot == "pb" && t.symbol == "Si")
            .count()
    );
}
