//! `/identity`: where the anonymous id is kept besides `localStorage`.
//!
//! `localStorage` is per origin, so `shop.example` and `checkout.shop.example` would see two
//! visitors. A store whose checkout lives on a subdomain names its registrable domain here and
//! the id is also kept in a first-party cookie on it (`trailmark_aid`), which every subdomain
//! reads.

use super::read;
use crate::diag::{Diagnostic, Diagnostics, Path};
use crate::value::Map;

const FIELDS: &[&str] = &["cookieDomain"];

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
