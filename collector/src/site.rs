//! The site server: the demo store from `--www` at `/`, the built browser package from `--pkg` at
//! `/pkg/`.
//!
//! **Placeholder substitution**: in `.html`, `.htm` and `.json` files served from `--www` (not from
//! `--pkg`), every occurrence of the literal `{{COLLECTOR_ORIGIN}}` is replaced with the collect
//! server's origin, e.g. `http://127.0.0.1:8099`. The demo page and its `trailmark.json` config can
//! therefore name the real collector even when it runs on an ephemeral port.
//!
//! **Compiled configs**: `X.compiled.json` that does not exist as a file is compiled from
//! `X.json` (after substitution), as `trailmark build` would.
//!
//! Paths are resolved segment by segment after percent-decoding: `..` (encoded or not), backslashes
//! and NUL bytes are refused (400), dot-files are hidden (404), and the resolved file must lie inside
//! the served directory after following symlinks (404 otherwise), so no file outside `--www` and
//! `--pkg` is ever served. Query strings are ignored.

use std::fs;
use std::path::{Path, PathBuf};

use crate::http::{percent_decode, Request, Response};
use crate::mime;
use crate::server::{Handler, Outcome};

/// The literal replaced by the collector origin in templated files.
pub const PLACEHOLDER: &str = "{{COLLECTOR_ORIGIN}}";

/// Static file handler for the site port.
pub struct Site {
    www: PathBuf,
    pkg: PathBuf,
    collector_origin: String,
}

impl Site {
    /// Serves `www` at `/` and `pkg` at `/pkg/`; `collector_origin` replaces [`PLACEHOLDER`].
    pub fn new(www: PathBuf, pkg: PathBuf, collector_origin: String) -> Self {
        Site {
            www,
            pkg,
            collector_origin,
        }
    }

    /// The response for a request path (still percent-encoded, without query).
    pub fn respond(&self, raw_path: &str) -> Response {
        let decoded = match percent_decode(raw_path).map(String::from_utf8) {
            Some(Ok(p)) if p.starts_with('/') => p,
            _ => return Response::error(400, "bad path"),
        };
        let (root, rel, templated) = match decoded.strip_prefix("/pkg") {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => (&self.pkg, rest, false),
            _ => (&self.www, decoded.as_str(), true),
        };
        let mut file = root.clone();
        for segment in rel.split('/').filter(|s| !s.is_empty()) {
            if segment == ".." || segment.contains(['\\', '\0']) {
                return Response::error(400, "bad path");
            }
            if segment.starts_with('.') {
                return not_found();
            }
            file.push(segment);
        }
        if templated && !file.exists() {
            if let Some(resp) = self.compiled_config(root, &file) {
                return resp;
            }
        }
        let file = match contained(root, &file) {
            Some(f) => f,
            None => return not_found(),
        };
        let file = if file.is_dir() {
            if !decoded.ends_with('/') {
                return redirect_to_dir(raw_path);
            }
            match contained(root, &file.join("index.html")) {
                Some(f) => f,
                None => return not_found(),
            }
        } else {
            file
        };
        let bytes = match fs::read(&file) {
            Ok(b) => b,
            Err(_) => return not_found(),
        };
        let bytes = if templated && mime::is_templated(&file) {
            self.substitute(bytes)
        } else {
            bytes
        };
        Response::new(200, mime::content_type(&file), bytes)
            .with_header("Cache-Control", "no-cache")
            .with_header("X-Content-Type-Options", "nosniff")
    }

    /// `X.compiled.json` when only `X.json` exists: the compiled config of `X.json` (its
    /// placeholder substituted first), exactly what `trailmark build X.json --define
    /// COLLECTOR_ORIGIN=...` writes, so the demo store runs the production path (a compiled
    /// config) on whatever ports the collector got. A config with errors is a 500 naming them.
    fn compiled_config(&self, root: &Path, file: &Path) -> Option<Response> {
        let name = file.file_name()?.to_str()?;
        let source = file.with_file_name(name.strip_suffix(".compiled.json")?.to_owned() + ".json");
        let source = contained(root, &source)?;
        let text = String::from_utf8(self.substitute(fs::read(source).ok()?)).ok()?;
        Some(match crate::compiled::compile(&text) {
            Ok(json) => Response::new(200, "application/json", json)
                .with_header("Cache-Control", "no-cache")
                .with_header("X-Content-Type-Options", "nosniff"),
            Err(problems) => Response::error(500, &problems),
        })
    }

    /// Replaces [`PLACEHOLDER`]; files that are not UTF-8 are served unchanged.
    fn substitute(&self, bytes: Vec<u8>) -> Vec<u8> {
        match String::from_utf8(bytes) {
            Ok(text) => text
                .replace(PLACEHOLDER, &self.collector_origin)
                .into_bytes(),
            Err(e) => e.into_bytes(),
        }
    }
}

impl Handler for Site {
    fn handle(&self, req: &mut Request) -> Outcome {
        let resp = match req.method.as_str() {
            "GET" | "HEAD" => self.respond(&req.path),
            _ => Response::error(405, "method not allowed").with_header("Allow", "GET, HEAD"),
        };
        Outcome::Respond(resp)
    }
}

/// `file` canonicalized, if it exists and lies inside `root` (after resolving symlinks).
fn contained(root: &Path, file: &Path) -> Option<PathBuf> {
    let root = root.canonicalize().ok()?;
    let file = file.canonicalize().ok()?;
    file.starts_with(&root).then_some(file)
}

/// Redirects `/dir` to `/dir/` so relative links inside its index.html resolve. The location is
/// rebuilt from the path's non-empty segments so `//host` can never become an off-site redirect.
fn redirect_to_dir(raw_path: &str) -> Response {
    let segments: Vec<&str> = raw_path.split('/').filter(|s| !s.is_empty()).collect();
    Response::new(301, "text/plain; charset=utf-8", "moved")
        .with_header("Location", format!("/{}/", segments.join("/")))
}

fn not_found() -> Response {
    Response::new(
        404,
        "text/html; charset=utf-8",
        "<!doctype html><title>404 Not Found</title><h1>404 Not Found</h1>\n",
    )
    .with_header("Cache-Control", "no-cache")
}
