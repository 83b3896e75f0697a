//! A province's two instances behind Debian's nginx, started with the repository's example
//! configuration (`installer/load-balancer/phonghop-nginx-stream.conf`, as docs/deploy.md says):
//! the laptops know one address; they log in and follow the meeting over TLS through it, pinning
//! the instances' one certificate; an instance killed and started again on its address is found
//! there again; when the instance under the app's WebSocket is killed, the app reconnects through
//! the same address, resumes on the other and everything goes on.

use anyhow::{bail, Context, Result};
use phonghop_client::{Session, SyncEvent};
use phonghop_journeys::nginx::LoadBalancer;
use phonghop_journeys::{next_event, start_synced, wait_for, ServerOptions, TestServer, PASSWORD};
use phonghop_protocol::{Command, CommandResult, MeetingId};

async fn add(session: &Session, meeting: MeetingId, title: &str) -> Result<u32> {
    let command = Command::AddAgendaItem {
        parent: None,
        title: title.to_owned(),
        description: String::new(),
    };
    match session.command(meeting, &command).await? {
        CommandResult::Logged { seq } => Ok(seq),
        other => bail!("expected a logged change, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn laptops_follow_a_meeting_through_nginx_and_past_a_dead_instance() -> Result<()> {
    let mut server = TestServer::start_with(ServerOptions {
        postgres: true,
        tls: true,
        ..ServerOptions::with_delegates(1)
    })
    .await?;
    let mut other = server.start_instance().await?;
    let instances = [server.address().to_owned(), other.address().to_owned()];
    let balancer = LoadBalancer::start([&instances[0], &instances[1]]).await?;
    let url = format!("https://{}", balancer.address);
    let pin = server.fingerprint();
    let meeting = server.meeting_id();
    let roster = server.roster().clone();

    // Through the one address, over TLS with the instances' certificate pinned. The second
    // instance is down while the chair's app connects, so its WebSocket goes to the first.
    other.kill().await?;
    let chair = Session::login_pinned(&url, pin, &roster.chair, PASSWORD).await?;
    let sync = start_synced(chair, meeting).await?;
    server.restart_instance(&mut other).await?;
    let secretariat = Session::login_pinned(&url, pin, &roster.secretariat, PASSWORD).await?;
    let seq = add(&secretariat, meeting, "Khai mạc").await?;
    wait_for(&mut sync.mirror(), "the change through nginx", |mirror| {
        mirror.seq >= seq
    })
    .await?;

    // The first instance dies under the chair's WebSocket; the same address leads to the other,
    // back on its address.
    let mut events = sync.events();
    server.kill().await?;
    loop {
        if next_event(&mut events, "the chair's app to lose its instance").await? == SyncEvent::Disconnected {
            break;
        }
    }
    let secretariat = Session::login_pinned(&url, pin, &roster.secretariat, PASSWORD)
        .await
        .with_context(|| {
            format!(
                "logging in through nginx after the kill; nginx said:\n{}",
                balancer.log()
            )
        })?;
    let mut last = 0;
    for title in ["Báo cáo", "Bế mạc"] {
        last = add(&secretariat, meeting, title).await?;
    }
    let CommandResult::Logged { seq: own } = sync
        .send(Command::AddAgendaItem {
            parent: None,
            title: "Ý kiến của chủ tọa".to_owned(),
            description: String::new(),
        })
        .await?
    else {
        bail!("the chair's change is logged")
    };
    let mirror = wait_for(&mut sync.mirror(), "every change after the kill", |mirror| {
        mirror.seq >= last.max(own)
    })
    .await?;
    let titles: Vec<&str> = mirror
        .state
        .as_ref()
        .unwrap()
        .items
        .iter()
        .map(|item| item.title.as_str())
        .collect();
    assert_eq!(titles.len(), 4, "{titles:?}");
    for title in ["Khai mạc", "Báo cáo", "Bế mạc", "Ý kiến của chủ tọa"] {
        assert_eq!(
            titles.iter().filter(|shown| **shown == title).count(),
            1,
            "{title}: {titles:?}"
        );
    }
    Ok(())
}
