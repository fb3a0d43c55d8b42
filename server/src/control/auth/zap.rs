//! The process's ZAP handler (ZeroMQ RFC 27, `inproc://zeromq.zap.01`): libzmq asks it about
//! every CURVE handshake, and it lets in only the client keys on the allow-list of the
//! socket's ZAP domain. One handler serves every control socket of the process (tests run
//! several servers in one), each socket under a domain of its own.
//!
//! Without a handler bound, libzmq lets every CURVE client in: so a domain is registered,
//! and the handler known to be bound, before the control socket binds.

use super::keys::CurveKey;
use super::Caller;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

const ZAP_ENDPOINT: &str = "inproc://zeromq.zap.01";

/// One control socket's allow-list and what the handler counted for it.
struct Domain {
    clients: HashMap<CurveKey, Caller>,
    refused: Arc<AtomicU64>,
}

type Domains = Mutex<HashMap<String, Domain>>;

fn domains() -> &'static Domains {
    static DOMAINS: OnceLock<Domains> = OnceLock::new();
    DOMAINS.get_or_init(Default::default)
}

/// A registered ZAP domain: set it on the socket (`set_zap_domain`); dropping it takes the
/// allow-list away (every handshake in the domain is refused from then on).
pub struct ZapDomain {
    pub name: String,
    /// Handshakes refused (an unknown key, or not CURVE).
    pub refused: Arc<AtomicU64>,
}

impl Drop for ZapDomain {
    fn drop(&mut self) {
        domains()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.name);
    }
}

/// Register an allow-list under a new domain, starting the handler on first use.
pub fn register(
    ctx: &zmq::Context,
    clients: HashMap<CurveKey, Caller>,
    refused: Arc<AtomicU64>,
) -> Result<ZapDomain, String> {
    static HANDLER: OnceLock<Result<(), String>> = OnceLock::new();
    HANDLER.get_or_init(|| start_handler(ctx)).clone()?;
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = format!("robofleet-control-{}", NEXT.fetch_add(1, Ordering::Relaxed));
    let domain = Domain {
        clients,
        refused: refused.clone(),
    };
    domains()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(name.clone(), domain);
    Ok(ZapDomain { name, refused })
}

fn start_handler(ctx: &zmq::Context) -> Result<(), String> {
    let socket = ctx
        .socket(zmq::REP)
        .map_err(|e| format!("ZAP handler socket: {e}"))?;
    // Bound here, before any CURVE socket can take a connection: never a moment unguarded.
    socket
        .bind(ZAP_ENDPOINT)
        .map_err(|e| format!("cannot bind the ZAP handler at {ZAP_ENDPOINT}: {e}"))?;
    std::thread::Builder::new()
        .name("zap".into())
        .spawn(move || serve(socket))
        .map_err(|e| format!("cannot start the ZAP handler thread: {e}"))?;
    Ok(())
}

fn serve(socket: zmq::Socket) {
    loop {
        let frames = match socket.recv_multipart(0) {
            Ok(f) => f,
            Err(zmq::Error::ETERM) => return,
            Err(e) => {
                tracing::error!("ZAP handler: {e}");
                continue;
            }
        };
        let reply = answer(&frames);
        if let Err(e) = socket.send_multipart(reply, 0) {
            tracing::error!("ZAP handler cannot reply: {e}");
        }
    }
}

/// The reply to one ZAP request: `[version, request id, status, text, user id, metadata]`.
pub(super) fn answer(frames: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let request_id = frames.get(1).cloned().unwrap_or_default();
    let reply = |status: &str, text: &str, user: &str| {
        vec![
            b"1.0".to_vec(),
            request_id.clone(),
            status.as_bytes().to_vec(),
            text.as_bytes().to_vec(),
            user.as_bytes().to_vec(),
            Vec::new(),
        ]
    };
    // version, request id, domain, address, routing id, mechanism, credentials...
    if frames.len() < 6 || frames[0] != b"1.0" {
        return reply("500", "malformed ZAP request", "");
    }
    let domain = String::from_utf8_lossy(&frames[2]);
    let address = String::from_utf8_lossy(&frames[3]);
    let table = domains().lock().unwrap_or_else(|e| e.into_inner());
    let Some(d) = table.get(domain.as_ref()) else {
        return reply("400", "unknown ZAP domain", "");
    };
    let key = match (frames[5].as_slice(), frames.get(6)) {
        (b"CURVE", Some(k)) => <[u8; 32]>::try_from(k.as_slice()).ok().map(CurveKey),
        _ => None,
    };
    match key.and_then(|k| d.clients.get(&k).map(|c| (k, c))) {
        Some((_, caller)) => reply("200", "OK", &caller.name),
        None => {
            let n = d.refused.fetch_add(1, Ordering::Relaxed) + 1;
            // A stranger retrying in a loop must not flood the log.
            if n <= 10 || n.is_power_of_two() {
                let who = key.map_or("no CURVE key".to_string(), |k| k.to_z85());
                tracing::warn!("control: refused a client from {address}: key {who} is not on the allow-list ({n} refused so far)");
            }
            reply("400", "key not on the allow-list", "")
        }
    }
}
