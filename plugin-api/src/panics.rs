//! A robot's panic, reported at once.
//!
//! A plugin carries its own copy of std and so its own panic hook. The default hook, with
//! `RUST_BACKTRACE` set (as on many machines), symbolizes a backtrace of the whole process
//! (the server's binary included: seconds) on the robot's thread before the panic even
//! starts to unwind, so the server would learn of the failure seconds late. While a robot
//! call runs, this hook instead records where the panic happened and, only when a backtrace
//! is wanted (`RUST_BACKTRACE` set and not `0`), the raw frame addresses (microseconds). The
//! server resolves those on a thread of its own after it has marked the robot failed.
//!
//! The panic buffer ([`crate::abi::RF_PANIC`]) holds the message, then, when frames were
//! taken, [`FRAMES_MARK`] and each frame address as 8 little-endian bytes.

use std::cell::{Cell, RefCell};
use std::sync::{Once, OnceLock};

/// Separates the panic message from the frame addresses in a panic buffer.
pub const FRAMES_MARK: &[u8] = b"\0robofleet-frames\0";
/// At most this many frames are sent (deep recursion must not make a huge buffer).
const MAX_FRAMES: usize = 256;

thread_local! {
    static IN_CALL: Cell<bool> = const { Cell::new(false) };
    static LAST: RefCell<Option<Record>> = const { RefCell::new(None) };
}

struct Record {
    location: String,
    frames: Vec<u64>,
}

fn backtrace_wanted() -> bool {
    static WANTED: OnceLock<bool> = OnceLock::new();
    *WANTED.get_or_init(|| std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0"))
}

/// Install the hook once per plugin; panics outside robot calls go to the previous hook.
fn install() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_CALL.with(Cell::get) {
                return previous(info);
            }
            let location = info
                .location()
                .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                .unwrap_or_default();
            let mut frames = Vec::new();
            if backtrace_wanted() {
                backtrace::trace(|frame| {
                    frames.push(frame.ip() as u64);
                    frames.len() < MAX_FRAMES
                });
            }
            LAST.with(|l| *l.borrow_mut() = Some(Record { location, frames }));
        }));
    });
}

/// Run `f` as a robot call: a panic in it is recorded by the quiet hook.
pub(crate) fn in_call<T>(f: impl FnOnce() -> T) -> T {
    install();
    // No clearing of an old record here (this runs on every event): every panic in a call
    // writes its own record before `panic_buffer` reads it.
    let outer = IN_CALL.with(|c| c.replace(true));
    let result = f();
    IN_CALL.with(|c| c.set(outer));
    result
}

/// The panic buffer for a caught panic with `message`: the message, its location, and the
/// frames if any were taken.
pub(crate) fn panic_buffer(message: String) -> Vec<u8> {
    let record = LAST.with(|l| l.borrow_mut().take());
    let mut bytes = message.into_bytes();
    let Some(record) = record else {
        return bytes;
    };
    if !record.location.is_empty() {
        bytes.extend_from_slice(format!(" (panicked at {})", record.location).as_bytes());
    }
    if !record.frames.is_empty() {
        bytes.extend_from_slice(FRAMES_MARK);
        for ip in record.frames {
            bytes.extend_from_slice(&ip.to_le_bytes());
        }
    }
    bytes
}

/// Split a panic buffer into its message and frame addresses (none if it has no frames).
pub fn split_panic_buffer(bytes: &[u8]) -> (&[u8], Vec<u64>) {
    let Some(at) = bytes
        .windows(FRAMES_MARK.len())
        .position(|w| w == FRAMES_MARK)
    else {
        return (bytes, Vec::new());
    };
    let frames = bytes[at + FRAMES_MARK.len()..]
        .chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
        .collect();
    (&bytes[..at], frames)
}
