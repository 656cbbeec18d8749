//! `/preview`: the key that turns on preview and debugging for a page view.
//!
//! ```json
//! { "preview": { "key": "qa-2f9c71d4" } }
//! ```
//!
//! With the key in the URL, `?trailmark-preview=RULE&trailmark-key=KEY` shows that rule's block
//! in its slot or placement whatever its conditions, caps, schedule and trigger say, and records
//! nothing about it (no outcome event, no cap counted); `?trailmark-debug=KEY` shows a panel
//! listing the page's decisions, with `explain()`. Without the key (or without this section)
//! both parameters are ignored, so shoppers cannot turn them on by accident. The key is in the
//! public config: it keeps accidents out, not people who read the config.

use super::read;
use crate::diag::{Diagnostic, Diagnostics, Path};
use crate::value::Map;

const FIELDS: &[&str] = &["key"];

/// Compiles `/preview`: the key, when it is at least 8 characters.
pub fn compile(obj: &Map, path: &Path, diags: &mut Diagnostics) -> Option<String> {
    read::unknown_fields(obj, FIELDS, path, diags);
    let key = read::string(obj, "key", path, true, diags)?;
    if key.chars().count() < 8 || key.len() > 200 {
        diags.push(Diagnostic::error(
            "config/bad-key",
            &path.key("key"),
            "expected a key of 8 to 200 characters (it goes in the page's URL)",
        ));
        return None;
    }
    Some(key)
}
