//! The gateway on a FIX 4.4 venue over a real QuickFIX session on loopback: the paper
//! venue (the simulated exchange behind a FIX acceptor, fed by the market feed) on one
//! side, the gateway's FIX initiator on the other, the embedded store behind it.

use robofleet::gateway::{spawn_gateway_on, GatewayConfig, GatewayHandle, GatewayStats};
use robofleet::server::zmq_context;
use robofleet::store::embedded::{EmbeddedStore, SyncPolicy};
use robofleet::store::{Order, OrderFilter, Store};
use robofleet_api::{OrderRequest, OrderStatus, OrderType, Price, Side, TimeInForce};
use robofleet_fix::client::FixVenue;
use robofleet_fix::engine::{Role, SessionKey};
use robofleet_fix::paper::{PaperConfig, PaperVenue};
use robofleet_fix::settings::{self, SessionFile};
use robofleet_tests::*;
use std::sync::Arc;
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

fn key(sender: &str, target: &str) -> SessionKey {
    SessionKey {
        begin: "FIX.4.4".into(),
        sender: sender.into(),
        target: target.into(),
    }
}

struct Rig {
    feed: Feed,
    store: Arc<dyn Store>,
    _venue: PaperVenue,
    _gateway: GatewayHandle,
    _dir: tempfile::TempDir,
}

fn rig() -> Rig {
    let feed = Feed::new();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let venue_cfg = settings::write(
        &dir.path().join("venue"),
        &SessionFile {
            role: Role::Acceptor,
            session: &key("PAPER", "DESK"),
            host: "127.0.0.1",
            port,
            heartbeat_s: 5,
            reconnect_s: 1,
        },
    )
    .unwrap();
    let ctx = zmq_context();
    let venue = PaperVenue::start(
        &ctx,
        PaperConfig {
            settings: venue_cfg,
            feed_endpoint: feed.endpoint.clone(),
            instruments: test_instruments(),
        },
    )
    .expect("paper venue starts");
    let store: Arc<dyn Store> =
        Arc::new(EmbeddedStore::open(&dir.path().join("store"), SyncPolicy::Never).unwrap());
    store.put_instruments(&test_instruments()).unwrap();
    let gw_cfg = settings::write(
        &dir.path().join("gateway"),
        &SessionFile {
            role: Role::Initiator,
            session: &key("DESK", "PAPER"),
            host: "127.0.0.1",
            port,
            heartbeat_s: 5,
            reconnect_s: 1,
        },
    )
    .unwrap();
    let fix = FixVenue::start(&gw_cfg, key("DESK", "PAPER")).expect("FIX initiator starts");
    let gateway = spawn_gateway_on(
        ctx,
        store.clone(),
        GatewayConfig {
            feed_endpoint: feed.endpoint.clone(),
            session_rate: None,
        },
        Arc::new(GatewayStats::default()),
        Box::new(fix),
    )
    .expect("gateway starts");
    Rig {
        feed,
        store,
        _venue: venue,
        _gateway: gateway,
        _dir: dir,
    }
}

fn order(seq: u64, symbol: &str, side: Side, qty: i64, price: &str) -> Order {
    let req = OrderRequest {
        client_id: format!("desk_robot-{seq}"),
        order_seq: seq,
        symbol: symbol.into(),
        side,
        qty,
        order_type: OrderType::Limit {
            price: price.parse().unwrap(),
        },
        tif: TimeInForce::Day,
    };
    Order::new_request("desk_robot", req, robofleet::clock::wall_ns())
}

fn find(store: &Arc<dyn Store>, id: &str) -> Option<Order> {
    store
        .orders(&OrderFilter::default())
        .unwrap()
        .into_iter()
        .find(|o| o.client_id == id)
}

fn wait_status(rig: &mut Rig, id: &str, want: OrderStatus) -> Order {
    let mut last = None;
    let ok = wait_until(T, || {
        // Quotes keep coming, as a market's do: the paper venue matches on them.
        rig.feed.quote("Si", 100_000.0, 100_002.0, 10);
        last = find(&rig.store, id);
        last.as_ref().is_some_and(|o| o.status == want)
    });
    assert!(ok, "{id} never {want:?}: {last:?}");
    last.unwrap()
}

#[test]
fn orders_amends_cancels_and_rejects_go_over_fix_and_come_back_as_the_venue_says() {
    let mut rig = rig();
    // A buy at the ask fills over FIX: the trade and the order's state come back.
    rig.store
        .insert_order(&order(1, "Si", Side::Buy, 2, "100002"))
        .unwrap();
    let filled = wait_status(&mut rig, "desk_robot-1", OrderStatus::Filled);
    assert_eq!(
        (filled.filled_qty, filled.avg_price),
        (2, Price::units(100_002))
    );
    let trades = rig.store.trades(Some("desk_robot")).unwrap();
    assert_eq!(trades.len(), 1, "{trades:?}");
    assert_eq!((trades[0].qty, trades[0].price), (2, Price::units(100_002)));
    assert!(trades[0].exec_id.starts_with("SIM-"), "{:?}", trades[0]);
    assert!(trades[0].venue_ts_ns.is_some());

    // A resting order is amended (its identity kept), then cancelled.
    rig.store
        .insert_order(&order(2, "Si", Side::Buy, 1, "99000"))
        .unwrap();
    wait_status(&mut rig, "desk_robot-2", OrderStatus::Working);
    rig.store
        .request_amend("desk_robot-2", Some(Price::units(99_500)), Some(3))
        .unwrap();
    assert!(wait_until(T, || find(&rig.store, "desk_robot-2")
        .is_some_and(|o| o.amends == 1)));
    let amended = find(&rig.store, "desk_robot-2").unwrap();
    assert_eq!(amended.qty, 3, "{amended:?}");
    assert_eq!(
        amended.order_type,
        OrderType::Limit {
            price: Price::units(99_500)
        }
    );
    rig.store.request_cancel("desk_robot-2").unwrap();
    wait_status(&mut rig, "desk_robot-2", OrderStatus::Cancelled);

    // The venue's reason for a reject reaches the order.
    rig.store
        .insert_order(&order(3, "NOPE", Side::Sell, 1, "5"))
        .unwrap();
    let rejected = wait_status(&mut rig, "desk_robot-3", OrderStatus::Rejected);
    assert!(
        rejected
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("NOPE")),
        "{rejected:?}"
    );
}

#[test]
fn a_bad_settings_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.cfg");
    std::fs::write(&path, "[SESSION]\nBeginString=FIX.4.4\n").unwrap();
    let err = FixVenue::start(&path, key("DESK", "PAPER"))
        .err()
        .expect("refused");
    assert!(err.to_string().contains("broken.cfg"), "{err}");
}
