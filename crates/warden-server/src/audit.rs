//! The audit log: one JSON line per request (time, request ID, principal, action,
//! resource, decision, source IP, status, error code), written by a background task so
//! that requests never wait on the disk. Secrets never reach it: only names and ARNs.

use std::path::PathBuf;

use serde::Serialize;
use time::OffsetDateTime;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

#[derive(Debug, Serialize)]
pub struct AuditRecord {
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    pub request_id: String,
    pub service: &'static str,
    pub principal: String,
    pub action: String,
    pub resource: String,
    pub decision: &'static str,
    pub source_ip: Option<String>,
    pub status: u16,
    pub error_code: Option<String>,
}

/// A handle to the audit writer; records are dropped (and counted) if it falls behind
/// by more than [`AuditLog::BACKLOG`] records rather than slowing requests down.
#[derive(Clone)]
pub struct AuditLog {
    tx: Option<mpsc::Sender<AuditRecord>>,
}

impl AuditLog {
    const BACKLOG: usize = 65_536;

    /// Appends to `path` (created if missing).
    pub fn to_file(path: PathBuf) -> Self {
        let (tx, mut rx) = mpsc::channel::<AuditRecord>(Self::BACKLOG);
        tokio::spawn(async move {
            let file = match tokio::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .await
            {
                Ok(f) => f,
                Err(e) => {
                    tracing::error!(path = %path.display(), error = %e, "cannot open the audit log");
                    return;
                }
            };
            let mut out = tokio::io::BufWriter::new(file);
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while let Ok(more) = rx.try_recv() {
                    batch.push(more);
                }
                for record in batch {
                    if let Ok(mut line) = serde_json::to_vec(&record) {
                        line.push(b'\n');
                        let _ = out.write_all(&line).await;
                    }
                }
                let _ = out.flush().await;
            }
        });
        Self { tx: Some(tx) }
    }

    /// No audit log (tests that don't look at it).
    pub fn disabled() -> Self {
        Self { tx: None }
    }

    pub fn record(&self, record: AuditRecord) {
        if let Some(tx) = &self.tx {
            let _ = tx.try_send(record);
        }
    }
}
