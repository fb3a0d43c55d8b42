use super::*;
use robofleet_api::testing::{cancels, px, submits, Harness};
use robofleet_api::{Action, OrderType};

fn harness(params: Params) -> Harness<MarketMaker> {
    Harness::with_params(params).expect("valid params")
}

/// (side, qty, limit price or None for market) of each submit.
fn orders(actions: &[Action]) -> Vec<(Side, i64, Option<Price>)> {
    submits(actions)
        .iter()
        .map(|o| {
            let px = match o.order_type {
                OrderType::Limit { price } => Some(price),
                OrderType::Market => None,
            };
            (o.side, o.qty, px)
        })
        .collect()
}

fn ids(actions: &[Action]) -> Vec<String> {
    submits(actions)
        .iter()
        .map(|o| o.client_id.clone())
        .collect()
}

#[test]
fn quotes_both_sides_on_the_tick_grid() {
    let mut h = harness(Params::new());
    let a = h.quote("Si", px("99999"), px("100001"));
    assert_eq!(
        orders(&a),
        vec![
            (Side::Buy, 1, Some(px("99998"))),
            (Side::Sell, 1, Some(px("100002")))
        ]
    );
    assert_eq!(ids(&a), vec!["market_maker-1", "market_maker-2"]);
    // RTS mid 110005 is off its 10-point grid: rounded away from the mid.
    let a = h.quote("RTS", px("110000"), px("110010"));
    assert_eq!(
        orders(&a),
        vec![
            (Side::Buy, 1, Some(px("109980"))),
            (Side::Sell, 1, Some(px("110030")))
        ]
    );
}

#[test]
fn requotes_only_when_mid_moves_enough_and_cancels_first() {
    let mut h = harness(Params::new());
    h.quote("Si", px("99999"), px("100001"));
    assert!(
        h.quote("Si", px("100000"), px("100001")).is_empty(),
        "half a tick"
    );
    let a = h.quote("Si", px("100000"), px("100002"));
    assert_eq!(cancels(&a), vec!["market_maker-1", "market_maker-2"]);
    assert!(matches!(a[0], Action::Cancel { .. }) && matches!(a[1], Action::Cancel { .. }));
    assert_eq!(
        orders(&a),
        vec![
            (Side::Buy, 1, Some(px("99999"))),
            (Side::Sell, 1, Some(px("100003")))
        ]
    );
    assert_eq!(
        h.robot.working("Si"),
        (Some("market_maker-3"), Some("market_maker-4"))
    );
    // requote_ticks 3: a 2-tick move is not enough.
    let mut h = harness(Params::new().with("requote_ticks", 3));
    h.quote("Si", px("99999"), px("100001"));
    assert!(h.quote("Si", px("100001"), px("100003")).is_empty());
    assert_eq!(cancels(&h.quote("Si", px("100002"), px("100004"))).len(), 2);
    // Restored from a snapshot at any point, it acts as the original on the rest.
    assert_eq!(h.check_restore(), Ok(()));
}

#[test]
fn position_limit_stops_one_side() {
    let mut h = harness(Params::new().with("max_position", 1));
    h.quote("Si", px("99999"), px("100001"));
    // Bid filled: long 1, so no new bid, and the ask is still working.
    let a = h.fill("market_maker-1", "Si", Side::Buy, 1, px("99998"));
    assert!(submits(&a).is_empty());
    assert_eq!(h.robot.position("Si"), 1);
    assert_eq!(h.robot.working("Si"), (None, Some("market_maker-2")));
    // Requote: only an ask. The cancelling old ask still counts, but short 1 is the limit.
    let a = h.quote("Si", px("100009"), px("100011"));
    assert_eq!(cancels(&a), vec!["market_maker-2"]);
    assert_eq!(orders(&a), vec![(Side::Sell, 1, Some(px("100012")))]);
    // Sold: flat again, and the bid comes back at once.
    let a = h.fill("market_maker-3", "Si", Side::Sell, 1, px("100012"));
    assert_eq!(h.robot.position("Si"), 0);
    assert_eq!(orders(&a), vec![(Side::Buy, 1, Some(px("100008")))]);
    // Restored from a snapshot at any point, it acts as the original on the rest.
    assert_eq!(h.check_restore(), Ok(()));
}

#[test]
fn cancel_confirmation_frees_the_limit() {
    let mut h = harness(Params::new().with("max_position", 1));
    h.quote("Si", px("99999"), px("100001"));
    let a = h.quote("Si", px("100009"), px("100011"));
    // Each old order may still fill, so with max 1 neither side fits yet.
    assert!(submits(&a).is_empty());
    let a = h.order_update("market_maker-1", "Si", OrderStatus::Cancelled, 0, 1);
    assert_eq!(orders(&a), vec![(Side::Buy, 1, Some(px("100008")))]);
    let a = h.order_update("market_maker-2", "Si", OrderStatus::Cancelled, 0, 1);
    assert_eq!(orders(&a), vec![(Side::Sell, 1, Some(px("100012")))]);
}

#[test]
fn status_before_fill_keeps_exposure() {
    let mut h = harness(Params::new().with("max_position", 1));
    h.quote("Si", px("99999"), px("100001"));
    let a = h.order_update("market_maker-1", "Si", OrderStatus::Filled, 1, 0);
    assert!(submits(&a).is_empty(), "the fill has not arrived yet");
    // A requote before that fill: the reported-but-unseen buy still counts against max 1.
    let a = h.quote("Si", px("100009"), px("100011"));
    assert_eq!(cancels(&a), vec!["market_maker-2"]);
    assert!(
        submits(&a).is_empty(),
        "no bid: the awaited fill makes us long 1"
    );
    let a = h.fill("market_maker-1", "Si", Side::Buy, 1, px("99998"));
    // Long 1 = max: still no bid, but now an ask fits (the cancelling one counts as -1).
    assert_eq!(orders(&a), vec![(Side::Sell, 1, Some(px("100012")))]);
    assert_eq!(h.robot.position("Si"), 1);
}

#[test]
fn rejected_side_waits_for_next_requote() {
    let mut h = harness(Params::new());
    h.quote("Si", px("99999"), px("100001"));
    let a = h.order_update("market_maker-1", "Si", OrderStatus::Rejected, 0, 1);
    assert!(submits(&a).is_empty());
    assert!(matches!(
        &a[0],
        Action::Log {
            level: LogLevel::Warn,
            ..
        }
    ));
    assert!(h.quote("Si", px("99999"), px("100001")).is_empty());
    let a = h.quote("Si", px("100000"), px("100002"));
    assert_eq!(
        cancels(&a),
        vec!["market_maker-2"],
        "nothing to cancel on the bid"
    );
    assert_eq!(submits(&a).len(), 2);
}

#[test]
fn flatten_cancels_sells_and_pauses_until_resume() {
    let mut h = harness(Params::new());
    h.quote("Si", px("99999"), px("100001"));
    let a = h.fill("market_maker-1", "Si", Side::Buy, 1, px("99998"));
    assert_eq!(ids(&a), vec!["market_maker-3"], "filled bid re-quoted");
    let a = h.fill("market_maker-9", "Si", Side::Buy, 1, px("99998")); // an id we do not know
    assert!(submits(&a).is_empty(), "bid already working");
    assert_eq!(h.robot.position("Si"), 2);
    let a = h.command("flatten", "");
    assert_eq!(cancels(&a), vec!["market_maker-2", "market_maker-3"]);
    assert_eq!(orders(&a), vec![(Side::Sell, 2, None)]);
    assert!(h.robot.is_paused());
    assert!(
        submits(&h.command("flatten", "")).is_empty(),
        "sell already on its way"
    );
    assert!(h.quote("Si", px("99990"), px("99992")).is_empty(), "paused");
    h.fill("market_maker-4", "Si", Side::Sell, 2, px("99990"));
    assert_eq!(h.robot.position("Si"), 0);
    h.command("resume", "");
    assert_eq!(submits(&h.quote("Si", px("99990"), px("99992"))).len(), 2);
    // Restored from a snapshot at any point, it acts as the original on the rest.
    assert_eq!(h.check_restore(), Ok(()));
}

#[test]
fn stop_cancels_working_orders() {
    let mut h = harness(Params::new());
    h.quote("Si", px("99999"), px("100001"));
    let a = h.send(EventKind::Stop);
    assert_eq!(cancels(&a), vec!["market_maker-1", "market_maker-2"]);
}

#[test]
fn params_requote_at_last_mid_and_bad_params_are_ignored() {
    let mut h = harness(Params::new());
    h.quote("Si", px("99999"), px("100001"));
    let a = h.params(MarketMaker::info().default_params.with("spread_ticks", 5));
    assert_eq!(cancels(&a).len(), 2);
    assert_eq!(
        orders(&a),
        vec![
            (Side::Buy, 1, Some(px("99995"))),
            (Side::Sell, 1, Some(px("100005")))
        ]
    );
    let a = h.params(Params::new().with("tick", -1.0));
    assert!(submits(&a).is_empty() && cancels(&a).is_empty());
    assert!(Harness::<MarketMaker>::with_params(Params::new().with("spread_ticks", 0)).is_err());
    assert!(Harness::<MarketMaker>::with_params(Params::new().with("tick.Si", "x")).is_err());
    // Restored from a snapshot at any point, it acts as the original on the rest.
    assert_eq!(h.check_restore(), Ok(()));
}

#[test]
fn ignores_garbage() {
    let mut h = harness(Params::new());
    assert!(h.quote("GAZP", px("150"), px("151")).is_empty());
    assert!(h.quote("Si", px("0"), px("100001")).is_empty());
    assert!(h.quote("Si", px("0"), px("100001")).is_empty());
    assert!(h
        .order_update("x-1", "Si", OrderStatus::Cancelled, 0, 0)
        .is_empty());
    h.fill("x-2", "GAZP", Side::Buy, 1, px("150"));
    h.fill("x-3", "Si", Side::Sell, 0, px("1"));
    assert!(h.command("dance", "").len() == 1);
    assert_eq!(h.robot.position("Si"), 0);
    assert_eq!(submits(&h.quote("Si", px("99999"), px("100001"))).len(), 2);
}

#[test]
fn snapshot_is_deterministic() {
    let run = || {
        let mut h = harness(Params::new());
        h.quote("Si", px("99999"), px("100001"));
        h.fill("market_maker-1", "Si", Side::Buy, 1, px("99998"));
        h.robot.snapshot()
    };
    assert_eq!(run(), run());
    let back: MarketMaker = postcard::from_bytes(&run()).expect("decodes");
    assert_eq!(back.position("Si"), 1);
}
