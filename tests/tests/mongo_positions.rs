//! A change stream's position in `stream_positions` is saved at most every 100 ms, not once
//! per event, and the last one always: a server restarted after a burst is not handed the
//! burst again.

use mongodb::bson::Document;
use robofleet::store::mongo::{MongoOptions, MongoStore};
use robofleet::store::{Order, RobotUpdate, Store};
use robofleet_api::{OrderRequest, OrderType, Price, Side};
use robofleet_tests::mongo;
use robofleet_tests::orders::fill_of;
use std::sync::Arc;
use std::time::{Duration, Instant};

const BURST: usize = 150;

fn store(uri: &str) -> Arc<dyn Store> {
    Arc::new(MongoStore::open(&MongoOptions::new(uri, "server:s")).unwrap())
}

/// Change events on `stream_positions` until it has been quiet for `quiet`.
async fn count_saves(
    stream: &mut mongodb::change_stream::ChangeStream<
        mongodb::change_stream::event::ChangeStreamEvent<Document>,
    >,
    quiet: Duration,
) -> usize {
    let mut n = 0;
    while let Ok(Some(Ok(_))) = tokio::time::timeout(quiet, futures_next(stream)).await {
        n += 1;
    }
    n
}

async fn futures_next<S: futures_util::Stream + Unpin>(s: &mut S) -> Option<S::Item> {
    use futures_util::StreamExt;
    s.next().await
}

#[test]
fn positions_are_saved_at_most_every_100_ms_and_the_last_one_always() {
    let uri = mongo::uri_for("positions_throttled");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = rt.block_on(mongodb::Client::with_uri_str(&uri)).unwrap();
    let positions = client
        .default_database()
        .unwrap()
        .collection::<Document>("stream_positions");

    let s = store(&uri);
    let (tx, rx) = crossbeam_channel::unbounded();
    s.watch_robot("r", tx).unwrap();
    let mut saves = rt.block_on(async { positions.watch().await }).unwrap();
    let req = OrderRequest {
        client_id: "r-1".into(),
        order_seq: 1,
        symbol: "Si".into(),
        side: Side::Buy,
        qty: 1_000,
        order_type: OrderType::Limit {
            price: Price::units(1),
        },
        tif: robofleet_api::TimeInForce::Day,
    };
    let order = Order::new_request("r", req, robofleet::clock::wall_ns());
    s.insert_order(&order).unwrap();
    // Order inserts are written behind the call: wait for it to land.
    let landed = || {
        s.orders(&Default::default())
            .is_ok_and(|o| o.iter().any(|o| o.client_id == "r-1"))
    };
    assert!(robofleet_tests::wait_until(Duration::from_secs(20), landed));
    // A burst of fills: each reaches the robot, in order.
    let started = Instant::now();
    for n in 0..BURST {
        assert!(s.insert_trade(&fill_of(&order, &format!("X-{n}"))).unwrap());
    }
    let mut got = Vec::new();
    while got.len() < BURST {
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(RobotUpdate::Trade(t)) => got.push(t.exec_id),
            Ok(RobotUpdate::Order(_)) => {}
            Err(e) => panic!("{} of {BURST} fills delivered: {e}", got.len()),
        }
    }
    let elapsed = started.elapsed();
    let want: Vec<String> = (0..BURST).map(|n| format!("X-{n}")).collect();
    assert_eq!(got, want);
    let n = rt.block_on(count_saves(&mut saves, Duration::from_millis(600)));
    let most = elapsed.as_millis() as usize / 100 + 3;
    assert!(
        (1..=most).contains(&n),
        "{n} saves of the position for {BURST} deliveries in {elapsed:?} (at most {most})"
    );

    // The last position was saved: the same server back finds nothing new to hand over.
    drop(s);
    let again = store(&uri);
    let (tx, rx) = crossbeam_channel::unbounded();
    again.watch_robot("r", tx).unwrap();
    assert!(
        rx.recv_timeout(Duration::from_secs(1)).is_err(),
        "a restart delivered the burst again"
    );
    // And what comes next still arrives.
    assert!(again
        .insert_trade(&fill_of(&order, &format!("X-{BURST}")))
        .unwrap());
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(RobotUpdate::Trade(t)) => assert_eq!(t.exec_id, format!("X-{BURST}")),
        other => panic!("{other:?}"),
    }
}
