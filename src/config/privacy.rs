//! `/privacy`: query parameters this site treats as sensitive, besides the built-in names.
//!
//! ```json
//! { "privacy": { "redactParams": ["gift_card", "voucher"] } }
//! ```
//!
//! Every URL Trailmark reads has the values of these parameters replaced (see
//! [`crate::privacy`]); names compare as the built-in ones do (case, `-`, `_`, `.` ignored).

use super::read;
use crate::diag::{Diagnostic, Diagnostics, Path};
use crate::privacy::normalize_name;
use crate::render::expected;
use crate::value::{Map, Value};

const FIELDS: &[&str] = &["redactParams"];

/// Most names in `redactParams`.
const MAX_NAMES: usize = 100;

/// Compiles `/privacy`: the extra sensitive names, normalized.
pub fn compile(obj: &Map, path: &Path, diags: &mut Diagnostics) -> Vec<String> {
    read::unknown_fields(obj, FIELDS, path, diags);
    let at = path.key("redactParams");
    let items = match obj.get("redactParams") {
        None => return Vec::new(),
        Some(Value::Array(items)) if items.len() <= MAX_NAMES => items,
        Some(Value::Array(_)) => {
            diags.push(Diagnostic::error(
                "config/too-many",
                &at,
                "at most 100 parameter names",
            ));
            return Vec::new();
        }
        Some(other) => {
            diags.push(Diagnostic::error(
                "config/wrong-type",
                &at,
                expected("an array of parameter names", other),
            ));
            return Vec::new();
        }
    };
    let mut names = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) if !normalize_name(s).is_empty() => names.push(normalize_name(s)),
            other => diags.push(Diagnostic::error(
                "config/wrong-type",
                &at.index(i),
                expected("a non-empty parameter name", other),
            )),
        }
    }
    names
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use crate::config::compile;
    use crate::value::Value;

    fn run(privacy: &str) -> (Vec<String>, Vec<(&'static str, String)>) {
        let text = format!(r#"{{"version":1,"privacy":{privacy}}}"#);
        let c = compile(&Value::parse_json(&text).expect("test JSON"));
        let d = c.diagnostics.0.into_iter().map(|d| (d.code, d.path));
        (c.config.redact_params, d.collect())
    }

    #[test]
    fn names_are_normalized() {
        assert_eq!(
            run(r#"{"redactParams":["Gift_Card","x-voucher"]}"#),
            (vec!["giftcard".into(), "xvoucher".into()], vec![])
        );
    }

    #[test]
    fn bad_entries_name_their_path() {
        let (names, diags) = run(r#"{"redactParams":["ok", 5, "--"]}"#);
        assert_eq!(names, vec!["ok".to_string()]);
        assert_eq!(
            diags,
            vec![
                ("config/wrong-type", "/privacy/redactParams/1".to_string()),
                ("config/wrong-type", "/privacy/redactParams/2".to_string()),
            ]
        );
        let (_, diags) = run(r#"{"redactParams":"token"}"#);
        assert_eq!(
            diags,
            vec![("config/wrong-type", "/privacy/redactParams".to_string())]
        );
    }
}
