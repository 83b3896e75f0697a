//! The rules of a phonghop meeting, with no I/O so each is testable with plain data.
//!
//! Layout:
//! - [`rules`]: majority and quorum decisions in exact integer arithmetic.
//! - [`mirror`]: applying log events to a [`phonghop_protocol::MeetingState`] (used by clients
//!   to follow the server, and by tests to check that replay equals snapshot).
//! - [`agenda`]: checks on agenda changes (a reorder names every item exactly once).

pub mod agenda;
pub mod mirror;
pub mod rules;
