//! [`MeetingSync`]: follows one meeting over the WebSocket and keeps a [`Mirror`] of it.
//!
//! The task reconnects with exponential backoff and jitter, resumes from the last seq it
//! applied (the server replays what was missed, or sends a snapshot), and keeps an outbox of
//! commands not yet acknowledged, resent with their ids, in the order they were sent, after a
//! reconnect. When the server ends the session (`token_expired`), the task waits with its outbox
//! intact until [`MeetingSync::resume_with`] gives it a new session. A server that cannot reach
//! its database (`unavailable`, for a command or the subscription) is left and connected to
//! again after the backoff, the command kept in the outbox under its id. A server of several
//! instances ([`Session::addresses`]) is connected to at its next address after a connection
//! failed or was lost: the meeting resumes from the last seq on another instance.
//!
//! The connection is opened through a [`Connector`], so tests can play the server over
//! channels and check the backoff with paused time.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use phonghop_protocol::{
    ClientFrame, ClientMessage, Command, CommandResult, ErrorCode, ErrorFrame, MeetingEvent, MeetingId, MeetingState,
    MyBallot, PollId, ServerFrame, ServerMessage, Tally,
};
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio_tungstenite::tungstenite::Message;

use crate::error::{ClientError, Result};
use crate::session::{new_command_id, Session};

pub type WsError = tokio_tungstenite::tungstenite::Error;

/// Opens WebSocket connections to the server.
pub trait Connector: Send + 'static {
    type Sender: Sink<Message> + Unpin + Send;
    type Receiver: Stream<Item = Result<Message, WsError>> + Unpin + Send;

    fn connect(&mut self, url: &str) -> impl Future<Output = Result<(Self::Sender, Self::Receiver), WsError>> + Send;

    /// The session now trusts another certificate (a signed hand-over): connect trusting it.
    fn repin(&mut self, _session: &Session) {}
}

/// The real network: tokio-tungstenite, over TLS trusting only the session's pinned
/// certificate for a `wss://` address.
pub struct Network {
    tls: Option<Arc<rustls::ClientConfig>>,
}

impl Network {
    /// The network `session`'s server is reached on. Without a pin, a `wss://` address gets no
    /// TLS configuration of ours and tokio-tungstenite's own trusts no certificate at all.
    pub fn for_session(session: &Session) -> Network {
        let tls = match session.pin {
            Some(pin) if crate::tls::is_tls(&session.server) => match crate::tls::client_config(Some(pin)) {
                Ok((config, _)) => Some(config),
                Err(error) => {
                    tracing::error!(%error, "no TLS configuration: the meeting cannot be reached");
                    None
                }
            },
            _ => None,
        };
        Network { tls }
    }
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

impl Connector for Network {
    type Sender = futures_util::stream::SplitSink<Socket, Message>;
    type Receiver = futures_util::stream::SplitStream<Socket>;

    async fn connect(&mut self, url: &str) -> Result<(Self::Sender, Self::Receiver), WsError> {
        let connector = self.tls.clone().map(tokio_tungstenite::Connector::Rustls);
        let (socket, _) = tokio_tungstenite::connect_async_tls_with_config(url, None, false, connector).await?;
        Ok(socket.split())
    }

    fn repin(&mut self, session: &Session) {
        *self = Network::for_session(session);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    Connecting,
    Online,
    Offline,
    /// The server ended the session (expired or unknown token): log in again. Commands wait.
    LoggedOut,
    /// The server showed another certificate than the pinned one, with no signed hand-over to
    /// it: someone may stand in the server's place. Nothing is sent; it keeps trying, so the
    /// real server is found again when it is back.
    CertificateRefused,
}

/// A meeting as last seen, kept on the laptop so the app can start without the server.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SavedMirror {
    pub meeting_id: MeetingId,
    pub seq: u32,
    pub state: MeetingState,
    pub my_ballots: Vec<MyBallot>,
}

impl Mirror {
    /// What to keep of the mirror; `None` before the first snapshot.
    pub fn saved(&self) -> Option<SavedMirror> {
        Some(SavedMirror {
            meeting_id: self.meeting_id,
            seq: self.seq,
            state: self.state.clone()?,
            my_ballots: self.my_ballots.clone(),
        })
    }
}

/// What the client knows of the meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct Mirror {
    pub meeting_id: MeetingId,
    pub connection: ConnectionState,
    /// The seq of the last event applied to `state`.
    pub seq: u32,
    /// `None` until the first snapshot arrives.
    pub state: Option<MeetingState>,
    pub my_ballots: Vec<MyBallot>,
    /// Commands sent but not yet acknowledged.
    pub pending_commands: usize,
    /// The server said this laptop was revoked: the app removes what it keeps and logs out.
    pub device_revoked: bool,
    /// The server showed a new certificate its pinned one handed over to (`handover.rs`): the
    /// connection trusts it now, and the seat pins it.
    pub handed_over_to: Option<crate::tls::Fingerprint>,
}

/// What happened on the connection, in order, for whoever wants to watch closely (tests, logs).
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    Connected,
    Disconnected,
    Snapshot {
        seq: u32,
    },
    Event {
        seq: u32,
        event: MeetingEvent,
    },
    Live {
        seq: u32,
    },
    Tally {
        poll_id: PollId,
        tally: Tally,
    },
    /// An error frame that answered no command.
    ServerError(ErrorFrame),
}

#[derive(Debug, Clone)]
pub struct SyncOptions {
    pub min_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            min_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
        }
    }
}

struct Outgoing {
    id: String,
    command: Command,
    reply: oneshot::Sender<Result<CommandResult>>,
}

/// Handle to the task following one meeting. Dropping it stops the task.
pub struct MeetingSync {
    mirror: watch::Receiver<Mirror>,
    events: broadcast::Sender<SyncEvent>,
    commands: mpsc::UnboundedSender<Outgoing>,
    sessions: mpsc::UnboundedSender<Session>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for MeetingSync {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl MeetingSync {
    pub fn start(session: Session, meeting_id: MeetingId, options: SyncOptions) -> MeetingSync {
        MeetingSync::start_with(Network::for_session(&session), session, meeting_id, options)
    }

    /// Follows a meeting from the state it was last seen in (kept on the laptop), so it shows at
    /// once, also with no server; the first connection resumes from that state's `seq`.
    pub fn resume(session: Session, saved: SavedMirror, options: SyncOptions) -> MeetingSync {
        let meeting_id = saved.meeting_id;
        MeetingSync::start_from(
            Network::for_session(&session),
            session,
            meeting_id,
            options,
            Some(saved),
        )
    }

    /// Follows a meeting over connections opened by `connector`.
    pub fn start_with<C: Connector>(
        connector: C,
        session: Session,
        meeting_id: MeetingId,
        options: SyncOptions,
    ) -> MeetingSync {
        MeetingSync::start_from(connector, session, meeting_id, options, None)
    }

    fn start_from<C: Connector>(
        connector: C,
        session: Session,
        meeting_id: MeetingId,
        options: SyncOptions,
        saved: Option<SavedMirror>,
    ) -> MeetingSync {
        let (seq, state, my_ballots) = match saved {
            Some(saved) => (saved.seq, Some(saved.state), saved.my_ballots),
            None => (0, None, vec![]),
        };
        let (mirror_tx, mirror) = watch::channel(Mirror {
            meeting_id,
            connection: ConnectionState::Connecting,
            seq,
            state,
            my_ballots,
            pending_commands: 0,
            device_revoked: false,
            handed_over_to: None,
        });
        let events = broadcast::channel(4096).0;
        let (commands, commands_rx) = mpsc::unbounded_channel();
        let (sessions, sessions_rx) = mpsc::unbounded_channel();
        let worker = Worker {
            connector,
            session,
            meeting_id,
            options,
            mirror: mirror_tx,
            events: events.clone(),
            commands: commands_rx,
            sessions: sessions_rx,
            outbox: VecDeque::new(),
            in_flight: VecDeque::new(),
        };
        let task = tokio::spawn(worker.run());
        MeetingSync {
            mirror,
            events,
            commands,
            sessions,
            task,
        }
    }

    /// The mirror; `changed()` / `wait_for()` on it to follow changes.
    pub fn mirror(&self) -> watch::Receiver<Mirror> {
        self.mirror.clone()
    }

    /// Everything that happens from now on, in order.
    pub fn events(&self) -> broadcast::Receiver<SyncEvent> {
        self.events.subscribe()
    }

    /// Sends a command and waits for the server's answer. While offline (or logged out) the
    /// command waits in the outbox and goes out after reconnecting.
    pub async fn send(&self, command: Command) -> Result<CommandResult> {
        self.sender().send(command).await
    }

    /// A handle that sends commands without borrowing the [`MeetingSync`].
    pub fn sender(&self) -> CommandSender {
        CommandSender {
            commands: self.commands.clone(),
        }
    }

    /// Continues with a new session of the same person after the old one ended: reconnects,
    /// resumes from the last seq and sends the outbox, whose commands keep their ids.
    pub fn resume_with(&self, session: Session) {
        let _ = self.sessions.send(session);
    }
}

/// Sends commands into a [`MeetingSync`]'s outbox.
#[derive(Clone)]
pub struct CommandSender {
    commands: mpsc::UnboundedSender<Outgoing>,
}

impl CommandSender {
    pub async fn send(&self, command: Command) -> Result<CommandResult> {
        let (reply, answer) = oneshot::channel();
        self.commands
            .send(Outgoing {
                id: new_command_id(),
                command,
                reply,
            })
            .map_err(|_| ClientError::Stopped)?;
        answer.await.map_err(|_| ClientError::Stopped)?
    }
}

struct Worker<C: Connector> {
    connector: C,
    session: Session,
    meeting_id: MeetingId,
    options: SyncOptions,
    mirror: watch::Sender<Mirror>,
    events: broadcast::Sender<SyncEvent>,
    commands: mpsc::UnboundedReceiver<Outgoing>,
    sessions: mpsc::UnboundedReceiver<Session>,
    /// Commands waiting for a connection, in the order they were sent.
    outbox: VecDeque<Outgoing>,
    /// Commands sent on the current connection, in order, waiting for their answer.
    in_flight: VecDeque<Outgoing>,
}

/// Why a connection ended.
enum Ended {
    /// Lost or refused: try again after a pause.
    Retry,
    /// Another certificate than the pinned one: try again after a pause, saying why.
    CertificateRefused,
    /// The session is no longer valid: wait for a new one.
    LoggedOut,
    /// The laptop was revoked: stop for good.
    Revoked,
    /// The handle was dropped.
    Stopped,
}

impl<C: Connector> Worker<C> {
    async fn run(mut self) {
        let mut backoff = self.options.min_backoff;
        loop {
            self.set_connection(ConnectionState::Connecting);
            let ended = match self.connector.connect(&self.session.websocket_url()).await {
                Ok((sender, receiver)) => {
                    let _ = self.events.send(SyncEvent::Connected);
                    let ended = self.follow(sender, receiver, &mut backoff).await;
                    let _ = self.events.send(SyncEvent::Disconnected);
                    ended
                }
                Err(error) => {
                    tracing::debug!(%error, "cannot connect");
                    if self.follow_handover(&error).await {
                        backoff = self.options.min_backoff;
                        Ended::Retry
                    } else if crate::tls::pin_mismatch_in(&error).is_some() {
                        tracing::warn!(%error, "the server showed another certificate than the pinned one");
                        Ended::CertificateRefused
                    } else {
                        Ended::Retry
                    }
                }
            };
            if matches!(ended, Ended::Retry) {
                // A server of several instances is tried at its next address: the one in use
                // may be the one that died.
                self.session.move_to_next_address();
            }
            // Unanswered commands go back to the front of the outbox, in the order they were sent.
            while let Some(outgoing) = self.in_flight.pop_back() {
                self.outbox.push_front(outgoing);
            }
            self.publish_pending();
            let go_on = match ended {
                Ended::Stopped => false,
                Ended::LoggedOut => {
                    self.set_connection(ConnectionState::LoggedOut);
                    backoff = self.options.min_backoff;
                    self.wait_for_session().await
                }
                Ended::Revoked => {
                    self.mirror.send_modify(|mirror| mirror.device_revoked = true);
                    self.set_connection(ConnectionState::LoggedOut);
                    false
                }
                Ended::Retry | Ended::CertificateRefused => {
                    self.set_connection(if matches!(ended, Ended::CertificateRefused) {
                        ConnectionState::CertificateRefused
                    } else {
                        ConnectionState::Offline
                    });
                    let go_on = self.pause(backoff).await;
                    backoff = (backoff * 2).min(self.options.max_backoff);
                    go_on
                }
            };
            if !go_on {
                return;
            }
        }
    }

    /// Takes a command into the outbox. False when the handle is gone.
    fn queue(&mut self, outgoing: Option<Outgoing>) -> bool {
        let Some(outgoing) = outgoing else { return false };
        self.outbox.push_back(outgoing);
        self.publish_pending();
        true
    }

    /// Waits before the next attempt, with up to 50% jitter so a hall of laptops does not
    /// reconnect in lockstep; commands sent meanwhile join the outbox. False when stopped.
    async fn pause(&mut self, backoff: Duration) -> bool {
        let jitter = backoff.mul_f64(rand::random::<f64>() * 0.5);
        let deadline = tokio::time::Instant::now() + backoff + jitter;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => return true,
                outgoing = self.commands.recv() => if !self.queue(outgoing) { return false },
            }
        }
    }

    /// Waits, keeping the outbox, until a new session arrives. False when stopped.
    /// Refused for showing another certificate than the pinned one: trusts the new one if the
    /// server's signed hand-over leads there from the pin (the next attempt connects with it).
    async fn follow_handover(&mut self, error: &WsError) -> bool {
        let Some(mismatch) = crate::tls::pin_mismatch_in(error) else {
            return false;
        };
        if self.session.pin != Some(mismatch.pinned) {
            return false;
        }
        let Ok(Some(next)) = crate::handover::follow(self.session.address(), mismatch.pinned).await else {
            return false;
        };
        match self.session.with_pin(next) {
            Ok(session) => {
                tracing::info!(server = %self.session.server, from = %mismatch.pinned, to = %next, "the server handed its identity over to a new certificate");
                self.session = session;
                self.connector.repin(&self.session);
                self.mirror.send_modify(|mirror| mirror.handed_over_to = Some(next));
                true
            }
            Err(_) => false,
        }
    }

    async fn wait_for_session(&mut self) -> bool {
        loop {
            tokio::select! {
                session = self.sessions.recv() => match session {
                    Some(session) => {
                        self.session = session;
                        return true;
                    }
                    None => return false,
                },
                outgoing = self.commands.recv() => if !self.queue(outgoing) { return false },
            }
        }
    }

    fn set_connection(&self, connection: ConnectionState) {
        self.mirror.send_if_modified(|mirror| {
            let changed = mirror.connection != connection;
            mirror.connection = connection;
            changed
        });
    }

    fn publish_pending(&self) {
        let pending = self.outbox.len() + self.in_flight.len();
        self.mirror.send_if_modified(|mirror| {
            let changed = mirror.pending_commands != pending;
            mirror.pending_commands = pending;
            changed
        });
    }

    async fn send_frame(sender: &mut C::Sender, message: ClientMessage) -> Result<(), ()> {
        let text = serde_json::to_string(&ClientFrame::new(message)).expect("client frames serialize");
        sender.send(Message::text(text)).await.map_err(|_| ())
    }

    /// Authenticates, subscribes and follows the meeting on one connection until it ends.
    async fn follow(&mut self, mut sender: C::Sender, mut receiver: C::Receiver, backoff: &mut Duration) -> Ended {
        let token = self.session.token.clone();
        if Self::send_frame(&mut sender, ClientMessage::Authenticate { token })
            .await
            .is_err()
        {
            return Ended::Retry;
        }
        let since_seq = {
            let mirror = self.mirror.borrow();
            mirror.state.as_ref().map(|_| mirror.seq)
        };
        let subscribe = ClientMessage::Subscribe {
            meeting_id: self.meeting_id,
            since_seq,
        };
        if Self::send_frame(&mut sender, subscribe).await.is_err() {
            return Ended::Retry;
        }
        loop {
            tokio::select! {
                incoming = receiver.next() => {
                    let text = match incoming {
                        Some(Ok(Message::Text(text))) => text,
                        Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ended::Retry,
                        Some(Ok(_)) => continue,
                    };
                    let frame: ServerFrame = match serde_json::from_str(text.as_str()) {
                        Ok(frame) => frame,
                        Err(error) => {
                            tracing::warn!(%error, "unreadable frame from the server");
                            continue;
                        }
                    };
                    match self.on_message(frame.message, &mut sender).await {
                        Flow::Continue => {}
                        Flow::NowLive => {
                            *backoff = self.options.min_backoff;
                            if self.flush_outbox(&mut sender).await.is_err() {
                                return Ended::Retry;
                            }
                        }
                        Flow::End(ended) => return ended,
                    }
                }
                outgoing = self.commands.recv() => {
                    if !self.queue(outgoing) {
                        return Ended::Stopped;
                    }
                    if self.mirror.borrow().connection == ConnectionState::Online
                        && self.flush_outbox(&mut sender).await.is_err()
                    {
                        return Ended::Retry;
                    }
                }
            }
        }
    }

    async fn flush_outbox(&mut self, sender: &mut C::Sender) -> Result<(), ()> {
        while let Some(outgoing) = self.outbox.pop_front() {
            let message = ClientMessage::Command {
                id: outgoing.id.clone(),
                meeting_id: self.meeting_id,
                command: outgoing.command.clone(),
            };
            self.in_flight.push_back(outgoing);
            Self::send_frame(sender, message).await?;
        }
        self.publish_pending();
        Ok(())
    }

    /// The in-flight command with this id, taken out.
    fn answered(&mut self, id: &str) -> Option<Outgoing> {
        let position = self.in_flight.iter().position(|outgoing| outgoing.id == id)?;
        self.in_flight.remove(position)
    }

    async fn on_message(&mut self, message: ServerMessage, sender: &mut C::Sender) -> Flow {
        match message {
            ServerMessage::Welcome { .. } | ServerMessage::Pong => Flow::Continue,
            ServerMessage::Snapshot {
                seq, state, my_ballots, ..
            } => {
                self.mirror.send_modify(|mirror| {
                    mirror.seq = seq;
                    mirror.state = Some(*state);
                    mirror.my_ballots = my_ballots;
                });
                let _ = self.events.send(SyncEvent::Snapshot { seq });
                Flow::Continue
            }
            ServerMessage::Event { seq, event, .. } => self.on_event(seq, event, sender).await,
            ServerMessage::Live { seq, my_ballots, .. } => {
                self.mirror.send_if_modified(|mirror| {
                    let changed = mirror.my_ballots != my_ballots;
                    mirror.my_ballots = my_ballots;
                    changed
                });
                self.set_connection(ConnectionState::Online);
                let _ = self.events.send(SyncEvent::Live { seq });
                Flow::NowLive
            }
            ServerMessage::Tally { poll_id, tally, .. } => {
                self.mirror.send_modify(|mirror| {
                    if let Some(state) = mirror.state.as_mut() {
                        phonghop_core::mirror::apply_tally(state, poll_id, tally.clone());
                    }
                });
                let _ = self.events.send(SyncEvent::Tally { poll_id, tally });
                Flow::Continue
            }
            ServerMessage::Ack { id, result } => {
                if let CommandResult::BallotRecorded { poll_id, choice, marks } = &result {
                    // A changed ballot (a changeable poll) replaces the one before.
                    let ballot = MyBallot {
                        poll_id: *poll_id,
                        choice: *choice,
                        marks: marks.clone(),
                    };
                    self.mirror.send_modify(|mirror| {
                        match mirror.my_ballots.iter_mut().find(|mine| mine.poll_id == *poll_id) {
                            Some(mine) => *mine = ballot,
                            None => mirror.my_ballots.push(ballot),
                        }
                    });
                }
                if let Some(outgoing) = self.answered(&id) {
                    let _ = outgoing.reply.send(Ok(result));
                }
                self.publish_pending();
                Flow::Continue
            }
            ServerMessage::Error { id: Some(id), error } => {
                if error.code == ErrorCode::DeviceRevoked {
                    return Flow::End(Ended::Revoked);
                }
                if matches!(error.code, ErrorCode::TokenExpired | ErrorCode::Unauthenticated) {
                    // Not the command's fault: it waits for the next session.
                    return Flow::End(Ended::LoggedOut);
                }
                if error.code == ErrorCode::Unavailable {
                    // The server cannot reach its database: the command (still in flight) goes
                    // back to the outbox and is sent again, with its id, once connected again
                    // — to this server or another.
                    let _ = self.events.send(SyncEvent::ServerError(error));
                    return Flow::End(Ended::Retry);
                }
                if let Some(outgoing) = self.answered(&id) {
                    let _ = outgoing.reply.send(Err(ClientError::Server(error)));
                }
                self.publish_pending();
                Flow::Continue
            }
            ServerMessage::Error { id: None, error } => {
                let revoked = error.code == ErrorCode::DeviceRevoked;
                let logged_out = matches!(error.code, ErrorCode::TokenExpired | ErrorCode::Unauthenticated);
                let unavailable = error.code == ErrorCode::Unavailable;
                let _ = self.events.send(SyncEvent::ServerError(error));
                if revoked {
                    Flow::End(Ended::Revoked)
                } else if logged_out {
                    Flow::End(Ended::LoggedOut)
                } else if unavailable {
                    // A subscription the server could not serve: connect and subscribe again.
                    Flow::End(Ended::Retry)
                } else {
                    Flow::Continue
                }
            }
        }
    }

    /// Applies the next event; a duplicate is skipped, a gap asks the server to resend.
    async fn on_event(&mut self, seq: u32, event: MeetingEvent, sender: &mut C::Sender) -> Flow {
        let expected = self.mirror.borrow().seq + 1;
        if seq < expected {
            return Flow::Continue;
        }
        if seq > expected {
            tracing::warn!(seq, expected, "gap in the event log; resubscribing");
            let subscribe = ClientMessage::Subscribe {
                meeting_id: self.meeting_id,
                since_seq: Some(expected - 1),
            };
            return match Self::send_frame(sender, subscribe).await {
                Ok(()) => Flow::Continue,
                Err(()) => Flow::End(Ended::Retry),
            };
        }
        self.mirror.send_modify(|mirror| {
            if let Some(state) = mirror.state.as_mut() {
                phonghop_core::mirror::apply(state, &event);
            }
            mirror.seq = seq;
        });
        let _ = self.events.send(SyncEvent::Event { seq, event });
        Flow::Continue
    }
}

enum Flow {
    Continue,
    NowLive,
    End(Ended),
}
