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
//! Everything is synchronous and loopback-only, and only for loopback `Host` names (plus
//! `--allow-host` names): no other website can use the collector through DNS rebinding. Only
//! `/v1/batch` is open to other origins; the viewer, `/events.json` and the controls are
//! same-origin and, with a token or write key, authenticated. The binary (`src/main.rs`) parses
//! flags and calls [`start`]; tests call [`start`] in-process on ephemeral ports.

pub mod access;
pub mod args;
pub mod auth;
pub mod body;
pub mod collect;
pub mod compiled;
pub mod conn;
pub mod faults;
pub mod host;
pub mod http;
pub mod mime;
pub mod server;
pub mod site;
pub mod slots;
pub mod store;
pub mod time;
pub mod validate;
pub mod viewer;

use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use conn::BodyTiming;
use host::HostPolicy;

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
    /// When set, the viewer, `/events.json` and `/_control/*` require this instead of the write
    /// key (which is public wherever the store's config is).
    pub token: Option<String>,
    /// `Host` names served besides loopback ones (`*.name` for every name under `name`).
    pub allow_hosts: Vec<String>,
    /// Request headers browser senders may use on `/v1/batch` besides the standard three.
    pub cors_headers: Vec<String>,
    /// Time allowed for a whole request head (slowloris bound).
    pub head_timeout: Duration,
    /// Time allowed for a request body.
    pub body_timing: BodyTiming,
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
            token: None,
            allow_hosts: Vec::new(),
            cors_headers: Vec::new(),
            head_timeout: Duration::from_secs(10),
            body_timing: BodyTiming {
                floor: Duration::from_secs(10),
                min_rate: 32 * 1024,
            },
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
    let secret = config.token.clone().or_else(|| config.write_key.clone());
    let collect = Arc::new(collect::Collect::new(
        Arc::new(store),
        config.write_key.clone(),
        config.max_body,
        access::Access::new(secret, collect_addr.port()),
        &config.cors_headers,
    ));
    let options = |port: u16| server::Options {
        hosts: HostPolicy::new(&config.allow_hosts, port),
        head_timeout: config.head_timeout,
        body_timing: config.body_timing,
    };
    let threads = vec![
        server::serve(site_listener, "site", site, options(site_addr.port()))?,
        server::serve(
            collect_listener,
            "collect",
            collect,
            options(collect_addr.port()),
        )?,
    ];
    Ok(Running {
        site_addr,
        collect_addr,
        threads,
    })
}
