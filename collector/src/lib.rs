//! The Trailmark local collector: one native program that plays both sides of a store for development
//! and end-to-end tests.
//!
//! - The **site server** serves the demo store (`--www`) and the built browser package (`--pkg`), with
//!   the right MIME types (`.wasm` as `application/wasm`, which streaming compilation needs).
//! - The **collect server** accepts Segment-compatible batches on `POST /v1/batch`, validates each whole
//!   batch before storing any of it, and stores the events in SQLite (WAL mode, so tests and `sqlite3`
//!   can read the file while the collector runs). It also shows a live viewer at `/`, and offers fault
//!   injection under `/_control/` so delivery code can be tested against 5xx, 429, 413, stalls and
//!   dropped connections.
//!
//! Everything is synchronous and loopback-only. The binary (`src/main.rs`) parses flags and calls
//! [`start`]; tests call [`start`] in-process on ephemeral ports.

pub mod args;
pub mod auth;
pub mod body;
pub mod collect;
pub mod compiled;
pub mod faults;
pub mod http;
pub mod mime;
pub mod server;
pub mod site;
pub mod store;
pub mod time;
pub mod validate;
pub mod viewer;

use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

/// Everything the collector needs to run; [`args::parse`] builds it from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Address both servers bind to; always a loopback address.
    pub host: IpAddr,
    /// Port of the site server (0 = ephemeral).
    pub site_port: u16,
    /// Port of the collect server (0 = ephemeral).
    pub collect_port: u16,
    /// Directory served at `/` on the site port.
    pub www: PathBuf,
    /// Directory served at `/pkg/` on the site port.
    pub pkg: PathBuf,
    /// SQLite file the events are stored in; its parent directory is created if missing.
    pub db: PathBuf,
    /// When set, `POST /v1/batch` requires this write key (body `writeKey` or HTTP Basic user).
    pub write_key: Option<String>,
    /// Largest accepted request body in bytes, both as sent and after gzip decompression.
    pub max_body: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: IpAddr::from([127, 0, 0, 1]),
            site_port: 8080,
            collect_port: 8099,
            www: PathBuf::from("www"),
            pkg: PathBuf::from("pkg"),
            db: PathBuf::from("target/collector/events.sqlite"),
            write_key: None,
            max_body: 524_288,
        }
    }
}

/// A started collector: both listeners are bound and accepting.
pub struct Running {
    /// Where the site server listens.
    pub site_addr: SocketAddr,
    /// Where the collect server listens.
    pub collect_addr: SocketAddr,
    threads: Vec<JoinHandle<()>>,
}

impl Running {
    /// Base URL of the store, e.g. `http://127.0.0.1:8080/`.
    pub fn site_url(&self) -> String {
        format!("{}/", origin(self.site_addr))
    }

    /// Origin of the collect server, e.g. `http://127.0.0.1:8099` (no trailing slash).
    pub fn collector_origin(&self) -> String {
        origin(self.collect_addr)
    }

    /// Blocks for as long as the servers run (in practice: until the process is killed).
    pub fn wait(self) {
        for t in self.threads {
            let _ = t.join();
        }
    }
}

/// `http://host:port` for an address, with IPv6 hosts bracketed.
pub fn origin(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// Opens the store, binds both listeners and starts serving in background threads.
///
/// Fails (without serving anything) when the host is not loopback, the database cannot be opened or
/// a port cannot be bound.
pub fn start(config: &Config) -> io::Result<Running> {
    if !config.host.is_loopback() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "refusing to listen on {}: loopback addresses only",
                config.host
            ),
        ));
    }
    let store = store::Store::open(&config.db).map_err(|e| {
        io::Error::other(format!("cannot open database {}: {e}", config.db.display()))
    })?;
    let site_listener = TcpListener::bind((config.host, config.site_port))?;
    let collect_listener = TcpListener::bind((config.host, config.collect_port))?;
    let site_addr = site_listener.local_addr()?;
    let collect_addr = collect_listener.local_addr()?;

    let site = Arc::new(site::Site::new(
        config.www.clone(),
        config.pkg.clone(),
        origin(collect_addr),
    ));
    let collect = Arc::new(collect::Collect::new(
        Arc::new(store),
        config.write_key.clone(),
        config.max_body,
    ));
    let threads = vec![
        server::serve(site_listener, "site", site)?,
        server::serve(collect_listener, "collect", collect)?,
    ];
    Ok(Running {
        site_addr,
        collect_addr,
        threads,
    })
}
