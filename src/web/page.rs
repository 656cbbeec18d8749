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

/// What reading the page again needs, kept: `location`, `document` and the two keys as
/// JavaScript values (each `from_str` decodes its text anew), and the last page read with the
/// raw `href` and `title` it came from and the redacted names it was cleaned with.
struct Reader {
    location: JsValue,
    document: JsValue,
    href: JsValue,
    title: JsValue,
    last: Option<(JsString, JsString, Vec<String>, Page)>,
}

thread_local! {
    static READER: std::cell::RefCell<Option<Reader>> = const { std::cell::RefCell::new(None) };
}

/// The current page, read from `location` and `document`, cleaned and bounded (see
/// [`crate::privacy`]); `redact` holds the config's extra sensitive parameter names.
///
/// Every recorded call and decision asks for the page, and reading and cleaning it was a fifth
/// of an event's cost: the path and query come from `href` and the referrer never changes
/// within a document, so while `href` and the title are the same strings (compared in
/// JavaScript, not copied), the last page is the page.
pub fn current_page(redact: &[String]) -> Page {
    READER.with_borrow_mut(|reader| {
        let r = reader.get_or_insert_with(|| {
            let global = super::global::global();
            Reader {
                location: get(&global, "location"),
                document: get(&global, "document"),
                href: JsValue::from_str("href"),
                title: JsValue::from_str("title"),
                last: None,
            }
        });
        let href = clip(Reflect::get(&r.location, &r.href).unwrap_or_default());
        let title = clip(Reflect::get(&r.document, &r.title).unwrap_or_default());
        if let Some((h, t, names, page)) = &r.last {
            if *h == href && *t == title && names == redact {
                return page.clone();
            }
        }
        let (url, title_text) = (String::from(&href), String::from(&title));
        let (path, search) = (
            bounded(&r.location, "pathname"),
            bounded(&r.location, "search"),
        );
        let referrer = bounded(&r.document, "referrer");
        let page = Page::read(
            RawPage {
                url: &url,
                path: &path,
                search: &search,
                title: &title_text,
                referrer: &referrer,
            },
            redact,
        );
        r.last = Some((href, title, redact.to_vec(), page.clone()));
        page
    })
}
