//! The client side of the control protocol, used by `robofleet ctl`, the demo and tests.

use super::auth::keys::{CurveKey, KeyPair};
use serde_json::Value;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("zeromq: {0}")]
    Zmq(#[from] zmq::Error),
    #[error("no reply from {endpoint} within {timeout:?} (is the server running?)")]
    Timeout { endpoint: String, timeout: Duration },
    #[error("reply is not JSON: {0}")]
    BadReply(String),
    #[error("{endpoint} refused this client's CURVE handshake: {why}")]
    Refused { endpoint: String, why: String },
}

/// CURVE credentials: this client's key pair and the server's public key.
#[derive(Clone, Debug)]
pub struct CurveClient {
    pub keys: KeyPair,
    pub server: CurveKey,
}

/// A REQ connection to the control socket. A timed-out client is rebuilt, since REQ
/// cannot send again until it has its reply.
pub struct ControlClient {
    ctx: zmq::Context,
    endpoint: String,
    timeout: Duration,
    curve: Option<CurveClient>,
    socket: Option<Connection>,
}

struct Connection {
    req: zmq::Socket,
    /// Handshake failures reported by libzmq's socket monitor (CURVE only): a key the
    /// server refuses is then an error at once, not a silent wait for the timeout.
    monitor: Option<zmq::Socket>,
}

impl ControlClient {
    pub fn new(ctx: &zmq::Context, endpoint: &str, timeout: Duration) -> Self {
        ControlClient {
            ctx: ctx.clone(),
            endpoint: endpoint.to_string(),
            timeout,
            curve: None,
            socket: None,
        }
    }

    /// Speak CURVE to a server started with `--control-auth`.
    pub fn with_curve(mut self, curve: CurveClient) -> Self {
        self.curve = Some(curve);
        self.socket = None;
        self
    }

    fn connect(&self) -> Result<Connection, ClientError> {
        let req = self.ctx.socket(zmq::REQ)?;
        req.set_linger(0)?;
        let mut monitor = None;
        if let Some(c) = &self.curve {
            req.set_curve_serverkey(&c.server.0)?;
            req.set_curve_publickey(&c.keys.public.0)?;
            req.set_curve_secretkey(&c.keys.secret.0)?;
            static MONITORS: AtomicU64 = AtomicU64::new(0);
            let ep = format!(
                "inproc://control-client-monitor-{}-{}",
                std::process::id(),
                MONITORS.fetch_add(1, Ordering::Relaxed)
            );
            let events = zmq::SocketEvent::HANDSHAKE_FAILED_AUTH as i32
                | zmq::SocketEvent::HANDSHAKE_FAILED_PROTOCOL as i32
                | zmq::SocketEvent::HANDSHAKE_FAILED_NO_DETAIL as i32;
            req.monitor(&ep, events)?;
            let pair = self.ctx.socket(zmq::PAIR)?;
            pair.set_linger(0)?;
            pair.connect(&ep)?;
            monitor = Some(pair);
        }
        req.connect(&self.endpoint)?;
        Ok(Connection { req, monitor })
    }

    /// Send raw bytes, get the reply as JSON.
    pub fn request_raw(&mut self, body: &[u8]) -> Result<Value, ClientError> {
        let conn = match self.socket.take() {
            Some(c) => c,
            None => self.connect()?,
        };
        conn.req.send(body, 0)?;
        let deadline = Instant::now() + self.timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(ClientError::Timeout {
                    endpoint: self.endpoint.clone(),
                    timeout: self.timeout,
                });
            }
            let mut items = vec![conn.req.as_poll_item(zmq::POLLIN)];
            if let Some(m) = &conn.monitor {
                items.push(m.as_poll_item(zmq::POLLIN));
            }
            zmq::poll(&mut items, left.as_millis().max(1) as i64)?;
            if items.get(1).is_some_and(|i| i.is_readable()) {
                if let Some(why) = conn.monitor.as_ref().and_then(handshake_failure) {
                    return Err(ClientError::Refused {
                        endpoint: self.endpoint.clone(),
                        why,
                    });
                }
            }
            if items[0].is_readable() {
                let reply = conn.req.recv_bytes(0)?;
                self.socket = Some(conn);
                return serde_json::from_slice(&reply)
                    .map_err(|e| ClientError::BadReply(e.to_string()));
            }
        }
    }

    pub fn request(&mut self, request: &Value) -> Result<Value, ClientError> {
        self.request_raw(request.to_string().as_bytes())
    }
}

/// A monitor event, read: `[u16 event, u32 value]` in host byte order, then the endpoint.
fn handshake_failure(monitor: &zmq::Socket) -> Option<String> {
    let frames = monitor.recv_multipart(zmq::DONTWAIT).ok()?;
    let head = frames.first()?;
    let event = u16::from_ne_bytes([*head.first()?, *head.get(1)?]);
    let value = u32::from_ne_bytes(head.get(2..6)?.try_into().ok()?);
    let auth = zmq::SocketEvent::HANDSHAKE_FAILED_AUTH as u16;
    Some(if event == auth {
        format!(
            "the server does not know this client key (ZAP status {value}); ask its operator to add the public key to the access file"
        )
    } else {
        "the handshake failed: wrong server key, or the server does not speak CURVE".to_string()
    })
}
