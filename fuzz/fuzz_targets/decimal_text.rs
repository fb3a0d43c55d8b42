//! Decimal text to an exact price: parsed or refused, never a panic, and what parses prints
//! back to text that parses to the same value.
#![no_main]
use libfuzzer_sys::fuzz_target;
use robofleet_api::{Money, Price};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(p) = text.parse::<Price>() {
            assert_eq!(p.to_string().parse::<Price>().ok(), Some(p));
        }
        if let Ok(m) = text.parse::<Money>() {
            assert_eq!(m.to_string().parse::<Money>().ok(), Some(m));
        }
    }
});
