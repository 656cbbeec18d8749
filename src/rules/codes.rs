//! The stable diagnostic codes a condition can produce.
//!
//! Each is reported at the exact JSON Pointer of the offending value, with a reason. Paths below
//! are relative to the condition (the config layer passes e.g. `/rules/3/if` as the base).
//! Errors make the offending part evaluate to false; warnings leave GrowthBook's meaning intact.

/// An `$`-key GrowthBook does not know, inside an operator object (GrowthBook: false).
/// `{"cart.value": {"$gtx": 5}}` at `/cart.value/$gtx`.
pub const UNKNOWN_OPERATOR: &str = "rules/unknown-operator";
/// An operator newer GrowthBook SDKs know that Trailmark does not implement: `$savedGroup`
/// (SDK 1.8, after spec 0.8.0), at condition level. `{"$savedGroup": {"id": "vip"}}` at
/// `/$savedGroup`.
pub const UNSUPPORTED_OPERATOR: &str = "rules/unsupported-operator";
/// An operand of the wrong JSON type; the message names the expected and the actual type.
/// `{"num": {"$in": 1}}` at `/num/$in` ("expected an array, found number").
pub const WRONG_TYPE: &str = "rules/wrong-type";
/// `$type` names no JS type GrowthBook reports. `{"a": {"$type": "integer"}}` at `/a/$type`.
pub const UNKNOWN_TYPE: &str = "rules/unknown-type";
/// `$inGroup` / `$notInGroup` names a saved group the config does not define (GrowthBook reads
/// it as an empty group). `{"id": {"$inGroup": "vip"}}` at `/id/$inGroup`.
pub const UNKNOWN_SAVED_GROUP: &str = "rules/unknown-saved-group";
/// Objects and arrays nested past [`MAX_DEPTH`](super::limits::MAX_DEPTH); reported once, at the
/// first level too deep. `{"$not": {"$not": ...}}` 33 levels down at `/$not/$not/.../$not`.
pub const TOO_DEEP: &str = "rules/too-deep";
/// An array operand or saved group past [`MAX_ITEMS`](super::limits::MAX_ITEMS) /
/// [`MAX_SAVED_GROUP_ITEMS`](super::limits::MAX_SAVED_GROUP_ITEMS).
/// `{"a": {"$in": [1001 items]}}` at `/a/$in`.
pub const TOO_MANY_ITEMS: &str = "rules/too-many-items";
/// The condition has more than [`MAX_NODES`](super::limits::MAX_NODES) JSON values; reported
/// once, where the budget ran out, and the whole condition compiles to false.
pub const TOO_MANY_NODES: &str = "rules/too-many-nodes";
/// The pattern is not valid JavaScript (GrowthBook: false). `{"a": {"$regex": "("}}` at
/// `/a/$regex`.
pub const REGEX_INVALID: &str = "rules/regex-invalid";
/// Valid JavaScript the linear-time matcher does not do (backreferences, lookaround).
/// `{"a": {"$regex": "(a)\\1"}}` at `/a/$regex`.
pub const REGEX_UNSUPPORTED: &str = "rules/regex-unsupported";
/// A pattern longer than [`MAX_PATTERN_CHARS`](super::regex::MAX_PATTERN_CHARS).
pub const REGEX_TOO_LONG: &str = "rules/regex-too-long";
/// A pattern whose program exceeds [`MAX_PROGRAM`](super::regex::MAX_PROGRAM) instructions.
pub const REGEX_TOO_COMPLEX: &str = "rules/regex-too-complex";
/// Warning: an object mixes `$`-keys and plain keys, so GrowthBook compares it as a literal
/// (`JSON.stringify` equality) instead of applying the operators.
/// `{"age": {"$gt": 5, "unit": "y"}}` at `/age`.
pub const MIXED_OPERATORS: &str = "rules/mixed-operators";
/// Warning: an operator name used where GrowthBook expects an attribute path, so it reads an
/// attribute literally named e.g. `$in`. `{"$in": [1]}` at `/$in`.
pub const OPERATOR_AS_FIELD: &str = "rules/operator-as-field";

// History predicates (`$event`, `$sequence`, `$absent`): paths below point into the predicate.

/// A field a history predicate (or one of its steps) does not have.
/// `{"$event": {"name": "A", "cout": 3}}` at `/$event/cout`.
pub const HISTORY_UNKNOWN_FIELD: &str = "history/unknown-field";
/// No event name (`name`, `$absent`'s `after`, a step's `name`) or an empty one; reported at the
/// predicate (or step) when the field is missing, at the field when it is `""`.
/// `{"$event": {"in": "session"}}` at `/$event`.
pub const HISTORY_MISSING_NAME: &str = "history/missing-name";
/// `in` is not `"page"`, `"session"`, `"all"` or a duration longer than zero.
/// `{"$event": {"name": "A", "in": "today"}}` at `/$event/in`.
pub const HISTORY_BAD_WINDOW: &str = "history/bad-window";
/// Not a duration (`"90s"`, `"30m"`, `"2h"`, `"7d"`, or a whole number of milliseconds >= 0):
/// `for`, `within`, and the operands of `since` / `sinceFirst`.
/// `{"$absent": {"name": "B", "after": "A", "for": "half an hour"}}` at `/$absent/for`.
pub const HISTORY_BAD_DURATION: &str = "history/bad-duration";
/// More than one of `count`, `sum`, `max`, `last`, `since`, `sinceFirst`; the first in that
/// order is kept and each other one reported (whatever the order of the keys in the document).
/// `{"$event": {"name": "A", "since": "1h", "count": 1}}` at `/$event/since`.
pub const HISTORY_ONE_MEASURE: &str = "history/one-measure";
/// `$sequence`'s `steps` is not an array of 2 to 8 steps. `{"$sequence": {"steps": ["A"]}}`
/// at `/$sequence/steps`.
pub const HISTORY_BAD_STEPS: &str = "history/bad-steps";
/// `sum`, `max` or `last` without `value` (at the aggregate), or `value` without one of them
/// (at `value`). `{"$event": {"name": "A", "sum": "price"}}` at `/$event/sum`.
pub const HISTORY_BAD_AGGREGATE: &str = "history/bad-aggregate";
/// A history predicate inside another one's `where` (or an operand), or inside `$elemMatch`:
/// those test one entry or one element, not the visitor.
/// `{"$event": {"name": "A", "where": {"$event": {"name": "B"}}}}` at `/$event/where/$event`.
pub const HISTORY_NESTED: &str = "history/nested";
/// Warning: the predicate reads the log over a window that can be longer than the log keeps
/// (`"in": "all"` through the log, or a duration over 30 days), so its answer covers only the
/// last 30 days / 500 events. `{"$event": {"name": "A", "max": "price", "value": 5}}` at
/// `/$event`.
pub const HISTORY_INEXACT: &str = "history/inexact";
