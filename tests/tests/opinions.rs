//! Written opinions (góp ý) on a real server: a councillor sends one on an item and one on a
//! document; sending the same id twice keeps one; the secretariat reads them all with names and
//! exports them as CSV, another councillor sees none of them, and they are nowhere in the
//! meeting's public log.

use anyhow::{bail, Result};
use phonghop_client::Session;
use phonghop_journeys::{new_item, vietnamese_document, TestServer};
use phonghop_protocol::http::OpinionRequest;
use phonghop_protocol::{DocumentId, ErrorCode, ItemId, MeetingId};

async fn refused(session: &Session, meeting: MeetingId, request: &OpinionRequest) -> Result<ErrorCode> {
    match session.send_opinion(meeting, request).await {
        Ok(kept) => bail!("{request:?} was kept: {kept:?}"),
        Err(error) => Ok(error.code().unwrap_or(ErrorCode::Internal)),
    }
}

fn opinion(id: &str, item_id: ItemId, document_id: Option<DocumentId>, text: &str) -> OpinionRequest {
    OpinionRequest {
        id: id.into(),
        item_id,
        document_id,
        text: text.into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_councillors_opinions_reach_the_secretariat_and_no_one_else() -> Result<()> {
    let server = TestServer::start(3).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let item = new_item(&secretariat, meeting, "Dự thảo Nghị quyết về phòng họp không giấy").await?;
    let other_item = new_item(&secretariat, meeting, "Chất vấn").await?;
    let bytes = std::fs::read(vietnamese_document("du-thao-nghi-quyet-v1.pdf"))?;
    let document = secretariat
        .upload(meeting, item, "du-thao-nghi-quyet-v1.pdf", "Dự thảo Nghị quyết", bytes)
        .await?
        .document;
    let delegate = server.login_delegate(0).await?;
    let other = server.login_delegate(1).await?;

    let on_item = opinion("gop-y-1", item, None, "Đề nghị bổ sung thời hạn\nthực hiện vào Điều 3.");
    let kept = delegate.send_opinion(meeting, &on_item).await?;
    let again = delegate.send_opinion(meeting, &on_item).await?;
    assert_eq!(again, kept, "the same id sends nothing twice");
    let on_document = opinion(
        "gop-y-2",
        item,
        Some(document.id),
        "Khoản 2 nên ghi rõ cơ quan chủ trì.",
    );
    delegate.send_opinion(meeting, &on_document).await?;
    assert_eq!(
        refused(
            &delegate,
            meeting,
            &opinion("gop-y-3", other_item, Some(document.id), "Sai mục")
        )
        .await?,
        ErrorCode::NotFound,
        "a document of another item"
    );
    assert_eq!(
        refused(&delegate, meeting, &opinion("gop-y-4", item, None, "  \n ")).await?,
        ErrorCode::InvalidCommand
    );

    // The secretariat reads both, with the councillor's name; another councillor reads none.
    let all = secretariat.opinions(meeting).await?;
    assert_eq!(
        all.iter()
            .map(|kept| (kept.user.id, kept.text.as_str(), kept.document_id))
            .collect::<Vec<_>>(),
        [
            (delegate.user.id, on_item.text.as_str(), None),
            (delegate.user.id, on_document.text.as_str(), Some(document.id))
        ]
    );
    assert_eq!(delegate.opinions(meeting).await?.len(), 2, "one's own");
    assert!(other.opinions(meeting).await?.is_empty(), "not another councillor's");

    // Not in the public log, nor in the snapshot every member gets.
    let snapshot = serde_json::to_string(&other.snapshot(meeting).await?)?;
    assert!(!snapshot.contains("Khoản 2 nên ghi rõ"), "an opinion in the snapshot");
    let payloads = server.sql_texts("SELECT payload FROM events").await?;
    assert!(payloads.len() > 3, "the log has the agenda and the document");
    assert!(
        payloads
            .iter()
            .all(|payload| !payload.contains("Khoản 2 nên ghi rõ") && !payload.contains("Điều 3.")),
        "an opinion in the log"
    );

    // The CSV opens in a spreadsheet with the Vietnamese right, one row per opinion.
    let csv = secretariat.opinions_csv(meeting).await?;
    assert!(csv.starts_with(b"\xEF\xBB\xBF"), "a BOM");
    let text = String::from_utf8(csv[3..].to_vec())?;
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows[0], "stt,thoi_gian,dai_bieu,chuc_vu,noi_dung,tai_lieu,gop_y");
    assert!(text.contains(&delegate.user.full_name), "{text}");
    assert!(text.contains("Dự thảo Nghị quyết về phòng họp không giấy"), "{text}");
    assert!(
        text.contains("\"Đề nghị bổ sung thời hạn\nthực hiện vào Điều 3.\""),
        "{text}"
    );
    match delegate.opinions_csv(meeting).await {
        Ok(_) => bail!("a councillor exported the opinions"),
        Err(error) => assert_eq!(error.code(), Some(ErrorCode::Forbidden)),
    }
    Ok(())
}
