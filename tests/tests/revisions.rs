//! Documents the way a secretariat sends them: Word files converted by the real LibreOffice (the
//! original kept beside the PDF), Office files that cannot be taken refused each with its own
//! reason, revisions that tell every councillor at once what changed, and upload ids that make a
//! retried upload count once.

use anyhow::{bail, ensure, Context, Result};
use phonghop_client::Session;
use phonghop_journeys::{changed_section, collapsed, new_item, vietnamese_document, within, RawSocket, TestServer};
use phonghop_protocol::http::UploadResponse;
use phonghop_protocol::{Document, ErrorCode, MeetingEvent, PassageChange, ServerMessage, Sha256};

async fn download(session: &Session, sha256: &Sha256) -> Result<Vec<u8>> {
    Ok(session.download_blob(sha256).await?)
}

/// The text PDFium extracts from every page of `pdf`.
fn pdfium_text(pdf: &[u8]) -> Result<String> {
    let file = tempfile::NamedTempFile::new()?;
    std::fs::write(file.path(), pdf)?;
    let indexed = phonghop_pdf::index_file(file.path()).map_err(|error| anyhow::anyhow!("{error}"))?;
    Ok(indexed
        .pages
        .iter()
        .map(|page| page.text.as_str())
        .collect::<Vec<_>>()
        .join("\n"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_word_file_becomes_a_pdf_with_its_vietnamese_text_and_the_original_is_kept() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let item = new_item(&secretariat, meeting, "Giấy mời họp").await?;
    let docx = std::fs::read(vietnamese_document("giay-moi-hop.docx"))?;

    let upload = secretariat
        .upload(meeting, item, "giay-moi-hop.docx", "", docx.clone())
        .await?;
    let document = upload.document;
    assert_eq!(document.title, "giay-moi-hop", "the title comes from the file name");
    assert_eq!(document.current.file_name, "giay-moi-hop.docx");
    let original = document.current.original.as_ref().context("the Word file is kept")?;
    assert_eq!(original.file_name, "giay-moi-hop.docx");
    assert_eq!(
        original.media_type,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    assert_eq!(original.size, docx.len() as u64);

    let delegate = server.login_delegate(0).await?;
    let pdf = download(&delegate, &document.current.sha256).await?;
    ensure!(pdf.starts_with(b"%PDF-"), "councillors read a PDF");
    assert_eq!(pdf.len() as u64, document.current.size);
    let text = collapsed(&pdfium_text(&pdf)?);
    for sentence in [
        "GIẤY MỜI HỌP",
        "Văn phòng HĐND và UBND thành phố trân trọng kính mời đại biểu dự Kỳ họp thứ mười",
        "Thời gian: 08 giờ 00 phút, thứ Năm, ngày 10 tháng 12 năm 2026.",
        "Hội trường Trung tâm điều hành thông minh (IOC) thành phố.",
    ] {
        ensure!(
            text.contains(sentence),
            "the PDF says {sentence:?}; its text is {text:?}"
        );
    }
    assert_eq!(
        download(&delegate, &original.sha256).await?,
        docx,
        "the original downloads as it was given"
    );

    // The same invitation saved as OpenDocument text converts the same way.
    let odt = std::fs::read(vietnamese_document("giay-moi-hop.odt"))?;
    let converted = secretariat
        .upload(meeting, item, "giay-moi-hop.odt", "Giấy mời (ODT)", odt)
        .await?
        .document;
    let original = converted.current.original.as_ref().context("the ODT file is kept")?;
    assert_eq!(original.media_type, "application/vnd.oasis.opendocument.text");
    let text = collapsed(&pdfium_text(&download(&delegate, &converted.current.sha256).await?)?);
    ensure!(
        text.contains("Thời gian: 08 giờ 00 phút"),
        "the ODT's PDF says {text:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn office_files_that_cannot_be_taken_are_refused_each_with_its_own_reason() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let item = new_item(&secretariat, meeting, "Giấy mời họp").await?;
    for (file, expected) in [
        ("giay-moi-hop-mat-khau.docx", ErrorCode::EncryptedDocument),
        ("giay-moi-hop-hong.docx", ErrorCode::OfficeConversionFailed),
        ("chuong-trinh.docx", ErrorCode::InvalidDocument),
    ] {
        let bytes = std::fs::read(vietnamese_document(file))?;
        match secretariat.upload(meeting, item, file, "", bytes).await {
            Err(phonghop_client::ClientError::Server(error)) => {
                assert_eq!(error.code, expected, "{file}: {}", error.detail)
            }
            other => bail!("{file} is refused with {expected:?}, got {other:?}"),
        }
    }
    let snapshot = secretariat.snapshot(meeting).await?;
    assert!(snapshot.state.items[0].documents.is_empty(), "nothing was stored");
    Ok(())
}

/// The next `document_revised` event on `socket`.
async fn next_revision(socket: &mut RawSocket) -> Result<(u32, Document)> {
    loop {
        match socket.next().await? {
            ServerMessage::Event {
                seq,
                event: MeetingEvent::DocumentRevised { document },
                ..
            } => return Ok((seq, *document)),
            ServerMessage::Event { .. } | ServerMessage::Tally { .. } => continue,
            other => bail!("expected document_revised, got {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_revision_reaches_every_councillor_with_what_changed() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let item = new_item(&secretariat, meeting, "Dự thảo Nghị quyết").await?;
    let first_bytes = std::fs::read(vietnamese_document("du-thao-nghi-quyet-v1.pdf"))?;
    let first = secretariat
        .upload(
            meeting,
            item,
            "du-thao-nghi-quyet-v1.pdf",
            "Dự thảo Nghị quyết",
            first_bytes.clone(),
        )
        .await?
        .document;
    assert_eq!(first.current.revision, 1);
    assert_eq!(first.current.changes, None);

    let delegate = server.login_delegate(0).await?;
    let mut socket = RawSocket::connect(server.url()).await?;
    socket.authenticate(&delegate.token).await?;
    socket.subscribe(meeting).await?;

    let second_bytes = std::fs::read(vietnamese_document("du-thao-nghi-quyet-v2.pdf"))?;
    let answer = secretariat
        .upload_revision(meeting, first.id, "du-thao-nghi-quyet-v2.pdf", second_bytes.clone())
        .await?;
    assert!(!answer.unchanged);
    let (seq, revised) = within("the delegate hears of the revision", next_revision(&mut socket)).await??;
    assert_eq!(seq, answer.seq);
    assert_eq!(revised, answer.document, "everyone sees the document the uploader got");
    assert_eq!((revised.id, revised.title.as_str()), (first.id, "Dự thảo Nghị quyết"));
    assert_eq!(revised.current.revision, 2);
    assert_eq!(
        revised.earlier,
        vec![first.current.clone()],
        "revision 1 is still there"
    );

    let changes = revised
        .current
        .changes
        .as_ref()
        .context("revision 2 says what changed")?;
    assert_eq!((changes.pages_before, changes.pages_after), (1, 1));
    let article_1 = changed_section(changes, "Điều 1")?;
    assert_eq!(article_1.change, PassageChange::Changed);
    assert!(collapsed(&article_1.after).contains("Ủy ban nhân dân 32 phường, xã"));
    assert!(!collapsed(&article_1.before).contains("32 phường"));
    let article_4 = changed_section(changes, "Điều 4")?;
    assert_eq!(article_4.change, PassageChange::Added);
    assert!(collapsed(&article_4.after).contains("bảo đảm an toàn, an ninh thông tin"));

    // Both revisions stay readable.
    assert_eq!(download(&delegate, &first.current.sha256).await?, first_bytes);
    assert_eq!(download(&delegate, &revised.current.sha256).await?, second_bytes);
    // A latecomer's snapshot has the same document.
    let snapshot = delegate.snapshot(meeting).await?;
    assert_eq!(snapshot.state.items[0].documents, vec![revised.clone()]);

    // The same file again is recognised: nothing recorded, nobody told.
    let again = secretariat
        .upload_revision(meeting, first.id, "du-thao-nghi-quyet-v2 (1).pdf", second_bytes)
        .await?;
    assert!(again.unchanged);
    assert_eq!((again.seq, again.document), (seq, revised));
    socket.ping().await?;

    // Only the secretariat and the chair send revisions.
    match delegate
        .upload_revision(meeting, first.id, "du-thao.pdf", first_bytes)
        .await
    {
        Err(phonghop_client::ClientError::Server(error)) => assert_eq!(error.code, ErrorCode::Forbidden),
        other => bail!("a delegate's revision is refused, got {other:?}"),
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_sent_again_under_its_id_is_one_document() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let item = new_item(&secretariat, meeting, "Tờ trình").await?;
    let bytes = bytes_of("to-trinh-phong-hop-khong-giay.pdf")?;
    let url = format!("{}/api/meetings/{meeting}/items/{item}/documents", server.url());
    let query = [("file_name", "to-trinh.pdf"), ("title", "Tờ trình")];

    let first: UploadResponse = secretariat
        .upload_once(&url, &query, "mang-chap-chon-1", bytes.clone())
        .await?;
    // The answer was lost on the way; the app sends the same upload again.
    let again = secretariat
        .upload_once(&url, &query, "mang-chap-chon-1", bytes.clone())
        .await?;
    assert_eq!((again.seq, &again.document), (first.seq, &first.document));
    let snapshot = secretariat.snapshot(meeting).await?;
    assert_eq!(snapshot.state.items[0].documents.len(), 1, "one document, not two");
    assert_eq!(snapshot.seq, first.seq);

    // Another id is another upload.
    let other = secretariat.upload_once(&url, &query, "mang-chap-chon-2", bytes).await?;
    assert_ne!(other.document.id, first.document.id);
    Ok(())
}

fn bytes_of(file: &str) -> Result<bytes::Bytes> {
    Ok(std::fs::read(vietnamese_document(file))?.into())
}
