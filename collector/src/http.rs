//! HTTP/1.1 messages: parsing request heads, reading bodies (Content-Length or chunked, with
//! `Expect: 100-continue`) under a size limit, and the response type. The connection handling lives
//! in [`crate::server`].
//!
//! Limits protect the collector from hostile clients: request heads are capped at [`MAX_HEAD`] bytes
//! and [`MAX_HEADERS`] lines, bodies at whatever the handler asks for.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use crate::conn::{BodyTiming, Conn};

/// Largest refused body read to the end before the 413 goes out (see `read_body`).
const DRAIN_LIMIT: u64 = 8 * 1024 * 1024;

/// Largest accepted request head (request line + headers), in bytes.
pub const MAX_HEAD: usize = 64 * 1024;
/// Largest accepted number of header lines.
pub const MAX_HEADERS: usize = 100;

/// One parsed request. The body is read on demand with [`Request::read_body`], so a handler can
/// refuse a request (413, 401, a fault) without reading it.
pub struct Request {
    /// Method as sent, e.g. `POST`.
    pub method: String,
    /// Path as sent (still percent-encoded), without the query string; `*` for `OPTIONS *`.
    pub path: String,
    /// Query string without the `?` (may be empty).
    pub query: String,
    /// Headers in order, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Bytes of body read so far (for the request log).
    pub body_bytes: usize,
    /// The authority of an absolute-form target (`GET http://host:port/path`), which overrides
    /// the `Host` header (RFC 9112 3.2.2).
    authority: Option<String>,
    body_read: bool,
    body_timing: BodyTiming,
    reader: BufReader<Conn>,
    writer: TcpStream,
}

/// Why a request body could not be read.
#[derive(Debug)]
pub enum BodyError {
    /// The body is larger than the limit the handler gave.
    TooLarge,
    /// The framing is malformed (bad Content-Length, bad chunk, short body).
    Bad(String),
    /// The body did not arrive before its deadline.
    Timeout,
    /// The socket failed.
    Io(io::Error),
}

impl From<io::Error> for BodyError {
    fn from(e: io::Error) -> Self {
        match e.kind() {
            io::ErrorKind::TimedOut => BodyError::Timeout,
            io::ErrorKind::UnexpectedEof => BodyError::Bad("body shorter than declared".into()),
            io::ErrorKind::InvalidData => BodyError::Bad(format!("bad chunked body: {e}")),
            _ => BodyError::Io(e),
        }
    }
}

impl Request {
    /// A request whose head has been read; the body is still on `reader`.
    /// Its body must arrive within `body_timing`'s allowance once a handler starts reading it.
    pub(crate) fn new(
        head: Head,
        reader: BufReader<Conn>,
        writer: TcpStream,
        body_timing: BodyTiming,
    ) -> Self {
        Request {
            method: head.method,
            path: head.path,
            query: head.query,
            headers: head.headers,
            body_bytes: 0,
            authority: head.authority,
            body_read: false,
            body_timing,
            reader,
            writer,
        }
    }

    /// The host the client asked for: the absolute-form target's authority, else `Host`.
    pub fn host(&self) -> Option<&str> {
        self.authority.as_deref().or_else(|| self.header("host"))
    }

    /// The socket to write the response to.
    pub(crate) fn writer(&self) -> &TcpStream {
        &self.writer
    }

    /// Gives the connection back for closing.
    pub(crate) fn into_parts(self) -> (BufReader<Conn>, TcpStream) {
        (self.reader, self.writer)
    }

    /// First value of a header (name matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A query parameter, percent-decoded (`+` as space); `None` when absent or not decodable.
    pub fn query_param(&self, name: &str) -> Option<String> {
        self.query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            if k != name {
                return None;
            }
            let v = v.replace('+', " ");
            String::from_utf8(percent_decode(&v)?).ok()
        })
    }

    /// Reads the whole body, refusing more than `limit` bytes. Handles `Content-Length`,
    /// `Transfer-Encoding: chunked` and `Expect: 100-continue`. Returns an empty body on a second
    /// call.
    pub fn read_body(&mut self, limit: usize) -> Result<Vec<u8>, BodyError> {
        if self.body_read {
            return Ok(Vec::new());
        }
        self.body_read = true;
        let body = if let Some(te) = self.header("transfer-encoding") {
            if !te.trim().eq_ignore_ascii_case("chunked") {
                return Err(BodyError::Bad(format!(
                    "unsupported Transfer-Encoding: {}",
                    printable(te)
                )));
            }
            self.body_deadline(limit as u64);
            self.send_continue();
            read_chunked(&mut self.reader, limit)?
        } else {
            let len = self.content_length()?;
            self.body_deadline(len.min(DRAIN_LIMIT));
            if len > limit as u64 {
                // Read the refused body (up to a bound) before answering: closing a socket
                // with unread data makes the kernel reset the connection, and a browser then
                // sees a network error instead of the 413 it must act on.
                if len <= DRAIN_LIMIT {
                    self.send_continue();
                    let _ = io::copy(&mut (&mut self.reader).take(len), &mut io::sink());
                }
                return Err(BodyError::TooLarge);
            }
            self.send_continue();
            // `len <= limit`, so this cannot truncate.
            let mut body = vec![0; len as usize];
            self.reader
                .read_exact(&mut body)
                .map_err(|e| match e.kind() {
                    io::ErrorKind::UnexpectedEof => {
                        BodyError::Bad("body shorter than Content-Length".into())
                    }
                    _ => BodyError::from(e),
                })?;
            body
        };
        self.body_bytes = body.len();
        Ok(body)
    }

    /// From now on, reads must finish within the allowance for a body of `bytes` bytes.
    fn body_deadline(&mut self, bytes: u64) {
        let deadline = Instant::now() + self.body_timing.allowance(bytes);
        self.reader.get_mut().set_deadline(deadline);
    }

    /// The declared Content-Length (0 when absent); conflicting duplicates are an error.
    fn content_length(&self) -> Result<u64, BodyError> {
        let mut found: Option<u64> = None;
        for (_, v) in self.headers.iter().filter(|(n, _)| n == "content-length") {
            let n: u64 = v
                .trim()
                .parse()
                .map_err(|_| BodyError::Bad(format!("bad Content-Length: {}", printable(v))))?;
            if found.is_some_and(|f| f != n) {
                return Err(BodyError::Bad("conflicting Content-Length headers".into()));
            }
            found = Some(n);
        }
        Ok(found.unwrap_or(0))
    }

    /// Tells a client that asked for `Expect: 100-continue` to send its body.
    fn send_continue(&mut self) {
        let expects = self
            .header("expect")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("100-continue"));
        if expects {
            let _ = self.writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n");
        }
    }
}

/// Reads a chunked body, refusing more than `limit` decoded bytes.
fn read_chunked(reader: &mut BufReader<Conn>, limit: usize) -> Result<Vec<u8>, BodyError> {
    let mut body = Vec::new();
    loop {
        let line = read_line(reader, 1024)?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| BodyError::Bad(format!("bad chunk size: {}", printable(size_text))))?;
        if size == 0 {
            // Trailer section: header lines until an empty one; bounded like a head.
            for _ in 0..MAX_HEADERS {
                if read_line(reader, 8192)?.is_empty() {
                    return Ok(body);
                }
            }
            return Err(BodyError::Bad("too many trailer lines".into()));
        }
        if size > limit.saturating_sub(body.len()) {
            return Err(BodyError::TooLarge);
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        if !read_line(reader, 2)?.is_empty() {
            return Err(BodyError::Bad("chunk not followed by CRLF".into()));
        }
    }
}

/// Reads one line of at most `max` bytes (excluding the line end), without the CRLF/LF.
fn read_line(reader: &mut BufReader<Conn>, max: usize) -> io::Result<String> {
    let mut line = Vec::new();
    let n = reader
        .by_ref()
        .take(max as u64 + 2)
        .read_until(b'\n', &mut line)?;
    if n == 0 {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    if line.last() != Some(&b'\n') {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "line too long"));
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(String::from_utf8_lossy(&line).into_owned())
}

/// A response to write. `Content-Length` and `Connection: close` are added when written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Headers besides Content-Length and Connection.
    pub headers: Vec<(String, String)>,
    /// Body bytes (not sent for HEAD requests).
    pub body: Vec<u8>,
}

impl Response {
    /// A response with a body and its Content-Type.
    pub fn new(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    /// A response without a body.
    pub fn empty(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// A JSON response.
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Response::new(status, "application/json", value.to_string())
    }

    /// `{"error": message}` with the given status.
    pub fn error(status: u16, message: &str) -> Self {
        Response::json(status, &serde_json::json!({ "error": message }))
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// First value of a header (name matched case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub(crate) struct Head {
    method: String,
    path: String,
    query: String,
    authority: Option<String>,
    headers: Vec<(String, String)>,
}

pub(crate) enum HeadError {
    TooLarge,
    Bad(String),
    /// Part of a head arrived, but not all of it before the deadline.
    Timeout,
    /// The socket failed, or went silent without sending a byte.
    Io,
}

/// Reads and parses the request line and headers. `Ok(None)`: the client closed before sending a
/// byte.
pub(crate) fn read_head(reader: &mut BufReader<Conn>) -> Result<Option<Head>, HeadError> {
    let mut lines: Vec<String> = Vec::new();
    let mut total = 0usize;
    loop {
        let mut line = Vec::new();
        let room = (MAX_HEAD - total) as u64 + 1;
        let n = reader
            .by_ref()
            .take(room)
            .read_until(b'\n', &mut line)
            .map_err(|e| match e.kind() {
                io::ErrorKind::TimedOut if total + line.len() > 0 => HeadError::Timeout,
                _ => HeadError::Io,
            })?;
        if n == 0 {
            return if total == 0 {
                Ok(None)
            } else {
                Err(HeadError::Bad(
                    "connection closed inside the request head".into(),
                ))
            };
        }
        total += n;
        if total > MAX_HEAD {
            return Err(HeadError::TooLarge);
        }
        if line.last() != Some(&b'\n') {
            return Err(HeadError::Bad(
                "connection closed inside the request head".into(),
            ));
        }
        line.pop();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        if line.is_empty() {
            if lines.is_empty() {
                // RFC 9112 2.2: ignore empty lines before the request line.
                continue;
            }
            break;
        }
        if lines.len() > MAX_HEADERS {
            return Err(HeadError::TooLarge);
        }
        lines.push(String::from_utf8_lossy(&line).into_owned());
    }

    let mut parts = lines[0].split(' ');
    let (method, target, version) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(m), Some(t), Some(v), None) => (m, t, v),
        _ => return Err(HeadError::Bad("malformed request line".into())),
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(HeadError::Bad("malformed method".into()));
    }
    if !version.starts_with("HTTP/1.") {
        return Err(HeadError::Bad("unsupported HTTP version".into()));
    }
    let (path, query, authority) =
        split_target(target).ok_or_else(|| HeadError::Bad("bad target".into()))?;

    let mut headers = Vec::with_capacity(lines.len() - 1);
    for line in &lines[1..] {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| HeadError::Bad("malformed header line".into()))?;
        let valid_name = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !valid_name {
            return Err(HeadError::Bad("malformed header name".into()));
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
    }
    Ok(Some(Head {
        method: method.to_string(),
        path,
        query,
        authority,
        headers,
    }))
}

/// Splits a request target into path, query and (for absolute-form targets) the authority.
/// `None` for anything else that is not origin-form or `*`.
fn split_target(target: &str) -> Option<(String, String, Option<String>)> {
    let (rest, authority) = if target == "*" || target.starts_with('/') {
        (target, None)
    } else {
        let after_scheme = target
            .strip_prefix("http://")
            .or_else(|| target.strip_prefix("https://"))?;
        let end = after_scheme
            .find(['/', '?', '#'])
            .unwrap_or(after_scheme.len());
        let (authority, rest) = after_scheme.split_at(end);
        (rest, Some(authority.to_string()))
    };
    let rest = rest.split('#').next().unwrap_or(rest);
    // An absolute-form target may have an empty path (`http://h:1?q`): that is `/`.
    let rest = if rest.starts_with(['/', '*']) {
        rest.to_string()
    } else {
        format!("/{rest}")
    };
    let rest = rest.as_str();
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    Some((path.to_string(), query.to_string(), authority))
}

/// Decodes `%XX` escapes; `None` when an escape is malformed.
pub fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// A log-safe rendering of client-controlled text: control characters escaped, length capped, so a
/// request cannot forge log lines or flood the terminal.
pub fn printable(s: &str) -> String {
    let mut out: String = s.chars().take(200).flat_map(char::escape_debug).collect();
    if s.chars().nth(200).is_some() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_split_into_path_and_query() {
        let t = |p: &str, q: &str, a: Option<&str>| Some((p.into(), q.into(), a.map(String::from)));
        assert_eq!(split_target("/a/b?x=1#f"), t("/a/b", "x=1", None));
        assert_eq!(
            split_target("http://h:1/v1/batch?q"),
            t("/v1/batch", "q", Some("h:1"))
        );
        assert_eq!(split_target("http://h:1"), t("/", "", Some("h:1")));
        assert_eq!(split_target("http://h:1?x#y"), t("/", "x", Some("h:1")));
        assert_eq!(split_target("*"), t("*", "", None));
        assert_eq!(split_target("a/b"), None);
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("%2e%2E/a%20b").unwrap(), b"../a b");
        assert_eq!(percent_decode("%zz"), None);
        assert_eq!(percent_decode("%4"), None);
        assert_eq!(percent_decode("%"), None);
    }

    #[test]
    fn printable_escapes_control_characters() {
        assert_eq!(printable("a\nb\x1b"), "a\\nb\\u{1b}");
        assert_eq!(printable(&"x".repeat(300)).chars().count(), 201);
    }
}
