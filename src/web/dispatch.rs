//! The module's one entry for the page's calls: `call(op, args)`, where `op` is the method's
//! place in the runtime's list (`OPS` in `js/runtime.js`, the same order as the arms below)
//! and `args` its arguments.
//!
//! One entry instead of an export per method: each export costs a wasm-bindgen shim (borrowing
//! the instance, converting each argument and the result) in the module and a method in the
//! glue, about 6 KB of code for 23 methods; here the arguments stay JavaScript values until the
//! method that reads them, and the result goes back as one.

use js_sys::{Array, Function, Uint8Array};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use super::shell::Trailmark;

#[wasm_bindgen]
impl Trailmark {
    /// Runs method number `op` with `args` (see the module docs). An `op` this module does not
    /// know (a runtime newer than its module) does nothing and answers `undefined`.
    pub fn call(&self, op: u32, args: Array) -> JsValue {
        let arg = |i: u32| args.get(i);
        let text = |i: u32| arg(i).as_string().unwrap_or_default();
        let number = |i: u32| arg(i).as_f64().unwrap_or(0.0);
        match op {
            0 => {
                if let Ok(f) = arg(0).dyn_into::<Function>() {
                    self.on_decisions(f);
                }
            }
            1 => {
                let program = arg(0)
                    .dyn_into::<Uint8Array>()
                    .map(|bytes| bytes.to_vec())
                    .unwrap_or_default();
                return self.configure(&program);
            }
            2 => self.page(arg(0)),
            3 => self.track(arg(0), arg(1)),
            4 => return self.declared(arg(0), arg(1)).into(),
            5 => return self.decisions().into(),
            6 => self.hide(),
            7 => return self.queue_key().into(),
            8 => return self.adopt(text(0)).into(),
            9 => return self.consent(arg(0)),
            10 => return self.consent_changed(),
            11 => self.identify(arg(0), arg(1)),
            12 => self.reset(),
            13 => return self.profile(),
            14 => self.profile_changed(),
            15 => return self.resumed(),
            16 => return self.claim_dialog(text(0), text(1)).into(),
            17 => self.suppress_dialogs(arg(0).is_truthy()),
            18 => return self.watching().into(),
            19 => self.sample(
                number(0) as u32,
                number(1),
                number(2),
                number(3),
                number(4),
                number(5),
            ),
            20 => return self.preview(text(0), text(1), text(2)).into(),
            21 => return self.explain_state(),
            22 => return self.queued().into(),
            _ => {}
        }
        JsValue::UNDEFINED
    }
}
