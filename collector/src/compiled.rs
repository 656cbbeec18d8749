//! Compiled configs for the demo store: the same compiler and program writer as `trailmark build`.

use trailmark::{config, program, Severity, Value};

/// The compiled config (`{"trailmark":"compiled",...}`) of a config's JSON text, or every error
/// in it, one per line.
pub fn compile(text: &str) -> Result<String, String> {
    let raw = Value::parse_json(text).map_err(|e| format!("the config is not JSON: {e}"))?;
    let compiled = config::compile(&raw);
    let errors: Vec<String> = compiled
        .diagnostics
        .0
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.to_string())
        .collect();
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    Ok(program::to_compiled_json(&program::encode(
        &compiled.config,
    )))
}
