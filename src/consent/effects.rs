//! The consent matrix: what each state allows.

use super::State;

/// What the current consent allows. Each field depends on one category only:
///
/// | category | state | effects |
/// |---|---|---|
/// | analytics | `granted` | `send_events`, `persist_queue`: events are queued (durably, once the queue persists) and sent |
/// | analytics | `pending` | `hold_in_memory`: events are kept in memory only, never persisted, and go to the queue in order once analytics is granted |
/// | analytics | `denied` | `discard_events`: new events are discarded; events held in memory or queued are dropped at the moment of denial |
/// | personalization | `granted` | `run_rules`, `render`, `use_profile`, `store_profile`, `open_dialogs`: rules run, slots and overlays render, dialogs open, the visitor profile is kept on the device |
/// | personalization | `pending` | `run_rules`, `render`, `use_profile`: rules run, slots and bars render (caps counted in memory), no dialog opens, the profile lives in memory only |
/// | personalization | `denied` | `erase_profile`: no rule runs, nothing renders (default content only, no overlays), nothing is stored, a stored profile and history are erased |
///
/// Always, whatever the states: the shopper's consent choice itself is stored (a denial must be
/// remembered, or the shopper would be asked again on every page).
///
/// Why no rule runs when personalization is denied, not even one keyed only on page attributes
/// (`page.path`): the shopper asked for "default content only, no overlays". A rule's block is
/// personalization by definition (it differs from what the page ships with), the site owner
/// cannot tell which rules would be "safe", and "nothing renders" is the only promise that is
/// simple to state and to audit in devtools.
///
/// `local_only` is the GPC/DNT mode: personalization runs on the device, no event leaves it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Effects {
    /// Events may leave the device (analytics granted).
    pub send_events: bool,
    /// Events are held in memory until analytics is decided (analytics pending).
    pub hold_in_memory: bool,
    /// Events are discarded, and anything held or queued is dropped (analytics denied).
    pub discard_events: bool,
    /// The delivery queue may be written to storage (analytics granted).
    pub persist_queue: bool,
    /// Rules are evaluated (personalization not denied).
    pub run_rules: bool,
    /// Slots and overlays are rendered (personalization not denied).
    pub render: bool,
    /// The visitor profile feeds rules (personalization not denied; in memory while pending).
    pub use_profile: bool,
    /// The visitor profile and history may be written to storage (personalization granted).
    pub store_profile: bool,
    /// A stored profile and history must be erased (personalization denied).
    pub erase_profile: bool,
    /// Dialogs may open (personalization granted: a dialog interrupts the shopper, which a
    /// pending choice does not allow).
    pub open_dialogs: bool,
    /// Personalization runs while no event leaves the device (analytics not granted,
    /// personalization not denied).
    pub local_only: bool,
}

impl Effects {
    /// The matrix: effects of `analytics` and `personalization` states.
    pub fn of(analytics: State, personalization: State) -> Effects {
        let personalize = personalization != State::Denied;
        Effects {
            send_events: analytics == State::Granted,
            hold_in_memory: analytics == State::Pending,
            discard_events: analytics == State::Denied,
            persist_queue: analytics == State::Granted,
            run_rules: personalize,
            render: personalize,
            use_profile: personalize,
            store_profile: personalization == State::Granted,
            erase_profile: personalization == State::Denied,
            open_dialogs: personalization == State::Granted,
            local_only: analytics != State::Granted && personalize,
        }
    }
}
