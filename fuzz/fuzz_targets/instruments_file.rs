//! An `instruments.toml`: parsed or refused; what parses writes back to the same specs.
//! The body, and its properties, are in `fuzz-bodies` (shared with the short stable runs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| robofleet_fuzz_bodies::instruments_file(data));
