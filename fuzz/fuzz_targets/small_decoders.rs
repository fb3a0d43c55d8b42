//! Paging cursors (from control requests) and panic buffers (from plugins).
#![no_main]
use libfuzzer_sys::fuzz_target;
use robofleet::store::Cursor;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(c) = Cursor::parse(text) {
            // A parsed cursor prints to text that parses back to it.
            assert_eq!(Cursor::parse(&c.to_string()), Ok(c));
        }
    }
    let (message, frames) = robofleet_api::panics::split_panic_buffer(data);
    assert!(message.len() <= data.len() && frames.len() <= data.len() / 8);
});
