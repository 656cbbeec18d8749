//! The loop that records queued calls, tells the runtime when decisions changed, then drains
//! the inbox, sends what is due, writes storage in batches and sets the next wake-up. Every
//! entry point that changes something ends with it, and the module's one timer runs it.

use std::rc::Rc;

use super::consent_store::store_consent;
use super::guard::Entry;
use super::ids::sync_ids;
use super::shell::{restore_queue_once, Input, Shared};
use super::{console, now, page, queue, random, transport, visitor};
use crate::time::Millis;

/// Records the queued calls, decides when a decision may have changed, then drains the inbox,
/// sends whatever is due, writes storage and sets the next wake-up.
/// Needs the caller's [`Entry`]: only one call is ever inside the module.
pub(super) fn pump(shared: &Rc<Shared>, _entry: &Entry) {
    let Ok(mut t) = shared.tracker.try_borrow_mut() else {
        return; // the call already inside the tracker drains the inbox when it returns
    };
    shared.record_calls(&mut t);
    // A consent choice and what it does to the stored ids are written at once, never left
    // for later: a page may close right after the shopper chose.
    store_consent(&mut t);
    sync_ids(shared, &t);
    // Time alone can move a journey ("no checkout within 30 minutes"): check when due, and
    // show what the move changes.
    let at = now();
    if t.journeys_wake().is_some_and(|w| at >= w) {
        let page = page::current_page(&t.config().redact_params);
        if t.check_journeys(&page, at) > 0 {
            shared.decisions_dirty.set(true);
        }
    }
    // What the shopper does on the page: exit intent's grace periods and idle timer, and the
    // once-a-second decision of rules that read time on the page.
    if t.watch_wake().is_some_and(|w| at >= w) {
        let page = page::current_page(&t.config().redact_params);
        if t.watch_tick(&page, at) {
            shared.decisions_dirty.set(true);
        }
    }
    // The events' decision (see `Shared::record_calls`), when due.
    if shared.decide_at.get().is_some_and(|due| at >= due) {
        shared.decisions_dirty.set(true);
    }
    drop(t);
    // The page's slots wait for the decision; the bookkeeping below (the queue the last page
    // left, batched storage writes, requests) does not. When the renderer got new decisions, the
    // bookkeeping runs in the next task: a page's first decision and its rendering were one
    // long task with it, much of it compiling the bookkeeping's code on its first call.
    if shared.announce_decisions() {
        schedule(shared, Some(at));
        return;
    }
    let Ok(mut t) = shared.tracker.try_borrow_mut() else {
        return;
    };
    restore_queue_once(shared, &mut t);
    loop {
        let input = {
            let mut inbox = shared.inbox.borrow_mut();
            (!inbox.is_empty()).then(|| inbox.remove(0))
        };
        match input {
            Some(Input::Settled { id, outcome }) => {
                let refused = t.rejected();
                t.complete(id, outcome, now(), random::unit());
                // A 4xx, or a 413 for a single event: the collector will never take these.
                if t.rejected() > refused {
                    console::error(
                        "the collector refused events (4xx, or one event too large); they were dropped",
                    );
                }
            }
            None => break,
        }
    }
    if let (Some(url), Some(req)) = (t.collector_url().map(str::to_owned), t.poll(now())) {
        let (gzip, headers) = t
            .config()
            .collector
            .as_ref()
            .map_or((false, String::new()), |c| {
                (c.gzip, header_lines(&c.headers))
            });
        // The outcome comes back through the module's callback (`Shared::on_wake`).
        transport::send(
            &url,
            &req.body,
            gzip,
            &headers,
            req.id,
            &shared.on_wake_safe,
        );
    }
    let mut wake = t.next_wake();
    // The events' decision, if not due yet: a wake-up for it.
    if let Some(due) = shared.decide_at.get() {
        wake = Some(wake.map_or(due, |w| w.min(due)));
    }
    // The queue goes to storage in batches: at most once a second, never per event.
    let due = shared.persisted_at.get() + queue::PERSIST_EVERY_MS;
    if t.queue_dirty() || t.visitor_dirty() {
        let at = now();
        if at >= due || shared.persist_now.take() {
            queue::persist(&mut t, &shared.queue_key);
            visitor::persist(&mut t);
            shared.persisted_at.set(at);
        } else {
            wake = Some(wake.map_or(due, |w| w.min(due)));
        }
    }
    drop(t);
    schedule(shared, wake);
}

/// Configured headers as `name\nvalue\n...` for the fetch helper (see `fetch.rs`).
fn header_lines(headers: &[(String, String)]) -> String {
    let mut out = String::new();
    for (name, value) in headers {
        out.push_str(name);
        out.push('\n');
        out.push_str(value);
        out.push('\n');
    }
    out
}

/// Runs `pump` right after the current call into the page's JavaScript returns (a microtask):
/// the calls queued meanwhile are recorded together, off the caller's path, before the browser
/// renders or runs any other task. Once however many calls ask.
pub(super) fn soon(shared: &Shared) {
    if !shared.pump_queued.replace(true) {
        // Called with -1: the microtask (see `Shared::on_wake`).
        super::fetch::soon(&shared.on_wake_safe, "calls");
    }
}

/// Makes sure a timeout fires at `at` (or keeps an earlier one).
pub(super) fn schedule(shared: &Shared, at: Option<Millis>) {
    let Some(at) = at else {
        return;
    };
    let window = super::global::window();
    if let Some((handle, pending)) = shared.timer.get() {
        if pending <= at {
            return;
        }
        window.clear_timeout_with_handle(handle);
    }
    let delay = (at - now()).clamp(0, i32::MAX as Millis) as i32;
    // Called with -2: the timeout (see `Shared::on_wake`).
    if let Ok(handle) = window.set_timeout_with_callback_and_timeout_and_arguments_3(
        &shared.on_wake_safe,
        delay,
        &(-2.0).into(),
        &0.0.into(),
        &(-1.0).into(),
    ) {
        shared.timer.set(Some((handle, at)));
    }
}
