//! What of a URL may leave the device.
//!
//! A URL is visitor data: a GET form puts its fields in the query (a password, an email), a
//! password-reset link carries its token, and an OAuth redirect puts `#access_token=...` in the
//! fragment. Every URL Trailmark reads (the page's `url` and `search`, `context.page`, the
//! referrer, `Page Engagement`'s `url`, the attributes rules see) goes through [`clean_url`]
//! before it reaches an event, the visitor's history or a rule:
//!
//! * the **fragment** is dropped, as Segment does, unless it is a single-page-app route
//!   (`#/cart`, `#!/cart`), which route-change page views need;
//! * **query parameters with sensitive names** keep their name and get the value
//!   [`REDACTED`]: names that contain `password`, `passwd`, `pwd`, `secret`, `token`, `apikey`,
//!   `email`, `session`, `sessid`, `signature`, `phone`, `creditcard`, `cardnumber` or `iban`, or that are
//!   exactly `pass`, `auth`, `authorization`, `code`, `key`, `sig`, `pin`, `otp`, `tel`, `ssn`,
//!   `cvv`, `cvc`, `mail`, `sid` or `jwt`, plus the names a config lists in
//!   `privacy.redactParams`. Names are compared lowercased, without `-`, `_` and `.`, so
//!   `access_token`, `Access-Token` and `accessToken` all match `token`;
//! * **values that look like an email address** (`ana@example.com`, percent-encoded or not)
//!   are redacted whatever the parameter's name.
//!
//! Page fields are also cut to [`MAX_URL_BYTES`] / [`MAX_TITLE_BYTES`]: a fragment can be as long
//! as the browser allows (2 MB in Chromium) and never reaches a server, so nothing bounds it but
//! us.

use crate::text::truncate_at_boundary;

/// What a redacted value becomes.
pub const REDACTED: &str = "redacted";

/// Longest URL (and `search`, `path`, referrer) kept, in bytes, after cleaning.
pub const MAX_URL_BYTES: usize = 2048;
/// Longest page title kept, in bytes.
pub const MAX_TITLE_BYTES: usize = 1024;

/// Names that are sensitive wherever they appear inside a parameter name.
const CONTAINED: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "apikey",
    "email",
    "session",
    "sessid",
    "signature",
    "phone",
    "creditcard",
    "cardnumber",
    "iban",
];

/// Names that are sensitive only as the whole parameter name (as parts they are too common:
/// `author`, `zipcode`, `monkey`).
const EXACT: &[&str] = &[
    "pass",
    "auth",
    "authorization",
    "code",
    "key",
    "sig",
    "pin",
    "otp",
    "tel",
    "ssn",
    "cvv",
    "cvc",
    "mail",
    "sid",
    "jwt",
];

/// A parameter name as it is compared: decoded, ASCII-lowercased, without `-`, `_`, `.` and
/// spaces. (ASCII only: Unicode case tables would cost the module kilobytes, and the names
/// above are ASCII.)
pub fn normalize_name(name: &str) -> String {
    let mut out = decode(name);
    out.retain(|c| !matches!(c, '-' | '_' | '.' | ' '));
    out.make_ascii_lowercase();
    out
}

/// Whether `needle` occurs in `hay` (bytes; `str::contains` brings a searcher the module does
/// not need for names this short).
fn has(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Whether a query parameter named `name` carries a secret. `extra` holds the config's
/// `privacy.redactParams`, already [normalized](normalize_name).
pub fn is_sensitive_name(name: &str, extra: &[String]) -> bool {
    let n = normalize_name(name);
    CONTAINED.iter().any(|c| has(n.as_bytes(), c.as_bytes()))
        || EXACT.contains(&n.as_str())
        || extra.contains(&n)
}

/// Whether a (decoded) value looks like an email address: no spaces, some text, `@`, and a
/// domain with a dot that is neither its first nor its last char.
pub fn looks_like_email(value: &str) -> bool {
    let v = value.as_bytes();
    let Some(at) = v.iter().rposition(|&b| b == b'@') else {
        return false;
    };
    let domain = &v[at + 1..];
    at > 0
        && !v.iter().any(u8::is_ascii_whitespace)
        && domain
            .iter()
            .position(|&b| b == b'.')
            .is_some_and(|i| i > 0 && i + 1 < domain.len())
}

/// `url` with its non-route fragment dropped and its sensitive query values redacted, cut to
/// [`MAX_URL_BYTES`].
pub fn clean_url(url: &str, extra: &[String]) -> String {
    let (before, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let mut out = clean_query_part(before, extra);
    if let Some(f) = fragment.filter(|f| f.starts_with('/') || f.starts_with('!')) {
        out.push('#');
        out.push_str(&clean_query_part(f, extra));
    }
    truncate_at_boundary(&mut out, MAX_URL_BYTES);
    out
}

/// `location.search` (with its `?`, or empty) with sensitive values redacted.
pub fn clean_search(search: &str, extra: &[String]) -> String {
    let mut out = clean_query_part(search, extra);
    truncate_at_boundary(&mut out, MAX_URL_BYTES);
    out
}

/// `text` up to its first `?`, then its query with sensitive values redacted.
fn clean_query_part(text: &str, extra: &[String]) -> String {
    let Some((base, query)) = text.split_once('?') else {
        return text.to_owned();
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(base);
    out.push('?');
    for (i, pair) in query.split('&').enumerate() {
        if i > 0 {
            out.push('&');
        }
        match pair.split_once('=') {
            Some((name, value))
                if is_sensitive_name(name, extra) || looks_like_email(&decode(value)) =>
            {
                out.push_str(name);
                out.push('=');
                out.push_str(REDACTED);
            }
            _ => out.push_str(pair),
        }
    }
    out
}

/// Form-style percent-decoding (`+` is a space); malformed escapes stay as written and invalid
/// UTF-8 decodes to nothing (a name or value that is not text is not a secret we can name).
pub fn decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let hex = |at: usize| bytes.get(at).and_then(|c| (*c as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
            (b'+', ..) => out.push(b' '),
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(url: &str) -> String {
        clean_url(url, &[])
    }

    #[test]
    fn fragments_are_dropped_unless_they_are_routes() {
        assert_eq!(clean("https://s.test/a#reviews"), "https://s.test/a");
        assert_eq!(
            clean("https://s.test/cb#access_token=abc&token_type=bearer"),
            "https://s.test/cb"
        );
        assert_eq!(clean("https://s.test/#/cart"), "https://s.test/#/cart");
        assert_eq!(clean("https://s.test/#!/cart"), "https://s.test/#!/cart");
        assert_eq!(
            clean("https://s.test/#/reset?token=s3cret&step=2"),
            "https://s.test/#/reset?token=redacted&step=2"
        );
    }

    #[test]
    fn sensitive_parameters_keep_their_name_and_lose_their_value() {
        assert_eq!(
            clean("https://s.test/login?user=ana&password=hunter2&next=%2Fcart"),
            "https://s.test/login?user=ana&password=redacted&next=%2Fcart"
        );
        for name in [
            "access_token",
            "Access-Token",
            "accessToken",
            "newPassword",
            "pwd",
            "api_key",
            "client_secret",
            "EMAIL",
            "user.email",
            "code",
            "sig",
            "PHPSESSID",
            "session_id",
            "card-number",
        ] {
            let url = format!("https://s.test/p?{name}=v&q=tea");
            assert_eq!(
                clean(&url),
                format!("https://s.test/p?{name}=redacted&q=tea"),
                "{name}"
            );
        }
        for name in [
            "author",
            "zipcode",
            "monkey",
            "q",
            "page",
            "sort",
            "utm_source",
            "coupon",
        ] {
            let url = format!("https://s.test/p?{name}=v");
            assert_eq!(clean(&url), url, "{name} is not sensitive");
        }
    }

    #[test]
    fn email_values_are_redacted_under_any_name() {
        assert_eq!(
            clean("https://s.test/s?q=ana%40example.com&x=ana@example.com&y=a@b"),
            "https://s.test/s?q=redacted&x=redacted&y=a@b"
        );
        assert_eq!(
            clean("https://s.test/s?q=@home"),
            "https://s.test/s?q=@home"
        );
    }

    #[test]
    fn configured_names_are_redacted_too() {
        let extra = vec![normalize_name("Gift_Card")];
        assert_eq!(
            clean_url("https://s.test/?giftcard=1234&gift=5", &extra),
            "https://s.test/?giftcard=redacted&gift=5"
        );
    }

    #[test]
    fn search_is_cleaned_like_the_url_and_everything_is_bounded() {
        assert_eq!(clean_search("?token=a&q=b", &[]), "?token=redacted&q=b");
        assert_eq!(clean_search("", &[]), "");
        let long = format!("https://s.test/?q={}", "é".repeat(3000));
        let out = clean(&long);
        assert!(out.len() <= MAX_URL_BYTES && out.starts_with("https://s.test/?q=é"));
        let huge_fragment = format!("https://s.test/p#{}", "x".repeat(2_000_000));
        assert_eq!(clean(&huge_fragment), "https://s.test/p");
    }
}
