//! `kill-storm`: the fault round of issue 9. N delegates vote at once over HTTP; once a third of
//! the ballots are acknowledged the server gets `kill -9`, starts again, and every delegate sends
//! their ballot again with the same command id (as the app resends what it has not heard back
//! about). Rounds alternate named and secret polls. After each: every delegate's ballot is in the
//! database exactly once, the tally equals the ballots, and a secret poll left nothing that links
//! a choice to anyone (no named row, no kept choice in an answer, no sealed row or key after its
//! close). Any failure stops the run. The figures: ballots acknowledged before each kill, and the
//! time from the kill until the server listens again, beside the same for an idle server.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{ensure, Context, Result};
use futures_util::{stream, StreamExt};
use phonghop_protocol::{Choice, Command, ItemId, MeetingId, PollId, Secrecy};
use sqlx::{Row, SqlitePool};
use tokio::sync::Notify;

use crate::report::{median, millis, Better, Figure};
use crate::server::{username, BenchServer};

#[derive(clap::Args, Clone)]
pub struct Options {
    /// Delegates voting at once in each round.
    #[arg(long, default_value_t = 1000)]
    delegates: usize,
    /// Rounds, each a poll cut by `kill -9`: odd rounds named, even rounds secret.
    #[arg(long, default_value_t = 20)]
    rounds: usize,
    /// Ballots in flight at once.
    #[arg(long, default_value_t = 128)]
    concurrency: usize,
    /// A tiny run that only proves the scenario works (one named and one secret round).
    #[arg(long)]
    smoke: bool,
}

/// Delegate `index`'s choice in `round`: a pattern that differs from round to round.
pub fn choice_of(index: usize, round: usize) -> Choice {
    [Choice::Yes, Choice::No, Choice::Yes, Choice::Abstain, Choice::Yes][(index + round) % 5]
}

/// Odd rounds named, even rounds secret.
pub fn secrecy_of(round: usize) -> Secrecy {
    if round.is_multiple_of(2) {
        Secrecy::Secret
    } else {
        Secrecy::Named
    }
}

pub async fn run(mut options: Options) -> Result<()> {
    if options.smoke {
        options.delegates = options.delegates.min(20);
        options.rounds = options.rounds.min(2);
    }
    crate::report::raise_open_file_limit()?;
    let n = options.delegates;
    let mut server = BenchServer::start(n).await?;
    let (meeting, _) = server.prepare_meeting(n).await?;
    let chair = server.login(&username(1)).await?;
    let usernames: Vec<String> = (3..n + 3).map(username).collect();
    let tokens = server.login_all(&usernames).await?;

    let mut acked_before_kill = Vec::with_capacity(options.rounds);
    let mut recoveries = Vec::with_capacity(options.rounds);
    for round in 1..=options.rounds {
        let secrecy = secrecy_of(round);
        let open = Command::OpenPoll {
            ballot: None,
            item_id: ItemId(1),
            title: format!("Biểu quyết giữa sự cố {round}"),
            rule: None,
            preset: None,
            secrecy: Some(secrecy),
            changeable: None,
            quorum_override: None,
            duration_seconds: None,
        };
        server.command(&chair, meeting, &format!("open-{round}"), &open).await?;
        let poll = PollId(round as u32);

        let (acked, recovery) = storm_cut_by_a_kill(&mut server, &tokens, meeting, poll, round, &options).await?;
        acked_are_kept(&server, meeting, poll, round, &acked).await?;
        let acked = acked.len();
        acked_before_kill.push(acked as f64);
        recoveries.push(recovery);
        // Every delegate sends their ballot again with the same id: the acknowledged ones are
        // answered from their receipts, the lost ones carried out now; all must be recorded.
        resend_all(&server, &tokens, meeting, poll, round, options.concurrency).await?;
        check_round(&server, &chair, meeting, poll, round, n).await?;
        eprintln!(
            "kill-storm: round {round} ({secrecy:?}): {acked} of {n} acknowledged before the kill; every ballot once"
        );
    }

    let parameters = serde_json::json!({ "delegates": n, "rounds": options.rounds });
    let idle = idle_restart(n).await?;
    Figure::new(
        "kill-storm",
        "ballots acknowledged before each kill -9 (median of rounds), all counted once after the restart",
        "ballots",
        Better::Higher,
        median(&acked_before_kill),
    )
    .with(parameters.clone())
    .print();
    Figure::new(
        "kill-storm",
        "kill -9 in a vote storm → the server listens again (median of rounds)",
        "ms",
        Better::Lower,
        millis(median_duration(&recoveries)),
    )
    .beside("kill -9 and restart of an idle server", millis(idle))
    .with(parameters)
    .print();
    Ok(())
}

/// All delegates vote at once; the server is killed once a third are acknowledged and started
/// again. Returns the delegates whose ballot was acknowledged (before the kill, or racing it),
/// and the kill → listening time.
async fn storm_cut_by_a_kill(
    server: &mut BenchServer,
    tokens: &[String],
    meeting: MeetingId,
    poll: PollId,
    round: usize,
    options: &Options,
) -> Result<(Vec<usize>, Duration)> {
    let acked = Arc::new(Mutex::new(Vec::new()));
    let third = Arc::new(Notify::new());
    let enough = (tokens.len() / 3).max(1);
    let url = server.url.clone();
    let http = reqwest::Client::new();
    let storm = {
        let (acked, third, tokens) = (acked.clone(), third.clone(), tokens.to_vec());
        let concurrency = options.concurrency;
        tokio::spawn(async move {
            stream::iter(tokens.into_iter().enumerate())
                .map(|(index, token)| {
                    let (http, url, acked, third) = (http.clone(), url.clone(), acked.clone(), third.clone());
                    async move {
                        let body = serde_json::json!({
                            "id": format!("r{round}-d{index}"),
                            "command": Command::CastBallot { poll_id: poll, choice: choice_of(index, round) },
                        });
                        let sent = http
                            .post(format!("{url}/api/meetings/{meeting}/commands"))
                            .bearer_auth(token)
                            .json(&body)
                            .send()
                            .await;
                        if sent.is_ok_and(|response| response.status().is_success()) {
                            let mut acked = acked.lock().expect("acked lock");
                            acked.push(index);
                            if acked.len() == enough {
                                third.notify_one();
                            }
                        }
                    }
                })
                .buffer_unordered(concurrency)
                .collect::<Vec<()>>()
                .await
        })
    };
    tokio::time::timeout(Duration::from_secs(120), third.notified())
        .await
        .context("a third of the ballots were never acknowledged")?;
    let recovery = server.kill_and_restart().await?;
    storm.await.context("the storm")?;
    let acked = std::mem::take(&mut *acked.lock().expect("acked lock"));
    Ok((acked, recovery))
}

/// Before anything is resent: every acknowledged ballot survived the kill.
async fn acked_are_kept(
    server: &BenchServer,
    meeting: MeetingId,
    poll: PollId,
    round: usize,
    acked: &[usize],
) -> Result<()> {
    let database = SqlitePool::connect(&format!("sqlite://{}?mode=ro", server.database_path().display())).await?;
    let table = match secrecy_of(round) {
        Secrecy::Named => "ballots",
        Secrecy::Secret => "secret_voters",
    };
    let voters: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT user_id FROM {table} WHERE meeting_id = ? AND poll_id = ?"
    ))
    .bind(i64::from(meeting.0))
    .bind(i64::from(poll.0))
    .fetch_all(&database)
    .await?;
    database.close().await;
    // The bench councillors are imported in order: delegate `index` is user `index + 3`.
    let missing: Vec<usize> = acked
        .iter()
        .copied()
        .filter(|index| !voters.contains(&(*index as i64 + 3)))
        .collect();
    ensure!(
        missing.is_empty(),
        "round {round}: acknowledged ballots lost by the kill: delegates {missing:?}"
    );
    Ok(())
}

async fn resend_all(
    server: &BenchServer,
    tokens: &[String],
    meeting: MeetingId,
    poll: PollId,
    round: usize,
    concurrency: usize,
) -> Result<()> {
    let answers: Vec<Result<(bool, serde_json::Value)>> = stream::iter(tokens.iter().enumerate())
        .map(|(index, token)| {
            let ballot = Command::CastBallot {
                poll_id: poll,
                choice: choice_of(index, round),
            };
            async move {
                server
                    .try_command(token, meeting, &format!("r{round}-d{index}"), &ballot)
                    .await
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    for answer in answers {
        let (ok, body) = answer?;
        ensure!(
            ok && body["kind"] == "ballot_recorded",
            "a resent ballot was not recorded: {body}"
        );
    }
    Ok(())
}

/// After a round: each delegate's ballot once, the tally equal to the ballots, and for a secret
/// poll nothing that links a choice to anyone.
async fn check_round(
    server: &BenchServer,
    chair: &str,
    meeting: MeetingId,
    poll: PollId,
    round: usize,
    n: usize,
) -> Result<()> {
    let count = |choice| (0..n).filter(|index| choice_of(*index, round) == choice).count() as u32;
    let expected = (count(Choice::Yes), count(Choice::No), count(Choice::Abstain));
    let database = SqlitePool::connect(&format!("sqlite://{}?mode=ro", server.database_path().display())).await?;
    let rows = |table: &'static str| {
        let database = database.clone();
        async move {
            let row = sqlx::query(&format!(
                "SELECT COUNT(*) AS all_rows, COUNT(DISTINCT user_id) AS voters FROM {table}
                 WHERE meeting_id = ? AND poll_id = ?"
            ))
            .bind(i64::from(meeting.0))
            .bind(i64::from(poll.0))
            .fetch_one(&database)
            .await?;
            anyhow::Ok((row.get::<i64, _>("all_rows"), row.get::<i64, _>("voters")))
        }
    };
    let secret = secrecy_of(round) == Secrecy::Secret;
    let (kept, other) = if secret {
        (rows("secret_voters").await?, rows("ballots").await?)
    } else {
        (rows("ballots").await?, rows("secret_voters").await?)
    };
    ensure!(
        kept == (n as i64, n as i64),
        "round {round}: {kept:?} ballots for {n} delegates"
    );
    ensure!(other == (0, 0), "round {round}: {other:?} ballots kept the other way");

    let close = Command::ClosePoll { poll_id: poll };
    server
        .command(chair, meeting, &format!("close-{round}"), &close)
        .await?;
    let snapshot: serde_json::Value = server.get(chair, &format!("/api/meetings/{meeting}/snapshot")).await?;
    let tally = &snapshot["state"]["polls"][poll.0 as usize - 1]["tally"];
    let counts = |name: &str| tally[name].as_u64().unwrap_or(u64::MAX) as u32;
    ensure!(
        (counts("yes"), counts("no"), counts("abstain"), counts("sealed")) == (expected.0, expected.1, expected.2, 0),
        "round {round}: the tally {tally} is not the ballots {expected:?}"
    );
    if secret {
        let sealed: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM sealed_ballots WHERE meeting_id = ? AND poll_id = ?")
                .bind(i64::from(meeting.0))
                .bind(i64::from(poll.0))
                .fetch_one(&database)
                .await?;
        ensure!(
            sealed == 0,
            "round {round}: {sealed} sealed ballots kept after the close"
        );
        let with_choice: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM processed_commands WHERE command_id LIKE ? AND result NOT LIKE '%\"choice\":null%'",
        )
        .bind(format!("r{round}-d%"))
        .fetch_one(&database)
        .await?;
        ensure!(
            with_choice == 0,
            "round {round}: {with_choice} kept answers name a choice"
        );
        let keys = std::fs::read_dir(server.ballot_key_folder())?.count();
        ensure!(keys == 0, "round {round}: {keys} ballot keys left after the close");
    }
    database.close().await;
    Ok(())
}

/// The same kill and restart of an idle server with as many members: what a restart costs
/// without a storm in flight.
async fn idle_restart(n: usize) -> Result<Duration> {
    let mut server = BenchServer::start(n).await?;
    server.prepare_meeting(n).await?;
    server.kill_and_restart().await
}

pub fn median_duration(samples: &[Duration]) -> Duration {
    let seconds: Vec<f64> = samples.iter().map(Duration::as_secs_f64).collect();
    Duration::from_secs_f64(median(&seconds))
}
