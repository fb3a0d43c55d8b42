//! A robot's `.toml`, the access file, a CURVE key file, `kill_switch.json`.
//! The body, and its properties, are in `fuzz-bodies` (shared with the short stable runs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| robofleet_fuzz_bodies::config_files(data));
