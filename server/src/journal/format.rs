//! The journal's on-disk format: segments of length-prefixed, checksummed records.
//!
//! A segment starts with a 16-byte header (`MAGIC`, format version, reserved). Each record is
//! `len: u32 LE | crc32(payload): u32 LE | payload`, where the payload's first byte is the
//! [`RecordKind`] and the rest its body. Event, market and action bodies are the exact bytes
//! that cross the plugin boundary (postcard, or a market record's fixed layout), so a replay
//! hands them to the robot without re-encoding and compares actions byte for byte.

use robofleet_api::CreateArgs;
use serde::{Deserialize, Serialize};

pub const MAGIC: [u8; 8] = *b"RFJRNL\0\0";
/// 3: ABI 3's market records (`Symbol` and `Market` records). Version 2 held market data as
/// postcard events, version 1 floats; both are refused, not converted (see `docs/journal.md`).
pub const FORMAT_VERSION: u32 = 3;
pub const SEGMENT_HEADER_LEN: usize = 16;
pub const RECORD_HEADER_LEN: usize = 8;
/// No record is larger; a length field beyond it is corruption, not a record.
pub const MAX_RECORD_LEN: usize = 16 << 20;
/// postcard of an empty `Vec<Action>`: what a robot returns when it does nothing.
pub const EMPTY_ACTIONS: &[u8] = &[0];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum RecordKind {
    /// The robot was created from these args: its state starts here.
    Begin = 1,
    /// The server went on from the state rebuilt by replay (restart or new build).
    Resume = 2,
    /// One input event, postcard `Event`, before the robot handled it.
    Event = 3,
    /// The non-empty postcard `Vec<Action>` the robot returned for the event just before.
    Actions = 4,
    /// A graceful end: the robot's state hash after its `Stop`.
    End = 5,
    /// The robot failed (panic or error) on the event just before.
    Failed = 6,
    /// A symbol id the market records after it carry: `id: u32 LE | name (UTF-8)`.
    Symbol = 7,
    /// One market event as it crossed the boundary: an `RfMarket`'s 72 bytes.
    Market = 8,
    /// An input of the robot's risk checks (limits in force, an operator's resume, the kill
    /// switch), postcard [`RiskRecord`]: never handed to the robot.
    Risk = 9,
    /// The robot's state was checkpointed here (postcard [`CheckpointRecord`]): always the
    /// first record of a segment, its snapshot in the `.rfc` file of the same number.
    Checkpoint = 10,
}

impl RecordKind {
    pub fn from_byte(b: u8) -> Option<RecordKind> {
        Some(match b {
            1 => RecordKind::Begin,
            2 => RecordKind::Resume,
            3 => RecordKind::Event,
            4 => RecordKind::Actions,
            5 => RecordKind::End,
            6 => RecordKind::Failed,
            7 => RecordKind::Symbol,
            8 => RecordKind::Market,
            9 => RecordKind::Risk,
            10 => RecordKind::Checkpoint,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BeginRecord {
    pub args: CreateArgs,
    /// `<crate> <version>` of the plugin build.
    pub build: String,
    pub wall_ns: i64,
}

/// A change to what the robot's checks decide by, from `wall_ns` on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RiskRecord {
    pub wall_ns: i64,
    pub change: RiskChange,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum RiskChange {
    /// The limits in force from now, as JSON (`RobotLimits`); `None`: no checks.
    Limits(Option<String>),
    /// An operator's `resume_trading`.
    ResumeTrading,
    /// The fleet's kill switch was engaged (why) / reset.
    FleetHalt(String),
    FleetResume,
    /// The robot's account moved to this trading state (`ACTIVE`, `REDUCING`, `HALTED`), why.
    Account {
        state: String,
        reason: String,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResumeRecord {
    pub build: String,
    pub wall_ns: i64,
    /// Why: "restart" or "new build".
    pub reason: String,
    /// Events replayed to rebuild the state.
    pub replayed: u64,
    /// The first replayed event whose actions differed from the recorded ones, if any.
    pub first_divergence: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EndRecord {
    pub seq: u64,
    /// SHA-256 of the robot's snapshot (`(next_order_seq, state bytes)`) after its last event.
    pub state_hash: [u8; 32],
    pub wall_ns: i64,
}

/// A checkpoint: the robot's state after event `seq` hashed to `state_hash`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckpointRecord {
    pub seq: u64,
    /// SHA-256 of the snapshot (`(next_order_seq, state bytes)`), as in an `End` record.
    pub state_hash: [u8; 32],
    pub wall_ns: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FailedRecord {
    pub seq: u64,
    pub message: String,
}

/// One record as read: its kind and body, borrowed from the segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawRecord<'a> {
    pub kind: RecordKind,
    pub body: &'a [u8],
}

impl<'a> RawRecord<'a> {
    pub fn decode<T: Deserialize<'a>>(&self) -> Result<T, postcard::Error> {
        postcard::from_bytes(self.body)
    }
}

pub fn segment_header() -> [u8; SEGMENT_HEADER_LEN] {
    let mut h = [0u8; SEGMENT_HEADER_LEN];
    h[..8].copy_from_slice(&MAGIC);
    h[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
    h
}

pub fn check_segment_header(bytes: &[u8]) -> Result<(), String> {
    if bytes.len() < SEGMENT_HEADER_LEN || bytes[..8] != MAGIC {
        return Err("not a robofleet journal segment (bad magic)".into());
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if version == 1 {
        return Err(format!(
            "journal format version 1 (written before plugin ABI 3, with floating-point prices); \
             this build reads version {FORMAT_VERSION} only. Replay it with the build that wrote \
             it, or move the robot's journal folder aside to start it afresh (its orders and \
             trades stay in the store)"
        ));
    }
    if version == 2 {
        return Err(format!(
            "journal format version 2 (written before plugin ABI 3's market records); this \
             build reads version {FORMAT_VERSION} only. Replay it with the build that wrote it, \
             or move the robot's journal folder aside to start it afresh (its orders and \
             trades stay in the store)"
        ));
    }
    if version != FORMAT_VERSION {
        return Err(format!(
            "journal format version {version}, this build reads {FORMAT_VERSION}"
        ));
    }
    Ok(())
}

/// The framing of one record: header then payload (kind byte + body).
pub fn frame(kind: RecordKind, body: &[u8], out: &mut Vec<u8>) {
    let len = (body.len() + 1) as u32;
    let mut crc = crc32fast::Hasher::new();
    crc.update(&[kind as u8]);
    crc.update(body);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&crc.finalize().to_le_bytes());
    out.push(kind as u8);
    out.extend_from_slice(body);
}

/// What is at `buf[pos..]`: a whole valid record, the clean end, or damage.
pub enum Next<'a> {
    Record(RawRecord<'a>, usize),
    End,
    /// Cut short or failing its checksum: a torn tail if it is the last thing in the journal.
    Damaged(String),
}

pub fn next_record(buf: &[u8], pos: usize) -> Next<'_> {
    let rest = &buf[pos.min(buf.len())..];
    if rest.is_empty() {
        return Next::End;
    }
    if rest.len() < RECORD_HEADER_LEN {
        return Next::Damaged(format!("{} stray bytes after the last record", rest.len()));
    }
    let len = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
    let crc = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]);
    if len == 0 || len > MAX_RECORD_LEN {
        return Next::Damaged(format!("impossible record length {len}"));
    }
    let Some(payload) = rest.get(RECORD_HEADER_LEN..RECORD_HEADER_LEN + len) else {
        return Next::Damaged(format!(
            "record of {len} bytes cut short at {}",
            rest.len() - RECORD_HEADER_LEN
        ));
    };
    if crc32fast::hash(payload) != crc {
        return Next::Damaged("record checksum mismatch".into());
    }
    let Some(kind) = RecordKind::from_byte(payload[0]) else {
        return Next::Damaged(format!("unknown record kind {}", payload[0]));
    };
    let record = RawRecord {
        kind,
        body: &payload[1..],
    };
    Next::Record(record, pos + RECORD_HEADER_LEN + len)
}

/// The body of a `Symbol` record.
pub fn symbol_body(id: u32, name: &str, out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(&id.to_le_bytes());
    out.extend_from_slice(name.as_bytes());
}

/// `(id, name)` from a `Symbol` record's body.
pub fn read_symbol(body: &[u8]) -> Option<(u32, &str)> {
    let id = u32::from_le_bytes(body.get(..4)?.try_into().ok()?);
    Some((id, std::str::from_utf8(&body[4..]).ok()?))
}

/// `(seq, ts)` from the front of a postcard `Event` without decoding the rest.
pub fn event_header(body: &[u8]) -> Option<(u64, i64)> {
    let (seq, n) = varint(body)?;
    let (zz, _) = varint(&body[n..])?;
    let ts = ((zz >> 1) as i64) ^ -((zz & 1) as i64);
    Some((seq, ts))
}

/// The `EventKind` variant index (postcard's enum tag) after the header, without decoding.
pub fn event_kind_index(body: &[u8]) -> Option<u64> {
    let (_, a) = varint(body)?;
    let (_, b) = varint(&body[a..])?;
    varint(&body[a + b..]).map(|(v, _)| v)
}

fn varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// SHA-256 of a robot snapshot, for End records and replay reports.
pub fn state_hash(snapshot: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(snapshot).into()
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
