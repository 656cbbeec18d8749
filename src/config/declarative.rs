//! `/declarative`: which events markup may record on its own (`data-trailmark-event`).
//!
//! ```json
//! { "declarative": { "events": ["Newsletter Signup", "Product Clicked"] } }
//! ```
//!
//! Any element on the page can carry `data-trailmark-event`, including a product review or a
//! comment: HTML sanitizers keep `data-*` attributes. So a click records a declarative event
//! only when its name is listed here (exactly, case included); the default list is empty.
//! Events Trailmark records itself cannot be listed (they would let markup forge the outcome
//! events caps and reports read); listing a commerce event (the cart, checkout and order
//! events the visitor's profile is built from) is allowed with a warning.

use super::read;
use crate::caps::{BLOCK_CLICKED, BLOCK_DISMISSED, BLOCK_VIEWED, OFFER_ACCEPTED};
use crate::diag::expected;
use crate::diag::{Diagnostic, Diagnostics, Path};
use crate::experiments::EXPERIMENT_VIEWED;
use crate::journeys::STAGE_ENTERED;
use crate::limits::MAX_EVENT_NAME_BYTES;
use crate::tracker::DROPPED_EVENT;
use crate::value::{Map, Value};
use crate::visitor::ENGAGEMENT;

const FIELDS: &[&str] = &["events"];

/// Most names in `declarative.events`.
pub const MAX_EVENTS: usize = 100;

/// Events Trailmark records itself: never from markup.
const OWN_EVENTS: &[&str] = &[
    ENGAGEMENT,
    BLOCK_VIEWED,
    BLOCK_CLICKED,
    BLOCK_DISMISSED,
    OFFER_ACCEPTED,
    STAGE_ENTERED,
    EXPERIMENT_VIEWED,
    DROPPED_EVENT,
];

/// Commerce events: the cart, checkout and order events (the visitor's cart and orders are
/// built from them, and they are sent at once). They belong to the page's code (`track`,
/// `addToCart`) or an adapter, which markup cannot reach.
pub const COMMERCE_EVENTS: &[&str] = &[
    "Product Viewed",
    "Product List Viewed",
    "Product Added",
    "Product Removed",
    "Cart Viewed",
    "Checkout Started",
    "Checkout Step Viewed",
    "Checkout Step Completed",
    "Payment Info Entered",
    "Coupon Entered",
    "Coupon Applied",
    "Coupon Denied",
    "Coupon Removed",
    "Order Completed",
    "Order Updated",
    "Order Refunded",
    "Order Cancelled",
];

/// Compiles `/declarative`: the event names markup may record, in config order, each once.
pub fn compile(obj: &Map, path: &Path, diags: &mut Diagnostics) -> Vec<String> {
    read::unknown_fields(obj, FIELDS, path, diags);
    let at = path.key("events");
    let items = match obj.get("events") {
        None => return Vec::new(),
        Some(Value::Array(items)) if items.len() <= MAX_EVENTS => items,
        Some(Value::Array(_)) => {
            diags.push(Diagnostic::error(
                "config/too-many",
                &at,
                "at most 100 event names; none of them is used",
            ));
            return Vec::new();
        }
        Some(other) => {
            diags.push(Diagnostic::error(
                "config/wrong-type",
                &at,
                expected("an array of event names", other),
            ));
            return Vec::new();
        }
    };
    let mut names: Vec<String> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let here = at.index(i);
        let name = match item {
            Value::String(s) if !s.trim().is_empty() && s.len() <= MAX_EVENT_NAME_BYTES => s,
            Value::String(_) => {
                diags.push(Diagnostic::error(
                    "config/bad-event-name",
                    &here,
                    "an event name is a non-empty string of at most 200 bytes",
                ));
                continue;
            }
            other => {
                diags.push(Diagnostic::error(
                    "config/wrong-type",
                    &here,
                    expected("an event name (a string)", other),
                ));
                continue;
            }
        };
        let mut quoted = String::from("\"");
        quoted.push_str(name);
        quoted.push('"');
        if OWN_EVENTS.contains(&name.as_str()) {
            diags.push(Diagnostic::error(
                "config/declarative-reserved",
                &here,
                quoted + " is recorded by Trailmark itself; markup cannot record it",
            ));
        } else if names.contains(name) {
            diags.push(Diagnostic::warning(
                "config/duplicate",
                &here,
                quoted + " is already listed",
            ));
        } else {
            if COMMERCE_EVENTS.contains(&name.as_str()) {
                diags.push(Diagnostic::warning(
                    "config/declarative-commerce",
                    &here,
                    quoted
                        + " is a commerce event: listed here, any markup can record it, including \
                           a review or comment (sanitizers keep data-* attributes); record it from \
                           the page's code (trailmark.track) or an adapter instead",
                ));
            }
            names.push(name.clone());
        }
    }
    names
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use crate::config::compile;
    use crate::diag::Severity;
    use crate::value::Value;

    type Found = Vec<(&'static str, String, Severity)>;

    fn run(section: &str) -> (Vec<String>, Found) {
        let text = format!(r#"{{"version":1,"declarative":{section}}}"#);
        let c = compile(&Value::parse_json(&text).expect("test JSON"));
        let d = c
            .diagnostics
            .0
            .into_iter()
            .map(|d| (d.code, d.path, d.severity));
        (c.config.declarative_events, d.collect())
    }

    #[test]
    fn none_by_default() {
        let c = compile(&Value::parse_json(r#"{"version":1}"#).unwrap());
        assert!(c.config.declarative_events.is_empty());
        assert_eq!(run("{}"), (vec![], vec![]));
        assert_eq!(run(r#"{"events":[]}"#), (vec![], vec![]));
    }

    #[test]
    fn listed_names_are_kept_exactly_once_in_order() {
        let (names, diags) = run(
            r#"{"events":["Newsletter Signup","Product Clicked","Newsletter Signup","newsletter signup"]}"#,
        );
        assert_eq!(
            names,
            ["Newsletter Signup", "Product Clicked", "newsletter signup"]
        );
        assert_eq!(
            diags,
            vec![(
                "config/duplicate",
                "/declarative/events/2".into(),
                Severity::Warning
            )]
        );
    }

    #[test]
    fn bad_input_names_the_exact_path_and_reason() {
        let long = "x".repeat(201);
        let (names, diags) = run(&format!(
            r#"{{"events":["ok", 7, "", "  ", "{long}", null, "Block Viewed", "Page Engagement"], "event": []}}"#
        ));
        assert_eq!(names, ["ok"]);
        let at = |i: usize| format!("/declarative/events/{i}");
        assert_eq!(
            diags,
            vec![
                (
                    "config/unknown-field",
                    "/declarative/event".into(),
                    Severity::Warning
                ),
                ("config/wrong-type", at(1), Severity::Error),
                ("config/bad-event-name", at(2), Severity::Error),
                ("config/bad-event-name", at(3), Severity::Error),
                ("config/bad-event-name", at(4), Severity::Error),
                ("config/wrong-type", at(5), Severity::Error),
                ("config/declarative-reserved", at(6), Severity::Error),
                ("config/declarative-reserved", at(7), Severity::Error),
            ]
        );
        for (section, code, path) in [
            (r#""events""#, "config/wrong-type", "/declarative"),
            (
                r#"{"events":"Signup"}"#,
                "config/wrong-type",
                "/declarative/events",
            ),
            (
                r#"{"events":{"a":1}}"#,
                "config/wrong-type",
                "/declarative/events",
            ),
        ] {
            let (names, diags) = run(section);
            assert!(names.is_empty(), "{section}");
            assert_eq!(
                diags,
                vec![(code, path.into(), Severity::Error)],
                "{section}"
            );
        }
        let many: Vec<String> = (0..101).map(|i| format!("\"e{i}\"")).collect();
        let (names, diags) = run(&format!(r#"{{"events":[{}]}}"#, many.join(",")));
        assert!(names.is_empty());
        assert_eq!(
            diags,
            vec![(
                "config/too-many",
                "/declarative/events".into(),
                Severity::Error
            )]
        );
    }

    #[test]
    fn commerce_events_are_kept_with_a_warning() {
        let (names, diags) = run(r#"{"events":["Order Completed","Product Added"]}"#);
        assert_eq!(names, ["Order Completed", "Product Added"]);
        assert_eq!(diags.len(), 2);
        assert!(diags
            .iter()
            .all(|d| d.0 == "config/declarative-commerce" && d.2 == Severity::Warning));
        assert_eq!(diags[1].1, "/declarative/events/1");
    }

    #[test]
    fn the_list_survives_the_program_format() {
        let raw = Value::parse_json(
            r#"{"version":1,"declarative":{"events":["Newsletter Signup","Größe ✓"]}}"#,
        )
        .unwrap();
        let program = crate::program::encode(&compile(&raw).config);
        let back = crate::program::decode(&program).expect("reads back");
        assert_eq!(back.declarative_events, ["Newsletter Signup", "Größe ✓"]);
    }
}
