//! `trailmark-collector`: the local store + collector for development and end-to-end tests.
//! See `collector/README.md` for flags, endpoints and the schema.

use std::io::Write;
use std::process::ExitCode;

use trailmark_collector::args::{self, Command, USAGE};

fn main() -> ExitCode {
    let config = match args::parse(std::env::args().skip(1)) {
        Ok(Command::Run(config)) => *config,
        Ok(Command::Help) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(msg) => {
            eprintln!("trailmark-collector: {msg}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    for (flag, dir) in [("--www", &config.www), ("--pkg", &config.pkg)] {
        if !dir.is_dir() {
            eprintln!(
                "trailmark-collector: warning: {flag} {} is not a directory; its files will 404",
                dir.display()
            );
        }
    }
    let running = match trailmark_collector::start(&config) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("trailmark-collector: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Scripts wait for these two lines to learn the (possibly ephemeral) ports.
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "store: {}", running.site_url());
    let _ = writeln!(out, "collector: {}/v1/batch", running.collector_origin());
    let _ = out.flush();
    drop(out);
    running.wait();
    ExitCode::SUCCESS
}
