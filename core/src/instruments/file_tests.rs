use super::*;

const SHIPPED: &str = include_str!("../../../data/instruments.toml");

#[test]
fn the_shipped_file_parses_to_exact_specs() {
    let specs = parse(SHIPPED).unwrap();
    let si = specs.iter().find(|s| s.symbol == "Si").unwrap();
    assert_eq!(si.tick_size, Price::units(1));
    assert_eq!(si.tick_value, Money::units(1));
    assert_eq!(si.utc_offset_min, 180);
    assert_eq!(si.days, 0x1f);
    assert_eq!(si.sessions.len(), 3);
    let rts: Vec<_> = specs.iter().filter(|s| s.symbol == "RTS").collect();
    assert_eq!(rts.len(), 2, "two effective-dated versions");
    assert_eq!(rts[1].tick_value, "16.25418".parse().unwrap());
    assert_eq!(rts[1].effective_from_ns, Some(1_793_617_200_000_000_000));
    // The sample data (2026-11-02 10:00 Moscow) is inside a session.
    assert!(si.in_session(1_793_602_800_000_000_000));
}

#[test]
fn written_specs_read_back_the_same() {
    let mut specs = parse(SHIPPED).unwrap();
    specs.push(always_open("X", "0.01".parse().unwrap()));
    assert_eq!(parse(&to_toml(&specs)).unwrap(), specs);
}

fn entry(extra: &str) -> String {
    format!(
        "[[instrument]]\nsymbol = \"Si\"\nvenue = \"MOEX\"\ncurrency = \"RUB\"\n\
         tick_size = \"1\"\nsessions = [\"10:00-18:45\"]\n{extra}"
    )
}

#[test]
fn point_value_and_defaults() {
    let specs = parse(&entry("point_value = \"0.02\"\ntick_size_is_not_here = 1")).unwrap_err();
    assert!(specs.to_string().contains("unknown field"), "{specs}");
    let mut text = entry("point_value = \"1.5\"");
    text = text.replace("tick_size = \"1\"", "tick_size = \"10\"");
    let s = &parse(&text).unwrap()[0];
    assert_eq!(s.tick_value, Money::units(15), "1.5 per point x 10 points");
    assert_eq!(
        (s.lot_size, s.currency_decimals, s.utc_offset_min),
        (1, 2, 0)
    );
    assert_eq!(s.effective_from_ns, None);
}

#[test]
fn malformed_entries_say_which_and_why() {
    let cases = [
        (
            "tick_value = \"1\"\npoint_value = \"1\"",
            "exactly one of `tick_value`",
        ),
        ("", "exactly one of `tick_value`"),
        ("tick_value = 1.5", "decimal strings"),
        (
            "tick_value = \"1\"\nlot_size = 0",
            "`lot_size` must be >= 1",
        ),
        ("tick_value = \"1\"\ntimezone = \"Moscow\"", "not an offset"),
        ("tick_value = \"1\"\ndays = \"Monday\"", "`days`"),
        ("tick_value = \"1\"\nexpiry = \"soon\"", "`expiry`"),
        ("tick_value = \"1\"\nfee_per_lot = \"-1\"", "negative"),
    ];
    for (extra, want) in cases {
        let err = parse(&entry(extra)).unwrap_err().to_string();
        assert!(err.contains(want), "{extra:?}: {err}");
    }
    let err = parse(&entry("tick_value = \"1\"").replace("10:00-18:45", "18:45-10:00"))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "instrument #1 (Si): session \"18:45-10:00\" is not HH:MM-HH:MM within a day, start before end"
    );
    let off = entry("tick_value = \"1\"").replace("\"1\"\nsessions", "\"0.5\"\nsessions");
    assert!(parse(&off).is_ok());
    let twice = format!(
        "{}\n{}",
        entry("tick_value = \"1\""),
        entry("tick_value = \"2\"")
    );
    assert!(parse(&twice)
        .unwrap_err()
        .to_string()
        .contains("same `effective_from`"));
    assert!(matches!(parse("not toml ["), Err(SpecError::Toml(_))));
    assert!(parse("").unwrap().is_empty());
}
