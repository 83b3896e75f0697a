//! phonghop's sync client, used by the desktop app, the tests and the load tool.
//!
//! Layout:
//! - [`session`]: login and the HTTP API ([`Session`]).
//! - [`sync`]: [`MeetingSync`], a task that follows one meeting over the WebSocket: mirror,
//!   reconnect with backoff and jitter, resume from the last seq, an outbox of unacknowledged
//!   commands resent in order, a new session after the old one ended; over a [`Connector`].
//! - [`annotations`]: the reader's annotations: saved on the laptop first, listed per document,
//!   synced with the server (an outbox out, others' changes merged in, the later change winning).
//! - [`carry`]: the reader's annotations carried onto a document's new revision (what cannot be
//!   placed is listed, never dropped).
//! - [`cache`]: [`DocumentCache`], documents downloaded ahead (resumed with `Range` after a
//!   cut) and verified by SHA-256, so they stay readable when the server goes away; which
//!   meetings are kept and what they take; read receipts waiting for the server; all of it
//!   encrypted at rest under a key the councillor's password unlocks.
//! - [`packet`]: the meeting packet, every document of the followed meeting brought onto the
//!   laptop in the background ([`Seat::keep_meeting_on_laptop`]).
//! - [`seat`]: [`Seat`], one councillor's session, followed meeting and cache, with the views
//!   the desktop app shows.
//! - [`tls`]: the server's certificate pinned by its fingerprint: the HTTP client, the WebSocket's
//!   TLS, probing a new server's fingerprint for a person to compare; [`handover`]: moving the
//!   pin along the server's signed hand-over when the secretariat rotated its certificate.
//! - [`error`]: [`ClientError`] and [`UserFacingError`], what a person is shown.
//!
//! **API boundary:** nothing here knows about Tauri; the app's commands are thin calls into it.

pub mod annotations;
pub mod cache;
pub mod carry;
pub mod error;
pub mod handover;
pub mod packet;
pub mod seat;
pub mod session;
pub mod sync;
pub mod tls;

pub use cache::DocumentCache;
pub use error::{ClientError, UserFacingError};
pub use seat::Seat;
pub use session::Session;
pub use sync::{
    CommandSender, ConnectionState, Connector, MeetingSync, Mirror, Network, SavedMirror, SyncEvent, SyncOptions,
    WsError,
};
