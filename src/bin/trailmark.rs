//! `trailmark`: command-line tools for site owners.
//!
//! `trailmark check CONFIG.json` compiles a config with the same engine the browser runs and
//! prints every problem with its code and JSON path. Exit status: 0 valid (warnings allowed),
//! 1 errors found, 2 the file could not be read or is not JSON.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(cli::run(std::env::args().skip(1).collect()));
}

// The browser module is the library; this binary exists only natively.
#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use trailmark::{config, Severity, Value};

    const USAGE: &str = "usage: trailmark check CONFIG.json [--json]\n\n\
        Compiles a Trailmark config and lists every error and warning with its code and JSON path.\n\
        Exit status: 0 valid, 1 errors found, 2 unreadable or not JSON.";

    pub fn run(args: Vec<String>) -> i32 {
        match args
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["check", file] => check(file, false),
            ["check", file, "--json"] | ["check", "--json", file] => check(file, true),
            ["--help"] | ["-h"] | ["help"] => {
                println!("{USAGE}");
                0
            }
            _ => {
                eprintln!("{USAGE}");
                2
            }
        }
    }

    fn check(file: &str, json: bool) -> i32 {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("trailmark: cannot read {file}: {e}");
                return 2;
            }
        };
        let raw = match Value::parse_json(&text) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("trailmark: {file} is not JSON: {e}");
                return 2;
            }
        };
        let compiled = config::compile(&raw);
        let diags = &compiled.diagnostics.0;
        let errors = diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        if json {
            let list: Vec<serde_json::Value> = diags
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "severity": if d.severity == Severity::Error { "error" } else { "warning" },
                        "code": d.code,
                        "path": d.path,
                        "message": d.message,
                    })
                })
                .collect();
            println!("{}", serde_json::Value::Array(list));
        } else {
            for d in diags {
                let level = if d.severity == Severity::Error {
                    "error"
                } else {
                    "warning"
                };
                println!("{level}: {d}");
            }
            let c = &compiled.config;
            println!(
                "{file}: {errors} error(s), {} warning(s); {} rule(s), {} block(s) usable",
                diags.len() - errors,
                c.rules.len(),
                c.blocks.len()
            );
        }
        i32::from(errors > 0)
    }
}
