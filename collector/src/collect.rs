//! The collect server: routes for the collect port, and the `POST /v1/batch` pipeline (faults,
//! size limits, decompression, write key, validation, storage).
//!
//! Routes:
//! - `POST /v1/batch`: store a batch (`{"batch": [...]}` or a plain array of events);
//!   `OPTIONS /v1/batch`: CORS preflight (204). The only route any website may use: its responses
//!   alone carry CORS headers.
//! - `GET /`: the live viewer; `GET /events.json?limit=N`: the latest events as JSON;
//!   `GET /favicon.ico`: 204.
//! - `POST /_control/fault`, `POST /_control/reset`, `GET /_control/stats`: test controls.
//!
//! Everything but `/v1/batch` first passes [`Access`]: same-origin only, and the token or write
//! key when one is configured.

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use serde_json::json;

use crate::access::Access;
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
/// The batch endpoint: the one route open to other origins.
pub const BATCH_PATH: &str = "/v1/batch";
/// Request headers a browser sender may use on `/v1/batch` (besides `--cors-header` names).
pub const CORS_HEADERS: &str = "content-type, content-encoding, authorization";

/// Handler for the collect port.
pub struct Collect {
    store: Arc<Store>,
    faults: Faults,
    write_key: Option<String>,
    max_body: usize,
    access: Access,
    /// The `Access-Control-Allow-Headers` value of the batch preflight.
    allow_headers: String,
}

impl Collect {
    /// A collect server storing into `store`; `write_key` (if any) is required on `/v1/batch`;
    /// bodies over `max_body` bytes (as sent or decompressed) get 413; `access` guards every
    /// other route; `cors_headers` are allowed on batch requests besides [`CORS_HEADERS`].
    pub fn new(
        store: Arc<Store>,
        write_key: Option<String>,
        max_body: usize,
        access: Access,
        cors_headers: &[String],
    ) -> Self {
        let mut allow_headers = CORS_HEADERS.to_string();
        for h in cors_headers {
            allow_headers.push_str(", ");
            allow_headers.push_str(&h.to_ascii_lowercase());
        }
        Collect {
            store,
            faults: Faults::default(),
            write_key,
            max_body,
            access,
            allow_headers,
        }
    }

    /// `/v1/batch`, any method: the public endpoint, with CORS on every answer.
    fn batch_route(&self, req: &mut Request) -> Outcome {
        let outcome = match req.method.as_str() {
            "OPTIONS" => Outcome::Respond(self.preflight(req)),
            "POST" => self.batch(req),
            _ => Outcome::Respond(not_allowed("POST, OPTIONS")),
        };
        match outcome {
            // Any page may send events here (the data is the sender's own), and `Retry-After` is
            // exposed so a browser sender can honour it on 429.
            Outcome::Respond(resp) => Outcome::Respond(
                resp.with_header("Access-Control-Allow-Origin", "*")
                    .with_header("Access-Control-Expose-Headers", "Retry-After"),
            ),
            Outcome::Drop => Outcome::Drop,
        }
    }

    /// The answer to a CORS preflight for `/v1/batch`.
    fn preflight(&self, req: &Request) -> Response {
        let mut resp = Response::empty(204)
            .with_header("Access-Control-Allow-Methods", "POST, OPTIONS")
            .with_header("Access-Control-Allow-Headers", self.allow_headers.clone())
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

    fn viewer(&self, req: &Request) -> Response {
        let refresh = match req.query_param("refresh") {
            None => viewer::DEFAULT_REFRESH,
            Some(text) => match text.parse::<u32>() {
                Ok(n) => n,
                Err(_) => return Response::error(400, "refresh: must be a non-negative integer"),
            },
        };
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
                    viewer::render(&events, totals, refresh),
                )
                .with_header("Content-Security-Policy", viewer::CSP)
                .with_header("X-Frame-Options", "DENY")
                .with_header("Referrer-Policy", "no-referrer")
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
        if req.path == BATCH_PATH {
            return self.batch_route(req);
        }
        if let Err(resp) = self.access.check(req) {
            return Outcome::Respond(resp);
        }
        let method = req.method.as_str();
        let read = matches!(method, "GET" | "HEAD");
        let resp = match (req.path.as_str(), method) {
            ("/", _) if read => self.viewer(req),
            ("/events.json", _) if read => self.events_json(req),
            ("/_control/stats", _) if read => self.stats(),
            // Browsers ask for it on pages without an icon (events.json): none, and no 404 noise.
            ("/favicon.ico", _) if read => Response::empty(204),
            ("/" | "/events.json" | "/_control/stats", _) => not_allowed("GET, HEAD"),
            ("/_control/fault", "POST") => self.set_fault(req),
            ("/_control/reset", "POST") => self.reset(),
            ("/_control/fault" | "/_control/reset", _) => not_allowed("POST"),
            _ => Response::error(404, "not found"),
        };
        Outcome::Respond(resp)
    }

    /// Event data is never cached, and never sniffed into something executable (e.g. the JSON
    /// of `/events.json` as a script).
    fn decorate(&self, resp: &mut Response) {
        if resp.header("cache-control").is_none() {
            resp.headers
                .push(("Cache-Control".into(), "no-store".into()));
        }
        resp.headers
            .push(("X-Content-Type-Options".into(), "nosniff".into()));
    }
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
        BodyError::Timeout => Rejection {
            status: 408,
            message: "body not received in time".into(),
        },
        BodyError::Io(e) => Rejection {
            status: 400,
            message: format!("could not read body: {e}"),
        },
    }
}
