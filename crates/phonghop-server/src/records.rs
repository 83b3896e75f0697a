//! Result records of closed polls (biên bản kết quả biểu quyết): made and signed with the
//! server's record key as soon as a poll closes (or when first asked for), kept as first made,
//! and served as CSV and PDF to the meeting's members. The key is made on first start in the data
//! folder; its public half is served at `GET /api/records/key` and logged at start.

use phonghop_protocol::{ErrorCode, MeetingId, PollId, PollState};
use phonghop_record::{make, RecordKey};

use crate::error::{ApiError, ApiResult};
use crate::App;

/// The record key's file in the data folder.
pub const KEY_FILE: &str = "record-signing.key";

/// The kept record of a poll (CSV, PDF), made and kept first if need be.
pub async fn record(app: &App, meeting: MeetingId, poll: PollId) -> ApiResult<(Vec<u8>, Vec<u8>)> {
    if let Some(kept) = app.store.poll_record(meeting, poll).await? {
        return Ok(kept);
    }
    let Some(facts) = app.store.poll_record_facts(meeting, poll).await? else {
        let state = app.store.load(meeting).await?.model.poll(poll).map(|poll| poll.state);
        return Err(match state {
            Some(PollState::Cancelled) => ApiError::new(
                ErrorCode::PollCancelled,
                format!("poll {poll} was cancelled: it has no record"),
            ),
            Some(_) => ApiError::new(
                ErrorCode::PollOpen,
                format!("poll {poll} is still open: its record is made when it closes"),
            ),
            None => ApiError::new(ErrorCode::NotFound, format!("no poll {poll} in this meeting")),
        });
    };
    let key: RecordKey = app.record_key.as_ref().clone();
    let made = tokio::task::spawn_blocking(move || make(&facts, &key))
        .await
        .map_err(|error| ApiError::new(ErrorCode::Internal, format!("making the record stopped: {error}")))?
        .map_err(|error| ApiError::new(ErrorCode::Internal, error.to_string()))?;
    Ok(app.store.keep_poll_record(meeting, poll, &made.csv, &made.pdf).await?)
}

/// Makes the record of a poll just closed, in the background, so it is ready when asked for.
pub fn make_soon(app: &App, meeting: MeetingId, poll: PollId) {
    let app = app.clone();
    tokio::spawn(async move {
        if let Err(error) = record(&app, meeting, poll).await {
            tracing::warn!(%meeting, %poll, error = %error.0.detail, "the record of a closed poll was not made");
        }
    });
}
