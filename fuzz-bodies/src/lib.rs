//! What each fuzz target does with one input, in one place: the cargo-fuzz targets in
//! `fuzz/` (coverage-guided, nightly) call these, and `tests/short_runs.rs` runs each on
//! stable over its seeds and their mutations, so every `cargo test` (and CI) gives every
//! decoder of outside input a short run.
//!
//! Each body panics only when a property the server relies on fails; a decoder refusing its
//! input is the expected outcome, not a failure.
//!
//! # Layout
//! - `wire.rs`: control requests, feed messages, CSV rows, cursors and panic buffers, decimals.
//! - `files.rs`: the plugin, instrument, limit, robot, access, key and kill switch files.
//! - `stored.rs`: journal segments and checkpoint files, the embedded store's log, the
//!   SQLite store's ahead log, MongoDB documents.
//! - `fix.rs`: FIX messages from a venue or a client.

mod files;
mod fix;
mod stored;
mod wire;

pub use files::{config_files, instruments_file, plugin_file, risk_file};
pub use fix::fix_message;
pub use stored::{ahead_log, checkpoint_file, journal_records, store_readers};
pub use wire::{control_request, csv_row, decimal_text, feed_message, small_decoders};

/// A target's body: one input, a panic only when a property fails.
pub type Body = fn(&[u8]);

/// Every target: its name (as `fuzz/` builds it) and its body.
pub const TARGETS: &[(&str, Body)] = &[
    ("control_request", control_request),
    ("feed_message", feed_message),
    ("csv_row", csv_row),
    ("journal_records", journal_records),
    ("plugin_file", plugin_file),
    ("small_decoders", small_decoders),
    ("instruments_file", instruments_file),
    ("decimal_text", decimal_text),
    ("risk_file", risk_file),
    ("store_readers", store_readers),
    ("config_files", config_files),
    ("fix_message", fix_message),
    ("checkpoint_file", checkpoint_file),
    ("ahead_log", ahead_log),
];
