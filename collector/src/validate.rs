//! Batch validation. A batch is checked completely before anything is stored: one bad event rejects
//! the whole request, and the error names the exact JSON Pointer of the first problem (e.g.
//! `/batch/3/messageId: missing`) so the sender can see what to fix.

use serde_json::{Map, Value};

/// Most events accepted in one request.
pub const MAX_EVENTS: usize = 5000;
/// Longest accepted `messageId`, in characters.
pub const MAX_MESSAGE_ID: usize = 256;
/// The Segment event types.
pub const TYPES: [&str; 6] = ["track", "page", "identify", "screen", "group", "alias"];

/// A request rejected before storage: the HTTP status and the reason sent back as `{"error": ...}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// 400 for malformed input, 413 for too many events.
    pub status: u16,
    /// Human-readable reason, naming the JSON Pointer of the problem.
    pub message: String,
}

impl Rejection {
    fn bad(message: String) -> Self {
        Rejection {
            status: 400,
            message,
        }
    }
}

/// A batch that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// The events, each a JSON object with valid required fields.
    pub events: Vec<Value>,
    /// The batch's `sentAt`, when the body was an object carrying one as a string.
    pub sent_at: Option<String>,
}

/// Parses a request body as JSON.
pub fn parse_json(body: &[u8]) -> Result<Value, Rejection> {
    serde_json::from_slice(body).map_err(|e| Rejection::bad(format!("body is not JSON: {e}")))
}

/// The `writeKey` field of an object body, if any.
pub fn body_write_key(body: &Value) -> Option<&str> {
    body.get("writeKey").and_then(Value::as_str)
}

/// Validates a parsed body: either `{"batch": [event, ...], "sentAt"?, "writeKey"?}` or a plain array
/// of events.
pub fn validate(body: Value) -> Result<Batch, Rejection> {
    let (events, sent_at, prefix) = match body {
        Value::Array(events) => (events, None, ""),
        Value::Object(mut obj) => {
            let sent_at = obj.get("sentAt").and_then(Value::as_str).map(String::from);
            match obj.remove("batch") {
                Some(Value::Array(events)) => (events, sent_at, "/batch"),
                Some(_) => return Err(Rejection::bad("/batch: must be an array".into())),
                None => return Err(Rejection::bad("/batch: missing".into())),
            }
        }
        _ => {
            return Err(Rejection::bad(
                "body must be an object with a \"batch\" array, or an array of events".into(),
            ))
        }
    };
    if events.is_empty() {
        let at = if prefix.is_empty() { "/" } else { prefix };
        return Err(Rejection::bad(format!("{at}: empty batch")));
    }
    if events.len() > MAX_EVENTS {
        let at = if prefix.is_empty() { "/" } else { prefix };
        return Err(Rejection {
            status: 413,
            message: format!(
                "{at}: {} events; at most {MAX_EVENTS} per request",
                events.len()
            ),
        });
    }
    for (i, event) in events.iter().enumerate() {
        check_event(event, &format!("{prefix}/{i}")).map_err(Rejection::bad)?;
    }
    Ok(Batch { events, sent_at })
}

/// Checks one event; `at` is its JSON Pointer.
fn check_event(event: &Value, at: &str) -> Result<(), String> {
    let obj = event
        .as_object()
        .ok_or_else(|| format!("{at}: must be an object"))?;

    let kind = required_string(obj, at, "type")?;
    if !TYPES.contains(&kind) {
        return Err(format!(
            "{at}/type: must be one of {}; got {}",
            TYPES.join(", "),
            quoted_excerpt(kind)
        ));
    }

    let message_id = required_string(obj, at, "messageId")?;
    if message_id.is_empty() {
        return Err(format!("{at}/messageId: must not be empty"));
    }
    if message_id.chars().count() > MAX_MESSAGE_ID {
        return Err(format!(
            "{at}/messageId: longer than {MAX_MESSAGE_ID} characters"
        ));
    }

    required_string(obj, at, "timestamp")?;

    // Segment senders write `"userId": null` for anonymous visitors, so null counts as absent.
    let mut has_identity = false;
    for field in ["anonymousId", "userId"] {
        match obj.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => has_identity |= !s.is_empty(),
            Some(_) => return Err(format!("{at}/{field}: must be a string")),
        }
    }
    if !has_identity {
        return Err(format!(
            "{at}/anonymousId: missing (an event needs a non-empty anonymousId or userId)"
        ));
    }

    if kind == "track" {
        let name =
            required_string(obj, at, "event").map_err(|e| format!("{e} (required for track)"))?;
        if name.is_empty() {
            return Err(format!("{at}/event: must not be empty"));
        }
    }

    for field in ["properties", "context", "traits"] {
        if obj.get(field).is_some_and(|v| !v.is_object()) {
            return Err(format!("{at}/{field}: must be an object"));
        }
    }
    Ok(())
}

fn required_string<'a>(
    obj: &'a Map<String, Value>,
    at: &str,
    field: &str,
) -> Result<&'a str, String> {
    match obj.get(field) {
        None => Err(format!("{at}/{field}: missing")),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(format!("{at}/{field}: must be a string")),
    }
}

/// A JSON-quoted excerpt of hostile text, short enough for an error message.
fn quoted_excerpt(s: &str) -> String {
    let excerpt: String = s.chars().take(40).collect();
    Value::String(excerpt).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev() -> Value {
        json!({"type":"track","event":"Product Viewed","messageId":"m1",
               "timestamp":"2026-11-23T10:00:00.000Z","anonymousId":"a1"})
    }

    fn reason(body: Value) -> String {
        validate(body).unwrap_err().message
    }

    #[test]
    fn accepts_object_and_array_forms() {
        let b = validate(json!({"batch":[ev()],"sentAt":"s"})).unwrap();
        assert_eq!((b.events.len(), b.sent_at.as_deref()), (1, Some("s")));
        assert_eq!(validate(json!([ev(), ev()])).unwrap().events.len(), 2);
    }

    #[test]
    fn names_the_path_of_each_problem() {
        let with = |k: &str, v: Value| {
            let mut e = ev();
            e[k] = v;
            json!({"batch":[ev(), e]})
        };
        let without = |k: &str| {
            let mut e = ev();
            e.as_object_mut().unwrap().remove(k);
            json!({"batch":[e]})
        };
        assert_eq!(reason(without("messageId")), "/batch/0/messageId: missing");
        assert_eq!(
            reason(with("messageId", json!(""))),
            "/batch/1/messageId: must not be empty"
        );
        assert_eq!(
            reason(with("messageId", json!("x".repeat(257)))),
            "/batch/1/messageId: longer than 256 characters"
        );
        // The limit counts characters, not UTF-8 bytes.
        assert!(validate(with("messageId", json!("é".repeat(256)))).is_ok());
        assert_eq!(
            reason(with("type", json!(5))),
            "/batch/1/type: must be a string"
        );
        assert!(reason(with("type", json!("bogus"))).starts_with("/batch/1/type: must be one of"));
        assert_eq!(reason(without("timestamp")), "/batch/0/timestamp: missing");
        assert_eq!(
            reason(without("event")),
            "/batch/0/event: missing (required for track)"
        );
        assert!(reason(without("anonymousId")).starts_with("/batch/0/anonymousId: missing"));
        assert_eq!(
            reason(with("userId", json!(7))),
            "/batch/1/userId: must be a string"
        );
        assert_eq!(
            reason(with("properties", json!([]))),
            "/batch/1/properties: must be an object"
        );
        assert_eq!(
            reason(with("context", json!("x"))),
            "/batch/1/context: must be an object"
        );
        assert_eq!(
            reason(with("traits", json!(null))),
            "/batch/1/traits: must be an object"
        );
        assert_eq!(reason(json!([ev(), 3])), "/1: must be an object");
    }

    #[test]
    fn user_id_alone_is_enough_and_null_is_absent() {
        let mut e = ev();
        e.as_object_mut().unwrap().remove("anonymousId");
        e["userId"] = json!("u1");
        assert!(validate(json!([e.clone()])).is_ok());
        e["anonymousId"] = Value::Null;
        assert!(validate(json!([e.clone()])).is_ok());
        e["userId"] = Value::Null;
        assert!(validate(json!([e])).is_err());
    }

    #[test]
    fn batch_shape_and_size() {
        assert_eq!(reason(json!({})), "/batch: missing");
        assert_eq!(reason(json!({"batch":{}})), "/batch: must be an array");
        assert_eq!(reason(json!({"batch":[]})), "/batch: empty batch");
        assert_eq!(reason(json!([])), "/: empty batch");
        assert!(reason(json!("x")).starts_with("body must be"));
        let big = validate(Value::Array(vec![ev(); MAX_EVENTS + 1])).unwrap_err();
        assert_eq!(big.status, 413);
        assert!(validate(Value::Array(vec![ev(); MAX_EVENTS])).is_ok());
    }
}
