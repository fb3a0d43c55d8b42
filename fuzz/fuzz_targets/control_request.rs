//! A control request body as a client could send it: parsed, and answered, never a panic.
//! The body, and its properties, are in `fuzz-bodies` (shared with the short stable runs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| robofleet_fuzz_bodies::control_request(data));
