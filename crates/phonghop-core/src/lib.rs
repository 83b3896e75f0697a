//! The rules of a phonghop meeting, with no I/O so each is testable with plain data.
//!
//! A meeting follows the decider shape: [`decide()`] answers a [`Request`] by an [`Actor`] against
//! a [`MeetingModel`] with the [`Fact`]s to record (or a [`Refusal`]); [`MeetingModel::apply`]
//! moves the model on by them; [`mirror::apply`] moves a client's mirror on by the logged events.
//! The server loads, decides, appends, broadcasts; the store records; the app shows. None of them
//! re-derives who may do what.
//!
//! Layout:
//! - [`decide`](mod@decide): the decider, and the result a command is answered with.
//! - [`model`]: the state decisions read, the facts they produce, and applying them.
//! - [`roles`]: what each role may do ([`roles::Capabilities`]).
//! - [`rules`]: a poll's outcome by its majority and quorum rule, in exact integer arithmetic.
//! - [`ballots`]: what a ballot may ask (motion, options, election, confidence vote) and say.
//! - [`floor`]: the speaking queue: who waits, in what order, and who has the floor.
//! - [`text`]: what titles, descriptions and file names may be.
//! - [`search`]: folding Vietnamese text as people type it (no accents, any case, `d` for `đ`).
//! - [`agenda`]: a reorder names every item exactly once.
//! - [`audit`]: what a decision adds to the audit trail, and its hash chain.
//! - [`changes`]: what changed between two revisions of a document, page by page and passage by
//!   passage, from the text PDFium extracted ([`revision_changes`]).
//! - [`annotations`]: what an annotation a member sends may be, and which of two changes wins.
//! - [`anchoring`]: carrying annotations onto a document's next revision: which characters of
//!   which page their quoted words are now ([`anchoring::locate`], [`anchoring::carry_over`]), or
//!   why they cannot be placed.
//! - [`mirror`]: applying log events to a client's [`phonghop_protocol::MeetingState`].

pub mod agenda;
pub mod anchoring;
pub mod annotations;
pub mod attendance;
pub mod audit;
pub mod ballots;
pub mod changes;
pub mod decide;
pub mod floor;
pub mod mirror;
pub mod model;
pub mod presets;
pub mod record;
pub mod roles;
pub mod rules;
pub mod search;
pub mod text;

pub use changes::revision_changes;
pub use decide::{command_result, decide, decide_at, Actor, NewDocument, NewFile, NewRevision, Refusal, Request};
pub use model::{Fact, IndexedPage, LastIds, MeetingModel, PollRoll, RollEntry};
