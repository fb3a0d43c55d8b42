//! The paper venue (QuickFIX's acceptor, our mapping) against a FIX engine that is not
//! QuickFIX: HotFIX, a pure-Rust initiator, as a client would connect. Orders, their
//! execution reports, a cancel reject, market data with repeating groups, and a restart of
//! the client on its own persisted sequence numbers: each read by HotFIX's parser and
//! session layer, not ours.

use hotfix::application::{Application, InboundDecision, OutboundDecision};
use hotfix::config::SessionConfig;
use hotfix::fix44;
use hotfix::message::{OutboundMessage, Part, RepeatingGroup};
use hotfix::session::Status;
use hotfix::store::FileStore;
use hotfix::Message;
use robofleet::server::zmq_context;
use robofleet_fix::engine::{Role, SessionKey};
use robofleet_fix::paper::{PaperConfig, PaperVenue};
use robofleet_fix::settings::{self, SessionFile};
use robofleet_tests::*;
use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

const T: Duration = Duration::from_secs(20);

/// What the client sends.
#[derive(Clone)]
enum Out {
    Buy { id: String, qty: u32, price: String },
    Cancel { id: String, orig: String },
    Quotes { id: String, symbol: String },
}

impl OutboundMessage for Out {
    fn write(&self, msg: &mut Message) {
        let now = hotfix::message::Timestamp::utc_now();
        match self {
            Out::Buy { id, qty, price } => {
                msg.set(fix44::CL_ORD_ID, id.as_str());
                msg.set(fix44::SYMBOL, "Si");
                msg.set(fix44::SIDE, "1");
                msg.set(fix44::ORDER_QTY, *qty);
                msg.set(fix44::ORD_TYPE, "2");
                msg.set(fix44::PRICE, price.as_str());
                msg.set(fix44::TIME_IN_FORCE, "0");
                msg.set(fix44::TRANSACT_TIME, now);
            }
            Out::Cancel { id, orig } => {
                msg.set(fix44::CL_ORD_ID, id.as_str());
                msg.set(fix44::ORIG_CL_ORD_ID, orig.as_str());
                msg.set(fix44::SYMBOL, "Si");
                msg.set(fix44::SIDE, "1");
                msg.set(fix44::ORDER_QTY, 1u32);
                msg.set(fix44::TRANSACT_TIME, now);
            }
            Out::Quotes { id, symbol } => {
                msg.set(fix44::MD_REQ_ID, id.as_str());
                msg.set(fix44::SUBSCRIPTION_REQUEST_TYPE, "1");
                msg.set(fix44::MARKET_DEPTH, 1u32);
                msg.set(fix44::MD_UPDATE_TYPE, "1");
                let types = ["0", "1"]
                    .into_iter()
                    .map(|t| {
                        let mut g =
                            RepeatingGroup::new(fix44::NO_MD_ENTRY_TYPES, fix44::MD_ENTRY_TYPE);
                        g.set(fix44::MD_ENTRY_TYPE, t);
                        g
                    })
                    .collect();
                // HotFIX writes a group after its count field, which the sender sets.
                msg.set(fix44::NO_MD_ENTRY_TYPES, 2u32);
                msg.set_groups(types).expect("entry types");
                msg.set(fix44::NO_RELATED_SYM, 1u32);
                let mut sym = RepeatingGroup::new(fix44::NO_RELATED_SYM, fix44::SYMBOL);
                sym.set(fix44::SYMBOL, symbol.as_str());
                msg.set_groups(vec![sym]).expect("symbols");
            }
        }
    }

    fn message_type(&self) -> &str {
        match self {
            Out::Buy { .. } => "D",
            Out::Cancel { .. } => "F",
            Out::Quotes { .. } => "V",
        }
    }
}

/// A message as HotFIX read it: its type, its body fields, and its NoMDEntries entries.
#[derive(Debug)]
struct Got {
    msg_type: String,
    fields: HashMap<u32, String>,
    entries: Vec<HashMap<u32, String>>,
}

enum Heard {
    Logon,
    Logout,
    Msg(Got),
}

struct Client(crossbeam_channel::Sender<Heard>);

fn text(raw: Option<&[u8]>) -> Option<String> {
    raw.map(|b| String::from_utf8_lossy(b).into_owned())
}

#[async_trait::async_trait]
impl Application for Client {
    type Outbound = Out;

    async fn on_outbound_message(&self, _msg: &Out) -> OutboundDecision {
        OutboundDecision::Send
    }

    async fn on_inbound_message(&self, msg: &Message) -> InboundDecision {
        let body = [
            (6, fix44::AVG_PX),
            (11, fix44::CL_ORD_ID),
            (14, fix44::CUM_QTY),
            (17, fix44::EXEC_ID),
            (31, fix44::LAST_PX),
            (32, fix44::LAST_QTY),
            (37, fix44::ORDER_ID),
            (39, fix44::ORD_STATUS),
            (41, fix44::ORIG_CL_ORD_ID),
            (55, fix44::SYMBOL),
            (58, fix44::TEXT),
            (102, fix44::CXL_REJ_REASON),
            (150, fix44::EXEC_TYPE),
            (262, fix44::MD_REQ_ID),
            (434, fix44::CXL_REJ_RESPONSE_TO),
        ];
        let fields = body
            .into_iter()
            .filter_map(|(tag, def)| Some((tag, text(msg.get_raw(def))?)))
            .collect();
        let entry = [
            (279, fix44::MD_UPDATE_ACTION),
            (269, fix44::MD_ENTRY_TYPE),
            (270, fix44::MD_ENTRY_PX),
            (271, fix44::MD_ENTRY_SIZE),
            (272, fix44::MD_ENTRY_DATE),
            (273, fix44::MD_ENTRY_TIME),
            (55, fix44::SYMBOL),
        ];
        let mut entries = Vec::new();
        let mut i = 0;
        while let Some(g) = msg.get_group(fix44::NO_MD_ENTRIES, i) {
            let e = entry
                .iter()
                .filter_map(|(tag, def)| Some((*tag, text(g.get_raw(def))?)))
                .collect();
            entries.push(e);
            i += 1;
        }
        let msg_type = text(msg.header().get_raw(fix44::MSG_TYPE)).unwrap_or_default();
        let _ = self.0.send(Heard::Msg(Got {
            msg_type,
            fields,
            entries,
        }));
        InboundDecision::Accept
    }

    async fn on_logout(&mut self, _reason: &str) {
        let _ = self.0.send(Heard::Logout);
    }

    async fn on_logon(&mut self) {
        let _ = self.0.send(Heard::Logon);
    }

    async fn on_state_change(&self, _from: &Status, _to: &Status) {}
}

fn session_config(port: u16) -> SessionConfig {
    let text = format!(
        "begin_string = \"FIX.4.4\"\nsender_comp_id = \"HOTFIX\"\ntarget_comp_id = \"PAPER\"\n\
         connection_host = \"127.0.0.1\"\nconnection_port = {port}\nheartbeat_interval = 5\n\
         reconnect_interval = 1\n"
    );
    toml::from_str(&text).expect("a HotFIX session config")
}

struct HotfixClient {
    rt: tokio::runtime::Runtime,
    initiator: Option<hotfix::initiator::Initiator<Out>>,
    heard: crossbeam_channel::Receiver<Heard>,
}

impl HotfixClient {
    fn start(port: u16, store_dir: &Path) -> HotfixClient {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let (tx, heard) = crossbeam_channel::unbounded();
        let initiator = rt.block_on(async {
            let store = FileStore::new(store_dir, "hotfix").expect("HotFIX file store");
            hotfix::initiator::Initiator::start(session_config(port), Client(tx), store)
                .await
                .expect("HotFIX initiator starts")
        });
        let client = HotfixClient {
            rt,
            initiator: Some(initiator),
            heard,
        };
        let logged_on = client.wait(|h| matches!(h, Heard::Logon).then_some(()));
        assert!(
            logged_on.is_some(),
            "HotFIX never logged on to the paper venue"
        );
        client
    }

    fn send(&self, msg: Out) {
        let initiator = self.initiator.as_ref().unwrap();
        self.rt.block_on(initiator.send(msg)).expect("HotFIX sends");
    }

    /// The first thing heard that `pick` takes, within the timeout.
    fn wait<R>(&self, mut pick: impl FnMut(&Heard) -> Option<R>) -> Option<R> {
        let deadline = Instant::now() + T;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.heard.recv_timeout(left) {
                Ok(h) => {
                    if let Some(r) = pick(&h) {
                        return Some(r);
                    }
                }
                Err(_) => return None,
            }
        }
        None
    }

    fn wait_msg(&self, what: &str, mut pick: impl FnMut(&Got) -> bool) -> Got {
        let got = self.wait(|h| match h {
            Heard::Msg(g) if pick(g) => Some(Got {
                msg_type: g.msg_type.clone(),
                fields: g.fields.clone(),
                entries: g.entries.clone(),
            }),
            _ => None,
        });
        got.unwrap_or_else(|| panic!("HotFIX never heard {what}"))
    }

    fn stop(mut self) {
        if let Some(i) = self.initiator.take() {
            let _ = self.rt.block_on(i.shutdown(false));
        }
    }
}

fn start_venue(dir: &Path, port: u16, feed: &Feed) -> PaperVenue {
    let session = SessionKey {
        begin: "FIX.4.4".into(),
        sender: "PAPER".into(),
        target: "HOTFIX".into(),
    };
    let cfg = settings::write(
        dir,
        &SessionFile {
            role: Role::Acceptor,
            session: &session,
            host: "127.0.0.1",
            port,
            heartbeat_s: 5,
            reconnect_s: 1,
        },
    )
    .unwrap();
    PaperVenue::start(
        &zmq_context(),
        PaperConfig {
            settings: cfg,
            feed_endpoint: feed.endpoint.clone(),
            instruments: test_instruments(),
            cancel_on_disconnect: false,
        },
    )
    .expect("paper venue starts")
}

#[test]
fn a_second_fix_engine_trades_and_reads_market_data_on_the_paper_venue() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut feed = Feed::new();
    let _venue = start_venue(&dir.path().join("venue"), port, &feed);
    let store_dir = dir.path().join("hotfix");
    let client = HotfixClient::start(port, &store_dir);

    // An order, acknowledged, then filled by a quote that crosses it.
    client.send(Out::Buy {
        id: "hf-1".into(),
        qty: 2,
        price: "100001".into(),
    });
    let ack = client.wait_msg("the order's New", |g| {
        g.msg_type == "8" && g.fields.get(&150).map(String::as_str) == Some("0")
    });
    assert_eq!(ack.fields[&11], "hf-1");
    assert!(!ack.fields[&37].is_empty(), "an OrderID");
    let deadline = Instant::now() + T;
    let fill = loop {
        assert!(Instant::now() < deadline, "no fill");
        feed.quote("Si", 99_999.0, 100_001.0, 5);
        let got = client.heard.recv_timeout(Duration::from_millis(50));
        if let Ok(Heard::Msg(g)) = got {
            if g.msg_type == "8" && g.fields.get(&150).map(String::as_str) == Some("F") {
                break g;
            }
        }
    };
    assert_eq!(fill.fields[&11], "hf-1");
    assert_eq!(fill.fields[&32], "2", "LastQty");
    assert_eq!(fill.fields[&31], "100001", "LastPx, exact");
    assert_eq!(fill.fields[&14], "2", "CumQty");
    assert_eq!(fill.fields[&39], "2", "OrdStatus filled");
    assert!(!fill.fields[&17].is_empty(), "an ExecID");

    // A cancel of an order the venue never had: OrderCancelReject, unknown order.
    client.send(Out::Cancel {
        id: "hf-9/c1".into(),
        orig: "hf-9".into(),
    });
    let reject = client.wait_msg("a cancel reject", |g| g.msg_type == "9");
    assert_eq!(reject.fields[&434], "1");
    assert_eq!(reject.fields[&102], "1", "CxlRejReason: unknown order");

    // Market data: a snapshot, then a refresh per quote, groups and ns times as HotFIX reads them.
    client.send(Out::Quotes {
        id: "md-1".into(),
        symbol: "Si".into(),
    });
    let snapshot = client.wait_msg("a snapshot", |g| g.msg_type == "W");
    assert_eq!(snapshot.fields[&262], "md-1");
    let deadline = Instant::now() + T;
    let refresh = loop {
        assert!(Instant::now() < deadline, "no incremental refresh");
        feed.quote("Si", 99_990.5, 99_995.0, 7);
        if let Ok(Heard::Msg(g)) = client.heard.recv_timeout(Duration::from_millis(50)) {
            if g.msg_type == "X" {
                break g;
            }
        }
    };
    assert_eq!(refresh.entries.len(), 2, "{refresh:?}");
    let bid = &refresh.entries[0];
    assert_eq!(bid[&269], "0");
    assert_eq!(bid[&270], "99990.5");
    assert_eq!(bid[&271], "7");
    assert_eq!(bid[&55], "Si");
    assert_eq!(bid[&273].len(), "HH:MM:SS.nnnnnnnnn".len(), "{bid:?}");
    client.stop();

    // The client comes back on its own stored sequence numbers (no reset): the venue takes
    // the logon and trades again.
    let client = HotfixClient::start(port, &store_dir);
    client.send(Out::Buy {
        id: "hf-2".into(),
        qty: 1,
        price: "99000".into(),
    });
    let ack = client.wait_msg("the second order's New", |g| {
        g.msg_type == "8" && g.fields.get(&11).map(String::as_str) == Some("hf-2")
    });
    assert_eq!(ack.fields[&150], "0");
    client.stop();
}
