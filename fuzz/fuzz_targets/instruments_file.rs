//! An `instruments.toml`: parsed into checked specs or refused with a reason, never a panic;
//! what parses writes back to text that parses to the same specs.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(specs) = robofleet::instruments::parse(text) {
            let again = robofleet::instruments::parse(&robofleet::instruments::to_toml(&specs));
            assert_eq!(again.ok(), Some(specs));
        }
    }
});
