//! The collect server: routes for the collect port, CORS on every response, and the
//! `POST /v1/batch` pipeline (faults, size limits, decompression, write key, validation, storage).
//!
//! Routes:
//! - `POST /v1/batch`: store a batch (`{"batch": [...]}` or a plain array of events).
//! - `GET /`: the live viewer; `GET /events.json?limit=N`: the latest events as JSON.
//! - `POST /_control/fault`, `POST /_control/reset`, `GET /_control/stats`: test controls.
//! - `OPTIONS` anything: CORS preflight (204).

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use serde_json::json;

use crate::auth;
use crate::body;
use crate::faults::{Faults, Mode};
use crate::http::{BodyError, Request, Response};
use crate::server::{Handler, Outcome};
use crate::store::{BatchMeta, Store};
use crate::validate::{self, Rejection};
use crate::viewer::{self, Totals};

/// Default number of events returned by `/events.json`.
pub const DEFAULT_LIMIT: usize = 100;
/// Most events returned by `/events.json`.
pub const MAX_LIMIT: usize = 5000;
/// Largest `/_control/fault` body.
const MAX_CONTROL_BODY: usize = 64 * 1024;

/// Handler for the collect port.
pub struct Collect {
    store: Arc<Store>,
    faults: Faults,
    write_key: Option<String>,
    max_body: usize,
}

impl Collect {
    /// A collect server storing into `store`; `write_key` (if any) is required on `/v1/batch`;
    /// bodies over `max_body` bytes (as sent or decompressed) get 413.
    pub fn new(store: Arc<Store>, write_key: Option<String>, max_body: usize) -> Self {
        Collect {
            store,
            faults: Faults::default(),
            write_key,
            max_body,
        }
    }

    fn batch(&self, req: &mut Request) -> Outcome {
        if let Some(mode) = self.faults.next_request() {
            return self.faulted(req, mode);
        }
        let resp = self
            .accept(req)
            .unwrap_or_else(|r| Response::error(r.status, &r.message));
        Outcome::Respond(resp)
    }

    /// The normal pipeline. Everything is checked before the single storing transaction, so a
    /// rejected request stores nothing.
    fn accept(&self, req: &mut Request) -> Result<Response, Rejection> {
        let raw = req
            .read_body(self.max_body)
            .map_err(|e| body_rejection(e, self.max_body))?;
        let meta = BatchMeta {
            content_type: req.header("content-type").map(String::from),
            content_encoding: req.header("content-encoding").map(String::from),
            bytes: raw.len(),
        };
        // Content-Type is not checked: fetch sends application/json, sendBeacon with a string
        // sends text/plain;charset=UTF-8, and both carry JSON.
        let decoded = body::decode(raw, req.header("content-encoding"), self.max_body)?;
        let value = validate::parse_json(&decoded)?;
        let authorized = auth::authorized(
            self.write_key.as_deref(),
            req.header("authorization"),
            validate::body_write_key(&value),
        );
        if !authorized {
            return Err(Rejection {
                status: 401,
                message: "missing or wrong write key: send it as \"writeKey\" in the body or as \
                          the HTTP Basic user name"
                    .into(),
            });
        }
        let batch = validate::validate(value)?;
        let outcome = self.store.insert(&meta, &batch).map_err(|e| Rejection {
            status: 500,
            message: format!("storage failed: {e}"),
        })?;
        Ok(Response::json(
            200,
            &json!({"ok": true, "stored": outcome.stored, "duplicates": outcome.duplicates}),
        ))
    }

    /// Answers a request chosen by fault injection. The body is read first (and discarded) so the
    /// client has finished sending when it gets the answer or the close.
    fn faulted(&self, req: &mut Request, mode: Mode) -> Outcome {
        let _ = req.read_body(self.max_body);
        let resp = match mode {
            Mode::ServerError => Response::error(500, "injected fault: 500"),
            Mode::TooMany { retry_after } => Response::error(429, "injected fault: 429")
                .with_header("Retry-After", retry_after.to_string()),
            Mode::TooLarge => Response::error(413, "injected fault: 413"),
            Mode::Stall { ms } => {
                thread::sleep(Duration::from_millis(ms));
                Response::error(503, "injected fault: stall")
            }
            Mode::Drop => return Outcome::Drop,
        };
        Outcome::Respond(resp)
    }

    fn viewer(&self) -> Response {
        let result = self
            .store
            .latest(viewer::PAGE_EVENTS)
            .and_then(|events| Ok((events, self.store.counts()?)));
        match result {
            Ok((events, (stored, batches))) => {
                let (requests, faulted) = self.faults.counters();
                let totals = Totals {
                    events: stored,
                    batches,
                    requests,
                    faulted,
                };
                Response::new(
                    200,
                    "text/html; charset=utf-8",
                    viewer::render(&events, totals),
                )
            }
            Err(e) => Response::error(500, &format!("storage failed: {e}")),
        }
    }

    fn events_json(&self, req: &Request) -> Response {
        let limit = match req.query_param("limit") {
            None => DEFAULT_LIMIT,
            Some(text) => match text.parse::<usize>() {
                Ok(n) => n.min(MAX_LIMIT),
                Err(_) => return Response::error(400, "limit: must be a non-negative integer"),
            },
        };
        match self.store.latest(limit) {
            Ok(events) => Response::json(
                200,
                &events
                    .iter()
                    .map(|e| e.to_json())
                    .collect::<Vec<_>>()
                    .into(),
            ),
            Err(e) => Response::error(500, &format!("storage failed: {e}")),
        }
    }

    fn set_fault(&self, req: &mut Request) -> Response {
        let body = match req.read_body(MAX_CONTROL_BODY) {
            Ok(b) => b,
            Err(e) => {
                let r = body_rejection(e, MAX_CONTROL_BODY);
                return Response::error(r.status, &r.message);
            }
        };
        let value = match validate::parse_json(&body) {
            Ok(v) => v,
            Err(r) => return Response::error(r.status, &r.message),
        };
        match self.faults.configure(&value) {
            Ok(setting) => Response::json(200, &setting),
            Err(reason) => Response::error(400, &reason),
        }
    }

    fn reset(&self) -> Response {
        self.faults.reset();
        match self.store.clear() {
            Ok(()) => Response::json(200, &json!({"ok": true})),
            Err(e) => Response::error(500, &format!("storage failed: {e}")),
        }
    }

    fn stats(&self) -> Response {
        let (requests, faulted) = self.faults.counters();
        match self.store.counts() {
            Ok((events, batches)) => Response::json(
                200,
                &json!({"events": events, "batches": batches, "requests": requests,
                        "faulted": faulted}),
            ),
            Err(e) => Response::error(500, &format!("storage failed: {e}")),
        }
    }
}

impl Handler for Collect {
    fn handle(&self, req: &mut Request) -> Outcome {
        if req.method == "OPTIONS" {
            return Outcome::Respond(preflight(req));
        }
        let method = req.method.as_str();
        let read = matches!(method, "GET" | "HEAD");
        let resp = match (req.path.as_str(), method) {
            ("/v1/batch", "POST") => return self.batch(req),
            ("/v1/batch", _) => not_allowed("POST, OPTIONS"),
            ("/", _) if read => self.viewer(),
            ("/events.json", _) if read => self.events_json(req),
            ("/_control/stats", _) if read => self.stats(),
            ("/" | "/events.json" | "/_control/stats", _) => not_allowed("GET, HEAD, OPTIONS"),
            ("/_control/fault", "POST") => self.set_fault(req),
            ("/_control/reset", "POST") => self.reset(),
            ("/_control/fault" | "/_control/reset", _) => not_allowed("POST, OPTIONS"),
            _ => Response::error(404, "not found"),
        };
        Outcome::Respond(resp)
    }

    /// CORS on every response: any page may send events here (the data is the sender's own), and
    /// `Retry-After` is exposed so a browser sender can honour it on 429.
    fn decorate(&self, resp: &mut Response) {
        resp.headers
            .push(("Access-Control-Allow-Origin".into(), "*".into()));
        resp.headers
            .push(("Access-Control-Expose-Headers".into(), "Retry-After".into()));
        if resp.header("cache-control").is_none() {
            resp.headers
                .push(("Cache-Control".into(), "no-store".into()));
        }
    }
}

/// The answer to a CORS preflight.
fn preflight(req: &Request) -> Response {
    let mut resp = Response::empty(204)
        .with_header("Access-Control-Allow-Methods", "POST, OPTIONS")
        .with_header(
            "Access-Control-Allow-Headers",
            "content-type, content-encoding, authorization",
        )
        .with_header("Access-Control-Max-Age", "600");
    // Chrome's Private Network Access asks before a public page may reach loopback.
    if req
        .header("access-control-request-private-network")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    {
        resp = resp.with_header("Access-Control-Allow-Private-Network", "true");
    }
    resp
}

fn not_allowed(allow: &str) -> Response {
    Response::error(405, "method not allowed").with_header("Allow", allow)
}

fn body_rejection(e: BodyError, limit: usize) -> Rejection {
    match e {
        BodyError::TooLarge => Rejection {
            status: 413,
            message: format!("body larger than {limit} bytes"),
        },
        BodyError::Bad(m) => Rejection {
            status: 400,
            message: m,
        },
        BodyError::Io(e) => Rejection {
            status: 400,
            message: format!("could not read body: {e}"),
        },
    }
}
