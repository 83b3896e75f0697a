//! Carrying out a command in a meeting: authorisation by role, the change, the ack. Shared by
//! the WebSocket and `POST /api/meetings/{id}/commands`.

use phonghop_core::agenda::check_title;
use phonghop_protocol::{Command, CommandResult, ErrorCode, Role};
use phonghop_store::{Receipt, StoreError};

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::App;

/// Carries out `command` for `user`. The result is recorded under the command id in the same
/// transaction as the change, so a command id already carried out gets its first answer again
/// and nothing happens twice (a resend after a lost ack, or two copies at once).
pub async fn execute(
    app: &App,
    user: &AuthUser,
    meeting_id: u32,
    command_id: &str,
    command: Command,
) -> ApiResult<CommandResult> {
    if command_id.is_empty() || command_id.len() > 128 {
        return Err(ApiError::new(
            ErrorCode::InvalidMessage,
            "a command id is 1 to 128 characters",
        ));
    }
    let role = app
        .store
        .member_role(meeting_id, user.id())
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such meeting for this user"))?;
    let receipt = Receipt {
        user_id: user.id(),
        command_id: command_id.to_owned(),
    };
    match carry_out(app, user, role, meeting_id, command, &receipt).await {
        Err(CarryOutError::Store(StoreError::AlreadyProcessed(previous))) => {
            serde_json::from_str(&previous).map_err(|err| ApiError::new(ErrorCode::Internal, err.to_string()))
        }
        Err(CarryOutError::Store(error)) => Err(error.into()),
        Err(CarryOutError::Refused(error)) => Err(error),
        Ok(result) => Ok(result),
    }
}

/// A command refused before it reached the store, or the store's answer (which may be that the
/// command was already carried out).
enum CarryOutError {
    Refused(ApiError),
    Store(StoreError),
}

impl From<ApiError> for CarryOutError {
    fn from(error: ApiError) -> Self {
        CarryOutError::Refused(error)
    }
}

impl From<StoreError> for CarryOutError {
    fn from(error: StoreError) -> Self {
        CarryOutError::Store(error)
    }
}

fn require(allowed: bool, what: &str) -> ApiResult<()> {
    if allowed {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::Forbidden, format!("this role may not {what}")))
    }
}

fn title(text: &str) -> ApiResult<String> {
    check_title(text)
        .map(str::to_owned)
        .map_err(|reason| ApiError::new(ErrorCode::InvalidCommand, reason))
}

async fn carry_out(
    app: &App,
    user: &AuthUser,
    role: Role,
    meeting_id: u32,
    command: Command,
    receipt: &Receipt,
) -> Result<CommandResult, CarryOutError> {
    let store = &app.store;
    let receipt = Some(receipt);
    let (seq, _event) = match command {
        Command::AddAgendaItem {
            title: text,
            description,
        } => {
            require(role.prepares_agenda(), "change the agenda")?;
            let text = title(&text)?;
            app.hub
                .logged(meeting_id, || {
                    store.add_agenda_item(meeting_id, &text, description.trim(), receipt)
                })
                .await?
        }
        Command::EditAgendaItem {
            item_id,
            title: text,
            description,
        } => {
            require(role.prepares_agenda(), "change the agenda")?;
            let text = title(&text)?;
            app.hub
                .logged(meeting_id, || {
                    store.edit_agenda_item(meeting_id, item_id, &text, description.trim(), receipt)
                })
                .await?
        }
        Command::ReorderAgenda { item_ids } => {
            require(role.prepares_agenda(), "change the agenda")?;
            app.hub
                .logged(meeting_id, || store.reorder_agenda(meeting_id, &item_ids, receipt))
                .await?
        }
        Command::OpenPoll {
            item_id,
            title: text,
            rule,
        } => {
            require(role.runs_polls(), "open a poll")?;
            let text = title(&text)?;
            let rule = rule.unwrap_or_default();
            phonghop_core::rules::check_rule(&rule)
                .map_err(|err| ApiError::new(ErrorCode::InvalidCommand, err.to_string()))?;
            app.hub
                .logged(meeting_id, || {
                    store.open_poll(meeting_id, item_id, &text, rule, receipt)
                })
                .await?
        }
        Command::ClosePoll { poll_id } => {
            require(role.runs_polls(), "close a poll")?;
            app.hub
                .logged(meeting_id, || store.close_poll(meeting_id, poll_id, receipt))
                .await?
        }
        Command::CastBallot { poll_id, choice } => {
            if !role.votes() {
                return Err(ApiError::new(ErrorCode::NotAVoter, "").into());
            }
            store
                .cast_ballot(meeting_id, poll_id, user.id(), choice, receipt)
                .await?;
            app.hub.tally_changed(meeting_id, poll_id);
            return Ok(CommandResult::BallotRecorded { poll_id, choice });
        }
    };
    Ok(CommandResult::Logged { seq })
}
