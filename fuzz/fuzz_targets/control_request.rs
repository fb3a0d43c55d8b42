//! A control request body as a client could send it: parsed, and answered, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use robofleet::control::protocol::{error_reply, ok_reply, parse};

fuzz_target!(|body: &[u8]| {
    let (parsed, id) = parse(body);
    let reply = match parsed {
        Ok(_) => ok_reply(serde_json::Value::Null, id.as_ref()),
        Err(e) => error_reply(&e, id.as_ref()),
    };
    // Every reply is one JSON object.
    let value: serde_json::Value = serde_json::from_slice(&reply).expect("reply is JSON");
    assert!(value.is_object());
});
