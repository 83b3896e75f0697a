//! Timed polls: the server closes each when its time is up, as the chair would, also after a
//! restart (the open timed polls are read from the store when the server starts and after every
//! poll opened with a duration). Each is waited for once; closing one already closed records
//! nothing, so a chair closing it first, or two waits racing, is harmless.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use phonghop_core::{Actor, Request};
use phonghop_protocol::{MeetingId, PollId, UserId};

use crate::auth::unix_now;
use crate::writer::Origin;
use crate::App;

/// The polls a wait has been started for.
#[derive(Debug, Default)]
pub struct TimedPolls {
    waiting: Mutex<HashSet<(MeetingId, PollId)>>,
}

/// Whoever closes a poll on time: the server itself, which is no member (the decision for
/// `CloseOnTime` asks for none).
const SERVER: Actor = Actor {
    user: UserId(0),
    name: String::new(),
    is_admin: false,
};

/// Starts a wait for every open timed poll that has none yet.
pub async fn watch(app: &App) -> Result<(), phonghop_store::StoreError> {
    for (meeting, poll, closes_at) in app.store.timed_open_polls().await? {
        let fresh = app
            .timed_polls
            .waiting
            .lock()
            .expect("timed polls lock")
            .insert((meeting, poll));
        if fresh {
            let app = app.clone();
            tokio::spawn(async move { close_at(app, meeting, poll, closes_at).await });
        }
    }
    Ok(())
}

async fn close_at(app: App, meeting: MeetingId, poll: PollId, closes_at: i64) {
    let wait = u64::try_from(closes_at - unix_now()).unwrap_or(0);
    tokio::time::sleep(Duration::from_secs(wait)).await;
    // The clock may run a little behind the timer: wait until the decision sees the time up.
    while unix_now() < closes_at {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    match app
        .writer
        .submit(
            meeting,
            SERVER,
            Origin::server(),
            None,
            Request::CloseOnTime { poll_id: poll },
        )
        .await
    {
        Ok(done) if !done.events.is_empty() => {
            tracing::info!(%meeting, %poll, "a timed poll closed on time");
            crate::records::make_soon(&app, meeting, poll);
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(%meeting, %poll, error = %error.0.detail, "a timed poll could not be closed"),
    }
    app.timed_polls
        .waiting
        .lock()
        .expect("timed polls lock")
        .remove(&(meeting, poll));
}
