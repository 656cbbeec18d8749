//! The page's global object. `web_sys::window()` and `js_sys::global()` find it by trying four
//! names (`globalThis`, `self`, `window`, `global`), four imports and their code in the module;
//! the module runs only in a page, where `globalThis` is the window.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL: js_sys::Object;
}

/// `globalThis`.
pub fn global() -> js_sys::Object {
    GLOBAL.with(Clone::clone)
}

/// `globalThis` as the page's `window`.
pub fn window() -> web_sys::Window {
    global().unchecked_into()
}
