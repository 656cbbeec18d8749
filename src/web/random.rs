//! Random ids from `crypto.getRandomValues` (through getrandom).

use std::cell::RefCell;

/// How many ids' worth of random bytes one `getRandomValues` call fetches: each call crosses
/// into the browser (a typed array made, filled and copied in), and one per event was a
/// sixteenth of the event's deferred cost.
const IDS_PER_FILL: usize = 16;

thread_local! {
    /// Random bytes not used yet, and how many of the pool's ids are used.
    static POOL: RefCell<(usize, [[u8; 16]; IDS_PER_FILL])> =
        const { RefCell::new((IDS_PER_FILL, [[0; 16]; IDS_PER_FILL])) };
}

/// A fresh version 4 UUID.
pub fn uuid() -> String {
    let bytes = POOL.with_borrow_mut(|(used, pool)| {
        if *used >= IDS_PER_FILL {
            fill(pool.as_flattened_mut());
            *used = 0;
        }
        let bytes = pool[*used];
        *used += 1;
        bytes
    });
    crate::ids::uuid_v4(bytes)
}

fn fill(bytes: &mut [u8]) {
    if getrandom::fill(bytes).is_err() {
        // No Web Crypto (very old or locked-down browsers): Math.random is not secure, but an
        // analytics id only needs to be unlikely to collide.
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
}

/// A number in `[0, 1)` for retry jitter.
pub fn unit() -> f64 {
    js_sys::Math::random()
}
