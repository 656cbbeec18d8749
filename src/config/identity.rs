//! `/identity`: where the anonymous id is kept besides `localStorage`.
//!
//! `localStorage` is per origin, so `shop.example` and `checkout.shop.example` would see two
//! visitors. A store whose checkout lives on a subdomain names its registrable domain here and
//! the id is also kept in a first-party cookie on it (`trailmark_aid`), which every subdomain
//! reads.
//!
//! `traits` names the `identify` traits that personal text may use (`traits.firstName` in a
//! block's text): only those are kept with the visitor (see [`crate::visitor`]).
//!
//! ```json
//! { "identity": { "cookieDomain": "shop.example", "traits": ["firstName"] } }
//! ```

use super::read;
use crate::diag::{expected, Diagnostic, Diagnostics, Path};
use crate::value::{Map, Value};

const FIELDS: &[&str] = &["cookieDomain", "traits"];

/// Compiles `/identity/traits`: the names of the traits kept for text.
pub fn compile_traits(obj: &Map, path: &Path, diags: &mut Diagnostics) -> Vec<String> {
    let at = path.key("traits");
    let mut names = Vec::new();
    match obj.get("traits") {
        None => {}
        Some(Value::Array(items)) if items.len() <= crate::visitor::MAX_TRAITS => {
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) if !s.is_empty() && s.len() <= 64 && !s.contains('.') => {
                        names.push(s.clone())
                    }
                    other => diags.push(Diagnostic::error(
                        "config/wrong-type",
                        &at.index(i),
                        expected("a trait name (1 to 64 bytes, no dots)", other),
                    )),
                }
            }
        }
        Some(Value::Array(_)) => diags.push(Diagnostic::error(
            "config/too-many",
            &at,
            "at most 16 traits",
        )),
        Some(other) => diags.push(Diagnostic::error(
            "config/wrong-type",
            &at,
            expected("an array of trait names", other),
        )),
    }
    names
}

/// Compiles `/identity`: the cookie domain, if a valid one is given.
pub fn compile(obj: &Map, path: &Path, diags: &mut Diagnostics) -> Option<String> {
    read::unknown_fields(obj, FIELDS, path, diags);
    let domain = read::string(obj, "cookieDomain", path, false, diags)?;
    let host = domain
        .strip_prefix('.')
        .unwrap_or(&domain)
        .to_ascii_lowercase();
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if host.len() > 253 || !host.contains('.') || !host.split('.').all(label_ok) {
        diags.push(Diagnostic::error(
            "config/bad-domain",
            &path.key("cookieDomain"),
            "expected a domain name such as \"shop.example\" (the site's registrable domain)",
        ));
        return None;
    }
    Some(host)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use crate::config::compile;
    use crate::value::Value;

    fn run(identity: &str) -> (Option<String>, Vec<(&'static str, String)>) {
        let text = format!(r#"{{"version":1,"identity":{identity}}}"#);
        let c = compile(&Value::parse_json(&text).expect("test JSON"));
        let d = c.diagnostics.0.into_iter().map(|d| (d.code, d.path));
        (c.config.cookie_domain, d.collect())
    }

    #[test]
    fn a_domain_is_kept_lowercase_without_a_leading_dot() {
        assert_eq!(
            run(r#"{"cookieDomain":".Shop.Example"}"#),
            (Some("shop.example".into()), vec![])
        );
        assert_eq!(run("{}"), (None, vec![]));
    }

    #[test]
    fn bad_domains_name_the_path() {
        for bad in [
            r#""localhost""#,
            r#""shop..example""#,
            r#""sh op.example""#,
            r#""-a.example""#,
            "7",
        ] {
            let (domain, diags) = run(&format!(r#"{{"cookieDomain":{bad}}}"#));
            assert_eq!(domain, None, "{bad}");
            assert_eq!(diags.len(), 1, "{bad}: {diags:?}");
            assert_eq!(diags[0].1, "/identity/cookieDomain");
        }
    }
}
