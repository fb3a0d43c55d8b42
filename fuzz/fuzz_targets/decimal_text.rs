//! Decimal text to an exact price: what parses prints back to the same value.
//! The body, and its properties, are in `fuzz-bodies` (shared with the short stable runs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| robofleet_fuzz_bodies::decimal_text(data));
