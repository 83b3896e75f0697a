//! Wire types of phonghop: everything that crosses the network between server and clients.
//!
//! Layout:
//! - [`annotation`]: highlights, ink and notes, and how the server hands them out.
//! - [`ids`]: identifiers as types (`MeetingId`, `PollId`, …) and the checked [`Sha256`].
//! - [`model`]: the meeting as clients see it (agenda items, documents, polls, tallies).
//! - [`rule`]: majority and quorum rules, as data (the arithmetic lives in `phonghop-core`).
//! - [`message`]: WebSocket frames in both directions, commands and events, and frame decoding.
//! - [`error`]: the one closed [`ErrorCode`] enum, each code with a Vietnamese and an English text.
//! - [`http`]: bodies of the HTTP endpoints.
//!
//! **Architecture invariant:** this crate has no I/O and no logic beyond decoding; the TypeScript
//! types in `ui/src/lib/protocol/` are generated from it by `cargo test -p phonghop-protocol`.

pub mod annotation;
pub mod error;
pub mod http;
pub mod ids;
pub mod message;
pub mod model;
pub mod rule;

pub use annotation::{Annotation, AnnotationBody, AnnotationId, AnnotationView, PagePoint, PageRect, TextQuote};
pub use error::{ErrorCode, ErrorFrame};
pub use ids::{DocumentId, ItemId, MeetingId, PollId, Sha256, UserId};
pub use message::{
    decode_client_frame, ClientFrame, ClientMessage, Command, CommandResult, MeetingEvent, ServerFrame, ServerMessage,
};
pub use model::*;
pub use rule::{Base, Comparison, Fraction, LegalSource, MajorityRule, MeetingKind, Outcome, RuleBasis, RulePreset};

/// The protocol version every frame carries in its `v` field.
pub const PROTOCOL_VERSION: u32 = 1;

/// Largest WebSocket text frame the server reads; larger ones get [`ErrorCode::FrameTooLarge`].
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
