//! QuickFIX settings files for one FIX 4.4 session, as the paper venue and the tests use
//! them; a broker's session is a settings file the operator writes (docs/venues.md). The
//! data dictionary is written beside it.

use crate::engine::{Role, SessionKey, FIX44_XML};
use std::path::{Path, PathBuf};

pub struct SessionFile<'a> {
    pub role: Role,
    /// Ours as SenderCompID, the other side's as TargetCompID.
    pub session: &'a SessionKey,
    /// Where the acceptor listens, or the initiator connects.
    pub host: &'a str,
    pub port: u16,
    /// Heartbeat interval, seconds.
    pub heartbeat_s: u32,
    /// Seconds between the initiator's reconnect attempts.
    pub reconnect_s: u32,
}

/// Write `<dir>/FIX44.xml` and `<dir>/<sender>.cfg` (sequence numbers and messages kept in
/// `<dir>/store`); returns the settings file's path.
pub fn write(dir: &Path, s: &SessionFile) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let dict = dir.join("FIX44.xml");
    std::fs::write(&dict, FIX44_XML)?;
    let connection = match s.role {
        Role::Initiator => format!(
            "ConnectionType=initiator\nSocketConnectHost={}\nSocketConnectPort={}\nReconnectInterval={}\n",
            s.host, s.port, s.reconnect_s
        ),
        Role::Acceptor => format!(
            "ConnectionType=acceptor\nSocketAcceptAddress={}\nSocketAcceptPort={}\n",
            s.host, s.port
        ),
    };
    let text = format!(
        "[DEFAULT]\n{connection}FileStorePath={}\nStartTime=00:00:00\nEndTime=00:00:00\n\
         UseDataDictionary=Y\nDataDictionary={}\nHeartBtInt={}\nValidateUserDefinedFields=N\n\n\
         [SESSION]\nBeginString={}\nSenderCompID={}\nTargetCompID={}\n",
        dir.join("store").display(),
        dict.display(),
        s.heartbeat_s,
        s.session.begin,
        s.session.sender,
        s.session.target,
    );
    let path = dir.join(format!("{}.cfg", s.session.sender));
    std::fs::write(&path, text)?;
    Ok(path)
}

/// The one session a settings file describes (its `[SESSION]`, over `[DEFAULT]`).
pub fn session_of(path: &Path) -> Result<SessionKey, String> {
    let sessions = sessions_of(path)?;
    match sessions.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(format!(
            "{}: {} [SESSION] sections; the gateway runs one session a file",
            path.display(),
            sessions.len()
        )),
    }
}

/// Every session a settings file describes (each `[SESSION]`, over `[DEFAULT]`).
pub fn sessions_of(path: &Path) -> Result<Vec<SessionKey>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let (mut default, mut sessions) = (Vec::new(), Vec::<Vec<(String, String)>>::new());
    let mut in_session = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.eq_ignore_ascii_case("[DEFAULT]") {
            in_session = false;
        } else if line.eq_ignore_ascii_case("[SESSION]") {
            in_session = true;
            sessions.push(Vec::new());
        } else if let Some((k, v)) = line.split_once('=') {
            let kv = (k.trim().to_string(), v.trim().to_string());
            match sessions.last_mut().filter(|_| in_session) {
                Some(s) => s.push(kv),
                None => default.push(kv),
            }
        }
    }
    sessions
        .iter()
        .map(|session| {
            let get = |key: &str| {
                session
                    .iter()
                    .chain(default.iter())
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| format!("{}: no {key}", path.display()))
            };
            Ok(SessionKey {
                begin: get("BeginString")?,
                sender: get("SenderCompID")?,
                target: get("TargetCompID")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_file_names_its_session_and_a_file_without_one_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let key = SessionKey {
            begin: "FIX.4.4".into(),
            sender: "DESK".into(),
            target: "BROKER".into(),
        };
        let s = SessionFile {
            role: Role::Initiator,
            session: &key,
            host: "127.0.0.1",
            port: 9878,
            heartbeat_s: 30,
            reconnect_s: 5,
        };
        let path = write(dir.path(), &s).unwrap();
        assert_eq!(session_of(&path).unwrap(), key);
        let other = dir.path().join("two.cfg");
        std::fs::write(&other, "[DEFAULT]\nBeginString=FIX.4.4\n[SESSION]\nSenderCompID=A\nTargetCompID=B\n[SESSION]\nSenderCompID=A\nTargetCompID=C\n").unwrap();
        assert!(session_of(&other).unwrap_err().contains("2 [SESSION]"));
        std::fs::write(
            &other,
            "[DEFAULT]\nBeginString=FIX.4.4\nSenderCompID=A\n[SESSION]\nTargetCompID=B\n",
        )
        .unwrap();
        assert_eq!(session_of(&other).unwrap().sender, "A");
        std::fs::write(&other, "[SESSION]\nSenderCompID=A\n").unwrap();
        assert!(session_of(&other).unwrap_err().contains("no BeginString"));
    }
}
