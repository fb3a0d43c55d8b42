//! Which database errors are worth waiting out, and which are final.

use mongodb::error::{ErrorKind, WriteFailure};

#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// A unique key (`_id`) is taken: the write already happened, or collides.
    Duplicate,
    /// The database refused the write for good (validation, bad data, authentication).
    Refused(String),
    /// The database is away or busy: try again.
    Transient(String),
}

const DUPLICATE_KEY: i32 = 11000;

/// Server error codes that mean "not now" (shutdown, step-down, elections, timeouts).
const TRANSIENT_CODES: [i32; 14] = [
    6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 50, 10058,
];

pub fn classify(e: &mongodb::error::Error) -> Failure {
    match e.kind.as_ref() {
        ErrorKind::Write(WriteFailure::WriteError(w)) if w.code == DUPLICATE_KEY => {
            Failure::Duplicate
        }
        ErrorKind::Command(c) if c.code == DUPLICATE_KEY => Failure::Duplicate,
        // A command the server refused is final unless it is one of the "try again" kinds.
        ErrorKind::Command(c)
            if !TRANSIENT_CODES.contains(&c.code) && !e.contains_label("RetryableWriteError") =>
        {
            Failure::Refused(e.to_string())
        }
        ErrorKind::Write(WriteFailure::WriteError(w)) => Failure::Refused(w.message.clone()),
        ErrorKind::InvalidArgument { .. }
        | ErrorKind::Authentication { .. }
        | ErrorKind::BsonSerialization(_)
        | ErrorKind::BsonDeserialization(_) => Failure::Refused(e.to_string()),
        _ => Failure::Transient(e.to_string()),
    }
}
