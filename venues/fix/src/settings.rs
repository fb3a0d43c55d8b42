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
