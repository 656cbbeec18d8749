//! See `fuzz/harness.rs` (`queue_restore`); the same function replays the corpus in `cargo test`.
#![no_main]

#[path = "../harness.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::queue_restore(data));
