//! The page: where we are, read off `location` and `document` (rendering is the runtime's,
//! in `js/render.js`).

use wasm_bindgen::prelude::wasm_bindgen;

use crate::page::RawPage;
use crate::tracker::Page;

// Both helpers cut what they read to 16 Ki UTF-16 units, still in JavaScript: a fragment can be
// megabytes long, and only the first `MAX_URL_BYTES` (crate::privacy) survive cleaning anyway,
// so a huge URL is never copied into the module, kept, or compared whole on every call.
#[wasm_bindgen(module = "/js/wasm_imports.js")]
extern "C" {
    /// Whether `location.href` or `document.title` differ from the last call's (compared in
    /// JavaScript, in one call: reading both into the module to compare was most of the
    /// page's cost per event).
    #[wasm_bindgen(js_name = pageMoved)]
    fn page_moved() -> bool;
    /// `location.href`, `.pathname`, `.search`, `document.title`, `.referrer` (0 to 4), cut to
    /// 16 Ki units ("" when not a string).
    #[wasm_bindgen(js_name = pageField)]
    fn page_field(i: u32) -> String;
}

thread_local! {
    /// The last page read, with the redacted names it was cleaned with.
    static LAST: std::cell::RefCell<Option<(Vec<String>, Page)>> = const { std::cell::RefCell::new(None) };
}

/// The current page, read from `location` and `document`, cleaned and bounded (see
/// [`crate::privacy`]); `redact` holds the config's extra sensitive parameter names.
///
/// Every recorded call and decision asks for the page, and reading and cleaning it was a fifth
/// of an event's cost: the path and query come from `href` and the referrer never changes
/// within a document, so while `href` and the title are the same strings, the last page is the
/// page.
pub fn current_page(redact: &[String]) -> Page {
    LAST.with_borrow_mut(|last| {
        let moved = page_moved();
        if let Some((names, page)) = last {
            if !moved && names == redact {
                return page.clone();
            }
        }
        let page = Page::read(
            RawPage {
                url: &page_field(0),
                path: &page_field(1),
                search: &page_field(2),
                title: &page_field(3),
                referrer: &page_field(4),
            },
            redact,
        );
        *last = Some((redact.to_vec(), page.clone()));
        page
    })
}
