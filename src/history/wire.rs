//! The stored form of a [`History`]: arrays instead of objects, read back strictly.

use super::{
    Entry, History, Total, MAX_BYTES, MAX_ENTRIES, MAX_NAMES, MAX_PROPS, MAX_STRING_BYTES, MAX_SUMS,
};
use crate::time::Millis;
use crate::value::{Map, Value};

/// Largest magnitude at which every integer is exact in an `f64` (2^53).
const MAX_SAFE: f64 = 9_007_199_254_740_992.0;

pub(super) fn to_value(h: &History) -> Value {
    let num = |n: i64| Value::Number(n as f64);
    // Plain loops: `map(..).collect()` is code of its own per type in the module.
    let mut log = Vec::new();
    for e in &h.log {
        log.push(Value::Array(vec![
            num(e.at),
            num(e.session),
            Value::Number(f64::from(e.tab)),
            Value::from(e.name.as_str()),
            Value::Object(e.props.clone()),
        ]));
    }
    let mut totals = Vec::new();
    for t in &h.totals {
        let mut sums = Map::new();
        for (k, s) in &t.sums {
            sums.insert(k.as_str(), Value::Number(*s));
        }
        totals.push(Value::Array(vec![
            Value::from(t.name.as_str()),
            Value::Number(t.count as f64),
            num(t.first),
            num(t.last),
            Value::Object(sums),
        ]));
    }
    Value::object(vec![
        ("log", Value::Array(log)),
        ("totals", Value::Array(totals)),
    ])
}

pub(super) fn from_value(v: &Value) -> Option<History> {
    let obj = v.as_object()?;
    if obj.len() != 2 {
        return None;
    }
    let log = obj.get("log")?.as_array()?;
    let totals = obj.get("totals")?.as_array()?;
    if log.len() > MAX_ENTRIES || totals.len() > MAX_NAMES {
        return None;
    }
    let mut h = History {
        log: Vec::with_capacity(log.len()),
        bytes: 0,
        totals: Vec::with_capacity(totals.len()),
    };
    for raw in log {
        let e = entry(raw)?;
        if h.log.last().is_some_and(|prev| prev.at > e.at) {
            return None;
        }
        h.bytes += e.bytes();
        h.log.push(e);
    }
    if h.bytes > MAX_BYTES {
        return None;
    }
    for raw in totals {
        let t = total(raw)?;
        if h.total(&t.name).is_some() {
            return None;
        }
        h.totals.push(t);
    }
    Some(h)
}

fn entry(raw: &Value) -> Option<Entry> {
    let [at, session, tab, name, props] = raw.as_array()? else {
        return None;
    };
    let tab = int(tab)?;
    let props = props.as_object()?;
    let scalar = |v: &Value| match v {
        Value::String(s) => s.len() <= MAX_STRING_BYTES,
        Value::Number(n) => n.is_finite(),
        Value::Bool(_) => true,
        _ => false,
    };
    if props.len() > MAX_PROPS {
        return None;
    }
    for (k, v) in props.iter() {
        if k.len() > MAX_STRING_BYTES || !scalar(v) {
            return None;
        }
    }
    Some(Entry {
        at: int(at)?,
        session: int(session)?,
        tab: u32::try_from(tab).ok()?,
        name: name_of(name)?,
        props: props.clone(),
    })
}

fn total(raw: &Value) -> Option<Total> {
    let [name, count, first, last, sums] = raw.as_array()? else {
        return None;
    };
    let count = u64::try_from(int(count)?).ok().filter(|&c| c > 0)?;
    let (first, last) = (int(first)?, int(last)?);
    let sums_in = sums.as_object()?;
    if first > last || sums_in.len() > MAX_SUMS {
        return None;
    }
    let mut sums = Vec::with_capacity(sums_in.len());
    for (k, v) in sums_in.iter() {
        let n = v.as_f64().filter(|n| n.is_finite())?;
        if k.len() > MAX_STRING_BYTES {
            return None;
        }
        sums.push((k.to_owned(), n));
    }
    Some(Total {
        name: name_of(name)?,
        count,
        first,
        last,
        sums,
    })
}

/// An event name: a non-empty string within the length limit.
fn name_of(v: &Value) -> Option<String> {
    v.as_str()
        .filter(|s| !s.is_empty() && s.len() <= MAX_STRING_BYTES)
        .map(str::to_owned)
}

/// An integer number exactly representable in an `f64`.
fn int(v: &Value) -> Option<Millis> {
    let n = v.as_f64()?;
    (n.fract() == 0.0 && n.abs() <= MAX_SAFE).then_some(n as Millis)
}
