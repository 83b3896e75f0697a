//! Nothing acknowledged is lost: ballots survive `kill -9` of the server, and a command resent
//! with the same id (before or after a crash) is carried out once.

use anyhow::{bail, Result};
use futures_util::future::try_join_all;
use phonghop_client::session::new_command_id;
use phonghop_journeys::TestServer;
use phonghop_protocol::{Choice, Command, CommandResult, MyBallot, Outcome, PollState, Secrecy, Tally};

const DELEGATES: usize = 10;

fn choice_of(index: usize) -> Choice {
    match index {
        0..6 => Choice::Yes,
        6..9 => Choice::No,
        _ => Choice::Abstain,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_server_after_acks_loses_no_ballot() -> Result<()> {
    let mut server = TestServer::start(DELEGATES).await?;
    let meeting = server.meeting_id();
    let chair = server.login_chair().await?;
    chair
        .command(
            meeting,
            &Command::AddAgendaItem {
                parent: None,
                title: "Nghị quyết về giá đất".to_owned(),
                description: String::new(),
            },
        )
        .await?;
    let item_id = chair.snapshot(meeting).await?.state.items[0].id;
    chair
        .command(
            meeting,
            &Command::OpenPoll {
                ballot: None,
                item_id,
                title: "Biểu quyết giá đất".to_owned(),
                rule: None,
                preset: None,
                secrecy: None,
                changeable: None,
                quorum_override: None,
                duration_seconds: None,
            },
        )
        .await?;
    let poll_id = chair.snapshot(meeting).await?.state.polls[0].id;

    let delegates = try_join_all((0..DELEGATES).map(|index| server.login_delegate(index))).await?;
    let ballots = delegates.iter().enumerate().map(|(index, delegate)| async move {
        let choice = choice_of(index);
        match delegate
            .command(meeting, &Command::CastBallot { poll_id, choice })
            .await?
        {
            CommandResult::BallotRecorded {
                poll_id: recorded,
                choice: got,
                marks: None,
            } if recorded == poll_id && got == Some(choice) => Ok(()),
            other => bail!("expected the ballot of delegate {index} recorded, got {other:?}"),
        }
    });
    try_join_all(ballots).await?;

    // Every ballot is acknowledged: pull the plug at once.
    server.kill().await?;
    server.restart().await?;

    let chair = server.login_chair().await?;
    let snapshot = chair.snapshot(meeting).await?;
    let poll = &snapshot.state.polls[0];
    assert_eq!(poll.state, PollState::Open);
    // Eleven members (the chair and ten delegates), all marked present by the secretariat.
    let expected = Tally {
        members: 11,
        present: 11,
        yes: 6,
        no: 3,
        abstain: 1,
        sealed: 0,
        counts: vec![],
    };
    assert_eq!(poll.tally, expected, "every acknowledged ballot is still counted");
    for (index, username) in server.roster().delegates.clone().iter().enumerate() {
        let mine = server.login(username).await?.snapshot(meeting).await?.my_ballots;
        assert_eq!(
            mine,
            vec![MyBallot {
                poll_id,
                choice: Some(choice_of(index)),
                marks: None,
            }],
            "{username} still has their ballot"
        );
    }

    chair.command(meeting, &Command::ClosePoll { poll_id }).await?;
    let closed = chair.snapshot(meeting).await?.state.polls[0].clone();
    assert_eq!(closed.state, PollState::Closed);
    assert_eq!(closed.tally, expected);
    // 6 of 11 is more than half of all members; 11 present meets the 2/3 quorum.
    assert_eq!(closed.outcome, Some(Outcome::Passed));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resending_a_command_id_is_harmless() -> Result<()> {
    let mut server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let title = "Thông qua chương trình kỳ họp";
    let command = Command::AddAgendaItem {
        parent: None,
        title: title.to_owned(),
        description: String::new(),
    };
    let id = new_command_id();

    let first = secretariat.command_with_id(meeting, &id, &command).await?;
    let CommandResult::Logged { seq } = first else {
        bail!("adding an item is logged, got {first:?}")
    };
    let resent = secretariat.command_with_id(meeting, &id, &command).await?;
    assert_eq!(resent, first, "a resent command gets the first answer");

    server.kill().await?;
    server.restart().await?;
    let secretariat = server.login_secretariat().await?;
    let after_crash = secretariat.command_with_id(meeting, &id, &command).await?;
    assert_eq!(after_crash, first, "the answer survives a crash too");

    let snapshot = secretariat.snapshot(meeting).await?;
    let copies = snapshot.state.items.iter().filter(|item| item.title == title).count();
    assert_eq!(copies, 1, "the item was added once");
    assert_eq!(snapshot.seq, seq, "nothing else was logged");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_copies_of_a_command_sent_at_once_are_carried_out_once() -> Result<()> {
    let server = TestServer::start(2).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    for round in 0..5 {
        let title = format!("Mục gửi hai lần {round}");
        let command = Command::AddAgendaItem {
            parent: None,
            title: title.clone(),
            description: String::new(),
        };
        let id = new_command_id();
        let (first, second) = tokio::join!(
            secretariat.command_with_id(meeting, &id, &command),
            secretariat.command_with_id(meeting, &id, &command)
        );
        assert_eq!(first?, second?, "both copies get the same answer");
        let copies = secretariat
            .snapshot(meeting)
            .await?
            .state
            .items
            .iter()
            .filter(|item| item.title == title)
            .count();
        assert_eq!(copies, 1, "round {round}: the item was added once");
    }

    // A ballot sent twice at once is one ballot, and both copies are acknowledged.
    let chair = server.login_chair().await?;
    let item_id = secretariat.snapshot(meeting).await?.state.items[0].id;
    let opened = chair
        .command(
            meeting,
            &Command::OpenPoll {
                ballot: None,
                item_id,
                title: "Biểu quyết".into(),
                rule: None,
                preset: None,
                secrecy: None,
                changeable: None,
                quorum_override: None,
                duration_seconds: None,
            },
        )
        .await?;
    let CommandResult::Logged { seq } = opened else {
        bail!("opening a poll is logged, got {opened:?}")
    };
    let poll_id = secretariat
        .snapshot(meeting)
        .await?
        .state
        .polls
        .last()
        .map(|poll| poll.id)
        .ok_or_else(|| anyhow::anyhow!("no poll after seq {seq}"))?;
    let delegate = server.login_delegate(0).await?;
    let ballot = Command::CastBallot {
        poll_id,
        choice: Choice::Yes,
    };
    let id = new_command_id();
    let (first, second) = tokio::join!(
        delegate.command_with_id(meeting, &id, &ballot),
        delegate.command_with_id(meeting, &id, &ballot)
    );
    assert_eq!(first?, second?);
    let tally = delegate
        .snapshot(meeting)
        .await?
        .state
        .polls
        .last()
        .map(|poll| poll.tally.clone())
        .unwrap_or_default();
    assert_eq!(tally.yes, 1);
    Ok(())
}

/// kill -9 in the middle of a vote storm: every ballot acknowledged before the kill is there
/// after the restart, once; the ballots that were in flight, resent with their ids, are carried
/// out once; the tally equals the ballots.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_server_in_a_vote_storm_loses_no_acknowledged_ballot() -> Result<()> {
    vote_storm_cut_by_a_kill(Secrecy::Named).await
}

/// The same storm in a secret poll: the sealed ballots of the acknowledged voters are counted
/// after the restart with the key kept beside the database, each once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_server_in_a_secret_vote_storm_loses_no_acknowledged_ballot() -> Result<()> {
    vote_storm_cut_by_a_kill(Secrecy::Secret).await
}

async fn vote_storm_cut_by_a_kill(secrecy: Secrecy) -> Result<()> {
    const STORM: usize = 120;
    let mut server = TestServer::start(STORM).await?;
    let meeting = server.meeting_id();
    let chair = server.login_chair().await?;
    chair
        .command(
            meeting,
            &Command::AddAgendaItem {
                parent: None,
                title: "Nghị quyết về ngân sách".to_owned(),
                description: String::new(),
            },
        )
        .await?;
    let item_id = chair.snapshot(meeting).await?.state.items[0].id;
    let open = Command::OpenPoll {
        ballot: None,
        item_id,
        title: "Biểu quyết ngân sách".to_owned(),
        rule: None,
        preset: None,
        secrecy: Some(secrecy),
        changeable: None,
        quorum_override: None,
        duration_seconds: None,
    };
    chair.command(meeting, &open).await?;
    let poll_id = chair.snapshot(meeting).await?.state.polls[0].id;
    let delegates = try_join_all((0..STORM).map(|index| server.login_delegate(index))).await?;
    let ballot = |index: usize| Command::CastBallot {
        poll_id,
        choice: choice_of(index % DELEGATES),
    };

    // A third vote and are acknowledged; then the rest vote at once and the server is killed
    // while their ballots are in flight.
    let cast = |index: usize| {
        let delegate = delegates[index].clone();
        let command = ballot(index);
        async move {
            let answer = delegate
                .command_with_id(meeting, &format!("storm-{index}"), &command)
                .await;
            (index, answer.is_ok())
        }
    };
    let first_wave = futures_util::future::join_all((0..STORM / 3).map(cast)).await;
    assert!(first_wave.iter().all(|(_, ok)| *ok), "the first third is acknowledged");
    let mut storm = tokio::task::JoinSet::new();
    for index in STORM / 3..STORM {
        storm.spawn(cast(index));
    }
    server.kill().await?;
    let mut acked: Vec<usize> = first_wave.into_iter().map(|(index, _)| index).collect();
    while let Some(joined) = storm.join_next().await {
        let (index, ok) = joined?;
        if ok {
            acked.push(index);
        }
    }
    println!("{} of {STORM} ballots acknowledged before the kill", acked.len());

    server.restart().await?;
    for index in &acked {
        let delegate = server.login_delegate(*index).await?;
        let mine = delegate.snapshot(meeting).await?.my_ballots;
        assert_eq!(
            mine,
            vec![MyBallot {
                poll_id,
                choice: (secrecy == Secrecy::Named).then_some(choice_of(index % DELEGATES)),
                marks: None,
            }],
            "delegate {index}'s acknowledged ballot survived the kill"
        );
    }
    // Every client resends what it did not hear back about, with the same id: carried out once.
    for index in (0..STORM).filter(|index| !acked.contains(index)) {
        let delegate = server.login_delegate(index).await?;
        let answer = delegate
            .command_with_id(meeting, &format!("storm-{index}"), &ballot(index))
            .await?;
        assert!(matches!(answer, CommandResult::BallotRecorded { .. }), "{answer:?}");
    }
    let chair = server.login_chair().await?;
    let tally = chair.snapshot(meeting).await?.state.polls[0].tally.clone();
    assert_eq!(
        tally.cast(),
        STORM as u32,
        "each of {STORM} ballots counted once: {tally:?}"
    );
    if secrecy == Secrecy::Secret {
        assert_eq!(
            (tally.yes, tally.no, tally.abstain, tally.sealed),
            (0, 0, 0, STORM as u32),
            "no count while open"
        );
        chair.command(meeting, &Command::ClosePoll { poll_id }).await?;
    }
    let tally = chair.snapshot(meeting).await?.state.polls[0].tally.clone();
    let count = |choice| {
        (0..STORM)
            .filter(|index| choice_of(index % DELEGATES) == choice)
            .count() as u32
    };
    assert_eq!(
        (tally.yes, tally.no, tally.abstain),
        (count(Choice::Yes), count(Choice::No), count(Choice::Abstain)),
        "the tally equals the ballots"
    );
    Ok(())
}
