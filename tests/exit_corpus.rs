//! The exit-intent corpus (`tests/fixtures/exit/`), replayed through the detector with its
//! default settings: precision and recall per device class and signal on the held-out half
//! (odd seeds; the defaults were tuned on the even ones), on the tuning half and on the traces
//! recorded in Chromium, beside ouibounce's rule (its real code replayed in Chromium by
//! `baseline-ouibounce.mjs`, results in `ouibounce.json`) and a plain 8 s idle timer on phones.
//!
//! `cargo test --test exit_corpus -- --show-output` prints the tables.
#![cfg(not(target_arch = "wasm32"))]

use serde_json::Value as Json;
use std::collections::BTreeMap;
use trailmark::exit::{replay, ExitSettings, Sample};

type Millis = i64;

struct Trace {
    id: String,
    device: String,
    scenario: String,
    exit: bool,
    intent_at: Millis,
    end: Millis,
    samples: Vec<Sample>,
}

fn fixture(name: &str) -> Json {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/exit")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn traces(name: &str) -> Vec<Trace> {
    let n = |v: &Json| v.as_f64().expect("a number");
    fixture(name)
        .as_array()
        .expect("an array of traces")
        .iter()
        .map(|t| Trace {
            id: t["id"].as_str().expect("id").to_owned(),
            device: t["device"].as_str().expect("device").to_owned(),
            scenario: t["scenario"].as_str().expect("scenario").to_owned(),
            exit: t["label"] == "exit",
            intent_at: t["intentAt"].as_i64().unwrap_or(Millis::MAX),
            end: t["end"].as_i64().expect("end"),
            samples: t["samples"]
                .as_array()
                .expect("samples")
                .iter()
                .map(|s| {
                    let s = s.as_array().expect("a sample");
                    let kind = n(&s[0]) as u32;
                    Sample::from_numbers(kind, n(&s[1]), n(&s[2]), n(&s[3]), n(&s[4]), n(&s[5]))
                        .expect("a known kind")
                })
                .collect(),
        })
        .collect()
}

/// The signal a scenario's exits are meant to be caught by (per-signal recall).
fn expected(t: &Trace) -> &'static str {
    match t.scenario.as_str() {
        "scroll-up-to-leave" => "scroll-up",
        "app-switch" => "tab-return",
        "idle-abandon" => "idle",
        _ => "pointer-top",
    }
}

/// What a detector said about a trace: the signal's name and when, if anything.
type Verdict = Option<(&'static str, Millis)>;

/// TP, FP, exits and detected exits, per signal ("all" for the trace as a whole).
#[derive(Default, Clone, Copy)]
struct Score {
    tp: u32,
    fp: u32,
    exits: u32,
    caught: u32,
}

impl Score {
    fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            return f64::NAN;
        }
        f64::from(self.tp) / f64::from(self.tp + self.fp)
    }
    fn recall(&self) -> f64 {
        if self.exits == 0 {
            return f64::NAN;
        }
        f64::from(self.caught) / f64::from(self.exits)
    }
    fn cell(&self) -> String {
        if self.tp + self.fp == 0 && self.exits == 0 {
            return "-".into();
        }
        let p = self.precision();
        let p = if p.is_nan() {
            "  - ".into()
        } else {
            format!("{p:.2}")
        };
        let r = self.recall();
        let r = if r.is_nan() {
            "  - ".into()
        } else {
            format!("{r:.2}")
        };
        format!(
            "{p} / {r} ({} TP, {} FP, {}/{} exits)",
            self.tp, self.fp, self.caught, self.exits
        )
    }
}

/// Scores per (device, signal) and (device, "all").
fn score(
    traces: &[&Trace],
    verdict: &dyn Fn(&Trace) -> Verdict,
) -> BTreeMap<(String, String), Score> {
    let mut out: BTreeMap<(String, String), Score> = BTreeMap::new();
    for t in traces {
        let v = verdict(t);
        let hit = matches!(v, Some((_, at)) if t.exit && at >= t.intent_at);
        let keys = |s: &str| (t.device.clone(), s.to_owned());
        if let Some((signal, _)) = v {
            for k in [keys("all"), keys(signal)] {
                let e = out.entry(k).or_default();
                if hit {
                    e.tp += 1;
                } else {
                    e.fp += 1;
                }
            }
        }
        if t.exit {
            for k in [keys("all"), keys(expected(t))] {
                let e = out.entry(k).or_default();
                e.exits += 1;
                e.caught += u32::from(hit);
            }
        }
    }
    out
}

fn trailmark(t: &Trace) -> Verdict {
    replay(ExitSettings::default(), &t.samples, t.end).map(|d| (d.signal.as_str(), d.at))
}

/// A plain idle timer (exit-intent-js's, 8 s): fires 8 s after the last input of any kind
/// while the page is visible, once.
fn idle_timer(t: &Trace) -> Verdict {
    const IDLE: Millis = 8_000;
    let mut last = 0;
    let mut hidden = false;
    for s in &t.samples {
        let at = s.at();
        if !hidden && at >= last + IDLE {
            return Some(("idle", last + IDLE));
        }
        if let Sample::Visibility { hidden: h, .. } = *s {
            hidden = h;
        }
        last = at;
    }
    (!hidden && t.end >= last + IDLE).then_some(("idle", last + IDLE))
}

/// ouibounce's results from `ouibounce.json` (trace id -> the time it fired, or null).
fn ouibounce() -> Option<BTreeMap<String, Option<Millis>>> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/exit/ouibounce.json");
    if !path.exists() {
        return None;
    }
    let v = fixture("ouibounce.json");
    Some(
        v["results"]
            .as_object()
            .expect("results")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_i64()))
            .collect(),
    )
}

/// Each scenario's outcomes under the default settings, with the traces that went wrong.
fn breakdown(title: &str, set: &[&Trace]) {
    let mut by: BTreeMap<String, (u32, u32, u32, u32, Vec<String>)> = BTreeMap::new();
    for t in set {
        let e = by.entry(t.scenario.clone()).or_default();
        e.0 += 1;
        match trailmark(t) {
            Some((_, at)) if t.exit && at >= t.intent_at => e.1 += 1,
            Some((s, at)) => {
                e.2 += 1;
                e.4.push(format!("{}:{s}@{at}", t.id));
            }
            None if t.exit => {
                e.3 += 1;
                e.4.push(format!("{}:missed", t.id));
            }
            None => {}
        }
    }
    println!("\n{title}, per scenario: traces, detected in time, false alarms, missed");
    for (k, (n, tp, fp, missed, ids)) in by {
        println!("  {k}: {n}, {tp}, {fp}, {missed} {}", ids.join(" "));
    }
}

const SIGNALS: [(&str, &[&str]); 2] = [
    ("desktop", &["pointer-top", "all"]),
    ("phone", &["scroll-up", "tab-return", "idle", "all"]),
];

fn table(
    title: &str,
    ours: &BTreeMap<(String, String), Score>,
    oui: Option<&BTreeMap<(String, String), Score>>,
    idle: &BTreeMap<(String, String), Score>,
) {
    println!("\n{title}: precision / recall (true and false positives, exits caught in time)");
    println!(
        "| device | signal | Trailmark | ouibounce 0.0.12 | idle timer 8 s |\n|---|---|---|---|---|"
    );
    for (device, signals) in SIGNALS {
        for &signal in signals {
            let key = (device.to_owned(), signal.to_owned());
            let get = |m: &BTreeMap<(String, String), Score>| {
                m.get(&key).map(Score::cell).unwrap_or("-".into())
            };
            let oui = match (device, signal, oui) {
                // ouibounce's one rule is a pointer leaving through the top.
                ("desktop", _, Some(m)) => get(m),
                _ => "-".into(),
            };
            let idle = if device == "phone" && signal == "all" {
                get(idle)
            } else {
                "-".into()
            };
            println!("| {device} | {signal} | {} | {oui} | {idle} |", get(ours));
        }
    }
}

#[test]
fn exit_intent_corpus() {
    // The tuning corpus: seeds 1-240 and 1-160, both halves (the odd half was the first
    // held-out set until its result was seen).
    let mut tuning = traces("desktop.json");
    tuning.extend(traces("phone.json"));
    let recorded = traces("recorded.json");
    assert!(tuning.len() >= 300, "at least 300 generated traces");
    let oui = ouibounce();
    // ouibounce is scored on a set only if its replay covered every desktop trace of it.
    let oui_for = |set: &[&Trace]| {
        let m = oui.as_ref()?;
        set.iter()
            .filter(|t| t.device == "desktop")
            .all(|t| m.contains_key(&t.id))
            .then_some(m)
    };
    let report = |title: &str, set: Vec<&Trace>| {
        let ours = score(&set, &trailmark);
        let idle = score(&set, &idle_timer);
        let desktop: Vec<&Trace> = set
            .iter()
            .copied()
            .filter(|t| t.device == "desktop")
            .collect();
        let theirs = oui_for(&desktop).map(|m| {
            score(&desktop, &|t: &Trace| {
                m[&t.id].map(|at| ("pointer-top", at))
            })
        });
        table(title, &ours, theirs.as_ref(), &idle);
        (ours, theirs, idle)
    };
    let tuning: Vec<&Trace> = tuning.iter().collect();
    if std::env::var_os("EXIT_TUNING").is_some() {
        // While tuning, only the tuning corpus is looked at, with each scenario's outcomes;
        // the fresh held-out set is not even read.
        breakdown("Tuning corpus (seeds 1-240, 1-160)", &tuning);
        report("Tuning corpus (seeds 1-240, 1-160)", tuning);
        breakdown("Recorded", &recorded.iter().collect::<Vec<_>>());
        report(
            "Recorded in Chromium from scripted input (all)",
            recorded.iter().collect(),
        );
        return;
    }
    let mut held_out = traces("heldout-desktop.json");
    held_out.extend(traces("heldout-phone.json"));
    assert!(held_out.len() >= 300, "at least 300 held-out traces");
    assert!(recorded.len() >= 20, "at least 20 recorded traces");
    let held_out: Vec<&Trace> = held_out.iter().collect();
    breakdown("Held-out set (seeds 10001-10240, 10001-10160)", &held_out);
    let (ours, theirs, idle) = report("Held-out set (seeds 10001-10240, 10001-10160)", held_out);
    report("Tuning corpus (seeds 1-240, 1-160)", tuning);
    report(
        "Recorded in Chromium from scripted input (all)",
        recorded.iter().collect(),
    );

    let at = |m: &BTreeMap<(String, String), Score>, d: &str| m[&(d.to_owned(), "all".to_owned())];
    let desktop = at(&ours, "desktop");
    // The targets on the held-out set: desktop precision at least 0.95 and recall at
    // least 0.85. Met on the fresh set at its one evaluation (README "Figures": 0.97 / 1.00,
    // 83 TP, 3 FP, 83/83 exits); the assertions keep them.
    assert!(
        desktop.precision() >= 0.95,
        "desktop precision {:.3} (target 0.95)",
        desktop.precision()
    );
    assert!(
        desktop.recall() >= 0.85,
        "desktop recall {:.3} (target 0.85)",
        desktop.recall()
    );
    // ouibounce's rule on the same traces (its real code, replayed through Chromium's mouse
    // by baseline-ouibounce.mjs): the issue asks for precision above it and recall no more
    // than 0.05 below it.
    let theirs = theirs
        .expect("ouibounce.json covers every held-out desktop trace: run baseline-ouibounce.mjs");
    let o = at(&theirs, "desktop");
    println!(
        "\nHeld-out desktop: precision {:.2} vs ouibounce's {:.2}, recall {:.2} vs ouibounce's {:.2}",
        desktop.precision(),
        o.precision(),
        desktop.recall(),
        o.recall()
    );
    assert!(
        desktop.precision() > o.precision(),
        "desktop precision {:.3} above ouibounce's {:.3}",
        desktop.precision(),
        o.precision()
    );
    assert!(
        desktop.recall() >= o.recall() - 0.05,
        "desktop recall {:.3} at most 0.05 below ouibounce's {:.3}",
        desktop.recall(),
        o.recall()
    );
    // Phones: reported against a plain idle timer, and above it on precision.
    let phone = at(&ours, "phone");
    let timer = at(&idle, "phone");
    assert!(
        phone.precision() > timer.precision(),
        "phone precision {:.3} vs the idle timer's {:.3}",
        phone.precision(),
        timer.precision()
    );
}

#[test]
fn every_trace_is_labelled_and_well_formed() {
    let mut seen = std::collections::HashSet::new();
    for name in [
        "desktop.json",
        "phone.json",
        "heldout-desktop.json",
        "heldout-phone.json",
        "recorded.json",
    ] {
        for t in traces(name) {
            assert!(seen.insert(t.id.clone()), "duplicate id {}", t.id);
            assert!(
                matches!(t.samples.first(), Some(Sample::Land { .. })),
                "{} starts with a landing",
                t.id
            );
            assert!(
                t.exit == (t.intent_at != Millis::MAX),
                "{}: an exit has an intent time, a non-exit none",
                t.id
            );
            assert!(
                t.samples.iter().all(|s| s.at() <= t.end),
                "{}: samples before the end",
                t.id
            );
        }
    }
}

/// How the defaults were chosen: coordinate descent over a grid of each tunable, on the tuning
/// corpus only (`desktop.json`, `phone.json`, all seeds; never the held-out set). Desktops: the
/// most recall with precision of at least 0.97; phones: the best F1.
/// `cargo test --release --test exit_corpus tune -- --ignored --nocapture` prints the path
/// and the result (the defaults in src/exit/settings.rs come from it; see its README).
#[test]
#[ignore]
fn tune_on_the_tuning_corpus() {
    use trailmark::exit::{DeviceSettings, Idle, PointerTop, ScrollUp, TabReturn};
    let mut all = traces("desktop.json");
    all.extend(traces("phone.json"));
    let tuning: Vec<&Trace> = all.iter().collect();
    type Knob = (
        &'static str,
        &'static [u32],
        fn(&mut DeviceSettings, u32),
        fn(&DeviceSettings) -> u32,
    );
    macro_rules! knob {
        ($name:expr, $values:expr, $sig:ident . $field:ident) => {
            (
                $name,
                &$values,
                |d: &mut DeviceSettings, v| {
                    if let Some(s) = d.$sig.as_mut() {
                        s.$field = v;
                    }
                },
                |d: &DeviceSettings| d.$sig.map_or(0, |s| s.$field),
            )
        };
    }
    let desktop_knobs: Vec<Knob> = vec![
        (
            "armMs",
            &[500, 1000, 1500, 2000],
            |d, v| d.arm_ms = v,
            |d| d.arm_ms,
        ),
        knob!("edgePx", [0, 10, 20, 40], pointer_top.edge_px),
        knob!(
            "minSpeed",
            [0, 25, 50, 100, 200, 300, 400, 600, 800],
            pointer_top.min_speed
        ),
        knob!(
            "graceMs",
            [100, 200, 300, 400, 500, 600, 700, 800, 1000, 1200, 1500, 2000],
            pointer_top.grace_ms
        ),
        knob!(
            "afterInteractionMs",
            [0, 300, 400, 500, 600, 800, 1000, 1500],
            pointer_top.after_interaction_ms
        ),
        knob!(
            "afterEntryMs",
            [0, 500, 1000, 2000],
            pointer_top.after_entry_ms
        ),
        knob!("typingMs", [0, 1000, 2000, 3000], pointer_top.typing_ms),
    ];
    let phone_knobs: Vec<Knob> = vec![
        (
            "armMs",
            &[1000, 2000, 3000, 5000],
            |d, v| d.arm_ms = v,
            |d| d.arm_ms,
        ),
        knob!(
            "minDepthPercent",
            [10, 20, 30, 40, 50],
            scroll_up.min_depth_percent
        ),
        knob!(
            "minPx",
            [100, 200, 300, 400, 500, 600, 800, 1000],
            scroll_up.min_px
        ),
        knob!(
            "minSpeed",
            [200, 300, 400, 500, 800, 1200, 1600, 2000, 2500, 3000],
            scroll_up.min_speed
        ),
        knob!(
            "settleMs",
            [100, 200, 300, 500, 800, 1200, 1600, 2000],
            scroll_up.settle_ms
        ),
        knob!(
            "minHiddenMs",
            [2000, 3000, 4000, 5000, 6000, 8000],
            tab_return.min_hidden_ms
        ),
        knob!(
            "idle.ms",
            [10_000, 15_000, 20_000, 25_000, 30_000, 40_000, 50_000, 60_000],
            idle.ms
        ),
        knob!(
            "idle.minDepthPercent",
            [0, 10, 25, 40, 60],
            idle.min_depth_percent
        ),
    ];
    let _ = (
        PointerTop::default(),
        ScrollUp::default(),
        TabReturn::default(),
        Idle::default(),
    );
    for (device, knobs) in [("desktop", desktop_knobs), ("phone", phone_knobs)] {
        let set: Vec<&Trace> = tuning
            .iter()
            .copied()
            .filter(|t| t.device == device)
            .collect();
        let measure = |d: DeviceSettings| {
            let settings = ExitSettings {
                desktop: d,
                phone: d,
            };
            let s = score(&set, &|t: &Trace| {
                replay(settings, &t.samples, t.end).map(|d| (d.signal.as_str(), d.at))
            })[&(device.to_owned(), "all".to_owned())];
            let (p, r) = (s.precision(), s.recall());
            let p = if p.is_nan() { 0.0 } else { p };
            let objective = if device == "desktop" {
                if p >= 0.97 {
                    r + 0.01 * p
                } else {
                    p - 1.0
                }
            } else if p + r > 0.0 {
                2.0 * p * r / (p + r)
            } else {
                0.0
            };
            (objective, p, r)
        };
        let mut best = if device == "desktop" {
            DeviceSettings::desktop()
        } else {
            DeviceSettings::phone()
        };
        let mut best_score = measure(best);
        println!("{device}: start {best_score:?}");
        for round in 0..4 {
            let before = best_score.0;
            for (name, values, set_to, get) in &knobs {
                for &v in values.iter() {
                    let mut c = best;
                    set_to(&mut c, v);
                    let s = measure(c);
                    if s.0 > best_score.0 + 1e-9 {
                        println!("  round {round}: {name} {} -> {v}: {s:?}", get(&best));
                        best = c;
                        best_score = s;
                    }
                }
            }
            if best_score.0 <= before + 1e-9 {
                break;
            }
        }
        // Then each knob back toward its starting value wherever that costs nothing: the data
        // moves a default only where it has a reason to.
        let start = if device == "desktop" {
            DeviceSettings::desktop()
        } else {
            DeviceSettings::phone()
        };
        for (name, values, set_to, get) in &knobs {
            let from = get(&start);
            let mut by_closeness: Vec<u32> = values.to_vec();
            by_closeness.push(from);
            by_closeness.sort_by_key(|v| v.abs_diff(from));
            for v in by_closeness {
                if v.abs_diff(from) >= get(&best).abs_diff(from) {
                    break;
                }
                let mut c = best;
                set_to(&mut c, v);
                let s = measure(c);
                if s.0 >= best_score.0 - 1e-9 {
                    println!("  back: {name} {} -> {v}: {s:?}", get(&best));
                    best = c;
                    best_score = s;
                    break;
                }
            }
        }
        println!("{device}: best {best_score:?}\n{best:#?}");
    }
}
