//! Uploads the indexer finds wanting beyond their text, through the real server: a page PDFium
//! will not draw is named in the document every councillor receives (and stays named after a
//! restart), and a document that runs PDFium out of memory is refused as too complex, not as an
//! unreadable file, while the server goes on.

#[path = "../../crates/phonghop-pdf/tests/support/handmade_pdf.rs"]
mod handmade_pdf;

use anyhow::{bail, ensure, Context, Result};
use phonghop_journeys::{new_item, within, RawSocket, TestServer};
use phonghop_protocol::{Document, DocumentId, ErrorCode, ErrorFrame, MeetingEvent, MeetingId, ServerMessage};

/// The next `document_added` event on `socket`, skipping other frames.
async fn next_document_added(socket: &mut RawSocket) -> Result<Document> {
    loop {
        if let ServerMessage::Event {
            event: MeetingEvent::DocumentAdded { document },
            ..
        } = socket.next().await?
        {
            return Ok(*document);
        }
    }
}

async fn snapshot_document(server: &TestServer, meeting: MeetingId, id: DocumentId) -> Result<Document> {
    let snapshot = server.login_chair().await?.snapshot(meeting).await?;
    snapshot
        .state
        .document(id)
        .cloned()
        .with_context(|| format!("no document {id} in the snapshot"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_pdfium_will_not_draw_reaches_every_councillor_named_unrenderable() -> Result<()> {
    let mut server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let item = new_item(&secretariat, meeting, "Tờ trình có trang hỏng").await?;
    let delegate = server.login_delegate(0).await?;
    let mut laptop = RawSocket::connect(server.url()).await?;
    laptop.authenticate(&delegate.token).await?;
    laptop.subscribe(meeting).await?;

    let upload = secretariat
        .upload(
            meeting,
            item,
            "to-trinh-12.pdf",
            "Tờ trình số 12",
            handmade_pdf::with_a_page_pdfium_cannot_draw(),
        )
        .await?;
    let revision = &upload.document.current;
    ensure!(revision.page_count == 3, "{revision:?}");
    ensure!(revision.unrenderable_pages == [1], "{revision:?}");

    let announced = next_document_added(&mut laptop).await?;
    ensure!(announced.current.unrenderable_pages == [1], "{announced:?}");
    let id = upload.document.id;
    ensure!(
        snapshot_document(&server, meeting, id)
            .await?
            .current
            .unrenderable_pages
            == [1]
    );
    server.restart().await?;
    let reloaded = snapshot_document(&server, meeting, id).await?;
    ensure!(
        reloaded.current.unrenderable_pages == [1],
        "after a restart: {reloaded:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_that_runs_pdfium_out_of_memory_is_refused_as_too_complex() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let item = new_item(&secretariat, meeting, "Báo cáo quá phức tạp").await?;

    // 7 MiB on the wire whose second page inflates to 1100 MiB when PDFium loads it: past the
    // 1 GiB the server's indexer may use.
    let url = format!("{}/api/meetings/{meeting}/items/{item}/documents", server.url());
    let response = within(
        "the refusal of the upload",
        server
            .http()
            .post(url)
            .bearer_auth(&secretariat.token)
            .query(&[("file_name", "bao-cao.pdf")])
            .body(handmade_pdf::with_a_page_inflating_to(1100))
            .send(),
    )
    .await??;
    ensure!(response.status().as_u16() == 422, "HTTP {}", response.status());
    let error: ErrorFrame = response.json().await?;
    ensure!(error.code == ErrorCode::DocumentTooComplex, "{error:?}");
    ensure!(error.message_vi == ErrorCode::DocumentTooComplex.message_vi());
    ensure!(error.detail.contains("1024 MiB"), "{error:?}");

    // Nothing was kept, and the next upload is taken.
    let snapshot = secretariat.snapshot(meeting).await?;
    match snapshot.state.items.iter().find(|found| found.id == item) {
        Some(found) if found.documents.is_empty() => {}
        other => bail!("the refused upload left {other:?}"),
    }
    let upload = secretariat
        .upload(
            meeting,
            item,
            "to-trinh-12.pdf",
            "Tờ trình",
            handmade_pdf::with_a_page_pdfium_cannot_draw(),
        )
        .await?;
    ensure!(upload.document.current.page_count == 3);
    Ok(())
}
