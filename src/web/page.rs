//! The page: where we are, read off `location` and `document` (rendering is the runtime's,
//! in `js/render.js`).

use js_sys::{JsString, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::page::RawPage;
use crate::tracker::Page;

/// Most UTF-16 units read of any page field: a fragment can be megabytes long, and only the
/// first [`MAX_URL_BYTES`](crate::privacy::MAX_URL_BYTES) survive cleaning anyway. Cut in
/// JavaScript, so a huge URL is never even copied into the module.
const RAW_FIELD_UNITS: u32 = 16 * 1024;

/// `target[key]`, or `undefined`.
fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or_default()
}

/// `value` cut to at most [`RAW_FIELD_UNITS`] units, still in JavaScript ("" when not a
/// string).
fn clip(value: JsValue) -> JsString {
    let Ok(text) = value.dyn_into::<JsString>() else {
        return JsString::from("");
    };
    if text.length() > RAW_FIELD_UNITS {
        text.slice(0, RAW_FIELD_UNITS)
    } else {
        text
    }
}

/// `target[key]` as a string of at most [`RAW_FIELD_UNITS`] units ("" when not a string).
fn bounded(target: &JsValue, key: &str) -> String {
    clip(get(target, key)).into()
}

#[wasm_bindgen(inline_js = "let href, title;
export function pageMoved() {
    try {
        const h = location.href, t = document.title;
        if (h === href && t === title) return false;
        href = h;
        title = t;
    } catch (e) {}
    return true;
}")]
extern "C" {
    /// Whether `location.href` or `document.title` differ from the last call's (compared in
    /// JavaScript, in one call: reading both into the module to compare was most of the
    /// page's cost per event).
    #[wasm_bindgen(js_name = pageMoved)]
    fn page_moved() -> bool;
}

/// What reading the page again needs, kept: `location` and `document`, and the last page read
/// with the redacted names it was cleaned with.
struct Reader {
    location: JsValue,
    document: JsValue,
    last: Option<(Vec<String>, Page)>,
}

thread_local! {
    static READER: std::cell::RefCell<Option<Reader>> = const { std::cell::RefCell::new(None) };
}

/// The current page, read from `location` and `document`, cleaned and bounded (see
/// [`crate::privacy`]); `redact` holds the config's extra sensitive parameter names.
///
/// Every recorded call and decision asks for the page, and reading and cleaning it was a fifth
/// of an event's cost: the path and query come from `href` and the referrer never changes
/// within a document, so while `href` and the title are the same strings, the last page is the
/// page.
pub fn current_page(redact: &[String]) -> Page {
    READER.with_borrow_mut(|reader| {
        let r = reader.get_or_insert_with(|| {
            let global = super::global::global();
            Reader {
                location: get(&global, "location"),
                document: get(&global, "document"),
                last: None,
            }
        });
        let moved = page_moved();
        if let Some((names, page)) = &r.last {
            if !moved && names == redact {
                return page.clone();
            }
        }
        let page = Page::read(
            RawPage {
                url: &bounded(&r.location, "href"),
                path: &bounded(&r.location, "pathname"),
                search: &bounded(&r.location, "search"),
                title: &bounded(&r.document, "title"),
                referrer: &bounded(&r.document, "referrer"),
            },
            redact,
        );
        r.last = Some((redact.to_vec(), page.clone()));
        page
    })
}
