//! phonghop's session server as a library, so tests and the binary start the same thing.
//!
//! Layout:
//! - [`config`]: where data lives and the limits the server enforces.
//! - [`app`]: the shared state every handler gets, and [`serve`].
//! - [`error`]: [`ApiError`], one error type that decides HTTP status and what a client sees.
//! - [`auth`]: passwords (argon2id), session tokens, login rate limit, the `Bearer` extractor.
//! - [`hub`]: per-meeting broadcast of log events and coalesced live tallies.
//! - [`commands`]: carrying out a [`phonghop_protocol::Command`], shared by HTTP and WebSocket.
//! - [`ws`]: one WebSocket connection: authenticate, subscribe (replay or snapshot), commands.
//! - [`api`]: the HTTP routes.
//! - [`ingest`]: uploads: size limit, hashing, PDFium indexing in a child process, blob files.
//! - [`blobs`]: blob files on disk and serving them with `ETag` and `Range`.
//! - [`demo`]: the demo meeting and the councillors of a CSV file.
//!
//! **Architecture invariant:** the server is the single source of truth. A command's event is
//! broadcast only after it is committed, and under the meeting's order lock, so every client
//! sees events in `seq` order with no gaps.

pub mod api;
pub mod app;
pub mod auth;
pub mod blobs;
pub mod commands;
pub mod config;
pub mod demo;
pub mod error;
pub mod hub;
pub mod ingest;
pub mod ws;

pub use app::{serve, App};
pub use config::Config;
pub use error::ApiError;
