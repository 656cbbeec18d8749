//! The JSON-like value every part of the core works on.
//!
//! The core never parses JSON text itself: in the browser the shell walks the object that the
//! browser's own `JSON.parse` produced (no float parser in the module), natively `serde_json`
//! does it (see [`Value::from_serde`]). Objects keep insertion order so an event's properties go
//! out as they came in.

/// A JSON value.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    /// `null`, and what a missing attribute reads as.
    #[default]
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A JSON number (always finite: the shell maps NaN and infinities to `null`).
    Number(f64),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object.
    Object(Map),
}

/// An insertion-ordered JSON object. Lookups are linear: objects here are small (attributes,
/// properties, config nodes) and a vector is both smaller in the module and faster at that size.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Map {
    entries: Vec<(String, Value)>,
}

impl Map {
    /// An empty object.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value under `key`, if any.
    #[cfg_attr(trailmark_speed, optimize(speed))]
    pub fn get(&self, key: &str) -> Option<&Value> {
        // Lengths and first bytes first: keys of one object mostly differ there, and the
        // module's `memcmp` is a call and a byte loop.
        let first = key.as_bytes().first();
        self.entries
            .iter()
            .find(|(k, _)| k.len() == key.len() && k.as_bytes().first() == first && k == key)
            .map(|(_, v)| v)
    }

    /// A mutable reference to the value under `key`, if any.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Sets `key` to `value`, replacing an existing entry in place (JSON's last-one-wins).
    pub fn insert(&mut self, key: impl Into<String>, value: Value) {
        let key = key.into();
        match self.get_mut(&key) {
            Some(slot) => *slot = value,
            None => self.entries.push((key, value)),
        }
    }

    /// Removes and returns the value under `key`.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let at = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(at).1)
    }

    /// Whether `key` is present (even with a `null` value).
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the object has no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl FromIterator<(String, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        let mut map = Map::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

impl Value {
    /// The string inside, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number inside, if this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The boolean inside, if this is a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The object inside, if this is an object.
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The array inside, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// `obj[key]` for objects, `None` otherwise.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key)
    }

    /// The JSON type name used in error messages (`"object"`, `"array"`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    /// Builds an object value from `(key, value)` pairs. Not generic on purpose: one copy in
    /// the module for every call site (an array argument would be one copy per length).
    pub fn object(pairs: Vec<(&str, Value)>) -> Value {
        let mut map = Map::new();
        for (k, v) in pairs {
            map.insert(k, v);
        }
        Value::Object(map)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Number(n)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Value {
    /// Converts a `serde_json` value (native builds only: the CLI and tests).
    pub fn from_serde(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(a) => Value::Array(a.iter().map(Value::from_serde).collect()),
            serde_json::Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (k.clone(), Value::from_serde(v)))
                    .collect(),
            ),
        }
    }

    /// Parses JSON text (native builds only).
    pub fn parse_json(text: &str) -> Result<Value, String> {
        serde_json::from_str::<serde_json::Value>(text)
            .map(|v| Value::from_serde(&v))
            .map_err(|e| e.to_string())
    }
}
