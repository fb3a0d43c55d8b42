//! A feed message's frames, split from the input at 0xFF bytes: decoded or refused.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let frames: Vec<Vec<u8>> = data.split(|b| *b == 0xFF).map(<[u8]>::to_vec).collect();
    if let Ok(md) = robofleet::market::decode(&frames) {
        // What decodes encodes and decodes to the same.
        let again = robofleet::market::decode(&robofleet::market::encode(&md));
        assert_eq!(again.ok(), Some(md));
    }
});
