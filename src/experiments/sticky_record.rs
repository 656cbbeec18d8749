//! The stored form of [`Assignments`]: versioned JSON, read strictly.
//!
//! ```json
//! {"v":1,"key":"5f0c…","keyAt":1765090000000,
//!  "a":[["hero-test",2166136261,"big-banner",1765093600000]]}
//! ```
//!
//! `a` holds `[experiment key, seed fingerprint, variant id, last exposure]` (the fingerprint
//! is [`fnv1a32`](crate::rules::bucket::fnv1a32), times are milliseconds since the epoch). Storage is hostile (other scripts, other versions,
//! hand edits, quota truncation): a record that is not exactly a version-1 record of sane
//! values, or that names the same assignment twice, is rejected whole, and the visitor starts
//! with an empty store (and a new key), never with half-read assignments. More than
//! [`MAX_ASSIGNMENTS`] entries are cut to the first ones. A future format bumps `v`.

use super::experiment::MAX_ID_BYTES;
use super::sticky::{Assignments, Entry, MAX_ASSIGNMENTS, MAX_KEY_BYTES};
use crate::json::write_str;
use crate::text::{push_i64, push_u64};
use crate::time::Millis;
use crate::value::Value;

/// The record format this build writes and reads.
pub const VERSION: f64 = 1.0;

/// The record as JSON (integers only: no float formatting).
pub fn write(a: &Assignments) -> String {
    let mut out = String::from("{\"v\":1,\"key\":");
    write_str(&mut out, &a.key);
    out.push_str(",\"keyAt\":");
    push_i64(&mut out, a.key_at.max(0));
    out.push_str(",\"a\":[");
    for (i, e) in a.entries.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('[');
        write_str(&mut out, &e.experiment);
        out.push(',');
        push_u64(&mut out, u64::from(e.seed));
        out.push(',');
        write_str(&mut out, &e.variant);
        out.push(',');
        push_i64(&mut out, e.last.max(0));
        out.push(']');
    }
    out.push_str("]}");
    out
}

/// The record as a value (as the visitor record embeds it: `x` in its profile).
pub fn to_value(a: &Assignments) -> Value {
    let n = |x: f64| Value::Number(x);
    // A plain loop: iterator adapters over entries would be code of their own in the module.
    let mut entries = Vec::new();
    for e in &a.entries {
        entries.push(Value::Array(vec![
            Value::from(e.experiment.as_str()),
            n(f64::from(e.seed)),
            Value::from(e.variant.as_str()),
            n(e.last as f64),
        ]));
    }
    Value::object(vec![
        ("v", n(VERSION)),
        ("key", Value::from(a.key.as_str())),
        ("keyAt", n(a.key_at as f64)),
        ("a", Value::Array(entries)),
    ])
}

/// A whole number in `0..=max`.
fn whole(v: &Value, max: f64) -> Option<f64> {
    let x = v.as_f64()?;
    (x.fract() == 0.0 && (0.0..=max).contains(&x)).then_some(x)
}

fn time(v: &Value) -> Option<Millis> {
    whole(v, 1e15).map(|x| x as Millis)
}

fn fingerprint(v: &Value) -> Option<u32> {
    whole(v, u32::MAX as f64).map(|x| x as u32)
}

/// A stored key or variant id: non-empty, at most [`MAX_ID_BYTES`].
fn id(v: &Value) -> Option<&str> {
    v.as_str()
        .filter(|t| !t.is_empty() && t.len() <= MAX_ID_BYTES)
}

/// The store in a stored record (the value `JSON.parse` made of [`write`]'s output), or `None`
/// when it is not a readable version-1 record.
pub fn parse(stored: &Value) -> Option<Assignments> {
    let key = stored.get("key")?.as_str()?;
    let key_at = time(stored.get("keyAt")?)?;
    let list = stored.get("a")?.as_array()?;
    if stored.get("v")?.as_f64()? != VERSION || key.len() > MAX_KEY_BYTES {
        return None;
    }
    let mut entries: Vec<Entry> = Vec::new();
    for item in list.iter().take(MAX_ASSIGNMENTS) {
        // Everything is checked before anything is copied.
        let Some([experiment, seed, variant, last]) = item.as_array() else {
            return None;
        };
        let entry = Entry {
            experiment: id(experiment)?.to_owned(),
            seed: fingerprint(seed)?,
            variant: id(variant)?.to_owned(),
            last: time(last)?,
        };
        if entries.iter().any(|e| e.same(&entry)) {
            return None;
        }
        entries.push(entry);
    }
    Some(Assignments {
        key: key.to_owned(),
        key_at,
        entries,
        dirty: false,
    })
}
