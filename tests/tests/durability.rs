//! Nothing acknowledged is lost: ballots survive `kill -9` of the server, and a command resent
//! with the same id (before or after a crash) is carried out once.

use anyhow::{bail, Result};
use futures_util::future::try_join_all;
use phonghop_client::session::new_command_id;
use phonghop_journeys::TestServer;
use phonghop_protocol::{Choice, Command, CommandResult, MyBallot, Outcome, PollState, Tally};

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
                item_id,
                title: "Biểu quyết giá đất".to_owned(),
                rule: None,
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
            } if recorded == poll_id && got == choice => Ok(()),
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
    // Eleven members (the chair and ten delegates); the ten who voted count as present.
    let expected = Tally {
        members: 11,
        present: 10,
        yes: 6,
        no: 3,
        abstain: 1,
    };
    assert_eq!(poll.tally, expected, "every acknowledged ballot is still counted");
    for (index, username) in server.roster().delegates.clone().iter().enumerate() {
        let mine = server.login(username).await?.snapshot(meeting).await?.my_ballots;
        assert_eq!(
            mine,
            vec![MyBallot {
                poll_id,
                choice: choice_of(index)
            }],
            "{username} still has their ballot"
        );
    }

    chair.command(meeting, &Command::ClosePoll { poll_id }).await?;
    let closed = chair.snapshot(meeting).await?.state.polls[0].clone();
    assert_eq!(closed.state, PollState::Closed);
    assert_eq!(closed.tally, expected);
    // 6 of 11 is more than half of all members; 10 of 11 present meets the 2/3 quorum.
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
                item_id,
                title: "Biểu quyết".into(),
                rule: None,
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
        .map(|poll| poll.tally)
        .unwrap_or_default();
    assert_eq!(tally.yes, 1);
    Ok(())
}
