//! Replays every fuzz seed (`fuzz/corpus/<target>/`) and every saved finding
//! (`fuzz/regressions/<target>/`, each with a `.why` note) through the fuzz harnesses, natively on
//! stable: a fixed crash stays fixed without libFuzzer or nightly.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

#[path = "../fuzz/harness.rs"]
mod harness;

/// Runs `f` on every input file of `target`; returns how many there were.
fn replay(target: &str, f: fn(&[u8])) -> usize {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        files.sort();
        for file in files {
            if file.extension().is_some_and(|x| x == "why") || !file.is_file() {
                continue;
            }
            let data = std::fs::read(&file).unwrap();
            let outcome = std::panic::catch_unwind(|| f(&data));
            assert!(outcome.is_ok(), "{} panicked", file.display());
            n += 1;
        }
    }
    println!("{target}: {n} inputs replayed");
    n
}

#[test]
fn regex_compile_match() {
    assert!(replay("regex_compile_match", harness::regex_compile_match) > 0);
}

#[test]
fn condition_eval() {
    assert!(replay("condition_eval", harness::condition_eval) > 0);
}

#[test]
fn config_compile() {
    assert!(replay("config_compile", harness::config_compile) > 0);
}

#[test]
fn program_decode() {
    assert!(replay("program_decode", harness::program_decode) > 0);
}

#[test]
fn template_parse() {
    assert!(replay("template_parse", harness::template_parse) > 0);
}
