use super::*;
use robofleet_api::testing::{cancels, px, submits, Harness};
use robofleet_api::{Action, OrderStatus, OrderType, Side};

fn limit_price(actions: &[Action]) -> Vec<Price> {
    submits(actions)
        .iter()
        .filter_map(|o| match o.order_type {
            OrderType::Limit { price } => Some(price),
            OrderType::Market => None,
        })
        .collect()
}

#[test]
fn default_acts_on_every_tenth_quote() {
    let mut h = Harness::<Template>::new().expect("defaults are valid");
    for _ in 0..9 {
        assert!(submits(&h.quote("Si", px("100000"), px("100001"))).is_empty());
    }
    let a = h.quote("Si", px("100000"), px("100001"));
    let s = submits(&a);
    assert_eq!(s.len(), 1);
    assert_eq!(
        (s[0].side, s[0].qty, s[0].symbol.as_str()),
        (Side::Buy, 1, "Si")
    );
    assert_eq!(limit_price(&a), vec![px("99995")]);
    assert!(cancels(&a).is_empty(), "nothing to cancel the first time");
    assert_eq!(h.robot.working(), Some("template-1"));
}

#[test]
fn replaces_previous_order_unless_it_is_gone() {
    let mut h = Harness::<Template>::with_params(Params::new().with("every", 1).with("offset", 20))
        .expect("valid");
    h.quote("Si", px("100000"), px("100001"));
    let a = h.quote("Si", px("100010"), px("100011"));
    assert_eq!(cancels(&a), vec!["template-1"]);
    assert_eq!(limit_price(&a), vec![px("99990")]);
    // Filled: nothing left to cancel next time.
    h.fill("template-2", "Si", Side::Buy, 1, px("99990"));
    h.order_update("template-2", "Si", OrderStatus::Filled, 1, 0);
    assert_eq!(h.robot.position(), 1);
    let a = h.quote("Si", px("100010"), px("100011"));
    assert!(cancels(&a).is_empty());
    assert_eq!(submits(&a).len(), 1);
    // Stop cancels what is still working.
    assert_eq!(cancels(&h.send(EventKind::Stop)), vec!["template-3"]);
    // Restored from a snapshot at any point, it acts as the original on the rest.
    assert_eq!(h.check_restore(), Ok(()));
}

#[test]
fn jitter_is_random_but_deterministic() {
    let prices = |seed: u64| {
        let info = Template::info();
        let mut h = Harness::<Template>::with_args(CreateArgs {
            name: info.name,
            params: Params::new().with("every", 1).with("jitter", 1000),
            symbols: info.default_symbols,
            seed,
            first_order_seq: 1,
        })
        .expect("valid");
        (0..20)
            .flat_map(|_| limit_price(&h.quote("Si", px("100000"), px("100001"))))
            .collect::<Vec<_>>()
    };
    let a = prices(7);
    assert_eq!(a, prices(7), "same seed, same prices");
    assert_ne!(a, prices(8), "another seed draws other numbers");
    assert!(a.iter().all(|p| (px("98995")..=px("99995")).contains(p)));
    assert!(a.iter().any(|p| *p != a[0]), "jitter actually varies");
}

#[test]
fn params_bad_input_and_snapshot() {
    let mut h = Harness::<Template>::with_params(Params::new().with("every", 3)).expect("valid");
    assert!(
        h.quote("RTS", px("110000"), px("110010")).is_empty(),
        "untraded symbol"
    );
    assert!(
        h.quote("Si", px("0"), px("0")).is_empty(),
        "no bid: not counted"
    );
    h.fill("nobody-1", "Si", Side::Sell, i64::MAX, px("1"));
    h.fill("nobody-2", "Si", Side::Sell, i64::MAX, px("1"));
    assert_eq!(h.robot.position(), i64::MIN, "saturates, no overflow panic");
    h.order_update("nobody-3", "Si", OrderStatus::Rejected, 0, 1);
    let a = h.params(Params::new().with("every", 0));
    assert!(matches!(
        &a[0],
        Action::Log {
            level: LogLevel::Warn,
            ..
        }
    ));
    h.params(Params::new().with("every", 1).with("offset", 1.0));
    assert_eq!(limit_price(&h.quote("Si", px("5"), px("6"))), vec![px("4")]);
    assert!(
        submits(&h.quote("Si", px("0.5"), px("6"))).is_empty(),
        "price would be <= 0"
    );
    let back: Template = postcard::from_bytes(&h.robot.snapshot()).expect("decodes");
    assert_eq!(back, h.robot);
    assert!(Harness::<Template>::with_params(Params::new().with("offset", "far")).is_err());
    // Restored from a snapshot at any point, it acts as the original on the rest.
    assert_eq!(h.check_restore(), Ok(()));
}

#[test]
fn with_amend_it_moves_its_order_instead_of_replacing_it() {
    let params = Params::new()
        .with("every", 1)
        .with("offset", 20)
        .with("amend", true);
    let mut h = Harness::<Template>::with_params(params).expect("valid");
    let first = h.quote("Si", px("100000"), px("100001"));
    assert_eq!(limit_price(&first), vec![px("99980")]);
    let a = h.quote("Si", px("100010"), px("100011"));
    assert_eq!(
        a.iter()
            .filter(|x| !matches!(x, Action::Log { .. }))
            .collect::<Vec<_>>(),
        vec![&Action::Amend {
            client_id: "template-1".into(),
            price: Some(px("99990")),
            qty: None,
        }]
    );
    assert_eq!(h.robot.working(), Some("template-1"));
    // The same bid again: the order is already there, no amend to the same price.
    let a = h.quote("Si", px("100010"), px("100011"));
    assert!(a.iter().all(|x| matches!(x, Action::Log { .. })), "{a:?}");
    // The order ends: the next quote sends a new one.
    h.order_update("template-1", "Si", OrderStatus::Cancelled, 0, 0);
    let a = h.quote("Si", px("100010"), px("100011"));
    assert_eq!(submits(&a)[0].client_id, "template-2");
    assert_eq!(h.check_restore(), Ok(()));
}
