//! A delegate whose network is cut catches up on exactly what it missed, and commands given while
//! offline reach the server once the network is back.

use std::sync::Arc;

use anyhow::{bail, ensure, Result};
use phonghop_client::{ConnectionState, MeetingSync, SyncEvent};
use phonghop_journeys::{next_event, quick_reconnect, wait_for, within, CuttableProxy, TestServer};
use phonghop_protocol::{Choice, Command, CommandResult, ItemId, MyBallot};

fn add_item(title: &str) -> Command {
    Command::AddAgendaItem {
        parent: None,
        title: title.to_owned(),
        description: String::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_cut_off_during_three_changes_gets_exactly_those_three() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    secretariat.command(meeting, &add_item("Khai mạc kỳ họp")).await?;

    let proxy = CuttableProxy::start(server.address()).await?;
    let delegate =
        phonghop_client::Session::login(&proxy.url(), &server.roster().delegates[0], phonghop_journeys::PASSWORD)
            .await?;
    let sync = MeetingSync::start(delegate, meeting, quick_reconnect());
    let mut mirror = sync.mirror();
    let before = wait_for(&mut mirror, "the delegate to be live", |m| {
        m.connection == ConnectionState::Online && m.seq >= 1
    })
    .await?;
    let n = before.seq;
    let mut events = sync.events();

    proxy.cut();
    loop {
        if next_event(&mut events, "the delegate to notice the cut").await? == SyncEvent::Disconnected {
            break;
        }
    }
    wait_for(&mut mirror, "the delegate to show offline", |m| {
        m.connection != ConnectionState::Online
    })
    .await?;

    let mut seqs = Vec::new();
    let item_id = secretariat.snapshot(meeting).await?.state.items[0].id;
    let changes = [
        add_item("Tờ trình về phòng họp không giấy"),
        Command::EditAgendaItem {
            item_id,
            title: "Khai mạc kỳ họp thứ Mười hai".to_owned(),
            description: String::new(),
        },
        add_item("Bế mạc kỳ họp"),
    ];
    for change in &changes {
        match secretariat.command(meeting, change).await? {
            CommandResult::Logged { seq } => seqs.push(seq),
            other => bail!("expected a logged change, got {other:?}"),
        }
    }
    assert_eq!(
        seqs,
        vec![n + 1, n + 2, n + 3],
        "the three changes are the next three events of the log"
    );
    ensure!(
        mirror.borrow().seq == n,
        "nothing reaches the delegate while the network is cut"
    );

    proxy.restore();
    let mut replayed = Vec::new();
    loop {
        match next_event(&mut events, "the delegate to be live again").await? {
            SyncEvent::Live { seq } => {
                assert_eq!(seq, n + 3, "live from the last change on");
                break;
            }
            SyncEvent::Event { seq, .. } => replayed.push(seq),
            SyncEvent::Snapshot { seq } => {
                bail!("the delegate got a snapshot at {seq} instead of a replay")
            }
            SyncEvent::ServerError(error) => bail!("the server refused the reconnect: {error}"),
            SyncEvent::Connected | SyncEvent::Disconnected | SyncEvent::Tally { .. } => {}
        }
    }
    assert_eq!(
        replayed,
        vec![n + 1, n + 2, n + 3],
        "exactly the missed events, each once, in order"
    );

    let now = mirror.borrow().clone();
    let fresh = secretariat.snapshot(meeting).await?;
    assert_eq!(now.seq, fresh.seq);
    assert_eq!(
        now.state.as_ref(),
        Some(&fresh.state),
        "the caught-up mirror equals a fresh snapshot"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_sent_while_offline_are_delivered_after_reconnect() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let proxy = CuttableProxy::start(server.address()).await?;
    let chair =
        phonghop_client::Session::login(&proxy.url(), &server.roster().chair, phonghop_journeys::PASSWORD).await?;
    let sync = Arc::new(MeetingSync::start(chair, meeting, quick_reconnect()));
    let mut mirror = sync.mirror();
    wait_for(&mut mirror, "the chair to be live", |m| {
        m.connection == ConnectionState::Online && m.state.is_some()
    })
    .await?;

    proxy.cut();
    wait_for(&mut mirror, "the chair to show offline", |m| {
        m.connection != ConnectionState::Online
    })
    .await?;
    let title = "Chất vấn và trả lời chất vấn";
    let sending = tokio::spawn({
        let sync = sync.clone();
        async move { sync.send(add_item(title)).await }
    });
    wait_for(&mut mirror, "the command to wait in the outbox", |m| {
        m.pending_commands == 1
    })
    .await?;
    ensure!(
        mirror.borrow().connection != ConnectionState::Online,
        "the network is still cut"
    );

    proxy.restore();
    let answer = within("the ack of the offline command", sending).await??;
    let CommandResult::Logged { seq } = answer? else {
        bail!("expected a logged change")
    };
    let seen = wait_for(&mut mirror, "the chair's mirror to show the item", |m| {
        m.seq >= seq && m.pending_commands == 0
    })
    .await?;

    let secretariat = server.login_secretariat().await?;
    let snapshot = secretariat.snapshot(meeting).await?;
    let copies = snapshot.state.items.iter().filter(|item| item.title == title).count();
    assert_eq!(copies, 1, "the command was carried out exactly once");
    assert_eq!(seen.state.as_ref(), Some(&snapshot.state));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ballot_cast_from_another_laptop_while_cut_off_shows_after_resume() -> Result<()> {
    let server = TestServer::start(2).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    secretariat.command(meeting, &add_item("Biểu quyết nghị quyết")).await?;
    let item_id = secretariat.snapshot(meeting).await?.state.items[0].id;
    let chair = server.login_chair().await?;
    chair
        .command(
            meeting,
            &Command::OpenPoll {
                ballot: None,
                item_id,
                title: "Thông qua nghị quyết".into(),
                rule: None,
                preset: None,
                secrecy: None,
                changeable: None,
                quorum_override: None,
                duration_seconds: None,
            },
        )
        .await?;
    let poll_id = secretariat.snapshot(meeting).await?.state.polls[0].id;

    let proxy = CuttableProxy::start(server.address()).await?;
    let username = &server.roster().delegates[0];
    let on_this_laptop = phonghop_client::Session::login(&proxy.url(), username, phonghop_journeys::PASSWORD).await?;
    let sync = MeetingSync::start(on_this_laptop, meeting, quick_reconnect());
    let mut mirror = sync.mirror();
    wait_for(&mut mirror, "the delegate to be live", |m| {
        m.connection == ConnectionState::Online && m.state.is_some()
    })
    .await?;
    assert!(mirror.borrow().my_ballots.is_empty());

    proxy.cut();
    wait_for(&mut mirror, "the delegate to show offline", |m| {
        m.connection != ConnectionState::Online
    })
    .await?;
    let on_another_laptop = server.login(username).await?;
    on_another_laptop
        .command(
            meeting,
            &Command::CastBallot {
                poll_id,
                choice: Choice::No,
            },
        )
        .await?;
    let mut events = sync.events();
    proxy.restore();

    let resumed = wait_for(&mut mirror, "the delegate to be live again", |m| {
        m.connection == ConnectionState::Online
    })
    .await?;
    assert_eq!(
        resumed.my_ballots,
        vec![MyBallot {
            poll_id,
            choice: Some(Choice::No),
            marks: None,
        }]
    );
    // It resumed by replay (nothing was logged while cut off), not by a snapshot.
    loop {
        match next_event(&mut events, "the resumed subscription").await? {
            SyncEvent::Snapshot { .. } => bail!("resumed with a snapshot; a replay was expected"),
            SyncEvent::Live { .. } => break,
            _ => {}
        }
    }
    Ok(())
}

/// Twenty commands leave the chair's laptop while the link is failing: none arrives, the
/// connection drops, and after the reconnect they are resent in the order they were sent, so
/// adds come before the reorder and the edit that name the added items.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_lost_in_flight_are_resent_in_the_order_they_were_sent() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let proxy = CuttableProxy::start(server.address()).await?;
    let chair =
        phonghop_client::Session::login(&proxy.url(), &server.roster().chair, phonghop_journeys::PASSWORD).await?;
    let sync = MeetingSync::start(chair, meeting, quick_reconnect());
    let mut mirror = sync.mirror();
    wait_for(&mut mirror, "the chair to be live", |m| {
        m.connection == ConnectionState::Online && m.state.is_some()
    })
    .await?;
    ensure!(mirror
        .borrow()
        .state
        .as_ref()
        .is_some_and(|state| state.items.is_empty()));

    // The meeting has no items yet, so the ones added get ids 1, 2, 3, …
    let ids = |numbers: std::ops::RangeInclusive<u32>| numbers.rev().map(ItemId).collect::<Vec<_>>();
    let edit = |id: u32| Command::EditAgendaItem {
        item_id: ItemId(id),
        title: format!("Mục {id} (sửa)"),
        description: String::new(),
    };
    let mut commands: Vec<Command> = (1..=10).map(|n| add_item(&format!("Mục {n}"))).collect();
    commands.push(Command::ReorderAgenda { item_ids: ids(1..=10) });
    commands.push(edit(1));
    commands.extend((11..=16).map(|n| add_item(&format!("Mục {n}"))));
    commands.push(edit(16));
    commands.push(Command::ReorderAgenda { item_ids: ids(1..=16) });
    assert_eq!(commands.len(), 20);

    proxy.stall();
    let sender = sync.sender();
    let sending = tokio::spawn(futures_util::future::join_all(commands.into_iter().map(
        move |command| {
            let sender = sender.clone();
            async move { sender.send(command).await }
        },
    )));
    wait_for(&mut mirror, "twenty commands in flight", |m| m.pending_commands == 20).await?;
    proxy.cut();
    wait_for(&mut mirror, "the chair to show offline", |m| {
        m.connection != ConnectionState::Online
    })
    .await?;
    proxy.restore();

    let answers = within("the answers to the twenty commands", sending).await??;
    let refused: Vec<String> = answers
        .iter()
        .enumerate()
        .filter_map(|(n, answer)| answer.as_ref().err().map(|error| format!("command {n}: {error}")))
        .collect();
    ensure!(refused.is_empty(), "refused after the reconnect: {refused:#?}");
    let secretariat = server.login_secretariat().await?;
    let state = secretariat.snapshot(meeting).await?.state;
    let order: Vec<ItemId> = state.items.iter().map(|item| item.id).collect();
    assert_eq!(order, ids(1..=16));
    let titles: Vec<&str> = state.items.iter().map(|item| item.title.as_str()).collect();
    assert_eq!(titles.first(), Some(&"Mục 16 (sửa)"));
    assert_eq!(titles.last(), Some(&"Mục 1 (sửa)"));
    Ok(())
}
