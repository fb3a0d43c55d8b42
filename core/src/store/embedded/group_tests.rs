//! Group commit: notifications only for what is on disk, every one once and in order, under
//! concurrent writers, a new watcher, and the store's drop.

use super::super::{EmbeddedStore, SyncPolicy};
use crate::store::{GatewayRequest, Order, OrderChange, RobotUpdate, Store};
use crossbeam_channel::unbounded;
use robofleet_api::{OrderStatus, Side};
use std::sync::Arc;
use std::time::Duration;

const T: Duration = Duration::from_secs(10);

/// The store tests' order: `<robot>-<seq>`, a limit buy of 1 Si.
fn order(robot: &str, seq: u64) -> Order {
    super::super::tests::order(robot, seq, "Si", Side::Buy, 1)
}

fn new_id(r: GatewayRequest) -> String {
    match r {
        GatewayRequest::New(o) => o.client_id,
        other => panic!("expected a new order, got {other:?}"),
    }
}

#[test]
fn a_gateway_and_a_robot_hear_of_a_write_only_once_it_is_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), SyncPolicy::Group).unwrap();
    let (gw_tx, gw) = unbounded();
    store.watch_order_requests(gw_tx).unwrap();
    let (robot_tx, robot) = unbounded();
    store.watch_robot("r", robot_tx).unwrap();
    for seq in 1..=50 {
        let o = order("r", seq);
        store.insert_order(&o).unwrap();
        let written = store.written_len();
        assert_eq!(new_id(gw.recv_timeout(T).unwrap()), o.client_id);
        assert!(
            store.durable_len() >= written,
            "order {seq} reached the gateway before the disk ({} < {written})",
            store.durable_len()
        );
        let change = OrderChange {
            client_id: o.client_id.clone(),
            status: OrderStatus::Working,
            filled_qty: 0,
            avg_price: robofleet_api::Price::ZERO,
            reason: None,
            ts_ns: 2_000,
            amends: None,
            qty: None,
            price: None,
            venue_order_id: None,
        };
        store.update_order(&change).unwrap();
        let written = store.written_len();
        assert!(matches!(
            robot.recv_timeout(T).unwrap(),
            RobotUpdate::Order(_)
        ));
        assert!(store.durable_len() >= written, "the robot heard first");
    }
}

#[test]
fn concurrent_writers_share_syncs_and_every_notification_comes_once_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(EmbeddedStore::open(dir.path(), SyncPolicy::Group).unwrap());
    let (gw_tx, gw) = unbounded();
    store.watch_order_requests(gw_tx).unwrap();
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let store = store.clone();
            std::thread::spawn(move || {
                for seq in 1..=300 {
                    store.insert_order(&order(&format!("w{w}"), seq)).unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let mut next = [1u64; 4];
    for _ in 0..1200 {
        let id = new_id(gw.recv_timeout(T).unwrap());
        let (robot, seq) = id.split_once('-').unwrap();
        let w: usize = robot[1..].parse().unwrap();
        assert_eq!(seq.parse::<u64>().unwrap(), next[w], "{id} out of order");
        next[w] += 1;
    }
    assert!(
        gw.recv_timeout(Duration::from_millis(200)).is_err(),
        "a notification twice"
    );
}

#[test]
fn a_new_gateway_gets_each_open_order_once_even_while_notifications_wait() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), SyncPolicy::Group).unwrap();
    let (first_tx, first) = unbounded();
    store.watch_order_requests(first_tx).unwrap();
    let mut late = Vec::new();
    for seq in 1..=40 {
        store.insert_order(&order("r", seq)).unwrap();
        // Right after the write, its notification is (most often) still waiting.
        let (tx, rx) = unbounded();
        store.watch_order_requests(tx).unwrap();
        late.push((seq, rx));
    }
    std::thread::sleep(Duration::from_millis(200));
    let ids = |rx: &crossbeam_channel::Receiver<GatewayRequest>| -> Vec<String> {
        rx.try_iter().map(new_id).collect()
    };
    let want: Vec<String> = (1..=40).map(|s| format!("r-{s}")).collect();
    assert_eq!(ids(&first), want);
    for (seq, rx) in late {
        // Its replay (orders 1..=seq) and then the later notifications: each order once.
        assert_eq!(ids(&rx), want, "gateway {seq}");
    }
}

#[test]
fn dropping_the_store_delivers_what_was_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open(dir.path(), SyncPolicy::Group).unwrap();
    let (gw_tx, gw) = unbounded();
    store.watch_order_requests(gw_tx).unwrap();
    for seq in 1..=20 {
        store.insert_order(&order("r", seq)).unwrap();
    }
    drop(store);
    let got: Vec<String> = gw.try_iter().map(new_id).collect();
    assert_eq!(got.len(), 20);
}
