//! The stable diagnostic codes a template can produce.
//!
//! Each is an error reported at the JSON Pointer of the text field (`/blocks/free-ship/text`),
//! with a reason that names the byte offset in the text and the placeholder. A template with
//! an error is not compiled (the block it belongs to is unusable); every problem of the text is
//! reported, not only the first.

/// Malformed placeholder: `{{` never closed, an empty placeholder, an unexpected character,
/// unterminated quoted text, a bad escape, a number without `- path`, a number of more than 15
/// digits. `"Hi {{ traits.firstName"`, `"{{ }}"`, `"{{ cart.value money }}"`, `"{{ 5000 }}"`.
pub const SYNTAX: &str = "templates/syntax";
/// A path that is not an attribute Trailmark provides (see
/// [`KNOWN_PATHS`](super::KNOWN_PATHS)): an unknown root or an unknown field of a known one.
/// `"{{ cart.valeu }}"`, `"{{ user.name }}"`.
pub const UNKNOWN_PATH: &str = "templates/unknown-path";
/// An unknown format, a format with the wrong arguments, two formats in one placeholder, two
/// `else`, or a format on quoted text. `"{{ cart.value | euro }}"`,
/// `"{{ cart.value | money: 'dollars' }}"`, `"{{ cart.count | plural: 'item' }}"`.
pub const BAD_FORMAT: &str = "templates/bad-format";
/// Past a limit: the text over [`MAX_TEXT_BYTES`](super::MAX_TEXT_BYTES), more than
/// [`MAX_PLACEHOLDERS`](super::MAX_PLACEHOLDERS) placeholders, a path of more than
/// [`MAX_PATH_NAMES`](super::MAX_PATH_NAMES) names or [`MAX_PATH_BYTES`](super::MAX_PATH_BYTES)
/// bytes.
pub const TOO_LARGE: &str = "templates/too-large";
