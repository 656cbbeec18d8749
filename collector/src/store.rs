//! SQLite storage for accepted batches.
//!
//! The database runs in WAL mode so that tests, scripts and `sqlite3` can read the file while the
//! collector writes it. Every batch is stored in one transaction; an event whose `message_id` is
//! already stored is skipped (`INSERT OR IGNORE`) and counted as a duplicate, which is what makes
//! sender retries safe.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::types::Value as Sql;
use rusqlite::{params, Connection};
use serde_json::{json, Value};

use crate::time::now_iso;
use crate::validate::Batch;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS events(
  id INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  event TEXT,
  anonymous_id TEXT,
  user_id TEXT,
  session_id TEXT,
  tab_id TEXT,
  seq INTEGER,
  timestamp TEXT NOT NULL,
  sent_at TEXT,
  received_at TEXT NOT NULL,
  batch_id INTEGER NOT NULL,
  properties TEXT,
  context TEXT,
  traits TEXT,
  raw TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batches(
  id INTEGER PRIMARY KEY,
  received_at TEXT NOT NULL,
  content_type TEXT,
  content_encoding TEXT,
  bytes INTEGER NOT NULL,
  events INTEGER NOT NULL,
  stored INTEGER NOT NULL,
  duplicates INTEGER NOT NULL
);
";

/// The request facts recorded in the `batches` table.
#[derive(Debug, Clone, Default)]
pub struct BatchMeta {
    /// Content-Type header as sent.
    pub content_type: Option<String>,
    /// Content-Encoding header as sent.
    pub content_encoding: Option<String>,
    /// Body size on the wire (before decompression).
    pub bytes: usize,
}

/// What storing a batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Events newly stored.
    pub stored: usize,
    /// Events skipped because their `messageId` was already stored.
    pub duplicates: usize,
}

/// One stored event, as read back for the viewer and `/events.json`.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    /// Row id (insertion order).
    pub id: i64,
    /// `messageId`.
    pub message_id: String,
    /// Segment type (`track`, `page`, ...).
    pub kind: String,
    /// Track event name.
    pub event: Option<String>,
    /// `anonymousId`.
    pub anonymous_id: Option<String>,
    /// `userId`.
    pub user_id: Option<String>,
    /// `context.sessionId` as given (string or number), or null.
    pub session_id: Value,
    /// `context.tabId` as given, or null.
    pub tab_id: Value,
    /// `context.seq`, or null.
    pub seq: Value,
    /// The event's `timestamp`.
    pub timestamp: String,
    /// The event's or the batch's `sentAt`.
    pub sent_at: Option<String>,
    /// Server receive time.
    pub received_at: String,
    /// Row id in `batches`.
    pub batch_id: i64,
    /// `properties` as JSON text.
    pub properties: Option<String>,
    /// `context` as JSON text.
    pub context: Option<String>,
    /// `traits` as JSON text.
    pub traits: Option<String>,
    /// The whole event as JSON text.
    pub raw: String,
}

impl EventRecord {
    /// The record as a JSON object with camelCase keys; JSON columns are embedded as JSON.
    pub fn to_json(&self) -> Value {
        let embed = |text: &Option<String>| {
            text.as_deref()
                .and_then(|t| serde_json::from_str::<Value>(t).ok())
                .unwrap_or(Value::Null)
        };
        json!({
            "id": self.id,
            "messageId": self.message_id,
            "type": self.kind,
            "event": self.event,
            "anonymousId": self.anonymous_id,
            "userId": self.user_id,
            "sessionId": self.session_id,
            "tabId": self.tab_id,
            "seq": self.seq,
            "timestamp": self.timestamp,
            "sentAt": self.sent_at,
            "receivedAt": self.received_at,
            "batchId": self.batch_id,
            "properties": embed(&self.properties),
            "context": embed(&self.context),
            "traits": embed(&self.traits),
            "raw": embed(&Some(self.raw.clone())),
        })
    }
}

/// The event database. One connection behind a mutex: the collector's write rate is tiny, and a
/// single writer is what SQLite wants anyway.
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (creating if needed) the database and its parent directory, in WAL mode.
    pub fn open(path: &Path) -> Result<Store, String> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let conn = Connection::open(path).map_err(|e| e.to_string())?;
        Self::init(conn).map_err(|e| e.to_string())
    }

    fn init(conn: Connection) -> rusqlite::Result<Store> {
        conn.busy_timeout(Duration::from_secs(5))?;
        // journal_mode answers with a row, so it is queried rather than executed.
        let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
        conn.execute_batch("PRAGMA synchronous=NORMAL;")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    /// A poisoned lock only means another request panicked mid-way; SQLite rolled its transaction
    /// back, so the connection is still usable.
    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores a validated batch in one transaction.
    pub fn insert(&self, meta: &BatchMeta, batch: &Batch) -> rusqlite::Result<Outcome> {
        let received_at = now_iso();
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT INTO batches(received_at, content_type, content_encoding, bytes, events, stored,
             duplicates) VALUES (?1, ?2, ?3, ?4, ?5, 0, 0)",
            params![
                received_at,
                meta.content_type,
                meta.content_encoding,
                meta.bytes as i64,
                batch.events.len() as i64
            ],
        )?;
        let batch_id = tx.last_insert_rowid();
        let mut stored = 0;
        {
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO events(message_id, type, event, anonymous_id, user_id,
                 session_id, tab_id, seq, timestamp, sent_at, received_at, batch_id, properties,
                 context, traits, raw)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            )?;
            for event in &batch.events {
                let text = |k: &str| event.get(k).and_then(Value::as_str).map(String::from);
                let json_text = |k: &str| event.get(k).map(Value::to_string);
                let context = event.get("context");
                let from_context = |k: &str| context.and_then(|c| c.get(k));
                stored += insert.execute(params![
                    text("messageId"),
                    text("type"),
                    text("event"),
                    text("anonymousId"),
                    text("userId"),
                    as_given(from_context("sessionId")),
                    as_given(from_context("tabId")),
                    as_seq(from_context("seq")),
                    text("timestamp"),
                    text("sentAt").or_else(|| batch.sent_at.clone()),
                    received_at,
                    batch_id,
                    json_text("properties"),
                    json_text("context"),
                    json_text("traits"),
                    event.to_string(),
                ])?;
            }
        }
        let duplicates = batch.events.len() - stored;
        tx.execute(
            "UPDATE batches SET stored = ?1, duplicates = ?2 WHERE id = ?3",
            params![stored as i64, duplicates as i64, batch_id],
        )?;
        tx.commit()?;
        Ok(Outcome { stored, duplicates })
    }

    /// The latest `limit` events, in ascending id order.
    pub fn latest(&self, limit: usize) -> rusqlite::Result<Vec<EventRecord>> {
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(
            "SELECT id, message_id, type, event, anonymous_id, user_id, session_id, tab_id, seq,
             timestamp, sent_at, received_at, batch_id, properties, context, traits, raw
             FROM events ORDER BY id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(EventRecord {
                id: r.get(0)?,
                message_id: r.get(1)?,
                kind: r.get(2)?,
                event: r.get(3)?,
                anonymous_id: r.get(4)?,
                user_id: r.get(5)?,
                session_id: to_json(r.get(6)?),
                tab_id: to_json(r.get(7)?),
                seq: to_json(r.get(8)?),
                timestamp: r.get(9)?,
                sent_at: r.get(10)?,
                received_at: r.get(11)?,
                batch_id: r.get(12)?,
                properties: r.get(13)?,
                context: r.get(14)?,
                traits: r.get(15)?,
                raw: r.get(16)?,
            })
        })?;
        let mut events = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        events.reverse();
        Ok(events)
    }

    /// `(events, batches)` row counts.
    pub fn counts(&self) -> rusqlite::Result<(i64, i64)> {
        let conn = self.lock();
        let events = conn.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))?;
        let batches = conn.query_row("SELECT COUNT(*) FROM batches", [], |r| r.get(0))?;
        Ok((events, batches))
    }

    /// Deletes every event and batch.
    pub fn clear(&self) -> rusqlite::Result<()> {
        self.lock()
            .execute_batch("BEGIN; DELETE FROM events; DELETE FROM batches; COMMIT;")
    }
}

/// `context.sessionId` / `context.tabId` stored as given: strings as text, numbers as numbers;
/// anything else (objects, booleans) is not an id and becomes NULL.
fn as_given(v: Option<&Value>) -> Sql {
    match v {
        Some(Value::String(s)) => Sql::Text(s.clone()),
        Some(Value::Number(n)) => number(n),
        _ => Sql::Null,
    }
}

/// `context.seq`: numbers (and numeric strings) as INTEGER where integral; other strings as text.
fn as_seq(v: Option<&Value>) -> Sql {
    match v {
        Some(Value::String(s)) => s
            .trim()
            .parse::<i64>()
            .map_or_else(|_| Sql::Text(s.clone()), Sql::Integer),
        other => as_given(other),
    }
}

fn number(n: &serde_json::Number) -> Sql {
    match (n.as_i64(), n.as_f64()) {
        (Some(i), _) => Sql::Integer(i),
        (None, Some(f)) => Sql::Real(f),
        (None, None) => Sql::Null,
    }
}

fn to_json(v: Sql) -> Value {
    match v {
        Sql::Null => Value::Null,
        Sql::Integer(i) => json!(i),
        Sql::Real(f) => json!(f),
        Sql::Text(s) => Value::String(s),
        Sql::Blob(_) => Value::Null,
    }
}
