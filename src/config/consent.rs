//! `/consent`: what the site requires before events leave the device.

use super::read;
use crate::consent::Settings;
use crate::diag::{Diagnostics, Path};
use crate::value::Map;

const FIELDS: &[&str] = &["required", "honorGlobalPrivacyControl"];

/// Compiles `/consent`; a field with the wrong type keeps its default (and says so).
pub fn compile(obj: &Map, path: &Path, diags: &mut Diagnostics) -> Settings {
    let defaults = Settings::default();
    read::unknown_fields(obj, FIELDS, path, diags);
    Settings {
        required: read::boolean(obj, "required", path, defaults.required, diags),
        honor_gpc: read::boolean(
            obj,
            "honorGlobalPrivacyControl",
            path,
            defaults.honor_gpc,
            diags,
        ),
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use crate::config::compile;
    use crate::consent::Settings;
    use crate::diag::Severity;
    use crate::value::Value;

    fn run(text: &str) -> (Settings, Vec<(Severity, &'static str, String)>) {
        let c = compile(&Value::parse_json(text).expect("test JSON"));
        let d = c.diagnostics.0.into_iter();
        (
            c.config.consent,
            d.map(|d| (d.severity, d.code, d.path)).collect(),
        )
    }

    const ON: Settings = Settings {
        required: true,
        honor_gpc: true,
    };

    #[test]
    fn defaults_without_a_section() {
        let (s, d) = run(r#"{"version":1}"#);
        assert_eq!(s, Settings::default());
        assert_eq!((s.required, s.honor_gpc), (false, true));
        assert!(d.is_empty());
        assert_eq!(run(r#"{"version":1,"consent":{}}"#), (s, vec![]));
    }

    #[test]
    fn reads_both_fields() {
        let (s, d) =
            run(r#"{"version":1,"consent":{"required":true,"honorGlobalPrivacyControl":false}}"#);
        assert_eq!(
            s,
            Settings {
                required: true,
                honor_gpc: false
            }
        );
        assert!(d.is_empty());
        let (s, _) = run(r#"{"version":1,"consent":{"required":true}}"#);
        assert_eq!(s, ON);
    }

    #[test]
    fn wrong_types_keep_defaults_with_exact_paths() {
        let (s, d) =
            run(r#"{"version":1,"consent":{"required":"yes","honorGlobalPrivacyControl":0}}"#);
        assert_eq!(s, Settings::default());
        assert_eq!(
            d,
            [
                (
                    Severity::Error,
                    "config/wrong-type",
                    "/consent/required".to_string()
                ),
                (
                    Severity::Error,
                    "config/wrong-type",
                    "/consent/honorGlobalPrivacyControl".to_string()
                ),
            ]
        );
        let c = compile(
            &Value::parse_json(r#"{"version":1,"consent":{"honorGlobalPrivacyControl":null}}"#)
                .expect("json"),
        );
        assert_eq!(
            c.diagnostics.0[0].to_string(),
            "config/wrong-type at /consent/honorGlobalPrivacyControl: expected true or false, found null"
        );
    }

    #[test]
    fn a_section_of_the_wrong_type() {
        let (s, d) = run(r#"{"version":1,"consent":true}"#);
        assert_eq!(s, Settings::default());
        assert_eq!(
            d,
            [(Severity::Error, "config/wrong-type", "/consent".to_string())]
        );
    }

    #[test]
    fn unknown_fields_warn_and_the_rest_applies() {
        let (s, d) = run(r#"{"version":1,"consent":{"required":true,"honorGPC":false,"a/b":1}}"#);
        assert_eq!(s, ON, "a misspelt opt-out never turns GPC off");
        assert_eq!(
            d,
            [
                // In config order, as the browser's JSON.parse keeps it.
                (
                    Severity::Warning,
                    "config/unknown-field",
                    "/consent/honorGPC".to_string()
                ),
                (
                    Severity::Warning,
                    "config/unknown-field",
                    "/consent/a~1b".to_string()
                ),
            ]
        );
    }
}
