//! A segment of the SQLite store's ahead log: read as a reopened store reads it.
//! The body, and its properties, are in `fuzz-bodies` (shared with the short stable runs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| robofleet_fuzz_bodies::ahead_log(data));
