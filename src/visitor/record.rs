//! The stored visitor record: versioned JSON under one localStorage key, shared by the tabs.
//!
//! Storage is hostile (other scripts, other versions, hand edits, quota truncation): a record
//! that is not exactly a version-1 record of sane values is rejected whole and the visitor
//! starts fresh, rather than rules deciding on half-read data. Lists are cut to their caps.
//! A future format bumps `v` and adds its migration from 1 here.

use super::cart::{Cart, Item, MAX_ITEMS};
use super::counts::{Count, Counts};
use super::profile::{Profile, MAX_CATEGORIES, MAX_PAGES, MAX_PRODUCTS};
use super::{Seen, Session, Visitor, MAX_TABS};
use crate::history::History;
use crate::journeys::{Progress, MAX_PROGRESS};
use crate::json::{to_string, FloatFormatter};
use crate::time::Millis;
use crate::value::{Map, Value};

/// The record format this build writes and reads.
pub const VERSION: f64 = 1.0;
/// Longest stored string accepted, in bytes.
const MAX_TEXT: usize = 1024;

fn n(x: f64) -> Value {
    Value::Number(x)
}

fn s(x: &str) -> Value {
    Value::from(x)
}

fn opt_map(m: &Option<Map>) -> Value {
    m.clone().map_or(Value::Null, Value::Object)
}

fn counts(c: &Counts) -> Value {
    // Plain loops build this record's lists: `map(..).collect()` is code of its own per type.
    let mut out = Vec::new();
    for e in &c.entries {
        out.push(Value::Array(vec![
            s(&e.key),
            n(e.count as f64),
            n(e.last as f64),
        ]));
    }
    Value::Array(out)
}

fn progress(p: &Progress) -> Value {
    Value::Array(vec![
        s(&p.journey),
        p.stage.as_deref().map_or(Value::Null, s),
        n(p.entered_at as f64),
        n(p.stage_at as f64),
        n(p.left_at as f64),
        n(p.entries as f64),
    ])
}

fn progress_from(v: &Value) -> Option<Progress> {
    let t = tuple(v, 6)?;
    Some(Progress {
        journey: text(&t[0])?,
        stage: match &t[1] {
            Value::Null => None,
            other => Some(text(other)?),
        },
        entered_at: whole(&t[2])? as Millis,
        stage_at: whole(&t[3])? as Millis,
        left_at: whole(&t[4])? as Millis,
        entries: whole(&t[5])? as u32,
    })
}

/// The record as JSON.
pub fn write(v: &Visitor, with_profile: bool, float: FloatFormatter) -> String {
    let se = &v.session;
    let mut tabs = Vec::new();
    for t in &v.seen {
        tabs.push(Value::Array(vec![
            s(&t.tab),
            n(t.seq as f64),
            n(t.at as f64),
        ]));
    }
    let mut out = Map::new();
    out.insert("v", n(VERSION));
    out.insert("reset", n(v.reset_at as f64));
    out.insert("user", v.user_id.as_deref().map_or(Value::Null, s));
    out.insert("tabs", Value::Array(tabs));
    out.insert(
        "session",
        Value::object(vec![
            ("id", n(se.id as f64)),
            ("last", n(se.last as f64)),
            ("pv", n(se.page_views as f64)),
            ("ev", n(se.events as f64)),
            ("ref", s(&se.referrer)),
            ("utm", opt_map(&se.campaign)),
        ]),
    );
    if with_profile {
        let p = &v.profile;
        let mut cart = Vec::new();
        for i in &p.cart.items {
            cart.push(Value::Array(vec![
                s(&i.product_id),
                s(&i.name),
                n(i.price),
                n(i.quantity),
                s(&i.currency),
            ]));
        }
        out.insert(
            "profile",
            Value::object(vec![
                ("visits", n(p.visits as f64)),
                ("first", n(p.first_seen as f64)),
                ("last", n(p.last_seen as f64)),
                ("events", n(p.events as f64)),
                ("pages", counts(&p.pages)),
                ("products", counts(&p.products)),
                ("categories", counts(&p.categories)),
                ("cart", Value::Array(cart)),
                ("orders", n(p.orders as f64)),
                ("revenue", n(p.revenue)),
                ("cur", s(&p.revenue_currency)),
                ("lastOrder", n(p.last_order as f64)),
                ("ft", opt_map(&p.first_touch)),
                ("lt", opt_map(&p.last_touch)),
                ("ref", s(&p.first_referrer)),
                ("eng", n(p.engaged_ms)),
                ("scroll", n(p.max_scroll)),
                ("journeys", {
                    let mut list = Vec::new();
                    for j in &p.journeys {
                        list.push(progress(j));
                    }
                    Value::Array(list)
                }),
                ("history", p.history.to_value()),
                ("disp", p.displays.to_value()),
                ("tr", Value::Object(p.traits.clone())),
                ("x", p.assignments.to_value()),
            ]),
        );
    }
    to_string(&Value::Object(out), float)
}

/// Reads fields of one stored object; any wrong field makes the whole record unreadable.
struct Fields<'a>(&'a Map);

impl Fields<'_> {
    fn num(&self, key: &str) -> Option<f64> {
        let x = self.0.get(key)?.as_f64()?;
        (x.is_finite() && (0.0..=1e15).contains(&x)).then_some(x)
    }
    fn time(&self, key: &str) -> Option<Millis> {
        self.num(key).map(|x| x as Millis)
    }
    fn count(&self, key: &str) -> Option<u32> {
        self.num(key).map(|x| x.min(u32::MAX as f64) as u32)
    }
    fn text(&self, key: &str) -> Option<String> {
        text(self.0.get(key)?)
    }
    fn list(&self, key: &str) -> Option<&[Value]> {
        self.0.get(key)?.as_array()
    }
    fn campaign(&self, key: &str) -> Option<Option<Map>> {
        match self.0.get(key)? {
            Value::Null => Some(None),
            Value::Object(m) if m.len() <= 5 => {
                for (_, v) in m.iter() {
                    text(v)?;
                }
                Some(Some(m.clone()))
            }
            _ => None,
        }
    }
}

fn text(v: &Value) -> Option<String> {
    v.as_str()
        .filter(|t| t.len() <= MAX_TEXT)
        .map(str::to_owned)
}

/// The fields of a fixed-length stored tuple.
fn tuple(v: &Value, len: usize) -> Option<&[Value]> {
    v.as_array().filter(|a| a.len() == len)
}

fn whole(v: &Value) -> Option<f64> {
    let x = v.as_f64()?;
    (x.is_finite() && (0.0..=1e15).contains(&x)).then_some(x)
}

fn counts_from(list: &[Value], cap: usize) -> Option<Counts> {
    let mut entries = Vec::new();
    for e in list.iter().take(cap) {
        let t = tuple(e, 3)?;
        entries.push(Count {
            key: text(&t[0])?,
            count: whole(&t[1])? as u32,
            last: whole(&t[2])? as Millis,
        });
    }
    Some(Counts { entries })
}

/// A visitor from a stored record (the value `JSON.parse` made of [`write`]'s output), or
/// `None` when it is not a readable version-1 record.
pub fn parse(stored: &Value) -> Option<Visitor> {
    let f = Fields(stored.as_object()?);
    if f.num("v")? != VERSION {
        return None;
    }
    let mut v = Visitor {
        reset_at: f.time("reset")?,
        ..Visitor::default()
    };
    v.user_id = match stored.get("user")? {
        Value::Null => None,
        other => Some(text(other)?),
    };
    for t in f.list("tabs")?.iter().take(MAX_TABS) {
        let t = tuple(t, 3)?;
        v.seen.push(Seen {
            tab: text(&t[0])?,
            seq: whole(&t[1])? as u64,
            at: whole(&t[2])? as Millis,
        });
    }
    let se = Fields(stored.get("session")?.as_object()?);
    v.session = Session {
        id: se.time("id")?,
        last: se.time("last")?,
        page_views: se.count("pv")?,
        events: se.count("ev")?,
        referrer: se.text("ref")?,
        campaign: se.campaign("utm")?,
    };
    if let Some(p) = stored.get("profile") {
        v.profile = profile(&Fields(p.as_object()?))?;
    }
    Some(v)
}

fn profile(f: &Fields) -> Option<Profile> {
    let mut cart = Cart::default();
    for line in f.list("cart")?.iter().take(MAX_ITEMS) {
        let t = tuple(line, 5)?;
        cart.items.push(Item {
            product_id: text(&t[0])?,
            name: text(&t[1])?,
            price: whole(&t[2])?,
            quantity: whole(&t[3])?,
            currency: text(&t[4])?,
        });
    }
    Some(Profile {
        visits: f.count("visits")?,
        first_seen: f.time("first")?,
        last_seen: f.time("last")?,
        events: f.count("events")?,
        pages: counts_from(f.list("pages")?, MAX_PAGES)?,
        products: counts_from(f.list("products")?, MAX_PRODUCTS)?,
        categories: counts_from(f.list("categories")?, MAX_CATEGORIES)?,
        cart,
        orders: f.count("orders")?,
        revenue: f.num("revenue")?,
        revenue_currency: f.text("cur")?,
        last_order: f.time("lastOrder")?,
        first_touch: f.campaign("ft")?,
        last_touch: f.campaign("lt")?,
        first_referrer: f.text("ref")?,
        engaged_ms: f.num("eng")?,
        max_scroll: f.num("scroll")?,
        // A plain loop: collecting into `Option<Vec<_>>` costs the module a kilobyte of
        // iterator code.
        journeys: {
            let mut list = Vec::new();
            for p in f.list("journeys")?.iter().take(MAX_PROGRESS) {
                list.push(progress_from(p)?);
            }
            list
        },
        history: History::from_value(f.0.get("history")?)?,
        // Absent in records written before caps existed.
        displays: match f.0.get("disp") {
            None => crate::caps::Displays::default(),
            Some(d) => crate::caps::Displays::from_value(d)?,
        },
        // Absent in records written before traits were kept; a stored value is checked as an
        // identify call's would be.
        traits: {
            let mut p = Profile::default();
            if let Some(Value::Object(m)) = f.0.get("tr") {
                p.keep_traits(m);
            }
            p.traits
        },
        // Read by `Visitor::merge`, which merges it into this tab's (see crate::experiments).
        assignments: Default::default(),
    })
}
