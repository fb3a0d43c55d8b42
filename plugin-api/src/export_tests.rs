//! The C entry points, called as the server calls them: through raw pointers and buffers.

use super::*;
use crate::abi::{RfLevel, RfMarket};
use crate::money::Price;
use crate::types::{Action, EventKind, Params, Quote, RobotInfo};

/// Buys one lot on each quote; panics on a quote whose bid is 666.
struct Probe {
    quotes: u64,
}

impl Robot for Probe {
    fn info() -> RobotInfo {
        RobotInfo {
            name: "probe".into(),
            description: String::new(),
            default_params: Params::new(),
            default_symbols: vec!["Si".into()],
            timer_ms: None,
            feeds: crate::Feeds::QUOTES,
        }
    }
    fn create(args: &CreateArgs) -> Result<Self, String> {
        match args.params.get("refuse") {
            Some(_) => Err("refused by params".into()),
            None => Ok(Probe { quotes: 0 }),
        }
    }
    fn on_event(&mut self, event: &Event, out: &mut Actions) {
        if let EventKind::Quote(q) = &event.kind {
            assert!(q.bid != Price::units(666), "bid of the beast");
            self.quotes += 1;
            out.buy_limit(&q.symbol, 1, q.bid);
        }
        // A book: one order a level, bids then asks, at the level's price and quantity.
        if let EventKind::Depth(d) = &event.kind {
            for l in &d.bids {
                out.buy_limit(&d.symbol, l.qty, l.price);
            }
            for l in &d.asks {
                out.sell_limit(&d.symbol, l.qty, l.price);
            }
        }
    }
    fn snapshot(&self) -> Vec<u8> {
        self.quotes.to_le_bytes().to_vec()
    }
}

/// Take a buffer's bytes and give it back, as the host does.
fn take(buf: RfBuf) -> Vec<u8> {
    let bytes = unsafe { buf.as_slice() }.to_vec();
    unsafe { free_buf(buf) };
    bytes
}

fn args(params: Params) -> Vec<u8> {
    postcard::to_allocvec(&CreateArgs {
        name: "probe".into(),
        params,
        symbols: vec!["Si".into()],
        seed: 1,
        first_order_seq: 5,
    })
    .unwrap()
}

fn new_probe() -> *mut c_void {
    let a = args(Params::new());
    let (mut h, mut err) = (std::ptr::null_mut(), RfBuf::empty());
    assert_eq!(
        unsafe { create::<Probe>(a.as_ptr(), a.len(), &mut h, &mut err) },
        RF_OK
    );
    take(err);
    h
}

fn quote(seq: u64, bid: Price) -> Vec<u8> {
    postcard::to_allocvec(&Event {
        seq,
        ts: 1,
        kind: EventKind::Quote(Quote {
            symbol: "Si".into(),
            bid,
            bid_size: 1,
            ask: bid + Price::units(1),
            ask_size: 1,
        }),
    })
    .unwrap()
}

/// Call `handle` with a lent buffer of 256 bytes: the actions on success, else the message.
fn call(h: *mut c_void, event: &[u8]) -> (i32, Vec<u8>) {
    let mut buf = vec![0u8; 256];
    let mut lent = RfLent {
        ptr: buf.as_mut_ptr(),
        cap: buf.len(),
        len: 0,
    };
    let mut err = RfBuf::empty();
    let code = unsafe { handle::<Probe>(h, event.as_ptr(), event.len(), &mut lent, &mut err) };
    let err = take(err);
    match code {
        RF_OK => (code, buf[..lent.len].to_vec()),
        _ => (code, err),
    }
}

fn define(h: *mut c_void, id: u32, name: &str) -> i32 {
    let mut err = RfBuf::empty();
    let code = unsafe { define_symbol::<Probe>(h, id, name.as_ptr(), name.len(), &mut err) };
    take(err);
    code
}

fn market_quote(seq: u64, symbol: u32, bid: i64) -> RfMarket {
    RfMarket {
        seq,
        ts: seq as i64 * 10,
        kind: crate::abi::MD_QUOTE,
        symbol,
        px: [Price::units(bid).raw(), Price::units(bid + 1).raw(), 0, 0],
        qty: [1, 1],
    }
}

/// Call `market` with a lent buffer of `cap` bytes: (code, done, actions or message).
fn call_market(h: *mut c_void, recs: &[RfMarket], cap: usize) -> (i32, usize, Vec<u8>) {
    call_market_with(h, recs, &[], cap)
}

fn call_market_with(
    h: *mut c_void,
    recs: &[RfMarket],
    levels: &[RfLevel],
    cap: usize,
) -> (i32, usize, Vec<u8>) {
    let mut buf = vec![0u8; cap];
    let mut lent = RfLent {
        ptr: buf.as_mut_ptr(),
        cap,
        len: 0,
    };
    let (mut done, mut err) = (usize::MAX, RfBuf::empty());
    let code = unsafe {
        market::<Probe>(
            h,
            recs.as_ptr(),
            recs.len(),
            levels.as_ptr(),
            levels.len(),
            &mut lent,
            &mut done,
            &mut err,
        )
    };
    let err = take(err);
    match code {
        RF_OK => (code, done, buf[..lent.len].to_vec()),
        RF_MORE => {
            let mut big = vec![0u8; lent.len];
            let mut lent = RfLent {
                ptr: big.as_mut_ptr(),
                cap: big.len(),
                len: 0,
            };
            let mut err = RfBuf::empty();
            assert_eq!(
                unsafe { take_actions::<Probe>(h, &mut lent, &mut err) },
                RF_OK
            );
            take(err);
            (code, done, big[..lent.len].to_vec())
        }
        _ => (code, done, err),
    }
}

#[test]
fn order_ids_are_the_robot_name_and_its_sequence_from_the_first_given() {
    let h = new_probe();
    for (seq, want) in [(1, "probe-5"), (2, "probe-6")] {
        let (code, bytes) = call(h, &quote(seq, Price::units(100)));
        assert_eq!(code, RF_OK);
        let actions: Vec<Action> = postcard::from_bytes(&bytes).unwrap();
        assert!(
            matches!(&actions[..], [Action::Submit(o)] if o.client_id == want),
            "{actions:?}"
        );
    }
    // Raised past what was used, never lowered: ids stay unique after a rebuild.
    for next in [20, 3] {
        let mut err = RfBuf::empty();
        assert_eq!(
            unsafe { raise_order_seq::<Probe>(h, next, &mut err) },
            RF_OK
        );
        take(err);
    }
    let (_, bytes) = call(h, &quote(3, Price::units(100)));
    let actions: Vec<Action> = postcard::from_bytes(&bytes).unwrap();
    assert!(matches!(&actions[..], [Action::Submit(o)] if o.client_id == "probe-20"));

    // The snapshot carries the next order sequence with the robot's own state.
    let mut out = RfBuf::empty();
    assert_eq!(unsafe { snapshot::<Probe>(h, &mut out) }, RF_OK);
    let (next, state): (u64, Vec<u8>) = postcard::from_bytes(&take(out)).unwrap();
    assert_eq!((next, state), (21, 3u64.to_le_bytes().to_vec()));
    assert_eq!(unsafe { destroy::<Probe>(h) }, RF_OK);
}

#[test]
fn a_panic_is_caught_and_its_message_returned_and_the_robot_lives_on() {
    let h = new_probe();
    let (code, bytes) = call(h, &quote(1, Price::units(666)));
    assert_eq!(code, RF_PANIC);
    let (message, frames) = crate::panics::split_panic_buffer(&bytes);
    let message = String::from_utf8(message.to_vec()).unwrap();
    assert!(
        message.starts_with("bid of the beast (panicked at ")
            && message.contains("export_tests.rs:"),
        "{message}"
    );
    // Frames only when a backtrace is wanted, and then raw addresses, never symbolized here.
    let wanted = std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0");
    assert_eq!(!frames.is_empty(), wanted, "{} frames", frames.len());
    let (code, _) = call(h, &quote(2, Price::units(100)));
    assert_eq!(code, RF_OK);
    assert_eq!(unsafe { destroy::<Probe>(h) }, RF_OK);
}

#[test]
fn bad_input_is_an_error_never_a_crash() {
    let h = new_probe();
    let (code, msg) = call(h, b"\xff\xff\xff garbage");
    assert_eq!(code, RF_ERR);
    assert!(String::from_utf8_lossy(&msg).starts_with("bad event"));
    // An empty (or null) event is garbage too.
    let (code, _) = call(h, &[]);
    assert_eq!(code, RF_ERR);
    // A null handle is refused by every call that takes one.
    let (code, msg) = call(std::ptr::null_mut(), &quote(1, Price::units(100)));
    assert_eq!((code, msg.as_slice()), (RF_ERR, &b"null robot handle"[..]));
    let mut out = RfBuf::empty();
    assert_eq!(
        unsafe { snapshot::<Probe>(std::ptr::null_mut(), &mut out) },
        RF_ERR
    );
    take(out);
    assert_eq!(unsafe { destroy::<Probe>(std::ptr::null_mut()) }, RF_OK);

    // Bad create args and a robot that refuses its params: an error with the reason.
    let (mut p, mut err) = (std::ptr::null_mut(), RfBuf::empty());
    let junk = [0xffu8; 3];
    let code = unsafe { create::<Probe>(junk.as_ptr(), junk.len(), &mut p, &mut err) };
    assert_eq!(code, RF_ERR);
    assert!(String::from_utf8_lossy(&take(err)).starts_with("bad create args"));
    let a = args(Params::new().with("refuse", 1));
    let mut err = RfBuf::empty();
    let code = unsafe { create::<Probe>(a.as_ptr(), a.len(), &mut p, &mut err) };
    assert_eq!((code, take(err)), (RF_ERR, b"refused by params".to_vec()));
    assert_eq!(unsafe { destroy::<Probe>(h) }, RF_OK);
}

#[test]
fn describe_gives_the_robots_info() {
    let mut out = RfBuf::empty();
    assert_eq!(unsafe { describe::<Probe>(&mut out) }, RF_OK);
    let info: RobotInfo = postcard::from_bytes(&take(out)).unwrap();
    assert_eq!(info.name, "probe");
    assert_eq!(info.default_symbols, ["Si"]);
}

#[test]
fn market_records_reach_the_robot_as_events_until_one_is_answered() {
    let h = new_probe();
    assert_eq!(define(h, 3, "Si"), RF_OK);
    // The probe answers every quote: each call hands over one record.
    let recs = [market_quote(1, 3, 100), market_quote(2, 3, 101)];
    let (code, done, bytes) = call_market(h, &recs, 256);
    assert_eq!((code, done), (RF_OK, 1));
    let actions: Vec<Action> = postcard::from_bytes(&bytes).unwrap();
    assert!(
        matches!(&actions[..], [Action::Submit(o)] if o.symbol == "Si"
            && o.order_type == crate::OrderType::Limit { price: Price::units(100) }),
        "{actions:?}"
    );
    let (code, done, _) = call_market(h, &recs[1..], 256);
    assert_eq!((code, done), (RF_OK, 1));
    // A record kind the probe ignores (a trade print) gives the empty list, and all are handed.
    let mut print = market_quote(3, 3, 100);
    print.kind = crate::abi::MD_TRADE;
    let (code, done, bytes) = call_market(h, &[print, print], 256);
    assert_eq!((code, done, bytes), (RF_OK, 2, vec![0]));
    // A renamed id is seen under its new name.
    assert_eq!(define(h, 3, "RTS"), RF_OK);
    let (_, _, bytes) = call_market(h, &[market_quote(4, 3, 100)], 256);
    let actions: Vec<Action> = postcard::from_bytes(&bytes).unwrap();
    assert!(matches!(&actions[..], [Action::Submit(o)] if o.symbol == "RTS"));
    // Actions larger than the lent buffer: RF_MORE with the length, then take_actions.
    let (code, done, bytes) = call_market(h, &[market_quote(5, 3, 100)], 4);
    assert_eq!((code, done), (RF_MORE, 1));
    let actions: Vec<Action> = postcard::from_bytes(&bytes).unwrap();
    assert!(matches!(&actions[..], [Action::Submit(o)] if o.client_id == "probe-8"));
    assert_eq!(unsafe { destroy::<Probe>(h) }, RF_OK);
}

#[test]
fn a_bad_market_record_is_an_error_naming_it() {
    let h = new_probe();
    let (code, done, msg) = call_market(h, &[market_quote(1, 7, 100)], 256);
    assert_eq!((code, done), (RF_ERR, 1));
    assert_eq!(
        String::from_utf8_lossy(&msg),
        "market record for undefined symbol id 7"
    );
    assert_eq!(define(h, 0, "Si"), RF_OK);
    let mut odd = market_quote(1, 0, 100);
    odd.kind = 99;
    let mut print = odd;
    print.kind = crate::abi::MD_TRADE;
    let (code, done, msg) = call_market(h, &[print, odd], 256);
    assert_eq!((code, done), (RF_ERR, 2));
    assert_eq!(
        String::from_utf8_lossy(&msg),
        "unknown market record kind 99"
    );
    // A panic in the middle of a batch names the record it happened on.
    let recs = [print, market_quote(2, 0, 666)];
    let (code, done, _) = call_market(h, &recs, 256);
    assert_eq!((code, done), (RF_PANIC, 2));
    assert_eq!(define(h, u32::MAX, "Si"), RF_ERR);
    assert_eq!(unsafe { destroy::<Probe>(h) }, RF_OK);
}

#[test]
fn a_market_record_round_trips_through_its_bytes_and_its_event() {
    let rec = market_quote(9, 2, 100);
    assert_eq!(RfMarket::from_bytes(&rec.to_bytes()), Some(rec));
    assert_eq!(RfMarket::from_bytes(&[0; 71]), None);
    let event = rec.to_event("Si", &[]).unwrap();
    assert_eq!((event.seq, event.ts), (9, 90));
    assert_eq!(
        event.kind,
        EventKind::Quote(Quote {
            symbol: "Si".into(),
            bid: Price::units(100),
            bid_size: 1,
            ask: Price::units(101),
            ask_size: 1,
        })
    );
}

#[test]
fn a_book_crosses_with_its_levels_and_a_bad_span_is_an_error() {
    let h = new_probe();
    assert_eq!(define(h, 0, "Si"), RF_OK);
    let lv = |p: i64, q: i64| RfLevel {
        price: Price::units(p).raw(),
        qty: q,
    };
    // Two books in one call: the second's levels start where the first's end.
    let levels = [lv(99, 1), lv(101, 2), lv(98, 3), lv(97, 4), lv(102, 5)];
    let books = [
        RfMarket::depth(1, 10, 0, 0, 1, 1),
        RfMarket::depth(2, 20, 0, 2, 2, 1),
    ];
    let (code, done, bytes) = call_market_with(h, &books, &levels, 256);
    assert_eq!((code, done), (RF_OK, 1));
    let actions: Vec<Action> = postcard::from_bytes(&bytes).unwrap();
    let sent: Vec<(i64, Option<Price>)> = actions
        .iter()
        .map(|a| match a {
            Action::Submit(o) => (
                o.side.sign() * o.qty,
                match o.order_type {
                    crate::OrderType::Limit { price } => Some(price),
                    crate::OrderType::Market => None,
                },
            ),
            _ => (0, None),
        })
        .collect();
    assert_eq!(
        sent,
        [(1, Some(Price::units(99))), (-2, Some(Price::units(101)))]
    );
    let (code, done, bytes) = call_market_with(h, &books[1..], &levels, 256);
    assert_eq!((code, done), (RF_OK, 1));
    assert_eq!(
        postcard::from_bytes::<Vec<Action>>(&bytes).unwrap().len(),
        3
    );
    // A book pointing past the levels it was given is refused, naming the record.
    let (code, _, msg) = call_market_with(h, &[RfMarket::depth(3, 30, 0, 4, 1, 1)], &levels, 256);
    assert_eq!(code, RF_ERR);
    assert_eq!(
        String::from_utf8_lossy(&msg),
        "book record #3 points at levels it was not given"
    );
    // Its journal body round-trips, levels and all.
    let mut body = Vec::new();
    books[1].journal_body(&levels[2..5], &mut body);
    let mut back = vec![lv(1, 1)];
    let rec = RfMarket::from_journal_body(&body, &mut back).unwrap();
    assert_eq!((rec.px[0], &back[1..]), (1, &levels[2..5]));
    assert_eq!(
        RfMarket::from_journal_body(&body[..body.len() - 1], &mut back),
        None
    );
    assert_eq!(unsafe { destroy::<Probe>(h) }, RF_OK);
}
