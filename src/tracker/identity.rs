//! Who the visitor is: `identify`, `reset`, and the visitor record shared with other tabs.

use super::{Call, Page, Tracker};
use crate::event::Kind;
use crate::time::Millis;
use crate::value::{Map, Value};

impl Tracker {
    /// Records an `identify` call: from now on events carry `user_id` (it is kept in the
    /// visitor record, so later pages and other tabs know it too).
    pub fn identify(
        &mut self,
        user_id: &str,
        traits: Map,
        page: &Page,
        message_id: String,
        now: Millis,
    ) {
        let mut call = Call::new(Kind::Identify, Some(user_id.to_owned()), Map::new());
        call.traits = Some(traits);
        self.record(call, page, message_id, now);
    }

    /// Forgets the visitor: events already recorded keep the identity they were recorded under
    /// and are delivered as usual; from now on events carry `anonymous_id` (fresh), no user id,
    /// and a new session, and the profile starts empty.
    pub fn reset(&mut self, anonymous_id: String, now: Millis) {
        self.tick(now);
        self.identity.anonymous_id = anonymous_id;
        self.visitor.reset(now);
        self.sync_assignment_key(now);
    }

    /// A new page load of the tab without a new tracker (a page restored from the
    /// back/forward cache): events are numbered from `seq_base` on, as on a fresh load.
    pub fn new_page_load(&mut self, seq_base: u64) {
        self.seq = self.seq.max(seq_base);
        self.visitor.renumber(seq_base);
    }

    /// Replaces the anonymous id (another tab reset the visitor and chose a new one).
    pub fn set_anonymous_id(&mut self, anonymous_id: String) {
        self.identity.anonymous_id = anonymous_id;
        // The reset forgot the assignment key with the rest: a new one at once, not at the next
        // page view (a single-page app may not have one soon).
        self.sync_assignment_key(self.clock);
    }

    /// Merges the visitor record stored by another tab or an earlier page (the value
    /// `JSON.parse` made of it). Returns false when it is unreadable: the shell removes it and
    /// this tab's own record replaces it on the next write.
    pub fn merge_visitor(&mut self, stored: &Value) -> bool {
        let merged = self.visitor.merge(&self.identity.tab_id, stored);
        if !merged {
            self.visitor.mark_dirty();
        }
        merged
    }

    /// The visitor record to write to storage, if it changed and consent allows storing it:
    /// with the profile while personalization is granted, the session and ids alone while only
    /// analytics is, nothing otherwise (it then lives in memory).
    pub fn take_visitor_to_store(&mut self) -> Option<String> {
        let with_profile = self.effects.store_profile;
        if !self.visitor.is_dirty() || !(with_profile || self.effects.persist_queue) {
            return None;
        }
        Some(self.visitor.take_record(with_profile, self.float))
    }

    /// Whether the visitor record changed since it was last handed out for storage.
    pub fn visitor_dirty(&self) -> bool {
        self.visitor.is_dirty() && (self.effects.store_profile || self.effects.persist_queue)
    }

    /// Storage refused the last visitor record: it is written again on the next occasion.
    pub fn visitor_write_failed(&mut self) {
        self.visitor.mark_dirty();
    }
}
