//! `province`: a province's server, two instances on PostgreSQL, beside one instance on SQLite
//! measured in the same run, for docs/performance.md's sizing.
//!
//! - **Meetings at once**: M meetings of 35 members each; every member follows their meeting (the
//!   members spread over the instances), and in every meeting the secretariat makes one change
//!   after another for a while. Each change goes through one instance and is timed until it
//!   reaches a follower on the *other* instance. Figures: commands per second over all meetings,
//!   and the p99 of command → event there.
//! - **Fan-out**: N subscribers of one meeting spread over the instances; one change through the
//!   first instance; how long until the last subscriber has it (p50, p99).

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use futures_util::{stream, StreamExt, TryStreamExt};
use phonghop_protocol::{Command, ItemId, MeetingId};
use phonghop_store::scratch_postgres::ScratchCluster;
use tokio::sync::mpsc;

use crate::clients::{next_json, subscribe, Receiver, Sender};
use crate::fanout::{count_arrivals, last_of};
use crate::report::{millis, percentile, raise_open_file_limit, round, Better, Figure};
use crate::server::{username, BenchServer, Instance};

#[derive(clap::Args, Clone)]
pub struct Options {
    /// Meetings running at once.
    #[arg(long, default_value_t = 200)]
    meetings: usize,
    /// Members of each meeting (the same accounts in every meeting), all following it.
    #[arg(long, default_value_t = 35)]
    members: usize,
    /// How long the meetings change at once.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Subscribers of the fan-out's meeting.
    #[arg(long, default_value_t = 10_000)]
    subscribers: usize,
    /// Changes of the fan-out, one after another.
    #[arg(long, default_value_t = 20)]
    rounds: usize,
    /// Connections being opened at once.
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
    /// A tiny run that only proves the scenario works.
    #[arg(long)]
    smoke: bool,
}

/// Accounts the fan-out's subscribers log in as (several connections each, as one person with
/// several screens): the meeting's membership is not what is measured.
const FANOUT_ACCOUNTS: usize = 100;

/// One instance on SQLite, or two on a PostgreSQL cluster of the run's own.
struct Deployment {
    server: BenchServer,
    other: Option<Instance>,
    _cluster: Option<ScratchCluster>,
}

impl Deployment {
    async fn single(delegates: usize) -> Result<Deployment> {
        Ok(Deployment {
            server: BenchServer::start(delegates).await?,
            other: None,
            _cluster: None,
        })
    }

    async fn province(delegates: usize) -> Result<Deployment> {
        let cluster = ScratchCluster::start().map_err(anyhow::Error::msg)?;
        let database = cluster.new_database().await.map_err(anyhow::Error::msg)?;
        let server = BenchServer::start_on(delegates, Some(database), &[]).await?;
        let other = server.start_instance().await?;
        Ok(Deployment {
            server,
            other: Some(other),
            _cluster: Some(cluster),
        })
    }

    /// The instances' HTTP addresses.
    fn urls(&self) -> Vec<String> {
        std::iter::once(self.server.url.clone())
            .chain(self.other.as_ref().map(|other| other.url.clone()))
            .collect()
    }
}

fn websocket(url: &str) -> String {
    format!("ws{}/ws", url.trim_start_matches("http"))
}

pub async fn run(mut options: Options) -> Result<()> {
    if options.smoke {
        options.meetings = options.meetings.min(3);
        options.members = options.members.min(3);
        options.seconds = options.seconds.min(1);
        options.subscribers = options.subscribers.min(20);
        options.rounds = options.rounds.min(3);
    }
    raise_open_file_limit()?;
    let single = meetings_at_once(Deployment::single(options.members).await?, &options)
        .await
        .context("one instance on SQLite")?;
    let province = meetings_at_once(Deployment::province(options.members).await?, &options)
        .await
        .context("two instances on PostgreSQL")?;
    let parameters = serde_json::json!({
        "meetings": options.meetings,
        "members": options.members,
        "seconds": options.seconds,
    });
    Figure::new(
        "province",
        format!(
            "{} meetings × {} members at once on 2 instances (PostgreSQL): commands per second",
            options.meetings, options.members
        ),
        "per s",
        Better::Higher,
        round(province.commands_per_second, 0),
    )
    .beside("the same on 1 instance (SQLite)", round(single.commands_per_second, 0))
    .with(parameters.clone())
    .print();
    Figure::new(
        "province",
        "command → its event at a follower on the other instance, p99",
        "ms",
        Better::Lower,
        millis(percentile(&province.latencies, 99.0)),
    )
    .beside(
        "command → event at a follower, 1 instance (SQLite), p99",
        millis(percentile(&single.latencies, 99.0)),
    )
    .note(format!(
        "p50 {} ms on 2 instances, {} ms on 1",
        millis(percentile(&province.latencies, 50.0)),
        millis(percentile(&single.latencies, 50.0))
    ))
    .with(parameters)
    .print();

    let accounts = FANOUT_ACCOUNTS.min(options.subscribers);
    let single = fan_out(Deployment::single(accounts).await?, &options)
        .await
        .context("fan-out on one instance")?;
    let province = fan_out(Deployment::province(accounts).await?, &options)
        .await
        .context("fan-out on two instances")?;
    let parameters = serde_json::json!({ "subscribers": options.subscribers, "rounds": options.rounds });
    for (p, label) in [(50.0, "p50"), (99.0, "p99")] {
        Figure::new(
            "province",
            format!(
                "one change to {} subscribers over 2 instances (PostgreSQL), last subscriber {label}",
                options.subscribers
            ),
            "ms",
            Better::Lower,
            millis(percentile(&province, p)),
        )
        .beside("the same on 1 instance (SQLite)", millis(percentile(&single, p)))
        .with(parameters.clone())
        .print();
    }
    Ok(())
}

struct Measured {
    commands_per_second: f64,
    latencies: Vec<Duration>,
}

/// The meetings' part on `deployment`.
async fn meetings_at_once(deployment: Deployment, options: &Options) -> Result<Measured> {
    let server = &deployment.server;
    let urls = deployment.urls();
    let mut meetings = Vec::with_capacity(options.meetings);
    let mut items = Vec::with_capacity(options.meetings);
    let mut secretariat = String::new();
    for _ in 0..options.meetings {
        let (meeting, token) = server.prepare_meeting(options.members).await?;
        meetings.push(meeting);
        items.push(server.first_item(&token, meeting).await?);
        secretariat = token;
    }
    let usernames: Vec<String> = (3..options.members + 3).map(username).collect();
    let tokens = server.login_all(&usernames).await?;
    // Every member follows every meeting's: member k of meeting m on instance (m + 1 + k), so
    // the first follower of each meeting is on another instance than its changes go through.
    let follows: Vec<(usize, usize)> = (0..meetings.len())
        .flat_map(|m| (0..tokens.len()).map(move |k| (m, k)))
        .collect();
    let subscribed: Vec<(usize, usize, Sender, Receiver)> = stream::iter(follows)
        .map(|(m, k)| {
            let url = websocket(&urls[(m + 1 + k) % urls.len()]);
            let (token, meeting) = (&tokens[k], meetings[m]);
            async move {
                let (sender, receiver, _) = subscribe(&url, token, meeting).await?;
                anyhow::Ok((m, k, sender, receiver))
            }
        })
        .buffer_unordered(options.concurrency)
        .try_collect()
        .await?;
    let mut measuring: Vec<Option<Receiver>> = (0..meetings.len()).map(|_| None).collect();
    let mut keep = Vec::with_capacity(subscribed.len());
    for (m, k, sender, receiver) in subscribed {
        keep.push(sender);
        if k == 0 {
            measuring[m] = Some(receiver);
        } else {
            // The other followers read everything, as the members' apps do.
            let (arrivals, _ignored) = mpsc::unbounded_channel();
            count_arrivals(receiver, None, arrivals);
        }
    }
    let deadline = Instant::now() + Duration::from_secs(options.seconds);
    let started = Instant::now();
    let writers = measuring.into_iter().enumerate().map(|(m, receiver)| {
        let (url, meeting, item_id, secretariat) = (&urls[m % urls.len()], meetings[m], items[m], &secretariat);
        async move {
            let mut receiver = receiver.context("every meeting has a follower")?;
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let n = latencies.len();
                let change = Command::EditAgendaItem {
                    item_id,
                    title: format!("Nội dung {m}, thay đổi {n}"),
                    description: String::new(),
                };
                let sent = Instant::now();
                let id = format!("m{m}-c{n}");
                let (answer, arrived) = tokio::join!(
                    server.try_command_at(url, secretariat, meeting, &id, &change),
                    next_event(&mut receiver, meeting)
                );
                let (ok, body) = answer?;
                if !ok {
                    bail!("a change was refused: {body}");
                }
                latencies.push(arrived? - sent);
            }
            anyhow::Ok(latencies)
        }
    });
    let latencies: Vec<Duration> = futures_util::future::try_join_all(writers)
        .await?
        .into_iter()
        .flatten()
        .collect();
    let took = started.elapsed();
    drop(keep);
    Ok(Measured {
        commands_per_second: latencies.len() as f64 / took.as_secs_f64(),
        latencies,
    })
}

/// When the next log event of `meeting` reaches `receiver`.
async fn next_event(receiver: &mut Receiver, meeting: MeetingId) -> Result<Instant> {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(60), next_json(receiver))
            .await
            .context("a change never reached the other instance's follower")??;
        if frame["type"] == "event" && frame["meeting_id"] == meeting.0 {
            return Ok(Instant::now());
        }
    }
}

/// The fan-out's part on `deployment`: the last subscriber's time for each change.
async fn fan_out(deployment: Deployment, options: &Options) -> Result<Vec<Duration>> {
    let server = &deployment.server;
    let urls = deployment.urls();
    let accounts = FANOUT_ACCOUNTS.min(options.subscribers);
    let (meeting, secretariat) = server.prepare_meeting(accounts).await?;
    let usernames: Vec<String> = (3..accounts + 3).map(username).collect();
    let tokens = server.login_all(&usernames).await?;
    let subscribed: Vec<(Sender, Receiver, u32)> = stream::iter(0..options.subscribers)
        .map(|index| {
            let url = websocket(&urls[index % urls.len()]);
            let token = &tokens[index % tokens.len()];
            async move { subscribe(&url, token, meeting).await }
        })
        .buffer_unordered(options.concurrency)
        .try_collect()
        .await?;
    let (arrivals, mut arrived) = mpsc::unbounded_channel();
    let mut keep = Vec::with_capacity(subscribed.len());
    for (sender, receiver, _) in subscribed {
        keep.push(sender);
        count_arrivals(receiver, Some("event"), arrivals.clone());
    }
    let mut last_subscriber = Vec::with_capacity(options.rounds);
    for round in 0..options.rounds {
        let change = Command::EditAgendaItem {
            item_id: ItemId(1),
            title: format!("Nội dung đo hiệu năng, vòng {round}"),
            description: "Thư ký sửa nội dung; mọi đại biểu thấy ngay.".into(),
        };
        let sent = Instant::now();
        server
            .try_command_at(&urls[0], &secretariat, meeting, &format!("fan-{round}"), &change)
            .await?;
        let last = last_of(&mut arrived, options.subscribers).await?;
        last_subscriber.push(last - sent);
    }
    drop(keep);
    Ok(last_subscriber)
}
