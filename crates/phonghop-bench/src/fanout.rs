//! `fanout`: N councillors subscribe to a meeting; the secretariat changes an agenda item R times;
//! how long until the last of them has each change. Beside it, the same on a bare
//! tokio-tungstenite broadcast server. Also: subscribes per second (against bare handshakes per
//! second, first and on reconnecting) and server memory per subscribed connection (against the bare server's).

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use futures_util::{stream, SinkExt, StreamExt, TryStreamExt};
use phonghop_protocol::{ClientMessage, Command, ItemId};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::bare::BareServer;
use crate::clients::{connect, frame, next_json, subscribe, Receiver, Sender};
use crate::report::{millis, percentile, raise_open_file_limit, resident_bytes, round, Better, Figure};
use crate::server::{username, BenchServer};

#[derive(clap::Args, Clone)]
pub struct Options {
    /// Councillors following the meeting.
    #[arg(long, default_value_t = 1000)]
    clients: usize,
    /// Changes broadcast, one after another.
    #[arg(long, default_value_t = 30)]
    rounds: usize,
    /// Connections being opened at once.
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
    /// A tiny run that only proves the scenario works.
    #[arg(long)]
    smoke: bool,
}

/// What one side (phonghop or bare) measured.
struct Side {
    /// Subscribes of councillors who subscribed before (a reconnect); for the bare server, handshakes.
    connect_per_second: f64,
    /// Each councillor's first subscribe of the run.
    first_subscribe_per_second: Option<f64>,
    bytes_per_connection: f64,
    last_client: Vec<Duration>,
}

pub async fn run(mut options: Options) -> Result<()> {
    if options.smoke {
        options.clients = options.clients.min(20);
        options.rounds = options.rounds.min(3);
    }
    raise_open_file_limit()?;
    let phonghop = phonghop_side(&options).await.context("phonghop")?;
    let bare = bare_side(&options).await.context("the bare baseline")?;
    let parameters =
        serde_json::json!({ "clients": options.clients, "rounds": options.rounds, "concurrency": options.concurrency });
    let name = "bare tokio-tungstenite broadcast";
    for (p, label) in [(50.0, "p50"), (99.0, "p99")] {
        Figure::new(
            "fanout",
            format!("one change to {} subscribers, last client {label}", options.clients),
            "ms",
            Better::Lower,
            millis(percentile(&phonghop.last_client, p)),
        )
        .beside(name, millis(percentile(&bare.last_client, p)))
        .goal("≤ 1.15 × bare")
        .with(parameters.clone())
        .print();
    }
    Figure::new(
        "fanout",
        "server memory per subscribed connection",
        "KiB",
        Better::Lower,
        round(phonghop.bytes_per_connection / 1024.0, 2),
    )
    .beside(name, round(bare.bytes_per_connection / 1024.0, 2))
    .goal("≤ 12 KiB")
    .with(parameters.clone())
    .print();
    Figure::new(
        "fanout",
        "authenticated subscribes per second, reconnecting",
        "per s",
        Better::Higher,
        round(phonghop.connect_per_second, 0),
    )
    .beside(
        "bare WebSocket handshakes per second",
        round(bare.connect_per_second, 0),
    )
    .goal("≥ 8000 per s")
    .with(parameters.clone())
    .print();
    Figure::new(
        "fanout",
        "authenticated subscribes per second, first of the run",
        "per s",
        Better::Higher,
        round(phonghop.first_subscribe_per_second.unwrap_or_default(), 0),
    )
    .beside(
        "bare WebSocket handshakes per second",
        round(bare.connect_per_second, 0),
    )
    .with(parameters)
    .print();
    Ok(())
}

/// Reads frames until the connection ends, reporting when each frame of `kind` arrives.
pub fn count_arrivals(mut receiver: Receiver, kind: Option<&'static str>, arrivals: mpsc::UnboundedSender<Instant>) {
    tokio::spawn(async move {
        while let Ok(frame) = next_json(&mut receiver).await {
            if kind.is_none_or(|kind| frame["type"] == kind) && arrivals.send(Instant::now()).is_err() {
                return;
            }
        }
    });
}

/// Waits for one arrival from each of `clients`; returns the latest.
pub async fn last_of(arrivals: &mut mpsc::UnboundedReceiver<Instant>, clients: usize) -> Result<Instant> {
    let mut last = None;
    for _ in 0..clients {
        let at = tokio::time::timeout(Duration::from_secs(120), arrivals.recv())
            .await
            .context("a subscriber never got the change")?
            .context("the subscribers stopped")?;
        last = Some(last.map_or(at, |last: Instant| last.max(at)));
    }
    last.context("no subscribers")
}

async fn phonghop_side(options: &Options) -> Result<Side> {
    let server = BenchServer::start(options.clients).await?;
    let (meeting, secretariat) = server.prepare_meeting(options.clients).await?;
    let usernames: Vec<String> = (3..options.clients + 3).map(username).collect();
    let tokens = server.login_all(&usernames).await?;
    let before = resident_bytes(server.pid())?;
    let url = server.websocket_url();
    let subscribe_all = || async {
        let started = Instant::now();
        let subscribed: Vec<(Sender, Receiver, u32)> = stream::iter(&tokens)
            .map(|token| subscribe(&url, token, meeting))
            .buffer_unordered(options.concurrency)
            .try_collect()
            .await?;
        anyhow::Ok((subscribed, options.clients as f64 / started.elapsed().as_secs_f64()))
    };
    // The first subscribe of each councillor (subscribing checks nobody in: that is a command).
    let (first, first_subscribe_per_second) = subscribe_all().await?;
    close_all(first).await?;
    // Then the hall's Wi-Fi drops and everyone reconnects: the path the goal is about.
    let (subscribed, connect_per_second) = subscribe_all().await?;
    let after = resident_bytes(server.pid())?;

    let (arrivals, mut arrived) = mpsc::unbounded_channel();
    let mut keep = Vec::with_capacity(subscribed.len());
    for (sender, receiver, _) in subscribed {
        keep.push(sender);
        count_arrivals(receiver, Some("event"), arrivals.clone());
    }
    let (mut chair_sender, chair_receiver, _) = subscribe(&url, &secretariat, meeting).await?;
    let (acks, mut acked) = mpsc::unbounded_channel();
    count_arrivals(chair_receiver, Some("ack"), acks);
    let mut last_client = Vec::with_capacity(options.rounds);
    for round in 0..options.rounds {
        let change = ClientMessage::Command {
            id: format!("fanout-{round}"),
            meeting_id: meeting,
            command: Command::EditAgendaItem {
                item_id: ItemId(1),
                title: format!("Nội dung đo hiệu năng, vòng {round}"),
                description: "Thư ký sửa nội dung; mọi đại biểu thấy ngay.".into(),
            },
        };
        let sent = Instant::now();
        chair_sender.send(frame(change)).await?;
        let last = last_of(&mut arrived, options.clients).await?;
        last_client.push(last - sent);
        acked.recv().await.context("the secretariat's ack")?;
    }
    drop(keep);
    Ok(Side {
        connect_per_second,
        first_subscribe_per_second: Some(first_subscribe_per_second),
        bytes_per_connection: after.saturating_sub(before) as f64 / options.clients as f64,
        last_client,
    })
}

/// Closes every connection and waits until the server has closed each too.
async fn close_all(connections: Vec<(Sender, Receiver, u32)>) -> Result<()> {
    let closing = connections.into_iter().map(|(mut sender, mut receiver, _)| async move {
        sender.close().await?;
        tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(Ok(_)) = receiver.next().await {}
        })
        .await
        .context("the server never closed a connection")
    });
    futures_util::future::try_join_all(closing).await?;
    Ok(())
}

async fn bare_side(options: &Options) -> Result<Side> {
    let bare = BareServer::start().await?;
    let url = format!("{}/broadcast", bare.url);
    let before = resident_bytes(bare.pid())?;
    let started = Instant::now();
    let sockets: Vec<_> = stream::iter(0..options.clients)
        .map(|_| connect(&url))
        .buffer_unordered(options.concurrency)
        .try_collect()
        .await?;
    let connect_per_second = options.clients as f64 / started.elapsed().as_secs_f64();
    let after = resident_bytes(bare.pid())?;
    let (arrivals, mut arrived) = mpsc::unbounded_channel();
    let mut keep = Vec::with_capacity(sockets.len());
    for socket in sockets {
        let (sender, receiver) = socket.split();
        keep.push(sender);
        count_arrivals(receiver, None, arrivals.clone());
    }
    let (mut sender, receiver) = connect(&url).await?.split();
    // The sender hears its own broadcasts too; they are read and set aside.
    let (own, _own_arrivals) = mpsc::unbounded_channel();
    count_arrivals(receiver, None, own);
    // About the size of phonghop's event frame for the same change.
    let payload = format!(
        r#"{{"v":1,"type":"event","meeting_id":1,"seq":2,"event":{{"kind":"agenda_item_edited","item_id":1,"title":"{}","description":"{}"}}}}"#,
        "Nội dung đo hiệu năng, vòng 0", "Thư ký sửa nội dung; mọi đại biểu thấy ngay."
    );
    let mut last_client = Vec::with_capacity(options.rounds);
    for _ in 0..options.rounds {
        let sent = Instant::now();
        sender.send(Message::text(payload.clone())).await?;
        let last = last_of(&mut arrived, options.clients).await?;
        last_client.push(last - sent);
    }
    drop(keep);
    Ok(Side {
        connect_per_second,
        first_subscribe_per_second: None,
        bytes_per_connection: after.saturating_sub(before) as f64 / options.clients as f64,
        last_client,
    })
}
