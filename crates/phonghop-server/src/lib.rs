//! phonghop's session server as a library, so tests and the binary start the same thing.
//!
//! Layout:
//! - [`config`]: where data lives and the limits the server enforces.
//! - [`app`]: the shared state every handler gets, and [`serve`].
//! - [`error`]: [`ApiError`], one error type that decides HTTP status and what a client sees.
//! - [`auth`]: logging in, session tokens, the login limits, the `Bearer` extractor.
//! - [`passwords`]: argon2id checks on a few threads behind a short queue.
//! - [`writer`]: the one task that changes meetings: load, decide, append (with its audit lines), broadcast, answer.
//! - [`audit`]: the audit trail: logins and accounts recorded, the trail shown and exported.
//! - [`hub`]: per-meeting broadcast of log events and coalesced live tallies.
//! - [`instances`]: several instances on one PostgreSQL database: the others' changes brought here.
//! - [`commands`]: carrying out a [`phonghop_protocol::Command`], shared by HTTP and WebSocket.
//! - [`ws`]: one WebSocket connection: authenticate, subscribe (replay or snapshot), commands.
//! - [`api`]: the HTTP routes.
//! - [`hall`]: the hall screen's page, served from the binary, and its read-only codes.
//! - [`opinions`]: written opinions (góp ý): sent by members, read and exported by the secretariat.
//! - [`search`]: a search's answer: passages around the matches, and where they are.
//! - [`annotations`]: syncing a member's annotations: only their own stored, others' only while shared.
//! - [`ingest`]: uploads: size limit, hashing, PDFium indexing in a child process, blob files.
//! - [`blobs`]: blob files on disk and serving them with `ETag` and `Range`.
//! - [`hot_blobs`]: the blobs being downloaded, kept in memory up to a budget.
//! - [`hot_folder`]: `serve --watch`: Word and PDF files dropped into a folder taken in as uploads.
//! - [`demo`]: the demo meeting and the councillors of a CSV file.
//! - [`devices`]: the laptops logins name; the secretariat lists and revokes them.
//! - [`tls`]: the server's certificate (made, kept, or the operator's), its fingerprint, HTTPS/WSS.
//!
//! **Architecture invariant:** the server is the single source of truth, and it decides nothing
//! itself: every change is decided by `phonghop_core::decide` in the [`writer`], committed, then
//! broadcast in `seq` order and answered. Nothing is acknowledged before it is committed.

pub mod annotations;
pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
pub mod blobs;
pub mod commands;
pub mod config;
pub mod demo;
pub mod devices;
pub mod error;
pub mod hall;
pub mod headers;
pub mod hot_blobs;
pub mod hot_folder;
pub mod hub;
pub mod ingest;
pub mod instances;
pub mod member_import;
pub mod office;
pub mod opinions;
pub mod passwords;
pub mod records;
pub mod search;
pub mod timed_polls;
pub mod tls;
pub mod writer;
pub mod ws;

pub use app::{serve, App};
pub use config::Config;
pub use error::ApiError;
