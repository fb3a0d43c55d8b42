//! The gateway's writes to MongoDB: a change to an order it knows is one round trip that
//! still sees what robots set meanwhile, and an order changed behind its back is read
//! afresh, never overwritten from what it remembered.

use mongodb::bson::{doc, Document};
use robofleet::store::mongo::{MongoOptions, MongoStore};
use robofleet::store::{GatewayRequest, Order, OrderFilter, Store, StoreError};
use robofleet::store::{GatewayWrite as W, RobotUpdate, Written};
use robofleet_api::{OrderRequest, OrderStatus, OrderType, Price, Side};
use robofleet_tests::orders::{change, fill_of};
use robofleet_tests::{mongo, wait_until};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

fn order(id: &str) -> Order {
    let req = OrderRequest {
        client_id: id.into(),
        order_seq: 1,
        symbol: "Si".into(),
        side: Side::Buy,
        qty: 1,
        order_type: OrderType::Limit {
            price: Price::units(1),
        },
        tif: robofleet_api::TimeInForce::Day,
    };
    Order::new_request("r", req, robofleet::clock::wall_ns())
}

fn stored(s: &MongoStore, id: &str) -> Option<Order> {
    s.orders(&OrderFilter::default())
        .ok()?
        .into_iter()
        .find(|o| o.client_id == id)
}

#[test]
fn a_known_order_is_changed_in_one_step_and_one_changed_behind_its_back_is_read_afresh() {
    let uri = mongo::uri_for("gateway_writes");
    let g = MongoStore::open(&MongoOptions::new(&uri, "gateway:g")).unwrap();
    for id in ["r-1", "r-2"] {
        g.insert_order(&order(id)).unwrap();
        assert!(wait_until(T, || stored(&g, id).is_some()));
    }

    // Handed to the gateway by its request stream, then known after its first change; a
    // robot asks to cancel it, which the stream hands over too; the gateway's next change
    // shows that request, and both changes reach `order_updates`.
    let (requests, handed) = crossbeam_channel::unbounded();
    g.watch_order_requests(requests).unwrap();
    let mut new = Vec::new();
    while new.len() < 2 {
        match handed.recv_timeout(T).unwrap() {
            GatewayRequest::New(o) => new.push(o.client_id),
            other => panic!("{other:?}"),
        }
    }
    new.sort();
    assert_eq!(new, ["r-1", "r-2"]);
    let working = g
        .update_order(&change(&order("r-1"), OrderStatus::Working, 0))
        .unwrap();
    assert_eq!(working.status, OrderStatus::Working);
    g.request_cancel("r-1").unwrap();
    assert!(matches!(
        handed.recv_timeout(T),
        Ok(GatewayRequest::Cancel { client_id }) if client_id == "r-1"
    ));
    let cancelled = g
        .update_order(&change(&order("r-1"), OrderStatus::Cancelled, 0))
        .unwrap();
    assert_eq!(
        (cancelled.status, cancelled.cancel_requested),
        (OrderStatus::Cancelled, true)
    );
    let stored_r1 = stored(&g, "r-1").unwrap();
    assert_eq!(stored_r1, cancelled);

    // r-2 is known as Working; then something else finishes it in the database.
    g.update_order(&change(&order("r-2"), OrderStatus::Working, 0))
        .unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (updates, behind) = rt.block_on(async {
        let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
        let db = client.default_database().unwrap();
        let orders = db.collection::<Document>("orders");
        let behind = orders
            .update_one(
                doc! {"_id": "r-2"},
                doc! {"$set": {"status": "Cancelled", "reason": "by hand"}},
            )
            .await
            .unwrap();
        let updates = db
            .collection::<Document>("order_updates")
            .count_documents(doc! {"client_id": "r-1"})
            .await
            .unwrap();
        (updates, behind.modified_count)
    });
    assert_eq!((updates, behind), (2, 1));
    // A fill the gateway remembers as possible is refused: the order is finished.
    let err = g
        .update_order(&change(&order("r-2"), OrderStatus::Filled, 1))
        .unwrap_err();
    assert!(
        matches!(err, StoreError::InvalidTransition { .. }),
        "{err:?}"
    );
    let r2 = stored(&g, "r-2").unwrap();
    assert_eq!(
        (r2.status, r2.filled_qty, r2.reason.as_deref()),
        (OrderStatus::Cancelled, 0, Some("by hand"))
    );
}

/// Stored orders of `qty` lots, seen by the store before the test goes on.
fn stored_orders(g: &MongoStore, ids: &[&str], qty: i64) {
    for id in ids {
        let mut o = order(id);
        o.qty = qty;
        g.insert_order(&o).unwrap();
        assert!(wait_until(T, || stored(g, id).is_some()));
    }
}

/// What a robot hears, `n` updates of it, as short strings.
fn hear(rx: &crossbeam_channel::Receiver<RobotUpdate>, n: usize) -> Vec<String> {
    let mut heard = Vec::new();
    while heard.len() < n {
        match rx.recv_timeout(T) {
            Ok(RobotUpdate::Trade(t)) => heard.push(format!("fill {}", t.exec_id)),
            Ok(RobotUpdate::Order(o)) => heard.push(format!("{} {:?}", o.client_id, o.status)),
            Err(e) => panic!("heard {heard:?}: {e}"),
        }
    }
    heard
}

fn status(g: &MongoStore, id: &str) -> Option<(OrderStatus, i64)> {
    stored(g, id).map(|o| (o.status, o.filled_qty))
}

#[test]
fn a_gateway_behind_writes_its_answers_in_bulk_fills_first_and_refuses_what_it_must() {
    let uri = mongo::uri_for("gateway_bulk");
    let g = MongoStore::open(&MongoOptions::new(&uri, "gateway:g")).unwrap();
    stored_orders(&g, &["a-1", "b-1", "c-1"], 2);
    let (tx, rx) = crossbeam_channel::unbounded();
    g.watch_robot("r", tx).unwrap();
    let mut too_big = fill_of(&order("b-1"), "X-2");
    too_big.qty = 5;
    let writes = vec![
        W::Change(change(&order("a-1"), OrderStatus::Working, 0)),
        W::Change(change(&order("b-1"), OrderStatus::Working, 0)),
        W::Trade(fill_of(&order("a-1"), "X-1")),
        W::Change(change(&order("a-1"), OrderStatus::PartiallyFilled, 1)),
        W::Change(change(&order("c-1"), OrderStatus::Working, 0)),
        // Refused: more than b-1's quantity; an order never stored.
        W::Trade(too_big),
        W::Change(change(&order("zz-1"), OrderStatus::Working, 0)),
    ];
    let results = g.write_answers(&writes);
    let ok: Vec<bool> = results.iter().map(Result::is_ok).collect();
    assert_eq!(
        ok,
        [true, true, true, true, true, false, false],
        "{results:?}"
    );
    assert!(matches!(results[2], Ok(Written::Trade { new: true })));
    assert!(
        matches!(results[5], Err(StoreError::InvalidTransition { .. })),
        "{:?}",
        results[5]
    );
    assert!(matches!(results[6], Err(StoreError::UnknownOrder(_))));
    assert_eq!(status(&g, "a-1"), Some((OrderStatus::PartiallyFilled, 1)));
    assert_eq!(status(&g, "b-1"), Some((OrderStatus::Working, 0)));
    assert_eq!(status(&g, "c-1"), Some((OrderStatus::Working, 0)));
    let trades: Vec<String> = g
        .trades(Some("r"))
        .unwrap()
        .into_iter()
        .map(|t| t.exec_id)
        .collect();
    assert_eq!(trades, ["X-1"]);
    // The robot hears the batch's fill, then its changes, each order's in order.
    assert_eq!(
        hear(&rx, 5),
        [
            "fill X-1",
            "a-1 Working",
            "b-1 Working",
            "a-1 PartiallyFilled",
            "c-1 Working"
        ]
    );
    // The fill once more (a retry): stored once, said so.
    let again = g.write_answers(&[W::Trade(fill_of(&order("a-1"), "X-1"))]);
    assert!(matches!(again[0], Ok(Written::Trade { new: false })));
}

#[test]
fn a_bulk_write_that_meets_an_order_changed_meanwhile_writes_the_rest_and_overwrites_nothing() {
    let uri = mongo::uri_for("gateway_bulk_meanwhile");
    let g = MongoStore::open(&MongoOptions::new(&uri, "gateway:g")).unwrap();
    stored_orders(&g, &["m-1", "m-2", "m-3"], 2);
    let (tx, rx) = crossbeam_channel::unbounded();
    g.watch_robot("r", tx).unwrap();
    // After the gateway read the orders, someone finishes m-2 by hand.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let orders = rt.block_on(async {
        let client = mongodb::Client::with_uri_str(&uri).await.unwrap();
        client
            .default_database()
            .unwrap()
            .collection::<Document>("orders")
    });
    let done = AtomicBool::new(false);
    let by_hand = orders.clone();
    g.between_bulk_read_and_update(move || {
        if !done.swap(true, Ordering::SeqCst) {
            let set = doc! {"$set": {"status": "Cancelled", "reason": "by hand"}};
            rt.block_on(async { by_hand.update_one(doc! {"_id": "m-2"}, set).await })
                .unwrap();
        }
    });
    let writes = vec![
        W::Change(change(&order("m-1"), OrderStatus::Working, 0)),
        W::Change(change(&order("m-2"), OrderStatus::Working, 0)),
        W::Trade(fill_of(&order("m-1"), "Y-1")),
        W::Change(change(&order("m-1"), OrderStatus::PartiallyFilled, 1)),
        W::Change(change(&order("m-3"), OrderStatus::Working, 0)),
    ];
    let results = g.write_answers(&writes);
    let ok: Vec<bool> = results.iter().map(Result::is_ok).collect();
    assert_eq!(ok, [true, false, true, true, true], "{results:?}");
    assert!(
        matches!(results[1], Err(StoreError::InvalidTransition { .. })),
        "{:?}",
        results[1]
    );
    assert_eq!(status(&g, "m-1"), Some((OrderStatus::PartiallyFilled, 1)));
    assert_eq!(status(&g, "m-3"), Some((OrderStatus::Working, 0)));
    let m2 = stored(&g, "m-2").unwrap();
    assert_eq!(
        (m2.status, m2.reason.as_deref()),
        (OrderStatus::Cancelled, Some("by hand"))
    );
    // Every change that got through is heard once, in order; m-2's refused one never.
    assert_eq!(
        hear(&rx, 4),
        [
            "fill Y-1",
            "m-1 Working",
            "m-1 PartiallyFilled",
            "m-3 Working"
        ]
    );
    assert!(rx.recv_timeout(Duration::from_millis(500)).is_err());

    // m-1 and m-3 are known now, as written: a bulk write checks them without a read.
    // m-3 is then cancelled by hand: its statement does not match, and nothing overwrites it.
    let set = doc! {"$set": {"status": "Cancelled", "reason": "by hand"}};
    let rt = tokio::runtime::Runtime::new().unwrap();
    let changed = rt
        .block_on(async { orders.update_one(doc! {"_id": "m-3"}, set).await })
        .unwrap();
    assert_eq!(changed.modified_count, 1);
    let mut second = fill_of(&order("m-1"), "Y-2");
    second.ts_ns += 1;
    let writes = vec![
        W::Trade(second),
        W::Change(change(&order("m-1"), OrderStatus::Filled, 2)),
        W::Change(change(&order("m-3"), OrderStatus::PartiallyFilled, 1)),
    ];
    let results = g.write_answers(&writes);
    let ok: Vec<bool> = results.iter().map(Result::is_ok).collect();
    assert_eq!(ok, [true, true, false], "{results:?}");
    assert_eq!(status(&g, "m-1"), Some((OrderStatus::Filled, 2)));
    let m3 = stored(&g, "m-3").unwrap();
    assert_eq!(
        (m3.status, m3.filled_qty, m3.reason.as_deref()),
        (OrderStatus::Cancelled, 0, Some("by hand"))
    );
    assert_eq!(hear(&rx, 2), ["fill Y-2", "m-1 Filled"]);
}
