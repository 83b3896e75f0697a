//! One WebSocket connection: `authenticate`, `subscribe` (replay or snapshot, then live), and
//! commands. A bad frame gets an error frame and the connection carries on.

use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket};
use phonghop_protocol::{
    decode_client_frame, ClientMessage, ErrorCode, ErrorFrame, MyBallot, PollState, ServerFrame, ServerMessage,
    MAX_FRAME_BYTES,
};
use tokio::sync::broadcast;

use crate::auth::{user_for_token, AuthUser};
use crate::error::ApiError;
use crate::App;

/// Frames larger than this close the connection outright (tungstenite refuses to buffer them);
/// frames between [`MAX_FRAME_BYTES`] and this get a `frame_too_large` error and the
/// connection stays.
pub const HARD_FRAME_LIMIT: usize = 1024 * 1024;

struct Subscription {
    meeting_id: u32,
    frames: broadcast::Receiver<Arc<str>>,
}

struct Connection {
    app: App,
    socket: WebSocket,
    user: Option<AuthUser>,
    subscription: Option<Subscription>,
}

/// Serves one upgraded WebSocket until the client leaves or the socket fails.
pub async fn run(app: App, socket: WebSocket) {
    let mut connection = Connection {
        app,
        socket,
        user: None,
        subscription: None,
    };
    if let Err(error) = connection.serve().await {
        tracing::debug!(%error, "websocket closed");
    }
}

impl Connection {
    async fn serve(&mut self) -> Result<(), axum::Error> {
        loop {
            tokio::select! {
                incoming = self.socket.recv() => {
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
            }
        }
    }

    async fn on_broadcast(&mut self, frame: Result<Arc<str>, broadcast::error::RecvError>) -> Result<(), axum::Error> {
        match frame {
            Ok(text) => self.socket.send(Message::Text(text.as_ref().into())).await,
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

    /// Sends the broadcast frames already waiting for this connection.
    async fn forward_pending(&mut self) -> Result<(), axum::Error> {
        loop {
            let Some(subscription) = self.subscription.as_mut() else {
                return Ok(());
            };
            match subscription.frames.try_recv() {
                Ok(text) => self.socket.send(Message::Text(text.as_ref().into())).await?,
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
            return self
                .send_error(None, ErrorFrame::new(ErrorCode::FrameTooLarge, detail))
                .await;
        }
        let message = match decode_client_frame(text) {
            Ok(message) => message,
            Err(error) => return self.send_error(command_id_of(text), error).await,
        };
        match message {
            ClientMessage::Ping => self.send(ServerMessage::Pong).await,
            ClientMessage::Authenticate { token } => match user_for_token(&self.app, &token).await {
                Ok(user) => {
                    let view = user.record.view();
                    // A different person on the same socket starts with no subscription.
                    if self.user.as_ref().map(AuthUser::id) != Some(user.id()) {
                        self.subscription = None;
                    }
                    self.user = Some(user);
                    self.send(ServerMessage::Welcome { user: view }).await
                }
                Err(ApiError(error)) => self.send_error(None, error).await,
            },
            ClientMessage::Subscribe { meeting_id, since_seq } => self.subscribe(meeting_id, since_seq).await,
            ClientMessage::Command {
                id,
                meeting_id,
                command,
            } => {
                let Some(user) = self.user.clone() else {
                    return self
                        .send_error(
                            Some(id),
                            ErrorFrame::new(ErrorCode::Unauthenticated, "authenticate first"),
                        )
                        .await;
                };
                if user.is_expired() {
                    return self
                        .send_error(Some(id), ErrorFrame::new(ErrorCode::TokenExpired, ""))
                        .await;
                }
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

    /// Starts following a meeting: replays what the client missed when that is short, else
    /// sends a snapshot; then marks the switch to live events.
    async fn subscribe(&mut self, meeting_id: u32, since_seq: Option<u32>) -> Result<(), axum::Error> {
        let Some(user) = self.user.clone() else {
            return self
                .send_error(None, ErrorFrame::new(ErrorCode::Unauthenticated, "authenticate first"))
                .await;
        };
        match self.app.store.member_role(meeting_id, user.id()).await {
            Ok(Some(role)) => {
                if role.votes() {
                    match self.app.store.check_in(meeting_id, user.id()).await {
                        // One more present: the open polls' tallies show it.
                        Ok(true) => match self.app.store.open_poll_ids(meeting_id).await {
                            Ok(polls) => polls
                                .into_iter()
                                .for_each(|poll_id| self.app.hub.tally_changed(meeting_id, poll_id)),
                            Err(error) => tracing::warn!(%error, "reading open polls failed"),
                        },
                        Ok(false) => {}
                        Err(error) => tracing::warn!(%error, "check-in failed"),
                    }
                }
            }
            Ok(None) => {
                return self
                    .send_error(
                        None,
                        ErrorFrame::new(ErrorCode::NotFound, format!("meeting {meeting_id}")),
                    )
                    .await
            }
            Err(error) => return self.send_error(None, ApiError::from(error).0).await,
        }
        let channel = self.app.hub.channel(meeting_id);
        let order = channel.order.lock().await;
        let frames = channel.subscribe();
        let catch_up = catch_up(&self.app, meeting_id, since_seq, &user).await;
        drop(order);
        match catch_up {
            Ok((messages, seq, my_ballots)) => {
                self.subscription = Some(Subscription { meeting_id, frames });
                for message in messages {
                    self.send(message).await?;
                }
                self.send(ServerMessage::Live {
                    meeting_id,
                    seq,
                    my_ballots,
                })
                .await
            }
            Err(ApiError(error)) => self.send_error(None, error).await,
        }
    }
}

/// The frames that bring a client from `since_seq` to now, the seq of now, and the caller's
/// ballots.
async fn catch_up(
    app: &App,
    meeting_id: u32,
    since_seq: Option<u32>,
    user: &AuthUser,
) -> Result<(Vec<ServerMessage>, u32, Vec<MyBallot>), ApiError> {
    let store = &app.store;
    let last = store.last_seq(meeting_id).await?;
    let my_ballots = store.my_ballots(meeting_id, user.id()).await?;
    if let Some(since) = since_seq.filter(|since| *since <= last && last - since <= app.config.max_replay) {
        let events = store.events_after(meeting_id, since, app.config.max_replay).await?;
        let mut messages: Vec<ServerMessage> = events
            .into_iter()
            .map(|(seq, event)| ServerMessage::Event { meeting_id, seq, event })
            .collect();
        // Tallies are not in the log: bring the open polls' counts up to date too.
        let (_, state) = store.snapshot(meeting_id).await?;
        for poll in state.polls.iter().filter(|poll| poll.state == PollState::Open) {
            messages.push(ServerMessage::Tally {
                meeting_id,
                poll_id: poll.id,
                tally: poll.tally,
            });
        }
        return Ok((messages, last, my_ballots));
    }
    let (seq, state) = store.snapshot(meeting_id).await?;
    let snapshot = ServerMessage::Snapshot {
        meeting_id,
        seq,
        state,
        my_ballots: my_ballots.clone(),
    };
    Ok((vec![snapshot], seq, my_ballots))
}

/// The `id` of a command frame that could not be decoded, so its sender can match the error
/// to the command instead of waiting for an answer forever.
fn command_id_of(text: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value.get("id")?.as_str().map(str::to_owned)
}

/// The next broadcast frame, or never when there is no subscription.
async fn next_frame(subscription: &mut Option<Subscription>) -> Result<Arc<str>, broadcast::error::RecvError> {
    match subscription {
        Some(subscription) => subscription.frames.recv().await,
        None => std::future::pending().await,
    }
}
