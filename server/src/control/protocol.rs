use super::auth::Role;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::HashMap;

/// One control request. The JSON object's `cmd` field picks the variant.
#[derive(Debug, Deserialize)]
#[serde(tag = "cmd", rename_all = "snake_case")]
pub enum Request {
    List,
    Status {
        robot: Option<String>,
    },
    Start {
        robot: String,
    },
    Stop {
        robot: String,
    },
    Pause {
        robot: String,
    },
    Resume {
        robot: String,
    },
    /// Back to `ACTIVE` after the pre-trade checks halted or reduced the robot.
    ResumeTrading {
        robot: String,
    },
    Reload {
        robot: String,
    },
    SetParams {
        robot: String,
        params: Value,
    },
    Command {
        robot: String,
        name: String,
        #[serde(default)]
        args: String,
    },
    Positions {
        robot: Option<String>,
    },
    Orders {
        robot: Option<String>,
        #[serde(default)]
        open_only: bool,
        symbol: Option<String>,
        /// An order status name (`"Filled"`); checked by `paging`, for a `bad_field` error.
        status: Option<String>,
        limit: Option<Value>,
        before: Option<Value>,
        after: Option<Value>,
    },
    Trades {
        robot: Option<String>,
        symbol: Option<String>,
        limit: Option<Value>,
        before: Option<Value>,
        after: Option<Value>,
    },
    Stats,
    Instruments,
    ReloadInstruments,
    /// The newest entries of the control plane's audit log.
    Audit {
        limit: Option<Value>,
    },
    /// Engage the fleet's latching kill switch: halt every robot, cancel every working order.
    KillSwitch {
        #[serde(default)]
        reason: Option<String>,
    },
    /// Reset the kill switch: robots may trade again (their own trading states apply).
    ResetKillSwitch,
    /// Read `<data>/risk.toml` again; each running robot gets its new limits.
    ReloadLimits,
    /// Back to `ACTIVE` after an account's loss reduced or halted it.
    ResumeAccount {
        account: String,
    },
    Shutdown,
}

impl Request {
    /// The request's `cmd`, as the audit log names it.
    pub fn cmd(&self) -> &'static str {
        match self {
            Request::List => "list",
            Request::Status { .. } => "status",
            Request::Start { .. } => "start",
            Request::Stop { .. } => "stop",
            Request::Pause { .. } => "pause",
            Request::Resume { .. } => "resume",
            Request::ResumeTrading { .. } => "resume_trading",
            Request::Reload { .. } => "reload",
            Request::SetParams { .. } => "set_params",
            Request::Command { .. } => "command",
            Request::Positions { .. } => "positions",
            Request::Orders { .. } => "orders",
            Request::Trades { .. } => "trades",
            Request::Stats => "stats",
            Request::Instruments => "instruments",
            Request::ReloadInstruments => "reload_instruments",
            Request::Audit { .. } => "audit",
            Request::KillSwitch { .. } => "kill_switch",
            Request::ResetKillSwitch => "reset_kill_switch",
            Request::ReloadLimits => "reload_limits",
            Request::ResumeAccount { .. } => "resume_account",
            Request::Shutdown => "shutdown",
        }
    }

    /// The least role that may send it; anything above `viewer` changes something and is
    /// written to the audit log.
    pub fn role(&self) -> Role {
        match self {
            Request::List
            | Request::Status { .. }
            | Request::Positions { .. }
            | Request::Orders { .. }
            | Request::Trades { .. }
            | Request::Stats
            | Request::Instruments
            | Request::Audit { .. } => Role::Viewer,
            Request::Pause { .. }
            | Request::Resume { .. }
            | Request::SetParams { .. }
            | Request::Command { .. } => Role::Trader,
            Request::Start { .. }
            | Request::Stop { .. }
            | Request::Reload { .. }
            | Request::ResumeTrading { .. }
            | Request::ReloadInstruments
            | Request::KillSwitch { .. }
            | Request::ResetKillSwitch
            | Request::ReloadLimits
            | Request::ResumeAccount { .. }
            | Request::Shutdown => Role::Admin,
        }
    }
}

/// An error reply: a stable machine-readable code and a message for people.
#[derive(Debug, Clone, PartialEq)]
pub struct CtlError {
    pub code: &'static str,
    pub message: String,
}

impl CtlError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        CtlError {
            code,
            message: message.into(),
        }
    }

    pub fn unknown_robot(robot: &str) -> Self {
        CtlError::new("unknown_robot", format!("no robot named {robot:?}"))
    }
}

/// A request's `id`, kept as the exact JSON text the client sent. Parsed into a `Value` it
/// would not come back unchanged: an integer above 2^64 turns into a float, a string's
/// escapes and an object's spacing are rewritten. The reply splices this text back in.
#[derive(Debug, Clone)]
pub struct RequestId(Box<RawValue>);

/// Parse a request body; every way it can be wrong becomes a `CtlError`, returned with the
/// request's `id` whenever the body was an object that had one.
pub fn parse(body: &[u8]) -> (Result<Request, CtlError>, Option<RequestId>) {
    // An object is read as raw field texts first, so the id is kept as sent and need not
    // fit a `Value` at all (`1e400` is valid JSON that no f64 holds).
    // A map, not a struct with an `id` field: a key given twice is then the last one, as
    // `Value` has it (a struct would refuse the duplicate).
    let Ok(mut fields) = serde_json::from_slice::<HashMap<String, Box<RawValue>>>(body) else {
        // Not an object, or not JSON: `Value` says which, in its own words.
        return match serde_json::from_slice::<Value>(body) {
            Ok(value) => (parse_value(value), None),
            Err(e) => {
                let err = CtlError::new("bad_json", format!("request is not valid JSON: {e}"));
                (Err(err), None)
            }
        };
    };
    let id = fields.remove("id").map(RequestId);
    let mut map = serde_json::Map::new();
    for (name, raw) in fields {
        match serde_json::from_str::<Value>(raw.get()) {
            Ok(value) => {
                map.insert(name, value);
            }
            // Valid JSON the server cannot represent, such as a number beyond f64.
            Err(e) => {
                let err = CtlError::new("bad_request", format!("field {name:?}: {e}"));
                return (Err(err), id);
            }
        }
    }
    (parse_value(Value::Object(map)), id)
}

fn parse_value(value: Value) -> Result<Request, CtlError> {
    let Value::Object(map) = &value else {
        return Err(CtlError::new(
            "bad_request",
            "request must be a JSON object",
        ));
    };
    match map.get("cmd") {
        Some(Value::String(_)) => {}
        Some(_) => return Err(CtlError::new("bad_request", "\"cmd\" must be a string")),
        None => return Err(CtlError::new("bad_request", "request has no \"cmd\" field")),
    }
    serde_json::from_value::<Request>(value).map_err(|e| {
        let msg = e.to_string();
        if msg.starts_with("unknown variant") {
            CtlError::new("unknown_command", msg)
        } else {
            CtlError::new("bad_request", msg)
        }
    })
}

/// A reply as sent. Fields in alphabetical order, as the examples in the docs show them
/// (the order is not part of the protocol).
#[derive(Serialize)]
struct Reply<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ErrorBody<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a RawValue>,
    ok: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    result: Option<&'a Value>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: &'a str,
}

fn encode(reply: &Reply) -> Vec<u8> {
    // Serializing a `Value` and raw JSON text into a Vec cannot fail; should it ever, the
    // client gets an empty body (`bad_json` on its side) rather than the server a panic.
    serde_json::to_vec(reply).unwrap_or_default()
}

pub fn ok_reply(result: Value, id: Option<&RequestId>) -> Vec<u8> {
    encode(&Reply {
        error: None,
        id: id.map(|i| &*i.0),
        ok: true,
        result: Some(&result),
    })
}

pub fn error_reply(err: &CtlError, id: Option<&RequestId>) -> Vec<u8> {
    encode(&Reply {
        error: Some(ErrorBody {
            code: err.code,
            message: &err.message,
        }),
        id: id.map(|i| &*i.0),
        ok: false,
        result: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_errors_have_codes() {
        let code = |b: &[u8]| parse(b).0.unwrap_err().code;
        assert_eq!(code(b"{nope"), "bad_json");
        assert_eq!(code(b"[1,2]"), "bad_request");
        assert_eq!(code(br#"{"robot":"x"}"#), "bad_request");
        assert_eq!(code(br#"{"cmd":7}"#), "bad_request");
        assert_eq!(code(br#"{"cmd":"explode"}"#), "unknown_command");
        assert_eq!(code(br#"{"cmd":"stop"}"#), "bad_request");
        assert!(matches!(
            parse(br#"{"cmd":"list","id":5}"#),
            (Ok(Request::List), Some(_))
        ));
        assert!(matches!(
            parse(br#"{"cmd":"set_params","robot":"a","params":{"x":1}}"#),
            (Ok(Request::SetParams { .. }), None)
        ));
        // The id comes back even when the request is wrong.
        let id = parse(br#"{"cmd":"fly","id":10}"#).1;
        assert_eq!(id.as_ref().map(|i| i.0.get()), Some("10"));
    }

    /// The reply carries the id's text exactly as sent, whatever a `Value` would make of it.
    #[test]
    fn the_id_is_echoed_byte_for_byte() {
        for id in [
            "18446744073709551617",
            "1e400",
            "-9223372036854775809",
            "1.50",
            "1e3",
            r#""caf\u00e9 \/ tab\t""#,
            r#"{"seq": [1, "a"],  "z" : null}"#,
            "null",
        ] {
            let body = format!(r#"{{"cmd": "list", "id": {id}}}"#);
            let (request, got) = parse(body.as_bytes());
            assert!(request.is_ok(), "{body}");
            let reply = ok_reply(json!([]), got.as_ref());
            let text = String::from_utf8(reply).unwrap();
            assert_eq!(text, format!(r#"{{"id":{id},"ok":true,"result":[]}}"#));
            let err = error_reply(&CtlError::unknown_robot("x"), got.as_ref());
            assert!(String::from_utf8(err)
                .unwrap()
                .contains(&format!(r#""id":{id},"#)));
        }
        // A key given twice: the last one, as for every other field.
        let (_, got) = parse(br#"{"cmd":"list","id":1,"id":2}"#);
        assert_eq!(got.as_ref().map(|i| i.0.get()), Some("2"));
        // Only the id may be beyond what the server can hold; elsewhere it is a bad request.
        let (request, got) = parse(br#"{"cmd":"list","id":7,"x":1e400}"#);
        assert_eq!(request.unwrap_err().code, "bad_request");
        assert_eq!(got.as_ref().map(|i| i.0.get()), Some("7"));
        // No id, no id key.
        let reply = ok_reply(json!("x"), parse(br#"{"cmd":"list"}"#).1.as_ref());
        assert_eq!(reply, br#"{"ok":true,"result":"x"}"#);
    }
}
