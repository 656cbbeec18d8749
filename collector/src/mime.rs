//! Content types for the files the site server serves.

use std::path::Path;

/// The Content-Type for a file, by extension (case-insensitive). `.wasm` must be
/// `application/wasm`: browsers refuse `WebAssembly.instantiateStreaming` on anything else.
/// TypeScript declarations (`.d.ts`) are shown as plain text, not as MPEG transport streams.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript",
        "css" => "text/css",
        "json" | "map" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "ts" | "txt" | "md" => "text/plain",
        _ => "application/octet-stream",
    }
}

/// Whether `{{COLLECTOR_ORIGIN}}` is substituted in this file (HTML pages and JSON configs).
pub fn is_templated(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("html" | "htm" | "json")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_types() {
        assert_eq!(content_type(Path::new("a/b.wasm")), "application/wasm");
        assert_eq!(content_type(Path::new("x.d.ts")), "text/plain");
        assert_eq!(
            content_type(Path::new("INDEX.HTML")),
            "text/html; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("noext")), "application/octet-stream");
        assert!(is_templated(Path::new("trailmark.json")));
        assert!(!is_templated(Path::new("trailmark.js")));
    }
}
