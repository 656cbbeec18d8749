//! See `fuzz/harness.rs` (`template_parse`); the same function replays the corpus in `cargo test`.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::template_parse(data));
