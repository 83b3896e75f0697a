//! One WebSocket connection: `authenticate`, `subscribe` (replay or snapshot, then live), and
//! commands. A bad frame gets an error frame and the connection carries on.
//!
//! The connection is generic over its socket (any `Stream` + `Sink` of WebSocket messages), so
//! it runs the same over axum's WebSocket and over channels in a test.
//!
//! When the session expires while the socket is open, the connection sends one
//! `error {id: null, code: token_expired}`, ends its subscription and forgets the user; the
//! client logs in again, authenticates and subscribes from its last seq.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::Message;
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use phonghop_core::Request;
use phonghop_protocol::{
    decode_client_frame, ClientMessage, ErrorCode, ErrorFrame, MeetingId, MyBallot, ServerFrame, ServerMessage,
    MAX_FRAME_BYTES, PROTOCOL_VERSION,
};
use tokio::sync::broadcast;

use crate::auth::{unix_now, user_for_token, AuthUser};
use crate::error::ApiError;
use crate::hub::{Frame, Snapshot};
use crate::writer::Origin;
use crate::App;

/// Frames larger than this close the connection outright (tungstenite refuses to buffer them);
/// frames between [`MAX_FRAME_BYTES`] and this get a `frame_too_large` error and the
/// connection stays.
pub const HARD_FRAME_LIMIT: usize = 1024 * 1024;

/// The read buffer of a connection: client frames are small; larger ones are read in pieces.
pub const READ_BUFFER_BYTES: usize = 4 * 1024;

/// What a WebSocket connection runs over.
pub trait FrameSocket:
    Stream<Item = Result<Message, axum::Error>> + Sink<Message, Error = axum::Error> + Unpin + Send
{
}

impl<T> FrameSocket for T where
    T: Stream<Item = Result<Message, axum::Error>> + Sink<Message, Error = axum::Error> + Unpin + Send
{
}

struct Subscription {
    meeting_id: MeetingId,
    frames: broadcast::Receiver<Frame>,
    /// The seq the catch-up reached: log frames up to it were already sent.
    caught_up_to: u32,
}

struct Connection<S> {
    app: App,
    socket: S,
    user: Option<AuthUser>,
    /// Where the connection comes from, for the audit trail.
    peer: Option<IpAddr>,
    /// Word of revoked laptops, while the user's session names its laptop.
    device_revocations: Option<broadcast::Receiver<Arc<str>>>,
    /// Set when a hall screen authenticated with a hall link's code: the one meeting it may
    /// follow (it sends no command), until the code expires or is revoked.
    hall: Option<HallScreen>,
    subscription: Option<Subscription>,
}

/// A hall screen's access: its meeting, when its code expires, and word of revoked codes.
struct HallScreen {
    meeting_id: MeetingId,
    expires_at: i64,
    code_hash: [u8; 32],
    revocations: broadcast::Receiver<MeetingId>,
}

/// Serves one upgraded WebSocket until the client leaves or the socket fails.
pub async fn run<S: FrameSocket>(app: App, socket: S, peer: Option<IpAddr>) {
    let mut connection = Connection {
        app,
        socket,
        user: None,
        peer,
        device_revocations: None,
        hall: None,
        subscription: None,
    };
    if let Err(error) = connection.serve().await {
        tracing::debug!(%error, "websocket closed");
    }
}

impl<S: FrameSocket> Connection<S> {
    async fn serve(&mut self) -> Result<(), axum::Error> {
        // One timer for the session's expiry, reset only when the session changes: re-armed on
        // every loop it would cost a timer-wheel insert per frame per connection.
        let expiry = tokio::time::sleep(Duration::ZERO);
        tokio::pin!(expiry);
        let mut armed_for = None;
        loop {
            let expires_at = match (&self.user, &self.hall) {
                (Some(user), _) => Some(user.expires_at),
                (None, Some(hall)) => Some(hall.expires_at),
                (None, None) => None,
            };
            if expires_at != armed_for {
                if let Some(at) = expires_at {
                    expiry.as_mut().reset(deadline(at));
                }
                armed_for = expires_at;
            }
            tokio::select! {
                incoming = self.socket.next() => {
                    let Some(message) = incoming else { return Ok(()) };
                    match message? {
                        Message::Text(text) => self.on_text(text.as_str()).await?,
                        Message::Binary(_) => {
                            self.send_error(None, ErrorFrame::new(ErrorCode::MalformedFrame, "frames are JSON text, not binary")).await?
                        }
                        Message::Close(_) => return Ok(()),
                        Message::Ping(_) | Message::Pong(_) => {}
                    }
                }
                frame = next_frame(&mut self.subscription) => self.on_broadcast(frame).await?,
                () = &mut expiry, if armed_for.is_some() => self.session_expired().await?,
                maybe = next_revocation(&mut self.hall) => {
                    if maybe {
                        self.check_hall_code().await?;
                    }
                }
                device = next_device_revocation(&mut self.device_revocations) => {
                    let revoked = self.user.as_ref().and_then(|user| user.device.clone());
                    if revoked.is_some_and(|own| own == device) {
                        self.device_revoked().await?;
                    }
                }
            }
        }
    }

    /// The session (or the hall screen's code) ended while the socket was open: say so once,
    /// and stop serving it.
    async fn session_expired(&mut self) -> Result<(), axum::Error> {
        self.user = None;
        self.hall = None;
        self.subscription = None;
        let error = ErrorFrame::new(
            ErrorCode::TokenExpired,
            "the session expired; log in and authenticate again",
        );
        self.send_error(None, error).await
    }

    /// The secretariat revoked this session's laptop: say so once and stop serving it.
    async fn device_revoked(&mut self) -> Result<(), axum::Error> {
        self.user = None;
        self.subscription = None;
        self.device_revocations = None;
        let error = ErrorFrame::new(ErrorCode::DeviceRevoked, "this laptop was revoked");
        self.send_error(None, error).await
    }

    /// Codes of the hall screen's meeting were revoked (or word of some was missed): unless its
    /// own code is still valid, say so once and stop serving it.
    async fn check_hall_code(&mut self) -> Result<(), axum::Error> {
        let Some(hall) = &self.hall else { return Ok(()) };
        match self.app.store.hall_link(&hall.code_hash).await {
            Ok(Some(_)) => return Ok(()),
            Ok(None) => {}
            Err(error) => tracing::warn!(%error, "a hall screen's code could not be checked; closing it"),
        }
        self.hall = None;
        self.subscription = None;
        let error = ErrorFrame::new(ErrorCode::Unauthenticated, "the hall screen's code was revoked");
        self.send_error(None, error).await
    }

    async fn on_broadcast(&mut self, frame: Result<Frame, broadcast::error::RecvError>) -> Result<(), axum::Error> {
        match frame {
            Ok(frame) => self.forward(frame).await,
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                // Too slow to keep up: start over from a snapshot rather than slow the others.
                tracing::info!(missed, "subscriber lagged; resending a snapshot");
                let meeting_id = self.subscription.as_ref().map(|s| s.meeting_id).unwrap_or_default();
                self.subscribe(meeting_id, None).await
            }
            Err(broadcast::error::RecvError::Closed) => {
                self.subscription = None;
                Ok(())
            }
        }
    }

    /// Sends a broadcast frame unless the catch-up already carried it.
    async fn forward(&mut self, frame: Frame) -> Result<(), axum::Error> {
        let caught_up_to = self.subscription.as_ref().map_or(0, |s| s.caught_up_to);
        if frame.seq.is_some_and(|seq| seq <= caught_up_to) {
            return Ok(());
        }
        self.socket.send(Message::Text(frame.text)).await
    }

    /// Sends the broadcast frames already waiting for this connection.
    async fn forward_pending(&mut self) -> Result<(), axum::Error> {
        loop {
            let Some(subscription) = self.subscription.as_mut() else {
                return Ok(());
            };
            match subscription.frames.try_recv() {
                Ok(frame) => self.forward(frame).await?,
                Err(broadcast::error::TryRecvError::Empty) | Err(broadcast::error::TryRecvError::Closed) => {
                    return Ok(())
                }
                Err(broadcast::error::TryRecvError::Lagged(missed)) => {
                    return self
                        .on_broadcast(Err(broadcast::error::RecvError::Lagged(missed)))
                        .await
                }
            }
        }
    }

    async fn send(&mut self, message: ServerMessage) -> Result<(), axum::Error> {
        self.socket
            .send(Message::Text(ServerFrame::new(message).to_json().into()))
            .await
    }

    async fn send_error(&mut self, id: Option<String>, error: ErrorFrame) -> Result<(), axum::Error> {
        self.send(ServerMessage::Error { id, error }).await
    }

    async fn on_text(&mut self, text: &str) -> Result<(), axum::Error> {
        if text.len() > MAX_FRAME_BYTES {
            let detail = format!("{} bytes; the limit is {MAX_FRAME_BYTES}", text.len());
            let error = ErrorFrame::new(ErrorCode::FrameTooLarge, detail);
            return self.send_error(command_id_of(text), error).await;
        }
        let message = match decode_client_frame(text) {
            Ok(message) => message,
            Err(error) => return self.send_error(command_id_of(text), error).await,
        };
        match message {
            ClientMessage::Ping => self.send(ServerMessage::Pong).await,
            ClientMessage::Authenticate { token } => self.authenticate(&token).await,
            ClientMessage::Subscribe { meeting_id, since_seq } => self.subscribe(meeting_id, since_seq).await,
            ClientMessage::Command {
                id,
                meeting_id,
                command,
            } => {
                if self.hall.is_some() {
                    let error = ErrorFrame::new(ErrorCode::Forbidden, "a hall screen only shows the meeting");
                    return self.send_error(Some(id), error).await;
                }
                let user = match self.current_user() {
                    Ok(user) => user,
                    Err(error) => return self.send_error(Some(id), error).await,
                };
                if self.subscription.as_ref().map(|s| s.meeting_id) != Some(meeting_id) {
                    let error = ErrorFrame::new(ErrorCode::NotSubscribed, format!("meeting {meeting_id}"));
                    return self.send_error(Some(id), error).await;
                }
                match crate::commands::execute(&self.app, &user, meeting_id, &id, command).await {
                    Ok(result) => {
                        // Forward the event this command logged before its ack, so a client has
                        // the change in its mirror by the time it hears the command succeeded.
                        self.forward_pending().await?;
                        self.send(ServerMessage::Ack { id, result }).await
                    }
                    Err(ApiError(error)) => self.send_error(Some(id), error).await,
                }
            }
        }
    }

    /// The authenticated user, or why there is none.
    fn current_user(&self) -> Result<AuthUser, ErrorFrame> {
        match &self.user {
            None => Err(ErrorFrame::new(ErrorCode::Unauthenticated, "authenticate first")),
            Some(user) if user.is_expired() => Err(ErrorFrame::new(ErrorCode::TokenExpired, "")),
            Some(user) => Ok(user.clone()),
        }
    }

    /// A successful `authenticate` by the same person keeps the subscription; by someone else,
    /// or a failed one, ends it.
    async fn authenticate(&mut self, token: &str) -> Result<(), axum::Error> {
        match user_for_token(&self.app, token).await {
            Ok(mut user) => {
                user.address = self.peer;
                self.device_revocations = user.device.as_ref().map(|_| self.app.device_revocations.subscribe());
                let view = user.record.view();
                if self.user.as_ref().map(AuthUser::id) != Some(user.id()) {
                    self.subscription = None;
                }
                self.user = Some(user);
                self.hall = None;
                self.send(ServerMessage::Welcome { user: view }).await
            }
            // Not a session: perhaps a hall screen's code.
            Err(ApiError(error)) if error.code == ErrorCode::Unauthenticated => {
                match crate::hall::meeting_for_code(&self.app, token).await {
                    Ok(Some((meeting_id, expires_at))) => {
                        if self.hall.as_ref().map(|hall| hall.meeting_id) != Some(meeting_id) {
                            self.subscription = None;
                        }
                        self.user = None;
                        self.hall = Some(HallScreen {
                            meeting_id,
                            expires_at,
                            code_hash: crate::hall::code_hash(token),
                            revocations: self.app.hall_revocations.subscribe(),
                        });
                        self.send(ServerMessage::Welcome {
                            user: crate::hall::viewer(),
                        })
                        .await
                    }
                    Ok(None) => {
                        self.user = None;
                        self.hall = None;
                        self.subscription = None;
                        self.send_error(None, error).await
                    }
                    Err(ApiError(lookup)) => self.send_error(None, lookup).await,
                }
            }
            Err(ApiError(error)) => {
                self.user = None;
                self.subscription = None;
                self.send_error(None, error).await
            }
        }
    }

    /// Starts following a meeting: replays what the client missed when that is short, else
    /// sends a snapshot; then marks the switch to live events. Subscribing is not checking in.
    async fn subscribe(&mut self, meeting_id: MeetingId, since_seq: Option<u32>) -> Result<(), axum::Error> {
        let hall = self.hall.as_ref().map(|hall| hall.meeting_id);
        let (viewer, following) = match (hall, self.current_user()) {
            // A hall screen sees its own meeting only, as if no other existed.
            (Some(hall), _) if hall != meeting_id => {
                let error = ErrorFrame::new(ErrorCode::NotFound, "no such meeting for this hall screen");
                return self.send_error(None, error).await;
            }
            (Some(_), _) => (None, Request::Watch),
            (None, Ok(user)) => (Some(user), Request::Follow),
            (None, Err(error)) => return self.send_error(None, error).await,
        };
        // A stranger is refused as `not_found`. It also makes the writer load the meeting, so
        // its snapshot is ready below.
        let actor = viewer.as_ref().map_or_else(hall_actor, AuthUser::actor);
        let origin = viewer.as_ref().map_or_else(Origin::server, AuthUser::origin);
        let following = self.app.writer.submit(meeting_id, actor, origin, None, following).await;
        if let Err(ApiError(error)) = following {
            return self.send_error(None, error).await;
        }
        // Listen before reading the catch-up, so nothing committed in between is missed; frames
        // the catch-up already holds are skipped by their seq.
        let channel = self.app.hub.channel(meeting_id);
        let frames = channel.subscribe();
        let Some(snapshot) = channel.latest() else {
            let error = ErrorFrame::new(ErrorCode::Internal, "the meeting is not loaded");
            return self.send_error(None, error).await;
        };
        let viewer_id = viewer.as_ref().map(AuthUser::id);
        match catch_up(&self.app, meeting_id, since_seq, viewer_id, &snapshot).await {
            Ok((frames_now, my_ballots)) => {
                self.subscription = Some(Subscription {
                    meeting_id,
                    frames,
                    caught_up_to: snapshot.seq,
                });
                for text in frames_now {
                    self.socket.send(Message::Text(text.into())).await?;
                }
                self.send(ServerMessage::Live {
                    meeting_id,
                    seq: snapshot.seq,
                    my_ballots,
                })
                .await
            }
            Err(ApiError(error)) => self.send_error(None, error).await,
        }
    }
}

/// Who a hall screen watches as: no account.
fn hall_actor() -> phonghop_core::Actor {
    phonghop_core::Actor {
        user: phonghop_protocol::UserId(0),
        name: String::new(),
        is_admin: false,
    }
}

/// The frames that bring a client from `since_seq` to `snapshot`, and the caller's ballots (a
/// hall screen, `viewer` `None`, has none).
async fn catch_up(
    app: &App,
    meeting_id: MeetingId,
    since_seq: Option<u32>,
    viewer: Option<phonghop_protocol::UserId>,
    snapshot: &Snapshot,
) -> Result<(Vec<String>, Vec<MyBallot>), ApiError> {
    let seq = snapshot.seq;
    let my_ballots = match viewer {
        Some(user) if snapshot.has_polls => app.store.my_ballots(meeting_id, user).await?,
        _ => vec![],
    };
    if let Some(since) = since_seq.filter(|since| *since <= seq && seq - since <= app.config.max_replay) {
        let events = app.store.events_after(meeting_id, since, seq - since).await?;
        let replay = events
            .into_iter()
            .map(|(seq, event)| ServerMessage::Event { meeting_id, seq, event })
            // Tallies are not in the log: bring the open polls' counts up to date too.
            .chain(
                snapshot
                    .open_tallies
                    .iter()
                    .map(|(poll_id, tally)| ServerMessage::Tally {
                        meeting_id,
                        poll_id: *poll_id,
                        tally: tally.clone(),
                    }),
            )
            .map(|message| ServerFrame::new(message).to_json())
            .collect();
        return Ok((replay, my_ballots));
    }
    Ok((vec![snapshot_frame(meeting_id, snapshot, &my_ballots)], my_ballots))
}

/// The `snapshot` frame, built around the state serialized once for every subscriber.
fn snapshot_frame(meeting_id: MeetingId, snapshot: &Snapshot, my_ballots: &[MyBallot]) -> String {
    let my_ballots = serde_json::to_string(my_ballots).expect("ballots serialize");
    format!(
        r#"{{"v":{PROTOCOL_VERSION},"type":"snapshot","meeting_id":{meeting_id},"seq":{},"state":{},"my_ballots":{my_ballots}}}"#,
        snapshot.seq, snapshot.state_json
    )
}

/// The `id` of a command frame that could not be decoded, so its sender can match the error
/// to the command instead of waiting for an answer forever.
fn command_id_of(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value.get("id")?.as_str().map(str::to_owned)
}

/// The next broadcast frame, or never when there is no subscription.
async fn next_frame(subscription: &mut Option<Subscription>) -> Result<Frame, broadcast::error::RecvError> {
    match subscription {
        Some(subscription) => subscription.frames.recv().await,
        None => std::future::pending().await,
    }
}

/// The moment a session expiring at `expires_at` (Unix seconds) expires.
fn deadline(expires_at: i64) -> tokio::time::Instant {
    let left = u64::try_from(expires_at - unix_now()).unwrap_or(0);
    tokio::time::Instant::now() + Duration::from_secs(left)
}

/// Whether the hall screen's code may have been revoked: its meeting's codes were, or word of
/// some revocation was missed. Pending while not a hall screen.
/// The next laptop revoked, while a session with a laptop is being served.
async fn next_device_revocation(revocations: &mut Option<broadcast::Receiver<Arc<str>>>) -> Arc<str> {
    let Some(receiver) = revocations else {
        return std::future::pending().await;
    };
    loop {
        match receiver.recv().await {
            Ok(device) => return device,
            // A thousand laptops revoked at once: the session is checked at its next request.
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "word of revoked laptops was missed");
            }
            Err(broadcast::error::RecvError::Closed) => return std::future::pending().await,
        }
    }
}

async fn next_revocation(hall: &mut Option<HallScreen>) -> bool {
    let Some(hall) = hall else {
        return std::future::pending().await;
    };
    match hall.revocations.recv().await {
        Ok(meeting_id) => meeting_id == hall.meeting_id,
        Err(broadcast::error::RecvError::Lagged(_)) => true,
        Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phonghop_protocol::{Choice, Meeting, MeetingState, PollId};

    #[test]
    fn the_snapshot_frame_built_around_shared_json_is_the_typed_frame() {
        let state = MeetingState {
            meeting: Meeting {
                id: MeetingId(4),
                title: "Kỳ họp \"thứ\" Mười hai".into(),
                location: String::new(),
                starts_at: String::new(),
                kind: Default::default(),
            },
            items: vec![],
            polls: vec![],
            presets: vec![],
            quorum: None,
            attendance: vec![],
            current_item: None,
            floor: phonghop_protocol::Floor::default(),
            presenter: None,
            presenting: None,
            agenda_published: false,
        };
        let snapshot = Snapshot::of(17, &state);
        let my_ballots = vec![MyBallot {
            poll_id: PollId(2),
            choice: Some(Choice::No),
            marks: None,
        }];
        let text = snapshot_frame(MeetingId(4), &snapshot, &my_ballots);
        let parsed: ServerFrame = serde_json::from_str(&text).unwrap();
        let typed = ServerFrame::new(ServerMessage::Snapshot {
            meeting_id: MeetingId(4),
            seq: 17,
            state: Box::new(state),
            my_ballots,
        });
        assert_eq!(parsed, typed);
    }
}
