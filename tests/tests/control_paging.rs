//! `orders` and `trades` on the control socket come a page at a time: a default limit,
//! `before`/`after` cursors, `symbol` and `status` filters, and bad values refused.

use robofleet::store::Order;
use robofleet_api::{OrderRequest, OrderType, Side};
use robofleet_tests::*;
use serde_json::{json, Value};

fn order(seq: u64, symbol: &str, ns: i64) -> Order {
    let req = OrderRequest {
        client_id: format!("bulk-{seq}"),
        order_seq: seq,
        symbol: symbol.into(),
        side: Side::Sell,
        qty: 1,
        order_type: OrderType::Market,
        tif: robofleet_api::TimeInForce::Day,
    };
    Order::new_request("bulk", req, ns)
}

fn ids(page: &Value) -> Vec<String> {
    page["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["client_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn orders_come_a_page_at_a_time_with_filters_and_bad_values_are_refused() {
    let feed = Feed::new();
    let mut srv = TestServer::start(&feed.endpoint, |_| {});
    let store = srv.handle.as_ref().unwrap().store.clone();
    for seq in 1..=150u64 {
        let symbol = if seq % 2 == 0 { "Si" } else { "RTS" };
        store
            .insert_order(&order(seq, symbol, 1_000 + seq as i64))
            .unwrap();
    }
    // Default: the newest 100, with the cursor to go on from.
    let first = srv.ok(json!({"cmd": "orders"}));
    let got = ids(&first);
    assert_eq!(got.len(), 100);
    assert_eq!(got[0], "bulk-150");
    assert_eq!(first["more"], json!(true));
    assert_eq!(first["next"], json!("1051:bulk-51"));
    let rest = srv.ok(json!({"cmd": "orders", "before": first["next"]}));
    assert_eq!(ids(&rest).len(), 50);
    assert_eq!(rest["more"], json!(false));
    assert_eq!(ids(&rest).last().unwrap(), "bulk-1");
    // Forward from a time, oldest first; symbol and status filters; a bare ns as a cursor.
    let after = srv.ok(json!({"cmd": "orders", "after": 1140, "limit": 3, "symbol": "Si"}));
    assert_eq!(ids(&after), ["bulk-142", "bulk-144", "bulk-146"]);
    // (The in-process gateway takes the orders on: count each status it left them in.)
    let all = srv.ok(json!({"cmd": "orders", "robot": "bulk", "limit": 10000}));
    let all = all["orders"].as_array().unwrap().clone();
    assert_eq!(all.len(), 150);
    for status in [
        "New",
        "Working",
        "PartiallyFilled",
        "Filled",
        "Cancelled",
        "Rejected",
    ] {
        let want = all.iter().filter(|o| o["status"] == status).count();
        let page = srv.ok(json!({"cmd": "orders", "status": status, "limit": 10000}));
        assert_eq!(ids(&page).len(), want, "{status}");
        assert_eq!(page["next"].is_null(), want == 0, "{status}");
    }
    let trades = srv.ok(json!({"cmd": "trades", "symbol": "Si", "limit": 5}));
    assert_eq!(trades, json!({"trades": [], "more": false, "next": null}));

    for bad in [
        json!({"cmd": "orders", "limit": 0}),
        json!({"cmd": "orders", "limit": 10_001}),
        json!({"cmd": "orders", "limit": "ten"}),
        json!({"cmd": "orders", "status": "Bogus"}),
        json!({"cmd": "orders", "before": "yesterday"}),
        json!({"cmd": "orders", "after": [1]}),
        json!({"cmd": "trades", "after": 1.5}),
        json!({"cmd": "trades", "limit": -1}),
    ] {
        let reply = srv.ctl(bad.clone());
        assert_eq!(reply["error"]["code"], json!("bad_field"), "{bad}: {reply}");
    }

    // The same through `robofleet ctl`.
    let endpoint = srv.handle.as_ref().unwrap().control_endpoint().to_string();
    let out = robofleet(&[
        "ctl",
        "--endpoint",
        &endpoint,
        "orders",
        "bulk",
        "--limit",
        "2",
        "--symbol",
        "RTS",
        "--before",
        "1100",
    ]);
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    assert_eq!(ids(&reply["result"]), ["bulk-99", "bulk-97"], "{reply}");
    // --open and --status pass through as open_only and status: the same page as asked directly.
    let out = robofleet(&[
        "ctl",
        "--control",
        &endpoint,
        "orders",
        "bulk",
        "--open",
        "--status",
        "Working",
        "--limit",
        "3",
    ]);
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let direct = srv.ok(json!({"cmd": "orders", "robot": "bulk", "open_only": true,
                               "status": "Working", "limit": 3}));
    assert_eq!(reply["result"], direct, "{reply}");
    let out = robofleet(&[
        "ctl",
        "--endpoint",
        &endpoint,
        "trades",
        "--after",
        "5",
        "--limit",
        "1",
    ]);
    let reply: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    assert_eq!(reply["result"]["more"], json!(false), "{reply}");
    srv.stop();
}
