//! The event envelope, Segment-compatible on the wire.
//!
//! `messageId` is fixed when the event is created and reused on every retry, so a collector that
//! dedupes on it stores each event once however often delivery is retried.

use crate::json::{write_object, write_str, FloatFormatter};
use crate::time::{iso8601, Millis};
use crate::value::Map;

/// The kind of call that produced an event (Segment's `type`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kind {
    /// `track`: something the visitor did.
    #[default]
    Track,
    /// `page`: a page view.
    Page,
    /// `identify`: who the visitor is.
    Identify,
}

impl Kind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Track => "track",
            Kind::Page => "page",
            Kind::Identify => "identify",
        }
    }
}

/// One event, as created.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// Segment `type`.
    pub kind: Kind,
    /// `event` for track calls (`Product Added`), `name` for page calls (optional).
    pub name: Option<String>,
    /// Event properties.
    pub properties: Map,
    /// Identify traits.
    pub traits: Option<Map>,
    /// Unique id, fixed at creation.
    pub message_id: String,
    /// First-party anonymous visitor id.
    pub anonymous_id: String,
    /// The site's own user id, once identified.
    pub user_id: Option<String>,
    /// When it happened.
    pub timestamp: Millis,
    /// Segment `context` (library, page, tab and sequence, locale, user agent).
    pub context: Map,
}

/// Event names that flush at once: losing or delaying them costs the store the most.
pub const CONVERSION_EVENTS: &[&str] = &[
    "Product Added",
    "Product Removed",
    "Checkout Started",
    "Coupon Applied",
    "Order Completed",
];

impl Event {
    /// Whether this event should be sent without waiting for a full batch.
    pub fn is_conversion(&self) -> bool {
        self.kind == Kind::Track
            && self
                .name
                .as_deref()
                .is_some_and(|n| CONVERSION_EVENTS.contains(&n))
    }

    /// The event as one JSON object.
    pub fn to_json(&self, float: FloatFormatter) -> String {
        let mut out = String::with_capacity(512);
        out.push_str("{\"type\":");
        write_str(&mut out, self.kind.as_str());
        if let Some(name) = &self.name {
            out.push_str(match self.kind {
                Kind::Page => ",\"name\":",
                _ => ",\"event\":",
            });
            write_str(&mut out, name);
        }
        if self.kind != Kind::Identify {
            out.push_str(",\"properties\":");
            write_object(&mut out, &self.properties, float);
        }
        if let Some(traits) = &self.traits {
            out.push_str(",\"traits\":");
            write_object(&mut out, traits, float);
        }
        out.push_str(",\"messageId\":");
        write_str(&mut out, &self.message_id);
        out.push_str(",\"anonymousId\":");
        write_str(&mut out, &self.anonymous_id);
        if let Some(user) = &self.user_id {
            out.push_str(",\"userId\":");
            write_str(&mut out, user);
        }
        out.push_str(",\"timestamp\":");
        write_str(&mut out, &iso8601(self.timestamp));
        out.push_str(",\"context\":");
        write_object(&mut out, &self.context, float);
        out.push('}');
        out
    }
}

// Native only: these tests use `native_float` (and serde_json), which the wasm build leaves out.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::json::native_float;
    use crate::value::Value;

    #[test]
    fn serializes_segment_envelope() {
        let e = Event {
            kind: Kind::Track,
            name: Some("Product Added".into()),
            properties: [("price".to_string(), Value::Number(1850.0))]
                .into_iter()
                .collect(),
            traits: None,
            message_id: "m-1".into(),
            anonymous_id: "a-1".into(),
            user_id: None,
            timestamp: 0,
            context: Map::new(),
        };
        assert!(e.is_conversion());
        assert_eq!(
            e.to_json(native_float),
            r#"{"type":"track","event":"Product Added","properties":{"price":1850},"messageId":"m-1","anonymousId":"a-1","timestamp":"1970-01-01T00:00:00.000Z","context":{}}"#
        );
    }
}
