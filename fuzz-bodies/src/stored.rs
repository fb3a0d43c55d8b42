//! What the server reads back from disk or a database: a crash, a disk or another writer
//! may have damaged it.

use robofleet::journal::format::{
    check_segment_header, event_header, event_kind_index, next_record, read_symbol, Next,
    RiskRecord,
};
use robofleet::store::embedded::{EmbeddedStore, SyncPolicy};
use robofleet::store::mongo::codec::decode_bytes;
use robofleet::store::{AuditEntry, Order, OrderFilter, Store, Trade};
use robofleet_api::abi::RfMarket;
use std::path::PathBuf;

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

thread_local! {
    /// One folder per thread, reused: a store log is written here for each input.
    static STORE_DIR: PathBuf = {
        let dir = tempfile::Builder::new().prefix("fuzz-store").tempdir().expect("a temp dir");
        dir.keep()
    };
}

/// The first byte picks the reader: an embedded store's log (opened as the server opens
/// it: checksums, JSON records, the order state rules), or a MongoDB document's BSON bytes
/// read as each stored type. Either is read or refused with a reason.
pub fn store_readers(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    if which % 2 == 0 {
        STORE_DIR.with(|dir| {
            let store = dir.join("store");
            let _ = std::fs::create_dir_all(&store);
            let log = store.join("store.log");
            if std::fs::write(&log, rest).is_err() {
                return;
            }
            // Side files of cut tails would pile up: keep only the log.
            if let Ok(entries) = std::fs::read_dir(&store) {
                for e in entries.flatten() {
                    if e.path() != log {
                        let _ = std::fs::remove_file(e.path());
                    }
                }
            }
            if let Ok(s) = EmbeddedStore::open(&store, SyncPolicy::Never) {
                let _ = s.orders(&OrderFilter::default());
                let _ = s.trades(None);
                let _ = s.positions(None);
                let _ = s.audit_log(10);
                let _ = s.instruments();
            }
        });
    } else {
        let _ = decode_bytes::<Order>(rest);
        let _ = decode_bytes::<Trade>(rest);
        let _ = decode_bytes::<robofleet_api::Instrument>(rest);
        let _ = decode_bytes::<AuditEntry>(rest);
    }
}
