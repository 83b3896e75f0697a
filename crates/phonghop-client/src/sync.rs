//! [`MeetingSync`]: follows one meeting over the WebSocket and keeps a [`Mirror`] of it.
//!
//! The task reconnects with exponential backoff and jitter, resumes from the last seq it
//! applied (the server replays what was missed, or sends a snapshot), and keeps an outbox of
//! commands not yet acknowledged, resent with their ids after a reconnect.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use phonghop_protocol::{
    ClientFrame, ClientMessage, Command, CommandResult, ErrorCode, ErrorFrame, MeetingEvent, MeetingState, MyBallot,
    ServerFrame, ServerMessage, Tally,
};
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio_tungstenite::tungstenite::Message;

use crate::error::{ClientError, Result};
use crate::session::{new_command_id, Session};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionState {
    Connecting,
    Online,
    Offline,
    /// The server refused the session (expired or unknown token): log in again.
    LoggedOut,
}

/// What the client knows of the meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct Mirror {
    pub meeting_id: u32,
    pub connection: ConnectionState,
    /// The seq of the last event applied to `state`.
    pub seq: u32,
    /// `None` until the first snapshot arrives.
    pub state: Option<MeetingState>,
    pub my_ballots: Vec<MyBallot>,
    /// Commands sent but not yet acknowledged.
    pub pending_commands: usize,
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
        poll_id: u32,
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
    task: tokio::task::JoinHandle<()>,
}

impl Drop for MeetingSync {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl MeetingSync {
    pub fn start(session: Session, meeting_id: u32, options: SyncOptions) -> MeetingSync {
        let (mirror_tx, mirror) = watch::channel(Mirror {
            meeting_id,
            connection: ConnectionState::Connecting,
            seq: 0,
            state: None,
            my_ballots: vec![],
            pending_commands: 0,
        });
        let events = broadcast::channel(4096).0;
        let (commands, commands_rx) = mpsc::unbounded_channel();
        let worker = Worker {
            session,
            meeting_id,
            options,
            mirror: mirror_tx,
            events: events.clone(),
            commands: commands_rx,
            outbox: VecDeque::new(),
            in_flight: BTreeMap::new(),
        };
        let task = tokio::spawn(worker.run());
        MeetingSync {
            mirror,
            events,
            commands,
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

    /// Sends a command and waits for the server's answer. While offline the command waits in
    /// the outbox and goes out after reconnecting.
    pub async fn send(&self, command: Command) -> Result<CommandResult> {
        self.sender().send(command).await
    }

    /// A handle that sends commands without borrowing the [`MeetingSync`].
    pub fn sender(&self) -> CommandSender {
        CommandSender {
            commands: self.commands.clone(),
        }
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

struct Worker {
    session: Session,
    meeting_id: u32,
    options: SyncOptions,
    mirror: watch::Sender<Mirror>,
    events: broadcast::Sender<SyncEvent>,
    commands: mpsc::UnboundedReceiver<Outgoing>,
    /// Commands waiting for a connection.
    outbox: VecDeque<Outgoing>,
    /// Commands sent on the current connection, by id, waiting for their ack.
    in_flight: BTreeMap<String, Outgoing>,
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Why a connection ended.
enum Ended {
    /// Lost or refused: try again after a pause.
    Retry,
    /// The session is no longer valid: stop.
    LoggedOut,
    /// The handle was dropped.
    Stopped,
}

impl Worker {
    async fn run(mut self) {
        let mut backoff = self.options.min_backoff;
        loop {
            self.set_connection(ConnectionState::Connecting);
            let ended = match tokio_tungstenite::connect_async(self.session.websocket_url()).await {
                Ok((socket, _)) => {
                    let _ = self.events.send(SyncEvent::Connected);
                    let ended = self.follow(socket, &mut backoff).await;
                    let _ = self.events.send(SyncEvent::Disconnected);
                    ended
                }
                Err(error) => {
                    tracing::debug!(%error, "cannot connect");
                    Ended::Retry
                }
            };
            // Unanswered commands go back to the front of the outbox, in their order.
            let in_flight = std::mem::take(&mut self.in_flight);
            for outgoing in in_flight.into_values().rev() {
                self.outbox.push_front(outgoing);
            }
            match ended {
                Ended::Stopped => return,
                Ended::LoggedOut => {
                    self.set_connection(ConnectionState::LoggedOut);
                    self.fail_all(ErrorCode::TokenExpired);
                    return;
                }
                Ended::Retry => {
                    self.set_connection(ConnectionState::Offline);
                    if !self.pause(backoff).await {
                        return;
                    }
                    backoff = (backoff * 2).min(self.options.max_backoff);
                }
            }
        }
    }

    /// Waits before the next attempt, with up to 50% jitter so a hall of laptops does not
    /// reconnect in lockstep; commands sent meanwhile join the outbox. False when stopped.
    async fn pause(&mut self, backoff: Duration) -> bool {
        let jitter = backoff.mul_f64(rand::random::<f64>() * 0.5);
        let deadline = tokio::time::Instant::now() + backoff + jitter;
        loop {
            tokio::select! {
                _ = tokio::time::sleep_until(deadline) => return true,
                outgoing = self.commands.recv() => match outgoing {
                    Some(outgoing) => { self.outbox.push_back(outgoing); self.publish_pending(); }
                    None => return false,
                },
            }
        }
    }

    fn fail_all(&mut self, code: ErrorCode) {
        for outgoing in self.outbox.drain(..) {
            let _ = outgoing.reply.send(Err(ClientError::Server(ErrorFrame::new(code, ""))));
        }
        self.publish_pending();
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

    async fn send_frame(socket: &mut Socket, message: ClientMessage) -> Result<(), ()> {
        let text = serde_json::to_string(&ClientFrame::new(message)).expect("client frames serialize");
        socket.send(Message::text(text)).await.map_err(|_| ())
    }

    /// Authenticates, subscribes and follows the meeting on one connection until it ends.
    async fn follow(&mut self, mut socket: Socket, backoff: &mut Duration) -> Ended {
        if Self::send_frame(
            &mut socket,
            ClientMessage::Authenticate {
                token: self.session.token.clone(),
            },
        )
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
        if Self::send_frame(&mut socket, subscribe).await.is_err() {
            return Ended::Retry;
        }
        loop {
            tokio::select! {
                incoming = socket.next() => {
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
                    match self.on_message(frame.message, &mut socket).await {
                        Flow::Continue => {}
                        Flow::NowLive => {
                            *backoff = self.options.min_backoff;
                            if self.flush_outbox(&mut socket).await.is_err() {
                                return Ended::Retry;
                            }
                        }
                        Flow::End(ended) => return ended,
                    }
                }
                outgoing = self.commands.recv() => {
                    let Some(outgoing) = outgoing else { return Ended::Stopped };
                    self.outbox.push_back(outgoing);
                    if self.mirror.borrow().connection == ConnectionState::Online
                        && self.flush_outbox(&mut socket).await.is_err()
                    {
                        return Ended::Retry;
                    }
                    self.publish_pending();
                }
            }
        }
    }

    async fn flush_outbox(&mut self, socket: &mut Socket) -> Result<(), ()> {
        while let Some(outgoing) = self.outbox.pop_front() {
            let message = ClientMessage::Command {
                id: outgoing.id.clone(),
                meeting_id: self.meeting_id,
                command: outgoing.command.clone(),
            };
            self.in_flight.insert(outgoing.id.clone(), outgoing);
            Self::send_frame(socket, message).await?;
        }
        self.publish_pending();
        Ok(())
    }

    async fn on_message(&mut self, message: ServerMessage, socket: &mut Socket) -> Flow {
        match message {
            ServerMessage::Welcome { .. } | ServerMessage::Pong => Flow::Continue,
            ServerMessage::Snapshot {
                seq, state, my_ballots, ..
            } => {
                self.mirror.send_modify(|mirror| {
                    mirror.seq = seq;
                    mirror.state = Some(state);
                    mirror.my_ballots = my_ballots;
                });
                let _ = self.events.send(SyncEvent::Snapshot { seq });
                Flow::Continue
            }
            ServerMessage::Event { seq, event, .. } => self.on_event(seq, event, socket).await,
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
                        phonghop_core::mirror::apply_tally(state, poll_id, tally);
                    }
                });
                let _ = self.events.send(SyncEvent::Tally { poll_id, tally });
                Flow::Continue
            }
            ServerMessage::Ack { id, result } => {
                if let CommandResult::BallotRecorded { poll_id, choice } = result {
                    self.mirror.send_modify(|mirror| {
                        if !mirror.my_ballots.iter().any(|ballot| ballot.poll_id == poll_id) {
                            mirror.my_ballots.push(MyBallot { poll_id, choice });
                        }
                    });
                }
                if let Some(outgoing) = self.in_flight.remove(&id) {
                    let _ = outgoing.reply.send(Ok(result));
                }
                self.publish_pending();
                Flow::Continue
            }
            ServerMessage::Error { id: Some(id), error } => {
                if let Some(outgoing) = self.in_flight.remove(&id) {
                    let _ = outgoing.reply.send(Err(ClientError::Server(error)));
                }
                self.publish_pending();
                Flow::Continue
            }
            ServerMessage::Error { id: None, error } => {
                let logged_out = matches!(error.code, ErrorCode::TokenExpired | ErrorCode::Unauthenticated);
                let _ = self.events.send(SyncEvent::ServerError(error));
                if logged_out {
                    Flow::End(Ended::LoggedOut)
                } else {
                    Flow::Continue
                }
            }
        }
    }

    /// Applies the next event; a duplicate is skipped, a gap asks the server to resend.
    async fn on_event(&mut self, seq: u32, event: MeetingEvent, socket: &mut Socket) -> Flow {
        let expected = self.mirror.borrow().seq + 1;
        if seq < expected {
            return Flow::Continue;
        }
        if seq > expected {
            tracing::warn!(seq, expected, "gap in the event log; resubscribing");
            let since_seq = Some(expected - 1);
            let subscribe = ClientMessage::Subscribe {
                meeting_id: self.meeting_id,
                since_seq,
            };
            return match Self::send_frame(socket, subscribe).await {
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
