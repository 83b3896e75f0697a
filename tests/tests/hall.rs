//! The hall screen on a real server: whoever runs the meeting makes a read-only code; the page
//! is served by the server itself; a WebSocket that authenticates with the code follows that one
//! meeting live (snapshot, then events) and any command it sends is refused; a delegate cannot
//! make a code, a wrong code is refused, and a code still works after `kill -9` — until its
//! meeting's codes are revoked, which closes the screens open with one at once.

use anyhow::{bail, Result};
use phonghop_client::Session;
use phonghop_journeys::{new_item, RawSocket, TestServer};
use phonghop_protocol::{ClientMessage, Command, ErrorCode, ItemId, MeetingEvent, MeetingId, ServerMessage, UserId};

/// Reads frames until the event that sets the item under discussion.
async fn current_item_event(socket: &mut RawSocket) -> Result<Option<ItemId>> {
    loop {
        match socket.next().await? {
            ServerMessage::Event {
                event: MeetingEvent::CurrentItemSet { item_id },
                ..
            } => return Ok(item_id),
            ServerMessage::Event { .. } | ServerMessage::Tally { .. } => continue,
            other => bail!("expected the current item event, got {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hall_code_follows_one_meeting_live_and_sends_nothing() -> Result<()> {
    let mut server = TestServer::start(3).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let item = new_item(&secretariat, meeting, "Khai mạc kỳ họp").await?;
    let chair = server.login_chair().await?;

    let delegate = server.login_delegate(0).await?;
    match delegate.hall_link(meeting).await {
        Ok(link) => bail!("a delegate made a hall link: {link:?}"),
        Err(error) => assert_eq!(error.code(), Some(ErrorCode::Forbidden)),
    }
    let link = chair.hall_link(meeting).await?;
    assert_eq!(link.code.len(), 14, "{link:?}");
    assert_eq!(link.path, format!("/hall?meeting={meeting}&code={}", link.code));

    // The page and its script come from the server itself.
    let page = server
        .http()
        .get(format!("{}{}", server.url(), link.path))
        .send()
        .await?;
    assert!(page.status().is_success());
    assert!(page.text().await?.contains("/hall/hall.js"));
    let script = server
        .http()
        .get(format!("{}/hall/hall.js", server.url()))
        .send()
        .await?;
    assert_eq!(
        script.headers()["content-type"].to_str()?,
        "text/javascript; charset=utf-8"
    );

    // A wrong code is refused like a wrong token.
    let mut stranger = RawSocket::connect(server.url()).await?;
    stranger
        .send(ClientMessage::Authenticate {
            token: "AAAA-BBBB-CCCC".into(),
        })
        .await?;
    assert_eq!(stranger.expect_error().await?.code, ErrorCode::Unauthenticated);

    // The code, typed in lower case without dashes, opens the hall screen.
    let mut hall = RawSocket::connect(server.url()).await?;
    let typed = link.code.replace('-', "").to_lowercase();
    let welcomed = hall.authenticate(&typed).await?;
    assert_eq!(welcomed.id, UserId(0));
    hall.send(ClientMessage::Subscribe {
        meeting_id: MeetingId(meeting.0 + 1),
        since_seq: None,
    })
    .await?;
    assert_eq!(
        hall.expect_error().await?.code,
        ErrorCode::NotFound,
        "only its own meeting"
    );
    hall.subscribe(meeting).await?;
    chair
        .command(meeting, &Command::SetCurrentItem { item_id: Some(item) })
        .await?;
    assert_eq!(current_item_event(&mut hall).await?, Some(item));

    // It sends nothing: every command is refused.
    hall.send(ClientMessage::Command {
        id: "hall-1".into(),
        meeting_id: meeting,
        command: Command::RequestToSpeak { item_id: None },
    })
    .await?;
    let refused = hall.expect_error().await?;
    assert_eq!(refused.code, ErrorCode::Forbidden, "{refused:?}");

    // The code survives kill -9.
    server.kill().await?;
    server.restart().await?;
    let mut again = RawSocket::connect(server.url()).await?;
    again.authenticate(&link.code).await?;
    again.subscribe(meeting).await?;
    let chair: Session = server.login_chair().await?;
    chair
        .command(meeting, &Command::SetCurrentItem { item_id: None })
        .await?;
    assert_eq!(current_item_event(&mut again).await?, None);

    // A code lasts 72 hours by default.
    let lasts = link.expires_at - phonghop_journeys::unix_now();
    assert!((72 * 3600 - 120..=72 * 3600).contains(&lasts), "{lasts} s");

    // Revoking: not by a delegate; by the chair, every code of the meeting at once, and the
    // screen open with one is told and closed.
    let second = chair.hall_link(meeting).await?;
    let delegate = server.login_delegate(0).await?;
    match delegate.revoke_hall_links(meeting).await {
        Ok(revoked) => bail!("a delegate revoked the hall codes: {revoked:?}"),
        Err(error) => assert_eq!(error.code(), Some(ErrorCode::Forbidden)),
    }
    let revoked = chair.revoke_hall_links(meeting).await?;
    assert_eq!(revoked.revoked, 2);
    let closed = again.expect_error().await?;
    assert_eq!(closed.code, ErrorCode::Unauthenticated, "{closed:?}");
    again
        .send(ClientMessage::Subscribe {
            meeting_id: meeting,
            since_seq: None,
        })
        .await?;
    assert_eq!(again.expect_error().await?.code, ErrorCode::Unauthenticated);
    for code in [&link.code, &second.code] {
        let mut late = RawSocket::connect(server.url()).await?;
        late.send(ClientMessage::Authenticate { token: code.clone() }).await?;
        assert_eq!(late.expect_error().await?.code, ErrorCode::Unauthenticated);
    }
    Ok(())
}
