//! Random operation sequences against the outbox, checked against a model of the collector.
//!
//! Each sequence runs 50-300 operations drawn by a seeded xorshift generator: push (urgent or
//! not, varied sizes, some larger than a whole batch or the whole queue), poll, complete with
//! every outcome (and stale ids), advance time, reload (snapshot, a new outbox, a few new events,
//! restore), drain for unload, take the drop report. Then the collector comes back and
//! everything left is delivered.
//!
//! The collector dedupes on `messageId`. An event's fate is *known* when a 2xx (or a beacon)
//! carried it: it is *delivered*. A request's outcome is *unknown* when it ended in a retryable
//! outcome (the collector may have stored it before the connection failed) or was in flight
//! when the page reloaded or was drained for unload; the model lets such a request arrive or
//! not, at random. The properties:
//!
//! * **nothing lost, nothing counted twice**: every pushed event ends either delivered or in
//!   exactly one drop count (dropped, rejected, expired); never both. Per operation, the events
//!   that left the queue without a 2xx or beacon match the change of the counters exactly.
//! * **no duplicates beyond unknown outcomes**: a body never carries a delivered or dropped
//!   event; an event arrives twice only if a request carrying it had an unknown outcome.
//! * **per-class order**: first arrivals of urgent events follow push order, and so do those of
//!   the other events.
//! * **sizes**: a request body exceeds `max_batch_bytes` only when it carries one event; beacons
//!   fit their chunk and all of them the budget.
//! * **caps** (`max_events`, `max_bytes`) hold after every operation, and the byte count matches.
//! * **generation**: whenever the snapshot changes, the generation does.
//! * **reports**: the drop reports taken add up to every drop counted, across reloads.
//!
//! `OUTBOX_SEED` and `OUTBOX_SEQUENCES` override the seed and the number of sequences; a failing
//! sequence prints both. `cargo test --test outbox_properties -- --nocapture` shows the tally.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeSet, HashSet};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use trailmark::config::WireFormat;
use trailmark::outbox::{DropReport, Frame, Outbox, Outcome, Policy, Request};
use trailmark::Value;

/// xorshift64*: tiny, seedable, good enough to pick operations.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[derive(Default)]
struct Tally {
    sequences: u64,
    operations: u64,
    pushed: u64,
    delivered: u64,
    dropped: u64,
    rejected: u64,
    expired: u64,
    too_large: u64,
    retries: u64,
    reloads: u64,
    drains: u64,
    duplicate_arrivals: u64,
}

/// The collector and the bookkeeping of one sequence.
struct Model {
    rng: Rng,
    policy: Policy,
    frame: Frame,
    outbox: Outbox,
    now: i64,
    next_n: u32,
    urgent_of: Vec<bool>,
    len_of: Vec<usize>,
    /// The outbox's snapshot after the last operation.
    snapshot: String,
    /// The request the shell is waiting on, and the events it carries.
    pending: Option<(Request, Vec<u32>)>,
    arrived: HashSet<u32>,
    first_arrivals: [Vec<u32>; 2],
    delivered: HashSet<u32>,
    unknown: HashSet<u32>,
    lost: HashSet<u32>,
    /// Lifetime drop counts of outboxes discarded by reloads.
    counted_before: [u64; 3],
    reports: DropReport,
}

/// The events held, in snapshot (sending) order, read from the snapshot text. Test events
/// hold no quotes or backslashes besides their own, so a scan for the escaped id prefix finds
/// exactly one match per event (the reload operation parses whole snapshots as JSON).
fn held_ids(snapshot: &str) -> Vec<u32> {
    const MARK: &str = r#"{\"messageId\":\"m"#;
    let mut ids = Vec::new();
    let mut rest = snapshot;
    while let Some(at) = rest.find(MARK) {
        rest = &rest[at + MARK.len()..];
        let end = rest.find('\\').unwrap();
        ids.push(rest[..end].parse().unwrap());
    }
    ids
}

fn body_ids(body: &str) -> Vec<u32> {
    let v: serde_json::Value = serde_json::from_str(body).expect("bodies are JSON");
    v["batch"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["messageId"].as_str().unwrap()[1..].parse().unwrap())
        .collect()
}

fn lifetime(o: &Outbox) -> [u64; 3] {
    [o.dropped(), o.rejected(), o.expired()]
}

impl Model {
    fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let policy = Policy {
            flush_at: rng.range(1, 10) as usize,
            flush_interval_ms: rng.range(0, 3000) as i64,
            max_batch_bytes: rng.range(200, 1200) as usize,
            max_events: rng.range(3, 40) as usize,
            max_bytes: rng.range(300, 3000) as usize,
            backoff_base_ms: rng.range(50, 1000) as i64,
            backoff_cap_ms: rng.range(1000, 20_000) as i64,
            give_up_ms: rng.range(2000, 60_000) as i64,
        };
        let write_key = rng.chance(50).then(|| "pk_test".to_owned());
        Model {
            rng,
            outbox: Outbox::new(policy.clone()),
            policy,
            frame: Frame {
                format: WireFormat::Segment,
                write_key,
            },
            now: 1_795_461_721_000,
            next_n: 0,
            urgent_of: Vec::new(),
            len_of: Vec::new(),
            snapshot: String::new(),
            pending: None,
            arrived: HashSet::new(),
            first_arrivals: [Vec::new(), Vec::new()],
            delivered: HashSet::new(),
            unknown: HashSet::new(),
            lost: HashSet::new(),
            counted_before: [0; 3],
            reports: DropReport::default(),
        }
    }

    fn new_event(&mut self) -> (String, bool) {
        let n = self.next_n;
        self.next_n += 1;
        let urgent = self.rng.chance(25);
        self.urgent_of.push(urgent);
        let pad = if self.rng.chance(3) {
            self.rng.range(1000, 4000)
        } else {
            self.rng.range(0, 120)
        } as usize;
        let json = format!(
            r#"{{"messageId":"m{n}","seq":{n},"pad":"{}"}}"#,
            "x".repeat(pad)
        );
        self.len_of.push(json.len());
        (json, urgent)
    }

    /// The collector receives `ids`. A second arrival is only possible after an unknown outcome.
    fn arrive(&mut self, ids: &[u32], tally: &mut Tally) {
        for &id in ids {
            if !self.arrived.insert(id) {
                assert!(self.unknown.contains(&id), "m{id} arrived twice");
                tally.duplicate_arrivals += 1;
                continue;
            }
            let class = usize::from(self.urgent_of[id as usize]);
            if let Some(&last) = self.first_arrivals[class].last() {
                assert!(last < id, "class order: m{id} arrived after m{last}");
            }
            self.first_arrivals[class].push(id);
        }
    }

    /// A body is about to go out: it carries only held events, once each, none known delivered.
    fn check_body(&self, ids: &[u32], held: &[u32]) {
        let unique: HashSet<u32> = ids.iter().copied().collect();
        assert_eq!(unique.len(), ids.len(), "an event twice in one body");
        for id in ids {
            assert!(!self.delivered.contains(id), "m{id} resent after a 2xx");
            assert!(!self.lost.contains(id), "m{id} sent after being dropped");
            assert!(held.contains(id), "m{id} sent but not held");
        }
    }

    /// The request in flight will never be completed (reload, unload): it may have arrived.
    fn abandon_flight(&mut self, tally: &mut Tally) {
        if let Some((_, ids)) = self.pending.take() {
            self.unknown.extend(ids.iter().copied());
            if self.rng.chance(50) {
                self.arrive(&ids, tally);
            }
        }
    }

    fn step(&mut self, tally: &mut Tally) {
        if self.snapshot.is_empty() {
            self.snapshot = self.outbox.snapshot();
        }
        let snap_before = std::mem::take(&mut self.snapshot);
        let held_before = held_ids(&snap_before);
        let gen_before = self.outbox.generation();
        let counts_before = lifetime(&self.outbox);
        let mut pushed: Vec<u32> = Vec::new();
        let mut delivered_now: Vec<u32> = Vec::new();
        let mut rejected_now: Vec<u32> = Vec::new();
        let mut reloaded = false;

        let roll = self.rng.range(0, 99);
        match roll {
            0..=34 => {
                let (json, urgent) = self.new_event();
                pushed.push(self.next_n - 1);
                self.outbox.push(json, urgent, self.now);
            }
            35..=54 => {
                let req = self.outbox.poll(self.now, &self.frame);
                if self.pending.is_some() {
                    assert!(req.is_none(), "two requests in flight");
                }
                if let Some(req) = req {
                    let ids = body_ids(&req.body);
                    assert_eq!(ids.len(), req.events);
                    assert!(req.events >= 1);
                    assert!(
                        req.body.len() <= self.policy.max_batch_bytes || req.events == 1,
                        "body of {} bytes",
                        req.body.len()
                    );
                    self.check_body(&ids, &held_before);
                    self.pending = Some((req, ids));
                }
            }
            55..=74 => {
                if self.rng.chance(5) {
                    // A stale or unknown id changes nothing.
                    let id = self.pending.as_ref().map_or(0, |(r, _)| r.id) + 1000;
                    self.outbox
                        .complete(id, Outcome::Delivered, self.now, self.rng.unit());
                } else if let Some((req, ids)) = self.pending.take() {
                    let outcome = match self.rng.range(0, 99) {
                        0..=49 => Outcome::Delivered,
                        50..=79 => Outcome::Retry {
                            after_ms: self.rng.chance(30).then(|| self.rng.range(0, 5000) as i64),
                        },
                        80..=92 => Outcome::TooLarge,
                        _ => Outcome::Rejected,
                    };
                    match outcome {
                        Outcome::Delivered => {
                            self.arrive(&ids, tally);
                            self.delivered.extend(ids.iter().copied());
                            delivered_now = ids.clone();
                        }
                        Outcome::Retry { .. } => {
                            tally.retries += 1;
                            self.unknown.extend(ids.iter().copied());
                            if self.rng.chance(30) {
                                self.arrive(&ids, tally);
                            }
                        }
                        Outcome::TooLarge => {
                            tally.too_large += 1;
                            if ids.len() == 1 {
                                rejected_now = ids.clone();
                            }
                        }
                        Outcome::Rejected => rejected_now = ids.clone(),
                    }
                    self.outbox
                        .complete(req.id, outcome, self.now, self.rng.unit());
                }
            }
            75..=88 => {
                self.now += match self.rng.range(0, 9) {
                    0..=5 => self.rng.range(1, 500),
                    6..=8 => self.rng.range(500, 5000),
                    _ => self
                        .rng
                        .range(5000, 5000 + 2 * self.policy.give_up_ms as u64),
                } as i64;
            }
            89..=92 => {
                // The page reloads: the snapshot is all that survives.
                tally.reloads += 1;
                reloaded = true;
                let snap = Value::parse_json(&self.outbox.snapshot()).unwrap();
                let old = lifetime(&self.outbox);
                for (total, n) in self.counted_before.iter_mut().zip(old) {
                    *total += n;
                }
                self.abandon_flight(tally);
                self.outbox = Outbox::new(self.policy.clone());
                // The new page may record events before storage is read.
                for _ in 0..self.rng.range(0, 2) {
                    let (json, urgent) = self.new_event();
                    pushed.push(self.next_n - 1);
                    self.outbox.push(json, urgent, self.now);
                }
                self.outbox.restore(&snap, self.now).expect("own snapshot");
            }
            93..=95 => {
                tally.drains += 1;
                let chunk = self.rng.range(150, 1000) as usize;
                let budget = self.rng.range(chunk as u64, 3000) as usize;
                let bodies = self
                    .outbox
                    .drain_for_unload(chunk, budget, &self.frame, self.now);
                self.abandon_flight(tally);
                let total: usize = bodies.iter().map(String::len).sum();
                assert!(total <= budget, "beacons of {total} bytes");
                for body in &bodies {
                    assert!(body.len() <= chunk, "beacon of {} bytes", body.len());
                    let ids = body_ids(body);
                    assert!(!ids.is_empty());
                    self.check_body(&ids, &held_before);
                    self.arrive(&ids, tally);
                    self.delivered.extend(ids.iter().copied());
                    delivered_now.extend(ids);
                }
            }
            _ => {
                if let Some(r) = self.outbox.take_drop_report() {
                    assert!(!r.is_empty());
                    self.reports.dropped += r.dropped;
                    self.reports.rejected += r.rejected;
                    self.reports.expired += r.expired;
                }
            }
        }

        // Accounting: what left the queue is exactly what was delivered, rejected, or counted.
        self.snapshot = self.outbox.snapshot();
        let held_after = held_ids(&self.snapshot);
        let bytes_after: usize = held_after.iter().map(|&id| self.len_of[id as usize]).sum();
        assert!(held_after.len() <= self.policy.max_events, "max_events");
        assert!(bytes_after <= self.policy.max_bytes, "max_bytes");
        assert_eq!(self.outbox.len(), held_after.len());
        assert_eq!(self.outbox.bytes(), bytes_after);
        let counts_after = lifetime(&self.outbox);
        let delta: Vec<u64> = if reloaded {
            counts_after.to_vec() // a fresh outbox: everything it counted happened now
        } else {
            (0..3).map(|i| counts_after[i] - counts_before[i]).collect()
        };
        let after: BTreeSet<u32> = held_after.iter().copied().collect();
        let before: BTreeSet<u32> = held_before.iter().chain(&pushed).copied().collect();
        assert!(after.is_subset(&before), "events appeared from nowhere");
        let removed: BTreeSet<u32> = before.difference(&after).copied().collect();
        for id in delivered_now.iter().chain(&rejected_now) {
            assert!(removed.contains(id), "m{id} settled but still held");
        }
        assert_eq!(delta[1], rejected_now.len() as u64, "rejected count");
        let unexplained: Vec<u32> = removed
            .iter()
            .filter(|id| !delivered_now.contains(id) && !rejected_now.contains(id))
            .copied()
            .collect();
        assert_eq!(
            delta[0] + delta[2],
            unexplained.len() as u64,
            "dropped + expired count vs events gone"
        );
        for id in unexplained.iter().chain(&rejected_now) {
            assert!(!self.delivered.contains(id), "m{id} delivered and counted");
            assert!(self.lost.insert(*id), "m{id} counted twice");
        }
        tally.dropped += delta[0];
        tally.rejected += delta[1];
        tally.expired += delta[2];
        if !reloaded && self.snapshot != snap_before {
            assert_ne!(
                self.outbox.generation(),
                gen_before,
                "snapshot changed silently"
            );
        }
    }

    /// The collector is healthy again: everything left must go out.
    fn settle(&mut self, tally: &mut Tally) {
        for _ in 0..100_000 {
            if let Some((req, ids)) = self.pending.take() {
                self.check_body(&ids, &held_ids(&self.outbox.snapshot()));
                self.arrive(&ids, tally);
                self.delivered.extend(ids.iter().copied());
                self.outbox
                    .complete(req.id, Outcome::Delivered, self.now, 0.5);
                continue;
            }
            if self.outbox.is_empty() {
                return;
            }
            let before = lifetime(&self.outbox);
            let held = held_ids(&self.outbox.snapshot());
            match self.outbox.poll(self.now, &self.frame) {
                Some(req) => {
                    let ids = body_ids(&req.body);
                    self.pending = Some((req, ids));
                }
                None => match self.outbox.next_wake() {
                    // Nothing due now means a wake-up later, never a stall.
                    Some(wake) => {
                        assert!(
                            wake > self.now,
                            "poll refused at {} but wake {wake}",
                            self.now
                        );
                        self.now = wake;
                    }
                    None => assert!(self.outbox.is_empty(), "events wait with no wake-up"),
                },
            }
            // Expiry may still strike at the first poll after the outage.
            let after = lifetime(&self.outbox);
            let now_held = held_ids(&self.outbox.snapshot());
            let gone: Vec<u32> = held
                .iter()
                .filter(|id| !now_held.contains(id))
                .copied()
                .collect();
            assert_eq!(after[2] - before[2], gone.len() as u64);
            tally.expired += after[2] - before[2];
            for id in gone {
                assert!(self.lost.insert(id), "m{id} counted twice");
            }
        }
        panic!("the outbox did not empty against a healthy collector");
    }

    fn finish(&mut self, tally: &mut Tally) {
        self.settle(tally);
        for n in 0..self.next_n {
            let delivered = self.delivered.contains(&n);
            let lost = self.lost.contains(&n);
            assert!(
                delivered != lost,
                "m{n}: delivered {delivered}, counted {lost}"
            );
            if delivered {
                assert!(self.arrived.contains(&n));
            }
        }
        for id in &self.arrived {
            assert!(
                self.delivered.contains(id) || self.unknown.contains(id),
                "m{id} arrived without a 2xx or an unknown outcome"
            );
        }
        if let Some(r) = self.outbox.take_drop_report() {
            self.reports.dropped += r.dropped;
            self.reports.rejected += r.rejected;
            self.reports.expired += r.expired;
        }
        let last = lifetime(&self.outbox);
        let counted: Vec<u64> = (0..3).map(|i| self.counted_before[i] + last[i]).collect();
        assert_eq!(
            vec![
                self.reports.dropped,
                self.reports.rejected,
                self.reports.expired
            ],
            counted,
            "reports add up to every drop counted"
        );
        assert_eq!(counted.iter().sum::<u64>(), self.lost.len() as u64);
        tally.pushed += u64::from(self.next_n);
        tally.delivered += self.delivered.len() as u64;
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[test]
fn random_operation_sequences_keep_every_promise() {
    let seed = env_u64("OUTBOX_SEED").unwrap_or(0x7a11_3a4b);
    let sequences = env_u64("OUTBOX_SEQUENCES").unwrap_or(5000);
    let mut tally = Tally::default();
    let mut picker = Rng::new(seed);
    for i in 0..sequences {
        let sequence_seed = picker.next();
        let result = catch_unwind(AssertUnwindSafe(|| {
            let mut model = Model::new(sequence_seed);
            let ops = model.rng.range(50, 300);
            for _ in 0..ops {
                model.step(&mut tally);
            }
            model.finish(&mut tally);
            ops
        }));
        match result {
            Ok(ops) => {
                tally.sequences += 1;
                tally.operations += ops;
            }
            Err(e) => {
                eprintln!("failed: OUTBOX_SEED={seed} sequence {i} (its seed {sequence_seed})");
                resume_unwind(e);
            }
        }
    }
    println!(
        "outbox properties: {} sequences, {} operations; {} events pushed, {} delivered, \
         {} dropped, {} rejected, {} expired; {} retries, {} 413s, {} reloads, {} drains, \
         {} duplicate arrivals after unknown outcomes",
        tally.sequences,
        tally.operations,
        tally.pushed,
        tally.delivered,
        tally.dropped,
        tally.rejected,
        tally.expired,
        tally.retries,
        tally.too_large,
        tally.reloads,
        tally.drains,
        tally.duplicate_arrivals
    );
    assert_eq!(tally.sequences, sequences);
    // The sequences must exercise what they claim to.
    for (what, n) in [
        ("dropped", tally.dropped),
        ("rejected", tally.rejected),
        ("expired", tally.expired),
        ("413s", tally.too_large),
        ("reloads", tally.reloads),
        ("duplicates", tally.duplicate_arrivals),
    ] {
        assert!(
            n > 0 || sequences < 100,
            "no {what} in {sequences} sequences"
        );
    }
}
