//! `risk.toml`: defaults, overrides key by key, and refusals.

use super::limits::{Collar, RiskFile, SymbolLimits};

const FILE: &str = r#"
[robots.default]
max_working_orders = 50
submits = { rate = 20, burst = 40 }
day_start = "16:00"
daily_loss = { reduce = "50000", halt = "100000" }

[robots.default.symbols."*"]
max_order_qty = 100
collar = { pct = "2" }

[robots.default.symbols.Si]
max_notional = "15000000"

[robots.ma_cross]
max_working_orders = 5
daily_loss = { halt = "20000" }

[robots.ma_cross.symbols.Si]
max_order_qty = 10
"#;

#[test]
fn a_robot_inherits_the_defaults_key_by_key() {
    let file = RiskFile::parse(FILE).unwrap();
    let ma = file.for_robot("ma_cross");
    assert_eq!(ma.max_working_orders, Some(5));
    assert_eq!(ma.submits.map(|r| (r.rate, r.burst)), Some((20, 40)));
    assert_eq!(ma.day_start_min, 16 * 60);
    assert_eq!(ma.daily_loss.reduce, Some("50000".parse().unwrap()));
    assert_eq!(ma.daily_loss.halt, Some("20000".parse().unwrap()));
    // Si: the robot's own quantity, the default's Si notional, the default's "*" collar.
    assert_eq!(
        ma.symbol("Si"),
        SymbolLimits {
            max_order_qty: Some(10),
            max_notional: Some("15000000".parse().unwrap()),
            max_position: None,
            collar: Some(Collar {
                pct: Some("2".parse().unwrap()),
                ticks: None
            }),
        }
    );
    // A symbol named nowhere gets "*".
    assert_eq!(ma.symbol("RTS").max_order_qty, Some(100));
    assert_eq!(ma.symbol("RTS").max_notional, None);
    // Another robot: the defaults.
    let other = file.for_robot("market_maker");
    assert_eq!(other.max_working_orders, Some(50));
    assert_eq!(other.symbol("Si").max_order_qty, Some(100));
    // No file: no limits.
    let none = RiskFile::default().for_robot("x");
    assert_eq!(none.max_working_orders, None);
    assert_eq!(none.symbol("Si"), SymbolLimits::default());
}

#[test]
fn bad_files_are_refused_with_the_reason() {
    for (text, why) in [
        ("[robots.default]\nmax_orders = 1\n", "unknown field"),
        ("[robots.default]\nday_start = \"25:00\"\n", "day_start"),
        (
            "[robots.x]\nsubmits = { rate = 0, burst = 1 }\n",
            "at least 1",
        ),
        (
            "[robots.x]\nmax_working_orders = 0\n",
            "max_working_orders must be at least 1",
        ),
        (
            "[robots.x]\ndaily_loss = { reduce = \"10\", halt = \"5\" }\n",
            "below reduce",
        ),
        ("[robots.x]\ndrawdown = { halt = \"-5\" }\n", "above 0"),
        (
            "[robots.x.symbols.Si]\nmax_order_qty = 0\n",
            "max_order_qty",
        ),
        (
            "[robots.x.symbols.Si]\nmax_notional = 1.5\n",
            "decimal strings",
        ),
        (
            "[robots.x.symbols.Si]\ncollar = { pct = \"0\" }\n",
            "collar",
        ),
    ] {
        let err = RiskFile::parse(text).unwrap_err();
        assert!(err.contains(why), "{text}: {err}");
    }
}

/// docs/risk.md's example files parse, and every code the checks give is in its table.
#[test]
fn the_documented_example_and_codes_are_the_real_ones() {
    let doc = include_str!("../../../docs/risk.md");
    let examples: Vec<&str> = doc
        .split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .collect();
    assert!(examples.len() >= 2, "docs/risk.md has its toml examples");
    for example in &examples {
        let file = RiskFile::parse(example).unwrap_or_else(|e| panic!("docs/risk.md example: {e}"));
        if example.contains("[robots.default]") {
            assert_eq!(
                file.for_robot("ma_cross").symbol("Si").max_order_qty,
                Some(10)
            );
        }
        if example.contains("[accounts.desk]") {
            assert_eq!(file.for_robot("ma_cross").account.as_deref(), Some("desk"));
        }
    }
    use super::DenyCode::{self, *};
    // A new code fails to compile here until it is listed (and documented).
    let every = |c: DenyCode| match c {
        MaxOrderQty | MaxNotional | PriceCollar | MaxPosition | MaxWorkingOrders
        | SubmitThrottle | AmendThrottle | DuplicateOrder | ReduceOnly | Halted
        | AccountNotional => c,
    };
    for code in [
        MaxOrderQty,
        MaxNotional,
        PriceCollar,
        MaxPosition,
        MaxWorkingOrders,
        SubmitThrottle,
        AmendThrottle,
        DuplicateOrder,
        ReduceOnly,
        Halted,
        AccountNotional,
    ] {
        let code = every(code).as_str();
        assert!(
            doc.contains(&format!("`{code}`")),
            "{code} is not in docs/risk.md"
        );
    }
    for change in [
        "EXECUTION_THROTTLE",
        "DAILY_LOSS",
        "DRAWDOWN",
        "ACCOUNT_DAILY_LOSS",
    ] {
        assert!(doc.contains(&format!("`{change}`")), "{change}");
    }
}
