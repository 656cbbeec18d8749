//! The stored form of [`Assignments`]: versioned JSON, read strictly.
//!
//! ```json
//! {"v":1,"key":"5f0c…","keyAt":1765090000000,
//!  "a":[["hero-test",2166136261,null,"big-banner",1765090000000,1765093600000]]}
//! ```
//!
//! `a` holds `[experiment key, seed fingerprint, user fingerprint or null, variant id, first
//! exposure, last exposure]` (fingerprints are [`fnv1a32`](crate::rules::bucket::fnv1a32),
//! times are milliseconds since the epoch). Storage is hostile (other scripts, other versions,
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
        match e.user {
            Some(u) => push_u64(&mut out, u64::from(u)),
            None => out.push_str("null"),
        }
        out.push(',');
        write_str(&mut out, &e.variant);
        out.push(',');
        push_i64(&mut out, e.first.max(0));
        out.push(',');
        push_i64(&mut out, e.last.max(0));
        out.push(']');
    }
    out.push_str("]}");
    out
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

fn text(v: &Value, max: usize) -> Option<String> {
    v.as_str()
        .filter(|t| !t.is_empty() && t.len() <= max)
        .map(str::to_owned)
}

/// The store in a stored record (the value `JSON.parse` made of [`write`]'s output), or `None`
/// when it is not a readable version-1 record.
pub fn parse(stored: &Value) -> Option<Assignments> {
    if stored.get("v")?.as_f64()? != VERSION {
        return None;
    }
    // An empty key is what a store without one writes.
    let key = stored.get("key")?.as_str()?;
    if key.len() > MAX_KEY_BYTES {
        return None;
    }
    let mut a = Assignments {
        key: key.to_owned(),
        key_at: time(stored.get("keyAt")?)?,
        ..Assignments::default()
    };
    for item in stored.get("a")?.as_array()?.iter().take(MAX_ASSIGNMENTS) {
        let t = item.as_array().filter(|t| t.len() == 6)?;
        let entry = Entry {
            experiment: text(&t[0], MAX_ID_BYTES)?,
            seed: fingerprint(&t[1])?,
            user: match &t[2] {
                Value::Null => None,
                other => Some(fingerprint(other)?),
            },
            variant: text(&t[3], MAX_ID_BYTES)?,
            first: time(&t[4])?,
            last: time(&t[5])?,
        };
        if entry.first > entry.last || a.entries.iter().any(|e| e.same(&entry)) {
            return None;
        }
        a.entries.push(entry);
    }
    Some(a)
}
