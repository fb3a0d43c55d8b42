//! A journal read back as a robot's life: where its current state began (the last `Begin`).

use super::format::{BeginRecord, RecordKind};
use super::{JournalError, JournalReader};
use std::ops::ControlFlow;

/// The `Begin` the robot's current state grew from, and how many Begins the journal has.
pub fn last_begin(reader: &JournalReader) -> Result<(Option<BeginRecord>, u64), JournalError> {
    let mut last = None;
    let mut count = 0;
    let mut bad = None;
    reader.walk(|rec| {
        if rec.kind == RecordKind::Begin {
            count += 1;
            match rec.decode::<BeginRecord>() {
                Ok(b) => last = Some(b),
                Err(e) => {
                    bad = Some(e.to_string());
                    return ControlFlow::Break(());
                }
            }
        }
        ControlFlow::Continue(())
    })?;
    if let Some(why) = bad {
        return Err(JournalError::Corrupt {
            path: reader.dir().to_path_buf(),
            reason: format!("undecodable Begin record: {why}"),
        });
    }
    Ok((last, count))
}

/// The `Begin` of the journal's current run without walking all of it: after the latest
/// checkpoint if a run began there, else the one that checkpoint's file carries.
pub fn current_begin(reader: &JournalReader) -> Result<Option<BeginRecord>, JournalError> {
    let checkpoints = super::checkpoint::list(reader.dir())?;
    let Some((latest, _)) = checkpoints.last() else {
        return last_begin(reader).map(|(b, _)| b);
    };
    if let (Some(b), _) = last_begin(&reader.between(*latest, u64::MAX))? {
        return Ok(Some(b));
    }
    for (no, _) in checkpoints.iter().rev() {
        if let Ok(data) = super::checkpoint::read_file(reader.dir(), *no) {
            return Ok(Some(data.begin));
        }
    }
    last_begin(reader).map(|(b, _)| b)
}
