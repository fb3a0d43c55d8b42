//! A FIX message from a venue or a client: QuickFIX's parser, then what the gateway and the
//! paper venue read of it. The body, and its properties, are in `fuzz-bodies`.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| robofleet_fuzz_bodies::fix_message(data));
