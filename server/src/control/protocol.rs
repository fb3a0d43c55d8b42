use serde::Deserialize;
use serde_json::{json, Value};

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
    Shutdown,
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

/// Parse a request body; every way it can be wrong becomes a `CtlError`, returned with the
/// request's `id` whenever the body was an object that had one.
pub fn parse(body: &[u8]) -> (Result<Request, CtlError>, Option<Value>) {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            let err = CtlError::new("bad_json", format!("request is not valid JSON: {e}"));
            return (Err(err), None);
        }
    };
    let id = value.get("id").cloned();
    (parse_value(value), id)
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

pub fn ok_reply(result: Value, id: Option<&Value>) -> Vec<u8> {
    let mut reply = json!({"ok": true, "result": result});
    if let Some(id) = id {
        reply["id"] = id.clone();
    }
    serde_json::to_vec(&reply).unwrap_or_default()
}

pub fn error_reply(err: &CtlError, id: Option<&Value>) -> Vec<u8> {
    let mut reply = json!({"ok": false, "error": {"code": err.code, "message": err.message}});
    if let Some(id) = id {
        reply["id"] = id.clone();
    }
    serde_json::to_vec(&reply).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(parse(br#"{"cmd":"fly","id":10}"#).1, Some(json!(10)));
    }
}
