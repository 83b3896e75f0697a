//! Searching a meeting's documents the way councillors type: without accents, in capitals, with
//! d for đ; hits show the document's own words and follow its current revision.

use anyhow::{Context, Result};
use phonghop_client::{ClientError, Session};
use phonghop_journeys::{vietnamese_document, wait_for, ServerOptions, TestServer, DEMO_PASSWORD};
use phonghop_protocol::http::{CreateMeetingRequest, SearchHit, SearchResponse};
use phonghop_protocol::{ErrorCode, MeetingId};

/// A demo councillor's session (the demo accounts share one password).
async fn demo_login(server: &TestServer, username: &str) -> Result<Session> {
    Ok(Session::login(server.url(), username, DEMO_PASSWORD).await?)
}

/// The marked words of each hit, as shown in its passage.
fn marked(response: &SearchResponse) -> Vec<String> {
    response
        .hits
        .iter()
        .flat_map(|hit| {
            hit.snippet_marks.iter().map(|mark| {
                hit.snippet
                    .chars()
                    .skip(mark.start as usize)
                    .take((mark.end - mark.start) as usize)
                    .collect()
            })
        })
        .collect()
}

async fn first_hit(session: &Session, meeting: MeetingId, query: &str) -> Result<SearchHit> {
    session
        .search(meeting, query)
        .await?
        .hits
        .into_iter()
        .next()
        .with_context(|| format!("{query:?} found nothing"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_way_of_typing_finds_the_same_words() -> Result<()> {
    let server = TestServer::start_with(ServerOptions::demo()).await?;
    let meeting = server.meeting_id();
    let delegate = demo_login(&server, "db003").await?;

    let proposal = first_hit(&delegate, meeting, "Phòng họp không giấy").await?;
    for query in [
        "phong hop khong giay",
        "PHONG HOP KHONG GIAY",
        "phòng HỌP không giấy",
        "phong hop khong gi",
    ] {
        let answer = delegate.search(meeting, query).await?;
        assert_eq!(answer.query, query);
        assert!(
            answer
                .hits
                .iter()
                .any(|hit| hit.document_id == proposal.document_id && hit.page == proposal.page),
            "{query:?} finds the page {:?} found: {:?}",
            proposal,
            answer.hits
        );
        assert!(
            marked(&answer)
                .iter()
                .all(|words| words.to_lowercase().starts_with("phòng họp không gi")),
            "{query:?} marks the document's own words: {:?}",
            marked(&answer)
        );
    }
    // đ and Đ are d: "dai bieu" finds "đại biểu" / "ĐẠI BIỂU".
    let delegates = delegate.search(meeting, "dai bieu").await?;
    assert!(!delegates.hits.is_empty());
    assert!(
        marked(&delegates)
            .iter()
            .all(|words| words.to_lowercase() == "đại biểu"),
        "{:?}",
        marked(&delegates)
    );
    // A page of the 460-page report is found by a word of it, with its page number.
    let report = delegate.search(meeting, "linh vuc kinh te so").await?;
    let page = report.hits.first().context("a passage of the report is found")?;
    assert!(page.page > 0, "pages past the first are searched");
    assert!(page.snippet.contains("lĩnh vực kinh tế số"), "{}", page.snippet);

    assert!(delegate.search(meeting, "hoa tiêu vũ trụ").await?.hits.is_empty());
    assert!(delegate.search(meeting, "  ").await?.hits.is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_follows_the_current_revision_and_stays_inside_the_meeting() -> Result<()> {
    let server = TestServer::start_with(ServerOptions::demo()).await?;
    let meeting = server.meeting_id();
    let secretariat = demo_login(&server, "db002").await?;

    // Revision 2 of the draft resolution added "32 phường, xã" and Điều 4: that page comes first,
    // before the report's pages that hold "32", "phường" and "xã" apart.
    let draft = first_hit(&secretariat, meeting, "32 phuong xa").await?;
    let snapshot = secretariat.snapshot(meeting).await?;
    let resolution = snapshot
        .state
        .documents()
        .find(|document| document.title == "Dự thảo Nghị quyết")
        .context("the demo's draft resolution")?;
    assert_eq!(draft.document_id, resolution.id);
    assert_eq!(draft.revision, 2);
    assert!(draft.snippet.contains("32 phường, xã"), "{}", draft.snippet);

    // Revision 3 goes back to the first draft's text: those words are no longer in the document.
    let first_draft = std::fs::read(vietnamese_document("du-thao-nghi-quyet-v1.pdf"))?;
    let revised = secretariat
        .upload_revision(meeting, draft.document_id, "du-thao-v3.pdf", first_draft)
        .await?;
    assert_eq!(revised.document.current.revision, 3);
    let gone = secretariat.search(meeting, "32 phuong xa").await?;
    assert!(
        gone.hits.iter().all(|hit| hit.document_id != resolution.id),
        "revision 1's text is what is searched now"
    );
    let still = secretariat.search(meeting, "thong qua chu truong").await?;
    let hit = still
        .hits
        .iter()
        .find(|hit| hit.document_id == resolution.id)
        .context("the words of revision 3 are found")?;
    assert_eq!(hit.revision, 3);

    // Someone outside a meeting learns nothing of its documents; a novel is not a query.
    let other = secretariat
        .create_meeting(&CreateMeetingRequest {
            title: "Phiên họp chuyên đề".into(),
            location: String::new(),
            starts_at: String::new(),
            kind: Default::default(),
        })
        .await?;
    let delegate = demo_login(&server, "db003").await?;
    match delegate.search(other.id, "phong hop").await {
        Err(ClientError::Server(error)) => assert_eq!(error.code, ErrorCode::NotFound),
        other => anyhow::bail!("a stranger's search is not_found, got {other:?}"),
    }
    match secretariat.search(meeting, &"phòng họp ".repeat(30)).await {
        Err(ClientError::Server(error)) => assert_eq!(error.code, ErrorCode::InvalidMessage),
        other => anyhow::bail!("a 300-character search is refused, got {other:?}"),
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_laptop_searches_the_text_it_keeps_when_the_server_is_gone() -> Result<()> {
    let mut server = TestServer::start_with(ServerOptions::demo()).await?;
    let meeting = server.meeting_id();
    let laptop = tempfile::tempdir()?;
    let seat = phonghop_client::Seat::new(laptop.path());
    seat.login(server.url(), "db003", DEMO_PASSWORD).await?;
    let mut mirror = seat.open_meeting(meeting).await?;
    wait_for(&mut mirror, "the meeting's agenda", |mirror| mirror.state.is_some()).await?;

    // Online: the server answers.
    let online = seat.search("phong hop khong giay").await?;
    assert!(!online.offline);
    let expected = online.hits.first().context("the demo's documents say it")?.clone();
    assert!(!expected.title.is_empty(), "a hit names its document");

    // The text of the meeting's three documents is kept on the laptop, once.
    assert_eq!(seat.keep_texts_offline().await?, 3);
    assert_eq!(seat.keep_texts_offline().await?, 0);

    server.kill().await?;
    for query in ["phong hop khong giay", "PHÒNG HỌP KHÔNG GIẤY"] {
        let offline = seat.search(query).await?;
        assert!(offline.offline, "{query:?} is searched on the laptop");
        let hit = offline
            .hits
            .iter()
            .find(|hit| hit.document_id == expected.document_id && hit.page == expected.page)
            .with_context(|| format!("{query:?} finds the same page offline: {:?}", offline.hits))?;
        assert_eq!(hit.snippet, expected.snippet, "the same passage as the server's");
        assert_eq!(hit.snippet_marks, expected.snippet_marks);
    }
    let draft = seat.search("32 phuong xa").await?;
    assert_eq!(
        draft.hits.first().map(|hit| (hit.title.as_str(), hit.revision)),
        Some(("Dự thảo Nghị quyết", 2)),
        "the words together come first offline too"
    );
    Ok(())
}
