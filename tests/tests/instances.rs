//! Two `phonghop-server` processes on one PostgreSQL database, as a province runs them behind
//! one address: what is committed on one reaches the subscribers of the other gap-free and in
//! order (PostgreSQL notifies, each instance reads the log), votes cast on both count once in one
//! live tally, a document uploaded through one downloads from the other (they share the data
//! folder), an instance that stopped listening catches up from the log, and a laptop revoked on
//! one is told on the other. These journeys always run on PostgreSQL: SQLite has one instance.

use std::collections::BTreeSet;

use anyhow::{bail, ensure, Context, Result};
use futures_util::future::try_join_all;
use phonghop_client::{MeetingSync, Mirror, Seat, Session};
use phonghop_journeys::{
    new_item, next_event, start_synced, vietnamese_document, wait_for, within, RawSocket, ServerOptions, TestServer,
    PASSWORD,
};
use phonghop_protocol::{Choice, Command, CommandResult, MeetingId, Outcome, PollId, PollState, ServerMessage};

fn on_postgres(delegates: usize) -> ServerOptions {
    ServerOptions {
        postgres: true,
        ..ServerOptions::with_delegates(delegates)
    }
}

fn add_item(title: String) -> Command {
    Command::AddAgendaItem {
        parent: None,
        title,
        description: String::new(),
    }
}

async fn logged(session: &Session, meeting: MeetingId, command: &Command) -> Result<u32> {
    match session.command(meeting, command).await? {
        CommandResult::Logged { seq } => Ok(seq),
        other => bail!("expected a logged event, got {other:?}"),
    }
}

fn titles(mirror: &Mirror) -> Vec<String> {
    let state = mirror.state.as_ref().expect("a live mirror has a state");
    state.items.iter().map(|item| item.title.clone()).collect()
}

/// Reads `socket`'s frames until the event `last`, and returns every event seq it carried.
async fn event_seqs_until(socket: &mut RawSocket, last: u32) -> Result<Vec<u32>> {
    let mut seqs = Vec::new();
    while seqs.last() != Some(&last) {
        match socket.next().await? {
            ServerMessage::Event { seq, .. } => seqs.push(seq),
            ServerMessage::Tally { .. } => {}
            other => bail!("expected events, got {other:?}"),
        }
    }
    Ok(seqs)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_serve_one_meeting_in_order_with_one_tally_and_shared_documents() -> Result<()> {
    let server = TestServer::start_with(on_postgres(6)).await?;
    let other = server.start_instance().await?;
    let meeting = server.meeting_id();
    let roster = server.roster().clone();

    // A delegate's bare socket on the second instance, to see every frame as it comes.
    let watcher = other.login(&roster.delegates[0]).await?;
    let mut socket = RawSocket::connect(other.url()).await?;
    socket.authenticate(&watcher.token).await?;
    let live_at = socket.subscribe(meeting).await?;

    // The secretariat on one instance and the chair on the other change the agenda at once.
    let secretariat = server.login_secretariat().await?;
    let chair = other.login(&roster.chair).await?;
    let from_first = async {
        let mut seqs = Vec::new();
        for index in 0..10 {
            seqs.push(
                logged(
                    &secretariat,
                    meeting,
                    &add_item(format!("Nội dung {index} (văn phòng)")),
                )
                .await?,
            );
        }
        anyhow::Ok(seqs)
    };
    let from_second = async {
        let mut seqs = Vec::new();
        for index in 0..10 {
            seqs.push(logged(&chair, meeting, &add_item(format!("Nội dung {index} (chủ tọa)"))).await?);
        }
        anyhow::Ok(seqs)
    };
    let (first_seqs, second_seqs) = tokio::try_join!(from_first, from_second)?;
    let acknowledged: BTreeSet<u32> = first_seqs.iter().chain(&second_seqs).copied().collect();
    assert_eq!(acknowledged.len(), 20, "every change has a seq of its own");
    let last = *acknowledged.last().expect("twenty changes");
    let seen = within(
        "the second instance's subscriber to see every change",
        event_seqs_until(&mut socket, last),
    )
    .await??;
    let expected: Vec<u32> = (live_at + 1..=last).collect();
    assert_eq!(seen, expected, "every event once, in seq order, none missing");
    ensure!(
        acknowledged.iter().all(|seq| seen.contains(seq)),
        "every acknowledged change reached the other instance"
    );

    // Mirrors on both instances show the same agenda as the database.
    let on_first = start_synced(server.login_delegate(1).await?, meeting).await?;
    let on_second = start_synced(other.login(&roster.delegates[2]).await?, meeting).await?;
    let agenda = secretariat.snapshot(meeting).await?.state.items;
    for sync in [&on_first, &on_second] {
        let mirror = wait_for(&mut sync.mirror(), "the whole agenda", |mirror| mirror.seq >= last).await?;
        let from_database: Vec<String> = agenda.iter().map(|item| item.title.clone()).collect();
        assert_eq!(titles(&mirror), from_database);
    }

    // Six delegates and the chair vote, half through each instance: one live tally everywhere.
    let item_id = agenda[0].id;
    let open = Command::OpenPoll {
        ballot: None,
        item_id,
        title: "Thông qua chương trình kỳ họp".to_owned(),
        rule: None,
        preset: None,
        secrecy: None,
        changeable: None,
        quorum_override: None,
        duration_seconds: None,
    };
    logged(&secretariat, meeting, &open).await.context("opening the poll")?;
    let poll_id: PollId = secretariat.snapshot(meeting).await?.state.polls[0].id;
    let mut voters = Vec::new();
    for (index, username) in roster.delegates.iter().enumerate() {
        let session = if index % 2 == 0 {
            server.login(username).await?
        } else {
            other.login(username).await?
        };
        let choice = if index < 4 { Choice::Yes } else { Choice::No };
        voters.push((session, choice));
    }
    voters.push((chair.clone(), Choice::Abstain));
    try_join_all(voters.iter().map(|(session, choice)| async move {
        let ballot = Command::CastBallot {
            poll_id,
            choice: *choice,
        };
        match session.command(meeting, &ballot).await? {
            CommandResult::BallotRecorded { .. } => anyhow::Ok(()),
            other => bail!("expected the ballot recorded, got {other:?}"),
        }
    }))
    .await?;
    let counted = |mirror: &Mirror| {
        let state = mirror.state.as_ref()?;
        let poll = state.polls.iter().find(|poll| poll.id == poll_id)?;
        Some((poll.tally.yes, poll.tally.no, poll.tally.abstain, poll.state))
    };
    for (sync, instance) in [(&on_first, "first"), (&on_second, "second")] {
        let what = format!("the live tally of all seven ballots on the {instance} instance");
        wait_for(&mut sync.mirror(), &what, |mirror| {
            counted(mirror) == Some((4, 2, 1, PollState::Open))
        })
        .await?;
    }
    logged(&chair, meeting, &Command::ClosePoll { poll_id }).await?;
    for sync in [&on_first, &on_second] {
        let mirror = wait_for(&mut sync.mirror(), "the poll closed", |mirror| {
            counted(mirror).is_some_and(|(.., state)| state == PollState::Closed)
        })
        .await?;
        let poll = mirror
            .state
            .as_ref()
            .unwrap()
            .polls
            .iter()
            .find(|poll| poll.id == poll_id)
            .cloned()
            .unwrap();
        assert_eq!((poll.tally.yes, poll.tally.no, poll.tally.abstain), (4, 2, 1));
        assert_eq!(poll.outcome, Some(Outcome::Passed), "4 of 7 members is a majority");
    }

    // A document uploaded through the first instance downloads from the second: the instances
    // share the data folder, whose blobs are named by their content.
    let pdf = std::fs::read(vietnamese_document("to-trinh-phong-hop-khong-giay.pdf"))?;
    let uploaded = secretariat
        .upload(meeting, item_id, "to-trinh.pdf", "Tờ trình", pdf.clone())
        .await?;
    let downloaded = watcher.download_blob(&uploaded.document.current.sha256).await?;
    ensure!(downloaded == pdf, "the second instance served the same bytes");
    Ok(())
}

/// Stops the process `pid` (SIGSTOP) or lets it go on (SIGCONT).
fn signal(pid: u32, signal: &str) -> Result<()> {
    let status = std::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .status()?;
    ensure!(status.success(), "kill -{signal} {pid}: {status}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_that_stopped_listening_catches_up_from_the_log() -> Result<()> {
    let server = TestServer::start_with(on_postgres(1)).await?;
    let other = server.start_instance().await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let delegate = other.login(&server.roster().delegates[0]).await?;
    let sync: MeetingSync = start_synced(delegate, meeting).await?;

    // The second instance freezes, and meanwhile its connection listening for changes is cut:
    // the notifications of what follows never reach it.
    let pid = other.pid().context("the second instance runs")?;
    signal(pid, "STOP")?;
    let cut = server
        .sql_texts(
            "SELECT pg_terminate_backend(pid, 10000)::text FROM pg_stat_activity \
             WHERE datname = current_database() AND query = 'LISTEN \"phonghop_changes\"'",
        )
        .await?;
    assert_eq!(
        cut,
        ["true", "true"],
        "both instances were listening, and both were cut"
    );
    let mut last = 0;
    for title in ["Khai mạc", "Báo cáo kết quả giám sát", "Bế mạc"] {
        last = logged(&secretariat, meeting, &add_item(title.to_owned())).await?;
    }
    signal(pid, "CONT")?;

    // Back, it listens again and reads what it missed from the log; nothing else is changed.
    let mirror = wait_for(
        &mut sync.mirror(),
        "the missed changes on the second instance",
        |mirror| mirror.seq >= last,
    )
    .await?;
    assert_eq!(titles(&mirror), ["Khai mạc", "Báo cáo kết quả giám sát", "Bế mạc"]);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_laptop_revoked_on_one_instance_is_told_on_the_other() -> Result<()> {
    let server = TestServer::start_with(on_postgres(1)).await?;
    let other = server.start_instance().await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    new_item(&secretariat, meeting, "Tờ trình").await?;

    let laptop_dir = tempfile::tempdir()?;
    let seat = Seat::new(&laptop_dir.path().join("cache"));
    seat.login(other.url(), &server.roster().delegates[0], PASSWORD).await?;
    let mut mirror = seat.open_meeting(meeting).await?;
    wait_for(&mut mirror, "the meeting on the laptop", |mirror| {
        mirror.state.is_some()
    })
    .await?;

    let laptop = secretariat.devices(meeting).await?.devices.remove(0);
    secretariat.revoke_device(meeting, &laptop.id).await?;
    wait_for(
        &mut mirror,
        "the laptop told it is revoked on the other instance",
        |mirror| mirror.device_revoked,
    )
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_restarted_mid_meeting_answers_unavailable_and_loses_nothing() -> Result<()> {
    // A cluster of this test's own, to crash and start again.
    let cluster = phonghop_store::scratch_postgres::ScratchCluster::start().map_err(anyhow::Error::msg)?;
    let url = cluster.new_database().await.map_err(anyhow::Error::msg)?;
    let server = TestServer::start_with(ServerOptions {
        database: Some(url),
        ..ServerOptions::with_delegates(2)
    })
    .await?;
    let other = server.start_instance().await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let before = logged(&secretariat, meeting, &add_item("Khai mạc".to_owned())).await?;
    let on_second = start_synced(other.login(&server.roster().chair).await?, meeting).await?;
    let on_first = start_synced(server.login_delegate(1).await?, meeting).await?;
    wait_for(&mut on_second.mirror(), "the first item", |mirror| mirror.seq >= before).await?;

    // PostgreSQL crashes (an immediate shutdown) in the middle of the meeting.
    cluster.kill();
    let refused = secretariat
        .command(meeting, &add_item("Trong lúc mất cơ sở dữ liệu".to_owned()))
        .await
        .expect_err("a command while the database is down");
    let frame = match refused {
        phonghop_client::error::ClientError::Server(frame) => frame,
        other => bail!("expected the server's error, got {other:?}"),
    };
    assert_eq!(frame.code, phonghop_protocol::ErrorCode::Unavailable, "{frame:?}");
    ensure!(
        !frame.message_vi.is_empty() && !frame.message_en.is_empty(),
        "{frame:?}"
    );
    // The chair's command sent meanwhile through the second instance waits in the outbox.
    let sender = on_second.sender();
    let waiting = tokio::spawn(async move { sender.send(add_item("Gửi khi mất kết nối".to_owned())).await });

    cluster.restart().map_err(anyhow::Error::msg)?;
    // Both instances recover without a restart: the waiting command is carried out once, and
    // the secretariat's next command goes through.
    let CommandResult::Logged { seq: waited } = within("the waiting command", waiting).await??? else {
        bail!("expected the waiting command logged")
    };
    let after = logged(&secretariat, meeting, &add_item("Bế mạc".to_owned())).await?;
    for sync in [&on_first, &on_second] {
        let mirror = wait_for(&mut sync.mirror(), "every change after the restart", |mirror| {
            mirror.seq >= after.max(waited)
        })
        .await?;
        let shown = titles(&mirror);
        let expected = if waited < after {
            ["Khai mạc", "Gửi khi mất kết nối", "Bế mạc"]
        } else {
            ["Khai mạc", "Bế mạc", "Gửi khi mất kết nối"]
        };
        assert_eq!(
            shown, expected,
            "each acknowledged change once, the refused one not at all"
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_moves_to_the_other_instance_when_its_own_dies_and_resumes_from_its_seq() -> Result<()> {
    let server = TestServer::start_with(on_postgres(1)).await?;
    let mut other = server.start_instance().await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    // The app knows both addresses of the province's server; it starts on the second instance.
    let addresses = format!("{} , {}/", other.url(), server.url());
    let chair = Session::login(&addresses, &server.roster().chair, PASSWORD).await?;
    assert_eq!(chair.address(), other.url(), "the first address that answers");
    assert_eq!(chair.addresses(), [other.url(), server.url()]);
    let sync = start_synced(chair.clone(), meeting).await?;
    let mut last = 0;
    for title in ["Khai mạc", "Báo cáo"] {
        last = logged(&secretariat, meeting, &add_item(title.to_owned())).await?;
    }
    wait_for(&mut sync.mirror(), "the first changes", |mirror| mirror.seq >= last).await?;
    let mut events = sync.events();

    // The chair sends five changes and the instance dies under them (kill -9): some may be
    // committed but never acknowledged.
    let sender = sync.sender();
    let sends = tokio::spawn(async move {
        try_join_all((0..5).map(|n| sender.send(add_item(format!("Ý kiến {n} của chủ tọa"))))).await
    });
    other.kill().await?;
    last = logged(&secretariat, meeting, &add_item("Bế mạc".to_owned())).await?;
    let results = within("the chair's changes answered by the other instance", sends).await???;
    ensure!(
        results
            .iter()
            .all(|result| matches!(result, CommandResult::Logged { .. })),
        "{results:?}"
    );
    let highest = results
        .iter()
        .filter_map(|result| match result {
            CommandResult::Logged { seq } => Some(*seq),
            _ => None,
        })
        .max()
        .unwrap_or(0)
        .max(last);
    let mirror = wait_for(&mut sync.mirror(), "everything on the other instance", |mirror| {
        mirror.seq >= highest
    })
    .await?;
    assert_eq!(
        chair.address(),
        server.url(),
        "the app moved to the instance still running"
    );

    // Resumed from its seq: the events it missed, each once and in order, and no snapshot.
    let mut seen: Vec<u32> = Vec::new();
    while seen.last().is_none_or(|seq| *seq < mirror.seq) {
        match next_event(&mut events, "the events of the failover").await? {
            phonghop_client::SyncEvent::Event { seq, .. } => seen.push(seq),
            phonghop_client::SyncEvent::Snapshot { seq } => bail!("a snapshot at {seq} instead of a resume"),
            _ => {}
        }
    }
    let first = seen.first().copied().context("events after the failover")?;
    assert_eq!(seen, (first..=mirror.seq).collect::<Vec<_>>(), "gap-free, none twice");
    // Each of the chair's changes is in the meeting once, however many times it was sent.
    let shown = titles(&mirror);
    for n in 0..5 {
        let title = format!("Ý kiến {n} của chủ tọa");
        assert_eq!(
            shown.iter().filter(|shown| **shown == title).count(),
            1,
            "{title}: {shown:?}"
        );
    }
    assert_eq!(shown, titles_from(&secretariat.snapshot(meeting).await?.state.items));
    Ok(())
}

fn titles_from(items: &[phonghop_protocol::AgendaItem]) -> Vec<String> {
    items.iter().map(|item| item.title.clone()).collect()
}
