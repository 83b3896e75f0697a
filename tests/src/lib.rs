//! End-to-end journeys of phonghop: the real server binary, real clients over real WebSockets,
//! a real SQLite database in a temporary folder.
//!
//! Layout:
//! - [`server`]: [`TestServer`], the `phonghop-server` binary as a child process with its own data
//!   folder, councillors and meeting; it can be killed with SIGKILL and restarted on the same data.
//! - [`roster`]: the councillors CSV the server imports, with Vietnamese names.
//! - [`proxy`]: [`CuttableProxy`], a TCP proxy that can cut every connection, as a failing Wi-Fi does.
//! - [`raw`]: [`RawSocket`], a bare WebSocket that speaks the JSON frames by hand, for bad input.
//! - [`wait`]: awaiting a mirror condition or a sync event with a timeout; tests never sleep.

pub mod proxy;
pub mod raw;
pub mod roster;
pub mod server;
pub mod wait;

pub use proxy::CuttableProxy;
pub use raw::RawSocket;
pub use roster::Roster;
pub use server::{ServerOptions, TestServer};
pub use wait::{next_event, quick_reconnect, start_synced, wait_for, within, TIMEOUT};

/// The password every test account gets at import.
pub const PASSWORD: &str = "Hop-khong-giay-2026";

/// The shared corpus of real documents (`../shared/corpus` beside the project).
pub fn corpus_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus")
}
