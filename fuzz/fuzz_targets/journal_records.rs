//! A journal segment's bytes: walked record by record, each event body decoded, as recovery
//! and replay read a journal that a crash or a disk may have damaged.
#![no_main]
use libfuzzer_sys::fuzz_target;
use robofleet::journal::format::{
    check_segment_header, event_header, event_kind_index, next_record, Next,
};

fuzz_target!(|data: &[u8]| {
    let _ = check_segment_header(data);
    let mut pos = 0;
    while let Next::Record(record, next) = next_record(data, pos) {
        assert!(next > pos);
        let _ = event_header(record.body);
        let _ = event_kind_index(record.body);
        let _ = postcard::from_bytes::<robofleet_api::Event>(record.body);
        pos = next;
    }
});
