//! `vote-storm`: N delegates, each on their own WebSocket, cast a ballot at the same moment;
//! from cast to ack for each, and from the last ack until every client holds the final tally.
//! Beside it: the same ballots as plain SQLite commits (one transaction each, and all in one),
//! and a bare echo storm (each client sends a frame and waits for it back).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use futures_util::{stream, SinkExt, StreamExt, TryStreamExt};
use phonghop_protocol::{Choice, ClientMessage, Command, ItemId, MeetingId, PollId};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::ConnectOptions;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

use crate::bare::BareServer;
use crate::clients::{connect, frame, next_json, subscribe, Receiver, Sender};
use crate::report::{millis, percentile, raise_open_file_limit, Better, Figure};
use crate::server::{username, BenchServer};

#[derive(clap::Args, Clone)]
pub struct Options {
    /// Delegates voting at once.
    #[arg(long, default_value_t = 2000)]
    delegates: usize,
    /// Polls, one after another, each with every delegate voting.
    #[arg(long, default_value_t = 1)]
    rounds: usize,
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
    /// A tiny run that only proves the scenario works.
    #[arg(long)]
    smoke: bool,
}

/// One delegate's ballot in one round.
struct Ballot {
    sent: Instant,
    acked: Instant,
    final_tally: Instant,
}

pub async fn run(mut options: Options) -> Result<()> {
    if options.smoke {
        options.delegates = options.delegates.min(10);
        options.rounds = options.rounds.min(2);
    }
    raise_open_file_limit()?;
    let rounds = phonghop_storm(&options).await.context("phonghop")?;
    let echo = echo_storm(&options).await.context("the bare echo storm")?;
    let (each, together) = plain_sqlite(options.delegates)
        .await
        .context("the plain SQLite baseline")?;

    let n = options.delegates;
    let parameters = serde_json::json!({ "delegates": n, "rounds": options.rounds });
    let cast_to_ack: Vec<Duration> = rounds
        .iter()
        .flatten()
        .map(|ballot| ballot.acked - ballot.sent)
        .collect();
    let goal = if n <= 50 { "p99 ≤ 10 ms" } else { "p99 ≤ 100 ms" };
    for (p, label) in [(50.0, "p50"), (99.0, "p99")] {
        Figure::new(
            "vote-storm",
            format!("{n} ballots cast at once: cast → ack {label}"),
            "ms",
            Better::Lower,
            millis(percentile(&cast_to_ack, p)),
        )
        .beside("bare echo storm", millis(percentile(&echo, p)))
        .goal(goal)
        .with(parameters.clone())
        .print();
    }
    let all_committed: Vec<Duration> = rounds
        .iter()
        .map(|round| {
            let first = round.iter().map(|ballot| ballot.sent).min().expect("ballots");
            let last = round.iter().map(|ballot| ballot.acked).max().expect("ballots");
            last - first
        })
        .collect();
    Figure::new(
        "vote-storm",
        format!("{n} ballots cast at once: all acknowledged (median of rounds)"),
        "ms",
        Better::Lower,
        millis(percentile(&all_committed, 50.0)),
    )
    .beside(
        "the same ballots as plain SQLite commits, one transaction each",
        millis(each.iter().sum()),
    )
    .with(parameters.clone())
    .print();
    Figure::new(
        "vote-storm",
        format!("{n} ballots cast at once: all acknowledged (median of rounds)"),
        "ms",
        Better::Lower,
        millis(percentile(&all_committed, 50.0)),
    )
    .beside("the same ballots as plain SQLite in one transaction", millis(together))
    .with(parameters.clone())
    .print();
    Figure::new(
        "vote-storm",
        "one SQLite commit of a ballot, p99",
        "ms",
        Better::Lower,
        millis(percentile(&each, 99.0)),
    )
    .with(parameters.clone())
    .print();
    let tally_after_last_ack: Vec<Duration> = rounds
        .iter()
        .map(|round| {
            let last_ack = round.iter().map(|ballot| ballot.acked).max().expect("ballots");
            let last_tally = round.iter().map(|ballot| ballot.final_tally).max().expect("ballots");
            last_tally.saturating_duration_since(last_ack)
        })
        .collect();
    Figure::new(
        "vote-storm",
        "last ack → every client holds the final tally (median of rounds)",
        "ms",
        Better::Lower,
        millis(percentile(&tally_after_last_ack, 50.0)),
    )
    .with(parameters)
    .print();
    Ok(())
}

/// One delegate: waits for each round's signal, votes, waits for the ack and the final tally.
async fn delegate(
    mut sender: Sender,
    mut receiver: Receiver,
    meeting: MeetingId,
    delegates: usize,
    mut go: watch::Receiver<usize>,
    ballots: mpsc::UnboundedSender<(usize, Ballot)>,
) -> Result<()> {
    let mut round = 0;
    while go.wait_for(|signal| *signal > round).await.is_ok() {
        round += 1;
        let poll = PollId(round as u32);
        let id = format!("ballot-{round}");
        let cast = ClientMessage::Command {
            id: id.clone(),
            meeting_id: meeting,
            command: Command::CastBallot {
                poll_id: poll,
                choice: Choice::Yes,
            },
        };
        let sent = Instant::now();
        sender.send(frame(cast)).await?;
        let mut acked = None;
        let mut final_tally = None;
        while acked.is_none() || final_tally.is_none() {
            let frame = next_json(&mut receiver).await?;
            match frame["type"].as_str() {
                Some("ack") if frame["id"] == id.as_str() => acked = Some(Instant::now()),
                Some("error") => bail!("a ballot was refused: {frame}"),
                Some("tally")
                    if frame["poll_id"] == poll.0 && frame["tally"]["yes"].as_u64() == Some(delegates as u64) =>
                {
                    final_tally = Some(Instant::now())
                }
                _ => {}
            }
        }
        let ballot = Ballot {
            sent,
            acked: acked.expect("acked"),
            final_tally: final_tally.expect("final tally"),
        };
        if ballots.send((round, ballot)).is_err() {
            return Ok(());
        }
    }
    Ok(())
}

async fn phonghop_storm(options: &Options) -> Result<Vec<Vec<Ballot>>> {
    let n = options.delegates;
    let server = BenchServer::start(n).await?;
    let (meeting, _) = server.prepare_meeting(n).await?;
    let chair = server.login(&username(1)).await?;
    let usernames: Vec<String> = (3..n + 3).map(username).collect();
    let tokens = server.login_all(&usernames).await?;
    let url = server.websocket_url();
    let subscribed: Vec<(Sender, Receiver, u32)> = stream::iter(&tokens)
        .map(|token| subscribe(&url, token, meeting))
        .buffer_unordered(options.concurrency)
        .try_collect()
        .await?;
    let (go, signal) = watch::channel(0);
    let (ballots, mut cast) = mpsc::unbounded_channel();
    for (sender, receiver, _) in subscribed {
        tokio::spawn(delegate(sender, receiver, meeting, n, signal.clone(), ballots.clone()));
    }
    let mut rounds = Vec::with_capacity(options.rounds);
    for round in 1..=options.rounds {
        let open = Command::OpenPoll {
            ballot: None,
            item_id: ItemId(1),
            title: format!("Biểu quyết đo hiệu năng {round}"),
            rule: None,
            preset: None,
            secrecy: None,
            changeable: None,
            quorum_override: None,
            duration_seconds: None,
        };
        server.command(&chair, meeting, &format!("open-{round}"), &open).await?;
        go.send_replace(round);
        let mut this_round = Vec::with_capacity(n);
        while this_round.len() < n {
            let (of_round, ballot) = tokio::time::timeout(Duration::from_secs(120), cast.recv())
                .await
                .context("a delegate never got their ack and the final tally")?
                .context("the delegates stopped")?;
            if of_round == round {
                this_round.push(ballot);
            }
        }
        let close = Command::ClosePoll {
            poll_id: PollId(round as u32),
        };
        server
            .command(&chair, meeting, &format!("close-{round}"), &close)
            .await?;
        rounds.push(this_round);
    }
    Ok(rounds)
}

/// N clients of the bare echo server each send one frame at the same moment and wait for it.
async fn echo_storm(options: &Options) -> Result<Vec<Duration>> {
    let bare = BareServer::start().await?;
    let url = format!("{}/echo", bare.url);
    let sockets: Vec<_> = stream::iter(0..options.delegates)
        .map(|_| connect(&url))
        .buffer_unordered(options.concurrency)
        .try_collect()
        .await?;
    let start = Arc::new(tokio::sync::Barrier::new(sockets.len() + 1));
    let mut tasks = tokio::task::JoinSet::new();
    for socket in sockets {
        let start = Arc::clone(&start);
        tasks.spawn(async move {
            let (mut sender, mut receiver) = socket.split();
            start.wait().await;
            let sent = Instant::now();
            let ballot = r#"{"v":1,"type":"command","id":"ballot-1","meeting_id":1,"command":{"kind":"cast_ballot","poll_id":1,"choice":"yes"}}"#;
            sender.send(Message::text(ballot)).await?;
            next_json(&mut receiver).await?;
            anyhow::Ok(sent.elapsed())
        });
    }
    start.wait().await;
    let mut echoes = Vec::with_capacity(options.delegates);
    while let Some(joined) = tasks.join_next().await {
        echoes.push(joined??);
    }
    Ok(echoes)
}

/// The ballots of one poll as plain SQLite writes with phonghop's durability settings (WAL,
/// synchronous=FULL): each in its own transaction (returns each commit's time), and all in one.
async fn plain_sqlite(delegates: usize) -> Result<(Vec<Duration>, Duration)> {
    let folder = tempfile::tempdir()?;
    let mut connection = SqliteConnectOptions::new()
        .filename(folder.path().join("plain.sqlite3"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .connect()
        .await?;
    sqlx::query(
        "CREATE TABLE ballots (poll_id INTEGER, user_id INTEGER, choice TEXT, cast_at INTEGER,
         PRIMARY KEY (poll_id, user_id))",
    )
    .execute(&mut connection)
    .await?;
    let mut each = Vec::with_capacity(delegates);
    for user in 0..delegates {
        let started = Instant::now();
        sqlx::query("INSERT INTO ballots VALUES (1, ?, 'yes', 0)")
            .bind(user as i64)
            .execute(&mut connection)
            .await?;
        each.push(started.elapsed());
    }
    let started = Instant::now();
    let mut tx = sqlx::Connection::begin(&mut connection).await?;
    for user in 0..delegates {
        sqlx::query("INSERT INTO ballots VALUES (2, ?, 'yes', 0)")
            .bind(user as i64)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok((each, started.elapsed()))
}
