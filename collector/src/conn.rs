//! A client connection as the HTTP layer reads it: every read runs under the connection's current
//! **deadline**, and while a read blocks on the client the connection's [`Slot`] is marked
//! waiting (evictable, see [`crate::slots`]).
//!
//! A per-read timeout alone is not a deadline: a client that sends one byte every few seconds
//! resets it forever (slowloris). So the server sets an overall deadline for the request head,
//! then one for the body (proportional to its size, see [`BodyTiming`]), then a short one for
//! lingering; each read waits at most until then.

use std::io::{self, Read};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::slots::Slot;

/// Longest single wait for input, whatever the deadline (it also bounds a wait whose deadline is
/// far away, e.g. a large body).
const MAX_WAIT: Duration = Duration::from_secs(30);

/// The socket's read side, under a deadline.
pub struct Conn {
    stream: TcpStream,
    deadline: Instant,
    slot: Slot,
}

impl Conn {
    /// Reads from `stream` until `deadline`; `slot` is the connection's place in its table.
    pub fn new(stream: TcpStream, slot: Slot, deadline: Instant) -> Self {
        Conn {
            stream,
            deadline,
            slot,
        }
    }

    /// Replaces the deadline (e.g. the head's with the body's).
    pub fn set_deadline(&mut self, deadline: Instant) {
        self.deadline = deadline;
    }

    /// The socket (e.g. to clone a write handle).
    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// Whether another connection took this one's slot (its socket is then shut down).
    pub fn evicted(&self) -> bool {
        self.slot.evicted()
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(timed_out());
        }
        self.stream.set_read_timeout(Some(left.min(MAX_WAIT)))?;
        self.slot.set_waiting(true);
        let result = self.stream.read(buf);
        self.slot.set_waiting(false);
        match result {
            // A read timeout shows up as WouldBlock on Unix and TimedOut on Windows.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                Err(timed_out())
            }
            other => other,
        }
    }
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "deadline passed")
}

/// How long a request body may take: a floor, plus the time the body needs at a minimum rate.
/// A 512 KiB body at the defaults gets 10 s + 16 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTiming {
    /// Time allowed for any body, however small.
    pub floor: Duration,
    /// Slowest accepted upload rate, in bytes per second (at least 1).
    pub min_rate: u64,
}

impl BodyTiming {
    /// The time allowed for a body of `bytes` bytes.
    pub fn allowance(&self, bytes: u64) -> Duration {
        self.floor + Duration::from_millis(bytes.saturating_mul(1000) / self.min_rate.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slots::Slots;
    use std::io::Write;
    use std::net::TcpListener;

    #[test]
    fn body_allowance_grows_with_size() {
        let t = BodyTiming {
            floor: Duration::from_secs(10),
            min_rate: 32 * 1024,
        };
        assert_eq!(t.allowance(0), Duration::from_secs(10));
        assert_eq!(t.allowance(512 * 1024), Duration::from_secs(26));
        let zero_rate = BodyTiming { min_rate: 0, ..t };
        assert_eq!(zero_rate.allowance(3), Duration::from_millis(13_000));
    }

    #[test]
    fn a_trickling_client_hits_the_deadline() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let mut client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        let slot = Slots::new(1).admit(&server).unwrap();
        let start = Instant::now();
        let mut conn = Conn::new(server, slot, start + Duration::from_millis(600));
        let trickler = std::thread::spawn(move || {
            // One byte every 100 ms: each read succeeds long before any per-read timeout.
            for _ in 0..40 {
                if client.write_all(b"x").is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        let mut got = 0;
        let mut buf = [0u8; 16];
        let err = loop {
            match conn.read(&mut buf) {
                Ok(n) => got += n,
                Err(e) => break e,
            }
        };
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(got >= 1, "some bytes arrived before the deadline");
        // Generous: the deadline is 600 ms; a per-read timeout would never fire.
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
        drop(conn);
        trickler.join().unwrap();
    }
}
