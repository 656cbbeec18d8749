//! The anonymous id in a first-party cookie on the store's registrable domain
//! (`/identity/cookieDomain`), so a checkout on a subdomain sees the same visitor. Only the id
//! goes there, only while analytics is granted, and it is removed when analytics is denied.

use wasm_bindgen::prelude::wasm_bindgen;

/// The cookie's name.
const NAME: &str = "trailmark_aid";
/// A year: the cookie is renewed on every page that writes it.
const MAX_AGE: &str = "31536000";

// `document.cookie` through two lines of JavaScript: web-sys would need the `HtmlDocument`
// bindings for the same thing. Both are total: a sandboxed document throws on `cookie`.
#[wasm_bindgen(module = "/js/wasm_imports.js")]
extern "C" {
    #[wasm_bindgen(js_name = getCookie)]
    fn get_cookie(name: &str) -> String;
    #[wasm_bindgen(js_name = setCookie)]
    fn set_cookie(text: &str);
}

/// The id in the cookie, if it holds a plausible one (see [`crate::ids::plausible_id`]).
pub fn read_id() -> Option<String> {
    let id = get_cookie(NAME);
    crate::ids::plausible_id(&id).then_some(id)
}

fn write(value: &str, domain: &str, max_age: &str) {
    let mut text = String::from(NAME);
    text.push('=');
    text.push_str(value);
    text.push_str("; Domain=");
    text.push_str(domain);
    text.push_str("; Path=/; SameSite=Lax; Max-Age=");
    text.push_str(max_age);
    set_cookie(&text);
}

/// Keeps `id` in the cookie on `domain` for a year.
pub fn store_id(id: &str, domain: &str) {
    write(id, domain, MAX_AGE);
}

/// Removes the cookie from `domain`.
pub fn remove(domain: &str) {
    write("", domain, "0");
}
