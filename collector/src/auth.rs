//! The optional write key. Segment-compatible senders pass it as the HTTP Basic user
//! (`Authorization: Basic base64(KEY:)`); beacons cannot set headers, so a `writeKey` field in the
//! body is accepted too.

/// Whether a request may write. Always true when no key is configured.
pub fn authorized(
    expected: Option<&str>,
    authorization: Option<&str>,
    body_key: Option<&str>,
) -> bool {
    let Some(expected) = expected else {
        return true;
    };
    body_key.is_some_and(|k| same_secret(k, expected))
        || authorization
            .and_then(basic_user)
            .is_some_and(|u| same_secret(&u, expected))
}

/// Compares a presented secret with the expected one in time that does not depend on where they
/// first differ (only on their lengths), so response timing does not reveal a prefix.
pub fn same_secret(presented: &str, expected: &str) -> bool {
    let (a, b) = (presented.as_bytes(), expected.as_bytes());
    let mut diff = a.len() ^ b.len();
    for (i, &x) in b.iter().enumerate() {
        diff |= usize::from(x ^ a.get(i).copied().unwrap_or(!x));
    }
    diff == 0
}

/// The user name of an `Authorization: Basic ...` header value.
pub fn basic_user(header: &str) -> Option<String> {
    let (scheme, token) = header.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(base64_decode(token.trim())?).ok()?;
    let user = decoded.split_once(':').map_or(decoded.as_str(), |(u, _)| u);
    Some(user.to_string())
}

/// Decodes standard base64 (padding optional); `None` on any invalid character.
fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.trim_end_matches('=').bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_user_is_the_key() {
        // base64("secret:") = "c2VjcmV0Og==", base64("secret") = "c2VjcmV0"
        assert_eq!(basic_user("Basic c2VjcmV0Og==").as_deref(), Some("secret"));
        assert_eq!(basic_user("basic c2VjcmV0").as_deref(), Some("secret"));
        assert_eq!(basic_user("Bearer c2VjcmV0"), None);
        assert_eq!(basic_user("Basic !!!"), None);
    }

    #[test]
    fn key_from_header_or_body() {
        assert!(authorized(None, None, None));
        assert!(authorized(Some("secret"), Some("Basic c2VjcmV0Og=="), None));
        assert!(authorized(Some("secret"), None, Some("secret")));
        assert!(!authorized(Some("secret"), None, None));
        // Either one suffices.
        assert!(authorized(
            Some("secret"),
            Some("Basic c2VjcmV0Og=="),
            Some("wrong")
        ));
        assert!(!authorized(Some("secret"), None, Some("wrong")));
    }

    #[test]
    fn secrets_compare_exactly() {
        assert!(same_secret("abc", "abc"));
        assert!(same_secret("", ""));
        for other in ["abd", "ab", "abcd", "", "ABC"] {
            assert!(!same_secret(other, "abc"), "{other}");
        }
    }
}
