//! Running the sitting on a real server: the chair sets the item under discussion and every
//! follower's mirror shows it; members ask for the floor under their own name (the secretariat
//! may not); the chair orders the queue, gives the floor for a time by the server's clock, and
//! a speech ends; a request is withdrawn; the queue survives `kill -9`.

use anyhow::{bail, Context, Result};
use futures_util::future::try_join_all;
use phonghop_client::Session;
use phonghop_journeys::{new_item, start_synced, wait_for, TestServer};
use phonghop_protocol::{Command, ErrorCode, Floor, ItemId, MeetingId, UserId};

const DELEGATES: usize = 4;

async fn refused(session: &Session, meeting: MeetingId, command: &Command) -> Result<ErrorCode> {
    match session.command(meeting, command).await {
        Ok(answer) => bail!("{command:?} was carried out: {answer:?}"),
        Err(error) => Ok(error.code().unwrap_or(ErrorCode::Internal)),
    }
}

fn unix_now() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.map_or(0, |since| since.as_secs() as i64)
}

async fn floor(session: &Session, meeting: MeetingId) -> Result<(Option<ItemId>, Floor)> {
    let state = session.snapshot(meeting).await?.state;
    Ok((state.current_item, state.floor))
}

fn waiting(floor: &Floor) -> Vec<UserId> {
    floor.queue.iter().map(|request| request.user_id).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chair_runs_the_speaking_queue_and_every_screen_follows_it_across_kill_9() -> Result<()> {
    let mut server = TestServer::start(DELEGATES).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let item = new_item(&secretariat, meeting, "Thảo luận dự thảo Nghị quyết").await?;
    let chair = server.login_chair().await?;
    let delegates: Vec<Session> = try_join_all((0..DELEGATES).map(|index| server.login_delegate(index))).await?;
    let follower = start_synced(server.login_delegate(3).await?, meeting).await?;

    // The item under discussion reaches a follower's mirror live.
    chair
        .command(meeting, &Command::SetCurrentItem { item_id: Some(item) })
        .await?;
    wait_for(&mut follower.mirror(), "the item under discussion", |mirror| {
        mirror
            .state
            .as_ref()
            .is_some_and(|state| state.current_item == Some(item))
    })
    .await?;

    // Three delegates ask for the floor; the secretariat may not, nor order or give it.
    for delegate in &delegates[..3] {
        delegate
            .command(meeting, &Command::RequestToSpeak { item_id: Some(item) })
            .await?;
    }
    assert_eq!(
        refused(&secretariat, meeting, &Command::RequestToSpeak { item_id: None }).await?,
        ErrorCode::Forbidden
    );
    assert_eq!(
        refused(
            &delegates[0],
            meeting,
            &Command::GrantFloor {
                user_id: delegates[1].user.id,
                seconds: 120
            }
        )
        .await?,
        ErrorCode::Forbidden
    );
    let (_, asked) = floor(&chair, meeting).await?;
    let ids: Vec<UserId> = delegates[..3].iter().map(|delegate| delegate.user.id).collect();
    assert_eq!(waiting(&asked), ids);
    for (request, delegate) in asked.queue.iter().zip(&delegates) {
        assert_eq!(
            request.name, delegate.user.full_name,
            "each under the name the server keeps"
        );
        assert_eq!(request.item_id, Some(item));
    }

    // The chair puts the third first and gives them three minutes.
    let order = vec![ids[2], ids[0], ids[1]];
    chair
        .command(
            meeting,
            &Command::OrderSpeakers {
                user_ids: order.clone(),
            },
        )
        .await?;
    let before = unix_now();
    chair
        .command(
            meeting,
            &Command::GrantFloor {
                user_id: ids[2],
                seconds: 180,
            },
        )
        .await?;
    let mirror = wait_for(
        &mut follower.mirror(),
        "the speaker on the follower's screen",
        |mirror| {
            mirror.state.as_ref().is_some_and(|state| {
                state
                    .floor
                    .speaking
                    .as_ref()
                    .is_some_and(|speech| speech.user_id == ids[2])
            })
        },
    )
    .await?;
    let state = mirror.state.context("a state")?;
    let speech = state.floor.speaking.clone().context("a speech")?;
    assert_eq!(speech.seconds, 180);
    assert!(
        (before..=unix_now()).contains(&speech.started_at),
        "the floor is timed by the server's clock: {speech:?}"
    );
    assert_eq!(waiting(&state.floor), [ids[0], ids[1]]);

    // The first delegate withdraws; the speaker may end their own speech, another may not.
    delegates[0]
        .command(meeting, &Command::WithdrawSpeechRequest { user_id: None })
        .await?;
    assert_eq!(
        refused(&delegates[1], meeting, &Command::EndSpeech).await?,
        ErrorCode::Forbidden
    );
    let (_, now) = floor(&chair, meeting).await?;
    assert_eq!(waiting(&now), [ids[1]]);

    // Killed and started again: the item, the speaker and the queue are what they were.
    let kept = floor(&chair, meeting).await?;
    server.kill().await?;
    server.restart().await?;
    let chair = server.login_chair().await?;
    assert_eq!(floor(&chair, meeting).await?, kept);
    let speaker = server.login_delegate(2).await?;
    speaker.command(meeting, &Command::EndSpeech).await?;
    let (current, ended) = floor(&chair, meeting).await?;
    assert_eq!(
        (current, ended.speaking.clone(), waiting(&ended)),
        (Some(item), None, vec![ids[1]])
    );
    Ok(())
}
