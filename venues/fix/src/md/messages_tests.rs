//! Each market data message built, sent over the wire as text, and read back.

use super::*;

/// `m` as it would cross the wire, read back as a session reads it (groups and all).
fn over_the_wire(mut m: Message) -> Message {
    m.with_header_mut(|h| {
        h.set_field(8, "FIX.4.4")?;
        h.set_field(49, "A")?;
        h.set_field(56, "B")?;
        h.set_field(34, 7)?;
        h.set_field(52, "20261102-07:00:00.000")
    })
    .unwrap();
    let text = m.to_fix_string().unwrap();
    let dd = crate::engine::fix44_dictionary().unwrap();
    dd.try_build_message(&text).unwrap()
}

fn e(action: Action, kind: EntryKind, price: &str, size: i64, ts: Option<i64>) -> Entry {
    Entry {
        action,
        kind,
        price: price.parse().unwrap(),
        size,
        ts_ns: ts,
    }
}

#[test]
fn requests_go_both_ways() {
    let req = MdRequest {
        id: "d1:Si".into(),
        subscription: Subscription::Updates,
        depth: Depth::Levels(5),
        incremental: true,
        book: true,
        trades: true,
        symbols: vec!["Si".into(), "RTS".into()],
    };
    let back = read_request(&over_the_wire(request(&req).unwrap())).unwrap();
    assert_eq!(back, req);
    let top = MdRequest {
        subscription: Subscription::Snapshot,
        depth: Depth::Top,
        trades: false,
        ..req
    };
    assert_eq!(
        read_request(&over_the_wire(request(&top).unwrap())).unwrap(),
        top
    );
}

#[test]
fn snapshots_and_refreshes_go_both_ways_to_the_ns() {
    let ts = Some(1_793_602_800_123_456_789);
    let book = vec![
        e(Action::New, EntryKind::Bid, "99998.5", 12, ts),
        e(Action::New, EntryKind::Offer, "100000", 7, None),
    ];
    let back = read(&over_the_wire(snapshot("q", "Si", &book).unwrap())).unwrap();
    assert_eq!(
        back,
        MdMessage::Snapshot {
            req_id: "q".into(),
            symbol: "Si".into(),
            entries: book
        }
    );
    let empty = read(&over_the_wire(snapshot("q", "Si", &[]).unwrap())).unwrap();
    assert!(matches!(empty, MdMessage::Snapshot { entries, .. } if entries.is_empty()));
    let changes = vec![
        e(Action::Delete, EntryKind::Bid, "99998.5", 0, ts),
        e(Action::Change, EntryKind::Offer, "100000", 3, ts),
        e(Action::New, EntryKind::Trade, "100000", 4, ts),
    ];
    let back = read(&over_the_wire(incremental("d", "Si", &changes).unwrap())).unwrap();
    let want: Vec<_> = changes
        .into_iter()
        .map(|c| (Some("Si".into()), c))
        .collect();
    assert_eq!(
        back,
        MdMessage::Incremental {
            req_id: "d".into(),
            entries: want
        }
    );
    let no = read(&over_the_wire(
        reject("x", reject_reason::UNKNOWN_SYMBOL, "unknown symbol \"X\"").unwrap(),
    ))
    .unwrap();
    assert_eq!(
        no,
        MdMessage::Reject {
            req_id: "x".into(),
            why: "reason 0: unknown symbol \"X\"".into()
        }
    );
}
