//! Who may use the collect port's own pages and controls: the viewer, `/events.json` and
//! `/_control/*`. (`/v1/batch` is public by design and never comes here.)
//!
//! 1. **Same origin only.** A browser tells us where a request comes from: `Sec-Fetch-Site` (sent
//!    by current browsers on every request) and `Origin` (on every non-GET request). Anything but
//!    `same-origin` / `none` (typed into the address bar, opened from a terminal) and an `Origin`
//!    other than our own is refused with 403, so no other website can reset the store, inject
//!    faults or read events, whether or not a secret is configured. Non-browser clients (curl,
//!    tests) send neither header and pass.
//! 2. **A secret, when one is configured** (`--token`, else `--write-key`): either
//!    `Authorization: Basic base64(SECRET:)` (the write key's own scheme; a browser's sign-in
//!    prompt sends this when the secret is typed as the user name), `Authorization: Bearer
//!    SECRET`, or the session cookie. `GET /?token=SECRET` sets that cookie (HttpOnly,
//!    SameSite=Strict) and redirects to the same page without the token, so the URL a script
//!    prints opens the viewer and the secret does not stay in the address bar or history. The
//!    cookie holds a random per-process session value, not the secret: cookies are shared by
//!    every port of a host, so other local servers see it.

use crate::auth::{basic_user, same_secret};
use crate::http::Request;
use crate::http::Response;

/// The query parameter that opens a session.
pub const TOKEN_PARAM: &str = "token";

/// The access rules of one collect server.
pub struct Access {
    secret: Option<String>,
    session: String,
    cookie: String,
}

impl Access {
    /// Rules for the collect server on `port`; `secret` is the token or write key, if any.
    pub fn new(secret: Option<String>, port: u16) -> Self {
        Access {
            secret,
            session: random_hex(16),
            // Cookies ignore ports: the port in the name keeps two collectors apart.
            cookie: format!("trailmark_collector_{port}"),
        }
    }

    /// Name of the session cookie.
    pub fn cookie_name(&self) -> &str {
        &self.cookie
    }

    /// `Ok` when `req` may proceed; otherwise the answer to send instead (403, 401, or the 303
    /// that turns `?token=` into a session cookie).
    pub fn check(&self, req: &Request) -> Result<(), Response> {
        if let Some(why) = cross_origin(req) {
            return Err(Response::error(
                403,
                &format!(
                    "cross-origin request refused ({why}): only /v1/batch accepts requests from \
                     other origins; open this page directly"
                ),
            ));
        }
        let Some(secret) = self.secret.as_deref() else {
            return Ok(());
        };
        let reading = matches!(req.method.as_str(), "GET" | "HEAD");
        if let Some(token) = req.query_param(TOKEN_PARAM).filter(|_| reading) {
            return Err(if same_secret(&token, secret) {
                self.open_session(req)
            } else {
                unauthorized("wrong token")
            });
        }
        let header = req.header("authorization");
        let by_header = header
            .and_then(|v| basic_user(v).or_else(|| bearer(v)))
            .is_some_and(|p| same_secret(&p, secret));
        let by_cookie = self
            .cookie_value(req)
            .is_some_and(|v| same_secret(v, &self.session));
        match (by_header || by_cookie, header) {
            (true, _) => Ok(()),
            (false, Some(_)) => Err(unauthorized("wrong credentials")),
            (false, None) => Err(unauthorized("credentials required")),
        }
    }

    /// 303 to the page without its token, setting the session cookie.
    fn open_session(&self, req: &Request) -> Response {
        // Only our own pages: the request path never becomes the Location (no open redirect).
        let page = if req.path == "/events.json" {
            "/events.json"
        } else {
            "/"
        };
        let rest: Vec<&str> = req
            .query
            .split('&')
            .filter(|p| !p.is_empty() && p.split('=').next() != Some(TOKEN_PARAM))
            .collect();
        let location = if rest.is_empty() {
            page.to_string()
        } else {
            format!("{page}?{}", rest.join("&"))
        };
        Response::new(303, "text/plain; charset=utf-8", "session opened")
            .with_header("Location", location)
            .with_header(
                "Set-Cookie",
                format!(
                    "{}={}; Path=/; HttpOnly; SameSite=Strict",
                    self.cookie, self.session
                ),
            )
    }

    fn cookie_value<'a>(&self, req: &'a Request) -> Option<&'a str> {
        req.headers
            .iter()
            .filter(|(n, _)| n == "cookie")
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.cookie)
            .map(|(_, value)| value)
    }
}

/// Why a request comes from another origin, if it does.
fn cross_origin(req: &Request) -> Option<String> {
    if let Some(site) = req.header("sec-fetch-site") {
        if !matches!(site, "same-origin" | "none") {
            return Some(format!("Sec-Fetch-Site: {}", crate::http::printable(site)));
        }
    }
    let origin = req.header("origin")?;
    let own = format!("http://{}", req.host().unwrap_or_default());
    if origin.eq_ignore_ascii_case(&own) {
        None
    } else {
        Some(format!("Origin: {}", crate::http::printable(origin)))
    }
}

fn bearer(value: &str) -> Option<String> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

fn unauthorized(why: &str) -> Response {
    Response::error(
        401,
        &format!(
            "{why}: this collector has a write key or token; send it as the HTTP Basic user name \
             or as a Bearer token, or open /?token=KEY in a browser"
        ),
    )
    .with_header(
        "WWW-Authenticate",
        "Basic realm=\"trailmark-collector: the write key or token as user name\", charset=\"UTF-8\"",
    )
}

/// `n` random bytes as hex, from the OS (`/dev/urandom`), else from std's randomly keyed hasher.
fn random_hex(n: usize) -> String {
    use std::io::Read;
    let mut bytes = vec![0u8; n];
    let from_os = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if from_os.is_err() {
        use std::hash::{BuildHasher, Hasher};
        for (i, chunk) in bytes.chunks_mut(8).enumerate() {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_usize(i);
            h.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos()),
            );
            let word = h.finish().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_random_hex() {
        let a = random_hex(16);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, random_hex(16));
    }

    #[test]
    fn bearer_tokens() {
        assert_eq!(bearer("Bearer abc").as_deref(), Some("abc"));
        assert_eq!(bearer("bearer  abc ").as_deref(), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
    }
}
