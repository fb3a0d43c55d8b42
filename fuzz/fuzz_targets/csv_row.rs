//! One line of a market data CSV file: parsed or refused with a reason.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(line) = std::str::from_utf8(data) {
        let _ = robofleet::feed::csv::parse_row(line);
    }
});
