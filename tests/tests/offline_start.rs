//! The app started again with no server: the last session kept on the laptop reopens its meeting
//! as last seen, with its documents and the councillor's annotations; once the server is back the
//! meeting catches up, and after a logout nothing reopens by itself.

use anyhow::{ensure, Context, Result};
use phonghop_client::{ConnectionState, Seat};
use phonghop_journeys::{new_item, vietnamese_document, wait_for, TestServer, PASSWORD};
use phonghop_protocol::{Annotation, AnnotationBody, AnnotationId, Command, PagePoint};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_laptop_started_without_the_server_reopens_the_meeting_with_its_annotations() -> Result<()> {
    let mut server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let item = new_item(&secretariat, meeting, "Dự thảo Nghị quyết").await?;
    let bytes = std::fs::read(vietnamese_document("du-thao-nghi-quyet-v1.pdf"))?;
    let document = secretariat
        .upload(meeting, item, "du-thao-nghi-quyet-v1.pdf", "Dự thảo Nghị quyết", bytes)
        .await?
        .document;
    let delegate = server.roster().voters()[1].clone();
    let laptop = tempfile::tempdir()?;

    {
        let seat = Seat::new(laptop.path());
        seat.login(server.url(), &delegate, PASSWORD).await?;
        let mut mirror = seat.open_meeting(meeting).await?;
        wait_for(&mut mirror, "the meeting", |mirror| mirror.state.is_some()).await?;
        seat.keep_meeting_on_laptop(&mut |_| {}).await?;
        seat.keep_mirror().await?;
        seat.save_annotation(Annotation {
            id: AnnotationId::parse("ghi-chu")?,
            document_id: document.id,
            revision: 1,
            page: 0,
            color: "#ffd400".into(),
            body: AnnotationBody::Note {
                at: PagePoint { x: 0.5, y: 0.5 },
                text: "Hỏi thêm về kinh phí".into(),
                near: None,
            },
            shared: false,
            deleted: false,
            changed_at: 0,
            device: String::new(),
            carried_from: None,
        })
        .await?;
        // The app is killed here: nothing is said to the server or the laptop.
    }

    server.kill().await?;
    let seat = Seat::new(laptop.path());
    // What the laptop keeps is encrypted: the councillor's password opens it, with no server.
    match seat.resume_saved().await {
        Err(phonghop_client::ClientError::Locked) => {}
        other => anyhow::bail!(
            "the laptop opened without the password: {:?}",
            other.map(|m| m.is_some())
        ),
    }
    let owner = seat.vault_owner().await?.context("whose session is kept")?;
    ensure!(owner.username == delegate, "{owner:?}");
    ensure!(matches!(
        seat.unlock("not the password").await,
        Err(phonghop_client::ClientError::WrongPassword)
    ));
    seat.unlock(PASSWORD).await?;
    let Some(mirror) = seat.resume_saved().await? else {
        anyhow::bail!("the last session did not reopen");
    };
    let shown = mirror.borrow().clone();
    ensure!(shown.meeting_id == meeting && shown.state.is_some(), "{shown:?}");
    ensure!(shown.connection != ConnectionState::Online);
    let annotations = seat.annotations(document.id).await?;
    ensure!(annotations.len() == 1 && annotations[0].mine, "{annotations:?}");
    ensure!(
        seat.open_document(document.id, None).await?.page_count == 1,
        "the document reads offline"
    );

    // The server back (here at a new address, so the councillor logs in there), the meeting
    // shown as last seen catches up with what happened while the laptop was away.
    drop(mirror);
    server.restart().await?;
    secretariat_adds(&server, meeting).await?;
    let seat = Seat::new(laptop.path());
    seat.login(server.url(), &delegate, PASSWORD).await?;
    let mut mirror = seat.open_meeting(meeting).await?;
    wait_for(&mut mirror, "the item added while the laptop was away", |mirror| {
        mirror
            .state
            .as_ref()
            .is_some_and(|state| state.items.iter().any(|item| item.title == "Bế mạc"))
    })
    .await?;

    // Logged out, the laptop reopens nothing by itself.
    seat.logout().await;
    let again = Seat::new(laptop.path());
    ensure!(again.resume_saved().await?.is_none(), "a logged-out session reopened");
    Ok(())
}

async fn secretariat_adds(server: &TestServer, meeting: phonghop_protocol::MeetingId) -> Result<()> {
    let secretariat = server.login_secretariat().await?;
    secretariat
        .command(
            meeting,
            &Command::AddAgendaItem {
                parent: None,
                title: "Bế mạc".into(),
                description: String::new(),
            },
        )
        .await?;
    Ok(())
}
