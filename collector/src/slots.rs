//! The connection table of one server: at most a fixed number of connections at once, and when
//! the table is full a new connection takes the slot of the **oldest connection that is waiting
//! on its client** (blocked reading a request head, a body, or lingering after its answer).
//!
//! Why: each connection has a thread, so the table must be bounded, and a bound alone is what
//! slowloris exploits: a few dozen sockets that trickle one byte at a time would hold every slot
//! until their deadlines pass, and reopen. A client that is merely slow to send costs us nothing
//! to drop, while a connection the server is working on (storing a batch, an injected stall) is
//! never evicted. An honest request sends its head within milliseconds, so the oldest waiting
//! connections are, in practice, the slow ones.

use std::collections::BTreeMap;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// The table. Shared by the accept loop and every connection's [`Slot`].
pub struct Slots {
    cap: usize,
    live: Mutex<Live>,
}

#[derive(Default)]
struct Live {
    next_id: u64,
    /// By id, i.e. by age: the first entry is the oldest connection.
    entries: BTreeMap<u64, Arc<Entry>>,
}

struct Entry {
    /// A handle on the connection's socket, to shut it down on eviction.
    stream: TcpStream,
    waiting: AtomicBool,
    evicted: AtomicBool,
}

/// One admitted connection's place in the table; freed when dropped (also on unwind).
pub struct Slot {
    slots: Arc<Slots>,
    id: u64,
    entry: Arc<Entry>,
}

impl Slots {
    /// A table of at most `cap` connections.
    pub fn new(cap: usize) -> Arc<Slots> {
        Arc::new(Slots {
            cap,
            live: Mutex::new(Live::default()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Admits `stream`, evicting the oldest waiting connection when the table is full. `None`:
    /// full of connections the server is working on (or the socket cannot be duplicated).
    pub fn admit(self: &Arc<Self>, stream: &TcpStream) -> Option<Slot> {
        let handle = stream.try_clone().ok()?;
        let mut live = self.lock();
        if live.entries.len() >= self.cap {
            let oldest_waiting = live
                .entries
                .iter()
                .find(|(_, e)| e.waiting.load(Ordering::SeqCst))
                .map(|(id, _)| *id)?;
            if let Some(victim) = live.entries.remove(&oldest_waiting) {
                victim.evicted.store(true, Ordering::SeqCst);
                // Its blocked read returns at once; its thread then finishes and exits.
                let _ = victim.stream.shutdown(Shutdown::Both);
            }
        }
        let id = live.next_id;
        live.next_id += 1;
        let entry = Arc::new(Entry {
            stream: handle,
            waiting: AtomicBool::new(false),
            evicted: AtomicBool::new(false),
        });
        live.entries.insert(id, Arc::clone(&entry));
        Some(Slot {
            slots: Arc::clone(self),
            id,
            entry,
        })
    }

    /// Connections in the table.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Slot {
    /// Marks whether the connection is blocked waiting on its client (evictable).
    pub fn set_waiting(&self, waiting: bool) {
        self.entry.waiting.store(waiting, Ordering::SeqCst);
    }

    /// Whether another connection took this one's place.
    pub fn evicted(&self) -> bool {
        self.entry.evicted.load(Ordering::SeqCst)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.slots.lock().entries.remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;

    /// A connected pair: (client side, server side).
    fn pair(listener: &TcpListener) -> (TcpStream, TcpStream) {
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    #[test]
    fn full_table_evicts_the_oldest_waiting_connection_only() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let slots = Slots::new(3);
        let conns: Vec<_> = (0..3).map(|_| pair(&listener)).collect();
        let held: Vec<Slot> = conns.iter().map(|(_, s)| slots.admit(s).unwrap()).collect();
        assert_eq!(slots.len(), 3);

        // Nobody is waiting on a client: a fourth connection is refused.
        let (_c4, s4) = pair(&listener);
        assert!(slots.admit(&s4).is_none());

        // Connections 1 and 2 wait; the older one (1) is evicted, its socket shut down.
        held[1].set_waiting(true);
        held[2].set_waiting(true);
        let fourth = slots.admit(&s4).unwrap();
        assert!(held[1].evicted());
        assert!(!held[0].evicted() && !held[2].evicted() && !fourth.evicted());
        assert_eq!(slots.len(), 3);
        let mut buf = [0u8; 1];
        let mut server_side = &conns[1].1;
        assert_eq!(
            server_side.read(&mut buf).unwrap(),
            0,
            "evicted socket reads EOF"
        );

        // Dropping slots frees them (an evicted one was already removed).
        drop(held);
        assert_eq!(slots.len(), 1);
        drop(fourth);
        assert!(slots.is_empty());
    }
}
