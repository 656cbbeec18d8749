//! Compiling the `exitIntent` config section (see [`super::settings`] for its shape).
//!
//! Codes: `exit/wrong-type` (a section, device class or signal that is neither `true`,
//! `false` nor an object), `exit/out-of-range` (a number that is not whole or outside its
//! range: the default is kept), and the warning `exit/unknown-field` (a likely typo).

use super::settings::{range, DeviceSettings, ExitSettings, Idle, PointerTop, ScrollUp, TabReturn};
use crate::diag::{Diagnostic, Diagnostics, Path};
use crate::value::{Map, Value};

/// Compiles the section's value (found at `path`); every problem is reported and the rest
/// still applies.
pub fn compile(raw: &Value, path: &Path, diags: &mut Diagnostics) -> ExitSettings {
    let mut out = ExitSettings::default();
    let Some(obj) = object(raw, path, "an object", diags) else {
        return out;
    };
    unknown_fields(obj, &["desktop", "phone"], path, diags);
    if let Some(raw) = obj.get("desktop") {
        out.desktop = device(raw, &path.key("desktop"), out.desktop, diags);
    }
    if let Some(raw) = obj.get("phone") {
        out.phone = device(raw, &path.key("phone"), out.phone, diags);
    }
    out
}

/// One device class: `false` turns it off, `true` keeps its defaults.
fn device(
    raw: &Value,
    path: &Path,
    defaults: DeviceSettings,
    diags: &mut Diagnostics,
) -> DeviceSettings {
    let obj = match raw {
        Value::Bool(false) => return DeviceSettings::OFF,
        Value::Bool(true) => return defaults,
        _ => match object(raw, path, "true, false or an object", diags) {
            Some(obj) => obj,
            None => return defaults,
        },
    };
    unknown_fields(
        obj,
        &["armMs", "pointerTop", "scrollUp", "tabReturn", "idle"],
        path,
        diags,
    );
    DeviceSettings {
        arm_ms: number(obj, "armMs", path, range::ARM_MS, defaults.arm_ms, diags),
        pointer_top: signal(
            obj,
            "pointerTop",
            path,
            defaults.pointer_top,
            diags,
            pointer_top,
        ),
        scroll_up: signal(obj, "scrollUp", path, defaults.scroll_up, diags, scroll_up),
        tab_return: signal(
            obj,
            "tabReturn",
            path,
            defaults.tab_return,
            diags,
            tab_return,
        ),
        idle: signal(obj, "idle", path, defaults.idle, diags, idle),
    }
}

fn pointer_top(obj: &Map, path: &Path, d: PointerTop, diags: &mut Diagnostics) -> PointerTop {
    unknown_fields(
        obj,
        &[
            "edgePx",
            "minSpeed",
            "graceMs",
            "afterInteractionMs",
            "afterEntryMs",
            "typingMs",
        ],
        path,
        diags,
    );
    PointerTop {
        edge_px: number(obj, "edgePx", path, range::EDGE_PX, d.edge_px, diags),
        min_speed: number(obj, "minSpeed", path, range::SPEED, d.min_speed, diags),
        grace_ms: number(obj, "graceMs", path, range::GRACE_MS, d.grace_ms, diags),
        after_interaction_ms: number(
            obj,
            "afterInteractionMs",
            path,
            range::QUIET_MS,
            d.after_interaction_ms,
            diags,
        ),
        after_entry_ms: number(
            obj,
            "afterEntryMs",
            path,
            range::QUIET_MS,
            d.after_entry_ms,
            diags,
        ),
        typing_ms: number(obj, "typingMs", path, range::QUIET_MS, d.typing_ms, diags),
    }
}

fn scroll_up(obj: &Map, path: &Path, d: ScrollUp, diags: &mut Diagnostics) -> ScrollUp {
    unknown_fields(
        obj,
        &["minDepthPercent", "minPx", "minSpeed", "settleMs"],
        path,
        diags,
    );
    ScrollUp {
        min_depth_percent: number(
            obj,
            "minDepthPercent",
            path,
            range::PERCENT,
            d.min_depth_percent,
            diags,
        ),
        min_px: number(obj, "minPx", path, range::DISTANCE_PX, d.min_px, diags),
        min_speed: number(obj, "minSpeed", path, range::SPEED, d.min_speed, diags),
        settle_ms: number(obj, "settleMs", path, range::GRACE_MS, d.settle_ms, diags),
    }
}

fn tab_return(obj: &Map, path: &Path, d: TabReturn, diags: &mut Diagnostics) -> TabReturn {
    unknown_fields(obj, &["minHiddenMs"], path, diags);
    TabReturn {
        min_hidden_ms: number(
            obj,
            "minHiddenMs",
            path,
            range::HIDDEN_MS,
            d.min_hidden_ms,
            diags,
        ),
    }
}

fn idle(obj: &Map, path: &Path, d: Idle, diags: &mut Diagnostics) -> Idle {
    unknown_fields(obj, &["ms", "minDepthPercent"], path, diags);
    Idle {
        ms: number(obj, "ms", path, range::IDLE_MS, d.ms, diags),
        min_depth_percent: number(
            obj,
            "minDepthPercent",
            path,
            range::PERCENT,
            d.min_depth_percent,
            diags,
        ),
    }
}

/// A signal: missing keeps the device class's default, `false` turns it off, `true` turns it
/// on with its defaults, an object turns it on with the fields it names.
fn signal<T: Default>(
    obj: &Map,
    key: &str,
    path: &Path,
    default: Option<T>,
    diags: &mut Diagnostics,
    read: fn(&Map, &Path, T, &mut Diagnostics) -> T,
) -> Option<T> {
    let at = path.key(key);
    match obj.get(key) {
        None => default,
        Some(Value::Bool(false)) => None,
        Some(Value::Bool(true)) => Some(T::default()),
        Some(raw) => match object(raw, &at, "true, false or an object", diags) {
            Some(fields) => Some(read(fields, &at, T::default(), diags)),
            None => default,
        },
    }
}

/// `raw` as an object, or `exit/wrong-type` ("expected `what`, found ...").
fn object<'a>(raw: &'a Value, path: &Path, what: &str, diags: &mut Diagnostics) -> Option<&'a Map> {
    if let Value::Object(m) = raw {
        return Some(m);
    }
    let message = ["expected ", what, ", found ", raw.type_name()].concat();
    diags.push(Diagnostic::error("exit/wrong-type", path, message));
    None
}

/// `obj[key]` as a whole number in `(min, max)`; `default` when missing or invalid.
fn number(
    obj: &Map,
    key: &str,
    path: &Path,
    (min, max): (u32, u32),
    default: u32,
    diags: &mut Diagnostics,
) -> u32 {
    match obj.get(key) {
        None => default,
        Some(Value::Number(n))
            if n.fract() == 0.0 && *n >= f64::from(min) && *n <= f64::from(max) =>
        {
            *n as u32
        }
        Some(other) => {
            let mut message = String::from("expected a whole number from ");
            crate::text::push_u64(&mut message, u64::from(min));
            message.push_str(" to ");
            crate::text::push_u64(&mut message, u64::from(max));
            if !matches!(other, Value::Number(_)) {
                message.push_str(", found ");
                message.push_str(other.type_name());
            }
            diags.push(Diagnostic::error(
                "exit/out-of-range",
                &path.key(key),
                message,
            ));
            default
        }
    }
}

/// Warns about fields not in `known`.
fn unknown_fields(obj: &Map, known: &[&str], path: &Path, diags: &mut Diagnostics) {
    for (key, _) in obj.iter() {
        if !known.contains(&key) {
            let mut message = String::from("unknown field is ignored; known fields: ");
            crate::text::push_list(&mut message, known);
            diags.push(Diagnostic::warning(
                "exit/unknown-field",
                &path.key(key),
                message,
            ));
        }
    }
}
