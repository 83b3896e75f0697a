//! Documents on the delegate's laptop: downloaded and verified ahead, still readable when the server
//! is gone; and blobs served with `ETag` and `Range` so an interrupted download resumes.

use anyhow::{bail, Context, Result};
use phonghop_client::{ClientError, DocumentCache, Session};
use phonghop_journeys::{vietnamese_document, TestServer, PASSWORD};
use phonghop_protocol::{Command, Document, MeetingId, Sha256};

/// Adds an agenda item and uploads a Vietnamese document of the corpus to it.
async fn upload_to_new_item(secretariat: &Session, meeting: MeetingId, file: &str) -> Result<(Document, Vec<u8>)> {
    let title = format!("Thảo luận {file}");
    secretariat
        .command(
            meeting,
            &Command::AddAgendaItem {
                parent: None,
                title: title.clone(),
                description: String::new(),
            },
        )
        .await?;
    let snapshot = secretariat.snapshot(meeting).await?;
    let Some(item) = snapshot.state.items.iter().find(|item| item.title == title) else {
        bail!("no item {title:?}")
    };
    let bytes = std::fs::read(vietnamese_document(file))?;
    let upload = secretariat
        .upload(meeting, item.id, file, &title, bytes.clone())
        .await?;
    Ok((upload.document, bytes))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cached_document_stays_readable_after_the_server_dies() -> Result<()> {
    let mut server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let (fetched, bytes) = upload_to_new_item(&secretariat, meeting, "du-thao-nghi-quyet-v1.pdf").await?;
    let (never_fetched, _) = upload_to_new_item(&secretariat, meeting, "du-thao-nghi-quyet-v2.pdf").await?;

    let delegate = server.login_delegate(0).await?;
    let laptop = tempfile::tempdir()?;
    let cache = DocumentCache::open(laptop.path()).await?;
    cache
        .unlock_after_login(&delegate.server, &delegate.user, PASSWORD)
        .await?;
    assert_eq!(
        cache.cached(&fetched.current.sha256).await?,
        None,
        "nothing is cached before the first fetch"
    );
    cache.fetch(&delegate, &fetched).await?;
    let path = cache.cached(&fetched.current.sha256).await?.context("cached")?;
    assert_eq!(std::fs::read(&path)?, bytes, "the cached file is the uploaded document");
    let sealed = laptop
        .path()
        .join("documents")
        .join(format!("{}.sealed", fetched.current.sha256));
    let on_disk = std::fs::read(&sealed)?;
    assert_eq!(
        on_disk.len() as u64,
        12 + bytes.len() as u64 + 16 * (bytes.len() as u64).div_ceil(65536)
    );
    assert!(
        !on_disk.windows(5).any(|window| window == b"%PDF-")
            && !on_disk.windows(8).any(|window| window == b"/MediaBox"),
        "the document is on the laptop's disk in plain"
    );

    server.kill().await?;
    assert_eq!(
        cache.cached(&fetched.current.sha256).await?,
        Some(path.clone()),
        "still cached with the server gone"
    );
    cache.fetch(&delegate, &fetched).await?;
    assert_eq!(std::fs::read(&path)?, bytes, "fetch answers from the cache");
    match cache.fetch(&delegate, &never_fetched).await {
        Err(ClientError::NotCached) => {}
        other => bail!("a document never downloaded cannot be read offline, got {other:?}"),
    }

    let reopened = DocumentCache::open(laptop.path()).await?;
    match reopened.cached(&fetched.current.sha256).await {
        Err(ClientError::Locked) => {}
        other => bail!("after a restart the document needs the password, got {other:?}"),
    }
    reopened.unlock(&delegate.server, delegate.user.id, PASSWORD).await?;
    let path = reopened
        .cached(&fetched.current.sha256)
        .await?
        .context("the cache survives the app restarting")?;
    assert_eq!(std::fs::read(path)?, bytes);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tampered_cache_file_is_not_trusted() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let (document, bytes) = upload_to_new_item(&secretariat, meeting, "to-trinh-phong-hop-khong-giay.pdf").await?;
    let delegate = server.login_delegate(0).await?;
    let laptop = tempfile::tempdir()?;
    let cache = DocumentCache::open(laptop.path()).await?;
    cache
        .unlock_after_login(&delegate.server, &delegate.user, PASSWORD)
        .await?;
    cache.fetch(&delegate, &document).await?;
    let sealed = laptop
        .path()
        .join("documents")
        .join(format!("{}.sealed", document.current.sha256));
    let whole = std::fs::read(&sealed)?;

    // A file cut short (a crash mid-copy, a full disk) is not the document.
    std::fs::write(&sealed, &whole[..whole.len() / 2])?;
    assert_eq!(cache.cached(&document.current.sha256).await?, None);
    cache.fetch(&delegate, &document).await?;
    let refetched = cache
        .cached(&document.current.sha256)
        .await?
        .context("downloaded again")?;
    assert_eq!(std::fs::read(refetched)?, bytes, "fetch downloads it again");

    // A byte changed on the disk, the length unchanged: caught when it is opened, and downloaded
    // again.
    let reopened = DocumentCache::open(laptop.path()).await?;
    reopened.unlock(&delegate.server, delegate.user.id, PASSWORD).await?;
    let mut changed = std::fs::read(&sealed)?;
    changed[100] ^= 1;
    std::fs::write(&sealed, changed)?;
    assert_eq!(reopened.cached(&document.current.sha256).await?, None);
    reopened.fetch(&delegate, &document).await?;
    let again = reopened
        .cached(&document.current.sha256)
        .await?
        .context("downloaded again")?;
    assert_eq!(std::fs::read(again)?, bytes);

    let mut forged = document.clone();
    forged.current.sha256 = Sha256::parse(&"ab".repeat(32))?;
    match cache.fetch(&delegate, &forged).await {
        Err(ClientError::Server(error)) => {
            assert_eq!(error.code, phonghop_protocol::ErrorCode::NotFound)
        }
        other => bail!("a document the meeting does not have is not found, got {other:?}"),
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blobs_are_served_by_range_with_an_etag() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let (document, bytes) = upload_to_new_item(&secretariat, meeting, "bao-cao-kinh-te-xa-hoi.pdf").await?;
    let delegate = server.login_delegate(0).await?;
    let url = format!("{}/api/blobs/{}", server.url(), document.current.sha256);
    let etag = format!("\"{}\"", document.current.sha256);
    let get = |range: Option<&str>, if_none_match: Option<&str>| {
        let mut request = server.http().get(&url).bearer_auth(&delegate.token);
        if let Some(range) = range {
            request = request.header("Range", range);
        }
        if let Some(tag) = if_none_match {
            request = request.header("If-None-Match", tag);
        }
        request.send()
    };
    let header = |response: &reqwest::Response, name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };

    let whole = get(None, None).await?;
    assert_eq!(whole.status().as_u16(), 200);
    assert_eq!(header(&whole, "etag"), Some(etag.clone()));
    assert_eq!(header(&whole, "accept-ranges").as_deref(), Some("bytes"));
    assert_eq!(whole.bytes().await?.as_ref(), bytes.as_slice());

    let size = bytes.len();
    let cases = [
        ("bytes=0-1023".to_owned(), 0, 1024),
        ("bytes=100000-100099".to_owned(), 100_000, 100_100),
        (format!("bytes={}-", size - 777), size - 777, size),
        ("bytes=-500".to_owned(), size - 500, size),
    ];
    for (range, start, end) in cases {
        let part = get(Some(&range), None).await?;
        assert_eq!(part.status().as_u16(), 206, "{range}");
        assert_eq!(header(&part, "etag"), Some(etag.clone()), "{range}");
        assert_eq!(
            header(&part, "content-range"),
            Some(format!("bytes {start}-{}/{size}", end - 1)),
            "{range}"
        );
        assert_eq!(part.bytes().await?.as_ref(), &bytes[start..end], "{range}");
    }

    let beyond = get(Some(&format!("bytes={size}-")), None).await?;
    assert_eq!(beyond.status().as_u16(), 416);
    assert_eq!(header(&beyond, "content-range"), Some(format!("bytes */{size}")));

    let unchanged = get(None, Some(&etag)).await?;
    assert_eq!(unchanged.status().as_u16(), 304);
    assert_eq!(header(&unchanged, "etag"), Some(etag.clone()));
    assert!(unchanged.bytes().await?.is_empty());
    let other_tag = get(None, Some("\"khac\"")).await?;
    assert_eq!(other_tag.status().as_u16(), 200, "another ETag gets the document");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hall_downloading_one_document_at_once_each_gets_its_exact_bytes() -> Result<()> {
    let delegates = 10;
    let server = TestServer::start(delegates).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let (document, bytes) = upload_to_new_item(&secretariat, meeting, "bao-cao-kinh-te-xa-hoi.pdf").await?;
    let mut hall = Vec::new();
    for index in 0..delegates {
        hall.push(server.login_delegate(index).await?);
    }
    let downloads = futures_util::future::try_join_all(
        hall.iter()
            .map(|delegate| delegate.download_blob(&document.current.sha256)),
    )
    .await?;
    for downloaded in &downloads {
        assert!(*downloaded == bytes, "every delegate gets the uploaded bytes");
    }

    let head = server
        .http()
        .head(format!("{}/api/blobs/{}", server.url(), document.current.sha256))
        .bearer_auth(&hall[0].token)
        .send()
        .await?;
    assert_eq!(head.status().as_u16(), 200);
    let header = |name: &str| {
        head.headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(header("content-length"), Some(bytes.len().to_string()));
    assert_eq!(header("etag"), Some(format!("\"{}\"", document.current.sha256)));
    assert!(head.bytes().await?.is_empty(), "HEAD answers no body");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secretariat_sees_who_has_each_document_and_who_opened_it() -> Result<()> {
    use phonghop_protocol::http::ReceiptKind;
    let server = TestServer::start(2).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let (document, _) = upload_to_new_item(&secretariat, meeting, "to-trinh-phong-hop-khong-giay.pdf").await?;
    let reader = server.login_delegate(0).await?;
    let other = server.login_delegate(1).await?;

    // The reader's app: downloaded, then opened (twice: the first time is kept).
    let sha256 = &document.current.sha256;
    reader
        .report_receipt(meeting, document.id, sha256, ReceiptKind::Downloaded)
        .await?;
    reader
        .report_receipt(meeting, document.id, sha256, ReceiptKind::Opened)
        .await?;
    let first = secretariat.read_receipts(meeting).await?;
    reader
        .report_receipt(meeting, document.id, sha256, ReceiptKind::Opened)
        .await?;
    let again = secretariat.read_receipts(meeting).await?;
    assert_eq!(first, again, "a later report does not move the first times");

    let [receipts] = first.documents.as_slice() else {
        bail!("one document, got {:?}", first.documents)
    };
    assert_eq!((receipts.document_id, receipts.revision), (document.id, 1));
    assert_eq!(
        receipts.members.len(),
        4,
        "chair, secretariat and two delegates are listed"
    );
    let of = |user: &phonghop_protocol::UserView| {
        receipts
            .members
            .iter()
            .find(|member| member.user.id == user.id)
            .cloned()
            .expect("every member is listed")
    };
    let read = of(&reader.user);
    assert!(read.downloaded_at.is_some() && read.opened_at.is_some(), "{read:?}");
    let unread = of(&other.user);
    assert_eq!((unread.downloaded_at, unread.opened_at), (None, None));

    // Only those who prepare the meeting see it; a PDF that is not the document's is not found.
    match reader.read_receipts(meeting).await {
        Err(ClientError::Server(error)) => assert_eq!(error.code, phonghop_protocol::ErrorCode::Forbidden),
        other => bail!("a delegate does not see read receipts, got {other:?}"),
    }
    let wrong = Sha256::parse(&"ab".repeat(32))?;
    match other
        .report_receipt(meeting, document.id, &wrong, ReceiptKind::Opened)
        .await
    {
        Err(ClientError::Server(error)) => assert_eq!(error.code, phonghop_protocol::ErrorCode::NotFound),
        other => bail!("a receipt for another PDF is not_found, got {other:?}"),
    }
    Ok(())
}
