//! A file dropped into the plugin folder: the in-process ELF check answers, never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = robofleet::plugin::probe::check_elf(data);
});
