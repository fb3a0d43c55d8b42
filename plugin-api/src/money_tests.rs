use super::*;

fn p(s: &str) -> Price {
    s.parse().unwrap()
}

#[test]
fn decimal_text_parses_exactly_and_prints_back() {
    assert_eq!(p("91234.5").raw(), 91_234_500_000_000);
    assert_eq!(p("0.000000001").raw(), 1);
    assert_eq!(p("-0.25").raw(), -250_000_000);
    assert_eq!(p("+7").raw(), 7 * SCALE);
    assert_eq!(p(".5").raw(), SCALE / 2);
    assert_eq!(p("1.500000000").raw(), 1_500_000_000);
    for s in [
        "91234.5",
        "0.000000001",
        "-0.25",
        "7",
        "0",
        "9223372036.854775807",
    ] {
        assert_eq!(p(s).to_string(), s);
    }
    // 0.1 + 0.2 is exactly 0.3 here.
    assert_eq!(p("0.1") + p("0.2"), p("0.3"));
}

#[test]
fn bad_text_is_refused_not_rounded() {
    for bad in [
        "", ".", "-", "1e3", "1,5", "0x10", " 1", "1 ", "NaN", "inf", "1.2.3", "--1",
    ] {
        assert!(
            matches!(bad.parse::<Price>(), Err(DecimalError::Syntax(_))),
            "{bad:?}"
        );
    }
    assert!(matches!(
        "1.0000000001".parse::<Price>(),
        Err(DecimalError::TooPrecise(_))
    ));
    assert!(matches!(
        "9223372036.854775808".parse::<Price>(),
        Err(DecimalError::OutOfRange(_))
    ));
    assert!("1".repeat(40).parse::<Money>().is_err());
}

#[test]
fn rounding_goes_the_named_way() {
    let tick = p("10");
    assert_eq!(
        p("123455").round_to_tick(tick, Rounding::Nearest),
        p("123460")
    );
    assert_eq!(
        p("123454.999").round_to_tick(tick, Rounding::Nearest),
        p("123450")
    );
    assert_eq!(
        p("-123455").round_to_tick(tick, Rounding::Nearest),
        p("-123460")
    );
    assert_eq!(p("123459").round_to_tick(tick, Rounding::Down), p("123450"));
    assert_eq!(
        p("-123451").round_to_tick(tick, Rounding::Down),
        p("-123460")
    );
    assert_eq!(p("123451").round_to_tick(tick, Rounding::Up), p("123460"));
    assert!(p("123450").is_on_grid(tick));
    assert!(!p("123451").is_on_grid(tick));
    assert_eq!(p("123450").to_ticks(tick, Rounding::Down), 12345);
    assert_eq!(Price::mid(p("100"), p("101")), p("100.5"));
    assert_eq!(Price::from_f64(91234.5), Some(p("91234.5")));
    assert_eq!(Price::from_f64(0.1 + 0.2), Some(p("0.3")));
    assert_eq!(Price::from_f64(f64::NAN), None);
    assert_eq!(Price::from_f64(1e30), None);
}

#[test]
fn money_rounds_fees_and_rates_as_documented() {
    let m = |s: &str| s.parse::<Money>().unwrap();
    // 0.01% of 123456.789 = 12.3456789
    assert_eq!(
        m("123456.789").times_rate(p("0.0001"), Rounding::Nearest),
        m("12.3456789")
    );
    assert_eq!(m("12.345").round_to(2, Rounding::Nearest), m("12.35"));
    assert_eq!(m("-12.345").round_to(2, Rounding::Nearest), m("-12.35"));
    assert_eq!(m("12.341").round_to(2, Rounding::Up), m("12.35"));
    assert_eq!(m("-12.349").round_to(2, Rounding::Down), m("-12.35"));
    assert_eq!(m("1.5").times(3), m("4.5"));
    assert_eq!(m("-0.5").to_string(), "-0.5");
}

#[test]
fn json_carries_text_and_binary_carries_integers() {
    let price = p("91234.5");
    assert_eq!(serde_json::to_string(&price).unwrap(), "\"91234.5\"");
    assert_eq!(serde_json::from_str::<Price>("\"91234.5\"").unwrap(), price);
    assert_eq!(serde_json::from_str::<Price>("91234").unwrap(), p("91234"));
    let float = serde_json::from_str::<Price>("91234.5").unwrap_err();
    assert!(float.to_string().contains("decimal strings"), "{float}");
    let bytes = postcard::to_allocvec(&price).unwrap();
    assert_eq!(postcard::from_bytes::<Price>(&bytes).unwrap(), price);
    let money = Money::units(5) + Money::from_raw(1);
    let bytes = postcard::to_allocvec(&money).unwrap();
    assert_eq!(postcard::from_bytes::<Money>(&bytes).unwrap(), money);
    assert!(postcard::to_allocvec(&Money::from_raw(i128::MAX)).is_err());
}

/// The digit-by-digit formatter against the plain one it replaced, at the edges and between.
#[test]
fn formatting_matches_the_reference_at_every_scale() {
    fn reference(raw: i128) -> String {
        let sign = if raw < 0 { "-" } else { "" };
        let abs = raw.unsigned_abs();
        let (whole, frac) = (abs / 1_000_000_000, abs % 1_000_000_000);
        if frac == 0 {
            return format!("{sign}{whole}");
        }
        let digits = format!("{frac:09}");
        format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
    let mut values = vec![
        0i128,
        1,
        -1,
        9,
        10,
        999_999_999,
        1_000_000_000,
        -1_000_000_001,
    ];
    values.extend([i128::MAX, i128::MIN, i64::MAX as i128, i64::MIN as i128]);
    values.extend([
        u64::MAX as i128,
        u64::MAX as i128 + 1,
        -(u64::MAX as i128) - 1,
    ]);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..2000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        values.push((x as i64 >> (x % 60)) as i128);
        values.push(((x as i128) << (x % 64)) * if x.is_multiple_of(2) { 1 } else { -1 });
    }
    for raw in values {
        assert_eq!(Money::from_raw(raw).to_string(), reference(raw), "{raw}");
        let mut appended = b"x".to_vec();
        Money::from_raw(raw).append_to(&mut appended);
        assert_eq!(appended, format!("x{}", reference(raw)).into_bytes());
        if let Ok(p) = i64::try_from(raw) {
            assert_eq!(Price::from_raw(p).to_string(), reference(raw), "{raw}");
            let mut appended = Vec::new();
            Price::from_raw(p).append_to(&mut appended);
            assert_eq!(appended, reference(raw).into_bytes());
        }
    }
}

#[test]
fn the_one_pass_parse_agrees_with_the_general_one() {
    let mut texts: Vec<String> = [
        "0",
        "-0",
        "1",
        "1.",
        ".5",
        "-.5",
        ".",
        "-",
        "",
        "+5",
        "1.2.3",
        "99999.5",
        "-12.000000001",
        "1.0000000000",
        "1.1234567891",
        "123456789012345678",
        "1234567890123456789",
        "9223372036.854775807",
        "-9223372036.854775808",
        "1e5",
        " 1",
        "00012.3400",
        "1..2",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Every prefix of a few long texts, so each length and position of the point is tried.
    for long in [
        "-12345678901234567.890123456789",
        "98765432109876543210",
        "0.000000000123",
    ] {
        texts.extend((0..=long.len()).map(|n| long[..n].to_string()));
    }
    for text in &texts {
        if let Some(raw) = super::parse_raw_short(text.as_bytes()) {
            assert_eq!(Ok(raw), super::parse_raw_general(text), "{text:?}");
        }
        assert_eq!(
            super::parse_raw(text).ok(),
            super::parse_raw_general(text).ok(),
            "{text:?}"
        );
    }
}

#[test]
fn digits_are_what_display_writes() {
    let mut ints = vec![0, 1, 9, 10, 99, 100, 101, -1, -10, -100, i64::MAX, i64::MIN];
    let mut raws: Vec<i128> = vec![0, 1, -1, 5, 50, 500_000_000, 1_000_000_000, -1_250_000_000];
    raws.extend([
        i128::MAX,
        i128::MIN,
        12_345_678_901_234_567_890_123,
        100_000_000_000_000,
    ]);
    // A spread of magnitudes and digit patterns.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for shift in 0..64 {
        x = x.rotate_left(7) ^ (x >> 3).wrapping_mul(31);
        let v = (x >> shift) as i64;
        ints.extend([v, -v]);
        raws.extend([i128::from(v), -i128::from(v), i128::from(v) * 1_000]);
    }
    for v in ints {
        let mut buf = [0u8; 24];
        let at = integer_digits(v, &mut buf);
        assert_eq!(&buf[at..], v.to_string().as_bytes());
    }
    for raw in raws {
        let mut buf = [0u8; 48];
        let at = decimal_digits(raw, &mut buf);
        assert_eq!(
            std::str::from_utf8(&buf[at..]).unwrap(),
            slow_decimal(raw),
            "{raw}"
        );
    }
}

/// The decimal text of `raw` nano-units by plain `i128` arithmetic.
fn slow_decimal(raw: i128) -> String {
    let sign = if raw < 0 { "-" } else { "" };
    let abs = raw.unsigned_abs();
    let (whole, frac) = (abs / 1_000_000_000, abs % 1_000_000_000);
    if frac == 0 {
        return format!("{sign}{whole}");
    }
    let frac = format!("{frac:09}");
    format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
}
