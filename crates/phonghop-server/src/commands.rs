//! Carrying out a command from the wire, shared by the WebSocket and
//! `POST /api/meetings/{id}/commands`: the command id is checked, then the [`crate::writer`]
//! decides, commits and answers.

use phonghop_core::Request;
use phonghop_protocol::{Command, CommandResult, ErrorCode, MeetingId};
use phonghop_store::Receipt;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::App;

/// Longest command id, in bytes (UTF-8).
pub const MAX_COMMAND_ID_BYTES: usize = 128;

/// Carries out `command` for `user`. The result is recorded under the command id in the same
/// transaction as the change, so a command id already carried out gets its first answer again
/// and nothing happens twice (a resend after a lost ack, or two copies at once).
pub async fn execute(
    app: &App,
    user: &AuthUser,
    meeting: MeetingId,
    command_id: &str,
    command: Command,
) -> ApiResult<CommandResult> {
    if command_id.is_empty() || command_id.len() > MAX_COMMAND_ID_BYTES {
        return Err(ApiError::new(
            ErrorCode::InvalidMessage,
            format!(
                "a command id is 1 to {MAX_COMMAND_ID_BYTES} bytes; this one has {}",
                command_id.len()
            ),
        ));
    }
    let receipt = Receipt {
        user: user.id(),
        command_id: command_id.to_owned(),
    };
    let closed = match &command {
        Command::ClosePoll { poll_id } => Some(*poll_id),
        _ => None,
    };
    let timed = matches!(
        command,
        Command::OpenPoll {
            ballot: None,
            duration_seconds: Some(_),
            ..
        }
    );
    let done = app
        .writer
        .submit(
            meeting,
            user.actor(),
            user.origin(),
            Some(receipt),
            Request::Command(command),
        )
        .await?;
    if let Some(poll) = closed {
        crate::records::make_soon(app, meeting, poll);
    }
    if timed {
        // The poll is open either way; without the wait it closes when the server next starts.
        if let Err(error) = crate::timed_polls::watch(app).await {
            tracing::warn!(%meeting, %error, "a timed poll is not waited for");
        }
    }
    Ok(done.result)
}
