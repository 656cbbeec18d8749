//! [`Displays`] in the visitor record: `{"r": [[rule, views, dismissed, accepted, at, session,
//! at, session, ...]], "d": [session, dialogs]}` (the recent views flattened). Read strictly: anything off makes the whole
//! record unreadable (a same-origin script can write anything there).

use super::{Displays, Stats, MAX_RECENT, MAX_RULES};
use crate::value::Value;

const MAX_RULE_BYTES: usize = 200;

impl Displays {
    /// The stored form.
    pub fn to_value(&self) -> Value {
        let n = |x: i64| Value::Number(x as f64);
        // A plain loop: `map(..).collect()` is code of its own per type in the module.
        let mut rules = Vec::new();
        for s in &self.rules {
            let mut row = vec![
                Value::from(s.rule.as_str()),
                n(i64::from(s.views)),
                n(s.dismissed),
                n(s.accepted),
            ];
            for &(at, session) in &s.recent {
                row.push(n(at));
                row.push(n(session));
            }
            rules.push(Value::Array(row));
        }
        Value::object(vec![
            ("r", Value::Array(rules)),
            (
                "d",
                Value::Array(vec![n(self.dialogs.0), n(i64::from(self.dialogs.1))]),
            ),
        ])
    }

    /// Reads the stored form; `None` when it is not exactly one.
    pub fn from_value(v: &Value) -> Option<Displays> {
        let num = |v: &Value| {
            v.as_f64()
                .filter(|x| x.fract() == 0.0 && (0.0..=1e15).contains(x))
                .map(|x| x as i64)
        };
        let rules = v.get("r")?.as_array()?;
        let d = v.get("d")?.as_array()?;
        if rules.len() > MAX_RULES || d.len() != 2 {
            return None;
        }
        let mut out = Displays {
            dialogs: (num(&d[0])?, num(&d[1])?.min(i64::from(u32::MAX)) as u32),
            ..Displays::default()
        };
        for r in rules {
            let row = r.as_array()?;
            let (head, recent) = (row.get(..4)?, row.get(4..)?);
            if recent.len() % 2 != 0 || recent.len() > 2 * MAX_RECENT {
                return None;
            }
            let rule = head[0].as_str().filter(|s| s.len() <= MAX_RULE_BYTES)?;
            let mut stats = Stats {
                rule: rule.to_owned(),
                views: num(&head[1])?.min(i64::from(u32::MAX)) as u32,
                dismissed: num(&head[2])?,
                accepted: num(&head[3])?,
                recent: Vec::new(),
            };
            for pair in recent.chunks(2) {
                stats.recent.push((num(&pair[0])?, num(&pair[1])?));
            }
            out.rules.push(stats);
        }
        Some(out)
    }
}
