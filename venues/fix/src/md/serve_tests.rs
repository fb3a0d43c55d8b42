//! The paper venue's subscriptions: what is refused, and what a quote or a book change
//! becomes for each kind of subscription.

use super::*;
use crate::md::messages::{read, MdMessage};
use crate::tags::{MD_REQ_REJ_REASON, MSG_TYPE};
use quickfix::FieldMap;
use robofleet_api::Price;

fn session() -> SessionKey {
    SessionKey {
        begin: "FIX.4.4".into(),
        sender: "PAPER".into(),
        target: "C".into(),
    }
}

fn req(id: &str, depth: Depth, symbols: &[&str]) -> MdRequest {
    MdRequest {
        id: id.into(),
        subscription: Subscription::Updates,
        depth,
        incremental: true,
        book: true,
        trades: true,
        symbols: symbols.iter().map(|s| s.to_string()).collect(),
    }
}

fn kind(m: &Message) -> String {
    m.with_header(|h| h.get_field(MSG_TYPE)).unwrap_or_default()
}

/// The one message of `out`, with its type and (for a reject) its reason.
fn only(out: Outgoing) -> (String, Option<String>, Message) {
    assert_eq!(out.len(), 1, "one message");
    let (_, m) = out.into_iter().next().unwrap();
    let m = m.unwrap();
    (kind(&m), m.get_field(MD_REQ_REJ_REASON), m)
}

fn quote(bid: i64, ask: i64, ts: i64) -> MarketData {
    MarketData {
        symbol: "Si".into(),
        ts,
        sent_ns: None,
        kind: MarketKind::Quote {
            bid: Price::units(bid),
            bid_size: 3,
            ask: Price::units(ask),
            ask_size: 4,
        },
    }
}

#[test]
fn requests_that_cannot_be_served_are_refused_with_their_reason() {
    let mut md = MdServer::new(["Si".to_string()]);
    let s = session();
    let cases = [
        (req("a", Depth::Top, &[]), "0"),
        (req("b", Depth::Top, &["XX"]), "0"),
        (
            MdRequest {
                book: false,
                trades: false,
                ..req("c", Depth::Top, &["Si"])
            },
            "8",
        ),
        (
            MdRequest {
                incremental: false,
                ..req("d", Depth::Top, &["Si"])
            },
            "6",
        ),
    ];
    for (r, reason) in cases {
        let (t, why, _) = only(md.request(&s, r));
        assert_eq!((t.as_str(), why.as_deref()), ("Y", Some(reason)));
    }
    let (t, _, _) = only(md.request(&s, req("e", Depth::Top, &["Si"])));
    assert_eq!(t, "W");
    let (t, why, _) = only(md.request(&s, req("e", Depth::Top, &["Si"])));
    assert_eq!(
        (t.as_str(), why.as_deref()),
        ("Y", Some("1")),
        "a duplicate MDReqID"
    );
}

#[test]
fn a_quote_reaches_top_subscribers_as_it_came_and_depth_subscribers_as_changes() {
    let mut md = MdServer::new(["Si".to_string()]);
    let s = session();
    md.request(&s, req("top", Depth::Top, &["Si"]));
    md.request(&s, req("book", Depth::Levels(0), &["Si"]));
    md.market(&quote(100, 101, 1));
    // The same quote again: the top subscriber hears it, the book subscriber nothing.
    let out = md.market(&quote(100, 101, 2));
    let (t, _, m) = only(out);
    assert_eq!(t, "X");
    let MdMessage::Incremental { req_id, entries } = read(&m).unwrap() else {
        panic!("an incremental refresh")
    };
    assert_eq!(req_id, "top");
    assert_eq!(entries.len(), 2);
    assert!(entries
        .iter()
        .all(|(_, e)| e.action == Action::Change && e.ts_ns == Some(2)));
    // A new bid: the book subscriber hears the old level deleted and the new one.
    let out = md.market(&quote(99, 101, 3));
    let book = out
        .into_iter()
        .map(|(_, m)| read(&m.unwrap()).unwrap())
        .find(|m| matches!(m, MdMessage::Incremental { req_id, .. } if req_id == "book"))
        .expect("the book subscriber hears of it");
    let MdMessage::Incremental { entries, .. } = book else {
        unreachable!()
    };
    let got: Vec<(Action, EntryKind, Price)> = entries
        .iter()
        .map(|(_, e)| (e.action, e.kind, e.price))
        .collect();
    assert_eq!(
        got,
        [
            (Action::Delete, EntryKind::Bid, Price::units(100)),
            (Action::New, EntryKind::Bid, Price::units(99)),
        ]
    );
    md.disconnected(&s);
    assert!(
        md.market(&quote(98, 101, 4)).is_empty(),
        "subscriptions end with the session"
    );
}
