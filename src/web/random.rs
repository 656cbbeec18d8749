//! Random ids from `crypto.getRandomValues` (through getrandom).

/// A fresh version 4 UUID.
pub fn uuid() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No Web Crypto (very old or locked-down browsers): Math.random is not secure, but an
        // analytics id only needs to be unlikely to collide.
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    crate::ids::uuid_v4(bytes)
}

/// A number in `[0, 1)` for retry jitter.
pub fn unit() -> f64 {
    js_sys::Math::random()
}
