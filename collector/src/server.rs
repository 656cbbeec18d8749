//! The connection layer: a thread per connection up to a cap, one request per connection.
//!
//! Why not `tiny_http`: the `drop` fault must close a connection *without* any response, and a
//! stalled request must not hold up the others. `tiny_http` answers 500 when a request is dropped and
//! keeps reading the next pipelined request from the same socket, so a "dropped" request leaves the
//! client hanging instead of seeing the connection close. Owning the socket makes both exact, and
//! answering with `Connection: close` keeps this layer free of keep-alive bookkeeping (loopback
//! connections are cheap).
//!
//! Reads and writes time out, and at most [`MAX_CONNECTIONS`] connections are served at once per
//! server (the rest get 503).

use std::io::{self, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::http::{printable, read_head, HeadError, Request, Response};

/// Connections served at once per server; more get an immediate 503.
pub const MAX_CONNECTIONS: usize = 64;
/// Read and write timeout on client sockets: a silent client cannot hold a thread forever.
const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// After answering, how long and how much unread input is drained before closing. Closing a socket
/// with unread input makes the kernel send RST, which can destroy the response (e.g. a 413 sent
/// before the client finished uploading) before the client reads it.
const LINGER_TIME: Duration = Duration::from_secs(2);
const LINGER_BYTES: u64 = 16 * 1024 * 1024;

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
    /// (400 for a malformed head, 503 when busy). Used for CORS headers.
    fn decorate(&self, _resp: &mut Response) {}
}

/// Starts the accept loop for `listener` on a new thread; `name` prefixes the request log lines.
pub fn serve<H: Handler>(
    listener: TcpListener,
    name: &'static str,
    handler: Arc<H>,
) -> io::Result<JoinHandle<()>> {
    thread::Builder::new()
        .name(format!("{name}-accept"))
        .spawn(move || accept_loop(listener, name, handler))
}

fn accept_loop<H: Handler>(listener: TcpListener, name: &'static str, handler: Arc<H>) {
    let active = Arc::new(AtomicUsize::new(0));
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
        if active.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            let mut resp = Response::error(503, "too many connections");
            handler.decorate(&mut resp);
            let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
            let _ = write_response(&stream, &resp, false);
            eprintln!("[{name}] busy: 503");
            continue;
        }
        let guard = ActiveGuard::new(&active);
        let handler = Arc::clone(&handler);
        let spawned = thread::Builder::new()
            .name(format!("{name}-conn"))
            .spawn(move || {
                let _guard = guard;
                handle_connection(stream, name, &*handler);
            });
        if let Err(e) = spawned {
            eprintln!("[{name}] cannot start a thread: {e}");
        }
    }
}

/// Counts a connection as active for as long as it lives (also when its thread unwinds).
struct ActiveGuard(Arc<AtomicUsize>);

impl ActiveGuard {
    fn new(active: &Arc<AtomicUsize>) -> Self {
        active.fetch_add(1, Ordering::SeqCst);
        ActiveGuard(Arc::clone(active))
    }
}

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn handle_connection<H: Handler + ?Sized>(stream: TcpStream, name: &str, handler: &H) {
    let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    let head = match read_head(&mut reader) {
        Ok(Some(head)) => head,
        // The client connected and left (or went silent) without a request: nothing to answer.
        Ok(None) | Err(HeadError::Io) => return,
        Err(HeadError::TooLarge) => {
            let resp = Response::error(431, "request head too large");
            return finish_early(handler, name, reader, writer, resp);
        }
        Err(HeadError::Bad(msg)) => {
            let resp = Response::error(400, &format!("bad request: {msg}"));
            return finish_early(handler, name, reader, writer, resp);
        }
    };
    let mut req = Request::new(head, reader, writer);
    let outcome =
        catch_unwind(AssertUnwindSafe(|| handler.handle(&mut req))).unwrap_or_else(|_| {
            Outcome::Respond(Response::error(500, "internal error (see collector log)"))
        });
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
    reader: BufReader<TcpStream>,
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
fn linger(reader: BufReader<TcpStream>, writer: TcpStream) {
    let _ = writer.shutdown(Shutdown::Write);
    let deadline = Instant::now() + LINGER_TIME;
    let _ = writer.set_read_timeout(Some(Duration::from_millis(200)));
    let mut input = reader.take(LINGER_BYTES);
    let mut buf = [0u8; 8192];
    while Instant::now() < deadline {
        match input.read(&mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
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
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
