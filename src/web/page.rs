//! The page: where we are, read off `location` and `document` (rendering is the runtime's,
//! in `js/render.js`).

use js_sys::{JsString, Reflect};
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

/// `target[key]` as a string of at most [`RAW_FIELD_UNITS`] units ("" when not a string).
fn bounded(target: &JsValue, key: &str) -> String {
    let Ok(text) = get(target, key).dyn_into::<JsString>() else {
        return String::new();
    };
    let text = if text.length() > RAW_FIELD_UNITS {
        text.slice(0, RAW_FIELD_UNITS)
    } else {
        text
    };
    text.into()
}

/// The current page, read from `location` and `document`, cleaned and bounded (see
/// [`crate::privacy`]); `redact` holds the config's extra sensitive parameter names.
pub fn current_page(redact: &[String]) -> Page {
    let global = js_sys::global();
    let (loc, doc) = (get(&global, "location"), get(&global, "document"));
    let (url, path, search) = (
        bounded(&loc, "href"),
        bounded(&loc, "pathname"),
        bounded(&loc, "search"),
    );
    let (title, referrer) = (bounded(&doc, "title"), bounded(&doc, "referrer"));
    Page::read(
        RawPage {
            url: &url,
            path: &path,
            search: &search,
            title: &title,
            referrer: &referrer,
        },
        redact,
    )
}
