//! What the server reads back from disk or a database: a crash, a disk or another writer
//! may have damaged it.

use robofleet::journal::checkpoint::{decode_file, encode_file};
use robofleet::journal::format::{
    check_segment_header, event_header, event_kind_index, next_record, read_symbol, Next,
    RiskRecord,
};
use robofleet::store::embedded::read_log_bytes;
use robofleet::store::mongo::codec::decode_bytes;
use robofleet::store::sqlite::ahead::{frame, read_frames};
use robofleet::store::{AuditEntry, Order, Trade};
use robofleet_api::abi::RfMarket;

/// A journal segment's bytes: walked record by record (the walk always moves forward),
/// each body decoded as recovery and replay decode it.
pub fn journal_records(data: &[u8]) {
    let _ = check_segment_header(data);
    let mut pos = 0;
    while let Next::Record(record, next) = next_record(data, pos) {
        assert!(next > pos);
        let _ = event_header(record.body);
        let _ = event_kind_index(record.body);
        let _ = postcard::from_bytes::<robofleet_api::Event>(record.body);
        let _ = postcard::from_bytes::<RiskRecord>(record.body);
        let _ = read_symbol(record.body);
        let mut levels = Vec::new();
        if let Some(rec) = RfMarket::from_journal_body(record.body, &mut levels) {
            let span = rec.level_span();
            assert!(span.is_some_and(|(first, n)| first + n <= levels.len()));
            let _ = rec.to_event("X", &levels);
        }
        pos = next;
    }
}

/// A checkpoint file's bytes (`N.rfc`), as a restart reads them: decoded or refused with a
/// reason. What decodes encodes to bytes that decode and encode to the same bytes.
pub fn checkpoint_file(data: &[u8]) {
    if let Ok(cp) = decode_file(data) {
        let again = encode_file(&cp).expect("a decoded checkpoint encodes");
        let back = decode_file(&again).expect("an encoded checkpoint decodes");
        assert_eq!(encode_file(&back).ok(), Some(again));
    }
}

/// A segment of the SQLite store's ahead log, as a reopened store reads it: the changes up
/// to the first damaged or cut-short record, never past the input. What is read frames back
/// to bytes that read whole, to the same changes.
pub fn ahead_log(data: &[u8]) {
    let mut changes = Vec::new();
    let whole = read_frames(data, 0, &mut changes);
    assert!(whole <= data.len());
    let mut again = Vec::new();
    for (op, change) in &changes {
        frame(*op, change, &mut again).expect("a change read frames again");
    }
    let mut back = Vec::new();
    assert_eq!(read_frames(&again, 0, &mut back), again.len());
    assert_eq!(back.len(), changes.len());
    let mut twice = Vec::new();
    for (op, change) in &back {
        frame(*op, change, &mut twice).expect("a change read frames again");
    }
    assert_eq!(twice, again);
}

/// The first byte picks the reader: an embedded store's log (read as the server reads it at
/// open: checksums, JSON records, the order state rules), or a MongoDB document's BSON bytes
/// read as each stored type. Either is read or refused with a reason.
pub fn store_readers(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    if which % 2 == 0 {
        // The store's own reader of its log, on the bytes: what open() replays.
        if let Ok(summary) = read_log_bytes(rest) {
            // What open() keeps after cutting a torn tail reads back the same.
            let kept = usize::try_from(summary.good_bytes).expect("within the input");
            assert!(kept <= rest.len());
            assert_eq!(read_log_bytes(&rest[..kept]).ok(), Some(summary));
        }
    } else {
        let _ = decode_bytes::<Order>(rest);
        let _ = decode_bytes::<Trade>(rest);
        let _ = decode_bytes::<robofleet_api::Instrument>(rest);
        let _ = decode_bytes::<AuditEntry>(rest);
    }
}
