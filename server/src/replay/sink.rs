//! Where a replay run's results go for analysts: three collections, tagged by run id.
//!
//! - `replay_runs`: one document per run (robot, build, range, counts, verdict, divergence).
//! - `replay_actions`: one per replayed event that produced actions or diverged.
//! - `replay_snapshots`: the rebuilt state every N events, and the last.
//!
//! On MongoDB they are collections; with the embedded store they are JSON-lines files under
//! `<data>/replay/<run id>/`. The fields are the same (docs/replay.md).

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("replay output {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("replay output to MongoDB: {0}")]
    Mongo(String),
}

/// Receives a run's documents. Actions come in batches, the run document last.
pub trait ReplaySink {
    fn actions(&mut self, docs: &[Value]) -> Result<(), SinkError>;
    fn snapshot(&mut self, doc: &Value) -> Result<(), SinkError>;
    fn finish(&mut self, run: &Value) -> Result<(), SinkError>;
    /// Where the results can be found, for the report.
    fn location(&self) -> String;
}

/// The embedded store's replay collections: `<data>/replay/<run>/{run.json, actions.jsonl,
/// snapshots.jsonl}`.
pub struct DirSink {
    dir: PathBuf,
    actions: std::io::BufWriter<std::fs::File>,
    snapshots: std::io::BufWriter<std::fs::File>,
}

impl DirSink {
    pub fn create(root: &Path, run_id: &str) -> Result<Self, SinkError> {
        let dir = root.join(run_id);
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| SinkError::Io { path, source }
        };
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let open = |name: &str| {
            let path = dir.join(name);
            std::fs::File::create(&path)
                .map(std::io::BufWriter::new)
                .map_err(io(&path))
        };
        Ok(DirSink {
            actions: open("actions.jsonl")?,
            snapshots: open("snapshots.jsonl")?,
            dir,
        })
    }

    fn err(&self, name: &str) -> impl FnOnce(std::io::Error) -> SinkError {
        let path = self.dir.join(name);
        move |source| SinkError::Io { path, source }
    }
}

fn line(out: &mut impl Write, doc: &Value) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, doc)?;
    out.write_all(b"\n")
}

impl ReplaySink for DirSink {
    fn actions(&mut self, docs: &[Value]) -> Result<(), SinkError> {
        let e = self.err("actions.jsonl");
        docs.iter()
            .try_for_each(|d| line(&mut self.actions, d))
            .map_err(e)
    }

    fn snapshot(&mut self, doc: &Value) -> Result<(), SinkError> {
        let e = self.err("snapshots.jsonl");
        line(&mut self.snapshots, doc).map_err(e)
    }

    fn finish(&mut self, run: &Value) -> Result<(), SinkError> {
        let e = self.err("actions.jsonl");
        self.actions.flush().map_err(e)?;
        let e = self.err("snapshots.jsonl");
        self.snapshots.flush().map_err(e)?;
        let path = self.dir.join("run.json");
        let text = serde_json::to_string_pretty(run).unwrap_or_default();
        std::fs::write(&path, text).map_err(|source| SinkError::Io { path, source })
    }

    fn location(&self) -> String {
        self.dir.display().to_string()
    }
}

/// MongoDB's replay collections, written in batches with the official driver.
pub struct MongoSink {
    rt: tokio::runtime::Runtime,
    db: mongodb::Database,
    run_id: String,
}

impl MongoSink {
    pub fn connect(uri: &str, run_id: &str) -> Result<Self, SinkError> {
        let m = |e: &dyn std::fmt::Display| SinkError::Mongo(e.to_string());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| m(&e))?;
        let db = rt.block_on(async {
            let mut opts = mongodb::options::ClientOptions::parse(uri).await?;
            opts.server_selection_timeout = Some(std::time::Duration::from_secs(10));
            let client = mongodb::Client::with_options(opts)?;
            let db = client
                .default_database()
                .unwrap_or_else(|| client.database(crate::store::mongo::DEFAULT_DB));
            db.run_command(mongodb::bson::doc! { "ping": 1 }).await?;
            Ok::<_, mongodb::error::Error>(db)
        });
        Ok(MongoSink {
            rt,
            db: db.map_err(|e| m(&e))?,
            run_id: run_id.to_string(),
        })
    }

    fn insert(&self, collection: &str, docs: &[Value]) -> Result<(), SinkError> {
        if docs.is_empty() {
            return Ok(());
        }
        let docs = docs
            .iter()
            .map(mongodb::bson::to_document)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| SinkError::Mongo(e.to_string()))?;
        let coll = self.db.collection::<mongodb::bson::Document>(collection);
        self.rt
            .block_on(async { coll.insert_many(docs).await })
            .map(|_| ())
            .map_err(|e| SinkError::Mongo(format!("{collection}: {e}")))
    }
}

impl ReplaySink for MongoSink {
    fn actions(&mut self, docs: &[Value]) -> Result<(), SinkError> {
        self.insert("replay_actions", docs)
    }

    fn snapshot(&mut self, doc: &Value) -> Result<(), SinkError> {
        self.insert("replay_snapshots", std::slice::from_ref(doc))
    }

    fn finish(&mut self, run: &Value) -> Result<(), SinkError> {
        self.insert("replay_runs", std::slice::from_ref(run))
    }

    fn location(&self) -> String {
        format!(
            "MongoDB {}.replay_runs / replay_actions / replay_snapshots, run {}",
            self.db.name(),
            self.run_id
        )
    }
}
