//! The client side of the control protocol, used by `robofleet ctl`, the demo and tests.

use serde_json::Value;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("zeromq: {0}")]
    Zmq(#[from] zmq::Error),
    #[error("no reply from {endpoint} within {timeout:?} (is the server running?)")]
    Timeout { endpoint: String, timeout: Duration },
    #[error("reply is not JSON: {0}")]
    BadReply(String),
}

/// A REQ connection to the control socket. A timed-out client is rebuilt, since REQ
/// cannot send again until it has its reply.
pub struct ControlClient {
    ctx: zmq::Context,
    endpoint: String,
    timeout: Duration,
    socket: Option<zmq::Socket>,
}

impl ControlClient {
    pub fn new(ctx: &zmq::Context, endpoint: &str, timeout: Duration) -> Self {
        ControlClient {
            ctx: ctx.clone(),
            endpoint: endpoint.to_string(),
            timeout,
            socket: None,
        }
    }

    /// Send raw bytes, get the reply as JSON.
    pub fn request_raw(&mut self, body: &[u8]) -> Result<Value, ClientError> {
        let socket = match self.socket.take() {
            Some(s) => s,
            None => {
                let s = self.ctx.socket(zmq::REQ)?;
                s.set_linger(0)?;
                s.set_rcvtimeo(self.timeout.as_millis() as i32)?;
                s.connect(&self.endpoint)?;
                s
            }
        };
        socket.send(body, 0)?;
        match socket.recv_bytes(0) {
            Ok(reply) => {
                self.socket = Some(socket);
                serde_json::from_slice(&reply).map_err(|e| ClientError::BadReply(e.to_string()))
            }
            Err(zmq::Error::EAGAIN) => Err(ClientError::Timeout {
                endpoint: self.endpoint.clone(),
                timeout: self.timeout,
            }),
            Err(e) => Err(e.into()),
        }
    }

    pub fn request(&mut self, request: &Value) -> Result<Value, ClientError> {
        self.request_raw(request.to_string().as_bytes())
    }
}
