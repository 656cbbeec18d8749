//! Consent as text and values: the shopper's update (API input) and the stored record.
//!
//! The stored record is versioned JSON, one object per explicitly chosen category:
//!
//! ```json
//! {"v":1,"analytics":{"choice":"granted","at":1763925721123,"signal":false},
//!  "personalization":{"choice":"denied","at":1763925721123,"signal":false}}
//! ```
//!
//! `at` is when the choice was made (ms since the epoch), `signal` whether GPC or DNT was on at
//! that moment. Storage is hostile input: a record that is not exactly this shape (another
//! version, a wrong type anywhere, a foreign value under the key) is ignored as a whole and the
//! shopper starts fresh, as if no choice had been made.

use super::{Category, Choice, Consent};
use crate::diag::expected;
use crate::diag::{Diagnostic, Diagnostics, Path};
use crate::json::{write_number, write_str, FloatFormatter};
use crate::value::{Map, Value};

/// The record format this build writes and reads.
pub const RECORD_VERSION: f64 = 1.0;

/// Largest `at` accepted (2^53: every integer below is exact).
const MAX_AT: f64 = 9_007_199_254_740_992.0;

/// A partial consent update: `None` leaves a category as it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Update {
    /// `Some(true)` grants analytics, `Some(false)` denies it.
    pub analytics: Option<bool>,
    /// `Some(true)` grants personalization, `Some(false)` denies it.
    pub personalization: Option<bool>,
}

impl Update {
    /// Whether the update changes nothing.
    pub fn is_empty(&self) -> bool {
        self.analytics.is_none() && self.personalization.is_none()
    }
}

/// Reads an API update such as `{"analytics": "granted", "personalization": false}`.
///
/// Each category takes `"granted"`, `"denied"`, `true` or `false`; a missing or `null` category
/// is left unchanged. Any error rejects the whole update (`None`): consent is never applied
/// half-way from an ambiguous call. Unknown keys are warnings (`consent/unknown-category`).
pub fn parse_update(raw: &Value) -> (Option<Update>, Diagnostics) {
    let mut diags = Diagnostics::default();
    let root = Path::root();
    let Some(obj) = raw.as_object() else {
        diags.push(Diagnostic::error(
            "consent/wrong-type",
            &root,
            expected(
                "an object such as {\"analytics\": \"granted\", \"personalization\": \"denied\"}",
                raw,
            ),
        ));
        return (None, diags);
    };
    let mut update = Update::default();
    for (key, value) in obj.iter() {
        let slot = match key {
            "analytics" => &mut update.analytics,
            "personalization" => &mut update.personalization,
            _ => {
                diags.push(Diagnostic::warning(
                    "consent/unknown-category",
                    &root.key(key),
                    "unknown consent category is ignored; known: analytics, personalization",
                ));
                continue;
            }
        };
        match value {
            Value::Null => {}
            Value::Bool(b) => *slot = Some(*b),
            Value::String(s) if s == "granted" => *slot = Some(true),
            Value::String(s) if s == "denied" => *slot = Some(false),
            other => diags.push(Diagnostic::error(
                "consent/bad-choice",
                &root.key(key),
                expected("\"granted\", \"denied\", true or false", other),
            )),
        }
    }
    if diags.has_errors() {
        return (None, diags);
    }
    (Some(update), diags)
}

/// The stored record of `consent`'s explicit choices.
pub fn to_json(consent: &Consent, float: FloatFormatter) -> String {
    let mut out = String::from("{\"v\":");
    write_number(&mut out, RECORD_VERSION, float);
    for category in Category::ALL {
        let Some(c) = consent.choice(category) else {
            continue;
        };
        out.push(',');
        write_str(&mut out, category.as_str());
        out.push_str(":{\"choice\":");
        write_str(&mut out, if c.granted { "granted" } else { "denied" });
        out.push_str(",\"at\":");
        write_number(&mut out, c.at as f64, float);
        out.push_str(",\"signal\":");
        out.push_str(if c.signal { "true" } else { "false" });
        out.push('}');
    }
    out.push('}');
    out
}

/// The explicit choices in a stored record `(analytics, personalization)`; `None` when the
/// record is not exactly a version-1 record.
pub fn from_value(raw: &Value) -> Option<(Option<Choice>, Option<Choice>)> {
    let obj = raw.as_object()?;
    if obj.get("v")?.as_f64()? != RECORD_VERSION {
        return None;
    }
    Some((
        choice(obj, Category::Analytics)?,
        choice(obj, Category::Personalization)?,
    ))
}

/// `Some(None)` when the category is absent, `None` when it is malformed.
fn choice(obj: &Map, category: Category) -> Option<Option<Choice>> {
    let Some(raw) = obj.get(category.as_str()) else {
        return Some(None);
    };
    let c = raw.as_object()?;
    let granted = match c.get("choice")?.as_str()? {
        "granted" => true,
        "denied" => false,
        _ => return None,
    };
    let at = c.get("at")?.as_f64()?;
    if !(0.0..=MAX_AT).contains(&at) || at.fract() != 0.0 {
        return None;
    }
    let signal = c.get("signal")?.as_bool()?;
    Some(Some(Choice {
        granted,
        at: at as i64,
        signal,
    }))
}
