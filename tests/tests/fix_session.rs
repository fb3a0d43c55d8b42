//! The FIX session layer as a counterparty meets it: a raw FIX 4.4 client on a plain TCP
//! socket against the paper venue's acceptor (QuickFIX, with our settings). Logon refused,
//! sequence numbers too low and too high, a resend request answered, a heartbeat timeout.

use robofleet::server::zmq_context;
use robofleet_fix::engine::{Role, SessionKey};
use robofleet_fix::paper::{PaperConfig, PaperVenue};
use robofleet_fix::settings::{self, SessionFile};
use robofleet_tests::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A FIX client written by hand: framing, body length and checksum.
struct Raw {
    sock: TcpStream,
    buf: Vec<u8>,
    sender: String,
    seq: u64,
}

type Fields = Vec<(u32, String)>;

impl Raw {
    fn connect(port: u16, sender: &str) -> Raw {
        let sock = TcpStream::connect(("127.0.0.1", port)).expect("connect to the venue");
        sock.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        Raw {
            sock,
            buf: Vec::new(),
            sender: sender.into(),
            seq: 1,
        }
    }

    /// Send `msg_type` with `fields`, MsgSeqNum `seq` (the next one if `None`).
    fn send(&mut self, msg_type: &str, fields: &[(u32, &str)], seq: Option<u64>) {
        let seq = seq.unwrap_or(self.seq);
        self.seq = seq + 1;
        let now = robofleet_fix::time::format(robofleet::clock::wall_ns());
        let mut body = format!(
            "35={msg_type}\x0149={}\x0156=PAPER5\x0134={seq}\x0152={now}\x01",
            self.sender
        );
        for (tag, value) in fields {
            body.push_str(&format!("{tag}={value}\x01"));
        }
        let head = format!("8=FIX.4.4\x019={}\x01", body.len());
        let text = format!("{head}{body}");
        let sum = text.bytes().map(u32::from).sum::<u32>() % 256;
        let msg = format!("{text}10={sum:03}\x01");
        let _ = self.sock.write_all(msg.as_bytes());
    }

    fn logon(&mut self, heartbeat: &str, seq: Option<u64>) {
        self.send("A", &[(98, "0"), (108, heartbeat)], seq);
    }

    /// The next message within `within`: its fields; `None` on timeout or a closed socket.
    fn next(&mut self, within: Duration) -> Option<Fields> {
        let until = Instant::now() + within;
        loop {
            if let Some(end) = find_end(&self.buf) {
                let msg: Vec<u8> = self.buf.drain(..end).collect();
                let text = String::from_utf8_lossy(&msg);
                return Some(
                    text.split('\x01')
                        .filter_map(|f| f.split_once('='))
                        .filter_map(|(t, v)| Some((t.parse().ok()?, v.to_string())))
                        .collect(),
                );
            }
            if Instant::now() > until {
                return None;
            }
            let mut chunk = [0u8; 4096];
            match self.sock.read(&mut chunk) {
                Ok(0) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(_) => return None,
            }
        }
    }

    /// The next message of type `msg_type` within `within`, skipping others.
    fn expect(&mut self, msg_type: &str, within: Duration) -> Option<Fields> {
        let until = Instant::now() + within;
        while Instant::now() < until {
            let m = self.next(until - Instant::now())?;
            if get(&m, 35) == Some(msg_type) {
                return Some(m);
            }
        }
        None
    }

    /// Whether the venue closed the connection within `within`.
    fn closed(&mut self, within: Duration) -> bool {
        let until = Instant::now() + within;
        while Instant::now() < until {
            let mut chunk = [0u8; 4096];
            match self.sock.read(&mut chunk) {
                Ok(0) => return true,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(_) => return true,
            }
        }
        false
    }
}

/// Where the first whole message in `buf` ends (after its `10=nnn<SOH>`).
fn find_end(buf: &[u8]) -> Option<usize> {
    let at = buf.windows(4).position(|w| w == b"\x0110=")?;
    let rest = &buf[at + 4..];
    let soh = rest.iter().position(|b| *b == 1)?;
    Some(at + 4 + soh + 1)
}

fn get(m: &Fields, tag: u32) -> Option<&str> {
    m.iter().find(|(t, _)| *t == tag).map(|(_, v)| v.as_str())
}

fn venue(clients: &[&str]) -> (PaperVenue, u16, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    // One acceptor, a session per client: the settings of the first, then more sessions.
    let first = SessionKey {
        begin: "FIX.4.4".into(),
        sender: "PAPER5".into(),
        target: clients[0].into(),
    };
    let path = settings::write(
        dir.path(),
        &SessionFile {
            role: Role::Acceptor,
            session: &first,
            host: "127.0.0.1",
            port,
            heartbeat_s: 30,
            reconnect_s: 1,
        },
    )
    .unwrap();
    let mut text = std::fs::read_to_string(&path).unwrap();
    for c in &clients[1..] {
        text.push_str(&format!(
            "\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=PAPER5\nTargetCompID={c}\n"
        ));
    }
    std::fs::write(&path, text).unwrap();
    let feed = Feed::new();
    let v = PaperVenue::start(
        &zmq_context(),
        PaperConfig {
            settings: path,
            feed_endpoint: feed.endpoint.clone(),
            instruments: test_instruments(),
            cancel_on_disconnect: false,
        },
    )
    .expect("paper venue starts");
    std::mem::forget(feed);
    (v, port, dir)
}

const W: Duration = Duration::from_secs(5);

#[test]
fn the_session_layer_behaves_as_fix_says() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let (_venue, port, _dir) = venue(&["RAWA", "RAWB", "RAWC", "RAWD"]);

    // A client the venue does not know: no logon, the connection closed.
    let mut stranger = Raw::connect(port, "NOBODY");
    stranger.logon("30", None);
    assert!(stranger.expect("A", Duration::from_millis(800)).is_none());
    assert!(stranger.closed(W), "a stranger's connection stays open");

    // A good logon is answered with a logon; a test request with a heartbeat naming it.
    let mut a = Raw::connect(port, "RAWA");
    a.logon("30", None);
    let logon = a.expect("A", W).expect("logon answered");
    assert_eq!(get(&logon, 34), Some("1"));
    a.send("1", &[(112, "PING-1")], None);
    let hb = a.expect("0", W).expect("heartbeat for the test request");
    assert_eq!(get(&hb, 112), Some("PING-1"));

    // Sequence number too low (a message already seen, not a PossDup): logout, closed.
    a.send("0", &[], Some(1));
    let out = a
        .expect("5", W)
        .expect("logout for a sequence number too low");
    assert!(
        get(&out, 58).unwrap_or("").contains("MsgSeqNum too low"),
        "{out:?}"
    );
    assert!(a.closed(W));

    // Sequence number too high: the venue logs on and asks for what it missed.
    let mut b = Raw::connect(port, "RAWB");
    b.logon("30", Some(5));
    b.expect("A", W).expect("logon answered");
    let rr = b.expect("2", W).expect("a resend request for the gap");
    assert_eq!(
        (get(&rr, 7), get(&rr, 16)),
        (Some("1"), Some("0")),
        "{rr:?}"
    );
    // A gap fill answers it; the session goes on.
    // (PossDupFlag and OrigSendingTime are header fields: before the body's.)
    let orig = robofleet_fix::time::format(robofleet::clock::wall_ns());
    b.send(
        "4",
        &[(43, "Y"), (122, &orig), (123, "Y"), (36, "6")],
        Some(1),
    );
    b.send("1", &[(112, "PING-2")], Some(6));
    let hb = b
        .expect("0", W)
        .expect("the session goes on after the gap fill");
    assert_eq!(get(&hb, 112), Some("PING-2"));

    // A resend request from us: what the venue sent is sent again (its session messages
    // as a gap fill).
    let mut c = Raw::connect(port, "RAWC");
    c.logon("30", None);
    c.expect("A", W).expect("logon answered");
    c.send("2", &[(7, "1"), (16, "0")], None);
    let fill = c
        .expect("4", W)
        .expect("a sequence reset (gap fill) for the resend");
    assert_eq!(get(&fill, 123), Some("Y"), "{fill:?}");
    assert_eq!(get(&fill, 43), Some("Y"), "{fill:?}");

    // A client that goes silent: a test request after a heartbeat interval, then the
    // connection closed.
    let mut d = Raw::connect(port, "RAWD");
    d.logon("1", None);
    d.expect("A", W).expect("logon answered");
    d.expect("1", W).expect("a test request to a silent client");
    assert!(d.closed(W), "a silent client stays connected");
}
