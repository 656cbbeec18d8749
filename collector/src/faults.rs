//! Fault injection for delivery tests: `POST /_control/fault` makes the next N `POST /v1/batch`
//! requests fail in a chosen way, so retry, backoff, `Retry-After`, batch splitting and
//! lost-connection handling can be tested against a real server. Faulted requests store nothing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde_json::{json, Value};

/// Default `stallMs`.
pub const DEFAULT_STALL_MS: u64 = 30_000;
/// Longest accepted `stallMs` (10 minutes): a typo must not park a thread for a day.
pub const MAX_STALL_MS: u64 = 600_000;

/// What a faulted request gets instead of normal handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// 500 Internal Server Error.
    ServerError,
    /// 429 Too Many Requests with `Retry-After: <secs>`.
    TooMany { retry_after: u64 },
    /// 413 Payload Too Large.
    TooLarge,
    /// Wait, then 503 Service Unavailable.
    Stall { ms: u64 },
    /// Close the connection without any response.
    Drop,
}

#[derive(Debug, Clone, Copy)]
struct Active {
    mode: Mode,
    /// Requests still to fault; `None` = until reset.
    remaining: Option<u64>,
}

/// The fault setting and the request counters shown by `/_control/stats`.
#[derive(Debug, Default)]
pub struct Faults {
    active: Mutex<Option<Active>>,
    requests: AtomicU64,
    faulted: AtomicU64,
}

impl Faults {
    /// Counts one `/v1/batch` request and returns the fault it should get, if any.
    pub fn next_request(&self) -> Option<Mode> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        let mut active = self.active.lock().unwrap_or_else(|e| e.into_inner());
        let current = (*active)?;
        match current.remaining {
            Some(n) if n <= 1 => *active = None,
            Some(n) => {
                *active = Some(Active {
                    remaining: Some(n - 1),
                    ..current
                })
            }
            None => {}
        }
        self.faulted.fetch_add(1, Ordering::SeqCst);
        Some(current.mode)
    }

    /// Applies a `/_control/fault` body; returns the normalized setting, or why it was refused.
    pub fn configure(&self, body: &Value) -> Result<Value, String> {
        let (mode, remaining) = parse(body)?;
        let mut active = self.active.lock().unwrap_or_else(|e| e.into_inner());
        *active = mode.map(|mode| Active { mode, remaining });
        Ok(describe(&active))
    }

    /// Clears the fault and zeroes the counters.
    pub fn reset(&self) {
        *self.active.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.requests.store(0, Ordering::SeqCst);
        self.faulted.store(0, Ordering::SeqCst);
    }

    /// `(requests, faulted)` since start or the last reset.
    pub fn counters(&self) -> (u64, u64) {
        (
            self.requests.load(Ordering::SeqCst),
            self.faulted.load(Ordering::SeqCst),
        )
    }
}

/// Parses `{"mode", "count"?, "retryAfter"?, "stallMs"?}`. `mode: "ok"` or `count: 0` clears the
/// fault (`Ok((None, _))`); `count: -1` keeps it until reset.
fn parse(body: &Value) -> Result<(Option<Mode>, Option<u64>), String> {
    let obj = body.as_object().ok_or("body must be a JSON object")?;
    // Accept 500 as well as "500": both are natural to type.
    let mode = match obj.get("mode") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(_) => return Err("/mode: must be a string".into()),
        None => return Err("/mode: missing".into()),
    };
    let remaining = match obj.get("count") {
        None | Some(Value::Null) => Some(1),
        Some(v) => match v.as_i64() {
            Some(-1) => None,
            Some(n) if n >= 0 => Some(n as u64),
            _ => return Err("/count: must be an integer >= 0, or -1 for until reset".into()),
        },
    };
    let retry_after = non_negative(obj.get("retryAfter"), "/retryAfter", 1)?;
    let stall_ms = non_negative(obj.get("stallMs"), "/stallMs", DEFAULT_STALL_MS)?;
    if stall_ms > MAX_STALL_MS {
        return Err(format!("/stallMs: at most {MAX_STALL_MS}"));
    }
    let mode = match mode.as_str() {
        "ok" => None,
        "500" => Some(Mode::ServerError),
        "429" => Some(Mode::TooMany { retry_after }),
        "413" => Some(Mode::TooLarge),
        "stall" => Some(Mode::Stall { ms: stall_ms }),
        "drop" => Some(Mode::Drop),
        _ => return Err("/mode: must be one of ok, 500, 429, 413, stall, drop".into()),
    };
    if remaining == Some(0) {
        return Ok((None, Some(0)));
    }
    Ok((mode, remaining))
}

fn non_negative(v: Option<&Value>, at: &str, default: u64) -> Result<u64, String> {
    match v {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_u64()
            .ok_or_else(|| format!("{at}: must be a non-negative integer")),
    }
}

fn describe(active: &Option<Active>) -> Value {
    let Some(a) = active else {
        return json!({"ok": true, "mode": "ok"});
    };
    let count = a.remaining.map_or(-1, |n| n as i64);
    match a.mode {
        Mode::ServerError => json!({"ok": true, "mode": "500", "count": count}),
        Mode::TooMany { retry_after } => {
            json!({"ok": true, "mode": "429", "count": count, "retryAfter": retry_after})
        }
        Mode::TooLarge => json!({"ok": true, "mode": "413", "count": count}),
        Mode::Stall { ms } => json!({"ok": true, "mode": "stall", "count": count, "stallMs": ms}),
        Mode::Drop => json!({"ok": true, "mode": "drop", "count": count}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_down_then_clears() {
        let f = Faults::default();
        f.configure(&json!({"mode":"500","count":2})).unwrap();
        assert_eq!(f.next_request(), Some(Mode::ServerError));
        assert_eq!(f.next_request(), Some(Mode::ServerError));
        assert_eq!(f.next_request(), None);
        assert_eq!(f.counters(), (3, 2));
    }

    #[test]
    fn until_reset_and_defaults() {
        let f = Faults::default();
        f.configure(&json!({"mode":"429","count":-1})).unwrap();
        for _ in 0..5 {
            assert_eq!(f.next_request(), Some(Mode::TooMany { retry_after: 1 }));
        }
        f.reset();
        assert_eq!(f.next_request(), None);
        f.configure(&json!({"mode":"stall"})).unwrap();
        assert_eq!(f.next_request(), Some(Mode::Stall { ms: 30_000 }));
        assert_eq!(f.next_request(), None);
        f.configure(&json!({"mode":500})).unwrap();
        f.configure(&json!({"mode":"ok"})).unwrap();
        assert_eq!(f.next_request(), None);
    }

    #[test]
    fn refuses_bad_settings() {
        let f = Faults::default();
        assert_eq!(f.configure(&json!({})).unwrap_err(), "/mode: missing");
        assert!(f.configure(&json!({"mode":"404"})).is_err());
        assert!(f.configure(&json!({"mode":"500","count":-2})).is_err());
        assert!(f
            .configure(&json!({"mode":"429","retryAfter":"x"}))
            .is_err());
        assert!(f
            .configure(&json!({"mode":"stall","stallMs":600_001}))
            .is_err());
    }
}
