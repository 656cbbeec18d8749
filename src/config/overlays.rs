//! `/overlays`: how overlays share the page.
//!
//! ```json
//! { "overlays": { "dialogsPerSession": 1, "suppressDialogs": { "page.path": { "$regex": "^/checkout" } } } }
//! ```

use super::{read, Overlays};
use crate::diag::{Diagnostics, Path};
use crate::rules::Conditions;
use crate::value::Map;

const FIELDS: &[&str] = &["dialogsPerSession", "suppressDialogs"];

/// Compiles `/overlays`; its `suppressDialogs` condition goes into `conditions`.
pub fn compile(
    obj: &Map,
    path: &Path,
    conditions: &mut Conditions,
    diags: &mut Diagnostics,
) -> Overlays {
    read::unknown_fields(obj, FIELDS, path, diags);
    Overlays {
        dialogs_per_session: read::integer(obj, "dialogsPerSession", path, (0, 100, 1), diags)
            as u32,
        suppress: obj
            .get("suppressDialogs")
            .map(|c| conditions.compile(c, &path.key("suppressDialogs"), diags)),
    }
}
