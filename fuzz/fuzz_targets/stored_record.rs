//! See `fuzz/harness.rs` (`stored_record`); the same function replays the corpus in `cargo test`.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::stored_record(data));
