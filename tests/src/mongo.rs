//! MongoDB for the tests: the server `scripts/test.sh` started (`MONGODB_URI`), a fresh
//! database per test, and a private SecantusDB instance for tests that restart it.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// `MONGODB_URI` with a database of its own for this test.
pub fn uri_for(test: &str) -> String {
    let base = std::env::var("MONGODB_URI")
        .expect("MONGODB_URI is not set: run scripts/test.sh, which starts a test database");
    static N: AtomicU64 = AtomicU64::new(0);
    // Database names are at most 63 bytes.
    let db = format!(
        "rf_{}_{}_{}",
        &test[..test.len().min(30)],
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    with_db(&base, &db)
}

/// Put `db` in the URI's path (`mongodb://host:port/DB?options`).
pub fn with_db(base: &str, db: &str) -> String {
    let (head, query) = match base.split_once('?') {
        Some((h, q)) => (h, format!("?{q}")),
        None => (base, String::new()),
    };
    let scheme_end = head.find("://").map(|i| i + 3).unwrap_or(0);
    let hosts_end = head[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(head.len());
    format!("{}/{db}{query}", &head[..hosts_end])
}

/// A SecantusDB process of the test's own, on a free port, that the test may stop and start.
pub struct OwnDb {
    pub port: u16,
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl OwnDb {
    pub fn start() -> OwnDb {
        let mut db = OwnDb {
            port: crate::free_port(),
            dir: tempfile::tempdir().expect("tempdir"),
            child: None,
        };
        db.restart();
        db
    }

    pub fn uri(&self, db: &str) -> String {
        format!(
            "mongodb://127.0.0.1:{}/{db}?directConnection=true",
            self.port
        )
    }

    /// Start (again) on the same port and storage.
    pub fn restart(&mut self) {
        let exe = PathBuf::from(
            std::env::var("SECANTUSD").expect("SECANTUSD is not set: run scripts/test.sh"),
        );
        let child = Command::new(exe)
            .args(["--host", "127.0.0.1", "--port", &self.port.to_string()])
            .arg("--storage-path")
            .arg(self.dir.path())
            .args(["--cache-size", "256M", "--log-level", "WARNING"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start SecantusDB");
        self.child = Some(child);
        let up = crate::wait_until(Duration::from_secs(30), || {
            std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok()
        });
        assert!(up, "SecantusDB did not start on port {}", self.port);
    }

    /// Stop it (SIGTERM, then wait for it to exit so its storage can be reused).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill").arg(child.id().to_string()).status();
            let exited = crate::wait_until(Duration::from_secs(15), || {
                matches!(child.try_wait(), Ok(Some(_)))
            });
            if !exited {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }
}

impl Drop for OwnDb {
    fn drop(&mut self) {
        self.stop();
    }
}
