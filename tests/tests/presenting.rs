//! Follow-the-presenter on a real server: the chair shows a page of a document to the whole
//! meeting and every follower's mirror has it live; a delegate may not until the chair names
//! them; naming another presenter ends the last one's presentation; the page shown survives
//! `kill -9`, and stopping keeps nothing shown.

use anyhow::{bail, Result};
use phonghop_client::Session;
use phonghop_journeys::{new_item, start_synced, vietnamese_document, wait_for, TestServer};
use phonghop_protocol::{Command, DocumentId, ErrorCode, MeetingId, Presentation};

async fn refused(session: &Session, meeting: MeetingId, command: &Command) -> Result<ErrorCode> {
    match session.command(meeting, command).await {
        Ok(answer) => bail!("{command:?} was carried out: {answer:?}"),
        Err(error) => Ok(error.code().unwrap_or(ErrorCode::Internal)),
    }
}

async fn presenting(session: &Session, meeting: MeetingId) -> Result<Option<Presentation>> {
    Ok(session.snapshot(meeting).await?.state.presenting)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chair_shows_a_page_every_follower_gets_it_and_a_named_delegate_presents() -> Result<()> {
    let mut server = TestServer::start(3).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let item = new_item(&secretariat, meeting, "Dự thảo Nghị quyết").await?;
    let bytes = std::fs::read(vietnamese_document("bao-cao-kinh-te-xa-hoi.pdf"))?;
    let document = secretariat
        .upload(meeting, item, "bao-cao-kinh-te-xa-hoi.pdf", "Báo cáo", bytes)
        .await?
        .document;
    assert!(document.current.page_count >= 2, "a document of several pages");
    let chair = server.login_chair().await?;
    let delegate = server.login_delegate(0).await?;
    let follower = start_synced(server.login_delegate(1).await?, meeting).await?;

    let page = |document_id: DocumentId, page: u32| Command::PresentPage { document_id, page };
    assert_eq!(
        refused(&delegate, meeting, &page(document.id, 0)).await?,
        ErrorCode::Forbidden
    );
    assert_eq!(
        refused(&chair, meeting, &page(document.id, document.current.page_count)).await?,
        ErrorCode::InvalidCommand,
        "a page past the last"
    );
    chair.command(meeting, &page(document.id, 1)).await?;
    let mirror = wait_for(&mut follower.mirror(), "page 2 shown to the follower", |mirror| {
        mirror
            .state
            .as_ref()
            .and_then(|state| state.presenting.as_ref())
            .is_some_and(|shown| shown.document_id == document.id && shown.page == 1)
    })
    .await?;
    let shown = mirror.state.and_then(|state| state.presenting).expect("a presentation");
    assert_eq!(
        (shown.by, shown.name.as_str(), shown.revision),
        (chair.user.id, chair.user.full_name.as_str(), 1)
    );

    // The chair names the delegate, who then drives the pages.
    chair
        .command(
            meeting,
            &Command::SetPresenter {
                user_id: Some(delegate.user.id),
            },
        )
        .await?;
    delegate.command(meeting, &page(document.id, 0)).await?;
    assert_eq!(
        presenting(&chair, meeting).await?.map(|shown| (shown.by, shown.page)),
        Some((delegate.user.id, 0))
    );

    // What is shown survives kill -9; naming no one ends the delegate's presentation.
    server.kill().await?;
    server.restart().await?;
    let chair = server.login_chair().await?;
    assert_eq!(presenting(&chair, meeting).await?.map(|shown| shown.page), Some(0));
    chair.command(meeting, &Command::SetPresenter { user_id: None }).await?;
    assert_eq!(presenting(&chair, meeting).await?, None);
    chair.command(meeting, &page(document.id, 1)).await?;
    chair.command(meeting, &Command::StopPresenting).await?;
    assert_eq!(presenting(&chair, meeting).await?, None);
    Ok(())
}
