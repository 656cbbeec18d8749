//! See `fuzz/harness.rs` (`regex_compile_match`); the same function replays the corpus in `cargo test`.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::regex_compile_match(data));
