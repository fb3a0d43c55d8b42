//! The C entry points, called as the server calls them: through raw pointers and buffers.

use super::*;
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

fn call(h: *mut c_void, event: &[u8]) -> (i32, Vec<u8>) {
    let mut out = RfBuf::empty();
    let code = unsafe { handle::<Probe>(h, event.as_ptr(), event.len(), &mut out) };
    (code, take(out))
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
    let mut out = RfBuf::empty();
    let code = unsafe { handle::<Probe>(h, std::ptr::null(), 0, &mut out) };
    assert_eq!(code, RF_ERR);
    take(out);
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
