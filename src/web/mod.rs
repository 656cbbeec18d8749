//! The browser shell (`wasm32` only). Two modules are built from it:
//!
//! * the **core module** every page loads (`trailmark_core_bg.wasm`): the one exported class,
//!   [`Trailmark`] (`shell.rs`, its one entry for the page's calls in `dispatch.rs`), which
//!   translates between the page and the core and performs
//!   the I/O the core asks for, holding no business logic. It reads compiled configs only
//!   (see [`crate::program`]);
//! * the **tools chunk** (`trailmark_tools_bg.wasm`, feature `tools`): the config compiler,
//!   `validateConfig`, `evalCondition` and the bucketing functions for JavaScript, loaded only
//!   when a page hands Trailmark a JSON config or calls one of those (`tools.rs`).
//!
//! Re-entrancy: fetch completions and timers push inputs into an inbox and call `pump`, which
//! drains it only if no other call is already inside the tracker, so the tracker's `RefCell` is
//! never borrowed twice.
//!
//! JavaScript helpers live in one module, `js/wasm_imports.js`, which each file declares the
//! helpers it uses from (`#[wasm_bindgen(module = "/js/wasm_imports.js")]`). Not `inline_js`:
//! wasm-bindgen's test runner serves each snippet as a module of its own, and a fifth snippet
//! made headless Chromium's pages of the wasm browser tests stop answering in most runs
//! (measured 2026-12-07). The shipped loader bundles the module (esbuild).

#[cfg(all(feature = "bench-hooks", not(feature = "tools")))]
pub mod bench;
/// JavaScript's `toLowerCase` for the rule engine (see `src/rules/case.rs`).
pub(crate) mod case;
#[cfg(not(feature = "tools"))]
mod consent_store;
#[cfg(not(feature = "tools"))]
mod console;
pub mod convert;
#[cfg(not(feature = "tools"))]
mod cookie;
#[cfg(not(feature = "tools"))]
mod dispatch;
#[cfg(not(feature = "tools"))]
pub mod fetch;
#[cfg(not(feature = "tools"))]
mod global;
mod guard;
#[cfg(not(feature = "tools"))]
mod ids;
pub(crate) mod jsnum;
#[cfg(not(feature = "tools"))]
mod page;
mod panic;
#[cfg(not(feature = "tools"))]
mod pump;
#[cfg(not(feature = "tools"))]
mod queue;
#[cfg(not(feature = "tools"))]
mod random;
#[cfg(not(feature = "tools"))]
mod shell;
#[cfg(not(feature = "tools"))]
mod signals;
#[cfg(not(feature = "tools"))]
pub mod storage;
#[cfg(feature = "tools")]
mod tools;
#[cfg(not(feature = "tools"))]
mod transport;
#[cfg(not(feature = "tools"))]
mod visitor;

#[cfg(not(feature = "tools"))]
pub use shell::*;
#[cfg(feature = "tools")]
pub use tools::*;

use wasm_bindgen::prelude::wasm_bindgen;

/// Now, from JavaScript's clock (the core has none).
#[cfg(not(feature = "tools"))]
fn now() -> crate::time::Millis {
    js_sys::Date::now() as crate::time::Millis
}

/// Whether a trap stopped this module. The loader asks after catching an exception (when no
/// call can be running), so the failure is reported exactly once.
#[wasm_bindgen(js_name = isDead)]
pub fn is_dead() -> bool {
    guard::is_stuck() || panic::is_dead()
}

/// Whether the panic hook already explained the failure on the console.
#[wasm_bindgen(js_name = panicReported)]
pub fn panic_reported() -> bool {
    panic::is_dead()
}

/// The module's allocator: talc instead of the default dlmalloc (fewer bytes, see the README).
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
