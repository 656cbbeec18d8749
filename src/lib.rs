//! # Trailmark
//!
//! Tracking, on-device journey rules and personalization for stores, in one small WebAssembly
//! module loaded with one script tag.
//!
//! ## The model
//!
//! The crate is split along the line the browser draws:
//!
//! * **The core** (every module except [`web`]) is pure Rust: no browser API, no clock, no random
//!   number generator. Time and random ids are inputs; effects (requests to send, slots to
//!   render) are outputs. It builds and tests natively with `cargo test`.
//! * **The web shell** ([`web`], compiled only for `wasm32`) owns all I/O: it reads the page,
//!   storage and the clock, hands inputs to the core and applies the effects it returns.
//!
//! A config is *parsed* (JSON, by the host), *compiled* once ([`config::compile`]) into a
//! validated form with every problem reported as a [`diag::Diagnostic`] carrying a stable code
//! and an exact JSON path, and then *evaluated* cheaply and totally per event.
//!
//! ## Untrusted input
//!
//! Configs, event properties, URLs and storage contents are treated as hostile. Conversions cap
//! nesting depth, string lengths and collection sizes (see [`limits`]); nothing in the core
//! panics on any input, and a panic in the browser module is contained by the loader (the
//! instance turns into a no-op and the page's default content stays).
#![deny(missing_docs)]
// The shipped module is built for size (`opt-level = "z"`), except the functions that run
// for every rule on every event, which are marked `optimize(speed)`. The attribute is
// unstable, so it is on only in builds that pass `--cfg trailmark_speed` (scripts/build and
// scripts/bench, whose toolchain runs with RUSTC_BOOTSTRAP for build-std anyway); everywhere
// else (native tests, clippy) the code is the same, just optimized as the profile says.
#![cfg_attr(trailmark_speed, feature(optimize_attribute))]

pub mod caps;
pub mod config;
pub mod consent;
pub mod diag;
pub mod event;
pub mod exit;
pub mod experiments;
pub mod history;
pub mod ids;
pub mod journeys;
pub mod json;
pub mod limits;
pub mod outbox;
pub mod page;
pub mod privacy;
pub mod program;
#[cfg(feature = "compiler")]
pub mod render;
pub mod rules;
pub mod template;
pub mod text;
pub mod time;
pub mod tracker;
pub mod value;
pub mod visitor;
pub mod wire;

#[cfg(target_arch = "wasm32")]
pub mod web;

pub use diag::{Diagnostic, Diagnostics, Path, Severity};
pub use value::{Map, Value};
