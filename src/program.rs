//! Compiled configs: the form of a config the browser module reads.
//!
//! Compiling a config (validating it, compiling its conditions, regexes and journeys) happens
//! once, ahead of time, in `trailmark build` (or in the optional tools chunk when a page hands
//! the module a JSON config). The module that every shopper downloads only *decodes* the
//! result: no compiler, no diagnostics, no regex parser in it, and no compiling on every page.
//!
//! ## The bytes
//!
//! `T` `M`, the format version (one byte, [`FORMAT`]), then the config as written by
//! [`crate::wire`]. A program of another format version is refused with a message naming both
//! versions; a corrupt one is refused as a whole (never half-applied): the page keeps its
//! default content and tracking goes on without a config.
//!
//! In a page a program travels inside JSON (the "compiled config", README "Compiled configs"):
//! `{"trailmark": "compiled", "format": 1, "program": "<base64>"}`.

use crate::config::Config;
use crate::wire::{Reader, Wire};

/// The version of the byte format this build writes and reads. The runtime's config cache
/// (`CACHE_VERSION` in js/runtime.js) moves with it.
pub const FORMAT: u8 = 3;

const MAGIC: [u8; 2] = *b"TM";

/// Why a program was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgramError {
    /// Not a compiled config at all.
    NotAProgram,
    /// A compiled config of another format version.
    Version(u8),
    /// Malformed or inconsistent bytes.
    Corrupt,
}

impl ProgramError {
    /// What to tell the site owner.
    pub fn message(self) -> String {
        let mut m = String::from(match self {
            ProgramError::NotAProgram => "not a compiled config",
            ProgramError::Version(_) => "a compiled config of format ",
            ProgramError::Corrupt => "a corrupt compiled config",
        });
        if let ProgramError::Version(v) = self {
            crate::text::push_u64(&mut m, u64::from(v));
            m.push_str(", but this module reads format ");
            crate::text::push_u64(&mut m, u64::from(FORMAT));
            m.push_str(": compile it again with this version's `trailmark build`");
        }
        m
    }
}

/// The compiled config of `config`.
#[cfg(feature = "compiler")]
pub fn encode(config: &Config) -> Vec<u8> {
    let mut w = crate::wire::Writer::default();
    w.bytes.extend_from_slice(&MAGIC);
    w.tag(FORMAT);
    config.put(&mut w);
    w.bytes
}

/// The compiled config as a page carries it (inline, or in the file `data-config` names):
/// `{"trailmark":"compiled","format":1,"version":"0.1.0","program":"<base64>","blocks":{...}}`:
/// the program the module reads, and the content blocks (by id, as [`Node::to_json`] writes
/// them) the page's renderer builds.
///
/// [`Node::to_json`]: crate::render::Node::to_json
#[cfg(all(feature = "compiler", not(target_arch = "wasm32")))]
pub fn to_compiled_json(compiled: &crate::config::Compiled) -> String {
    let program = encode(&compiled.config);
    let mut out = String::from("{\"trailmark\":\"compiled\",\"format\":");
    crate::text::push_u64(&mut out, u64::from(FORMAT));
    out.push_str(",\"version\":\"");
    out.push_str(env!("CARGO_PKG_VERSION"));
    out.push_str("\",\"program\":\"");
    push_base64(&mut out, &program);
    out.push_str("\",\"blocks\":");
    crate::json::write_value(&mut out, &blocks_json(compiled), crate::json::native_float);
    out.push('}');
    // Safe to inline in a `<script>` element: `<` only occurs inside strings, where `\u003c`
    // means the same, and without it a block's text could close the element (`</script>`).
    out.replace('<', "\\u003c")
}

/// The blocks of a compiled config by id, as the compiled config carries them.
#[cfg(feature = "compiler")]
pub fn blocks_json(compiled: &crate::config::Compiled) -> crate::value::Value {
    let mut blocks = crate::value::Map::new();
    for (id, node) in compiled.config.blocks.iter().zip(&compiled.blocks) {
        blocks.insert(id.as_str(), node.to_json());
    }
    crate::value::Value::Object(blocks)
}

/// Standard base64 with padding (what `atob` reads).
#[cfg(all(feature = "compiler", not(target_arch = "wasm32")))]
fn push_base64(out: &mut String, bytes: &[u8]) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
}

/// The config in a compiled program, checked through (see [`crate::wire`]).
pub fn decode(bytes: &[u8]) -> Result<Config, ProgramError> {
    let mut r = Reader::new(bytes);
    if r.take(2) != MAGIC {
        return Err(ProgramError::NotAProgram);
    }
    match r.tag() {
        FORMAT => {}
        _ if !r.ok() => return Err(ProgramError::NotAProgram),
        other => return Err(ProgramError::Version(other)),
    }
    let config = Config::get(&mut r);
    if r.finish() {
        Ok(config)
    } else {
        Err(ProgramError::Corrupt)
    }
}

#[cfg(all(test, feature = "compiler", not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn base64_is_standard() {
        let mut s = String::new();
        for input in [
            &b""[..],
            b"f",
            b"fo",
            b"foo",
            b"foob",
            b"fooba",
            b"foobar",
            &[0xff, 0xfe],
        ] {
            push_base64(&mut s, input);
            s.push('|');
        }
        assert_eq!(s, "|Zg==|Zm8=|Zm9v|Zm9vYg==|Zm9vYmE=|Zm9vYmFy|//4=|");
    }

    #[test]
    fn compiled_configs_can_be_inlined_in_a_script_element() {
        let raw = crate::value::Value::parse_json(
            r#"{"version":1,"blocks":{"b":{"tag":"p","text":"</script><script>alert(1)</script><!--"}}}"#,
        )
        .unwrap();
        let json = to_compiled_json(&crate::config::compile(&raw));
        assert!(!json.contains('<'), "{json}");
        let back = crate::value::Value::parse_json(&json).unwrap();
        let text = back
            .get("blocks")
            .and_then(|b| b.get("b"))
            .and_then(|b| b.get("x"));
        assert_eq!(
            text.and_then(crate::value::Value::as_str),
            Some("</script><script>alert(1)</script><!--")
        );
    }

    #[test]
    fn programs_of_another_format_or_corrupt_are_refused() {
        let program = encode(&Config::default());
        assert!(decode(&program).is_ok());
        assert_eq!(decode(b"{}").unwrap_err(), ProgramError::NotAProgram);
        let mut other = program.clone();
        other[2] = FORMAT + 1;
        let err = decode(&other).unwrap_err();
        assert_eq!(err, ProgramError::Version(FORMAT + 1));
        assert!(
            err.message().contains("trailmark build"),
            "{}",
            err.message()
        );
        for cut in 3..program.len() {
            assert_eq!(
                decode(&program[..cut]).err(),
                Some(ProgramError::Corrupt),
                "cut at {cut}"
            );
        }
        let mut longer = program;
        longer.push(0);
        assert_eq!(decode(&longer).unwrap_err(), ProgramError::Corrupt);
    }
}
