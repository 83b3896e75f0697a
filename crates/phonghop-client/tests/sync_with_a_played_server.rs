//! [`MeetingSync`] against a server played by the test over channels, with tokio's clock paused:
//! the reconnect backoff (doubling, jittered, capped, starting over once live), the outbox
//! resent in the order it was sent, and a session that ends without losing the outbox.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures_util::StreamExt;
use phonghop_client::{ConnectionState, Connector, MeetingSync, Session, SyncOptions, WsError};
use phonghop_protocol::http::LoginResponse;
use phonghop_protocol::{
    ClientMessage, Command, CommandResult, ErrorCode, ErrorFrame, Meeting, MeetingId, MeetingState, ServerFrame,
    ServerMessage, UserId, UserView,
};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;

const MEETING: MeetingId = MeetingId(1);

/// The server's end of one connection.
struct ServerSide {
    from_client: UnboundedReceiver<Message>,
    to_client: UnboundedSender<Result<Message, WsError>>,
}

impl ServerSide {
    async fn receive(&mut self) -> ClientMessage {
        let message = self.from_client.next().await.expect("the client is connected");
        let text = message.into_text().expect("a text frame");
        phonghop_protocol::decode_client_frame(text.as_str()).expect("a valid frame")
    }

    fn send(&self, message: ServerMessage) {
        let text = ServerFrame::new(message).to_json();
        let _ = self.to_client.unbounded_send(Ok(Message::text(text)));
    }

    /// Reads `authenticate` and `subscribe`, answers with a snapshot and `live`; returns the
    /// token the client authenticated with.
    async fn welcome(&mut self) -> String {
        let ClientMessage::Authenticate { token } = self.receive().await else {
            panic!("expected authenticate first")
        };
        assert!(matches!(self.receive().await, ClientMessage::Subscribe { .. }));
        let state = MeetingState {
            meeting: Meeting {
                id: MEETING,
                title: "Kỳ họp".into(),
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
        self.send(ServerMessage::Snapshot {
            meeting_id: MEETING,
            seq: 0,
            state: Box::new(state),
            my_ballots: vec![],
        });
        self.send(ServerMessage::Live {
            meeting_id: MEETING,
            seq: 0,
            my_ballots: vec![],
        });
        token
    }
}

/// Connects over channels, refusing the first `failures` attempts; records when each attempt
/// was made and hands the server's end of each connection to the test.
struct PlayedNetwork {
    failures: usize,
    attempts: Arc<Mutex<Vec<Instant>>>,
    connections: tokio::sync::mpsc::UnboundedSender<ServerSide>,
}

impl Connector for PlayedNetwork {
    type Sender = UnboundedSender<Message>;
    type Receiver = UnboundedReceiver<Result<Message, WsError>>;

    async fn connect(&mut self, _url: &str) -> Result<(Self::Sender, Self::Receiver), WsError> {
        self.attempts.lock().unwrap().push(Instant::now());
        if self.failures > 0 {
            self.failures -= 1;
            return Err(WsError::ConnectionClosed);
        }
        let (client_sends, from_client) = unbounded();
        let (to_client, client_receives) = unbounded();
        let _ = self.connections.send(ServerSide { from_client, to_client });
        Ok((client_sends, client_receives))
    }
}

fn session(token: &str) -> Session {
    let login = LoginResponse {
        token: token.to_owned(),
        expires_at: i64::MAX,
        user: UserView {
            id: UserId(3),
            username: "db003".into(),
            full_name: "Đại biểu".into(),
            position: String::new(),
        },
        is_admin: false,
        may_create_meetings: false,
    };
    Session::from_login("http://127.0.0.1:9", None, login, reqwest::Client::new())
}

struct Played {
    sync: MeetingSync,
    attempts: Arc<Mutex<Vec<Instant>>>,
    connections: tokio::sync::mpsc::UnboundedReceiver<ServerSide>,
}

fn start(failures: usize) -> Played {
    let attempts = Arc::new(Mutex::new(Vec::new()));
    let (connections_tx, connections) = tokio::sync::mpsc::unbounded_channel();
    let network = PlayedNetwork {
        failures,
        attempts: Arc::clone(&attempts),
        connections: connections_tx,
    };
    let sync = MeetingSync::start_with(network, session("first-token"), MEETING, SyncOptions::default());
    Played {
        sync,
        attempts,
        connections,
    }
}

/// A sync whose first connection is live, and the server's end of it.
async fn online() -> (Played, ServerSide) {
    let mut played = start(0);
    let mut server = played.connections.recv().await.unwrap();
    server.welcome().await;
    let mut mirror = played.sync.mirror();
    mirror
        .wait_for(|mirror| mirror.connection == ConnectionState::Online)
        .await
        .unwrap();
    (played, server)
}

fn gaps(attempts: &Mutex<Vec<Instant>>) -> Vec<Duration> {
    attempts
        .lock()
        .unwrap()
        .windows(2)
        .map(|pair| pair[1] - pair[0])
        .collect()
}

/// Each wait is its base (doubling from 200 ms, at most 5 s) plus up to half of it as jitter.
fn assert_backoff(gaps: &[Duration], bases_ms: &[u64]) {
    assert_eq!(gaps.len(), bases_ms.len(), "{gaps:?}");
    for (gap, base) in gaps.iter().zip(bases_ms) {
        let base = Duration::from_millis(*base);
        assert!(
            *gap >= base && *gap <= base.mul_f64(1.5) + Duration::from_millis(2),
            "waited {gap:?} for a base of {base:?} (all: {gaps:?})"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn reconnect_backoff_doubles_with_jitter_up_to_the_maximum() {
    let mut played = start(7);
    let mut server = played.connections.recv().await.expect("the eighth attempt connects");
    assert_backoff(&gaps(&played.attempts), &[200, 400, 800, 1600, 3200, 5000, 5000]);
    server.welcome().await;
    let mut mirror = played.sync.mirror();
    mirror
        .wait_for(|mirror| mirror.connection == ConnectionState::Online)
        .await
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn backoff_starts_over_once_a_connection_was_live() {
    let mut played = start(3);
    let mut server = played.connections.recv().await.unwrap();
    server.welcome().await;
    let mut mirror = played.sync.mirror();
    mirror
        .wait_for(|mirror| mirror.connection == ConnectionState::Online)
        .await
        .unwrap();
    let before = played.attempts.lock().unwrap().len();
    drop(server);
    mirror
        .wait_for(|mirror| mirror.connection == ConnectionState::Offline)
        .await
        .unwrap();
    let _server = played.connections.recv().await.unwrap();
    let attempts = played.attempts.lock().unwrap().clone();
    assert_eq!(attempts.len(), before + 1);
    let gap = attempts[before] - attempts[before - 1];
    // The time online counts too; what matters is that it did not wait 1.6 s or more.
    assert!(
        gap < Duration::from_millis(400),
        "waited {gap:?} after a live connection"
    );
}

#[tokio::test(start_paused = true)]
async fn the_outbox_is_resent_in_the_order_commands_were_sent() {
    let (mut played, mut server) = online().await;

    let sender = played.sync.sender();
    let commands: Vec<Command> = (0..20)
        .map(|n| Command::AddAgendaItem {
            parent: None,
            title: format!("Mục {n}"),
            description: String::new(),
        })
        .collect();
    let sending = tokio::spawn(futures_util::future::join_all(commands.iter().cloned().map(
        move |command| {
            let sender = sender.clone();
            async move { sender.send(command).await }
        },
    )));
    let mut first_order = Vec::new();
    for _ in 0..20 {
        let ClientMessage::Command { id, command, .. } = server.receive().await else {
            panic!()
        };
        first_order.push((id, command));
    }
    assert_eq!(first_order.iter().map(|(_, c)| c.clone()).collect::<Vec<_>>(), commands);
    // The connection drops before any answer: all twenty go again, in the same order, same ids.
    drop(server);
    let mut server = played.connections.recv().await.unwrap();
    server.welcome().await;
    for (n, (id, command)) in first_order.iter().enumerate() {
        let ClientMessage::Command {
            id: again,
            command: resent,
            ..
        } = server.receive().await
        else {
            panic!()
        };
        assert_eq!((&again, &resent), (id, command), "command {n} resent in its place");
        server.send(ServerMessage::Ack {
            id: again,
            result: CommandResult::Logged { seq: n as u32 + 1 },
        });
    }
    let answers = sending.await.unwrap();
    assert!(answers.iter().all(Result::is_ok), "{answers:?}");
}

#[tokio::test(start_paused = true)]
async fn an_ended_session_keeps_the_outbox_until_the_next_login() {
    let mut played = start(0);
    let mut server = played.connections.recv().await.unwrap();
    assert_eq!(server.welcome().await, "first-token");
    let mut mirror = played.sync.mirror();
    mirror
        .wait_for(|mirror| mirror.connection == ConnectionState::Online)
        .await
        .unwrap();
    server.send(ServerMessage::Error {
        id: None,
        error: ErrorFrame::new(ErrorCode::TokenExpired, ""),
    });
    mirror
        .wait_for(|mirror| mirror.connection == ConnectionState::LoggedOut)
        .await
        .unwrap();

    let sender = played.sync.sender();
    let vote = tokio::spawn(async move {
        sender
            .send(Command::AddAgendaItem {
                parent: None,
                title: "Sau khi đăng nhập lại".into(),
                description: String::new(),
            })
            .await
    });
    mirror.wait_for(|mirror| mirror.pending_commands == 1).await.unwrap();
    // Logged out, the command waits however long it takes; it is not failed.
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert!(!vote.is_finished());
    assert!(played.connections.try_recv().is_err(), "no reconnect without a session");

    played.sync.resume_with(session("second-token"));
    let mut server = played.connections.recv().await.unwrap();
    assert_eq!(server.welcome().await, "second-token");
    let ClientMessage::Command { id, .. } = server.receive().await else {
        panic!()
    };
    server.send(ServerMessage::Ack {
        id,
        result: CommandResult::Logged { seq: 1 },
    });
    assert_eq!(vote.await.unwrap().unwrap(), CommandResult::Logged { seq: 1 });
}

#[tokio::test(start_paused = true)]
async fn a_command_the_server_could_not_record_for_its_database_goes_again_with_its_id() {
    let (mut played, mut server) = online().await;
    let sender = played.sync.sender();
    let ballot = tokio::spawn(async move {
        sender
            .send(Command::CastBallot {
                poll_id: phonghop_protocol::PollId(1),
                choice: phonghop_protocol::Choice::Yes,
            })
            .await
    });
    let ClientMessage::Command { id, command, .. } = server.receive().await else {
        panic!("expected the ballot")
    };
    // PostgreSQL is restarting: the server says so; the ballot is not failed but kept.
    server.send(ServerMessage::Error {
        id: Some(id.clone()),
        error: ErrorFrame::new(ErrorCode::Unavailable, ""),
    });
    let mut server = played.connections.recv().await.expect("the client connects again");
    // A subscription refused for the same reason is made again too.
    let ClientMessage::Authenticate { .. } = server.receive().await else {
        panic!("expected authenticate")
    };
    assert!(matches!(server.receive().await, ClientMessage::Subscribe { .. }));
    server.send(ServerMessage::Error {
        id: None,
        error: ErrorFrame::new(ErrorCode::Unavailable, ""),
    });
    let mut server = played.connections.recv().await.expect("the client connects once more");
    server.welcome().await;
    let ClientMessage::Command {
        id: again,
        command: resent,
        ..
    } = server.receive().await
    else {
        panic!("expected the ballot again")
    };
    assert_eq!((&again, &resent), (&id, &command), "the same ballot under the same id");
    assert!(!ballot.is_finished(), "the ballot waits for its answer");
    let recorded = CommandResult::BallotRecorded {
        poll_id: phonghop_protocol::PollId(1),
        choice: Some(phonghop_protocol::Choice::Yes),
        marks: None,
    };
    server.send(ServerMessage::Ack {
        id: again,
        result: recorded.clone(),
    });
    assert_eq!(ballot.await.unwrap().unwrap(), recorded);
}
