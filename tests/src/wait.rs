//! Awaiting what a test expects, with a timeout, instead of sleeping and hoping.

use std::future::Future;
use std::time::Duration;

use anyhow::{anyhow, Context, Result};
use phonghop_client::{ConnectionState, MeetingSync, Mirror, Session, SyncEvent, SyncOptions};
use tokio::sync::{broadcast, watch};

/// How long any one expected thing may take on a loaded two-core machine.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Awaits `future` for at most [`TIMEOUT`]; `what` names it in the error.
pub async fn within<T>(what: &str, future: impl Future<Output = T>) -> Result<T> {
    tokio::time::timeout(TIMEOUT, future)
        .await
        .map_err(|_| anyhow!("timed out after {TIMEOUT:?} waiting for {what}"))
}

/// Awaits a mirror that satisfies `condition` and returns a copy of it.
pub async fn wait_for(
    mirror: &mut watch::Receiver<Mirror>,
    what: &str,
    condition: impl FnMut(&Mirror) -> bool,
) -> Result<Mirror> {
    let found = within(what, mirror.wait_for(condition)).await?;
    let found = found.map_err(|_| anyhow!("the sync task stopped while waiting for {what}"))?;
    Ok(found.clone())
}

/// The next sync event; missing events (a lagging receiver) are an error, not something to skip.
pub async fn next_event(events: &mut broadcast::Receiver<SyncEvent>, what: &str) -> Result<SyncEvent> {
    within(what, events.recv())
        .await?
        .with_context(|| format!("receiving sync events while waiting for {what}"))
}

/// Reconnects within a fraction of a second, so journeys through a cut network stay quick.
pub fn quick_reconnect() -> SyncOptions {
    SyncOptions {
        min_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(400),
    }
}

/// Starts following a meeting and waits until the mirror holds it and is live.
pub async fn start_synced(session: Session, meeting_id: phonghop_protocol::MeetingId) -> Result<MeetingSync> {
    let who = session.user.username.clone();
    let sync = MeetingSync::start(session, meeting_id, quick_reconnect());
    wait_for(
        &mut sync.mirror(),
        &format!("{who} to be live in meeting {meeting_id}"),
        |mirror| mirror.connection == ConnectionState::Online && mirror.state.is_some(),
    )
    .await?;
    Ok(sync)
}
