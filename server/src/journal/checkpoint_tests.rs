//! Checkpoint files, the trusted mark, and retention's archives read back.

use super::checkpoint::{self, CheckpointData};
use super::format::{BeginRecord, CheckpointRecord, RecordKind};
use super::retention::{self, Retention};
use super::*;
use robofleet_api::CreateArgs;
use std::ops::ControlFlow;

fn data(seq: u64) -> CheckpointData {
    CheckpointData {
        record: CheckpointRecord {
            seq,
            state_hash: [seq as u8; 32],
            wall_ns: 1,
        },
        begin: BeginRecord {
            args: CreateArgs {
                name: "r".into(),
                params: Default::default(),
                symbols: vec!["Si".into()],
                seed: 3,
                first_order_seq: 1,
            },
            build: "b 1".into(),
            wall_ns: 0,
        },
        build: "b 1".into(),
        snapshot: vec![1, 2, 3],
        params: Default::default(),
        seen_orders: vec![("r-1".into(), (1, 2, 0))],
        seen_fills: vec!["x-1".into()],
        own_orders: vec!["r-1".into()],
    }
}

/// A journal of three segments, each after the first starting with a checkpoint record.
fn journal_with_checkpoints(dir: &std::path::Path) {
    let (mut w, _) = JournalWriter::open(dir, JournalOptions::default()).unwrap();
    w.append(RecordKind::Event, b"first").unwrap();
    for seq in [10u64, 20] {
        let rec = data(seq).record;
        let no = w
            .start_segment_with(
                RecordKind::Checkpoint,
                &postcard::to_allocvec(&rec).unwrap(),
            )
            .unwrap();
        checkpoint::write_file(dir, no, &data(seq)).unwrap();
        w.append(RecordKind::Event, format!("after {seq}").as_bytes())
            .unwrap();
    }
    w.flush().unwrap();
}

fn bodies(dir: &std::path::Path) -> Vec<(RecordKind, Vec<u8>)> {
    let mut out = Vec::new();
    JournalReader::open(dir)
        .unwrap()
        .walk(|r| {
            out.push((r.kind, r.body.to_vec()));
            ControlFlow::Continue(())
        })
        .unwrap();
    out
}

#[test]
fn a_checkpoint_file_reads_back_and_damage_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    checkpoint::write_file(tmp.path(), 4, &data(9)).unwrap();
    assert_eq!(checkpoint::read_file(tmp.path(), 4).unwrap(), data(9));
    let path = checkpoint::file_path(tmp.path(), 4);
    let mut bytes = std::fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    let why = checkpoint::read_file(tmp.path(), 4).unwrap_err();
    assert!(why.contains("damaged"), "{why}");
    std::fs::write(&path, b"RFJRNL\0\0 not a checkpoint").unwrap();
    assert!(checkpoint::read_file(tmp.path(), 4)
        .unwrap_err()
        .contains("not a checkpoint file"));
    let missing = checkpoint::read_file(tmp.path(), 5).unwrap_err();
    assert!(missing.contains("never written"), "{missing}");
}

#[test]
fn checkpoints_are_listed_by_segment_and_trust_only_moves_forward() {
    let tmp = tempfile::tempdir().unwrap();
    journal_with_checkpoints(tmp.path());
    let list = checkpoint::list(tmp.path()).unwrap();
    let found: Vec<(u64, u64)> = list.iter().map(|(no, r)| (*no, r.seq)).collect();
    assert_eq!(found, [(2, 10), (3, 20)]);
    assert_eq!(checkpoint::trusted(tmp.path()), 0);
    checkpoint::set_trusted(tmp.path(), 3).unwrap();
    checkpoint::set_trusted(tmp.path(), 2).unwrap();
    assert_eq!(checkpoint::trusted(tmp.path()), 3);
}

#[test]
fn archived_segments_read_as_they_were_and_deleted_ones_are_gone() {
    let tmp = tempfile::tempdir().unwrap();
    journal_with_checkpoints(tmp.path());
    let before = bodies(tmp.path());
    let done = retention::apply(tmp.path(), 3, Retention::Archive).unwrap();
    assert_eq!(done.archived, 2);
    assert!(tmp.path().join("00000001.rfj.zst").is_file());
    assert!(!tmp.path().join("00000001.rfj").exists());
    assert!(
        !checkpoint::file_path(tmp.path(), 2).exists(),
        "older checkpoint files go"
    );
    assert!(checkpoint::file_path(tmp.path(), 3).exists());
    assert_eq!(
        bodies(tmp.path()),
        before,
        "an archived journal reads the same"
    );
    assert_eq!(checkpoint::list(tmp.path()).unwrap().len(), 2);
    // Appending goes on in the live segment.
    let (mut w, _) = JournalWriter::open(tmp.path(), JournalOptions::default()).unwrap();
    assert_eq!(w.segment_no(), 3);
    w.append(RecordKind::Event, b"more").unwrap();
    drop(w);
    let again = retention::apply(tmp.path(), 3, Retention::Delete).unwrap();
    assert_eq!(again.deleted, 2);
    let left = bodies(tmp.path());
    assert_eq!(
        left[0].0,
        RecordKind::Checkpoint,
        "the journal now starts at a checkpoint"
    );
    let reader = JournalReader::open(tmp.path()).unwrap();
    assert_eq!(
        checkpoint::journal_starts_with(&reader).map(|(no, _)| no),
        Some(3)
    );
}

#[test]
fn a_crash_mid_archive_leaves_the_live_segment_read() {
    let tmp = tempfile::tempdir().unwrap();
    journal_with_checkpoints(tmp.path());
    let before = bodies(tmp.path());
    // An archive half written beside the segment it was made from.
    std::fs::write(
        tmp.path().join("00000001.rfj.zst"),
        b"\x28\xb5\x2f\xfd half",
    )
    .unwrap();
    assert_eq!(bodies(tmp.path()), before);
}
