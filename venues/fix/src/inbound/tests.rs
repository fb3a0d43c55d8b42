use super::*;

/// A message from its fields as FIX text with `|` for SOH (header and trailer made up).
fn msg(body: &str) -> Message {
    let body = body.replace('|', "\x01");
    let head = format!(
        "35={}\x0149=VENUE\x0156=ROBOFLEET\x0134=5\x0152=20261102-07:00:01.000\x01",
        &body[..1]
    );
    let rest = &body[2..];
    let inner = format!("{head}{rest}");
    let text = format!("8=FIX.4.4\x019={}\x01{inner}", inner.len());
    let sum: u32 = text.bytes().map(u32::from).sum::<u32>() % 256;
    Message::try_from_text(&format!("{text}10={sum:03}\x01")).expect("a FIX message")
}

fn fill(exec: &str, last: i64, cum: i64, status: char) -> Message {
    msg(&format!(
        "8|37=V-9|11=ma_si-7|17={exec}|150=F|39={status}|55=Si|54=2|38=3|44=100001|32={last}|31=100001.25|14={cum}|151={}|6=100001.25|60=20261102-07:00:00.250|",
        3 - cum
    ))
}

#[test]
fn a_fill_becomes_a_trade_then_the_change_that_reports_it() {
    let Inbound::Report(r) = read(&fill("E-1", 2, 2, '1')).unwrap() else {
        panic!()
    };
    assert_eq!(
        (r.client_id.as_str(), r.venue_order_id.as_str()),
        ("ma_si-7", "V-9")
    );
    assert!(!r.maybe_repeat);
    let out = r.answers("ma_si");
    let [ExchangeOutput::Fill(t), ExchangeOutput::Change(c)] = out.as_slice() else {
        panic!("{out:?}")
    };
    assert_eq!(
        (t.exec_id.as_str(), t.qty, t.price.to_string()),
        ("E-1", 2, "100001.25".to_string())
    );
    assert_eq!((t.robot.as_str(), t.side), ("ma_si", Side::Sell));
    assert_eq!(t.venue_ts_ns, Some(1_793_602_800_250_000_000));
    assert_eq!((c.status, c.filled_qty), (OrderStatus::PartiallyFilled, 2));
    let Inbound::Report(r) = read(&fill("E-2", 1, 3, '2')).unwrap() else {
        panic!()
    };
    let out = r.answers("ma_si");
    assert!(
        matches!(&out[1], ExchangeOutput::Change(c) if c.status == OrderStatus::Filled && c.filled_qty == 3)
    );
}

#[test]
fn acks_cancels_rejects_and_replaces_change_the_order() {
    let case = |body: &str| -> OrderChange {
        let Inbound::Report(r) = read(&msg(body)).unwrap() else {
            panic!()
        };
        match r.answers("ma_si").pop() {
            Some(ExchangeOutput::Change(c)) => c,
            other => panic!("{other:?}"),
        }
    };
    let ack = case("8|37=V-9|11=ma_si-7|17=E-0|150=0|39=0|55=Si|54=2|14=0|151=3|6=0|");
    assert_eq!(
        (ack.client_id.as_str(), ack.status),
        ("ma_si-7", OrderStatus::Working)
    );
    let cancelled =
        case("8|37=V-9|11=ma_si-7/c1|41=ma_si-7|17=E-3|150=4|39=4|55=Si|54=2|14=0|151=0|6=0|");
    assert_eq!(
        (cancelled.client_id.as_str(), cancelled.status),
        ("ma_si-7", OrderStatus::Cancelled)
    );
    let rejected = case(
        "8|37=NONE|11=ma_si-7|17=E-4|150=8|39=8|55=Si|54=2|14=0|151=0|6=0|58=Price out of range|",
    );
    assert_eq!(rejected.status, OrderStatus::Rejected);
    assert_eq!(rejected.reason.as_deref(), Some("Price out of range"));
    let replaced = case("8|37=V-9|11=ma_si-7/a2|41=ma_si-7/a1|17=E-5|150=5|39=0|55=Si|54=2|38=5|44=99999.5|14=0|151=5|6=0|");
    assert_eq!((replaced.amends, replaced.qty), (Some(2), Some(5)));
    assert_eq!(
        replaced.price.map(|p| p.to_string()).as_deref(),
        Some("99999.5")
    );
    // A pending state says nothing yet.
    let Inbound::Report(r) = read(&msg(
        "8|37=V-9|11=ma_si-7/c1|17=E-6|150=6|39=6|55=Si|54=2|14=0|151=3|6=0|",
    ))
    .unwrap() else {
        panic!()
    };
    assert!(r.answers("ma_si").is_empty());
}

#[test]
fn a_refused_cancel_and_a_repeat_are_told_apart() {
    let Inbound::CancelReject(r) = read(&msg(
        "9|37=V-9|11=ma_si-7/c1|41=ma_si-7|39=2|434=1|58=Too late to cancel|",
    ))
    .unwrap() else {
        panic!()
    };
    assert_eq!((r.client_id.as_str(), r.response_to), ("ma_si-7", '1'));
    assert_eq!(r.text.as_deref(), Some("Too late to cancel"));
    let mut m = fill("E-1", 2, 2, '1');
    m.with_header_mut(|h| h.set_field(POSS_DUP_FLAG, "Y"))
        .unwrap();
    let Inbound::Report(r) = read(&m).unwrap() else {
        panic!()
    };
    assert!(r.maybe_repeat);
}

#[test]
fn a_bad_field_is_named() {
    let e = read(&msg(
        "8|37=V-9|11=ma_si-7|17=E-1|150=F|39=1|55=Si|54=2|32=2|31=1e5|14=2|151=1|6=0|",
    ))
    .unwrap_err();
    assert!(e.to_string().contains("LastPx (31)"), "{e}");
    let e = read(&msg(
        "8|37=V-9|11=ma_si-7|17=E-1|150=F|39=1|55=Si|54=7|14=2|",
    ))
    .unwrap_err();
    assert!(e.to_string().contains("Side (54)"), "{e}");
    let e = read(&msg("8|11=ma_si-7|17=E-1|150=F|39=1|55=Si|54=1|14=2|")).unwrap_err();
    assert!(e.to_string().contains("OrderID (37)"), "{e}");
    assert!(matches!(read(&msg("j|45=3|58=x|")), Err(FixMapError::Unexpected(t)) if t == "j"));
}

#[test]
fn a_message_from_its_wire_text() {
    let text = "8=FIX.4.4\x019=59\x0135=0\x0134=2\x0149=V\x0152=20261102-07:00:01.000\x0156=D\x01112=PING\x0110=183\x01";
    let body: String = text.split("\x0110=").next().unwrap().to_string() + "\x01";
    let sum = body.bytes().map(u32::from).sum::<u32>() % 256;
    let text = format!("{body}10={sum:03}\x01");
    let m = from_text(&text).expect("a heartbeat parses");
    assert_eq!(m.get_field(112).as_deref(), Some("PING"));
    assert!(from_text("not fix").is_err());
    // The fuzz target's first seed (fuzz-bodies/tests/short_runs.rs) is a real report.
    let seed = from_text("8=FIX.4.4\x019=133\x0135=8\x0134=5\x0149=V\x0152=20261102-07:00:01.000\x0156=D\x016=100001.25\x0111=ma_si-7\x0114=2\x0117=E-1\x0131=100001.25\x0132=2\x0137=V-9\x0139=1\x0154=2\x0155=Si\x01150=F\x01151=1\x0110=175\x01").expect("the seed parses");
    assert!(matches!(read(&seed), Ok(Inbound::Report(_))));
}
