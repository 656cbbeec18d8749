//! `trailmark`: command-line tools for site owners.
//!
//! `trailmark check CONFIG.json` compiles a config with the same compiler the browser's tools
//! chunk runs and prints every problem with its code and JSON path.
//!
//! `trailmark build CONFIG.json [-o OUT] [--define NAME=VALUE]... [--inline]` writes the
//! compiled config the browser module reads (README "Compiled configs"): `{"trailmark":
//! "compiled", ...}` to OUT (default: standard output), or with `--inline` the `<script
//! type="application/json" data-trailmark-config>` tag to paste into a page. `--define`
//! replaces `{{NAME}}` in the config's text first (a deploy-time collector URL, say). A config
//! with errors is not built.
//!
//! Exit status: 0 valid (warnings allowed), 1 errors found, 2 the file could not be read or
//! written, or is not JSON.

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

    const USAGE: &str = "usage: trailmark check CONFIG.json [--json]\n\
        \x20      trailmark build CONFIG.json [-o OUT] [--define NAME=VALUE]... [--inline]\n\n\
        check: compiles a Trailmark config and lists every error and warning with its code and JSON path.\n\
        build: writes the compiled config the browser module reads (not when there are errors);\n\
        \x20      --define replaces {{NAME}} in the config first; --inline writes the <script> tag for a page.\n\
        Exit status: 0 valid, 1 errors found, 2 unreadable, unwritable or not JSON.";

    pub fn run(args: Vec<String>) -> i32 {
        match args
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice()
        {
            ["check", file] => check(file, false),
            ["check", file, "--json"] | ["check", "--json", file] => check(file, true),
            ["build", rest @ ..] => match BuildArgs::parse(rest) {
                Some(b) => build(&b),
                None => {
                    eprintln!("{USAGE}");
                    2
                }
            },
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

    /// `build`'s arguments.
    struct BuildArgs<'a> {
        file: &'a str,
        out: Option<&'a str>,
        defines: Vec<(&'a str, &'a str)>,
        inline: bool,
    }

    impl<'a> BuildArgs<'a> {
        fn parse(args: &[&'a str]) -> Option<Self> {
            let mut b = BuildArgs {
                file: "",
                out: None,
                defines: Vec::new(),
                inline: false,
            };
            let mut it = args.iter();
            while let Some(&arg) = it.next() {
                match arg {
                    "-o" | "--out" => b.out = Some(it.next()?),
                    "--define" => b.defines.push(it.next()?.split_once('=')?),
                    "--inline" => b.inline = true,
                    file if b.file.is_empty() && !file.starts_with('-') => b.file = file,
                    _ => return None,
                }
            }
            (!b.file.is_empty()).then_some(b)
        }
    }

    /// The config in `file` (with `{{NAME}}` replaced by `defines`), or exit status 2.
    fn read(file: &str, defines: &[(&str, &str)]) -> Result<Value, i32> {
        let mut text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("trailmark: cannot read {file}: {e}");
                return Err(2);
            }
        };
        for (name, value) in defines {
            text = text.replace(&format!("{{{{{name}}}}}"), value);
        }
        Value::parse_json(&text).map_err(|e| {
            eprintln!("trailmark: {file} is not JSON: {e}");
            2
        })
    }

    fn build(args: &BuildArgs) -> i32 {
        let raw = match read(args.file, &args.defines) {
            Ok(v) => v,
            Err(code) => return code,
        };
        let compiled = config::compile(&raw);
        let mut errors = 0;
        for d in &compiled.diagnostics.0 {
            let level = if d.severity == Severity::Error {
                errors += 1;
                "error"
            } else {
                "warning"
            };
            eprintln!("{level}: {d}");
        }
        if errors > 0 {
            eprintln!("trailmark: {}: {errors} error(s); nothing built", args.file);
            return 1;
        }
        let program = trailmark::program::encode(&compiled.config);
        let json = trailmark::program::to_compiled_json(&program);
        let text = if args.inline {
            format!("<script type=\"application/json\" data-trailmark-config>{json}</script>\n")
        } else {
            json + "\n"
        };
        match args.out {
            None => {
                print!("{text}");
                0
            }
            Some(out) => match std::fs::write(out, &text) {
                Ok(()) => {
                    eprintln!(
                        "trailmark: wrote {out} ({} bytes; program {} bytes)",
                        text.len(),
                        program.len()
                    );
                    0
                }
                Err(e) => {
                    eprintln!("trailmark: cannot write {out}: {e}");
                    2
                }
            },
        }
    }

    fn check(file: &str, json: bool) -> i32 {
        let raw = match read(file, &[]) {
            Ok(v) => v,
            Err(code) => return code,
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
