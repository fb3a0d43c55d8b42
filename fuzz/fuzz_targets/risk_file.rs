//! A `risk.toml`: parsed or refused; what parses resolves into every robot's limits.
//! The body, and its properties, are in `fuzz-bodies` (shared with the short stable runs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| robofleet_fuzz_bodies::risk_file(data));
