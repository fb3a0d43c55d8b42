use super::*;
use crate::store::{GatewayRequest, OrderChange, OrderFilter, RobotUpdate, Store, Trade};
use robofleet_api::{OrderRequest, OrderStatus, OrderType, Price, Side, TimeInForce};
use std::time::Duration;

fn order(robot: &str, seq: u64) -> Order {
    let req = OrderRequest {
        client_id: format!("{robot}-{seq}"),
        order_seq: seq,
        symbol: "Si".into(),
        side: Side::Buy,
        qty: 2,
        order_type: OrderType::Limit {
            price: "97.125".parse::<Price>().unwrap(),
        },
        tif: TimeInForce::Day,
    };
    Order::new_request(robot, req, 1_000 + seq as i64)
}

fn change(o: &Order, status: OrderStatus, filled: i64) -> OrderChange {
    OrderChange {
        client_id: o.client_id.clone(),
        status,
        filled_qty: filled,
        avg_price: if filled > 0 {
            "97.125".parse::<Price>().unwrap()
        } else {
            Price::ZERO
        },
        reason: None,
        ts_ns: 5_000,
        amends: None,
        qty: None,
        price: None,
        venue_order_id: None,
    }
}

fn fill(o: &Order, exec: &str, qty: i64) -> Trade {
    Trade {
        exec_id: exec.into(),
        client_id: o.client_id.clone(),
        robot: o.robot.clone(),
        symbol: o.symbol.clone(),
        side: o.side,
        qty,
        price: "97.125".parse::<Price>().unwrap(),
        ts_ns: 6_000,
        venue_ts_ns: None,
        fee: robofleet_api::Money::ZERO,
        currency: None,
    }
}

#[test]
fn a_reopened_store_has_its_open_orders_sequences_and_history_and_nothing_else_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (order("r", 1), order("r", 2));
    {
        let s = SqliteStore::open(dir.path(), SyncPolicy::Never).unwrap();
        s.insert_order(&a).unwrap();
        s.insert_order(&b).unwrap();
        s.update_order(&change(&a, OrderStatus::Working, 0))
            .unwrap();
        assert!(s.insert_trade(&fill(&a, "X-1", 2)).unwrap());
        s.update_order(&change(&a, OrderStatus::Filled, 2)).unwrap();
        s.request_cancel(&b.client_id).unwrap();
    }
    let s = SqliteStore::open(dir.path(), SyncPolicy::Never).unwrap();
    {
        let inner = s.lock();
        assert_eq!(inner.open.keys().collect::<Vec<_>>(), [&b.client_id]);
        assert!(inner.open[&b.client_id].cancel_requested);
    }
    assert_eq!(s.next_order_seq("r").unwrap(), 3);
    assert_eq!(s.next_order_seq("other").unwrap(), 1);
    let all = s.orders(&OrderFilter::default()).unwrap();
    assert_eq!(
        all.iter()
            .map(|o| (o.client_id.as_str(), o.status))
            .collect::<Vec<_>>(),
        [("r-1", OrderStatus::Filled), ("r-2", OrderStatus::New)]
    );
    assert_eq!(s.trades(Some("r")).unwrap().len(), 1);
    // A fill repeated after the restart is recognised; a change to a finished order refused.
    assert!(!s.insert_trade(&fill(&a, "X-1", 2)).unwrap());
    assert!(s
        .update_order(&change(&a, OrderStatus::Cancelled, 2))
        .is_err());
    // The gateway gets the open order and its pending cancel.
    let (tx, rx) = crossbeam_channel::unbounded();
    s.watch_order_requests(tx).unwrap();
    assert!(matches!(rx.try_recv(), Ok(GatewayRequest::New(o)) if o.client_id == "r-2"));
    assert!(
        matches!(rx.try_recv(), Ok(GatewayRequest::Cancel { client_id }) if client_id == "r-2")
    );
}

#[test]
fn analysts_read_exact_prices_with_sqlite_while_the_store_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open(dir.path(), SyncPolicy::IntervalMs(50)).unwrap();
    let a = order("r", 1);
    s.insert_order(&a).unwrap();
    s.update_order(&change(&a, OrderStatus::Working, 0))
        .unwrap();
    s.insert_trade(&fill(&a, "X-1", 1)).unwrap();
    s.update_order(&change(&a, OrderStatus::PartiallyFilled, 1))
        .unwrap();
    let reader = rusqlite::Connection::open_with_flags(
        dir.path().join(DB_FILE),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    // Applied by the store's own thread within about 100 ms, nobody asking it to.
    let applied = || -> i64 {
        reader
            .query_row("SELECT COUNT(*) FROM trades", [], |r| r.get(0))
            .unwrap()
    };
    let until = std::time::Instant::now() + Duration::from_secs(5);
    while applied() == 0 && std::time::Instant::now() < until {
        std::thread::sleep(Duration::from_millis(10));
    }
    let row: (String, String, i64, String, i64) = reader
        .query_row(
            "SELECT client_id, status, filled_qty, avg_price, open FROM orders",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(
        row,
        (
            "r-1".into(),
            "PartiallyFilled".into(),
            1,
            "97.125".into(),
            1
        )
    );
    let price: String = reader
        .query_row("SELECT price FROM trades WHERE exec_id = 'X-1'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(price, "97.125");
    // The writer goes on while the reader holds its connection, and later writes reach the
    // file too, by themselves (the store-sync thread keeps applying).
    std::thread::sleep(Duration::from_millis(300));
    s.update_order(&change(&a, OrderStatus::Filled, 1)).unwrap();
    let status = || -> String {
        reader
            .query_row(
                "SELECT status FROM orders WHERE client_id = 'r-1'",
                [],
                |r| r.get(0),
            )
            .unwrap()
    };
    let until = std::time::Instant::now() + Duration::from_secs(5);
    while status() != "Filled" && std::time::Instant::now() < until {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(status(), "Filled");
}

#[test]
fn a_second_store_on_the_same_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let _first = SqliteStore::open(dir.path(), SyncPolicy::Never).unwrap();
    let second = SqliteStore::open(dir.path(), SyncPolicy::Never);
    assert!(
        matches!(&second, Err(StoreError::Unavailable(m)) if m.contains("in use")),
        "{:?}",
        second.err()
    );
}

#[test]
fn a_file_that_is_not_this_store_is_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(DB_FILE),
        b"not a database at all, just text",
    )
    .unwrap();
    let err = SqliteStore::open(dir.path(), SyncPolicy::Never)
        .err()
        .unwrap();
    assert!(err.to_string().contains("SQLite"), "{err}");

    let other = tempfile::tempdir().unwrap();
    {
        let conn = rusqlite::Connection::open(other.path().join(DB_FILE)).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let err = SqliteStore::open(other.path(), SyncPolicy::Never)
        .err()
        .unwrap();
    assert!(err.to_string().contains("schema version 99"), "{err}");
}

#[test]
fn with_group_commit_a_robot_hears_of_a_write_once_a_sync_covered_it() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open(dir.path(), SyncPolicy::Group).unwrap();
    let a = order("r", 1);
    let (tx, rx) = crossbeam_channel::unbounded();
    s.watch_robot("r", tx).unwrap();
    s.insert_order(&a).unwrap();
    s.update_order(&change(&a, OrderStatus::Working, 0))
        .unwrap();
    s.insert_trade(&fill(&a, "X-1", 2)).unwrap();
    let first = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(matches!(first, RobotUpdate::Order(o) if o.status == OrderStatus::Working));
    let second = rx.recv_timeout(Duration::from_secs(5)).unwrap();
    assert!(matches!(second, RobotUpdate::Trade(t) if t.exec_id == "X-1"));
    // The store-sync thread applies it to the file, for a reader that opens it, by itself.
    let reader = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    let count = || -> i64 {
        reader
            .query_row("SELECT COUNT(*) FROM trades", [], |r| r.get(0))
            .unwrap()
    };
    let until = std::time::Instant::now() + Duration::from_secs(5);
    while count() == 0 && std::time::Instant::now() < until {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(count(), 1);
}

#[test]
fn writes_not_yet_in_the_file_come_back_from_the_ahead_log_after_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let a = order("r", 1);
    {
        let s = SqliteStore::open(dir.path(), SyncPolicy::Never).unwrap();
        // Nothing reaches the file: the applier's connection is held (and never let go).
        std::mem::forget(s.applier.lock().unwrap());
        s.insert_order(&a).unwrap();
        s.update_order(&change(&a, OrderStatus::Working, 0))
            .unwrap();
        s.insert_trade(&fill(&a, "X-1", 2)).unwrap();
        let file = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
        let n: i64 = file
            .query_row("SELECT COUNT(*) FROM orders", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "not applied yet");
        // A process killed now: nothing more happens.
        std::mem::forget(s);
    }
    // The forgotten store still holds the lock file's lock: copy the folder as a crash
    // leaves it (the ahead log and the database) and open the copy.
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
        std::fs::copy(entry.path(), copy.path().join(entry.file_name())).unwrap();
    }
    let s = SqliteStore::open(copy.path(), SyncPolicy::Never).unwrap();
    let got = s.orders(&OrderFilter::default()).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].status, OrderStatus::Working);
    assert_eq!(s.trades(None).unwrap().len(), 1);
    // Applied and made durable at open: the log is gone, and a duplicate is still refused.
    assert!(std::fs::read_dir(copy.path()).unwrap().flatten().all(|e| !e
        .file_name()
        .to_string_lossy()
        .starts_with("ahead-0000000")
        || std::fs::metadata(e.path()).unwrap().len() == 0));
    assert!(s.insert_order(&a).is_err());
    assert!(!s.insert_trade(&fill(&a, "X-1", 2)).unwrap());
}
