//! The connection layer: a thread per connection up to a cap, one request per connection.
//!
//! Why not `tiny_http`: the `drop` fault must close a connection *without* any response, and a
//! stalled request must not hold up the others. `tiny_http` answers 500 when a request is dropped and
//! keeps reading the next pipelined request from the same socket, so a "dropped" request leaves the
//! client hanging instead of seeing the connection close. Owning the socket makes both exact, and
//! answering with `Connection: close` keeps this layer free of keep-alive bookkeeping (loopback
//! connections are cheap).
//!
//! Before any handler runs, the request's `Host` must pass the server's [`HostPolicy`] (421
//! otherwise). Reading a request head and body runs under deadlines ([`crate::conn`]); at most
//! [`MAX_CONNECTIONS`] connections are served at once per server, and when all are taken a new
//! one replaces the oldest that is waiting on its client ([`crate::slots`]); only when none is
//! waiting does it get 503.

use std::io::{self, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::conn::{BodyTiming, Conn};
use crate::host::HostPolicy;
use crate::http::{printable, read_head, HeadError, Request, Response};
use crate::slots::Slots;

/// Connections served at once per server (see [`crate::slots`] for what happens at the cap).
pub const MAX_CONNECTIONS: usize = 64;
/// Write timeout on client sockets: a client that stops reading cannot hold a thread forever.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// After answering, how long and how much unread input is drained before closing. Closing a socket
/// with unread input makes the kernel send RST, which can destroy the response (e.g. a 413 sent
/// before the client finished uploading) before the client reads it.
const LINGER_TIME: Duration = Duration::from_secs(2);
const LINGER_BYTES: u64 = 16 * 1024 * 1024;
const LINGER_IDLE: Duration = Duration::from_millis(200);

/// What a handler wants done with a request.
pub enum Outcome {
    /// Write this response, then close.
    Respond(Response),
    /// Close the connection without writing anything (fault injection).
    Drop,
}

/// Serves requests on one port.
pub trait Handler: Send + Sync + 'static {
    /// Handles one request; may read its body.
    fn handle(&self, req: &mut Request) -> Outcome;

    /// Adjusts every response this server writes, including the ones this layer makes itself
    /// (400 for a malformed head, 408, 421, 503 when busy). Used for cache headers.
    fn decorate(&self, _resp: &mut Response) {}
}

/// What a server enforces before and while a handler runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// The `Host` names it answers to.
    pub hosts: HostPolicy,
    /// Time allowed for a whole request head, from the connection's start.
    pub head_timeout: Duration,
    /// Time allowed for a request body.
    pub body_timing: BodyTiming,
}

/// Starts the accept loop for `listener` on a new thread; `name` prefixes the request log lines.
pub fn serve<H: Handler>(
    listener: TcpListener,
    name: &'static str,
    handler: Arc<H>,
    options: Options,
) -> io::Result<JoinHandle<()>> {
    thread::Builder::new()
        .name(format!("{name}-accept"))
        .spawn(move || accept_loop(listener, name, handler, Arc::new(options)))
}

fn accept_loop<H: Handler>(
    listener: TcpListener,
    name: &'static str,
    handler: Arc<H>,
    options: Arc<Options>,
) {
    let slots = Slots::new(MAX_CONNECTIONS);
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(s) => s,
            Err(e) => {
                // E.g. out of file descriptors: back off instead of spinning.
                eprintln!("[{name}] accept failed: {e}");
                thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        // The head deadline counts from the accept, so time spent waiting for a thread counts too.
        let head_deadline = Instant::now() + options.head_timeout;
        let Some(slot) = slots.admit(&stream) else {
            let mut resp = Response::error(503, "too many connections");
            handler.decorate(&mut resp);
            let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
            let _ = write_response(&stream, &resp, false);
            eprintln!("[{name}] busy: 503");
            continue;
        };
        let handler = Arc::clone(&handler);
        let options = Arc::clone(&options);
        let spawned = thread::Builder::new()
            .name(format!("{name}-conn"))
            .spawn(move || {
                let conn = Conn::new(stream, slot, head_deadline);
                handle_connection(conn, name, &*handler, &options);
            });
        if let Err(e) = spawned {
            eprintln!("[{name}] cannot start a thread: {e}");
        }
    }
}

fn handle_connection<H: Handler + ?Sized>(conn: Conn, name: &str, handler: &H, options: &Options) {
    let writer = match conn.stream().try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let _ = writer.set_write_timeout(Some(WRITE_TIMEOUT));
    let _ = writer.set_nodelay(true);
    let mut reader = BufReader::new(conn);
    let head = match read_head(&mut reader) {
        Ok(Some(head)) => head,
        // The client connected and left (or went silent) without a request, or its slot went to
        // another connection: nothing to answer.
        Ok(None) | Err(HeadError::Io) => {
            if reader.get_ref().evicted() {
                eprintln!("[{name}] evicted a connection waiting on its client");
            }
            return;
        }
        Err(_) if reader.get_ref().evicted() => {
            eprintln!("[{name}] evicted a connection waiting on its client");
            return;
        }
        Err(HeadError::Timeout) => {
            let secs = options.head_timeout.as_secs_f64();
            let resp = Response::error(408, &format!("request head not complete within {secs} s"));
            return finish_early(handler, name, reader, writer, resp);
        }
        Err(HeadError::TooLarge) => {
            let resp = Response::error(431, "request head too large");
            return finish_early(handler, name, reader, writer, resp);
        }
        Err(HeadError::Bad(msg)) => {
            let resp = Response::error(400, &format!("bad request: {msg}"));
            return finish_early(handler, name, reader, writer, resp);
        }
    };
    let mut req = Request::new(head, reader, writer, options.body_timing);
    let outcome = match options.hosts.check(req.host()) {
        // Before the handler: a request for a name we do not serve (DNS rebinding) gets nothing
        // else, and certainly no data.
        Err(reason) => Outcome::Respond(Response::error(421, &reason)),
        Ok(()) => {
            catch_unwind(AssertUnwindSafe(|| handler.handle(&mut req))).unwrap_or_else(|_| {
                Outcome::Respond(Response::error(500, "internal error (see collector log)"))
            })
        }
    };
    let line = format!(
        "[{name}] {} {}",
        printable(&req.method),
        printable(&req.path)
    );
    match outcome {
        Outcome::Drop => {
            eprintln!("{line} dropped in={}", req.body_bytes);
            let _ = req.writer().shutdown(Shutdown::Both);
        }
        Outcome::Respond(mut resp) => {
            handler.decorate(&mut resp);
            let _ = write_response(req.writer(), &resp, req.method == "HEAD");
            eprintln!(
                "{line} {} in={} out={}",
                resp.status,
                req.body_bytes,
                resp.body.len()
            );
            let (reader, writer) = req.into_parts();
            linger(reader, writer);
        }
    }
}

/// Answers a request this layer could not parse.
fn finish_early<H: Handler + ?Sized>(
    handler: &H,
    name: &str,
    reader: BufReader<Conn>,
    writer: TcpStream,
    mut resp: Response,
) {
    handler.decorate(&mut resp);
    let _ = write_response(&writer, &resp, false);
    eprintln!("[{name}] malformed request {}", resp.status);
    linger(reader, writer);
}

/// Half-closes, then drains what the client is still sending (bounded) so the close does not turn
/// into a reset that destroys the response.
/// Stops at the client's close, after [`LINGER_TIME`], or after [`LINGER_IDLE`] without input (a
/// client that sends nothing more and keeps its socket open has nothing left to lose).
fn linger(reader: BufReader<Conn>, writer: TcpStream) {
    let _ = writer.shutdown(Shutdown::Write);
    let end = Instant::now() + LINGER_TIME;
    let mut input = reader.take(LINGER_BYTES);
    let mut buf = [0u8; 8192];
    loop {
        let idle_end = (Instant::now() + LINGER_IDLE).min(end);
        input.get_mut().get_mut().set_deadline(idle_end);
        match input.read(&mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // Including either deadline passing.
            Err(_) => break,
        }
    }
}

fn write_response(mut out: &TcpStream, resp: &Response, head_only: bool) -> io::Result<()> {
    let mut head = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    for (name, value) in &resp.headers {
        // Header values we write are our own, but never let a newline split the head.
        let value: String = value.chars().filter(|c| !c.is_control()).collect();
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        resp.body.len()
    ));
    let mut bytes = head.into_bytes();
    if !head_only {
        bytes.extend_from_slice(&resp.body);
    }
    out.write_all(&bytes)?;
    out.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        303 => "See Other",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        421 => "Misdirected Request",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
