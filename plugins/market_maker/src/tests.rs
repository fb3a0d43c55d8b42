use super::*;
use robofleet_api::testing::{cancels, submits, Harness};
use robofleet_api::{Action, OrderType};

fn harness(params: Params) -> Harness<MarketMaker> {
    Harness::with_params(params).expect("valid params")
}

/// (side, qty, limit price or None for market) of each submit.
fn orders(actions: &[Action]) -> Vec<(Side, i64, Option<f64>)> {
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
    let a = h.quote("Si", 99_999.0, 100_001.0);
    assert_eq!(
        orders(&a),
        vec![
            (Side::Buy, 1, Some(99_998.0)),
            (Side::Sell, 1, Some(100_002.0))
        ]
    );
    assert_eq!(ids(&a), vec!["market_maker-1", "market_maker-2"]);
    // RTS mid 110005 is off its 10-point grid: rounded away from the mid.
    let a = h.quote("RTS", 110_000.0, 110_010.0);
    assert_eq!(
        orders(&a),
        vec![
            (Side::Buy, 1, Some(109_980.0)),
            (Side::Sell, 1, Some(110_030.0))
        ]
    );
}

#[test]
fn requotes_only_when_mid_moves_enough_and_cancels_first() {
    let mut h = harness(Params::new());
    h.quote("Si", 99_999.0, 100_001.0);
    assert!(
        h.quote("Si", 100_000.0, 100_001.0).is_empty(),
        "half a tick"
    );
    let a = h.quote("Si", 100_000.0, 100_002.0);
    assert_eq!(cancels(&a), vec!["market_maker-1", "market_maker-2"]);
    assert!(matches!(a[0], Action::Cancel { .. }) && matches!(a[1], Action::Cancel { .. }));
    assert_eq!(
        orders(&a),
        vec![
            (Side::Buy, 1, Some(99_999.0)),
            (Side::Sell, 1, Some(100_003.0))
        ]
    );
    assert_eq!(
        h.robot.working("Si"),
        (Some("market_maker-3"), Some("market_maker-4"))
    );
    // requote_ticks 3: a 2-tick move is not enough.
    let mut h = harness(Params::new().with("requote_ticks", 3));
    h.quote("Si", 99_999.0, 100_001.0);
    assert!(h.quote("Si", 100_001.0, 100_003.0).is_empty());
    assert_eq!(cancels(&h.quote("Si", 100_002.0, 100_004.0)).len(), 2);
}

#[test]
fn position_limit_stops_one_side() {
    let mut h = harness(Params::new().with("max_position", 1));
    h.quote("Si", 99_999.0, 100_001.0);
    // Bid filled: long 1, so no new bid, and the ask is still working.
    let a = h.fill("market_maker-1", "Si", Side::Buy, 1, 99_998.0);
    assert!(submits(&a).is_empty());
    assert_eq!(h.robot.position("Si"), 1);
    assert_eq!(h.robot.working("Si"), (None, Some("market_maker-2")));
    // Requote: only an ask. The cancelling old ask still counts, but short 1 is the limit.
    let a = h.quote("Si", 100_009.0, 100_011.0);
    assert_eq!(cancels(&a), vec!["market_maker-2"]);
    assert_eq!(orders(&a), vec![(Side::Sell, 1, Some(100_012.0))]);
    // Sold: flat again, and the bid comes back at once.
    let a = h.fill("market_maker-3", "Si", Side::Sell, 1, 100_012.0);
    assert_eq!(h.robot.position("Si"), 0);
    assert_eq!(orders(&a), vec![(Side::Buy, 1, Some(100_008.0))]);
}

#[test]
fn cancel_confirmation_frees_the_limit() {
    let mut h = harness(Params::new().with("max_position", 1));
    h.quote("Si", 99_999.0, 100_001.0);
    let a = h.quote("Si", 100_009.0, 100_011.0);
    // Each old order may still fill, so with max 1 neither side fits yet.
    assert!(submits(&a).is_empty());
    let a = h.order_update("market_maker-1", "Si", OrderStatus::Cancelled, 0, 1);
    assert_eq!(orders(&a), vec![(Side::Buy, 1, Some(100_008.0))]);
    let a = h.order_update("market_maker-2", "Si", OrderStatus::Cancelled, 0, 1);
    assert_eq!(orders(&a), vec![(Side::Sell, 1, Some(100_012.0))]);
}

#[test]
fn status_before_fill_keeps_exposure() {
    let mut h = harness(Params::new().with("max_position", 1));
    h.quote("Si", 99_999.0, 100_001.0);
    let a = h.order_update("market_maker-1", "Si", OrderStatus::Filled, 1, 0);
    assert!(submits(&a).is_empty(), "the fill has not arrived yet");
    // A requote before that fill: the reported-but-unseen buy still counts against max 1.
    let a = h.quote("Si", 100_009.0, 100_011.0);
    assert_eq!(cancels(&a), vec!["market_maker-2"]);
    assert!(
        submits(&a).is_empty(),
        "no bid: the awaited fill makes us long 1"
    );
    let a = h.fill("market_maker-1", "Si", Side::Buy, 1, 99_998.0);
    // Long 1 = max: still no bid, but now an ask fits (the cancelling one counts as -1).
    assert_eq!(orders(&a), vec![(Side::Sell, 1, Some(100_012.0))]);
    assert_eq!(h.robot.position("Si"), 1);
}

#[test]
fn rejected_side_waits_for_next_requote() {
    let mut h = harness(Params::new());
    h.quote("Si", 99_999.0, 100_001.0);
    let a = h.order_update("market_maker-1", "Si", OrderStatus::Rejected, 0, 1);
    assert!(submits(&a).is_empty());
    assert!(matches!(
        &a[0],
        Action::Log {
            level: LogLevel::Warn,
            ..
        }
    ));
    assert!(h.quote("Si", 99_999.0, 100_001.0).is_empty());
    let a = h.quote("Si", 100_000.0, 100_002.0);
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
    h.quote("Si", 99_999.0, 100_001.0);
    let a = h.fill("market_maker-1", "Si", Side::Buy, 1, 99_998.0);
    assert_eq!(ids(&a), vec!["market_maker-3"], "filled bid re-quoted");
    let a = h.fill("market_maker-9", "Si", Side::Buy, 1, 99_998.0); // an id we do not know
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
    assert!(h.quote("Si", 99_990.0, 99_992.0).is_empty(), "paused");
    h.fill("market_maker-4", "Si", Side::Sell, 2, 99_990.0);
    assert_eq!(h.robot.position("Si"), 0);
    h.command("resume", "");
    assert_eq!(submits(&h.quote("Si", 99_990.0, 99_992.0)).len(), 2);
}

#[test]
fn stop_cancels_working_orders() {
    let mut h = harness(Params::new());
    h.quote("Si", 99_999.0, 100_001.0);
    let a = h.send(EventKind::Stop);
    assert_eq!(cancels(&a), vec!["market_maker-1", "market_maker-2"]);
}

#[test]
fn params_requote_at_last_mid_and_bad_params_are_ignored() {
    let mut h = harness(Params::new());
    h.quote("Si", 99_999.0, 100_001.0);
    let a = h.params(MarketMaker::info().default_params.with("spread_ticks", 5));
    assert_eq!(cancels(&a).len(), 2);
    assert_eq!(
        orders(&a),
        vec![
            (Side::Buy, 1, Some(99_995.0)),
            (Side::Sell, 1, Some(100_005.0))
        ]
    );
    let a = h.params(Params::new().with("tick", -1.0));
    assert!(submits(&a).is_empty() && cancels(&a).is_empty());
    assert!(Harness::<MarketMaker>::with_params(Params::new().with("spread_ticks", 0)).is_err());
    assert!(Harness::<MarketMaker>::with_params(Params::new().with("tick.Si", "x")).is_err());
}

#[test]
fn ignores_garbage() {
    let mut h = harness(Params::new());
    assert!(h.quote("GAZP", 150.0, 151.0).is_empty());
    assert!(h.quote("Si", 0.0, 100_001.0).is_empty());
    assert!(h.quote("Si", f64::INFINITY, 100_001.0).is_empty());
    assert!(h
        .order_update("x-1", "Si", OrderStatus::Cancelled, 0, 0)
        .is_empty());
    h.fill("x-2", "GAZP", Side::Buy, 1, 150.0);
    h.fill("x-3", "Si", Side::Sell, 0, 1.0);
    assert!(h.command("dance", "").len() == 1);
    assert_eq!(h.robot.position("Si"), 0);
    assert_eq!(submits(&h.quote("Si", 99_999.0, 100_001.0)).len(), 2);
}

#[test]
fn snapshot_is_deterministic() {
    let run = || {
        let mut h = harness(Params::new());
        h.quote("Si", 99_999.0, 100_001.0);
        h.fill("market_maker-1", "Si", Side::Buy, 1, 99_998.0);
        h.robot.snapshot()
    };
    assert_eq!(run(), run());
    let back: MarketMaker = postcard::from_bytes(&run()).expect("decodes");
    assert_eq!(back.position("Si"), 1);
}
