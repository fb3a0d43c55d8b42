//! The gateway's writes to MongoDB: a change to an order it knows is one round trip that
//! still sees what robots set meanwhile, and an order changed behind its back is read
//! afresh, never overwritten from what it remembered.

use mongodb::bson::{doc, Document};
use robofleet::store::mongo::{MongoOptions, MongoStore};
use robofleet::store::{Order, OrderFilter, Store, StoreError};
use robofleet_api::{OrderRequest, OrderStatus, OrderType, Price, Side};
use robofleet_tests::orders::change;
use robofleet_tests::{mongo, wait_until};
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

    // Known after its first change; a robot asks to cancel it; the gateway's next change
    // returns the order with that request, and both changes reach `order_updates`.
    let working = g
        .update_order(&change(&order("r-1"), OrderStatus::Working, 0))
        .unwrap();
    assert_eq!(working.status, OrderStatus::Working);
    g.request_cancel("r-1").unwrap();
    assert!(wait_until(T, || stored(&g, "r-1").is_some_and(|o| o.cancel_requested)));
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
