use super::format::{self, RecordKind};
use super::*;
use std::io::Write;
use std::ops::ControlFlow;

/// Every record and the summary, read by `walk` and by `walk_ahead`, which must agree.
fn records(dir: &std::path::Path) -> (Vec<(RecordKind, Vec<u8>)>, WalkSummary) {
    let reader = JournalReader::open(dir).unwrap();
    let (mut here, mut ahead) = (Vec::new(), Vec::new());
    let summary = reader
        .walk(|r| {
            here.push((r.kind, r.body.to_vec()));
            ControlFlow::Continue(())
        })
        .unwrap();
    let summary_ahead = reader
        .walk_ahead(|r| {
            ahead.push((r.kind, r.body.to_vec()));
            ControlFlow::Continue(())
        })
        .unwrap();
    assert!(here == ahead, "walk_ahead gave other records than walk");
    assert_eq!(summary, summary_ahead);
    (here, summary)
}

fn last_segment(dir: &std::path::Path) -> std::path::PathBuf {
    list_segments(dir).unwrap().pop().unwrap().1
}

#[test]
fn records_come_back_in_order_across_reopen() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let (mut w, repair) = JournalWriter::open(tmp.path(), JournalOptions::default()).unwrap();
        assert_eq!(repair, TailRepair::default());
        w.append(RecordKind::Event, b"one").unwrap();
        w.append(RecordKind::Actions, b"two").unwrap();
    }
    let (mut w, _) = JournalWriter::open(tmp.path(), JournalOptions::default()).unwrap();
    w.append(RecordKind::Event, b"three").unwrap();
    w.flush().unwrap();
    let (recs, summary) = records(tmp.path());
    let bodies: Vec<&[u8]> = recs.iter().map(|(_, b)| b.as_slice()).collect();
    assert_eq!(bodies, [&b"one"[..], b"two", b"three"]);
    assert_eq!(recs[1].0, RecordKind::Actions);
    assert_eq!(summary.torn_tail, None);
}

#[test]
fn a_torn_tail_is_reported_then_cut_at_open() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let (mut w, _) = JournalWriter::open(tmp.path(), JournalOptions::default()).unwrap();
        w.append(RecordKind::Event, b"kept").unwrap();
        w.append(RecordKind::Event, b"torn record body").unwrap();
    }
    let seg = last_segment(tmp.path());
    let len = std::fs::metadata(&seg).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&seg)
        .unwrap()
        .set_len(len - 5)
        .unwrap();
    let (recs, summary) = records(tmp.path());
    assert_eq!(recs.len(), 1);
    assert!(summary.torn_tail.unwrap().contains("cut short"));

    let (mut w, repair) = JournalWriter::open(tmp.path(), JournalOptions::default()).unwrap();
    assert_eq!(repair.cut_bytes, 8 + 17 - 5);
    w.append(RecordKind::Event, b"after").unwrap();
    drop(w);
    let (recs, summary) = records(tmp.path());
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[1].1, b"after");
    assert_eq!(summary.torn_tail, None);
}

#[test]
fn a_flipped_bit_fails_the_checksum() {
    let tmp = tempfile::tempdir().unwrap();
    {
        let (mut w, _) = JournalWriter::open(tmp.path(), JournalOptions::default()).unwrap();
        w.append(RecordKind::Event, b"first").unwrap();
        w.append(RecordKind::Event, b"second").unwrap();
    }
    let seg = last_segment(tmp.path());
    let mut bytes = std::fs::read(&seg).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(&seg, &bytes).unwrap();
    let (recs, summary) = records(tmp.path());
    assert_eq!(recs.len(), 1);
    assert!(summary.torn_tail.unwrap().contains("checksum"));
}

#[test]
fn damage_before_the_last_segment_is_an_error_not_a_tail() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = JournalOptions {
        segment_bytes: 64,
        ..JournalOptions::default()
    };
    {
        let (mut w, _) = JournalWriter::open(tmp.path(), opts).unwrap();
        for i in 0..20u8 {
            w.append(RecordKind::Event, &[i; 20]).unwrap();
        }
    }
    let segments = list_segments(tmp.path()).unwrap();
    assert!(segments.len() > 3, "small segments roll over");
    let (recs, _) = records(tmp.path());
    assert_eq!(recs.len(), 20);
    assert_eq!(recs[19].1, [19u8; 20]);

    let first = &segments[0].1;
    let mut bytes = std::fs::read(first).unwrap();
    bytes[format::SEGMENT_HEADER_LEN + 10] ^= 0xff;
    std::fs::write(first, &bytes).unwrap();
    let err = JournalReader::open(tmp.path())
        .unwrap()
        .walk(|_| ControlFlow::Continue(()))
        .unwrap_err();
    assert!(matches!(err, JournalError::Corrupt { .. }), "{err}");
    let err = JournalReader::open(tmp.path())
        .unwrap()
        .walk_ahead(|_| ControlFlow::Continue(()))
        .unwrap_err();
    assert!(matches!(err, JournalError::Corrupt { .. }), "{err}");
}

#[test]
fn a_file_that_is_not_a_journal_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut f = std::fs::File::create(tmp.path().join("00000001.rfj")).unwrap();
    f.write_all(b"this is not a journal segment at all")
        .unwrap();
    drop(f);
    assert!(JournalWriter::open(tmp.path(), JournalOptions::default()).is_err());
}

#[test]
fn sync_policies_parse() {
    use std::time::Duration;
    assert_eq!("os".parse::<JournalSync>(), Ok(JournalSync::Os));
    assert_eq!("always".parse::<JournalSync>(), Ok(JournalSync::Always));
    assert_eq!(
        "batch:5ms".parse::<JournalSync>(),
        Ok(JournalSync::Batch(Duration::from_millis(5)))
    );
    assert!("sometimes".parse::<JournalSync>().is_err());
}

#[test]
fn event_header_reads_seq_and_ts_without_decoding() {
    use robofleet_api::{Event, EventKind};
    let ev = Event {
        seq: 300,
        ts: -1_700_000_000_123,
        kind: EventKind::Timer { id: 1 },
    };
    let bytes = postcard::to_allocvec(&ev).unwrap();
    assert_eq!(
        format::event_header(&bytes),
        Some((300, -1_700_000_000_123))
    );
    assert_eq!(format::event_kind_index(&bytes), Some(9));
    assert_eq!(
        postcard::to_allocvec(&Vec::<robofleet_api::Action>::new()).unwrap(),
        format::EMPTY_ACTIONS
    );
}

#[test]
fn records_across_and_beyond_read_chunks_come_back_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bodies: Vec<Vec<u8>> = (0..40_000u32)
        .map(|i| vec![i as u8; (i as usize * 7) % 301])
        .collect();
    bodies.insert(20_000, vec![7u8; 700 << 10]); // larger than a read chunk
    {
        let (mut w, _) = JournalWriter::open(tmp.path(), JournalOptions::default()).unwrap();
        for b in &bodies {
            w.append(RecordKind::Event, b).unwrap();
        }
    }
    let (recs, summary) = records(tmp.path());
    assert_eq!(recs.len(), bodies.len());
    assert!(recs.iter().zip(&bodies).all(|((_, got), want)| got == want));
    // A walk ahead stopped part way (several chunks in) saw exactly the records up to there.
    let mut seen = 0usize;
    let stopped = JournalReader::open(tmp.path())
        .unwrap()
        .walk_ahead(|r| {
            assert_eq!(r.body, bodies[seen].as_slice());
            seen += 1;
            if seen == 30_000 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .unwrap();
    assert_eq!((seen, stopped.records), (30_000, 30_000));
    let len = std::fs::metadata(last_segment(tmp.path())).unwrap().len();
    assert_eq!(summary.bytes, len - format::SEGMENT_HEADER_LEN as u64);
    assert_eq!(summary.torn_tail, None);

    // Cut the last record short: the tail is reported at its offset in the segment.
    let last_len = (format::RECORD_HEADER_LEN + 1 + bodies.last().unwrap().len()) as u64;
    let seg = last_segment(tmp.path());
    let file = std::fs::OpenOptions::new().write(true).open(&seg).unwrap();
    file.set_len(len - 3).unwrap();
    let (recs, summary) = records(tmp.path());
    assert_eq!(recs.len(), bodies.len() - 1);
    let tail = summary.torn_tail.unwrap();
    assert!(
        tail.ends_with(&format!("at byte {}", len - last_len)),
        "{tail}"
    );
}

#[test]
fn batched_sync_happens_in_the_background_once_per_batch_and_never_when_idle() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = JournalOptions {
        sync: JournalSync::Batch(std::time::Duration::from_millis(50)),
        ..JournalOptions::default()
    };
    let (mut w, _) = JournalWriter::open(tmp.path(), opts).unwrap();
    // Many write-ahead flushes within one batch interval: one background fsync for them all.
    for i in 0..100u32 {
        w.append(RecordKind::Event, &i.to_le_bytes()).unwrap();
        w.flush().unwrap();
    }
    assert_eq!(w.background_syncs(), 0, "synced before the batch was due");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while w.background_syncs() == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    assert_eq!(w.background_syncs(), 1);
    // Nothing written since: nothing more to sync.
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(w.background_syncs(), 1);
    w.flush().unwrap();
    assert_eq!(records(tmp.path()).0.len(), 100);

    // `os` never syncs in the background.
    let tmp = tempfile::tempdir().unwrap();
    let opts = JournalOptions {
        sync: JournalSync::Os,
        ..JournalOptions::default()
    };
    let (mut w, _) = JournalWriter::open(tmp.path(), opts).unwrap();
    w.append(RecordKind::Event, b"x").unwrap();
    w.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    assert_eq!(w.background_syncs(), 0);
}

#[test]
fn a_journal_from_before_abi_3_is_refused_naming_its_version() {
    for (version, says) in [
        (
            1u32,
            "journal format version 1 (written before plugin ABI 3",
        ),
        (
            2,
            "journal format version 2 (written before plugin ABI 3's market records)",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        {
            let (mut w, _) = JournalWriter::open(tmp.path(), JournalOptions::default()).unwrap();
            w.append(RecordKind::Event, b"one").unwrap();
            w.flush().unwrap();
        }
        // Rewrite the segment's version field, as an older build wrote it.
        let seg = last_segment(tmp.path());
        let mut bytes = std::fs::read(&seg).unwrap();
        bytes[8..12].copy_from_slice(&version.to_le_bytes());
        std::fs::write(&seg, bytes).unwrap();
        let err = match JournalReader::open(tmp.path())
            .and_then(|r| r.walk(|_| ControlFlow::Continue(())))
        {
            Ok(_) => panic!("a version {version} journal was read"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains(says), "{err}");
        assert!(err.contains("this build reads version 3"), "{err}");
    }
}

#[test]
fn symbol_records_round_trip() {
    let mut body = Vec::new();
    format::symbol_body(7, "SiZ6", &mut body);
    assert_eq!(format::read_symbol(&body), Some((7, "SiZ6")));
    assert_eq!(format::read_symbol(&body[..3]), None);
    assert_eq!(format::read_symbol(&[0, 0, 0, 0, 0xff]), None);
}
