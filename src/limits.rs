//! Limits on untrusted input, in one place.
//!
//! Event properties, configs and storage contents come from places Trailmark does not control.
//! Rather than trusting them, every conversion into the core clamps or rejects past these limits
//! and says so once on the console (the shell) or as a diagnostic (the config compiler).

/// Deepest nesting accepted in event properties and traits; deeper values become `null`.
pub const MAX_PROPERTY_DEPTH: usize = 16;
/// Deepest nesting accepted in a config.
pub const MAX_CONFIG_DEPTH: usize = 64;
/// Longest string kept in event properties, in bytes; longer strings are cut at a char boundary.
pub const MAX_PROPERTY_STRING_BYTES: usize = 8 * 1024;
/// Most keys kept per object in event properties.
pub const MAX_PROPERTY_KEYS: usize = 256;
/// Most items kept per array in event properties.
pub const MAX_PROPERTY_ITEMS: usize = 1_000;
/// Longest event name, in bytes.
pub const MAX_EVENT_NAME_BYTES: usize = 200;
/// Largest serialized event, in bytes (Segment's limit too); a bigger event is replaced by a stub
/// with the same envelope whose properties say how large it was.
pub const MAX_EVENT_BYTES: usize = 32 * 1024;
/// Most rules in one config.
pub const MAX_RULES: usize = 1_000;
/// Most content blocks in one config.
pub const MAX_BLOCKS: usize = 500;
/// Most nodes in one content block.
pub const MAX_BLOCK_NODES: usize = 200;
/// Longest text in one content block node, in bytes.
pub const MAX_BLOCK_TEXT_BYTES: usize = 4 * 1024;
/// Most events held in memory while analytics consent is pending; beyond it the oldest
/// low-value events are dropped (and counted).
pub const MAX_HELD_EVENTS: usize = 1_000;
/// Most bytes of events held in memory while analytics consent is pending.
pub const MAX_HELD_BYTES: usize = 1024 * 1024;
