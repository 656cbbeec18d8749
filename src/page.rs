//! The page an event happened on, as Trailmark keeps it: cleaned and bounded.

use crate::privacy::{clean_search, clean_url, MAX_TITLE_BYTES, MAX_URL_BYTES};
use crate::text::truncate_at_boundary;
use crate::value::{Map, Value};

/// The page an event happened on. Build it with [`Page::read`], which cleans the URLs (see
/// [`crate::privacy`]) and bounds every field, so nothing longer than a few KB reaches events,
/// the visitor's history or the attributes rules see.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    /// Full URL (fragment dropped unless a route, sensitive values redacted).
    pub url: String,
    /// `location.pathname`.
    pub path: String,
    /// `location.search`, including `?` when present (sensitive values redacted).
    pub search: String,
    /// `document.title`.
    pub title: String,
    /// `document.referrer` (cleaned like the URL).
    pub referrer: String,
}

/// What the shell read off `location` and `document`, untouched (and so untrusted).
#[derive(Clone, Copy, Debug, Default)]
pub struct RawPage<'a> {
    /// `location.href`.
    pub url: &'a str,
    /// `location.pathname`.
    pub path: &'a str,
    /// `location.search`.
    pub search: &'a str,
    /// `document.title`.
    pub title: &'a str,
    /// `document.referrer`.
    pub referrer: &'a str,
}

impl Page {
    /// The page from what the shell read, cleaned and bounded. `redact` holds the config's
    /// extra sensitive parameter names (normalized, see [`crate::privacy::normalize_name`]).
    pub fn read(raw: RawPage<'_>, redact: &[String]) -> Page {
        let mut path = raw.path.to_owned();
        truncate_at_boundary(&mut path, MAX_URL_BYTES);
        let mut title = raw.title.to_owned();
        truncate_at_boundary(&mut title, MAX_TITLE_BYTES);
        Page {
            url: clean_url(raw.url, redact),
            path,
            search: clean_search(raw.search, redact),
            title,
            referrer: clean_url(raw.referrer, redact),
        }
    }

    /// The page as a Segment `context.page` / page-call properties object.
    pub fn to_map(&self) -> Map {
        // A plain loop: collecting a mapped iterator is code of its own in the module.
        let mut m = Map::new();
        for (k, v) in [
            ("path", &self.path),
            ("referrer", &self.referrer),
            ("search", &self.search),
            ("title", &self.title),
            ("url", &self.url),
        ] {
            m.insert(k, Value::String(v.clone()));
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_is_cleaned_and_bounded() {
        let long_title = "t".repeat(5000);
        let long_path = format!("/{}", "p".repeat(5000));
        let page = Page::read(
            RawPage {
                url: "https://s.test/login?email=ana%40x.com&q=1#access_token=zz",
                path: &long_path,
                search: "?email=ana%40x.com&q=1",
                title: &long_title,
                referrer: "https://mail.test/r?token=abc",
            },
            &[],
        );
        assert_eq!(page.url, "https://s.test/login?email=redacted&q=1");
        assert_eq!(page.search, "?email=redacted&q=1");
        assert_eq!(page.referrer, "https://mail.test/r?token=redacted");
        assert_eq!(page.title.len(), MAX_TITLE_BYTES);
        assert_eq!(page.path.len(), MAX_URL_BYTES);
    }
}
