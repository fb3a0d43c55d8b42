//! `robofleet store import`: the embedded store's log comes into the SQLite store as it
//! stood, and a server never opens a fresh SQLite store over a log it would leave unseen.

use robofleet::store::embedded::{EmbeddedStore, SyncPolicy};
use robofleet::store::sqlite::SqliteStore;
use robofleet::store::{AuditEntry, Order, OrderFilter, Store};
use robofleet_api::{OrderRequest, OrderStatus, OrderType, Side, TimeInForce};
use robofleet_tests::orders::{change, fill_of};
use robofleet_tests::{target_dir, test_instruments};
use std::process::Command;

fn order(seq: u64) -> Order {
    let req = OrderRequest {
        client_id: format!("r-{seq}"),
        order_seq: seq,
        symbol: "Si".into(),
        side: Side::Buy,
        qty: 1,
        order_type: OrderType::Limit {
            price: robofleet_api::testing::px("97.125"),
        },
        tif: TimeInForce::Day,
    };
    Order::new_request("r", req, robofleet::clock::wall_ns())
}

fn import(data: &std::path::Path) -> std::process::Output {
    Command::new(target_dir().join("robofleet"))
        .args(["store", "import", "--data"])
        .arg(data)
        .output()
        .expect("run robofleet store import")
}

#[test]
fn an_embedded_log_is_imported_whole_once_and_a_server_will_not_open_sqlite_over_it() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("store");
    let (a, b) = (order(1), order(2));
    {
        let log = EmbeddedStore::open(&dir, SyncPolicy::Never).unwrap();
        log.put_instruments(&test_instruments()).unwrap();
        log.insert_order(&a).unwrap();
        log.insert_order(&b).unwrap();
        log.update_order(&change(&a, OrderStatus::Working, 0))
            .unwrap();
        assert!(log.insert_trade(&fill_of(&a, "X-1")).unwrap());
        log.update_order(&change(&a, OrderStatus::Filled, 1))
            .unwrap();
        log.request_cancel(&b.client_id).unwrap();
        log.append_audit(&AuditEntry {
            ts_ns: 7,
            server: "s".into(),
            who: "local".into(),
            role: "admin".into(),
            cmd: "status".into(),
            request: "{}".into(),
            result: "ok".into(),
            message: String::new(),
        })
        .unwrap();
    }

    // The SQLite store would start empty beside the log: refused, saying what to run.
    let refused =
        robofleet::server::open_store(Some("sqlite"), data.path(), SyncPolicy::Never, "server:t")
            .err()
            .expect("a default store over an old log is refused");
    assert!(
        refused.to_string().contains("robofleet store import"),
        "{refused}"
    );

    let out = import(data.path());
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("imported 2 orders, 1 trades"), "{said}");

    let log = EmbeddedStore::open(&dir, SyncPolicy::Never).unwrap();
    let (want_orders, want_trades) = (
        log.orders(&OrderFilter::default()).unwrap(),
        log.trades(None).unwrap(),
    );
    let (want_positions, want_audit) = (log.positions(None).unwrap(), log.audit_log(10).unwrap());
    drop(log);
    {
        let sqlite = SqliteStore::open(&dir, SyncPolicy::Never).unwrap();
        assert_eq!(sqlite.orders(&OrderFilter::default()).unwrap(), want_orders);
        assert_eq!(sqlite.trades(None).unwrap(), want_trades);
        assert_eq!(sqlite.positions(None).unwrap(), want_positions);
        assert_eq!(sqlite.audit_log(10).unwrap(), want_audit);
        assert_eq!(sqlite.instruments().unwrap(), test_instruments());
        assert_eq!(sqlite.next_order_seq("r").unwrap(), 3);
        let open: Vec<String> = sqlite
            .orders(&OrderFilter {
                robot: None,
                open_only: true,
            })
            .unwrap()
            .into_iter()
            .map(|o| o.client_id)
            .collect();
        assert_eq!(open, ["r-2"]);
    }

    // Once is enough: a second import is refused and changes nothing.
    let again = import(data.path());
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already holds"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    // Now the SQLite store opens: the imported one.
    let store =
        robofleet::server::open_store(Some("sqlite"), data.path(), SyncPolicy::Never, "server:t")
            .unwrap();
    assert_eq!(store.health().backend, "sqlite");
    assert_eq!(store.trades(None).unwrap().len(), 1);
}
