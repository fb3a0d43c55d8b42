//! Validation, cancels, replays.

use super::*;

#[test]
fn rejects_non_positive_qty() {
    let mut ex = SimExchange::new();
    quote(&mut ex, 1, p(99.0), 10, p(100.0), 10);
    for qty in [0, -5] {
        let id = format!("q{qty}");
        let out = new(&mut ex, order(&id, Side::Buy, OrderType::Market, qty), 7);
        assert!(reject_reason(&out).contains("invalid quantity"), "{out:?}");
        assert_eq!(changes(&out)[0].ts_ns, 7);
    }
    assert_eq!(ex.working_count(), 0);
}

#[test]
fn rejects_bad_limit_prices() {
    let mut ex = SimExchange::new();
    for (i, px) in [p(0.0), p(-1.0), px("-0.000000001")]
        .into_iter()
        .enumerate()
    {
        let out = new(
            &mut ex,
            order(&format!("p{i}"), Side::Sell, limit(px), 1),
            1,
        );
        assert!(
            reject_reason(&out).contains("invalid limit price"),
            "{out:?}"
        );
    }
}

#[test]
fn rejects_market_order_without_quote_and_empty_symbol() {
    let mut ex = SimExchange::new();
    let out = new(&mut ex, order("a", Side::Buy, OrderType::Market, 1), 1);
    assert_eq!(reject_reason(&out), "no market for Si");
    let mut o = order("b", Side::Buy, limit(p(1.0)), 1);
    o.symbol.clear();
    assert_eq!(reject_reason(&new(&mut ex, o, 1)), "empty symbol");
    // A limit order needs no quote: it just works.
    let out = new(&mut ex, order("c", Side::Buy, limit(p(1.0)), 1), 1);
    assert_eq!(changes(&out)[0].status, OrderStatus::Working);
}

#[test]
fn cancel_working_order_keeps_its_fills() {
    let mut ex = SimExchange::new();
    quote(&mut ex, 1, p(99.0), 10, p(100.0), 2);
    new(&mut ex, order("b", Side::Buy, OrderType::Market, 5), 2);
    let out = cancel(&mut ex, "b", 3);
    let c = changes(&out);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].status, OrderStatus::Cancelled);
    assert_eq!(c[0].reason.as_deref(), Some(CANCEL_REASON));
    assert_eq!(
        (c[0].filled_qty, c[0].avg_price, c[0].ts_ns),
        (2, p(100.0), 3)
    );
    assert!(!ex.is_working("b"));
    assert!(
        quote(&mut ex, 4, p(99.0), 10, p(100.0), 10).is_empty(),
        "no fill after cancel"
    );
}

#[test]
fn cancel_of_unknown_or_terminal_order_is_ignored() {
    let mut ex = SimExchange::new();
    assert!(cancel(&mut ex, "nope", 1).is_empty());
    quote(&mut ex, 1, p(99.0), 10, p(100.0), 10);
    new(&mut ex, order("f", Side::Buy, OrderType::Market, 1), 2);
    assert!(cancel(&mut ex, "f", 3).is_empty(), "already filled");
    new(&mut ex, order("r", Side::Buy, OrderType::Market, 0), 2);
    assert!(cancel(&mut ex, "r", 3).is_empty(), "rejected");
    new(&mut ex, order("c", Side::Buy, limit(p(1.0)), 1), 2);
    assert_eq!(cancel(&mut ex, "c", 3).len(), 1);
    assert!(cancel(&mut ex, "c", 4).is_empty(), "already cancelled");
}

#[test]
fn new_order_with_cancel_requested_is_cancelled_unfilled() {
    let mut ex = SimExchange::new();
    quote(&mut ex, 1, p(99.0), 10, p(100.0), 10);
    let mut o = order("b", Side::Buy, OrderType::Market, 1);
    o.cancel_requested = true;
    let out = new(&mut ex, o, 2);
    let st: Vec<_> = changes(&out).iter().map(|c| c.status).collect();
    assert_eq!(st, vec![OrderStatus::Working, OrderStatus::Cancelled]);
    assert!(fills(&out).is_empty());
}

#[test]
fn replayed_working_order_is_restored_silently() {
    let mut ex = SimExchange::new();
    let mut o = order("b", Side::Buy, limit(p(100.0)), 10);
    o.status = OrderStatus::PartiallyFilled;
    o.filled_qty = 4;
    o.avg_price = px("98.0");
    assert!(new(&mut ex, o.clone(), 1).is_empty(), "no second Working");
    assert!(ex.is_working("b"));
    let out = quote(&mut ex, 2, p(99.0), 10, p(100.0), 10);
    assert_eq!(
        fill_summary(&out),
        vec![("b".into(), 6, p(100.0))],
        "only what remains"
    );
    let c = &changes(&out)[0];
    assert_eq!((c.status, c.filled_qty), (OrderStatus::Filled, 10));
    assert_eq!(c.avg_price, px("99.2"));
    // A second delivery of the same order changes nothing.
    assert!(new(&mut ex, o, 3).is_empty());
    assert!(!ex.is_working("b"));
}

#[test]
fn replay_edge_cases() {
    let mut ex = SimExchange::new();
    // Restored market orders wait for a quote rather than being rejected.
    let mut m = order("m", Side::Buy, OrderType::Market, 1);
    m.status = OrderStatus::Working;
    assert!(new(&mut ex, m, 1).is_empty());
    // Asked to cancel while the gateway was down.
    let mut c = order("c", Side::Buy, limit(p(1.0)), 1);
    c.status = OrderStatus::Working;
    c.cancel_requested = true;
    let out = new(&mut ex, c, 1);
    assert_eq!(changes(&out)[0].status, OrderStatus::Cancelled);
    // Fully filled but the status was not written yet.
    let mut f = order("f", Side::Buy, limit(p(1.0)), 2);
    f.status = OrderStatus::PartiallyFilled;
    f.filled_qty = 2;
    assert_eq!(changes(&new(&mut ex, f, 1))[0].status, OrderStatus::Filled);
    // Invalid: cancelled, since a Working order cannot become Rejected.
    let mut bad = order("bad", Side::Buy, limit(p(-1.0)), 2);
    bad.status = OrderStatus::Working;
    let c = &changes(&new(&mut ex, bad, 1))[0];
    assert_eq!(c.status, OrderStatus::Cancelled);
    assert!(c
        .reason
        .as_deref()
        .unwrap_or("")
        .starts_with("cancelled on restore"));
    // Terminal orders are ignored.
    let mut t = order("t", Side::Buy, OrderType::Market, 1);
    t.status = OrderStatus::Filled;
    assert!(new(&mut ex, t, 1).is_empty());
    assert_eq!(ex.working_count(), 1);
}

#[test]
fn duplicate_new_order_is_ignored() {
    let mut ex = SimExchange::new();
    quote(&mut ex, 1, p(99.0), 10, p(100.0), 10);
    assert_eq!(
        new(&mut ex, order("a", Side::Buy, OrderType::Market, 1), 2).len(),
        3
    );
    assert!(new(&mut ex, order("a", Side::Buy, OrderType::Market, 1), 3).is_empty());
}

#[test]
fn exec_ids_resume_after_stored_ones() {
    assert_eq!(next_exec_seq_after([]), 1);
    assert_eq!(
        next_exec_seq_after(["SIM-3", "X-99", "SIM-12", "SIM-x"]),
        13
    );
    let mut ex = SimExchange::with_next_exec_seq(13);
    quote(&mut ex, 1, p(99.0), 10, p(100.0), 10);
    let out = new(&mut ex, order("a", Side::Buy, OrderType::Market, 1), 2);
    assert_eq!(fills(&out)[0].exec_id, "SIM-13");
    assert_eq!(ex.next_exec_seq(), 14);
}

fn with_tif(mut o: Order, tif: robofleet_api::TimeInForce) -> Order {
    o.tif = tif;
    o
}

#[test]
fn ioc_fills_what_it_can_on_arrival_and_cancels_the_rest() {
    use robofleet_api::TimeInForce::Ioc;
    let mut ex = SimExchange::new();
    quote(&mut ex, 1, p(99.0), 10, p(100.0), 3);
    let out = new(
        &mut ex,
        with_tif(order("i", Side::Buy, limit(p(100.0)), 5), Ioc),
        2,
    );
    assert_eq!(fill_summary(&out), vec![("i".into(), 3, p(100.0))]);
    let c = changes(&out);
    let last = c.last().unwrap();
    assert_eq!((last.status, last.filled_qty), (OrderStatus::Cancelled, 3));
    assert!(last
        .reason
        .as_deref()
        .unwrap()
        .starts_with("immediate or cancel"));
    assert!(!ex.is_working("i"));
    // Nothing marketable: accepted, then cancelled whole.
    let out = new(
        &mut ex,
        with_tif(order("j", Side::Buy, limit(p(90.0)), 5), Ioc),
        3,
    );
    let statuses: Vec<_> = changes(&out).iter().map(|c| c.status).collect();
    assert_eq!(statuses, [OrderStatus::Working, OrderStatus::Cancelled]);
}

#[test]
fn fok_fills_all_or_nothing() {
    use robofleet_api::TimeInForce::Fok;
    let mut ex = SimExchange::new();
    quote(&mut ex, 1, p(99.0), 10, p(100.0), 3);
    let out = new(
        &mut ex,
        with_tif(order("k", Side::Buy, limit(p(100.0)), 5), Fok),
        2,
    );
    assert!(fills(&out).is_empty(), "{out:?}");
    let last = changes(&out).last().cloned().unwrap();
    assert_eq!(last.status, OrderStatus::Cancelled);
    assert_eq!(
        last.reason.as_deref(),
        Some("fill or kill: 3 of 5 available at arrival, nothing filled")
    );
    let out = new(
        &mut ex,
        with_tif(order("f", Side::Buy, OrderType::Market, 3), Fok),
        3,
    );
    assert_eq!(fill_summary(&out), vec![("f".into(), 3, p(100.0))]);
    assert_eq!(changes(&out).last().unwrap().status, OrderStatus::Filled);
}

#[test]
fn day_orders_end_with_the_trading_day_and_gtc_orders_do_not() {
    use robofleet_api::TimeInForce::{Day, Gtc};
    let mut ex = SimExchange::new();
    let mut si = crate::instruments::always_open("Si", p(1.0));
    // Moscow time, one session 10:00-18:45.
    si.utc_offset_min = 180;
    si.sessions = vec![robofleet_api::Session {
        start_min: 600,
        end_min: 1125,
    }];
    ex.set_instruments([si].into_iter().collect());
    let msk = |hh: i64, mm: i64| (1_793_577_600 + (hh * 60 + mm - 180) * 60) * 1_000_000_000;
    quote(&mut ex, msk(10, 0), p(99.0), 10, p(100.0), 10);
    new(
        &mut ex,
        with_tif(order("d", Side::Buy, limit(p(90.0)), 1), Day),
        msk(10, 0),
    );
    new(
        &mut ex,
        with_tif(order("g", Side::Buy, limit(p(90.0)), 1), Gtc),
        msk(10, 0),
    );
    assert!(quote(&mut ex, msk(18, 44), p(99.0), 10, p(100.0), 10).is_empty());
    let out = quote(&mut ex, msk(18, 45), p(99.0), 10, p(100.0), 10);
    let c = changes(&out);
    assert_eq!(c.len(), 1, "{out:?}");
    assert_eq!(
        (c[0].client_id.as_str(), c[0].status),
        ("d", OrderStatus::Cancelled)
    );
    assert_eq!(c[0].reason.as_deref(), Some(DAY_END_REASON));
    assert!(ex.is_working("g") && !ex.is_working("d"));
}

fn amend(
    ex: &mut SimExchange,
    id: &str,
    seq: u32,
    price: Option<Price>,
    qty: Option<i64>,
    ts: i64,
) -> Vec<ExchangeOutput> {
    ex.process(ExchangeInput::Amend {
        client_id: id.into(),
        amend: crate::store::AmendRequest { seq, price, qty },
        ts_ns: ts,
    })
}

#[test]
fn an_amended_price_goes_behind_its_new_level_and_a_smaller_qty_keeps_its_place() {
    let mut ex = SimExchange::new();
    quote(&mut ex, 1, p(90.0), 10, p(100.0), 10);
    for id in ["a", "b", "c"] {
        new(&mut ex, order(id, Side::Buy, limit(p(95.0)), 2), 2);
    }
    // a moves away and back: now behind b and c at 95.
    let out = amend(&mut ex, "a", 1, Some(p(94.0)), None, 3);
    let c = changes(&out);
    assert_eq!(
        (c[0].status, c[0].reason.as_deref(), c[0].amends, c[0].price),
        (OrderStatus::Working, Some(AMENDED), Some(1), Some(p(94.0)))
    );
    amend(&mut ex, "a", 2, Some(p(95.0)), None, 4);
    // b shrinks to 1 lot: it keeps its place at the front.
    let out = amend(&mut ex, "b", 1, None, Some(1), 5);
    assert_eq!(changes(&out)[0].qty, Some(1));
    // A print at 95 for 4 lots fills in time priority: b (1), c (2), then a (1 of 2).
    let out = print(&mut ex, 6, p(95.0), 4);
    assert_eq!(
        fill_summary(&out),
        vec![
            ("b".into(), 1, p(95.0)),
            ("c".into(), 2, p(95.0)),
            ("a".into(), 1, p(95.0))
        ]
    );
}

#[test]
fn an_amend_that_crosses_fills_and_bad_amends_are_refused() {
    let mut ex = SimExchange::new();
    quote(&mut ex, 1, p(99.0), 10, p(100.0), 3);
    new(&mut ex, order("a", Side::Buy, limit(p(95.0)), 5), 2);
    let out = amend(&mut ex, "a", 1, Some(p(100.0)), None, 3);
    assert_eq!(fill_summary(&out), vec![("a".into(), 3, p(100.0))]);
    // Not below what is filled.
    let out = amend(&mut ex, "a", 2, None, Some(3), 4);
    let c = changes(&out);
    assert_eq!(
        c[0].reason.as_deref(),
        Some("amend refused: quantity 3 is not above the 3 already filled")
    );
    assert_eq!(
        (c[0].amends, c[0].qty, c[0].status),
        (Some(2), None, OrderStatus::PartiallyFilled)
    );
    let out = amend(&mut ex, "a", 3, None, None, 5);
    assert_eq!(
        changes(&out)[0].reason.as_deref(),
        Some("amend refused: nothing to change")
    );
    // A market order has no price; an order not working here gets no answer.
    quote(&mut ex, 6, p(99.0), 0, p(100.0), 0);
    new(&mut ex, order("m", Side::Buy, OrderType::Market, 1), 7);
    let out = amend(&mut ex, "m", 1, Some(p(101.0)), None, 8);
    assert_eq!(
        changes(&out)[0].reason.as_deref(),
        Some("amend refused: a market order has no price to change")
    );
    assert!(amend(&mut ex, "nobody", 1, Some(p(1.0)), None, 9).is_empty());
    // With a registry, the new price must be on the grid.
    let mut reg = SimExchange::new();
    reg.set_instruments(
        [crate::instruments::always_open("Si", p(1.0))]
            .into_iter()
            .collect(),
    );
    quote(&mut reg, 1, p(99.0), 10, p(100.0), 10);
    new(&mut reg, order("g", Side::Buy, limit(p(90.0)), 1), 2);
    let out = amend(&mut reg, "g", 1, Some(p(90.5)), None, 3);
    assert_eq!(
        changes(&out)[0].reason.as_deref(),
        Some("amend refused: limit price 90.5 is off Si's tick grid (tick 1)")
    );
}
