//! Diagnostics: errors and warnings as values with a stable code, an exact JSON path and a reason.
//!
//! Codes are `area/kind` (`rules/unknown-operator`) and never change meaning once released, so a
//! site owner's tooling can match on them. Paths are JSON Pointers (RFC 6901) into the config or
//! the value that was checked (`/rules/3/if/cart.value`).

use crate::value::Value;
use std::fmt;

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The thing it points at is rejected.
    Error,
    /// Accepted, but probably not what the author meant (or only approximately honoured).
    Warning,
}

/// One problem found in a config or an input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable machine-readable code, `area/kind`.
    pub code: &'static str,
    /// JSON Pointer to the offending value.
    pub path: String,
    /// Human-readable reason.
    pub message: String,
}

impl Diagnostic {
    /// An error.
    pub fn error(code: &'static str, path: &Path, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            // Not `to_string()`: that goes through `Display` and pulls the formatting machinery
            // into the module.
            path: path.as_str().to_owned(),
            message: message.into(),
        }
    }

    /// A warning.
    pub fn warning(code: &'static str, path: &Path, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, path, message)
        }
    }
}

impl Diagnostic {
    /// `rules/unknown-operator at /rules/3/if/cart.value: reason`, built without `format!`,
    /// whose machinery would cost the browser module about a kilobyte.
    pub fn text(&self) -> String {
        let at = if self.path.is_empty() {
            "/"
        } else {
            &self.path
        };
        let mut out = String::with_capacity(self.code.len() + at.len() + self.message.len() + 6);
        out.push_str(self.code);
        out.push_str(" at ");
        out.push_str(at);
        out.push_str(": ");
        out.push_str(&self.message);
        out
    }
}

impl fmt::Display for Diagnostic {
    /// Same as [`Diagnostic::text`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// A JSON Pointer under construction, cheap to extend while walking a tree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Path(String);

impl Path {
    /// The root (`""`).
    pub fn root() -> Self {
        Self::default()
    }

    /// This path extended by an object key (escaped per RFC 6901).
    pub fn key(&self, key: &str) -> Path {
        let mut p = self.0.clone();
        p.push('/');
        for c in key.chars() {
            match c {
                '~' => p.push_str("~0"),
                '/' => p.push_str("~1"),
                c => p.push(c),
            }
        }
        Path(p)
    }

    /// This path extended by an array index.
    pub fn index(&self, i: usize) -> Path {
        let mut p = self.0.clone();
        p.push('/');
        crate::text::push_u64(&mut p, i as u64);
        Path(p)
    }

    /// The pointer text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Everything a compilation found; compilation reports all problems, not the first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Records a diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    /// Whether any error (not warning) was recorded.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.severity == Severity::Error)
    }
}

/// "expected X, found Y" without `format!`.
pub(crate) fn expected(what: &str, found: &Value) -> String {
    let mut msg = String::from("expected ");
    msg.push_str(what);
    msg.push_str(", found ");
    msg.push_str(found.type_name());
    msg
}
