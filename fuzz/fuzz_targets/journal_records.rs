//! A journal segment's bytes: walked record by record, each body decoded (events, symbols,
//! market records), as recovery and replay read a journal that a crash or a disk may have
//! damaged.
#![no_main]
use libfuzzer_sys::fuzz_target;
use robofleet::journal::format::{
    check_segment_header, event_header, event_kind_index, next_record, read_symbol, Next,
};
use robofleet_api::abi::RfMarket;

fuzz_target!(|data: &[u8]| {
    let _ = check_segment_header(data);
    let mut pos = 0;
    while let Next::Record(record, next) = next_record(data, pos) {
        assert!(next > pos);
        let _ = event_header(record.body);
        let _ = event_kind_index(record.body);
        let _ = postcard::from_bytes::<robofleet_api::Event>(record.body);
        // Symbol and Market records: a market record's levels must be what it counts.
        let _ = read_symbol(record.body);
        let mut levels = Vec::new();
        if let Some(rec) = RfMarket::from_journal_body(record.body, &mut levels) {
            let span = rec.level_span();
            assert!(span.is_some_and(|(first, n)| first + n <= levels.len()));
            let _ = rec.to_event("X", &levels);
        }
        pos = next;
    }
});
