use super::*;
use robofleet_api::testing::{px, submits, Harness};
use robofleet_api::{Action, OrderStatus, OrderType, Side};

/// fast 2 / slow 4 so a crossover takes a handful of quotes.
fn harness() -> Harness<MaCross> {
    Harness::with_params(Params::new().with("fast", 2).with("slow", 4)).expect("valid params")
}

fn mid(h: &mut Harness<MaCross>, m: f64) -> Vec<Action> {
    let half = px("0.5");
    let m = Price::from_f64(m).expect("a test mid");
    h.quote("Si", m - half, m + half)
}

/// Feed a falling series (fast below slow), then one jump up: returns the jump's actions.
fn cross_up(h: &mut Harness<MaCross>) -> Vec<Action> {
    for m in [100_000.0, 99_990.0, 99_980.0, 99_970.0] {
        assert!(
            submits(&mid(h, m)).is_empty(),
            "no order before a crossover"
        );
    }
    mid(h, 100_100.0)
}

fn only_market(actions: &[Action]) -> (String, Side, i64) {
    let s = submits(actions);
    assert_eq!(s.len(), 1, "expected one order in {actions:?}");
    assert_eq!(s[0].order_type, OrderType::Market);
    assert_eq!(s[0].symbol, "Si");
    (s[0].client_id.clone(), s[0].side, s[0].qty)
}

fn filled(h: &mut Harness<MaCross>, id: &str, side: Side, qty: i64) {
    h.fill(id, "Si", side, qty, px("100000"));
    h.order_update(id, "Si", OrderStatus::Filled, qty, 0);
}

#[test]
fn cross_up_buys_qty() {
    let mut h = harness();
    let (id, side, qty) = only_market(&cross_up(&mut h));
    assert_eq!((id.as_str(), side, qty), ("ma_cross-1", Side::Buy, 1));
}

#[test]
fn no_second_order_while_outstanding_then_flip_sells_two() {
    let mut h = harness();
    let (id, _, _) = only_market(&cross_up(&mut h));
    // Still outstanding: more quotes send nothing.
    assert!(submits(&mid(&mut h, 100_200.0)).is_empty());
    filled(&mut h, &id, Side::Buy, 1);
    assert_eq!(h.robot.position("Si"), 1);
    assert!(submits(&mid(&mut h, 100_300.0)).is_empty(), "at target");
    // Crash: fast drops below slow, so go from +1 to -1.
    let mut sell = Vec::new();
    for m in [99_000.0, 98_000.0, 97_000.0] {
        sell.extend(mid(&mut h, m));
    }
    let (id2, side, qty) = only_market(&sell);
    assert_eq!((id2.as_str(), side, qty), ("ma_cross-2", Side::Sell, 2));
    filled(&mut h, &id2, Side::Sell, 2);
    assert_eq!(h.robot.position("Si"), -1);
    // Restored from a snapshot at any point, it acts as the original on the rest.
    assert_eq!(h.check_restore(), Ok(()));
}

#[test]
fn position_comes_from_fills_not_orders() {
    let mut h = harness();
    let (id, _, _) = only_market(&cross_up(&mut h));
    // Cancelled with nothing filled: still flat, so the next quote tries again.
    h.order_update(&id, "Si", OrderStatus::Cancelled, 0, 1);
    assert_eq!(h.robot.position("Si"), 0);
    let (id2, side, qty) = only_market(&mid(&mut h, 100_110.0));
    assert_eq!((id2.as_str(), side, qty), ("ma_cross-2", Side::Buy, 1));
}

#[test]
fn status_before_fill_does_not_double_order() {
    let mut h = harness();
    let (id, _, _) = only_market(&cross_up(&mut h));
    h.order_update(&id, "Si", OrderStatus::Filled, 1, 0);
    assert!(
        submits(&mid(&mut h, 100_120.0)).is_empty(),
        "the fill is still on its way"
    );
    assert!(submits(&h.fill(&id, "Si", Side::Buy, 1, px("100000"))).is_empty());
    assert_eq!(h.robot.position("Si"), 1);
    assert!(submits(&mid(&mut h, 100_130.0)).is_empty());
}

#[test]
fn rejection_halts_until_next_cross() {
    let mut h = harness();
    let (id, _, _) = only_market(&cross_up(&mut h));
    h.order_update(&id, "Si", OrderStatus::Rejected, 0, 1);
    for m in [100_200.0, 100_300.0] {
        assert!(submits(&mid(&mut h, m)).is_empty(), "halted after reject");
    }
    let mut actions = Vec::new();
    for m in [99_000.0, 98_000.0, 97_000.0] {
        actions.extend(mid(&mut h, m));
    }
    let (_, side, qty) = only_market(&actions);
    assert_eq!((side, qty), (Side::Sell, 1));
    // Restored from a snapshot at any point, it acts as the original on the rest.
    assert_eq!(h.check_restore(), Ok(()));
}

#[test]
fn unexpected_fill_is_corrected_and_capped() {
    let mut h = Harness::<MaCross>::with_params(
        Params::new()
            .with("fast", 2)
            .with("slow", 4)
            .with("qty", 9)
            .with("max_position", 3),
    )
    .expect("valid params");
    let (id, side, qty) = only_market(&cross_up(&mut h));
    assert_eq!((side, qty), (Side::Buy, 3), "qty clamped to max_position");
    filled(&mut h, &id, Side::Buy, 3);
    // A fill for an id we never sent: counted, then sold back to the target.
    let (_, side, qty) = only_market(&h.fill("someone-7", "Si", Side::Buy, 2, px("100000")));
    assert_eq!((side, qty), (Side::Sell, 2));
    assert_eq!(h.robot.position("Si"), 5);
    // Restored from a snapshot at any point, it acts as the original on the rest.
    assert_eq!(h.check_restore(), Ok(()));
}

#[test]
fn ignores_garbage() {
    let mut h = harness();
    assert!(h.quote("RTS", px("110000"), px("110010")).is_empty());
    assert!(h.quote("Si", px("0"), px("0")).is_empty());
    assert!(h.quote("Si", px("-1"), px("100001")).is_empty());
    assert!(h
        .order_update("nope-1", "Si", OrderStatus::Filled, 1, 0)
        .is_empty());
    h.fill("nope-2", "RTS", Side::Buy, 1, px("1"));
    h.fill("nope-3", "Si", Side::Buy, -4, px("1"));
    assert_eq!(h.robot.position("Si"), 0);
    assert_eq!(h.robot.position("RTS"), 0);
    // None of that filled the window: a crossover still needs four good quotes.
    assert_eq!(only_market(&cross_up(&mut h)).1, Side::Buy);
}

#[test]
fn params_reconfigure_and_reject_bad_values() {
    let mut h = harness();
    let (id, _, _) = only_market(&cross_up(&mut h));
    filled(&mut h, &id, Side::Buy, 1);
    h.params(Params::new().with("fast", 2).with("slow", 4).with("qty", 3));
    assert_eq!(h.robot.config().qty, 3);
    let (_, side, qty) = only_market(&mid(&mut h, 100_200.0));
    assert_eq!((side, qty), (Side::Buy, 2), "tops up to the new qty");
    let before = h.robot.config();
    let actions = h.params(Params::new().with("fast", 30).with("slow", 4));
    assert_eq!(
        h.robot.config(),
        before,
        "invalid params keep the old config"
    );
    assert!(matches!(
        &actions[0],
        Action::Log {
            level: LogLevel::Warn,
            ..
        }
    ));
    assert!(Harness::<MaCross>::with_params(Params::new().with("fast", "x")).is_err());
    assert!(Harness::<MaCross>::with_params(Params::new().with("qty", 0)).is_err());
    // Restored from a snapshot at any point, it acts as the original on the rest.
    assert_eq!(h.check_restore(), Ok(()));
}

#[test]
fn snapshot_is_deterministic_and_tracks_state() {
    let run = || {
        let mut h = harness();
        let before = h.robot.snapshot();
        cross_up(&mut h);
        (before, h.robot.snapshot())
    };
    let (a0, a1) = run();
    let (b0, b1) = run();
    assert_eq!(a1, b1);
    assert_ne!(a0, a1);
    assert_eq!(a0, b0);
    let back: MaCross = postcard::from_bytes(&a1).expect("snapshot decodes");
    assert_eq!(back.symbols["Si"].direction, 1);
}
