use super::*;

fn book(text: &str) -> AccountBook {
    AccountBook::new(Some(&RiskFile::parse(text).unwrap()))
}

fn rub(pairs: &[(&str, i64)]) -> PerCurrency {
    let mut p = PerCurrency::default();
    for (c, v) in pairs {
        p.add(c, Money::units(*v));
    }
    p
}

const DESK: &str = r#"
[accounts.desk]
robots = ["a", "b"]
max_notional = "1000"
daily_loss = { reduce = "100", halt = "200" }
"#;

#[test]
fn the_members_loss_moves_the_account_at_each_step_and_only_an_operator_resets_it() {
    let b = book(DESK);
    assert_eq!(b.state("desk").unwrap().state, TradingState::Active);
    let loss = |v: i64| Exposure {
        notional: PerCurrency::default(),
        day_pnl: rub(&[("RUB", v)]),
    };
    // Each robot alone is inside the step; together they are past it (the edge passes).
    b.report("desk", "a", &loss(-60));
    b.report("desk", "b", &loss(-40));
    assert_eq!(b.state("desk").unwrap().state, TradingState::Active);
    b.report("desk", "b", &loss(-41));
    let s = b.state("desk").unwrap();
    assert_eq!((s.state, s.version), (TradingState::Reducing, 1));
    assert_eq!(
        s.reason,
        "account desk: ACCOUNT_DAILY_LOSS: 101 RUB (limit 100 RUB)"
    );
    b.report("desk", "a", &loss(-160));
    assert_eq!(b.state("desk").unwrap().state, TradingState::Halted);
    // A recovery does not move it back by itself.
    b.report("desk", "a", &loss(0));
    b.report("desk", "b", &loss(0));
    assert_eq!(b.state("desk").unwrap().state, TradingState::Halted);
    assert_eq!(b.resume("desk"), Some(TradingState::Halted));
    let s = b.state("desk").unwrap();
    assert_eq!(
        (s.state, s.version, s.reason.as_str()),
        (TradingState::Active, 3, "")
    );
    assert_eq!(b.resume("nope"), None);
    // A robot of no account reports nowhere.
    b.report("other", "c", &loss(-1000));
    assert!(b.state("other").is_none());
}

#[test]
fn an_order_past_the_accounts_open_notional_is_denied_at_the_edge() {
    let b = book(DESK);
    let held = |v: i64| Exposure {
        notional: rub(&[("RUB", v)]),
        day_pnl: PerCurrency::default(),
    };
    b.report("desk", "a", &held(600));
    b.report("desk", "b", &held(300));
    let m = Money::units;
    assert_eq!(b.check_notional("desk", "RUB", m(100)), Ok(()));
    let d = b.check_notional("desk", "RUB", m(101)).unwrap_err();
    assert_eq!(
        d.to_string(),
        "ACCOUNT_NOTIONAL: 1001 RUB (limit 1000 RUB for account desk)"
    );
    // Another currency is its own total.
    assert_eq!(b.check_notional("desk", "USD", m(1000)), Ok(()));
    assert_eq!(b.check_notional("nope", "RUB", m(1_000_000)), Ok(()));
    let json = b.to_json();
    assert_eq!(json[0]["notional"]["RUB"], serde_json::json!("900"));
    assert_eq!(json[0]["trading_state"], serde_json::json!("ACTIVE"));
}

#[test]
fn accounts_in_the_file_are_checked() {
    for (text, says) in [
        ("[accounts.x]\nrobots = []\n", "at least one robot"),
        (
            "[accounts.x]\nrobots = [\"a\"]\n[accounts.y]\nrobots = [\"a\"]\n",
            "already in account",
        ),
        (
            "[accounts.x]\nrobots = [\"a\"]\nmax_notional = \"0\"\n",
            "max_notional",
        ),
        (
            "[accounts.x]\nrobots = [\"a\"]\ndaily_loss = { reduce = \"5\", halt = \"1\" }\n",
            "below reduce",
        ),
        (
            "[accounts.x]\nrobots = [\"a\"]\ncolour = 1\n",
            "unknown field",
        ),
    ] {
        let e = RiskFile::parse(text).unwrap_err();
        assert!(e.contains(says), "{e} (wanted {says})");
    }
    let f = RiskFile::parse(DESK).unwrap();
    assert_eq!(f.for_robot("b").account.as_deref(), Some("desk"));
    assert_eq!(f.for_robot("c").account, None);
    assert!(!f.for_robot("c").fleet);
    // [fleet]: every robot counts towards it, beside its own account.
    let text = format!("{DESK}[fleet]\nmax_notional = \"5000\"\n");
    let f = RiskFile::parse(&text).unwrap();
    assert!(f.for_robot("b").fleet && f.for_robot("anyone").fleet);
    assert_eq!(f.for_robot("b").account.as_deref(), Some("desk"));
    let b = AccountBook::new(Some(&f));
    b.report(
        "fleet",
        "b",
        &Exposure {
            notional: rub(&[("RUB", 4000)]),
            day_pnl: PerCurrency::default(),
        },
    );
    b.report(
        "fleet",
        "zed",
        &Exposure {
            notional: rub(&[("RUB", 900)]),
            day_pnl: PerCurrency::default(),
        },
    );
    assert!(b.check_notional("fleet", "RUB", Money::units(101)).is_err());
    assert!(b.check_notional("fleet", "RUB", Money::units(100)).is_ok());
    b.set_limits(Some(&f));
    assert!(
        b.check_notional("fleet", "RUB", Money::units(101)).is_err(),
        "members kept"
    );
    let e = RiskFile::parse("[accounts.fleet]\nrobots = [\"a\"]\n").unwrap_err();
    assert!(e.contains("[fleet] table"), "{e}");
}

#[test]
fn copying_holdings_in_place_gives_the_source_whatever_currencies_each_had() {
    let cases = [
        (
            rub(&[("RUB", 1), ("USD", 2)]),
            rub(&[("RUB", 5), ("USD", -3)]),
        ),
        (rub(&[("RUB", 1)]), rub(&[("USD", 7), ("RUB", 2)])),
        (
            rub(&[("USD", 1), ("RUB", 2)]),
            rub(&[("RUB", 2), ("USD", 1)]),
        ),
        (rub(&[("RUB", 1), ("USD", 2)]), PerCurrency::default()),
    ];
    for (mut into, from) in cases {
        into.clone_from(&from);
        assert_eq!(into, from);
        let mut e = Exposure::default();
        let src = Exposure {
            notional: from.clone(),
            day_pnl: rub(&[("EUR", 9)]),
        };
        e.clone_from(&src);
        assert_eq!(e, src);
    }
}
