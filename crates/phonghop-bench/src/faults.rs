//! `faults`: the fault rounds of a province's server (issue 12): two `phonghop-server` instances
//! on one PostgreSQL database (a cluster of the run's own) and one data folder. Any failure stops
//! the run.
//!
//! 1. **An instance killed in a vote storm**, round after round (named and secret polls): the
//!    delegates vote through both instances; once a third of the ballots are acknowledged one
//!    instance gets `kill -9`, and every delegate sends their ballot again with the same command
//!    id through the instance still running (as the app moves to the next address). Then the
//!    killed instance starts again. After each: every acknowledged ballot was kept, each
//!    delegate's ballot is in the database once, the tally equals the ballots, and a subscriber
//!    of each instance holds the same state as the database.
//! 2. **Random disconnects**: subscribers follow the meeting while the agenda changes through
//!    both instances; round after round one of them is cut off and resumes from its seq on a
//!    random instance. No subscriber ever sees an event twice or a gap, and at the end each holds
//!    the database's state.
//! 3. **PostgreSQL restarted** (an immediate shutdown, as a crash) while the agenda changes
//!    through both instances: commands are answered `unavailable` while it is down, every
//!    acknowledged change is kept once, and both instances acknowledge again without a restart.
//!
//! The figures: failover (kill → every ballot recorded through the other instance) beside the
//! same storm with no kill; a subscriber's resume beside its first subscribe; PostgreSQL's restart
//! → both instances acknowledge again, beside the restart alone.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use futures_util::{stream, StreamExt};
use phonghop_protocol::{Choice, Command, ItemId, MeetingId, MeetingState, PollId, Secrecy};
use phonghop_store::scratch_postgres::ScratchCluster;
use rand::{Rng, SeedableRng};
use sqlx::{PgPool, Row};
use tokio::sync::{mpsc, oneshot, Notify};

use crate::follower::Follower;
use crate::kill_storm::{choice_of, median_duration, secrecy_of};
use crate::report::{median, millis, percentile, Better, Figure};
use crate::server::{username, BenchServer, Instance};

#[derive(clap::Args, Clone)]
pub struct Options {
    /// Delegates voting at once in each storm.
    #[arg(long, default_value_t = 1000)]
    delegates: usize,
    /// Storms cut by `kill -9` of one instance: odd rounds named, even rounds secret.
    #[arg(long, default_value_t = 20)]
    rounds: usize,
    /// Subscribers cut off and resumed, one at a time.
    #[arg(long, default_value_t = 1000)]
    disconnects: usize,
    /// Subscribers following the meeting during the disconnects.
    #[arg(long, default_value_t = 20)]
    subscribers: usize,
    /// Restarts of PostgreSQL.
    #[arg(long, default_value_t = 5)]
    restarts: usize,
    /// Ballots in flight at once.
    #[arg(long, default_value_t = 128)]
    concurrency: usize,
    /// A tiny run that only proves the scenario works.
    #[arg(long)]
    smoke: bool,
}

/// The two instances, the database they share, and the people acting.
struct Province {
    server: BenchServer,
    other: Instance,
    pool: PgPool,
    meeting: MeetingId,
    chair: String,
    secretariat: String,
    tokens: Vec<String>,
}

impl Province {
    /// The instances' addresses: the first server's and the other's.
    fn urls(&self) -> [String; 2] {
        [self.server.url.clone(), self.other.url.clone()]
    }
}

pub async fn run(mut options: Options) -> Result<()> {
    if options.smoke {
        options.delegates = options.delegates.min(20);
        options.rounds = options.rounds.min(2);
        options.disconnects = options.disconnects.min(20);
        options.subscribers = options.subscribers.min(4);
        options.restarts = options.restarts.min(1);
    }
    crate::report::raise_open_file_limit()?;
    // A cluster of this run's own: the third round crashes it.
    let cluster = ScratchCluster::start().map_err(anyhow::Error::msg)?;
    let database = cluster.new_database().await.map_err(anyhow::Error::msg)?;
    let n = options.delegates;
    let server = BenchServer::start_on(n, Some(database.clone()), &[]).await?;
    let (meeting, secretariat) = server.prepare_meeting(n).await?;
    let other = server.start_instance().await?;
    let chair = server.login(&username(1)).await?;
    let usernames: Vec<String> = (3..n + 3).map(username).collect();
    let tokens = server.login_all(&usernames).await?;
    let pool = PgPool::connect(&database).await?;
    let mut province = Province {
        server,
        other,
        pool,
        meeting,
        chair,
        secretariat,
        tokens,
    };

    // 1. An instance killed in a vote storm.
    let baseline = storm(&province, 0, &options).await?;
    let mut failovers = Vec::with_capacity(options.rounds);
    let mut acked_before_kill = Vec::with_capacity(options.rounds);
    for round in 1..=options.rounds {
        let (acked, failover) = storm_cut_by_a_kill(&mut province, round, &options).await?;
        acked_before_kill.push(acked as f64);
        failovers.push(failover);
        eprintln!("faults: storm {round}: {acked} of {n} acknowledged before the kill; every ballot once, both instances agree");
    }
    let parameters = serde_json::json!({ "delegates": n, "rounds": options.rounds });
    Figure::new(
        "faults",
        "kill -9 of one of two instances in a vote storm → every ballot recorded through the other (median of rounds)",
        "ms",
        Better::Lower,
        millis(median_duration(&failovers)),
    )
    .beside("the same storm through both instances, no kill", millis(baseline))
    .note(format!(
        "median {} ballots acknowledged before each kill, each kept; every ballot once after the failover",
        median(&acked_before_kill)
    ))
    .with(parameters)
    .print();

    // 2. Random disconnects.
    let (resumes, first_subscribes) = disconnects(&province, &options).await?;
    Figure::new(
        "faults",
        "a subscriber cut off → live again on a random instance, resuming from its seq (p50)",
        "ms",
        Better::Lower,
        millis(percentile(&resumes, 50.0)),
    )
    .beside(
        "its first subscribe, with a snapshot (p50)",
        millis(percentile(&first_subscribes, 50.0)),
    )
    .note(format!(
        "p99 {} ms over {} disconnects; no event twice, no gap, every subscriber equal to the database",
        millis(percentile(&resumes, 99.0)),
        resumes.len()
    ))
    .with(serde_json::json!({ "disconnects": options.disconnects, "subscribers": options.subscribers }))
    .print();

    // 3. PostgreSQL restarted.
    let mut recoveries = Vec::new();
    let mut restarts = Vec::new();
    for round in 1..=options.restarts {
        let (recovery, restart, unavailable) = postgres_restarted(&province, &cluster, round).await?;
        recoveries.push(recovery);
        restarts.push(restart);
        eprintln!("faults: PostgreSQL restart {round}: {unavailable} commands answered `unavailable`; every acknowledged change kept once");
    }
    Figure::new(
        "faults",
        "PostgreSQL crashed and started again → both instances acknowledge commands again (median)",
        "ms",
        Better::Lower,
        millis(median_duration(&recoveries)),
    )
    .beside(
        "PostgreSQL's own start until it accepts connections",
        millis(median_duration(&restarts)),
    )
    .with(serde_json::json!({ "restarts": options.restarts }))
    .print();
    province.other.kill().await?;
    province.pool.close().await;
    Ok(())
}

async fn open_poll(province: &Province, round: usize) -> Result<PollId> {
    let open = Command::OpenPoll {
        ballot: None,
        item_id: ItemId(1),
        title: format!("Biểu quyết giữa sự cố {round}"),
        rule: None,
        preset: None,
        secrecy: Some(secrecy_of(round)),
        changeable: None,
        quorum_override: None,
        duration_seconds: None,
    };
    let opened = province
        .server
        .command(&province.chair, province.meeting, &format!("open-{round}"), &open)
        .await?;
    let seq = opened["seq"].as_u64().context("opening a poll is logged")?;
    let snapshot: serde_json::Value = province
        .server
        .get(&province.chair, &format!("/api/meetings/{}/snapshot", province.meeting))
        .await?;
    ensure!(snapshot["seq"].as_u64() >= Some(seq), "the snapshot is behind the poll");
    let polls = snapshot["state"]["polls"].as_array().context("polls")?;
    let poll = polls.last().context("the poll just opened")?;
    Ok(serde_json::from_value(poll["id"].clone())?)
}

/// A ballot through the instance at `url`; whether it was recorded.
async fn ballot(province: &Province, url: &str, index: usize, poll: PollId, round: usize) -> Result<bool> {
    let command = Command::CastBallot {
        poll_id: poll,
        choice: choice_of(index, round),
    };
    let (ok, body) = province
        .server
        .try_command_at(
            url,
            &province.tokens[index],
            province.meeting,
            &format!("r{round}-d{index}"),
            &command,
        )
        .await?;
    ensure!(!ok || body["kind"] == "ballot_recorded", "a ballot answered {body}");
    Ok(ok)
}

/// Round 0: every delegate votes through their instance (even through the first, odd through the
/// other), nothing killed; how long until all are recorded. Then the round is checked and closed.
async fn storm(province: &Province, round: usize, options: &Options) -> Result<Duration> {
    let poll = open_poll(province, round).await?;
    let urls = province.urls();
    let started = Instant::now();
    let answers: Vec<Result<bool>> = stream::iter(0..province.tokens.len())
        .map(|index| ballot(province, &urls[index % 2], index, poll, round))
        .buffer_unordered(options.concurrency)
        .collect()
        .await;
    let took = started.elapsed();
    for answer in answers {
        ensure!(answer?, "a ballot of the storm was refused");
    }
    check_round(province, poll, round).await?;
    Ok(took)
}

/// A storm through both instances, the other killed once a third of the ballots are
/// acknowledged; every delegate then votes again through the first (same ids), and the killed
/// instance starts again. Returns how many were acknowledged before the kill, and the time from
/// the kill until every ballot was recorded.
async fn storm_cut_by_a_kill(province: &mut Province, round: usize, options: &Options) -> Result<(usize, Duration)> {
    let poll = open_poll(province, round).await?;
    let urls = province.urls();
    let other_pid = province.other.pid().context("the other instance runs")?;
    let shared: &Province = province;
    let acked = Arc::new(Mutex::new(Vec::new()));
    let third = Arc::new(Notify::new());
    let enough = (province.tokens.len() / 3).max(1);
    let kill = async {
        tokio::time::timeout(Duration::from_secs(120), third.notified())
            .await
            .context("a third of the ballots were never acknowledged")?;
        let killed = Instant::now();
        kill_9(other_pid)?;
        anyhow::Ok(killed)
    };
    let storm = stream::iter(0..shared.tokens.len())
        .map(|index| {
            let (acked, third, url) = (acked.clone(), third.clone(), &urls[index % 2]);
            async move {
                // Refused, cut or never sent: the resend below decides.
                if ballot(shared, url, index, poll, round).await.unwrap_or(false) {
                    let mut acked = acked.lock().expect("acked lock");
                    acked.push(index);
                    if acked.len() == enough {
                        third.notify_one();
                    }
                }
            }
        })
        .buffer_unordered(options.concurrency)
        .collect::<Vec<()>>();
    let (killed, ()) = tokio::join!(kill, async {
        storm.await;
    });
    let killed = killed?;
    province.other.kill().await?;
    let acked = std::mem::take(&mut *acked.lock().expect("acked lock"));
    acked_are_kept(province, poll, round, &acked).await?;
    // The app moves to the instance still running and sends its outbox again, under the same ids.
    let answers: Vec<Result<bool>> = stream::iter(0..province.tokens.len())
        .map(|index| ballot(province, &urls[0], index, poll, round))
        .buffer_unordered(options.concurrency)
        .collect()
        .await;
    let failover = killed.elapsed();
    for answer in answers {
        ensure!(answer?, "round {round}: a ballot sent again was not recorded");
    }
    province.server.restart_instance(&mut province.other).await?;
    check_round(province, poll, round).await?;
    Ok((acked.len(), failover))
}

/// The table that holds who voted in a poll of this round.
fn voters_table(round: usize) -> &'static str {
    match secrecy_of(round) {
        Secrecy::Named => "ballots",
        Secrecy::Secret => "secret_voters",
    }
}

/// Before anything is sent again: every acknowledged ballot survived the kill.
async fn acked_are_kept(province: &Province, poll: PollId, round: usize, acked: &[usize]) -> Result<()> {
    let voters: Vec<i64> = sqlx::query_scalar(&format!(
        "SELECT user_id FROM {} WHERE meeting_id = $1 AND poll_id = $2",
        voters_table(round)
    ))
    .bind(i64::from(province.meeting.0))
    .bind(i64::from(poll.0))
    .fetch_all(&province.pool)
    .await?;
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

/// After a storm: each delegate's ballot once, kept only the poll's way; closed through the other
/// instance, the tally equals the ballots; and a subscriber of each instance holds the state the
/// database holds.
async fn check_round(province: &Province, poll: PollId, round: usize) -> Result<()> {
    let n = province.tokens.len();
    let rows = |table: &'static str| async move {
        let row = sqlx::query(&format!(
            "SELECT COUNT(*) AS all_rows, COUNT(DISTINCT user_id) AS voters FROM {table}
             WHERE meeting_id = $1 AND poll_id = $2"
        ))
        .bind(i64::from(province.meeting.0))
        .bind(i64::from(poll.0))
        .fetch_one(&province.pool)
        .await?;
        anyhow::Ok((row.get::<i64, _>("all_rows"), row.get::<i64, _>("voters")))
    };
    let (kept, other) = match secrecy_of(round) {
        Secrecy::Named => (rows("ballots").await?, rows("secret_voters").await?),
        Secrecy::Secret => (rows("secret_voters").await?, rows("ballots").await?),
    };
    ensure!(
        kept == (n as i64, n as i64),
        "round {round}: {kept:?} ballots for {n} delegates"
    );
    ensure!(other == (0, 0), "round {round}: {other:?} ballots kept the other way");

    let close = Command::ClosePoll { poll_id: poll };
    let urls = province.urls();
    let (closed, body) = province
        .server
        .try_command_at(
            &urls[1],
            &province.chair,
            province.meeting,
            &format!("close-{round}"),
            &close,
        )
        .await?;
    ensure!(closed, "round {round}: closing through the other instance: {body}");
    let (seq, state) = database_state(province).await?;
    let count = |choice| (0..n).filter(|index| choice_of(*index, round) == choice).count() as u32;
    let tally = &state
        .polls
        .iter()
        .find(|shown| shown.id == poll)
        .context("the poll")?
        .tally;
    ensure!(
        (tally.yes, tally.no, tally.abstain, tally.sealed)
            == (count(Choice::Yes), count(Choice::No), count(Choice::Abstain), 0),
        "round {round}: the tally {tally:?} is not the ballots"
    );
    for url in &urls {
        let mut follower = Follower::default();
        follower.connect(url, &province.chair, province.meeting).await?;
        tokio::time::timeout(Duration::from_secs(60), follower.read_until(seq))
            .await
            .with_context(|| format!("round {round}: a subscriber of {url} never reached seq {seq}"))??;
        ensure!(
            follower.state.as_ref() == Some(&state),
            "round {round}: a subscriber of {url} holds another state than the database"
        );
    }
    Ok(())
}

/// The meeting as the database holds it (through the first instance), and its seq.
async fn database_state(province: &Province) -> Result<(u32, MeetingState)> {
    let snapshot: serde_json::Value = province
        .server
        .get(&province.chair, &format!("/api/meetings/{}/snapshot", province.meeting))
        .await?;
    let seq = snapshot["seq"].as_u64().context("a snapshot's seq")? as u32;
    Ok((seq, serde_json::from_value(snapshot["state"].clone())?))
}

/// What a subscriber's task is asked to do.
enum Order {
    /// Drop the connection and resume on the instance at this address; answers how long until
    /// live again.
    Cut(String, oneshot::Sender<Result<Duration>>),
    /// Read up to this seq and answer the state.
    Finish(u32, oneshot::Sender<Result<MeetingState>>),
}

/// A subscriber following the meeting in a task of its own, reading every frame as it comes.
async fn subscriber(mut follower: Follower, token: String, meeting: MeetingId, mut orders: mpsc::Receiver<Order>) {
    let mut failed: Option<anyhow::Error> = None;
    loop {
        tokio::select! {
            order = orders.recv() => match order {
                Some(Order::Cut(url, answer)) => {
                    follower.disconnect();
                    let started = Instant::now();
                    let resumed = follower.connect(&url, &token, meeting).await.map(|()| started.elapsed());
                    let _ = answer.send(match failed.take() {
                        Some(error) => Err(error),
                        None => resumed,
                    });
                }
                Some(Order::Finish(seq, answer)) => {
                    let finished = match failed.take() {
                        Some(error) => Err(error),
                        None => tokio::time::timeout(Duration::from_secs(60), follower.read_until(seq))
                            .await
                            .map_err(|_| anyhow::anyhow!("never reached seq {seq}"))
                            .and_then(|read| read)
                            .and_then(|()| follower.state.clone().context("no state")),
                    };
                    let _ = answer.send(finished);
                    return;
                }
                None => return,
            },
            frame = follower.next_frame(), if failed.is_none() => {
                if let Err(error) = frame.and_then(|frame| follower.take(frame)) {
                    failed = Some(error);
                }
            }
        }
    }
}

/// Subscribers follow the meeting while the secretariat changes the agenda through both
/// instances; one at a time, a random one is cut off and resumes on a random instance. Returns
/// the resumes' durations and the first subscribes'.
async fn disconnects(province: &Province, options: &Options) -> Result<(Vec<Duration>, Vec<Duration>)> {
    let urls = province.urls();
    let mut random = rand::rngs::StdRng::seed_from_u64(12);
    let mut orders = Vec::new();
    let mut tasks = Vec::new();
    let mut first_subscribes = Vec::new();
    for index in 0..options.subscribers {
        let mut follower = Follower::default();
        let token = province.tokens[index % province.tokens.len()].clone();
        let started = Instant::now();
        follower.connect(&urls[index % 2], &token, province.meeting).await?;
        first_subscribes.push(started.elapsed());
        let (order, receive) = mpsc::channel(1);
        orders.push(order);
        tasks.push(tokio::spawn(subscriber(follower, token, province.meeting, receive)));
    }
    let stop = Arc::new(AtomicBool::new(false));
    let changes = {
        let stop = stop.clone();
        let urls = urls.clone();
        async move {
            let mut made = 0usize;
            loop {
                let change = Command::AddAgendaItem {
                    parent: None,
                    title: format!("Nội dung thay đổi {made}"),
                    description: String::new(),
                };
                let id = format!("change-{made}");
                let through = &urls[made % 2];
                // A change is never cut off half-sent: once the cuts are over, the last one is
                // answered before the database's state is read.
                if stop.load(Ordering::Acquire) {
                    return anyhow::Ok(made);
                }
                let (ok, body) = province
                    .server
                    .try_command_at(through, &province.secretariat, province.meeting, &id, &change)
                    .await?;
                ensure!(ok, "an agenda change was refused: {body}");
                made += 1;
            }
        }
    };
    let cuts = async {
        let mut resumes = Vec::with_capacity(options.disconnects);
        for _ in 0..options.disconnects {
            let which = random.gen_range(0..orders.len());
            let url = urls[random.gen_range(0..2)].clone();
            let (answer, answered) = oneshot::channel();
            orders[which]
                .send(Order::Cut(url, answer))
                .await
                .context("a subscriber stopped")?;
            resumes.push(answered.await.context("a subscriber stopped")??);
        }
        stop.store(true, Ordering::Release);
        anyhow::Ok(resumes)
    };
    let (made, resumes) = tokio::join!(changes, cuts);
    let (made, resumes) = (made?, resumes?);
    ensure!(made > 0, "no agenda change was made during the disconnects");
    let (seq, state) = database_state(province).await?;
    for (index, order) in orders.iter().enumerate() {
        let (answer, answered) = oneshot::channel();
        order
            .send(Order::Finish(seq, answer))
            .await
            .context("a subscriber stopped")?;
        let held = answered
            .await
            .context("a subscriber stopped")?
            .with_context(|| format!("subscriber {index}"))?;
        ensure!(
            held == state,
            "subscriber {index} holds another state than the database: {}",
            differences(&held, &state)
        );
    }
    for task in tasks {
        task.await?;
    }
    eprintln!(
        "faults: {} disconnects during {made} agenda changes; every subscriber equal to the database",
        resumes.len()
    );
    Ok((resumes, first_subscribes))
}

/// Agenda changes through both instances while PostgreSQL crashes (immediate shutdown) and starts
/// again. Returns the time from its start until both instances acknowledged again, the start's
/// own time, and how many commands were answered `unavailable`.
async fn postgres_restarted(
    province: &Province,
    cluster: &ScratchCluster,
    round: usize,
) -> Result<(Duration, Duration, usize)> {
    let urls = province.urls();
    let mut next = 0;
    // One agenda change through `instance`: its title, and whether it was acknowledged (else the
    // server's answer).
    let mut send = |instance: usize| {
        next += 1;
        let (url, title, id) = (
            urls[instance].clone(),
            format!("Thay đổi {round}.{next}"),
            format!("pg-{round}-{next}"),
        );
        async move {
            let change = Command::AddAgendaItem {
                parent: None,
                title: title.clone(),
                description: String::new(),
            };
            let (ok, body) = province
                .server
                .try_command_at(&url, &province.secretariat, province.meeting, &id, &change)
                .await?;
            anyhow::Ok((title, ok, body))
        }
    };
    let mut acknowledged = Vec::new();
    for instance in [0, 1, 0, 1] {
        let (title, ok, body) = send(instance).await?;
        ensure!(ok, "a change before the crash: {body}");
        acknowledged.push(title);
    }
    cluster.kill();
    let mut unavailable = 0;
    for instance in [0, 1] {
        let (_, ok, body) = send(instance).await?;
        ensure!(
            !ok && body["code"] == "unavailable",
            "a command while PostgreSQL was down: {body}"
        );
        unavailable += 1;
    }
    let started = Instant::now();
    cluster.restart().map_err(anyhow::Error::msg)?;
    let restart = started.elapsed();
    // Each instance acknowledges again, with no restart of its own (`unavailable` until its
    // connections are made again).
    for instance in [0, 1] {
        loop {
            let (title, ok, body) = send(instance).await?;
            if ok {
                acknowledged.push(title);
                break;
            }
            ensure!(body["code"] == "unavailable", "a command after the restart: {body}");
            unavailable += 1;
            if started.elapsed() > Duration::from_secs(120) {
                bail!("instance {instance} did not acknowledge within 120 s of PostgreSQL's restart");
            }
        }
    }
    let recovery = started.elapsed();
    let (_, state) = database_state(province).await?;
    for title in &acknowledged {
        let copies = state.items.iter().filter(|item| item.title == *title).count();
        ensure!(
            copies == 1,
            "round {round}: the acknowledged change {title:?} is there {copies} times"
        );
    }
    Ok((recovery, restart, unavailable))
}

/// The top-level fields of two states that differ, as JSON, to say what a subscriber got wrong.
fn differences(held: &MeetingState, database: &MeetingState) -> String {
    let (held, database) = (serde_json::json!(held), serde_json::json!(database));
    let fields = database
        .as_object()
        .map(|fields| fields.keys().cloned().collect::<Vec<_>>());
    fields
        .unwrap_or_default()
        .into_iter()
        .filter(|field| held[field] != database[field])
        .map(|field| format!("{field}: held {} / database {}", held[&field], database[&field]))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `kill -9 pid`.
fn kill_9(pid: u32) -> Result<()> {
    let status = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()?;
    ensure!(status.success(), "kill -9 {pid}: {status}");
    Ok(())
}
