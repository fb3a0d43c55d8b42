//! A checkpoint file's bytes (`N.rfc`): decoded as a restart decodes it.
//! The body, and its properties, are in `fuzz-bodies` (shared with the short stable runs).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| robofleet_fuzz_bodies::checkpoint_file(data));
