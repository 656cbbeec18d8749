//! Sessions: 30 minutes of inactivity end one, none lasts more than 24 hours, and landing with a
//! new campaign starts a new one (Segment, Amplitude, Snowplow and PostHog agree on these).
//!
//! A session's id is the time it started, in milliseconds (as Amplitude's and Segment's
//! `sessionId`): two tabs that both decide a session started at the same instant agree on it,
//! and replaying an event during a cross-tab merge (see `sync.rs`) gives the same answer.

use crate::time::Millis;
use crate::value::Map;

/// Inactivity that ends a session.
pub const IDLE_MS: Millis = 30 * 60 * 1000;
/// Longest session.
pub const MAX_MS: Millis = 24 * 60 * 60 * 1000;

/// The visitor's current session (shared by the tabs of the origin).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Session {
    /// When it started (also its id); 0 before the first event.
    pub id: Millis,
    /// The latest event in it.
    pub last: Millis,
    /// The campaign it was started by, if any.
    pub campaign: Option<Map>,
    /// The referrer of its landing page.
    pub referrer: String,
    /// Page views in it.
    pub page_views: u32,
    /// Events in it (page views included).
    pub events: u32,
}

impl Session {
    /// Whether an event at `now`, on a page carrying `campaign`, starts a new session.
    pub fn starts_new(&self, now: Millis, campaign: Option<&Map>) -> bool {
        self.id == 0
            || now.saturating_sub(self.last) > IDLE_MS
            || now.saturating_sub(self.id) >= MAX_MS
            || campaign.is_some_and(|c| self.campaign.as_ref() != Some(c))
    }

    /// Starts a new session at `now`.
    pub fn restart(&mut self, now: Millis, campaign: Option<Map>, referrer: &str) {
        *self = Session {
            id: now,
            last: now,
            campaign,
            referrer: referrer.to_owned(),
            page_views: 0,
            events: 0,
        };
    }
}
