//! Identifiers from random bytes supplied by the shell (`crypto.getRandomValues`) or a test.

/// Formats 16 random bytes as an RFC 4122 version 4 UUID (`xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`).
pub fn uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 0xf) as usize] as char);
    }
    out
}

/// Whether `id`, read back from storage or a cookie (a same-origin script can plant anything
/// there), is one Trailmark could have written: 1 to 64 ASCII letters, digits or `-`. The one
/// check for every source, so no control character, quote or markup ever becomes an id.
pub fn plausible_id(id: &str) -> bool {
    if id.is_empty() || id.len() > 64 {
        return false;
    }
    for b in id.bytes() {
        if !(b.is_ascii_alphanumeric() || b == b'-') {
            return false;
        }
    }
    true
}

/// A UUID-shaped id derived from `parts` (FNV-1a, four salts): the same parts give the same
/// id in every tab, for events two tabs may both record.
pub fn derived_id(parts: &[&str]) -> String {
    let mut text = String::new();
    for p in parts {
        text.push_str(p);
        text.push('\u{1f}');
    }
    let mut bytes = [0u8; 16];
    for (i, chunk) in bytes.chunks_mut(4).enumerate() {
        text.push((b'0' + i as u8) as char);
        chunk.copy_from_slice(&crate::rules::bucket::fnv1a32(&text).to_le_bytes());
    }
    uuid_v4(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_ids_are_stable_and_differ_by_part() {
        let a = derived_id(&["aid", "cart", "1", "abandoned"]);
        assert_eq!(a, derived_id(&["aid", "cart", "1", "abandoned"]));
        assert_ne!(a, derived_id(&["aid", "cart", "2", "abandoned"]));
        assert_ne!(a, derived_id(&["aidcart", "", "1", "abandoned"]));
        assert_eq!(a.len(), 36);
    }

    #[test]
    fn only_plausible_ids_are_read_back() {
        assert!(plausible_id("0d5e8a2c-1b7f-4c3e-9a1d-5f6e7a8b9c0d"));
        for bad in [
            "",
            "a\u{0}b",
            "a\nb",
            "a b",
            "<script>",
            "\"x\"",
            &"a".repeat(65),
            "é",
        ] {
            assert!(!plausible_id(bad), "{bad:?}");
        }
    }

    #[test]
    fn sets_version_and_variant() {
        let id = uuid_v4([0xff; 16]);
        assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
    }
}
