//! Two delegates follow the meeting live while the secretariat builds the agenda over HTTP.

use anyhow::{ensure, Result};
use phonghop_client::Mirror;
use phonghop_journeys::{start_synced, wait_for, TestServer};
use phonghop_protocol::{Command, CommandResult, ItemId};

fn titles(mirror: &Mirror) -> Vec<String> {
    mirror
        .state
        .as_ref()
        .map(|state| state.items.iter().map(|item| item.title.clone()).collect())
        .unwrap_or_default()
}

async fn logged(result: phonghop_client::error::Result<CommandResult>) -> Result<u32> {
    match result? {
        CommandResult::Logged { seq } => Ok(seq),
        other => anyhow::bail!("expected a logged event, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_councillors_see_an_agenda_change_live() -> Result<()> {
    let server = TestServer::start(2).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let first = start_synced(server.login_delegate(0).await?, meeting).await?;
    let second = start_synced(server.login_delegate(1).await?, meeting).await?;
    let mut mirrors = [first.mirror(), second.mirror()];
    for mirror in &mirrors {
        ensure!(
            titles(&mirror.borrow()).is_empty(),
            "a new meeting starts with an empty agenda"
        );
    }

    let added = ["Khai mạc kỳ họp", "Tờ trình về phòng họp không giấy", "Bế mạc kỳ họp"];
    let mut last_seq = 0;
    for title in added {
        let command = Command::AddAgendaItem {
            parent: None,
            title: title.to_owned(),
            description: "Văn phòng HĐND trình bày".to_owned(),
        };
        last_seq = logged(secretariat.command(meeting, &command).await).await?;
    }
    for mirror in &mut mirrors {
        let seen = wait_for(mirror, "the three new agenda items", |mirror| mirror.seq >= last_seq).await?;
        assert_eq!(titles(&seen), added, "items appear in the order they were added");
        let positions: Vec<u32> = seen
            .state
            .as_ref()
            .unwrap()
            .items
            .iter()
            .map(|item| item.position)
            .collect();
        assert_eq!(positions, vec![0, 1, 2]);
    }

    let ids: Vec<ItemId> = mirrors[0]
        .borrow()
        .state
        .as_ref()
        .unwrap()
        .items
        .iter()
        .map(|item| item.id)
        .collect();
    let edit = Command::EditAgendaItem {
        item_id: ids[1],
        title: "Tờ trình về triển khai phòng họp không giấy".to_owned(),
        description: "Đại biểu thảo luận".to_owned(),
    };
    let edited_seq = logged(secretariat.command(meeting, &edit).await).await?;
    for mirror in &mut mirrors {
        let seen = wait_for(mirror, "the edited item", |mirror| mirror.seq >= edited_seq).await?;
        let item = &seen.state.as_ref().unwrap().items[1];
        assert_eq!(item.title, "Tờ trình về triển khai phòng họp không giấy");
        assert_eq!(item.description, "Đại biểu thảo luận");
    }

    let new_order = vec![ids[2], ids[0], ids[1]];
    let reorder = Command::ReorderAgenda {
        item_ids: new_order.clone(),
    };
    let reordered_seq = logged(secretariat.command(meeting, &reorder).await).await?;
    let snapshot = secretariat.snapshot(meeting).await?;
    for mirror in &mut mirrors {
        let seen = wait_for(mirror, "the new agenda order", |mirror| mirror.seq >= reordered_seq).await?;
        let state = seen.state.as_ref().unwrap();
        let order: Vec<ItemId> = state.items.iter().map(|item| item.id).collect();
        assert_eq!(order, new_order);
        let positions: Vec<u32> = state.items.iter().map(|item| item.position).collect();
        assert_eq!(positions, vec![0, 1, 2]);
        assert_eq!(seen.seq, snapshot.seq);
        assert_eq!(state, &snapshot.state, "the live mirror equals the server's snapshot");
    }

    // Someone who comes in now gets the meeting as it is, not as it was when the server loaded it.
    let latecomer = start_synced(server.login_delegate(0).await?, meeting).await?;
    let late = latecomer.mirror().borrow().clone();
    assert_eq!((late.seq, late.state.as_ref()), (snapshot.seq, Some(&snapshot.state)));
    Ok(())
}
