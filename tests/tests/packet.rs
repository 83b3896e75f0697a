//! The meeting packet on a councillor's laptop: every document brought down in the background,
//! resumed with `Range` after the Wi-Fi drops, checked by SHA-256, reported to the secretariat;
//! kept meetings with their size, and an old one removed.

use std::path::Path;

use anyhow::{ensure, Context, Result};
use phonghop_client::packet::{PacketState, PacketView};
use phonghop_client::{ClientError, Seat, Session};
use phonghop_journeys::large_pdf::large_pdf;
use phonghop_journeys::{new_item, vietnamese_document, wait_for, CuttableProxy, TestServer, PASSWORD};
use phonghop_protocol::http::{AddMemberRequest, CreateMeetingRequest};
use phonghop_protocol::{Document, MeetingId, Role, Sha256};
use sha2::Digest;

const LARGE: usize = 6 << 20;

async fn upload(
    secretariat: &Session,
    meeting: MeetingId,
    title: &str,
    file_name: &str,
    bytes: Vec<u8>,
) -> Result<Document> {
    let item = new_item(secretariat, meeting, title).await?;
    Ok(secretariat
        .upload(meeting, item, file_name, title, bytes)
        .await?
        .document)
}

/// A seat logged in as the first delegate through `server_url`, following `meeting` live.
async fn seat_in(
    laptop: &Path,
    server_url: &str,
    username: &str,
    meeting: MeetingId,
    documents: usize,
) -> Result<Seat> {
    let seat = Seat::new(laptop);
    seat.login(server_url, username, PASSWORD).await?;
    let mut mirror = seat.open_meeting(meeting).await?;
    wait_for(&mut mirror, "the meeting's documents", |mirror| {
        mirror
            .state
            .as_ref()
            .is_some_and(|state| state.documents().count() == documents)
    })
    .await?;
    Ok(seat)
}

/// One round of the packet, with every progress it told.
async fn round(seat: &Seat) -> Result<(PacketView, Vec<PacketView>)> {
    let mut told = Vec::new();
    let view = seat
        .keep_meeting_on_laptop(&mut |view: &PacketView| told.push(view.clone()))
        .await?;
    Ok((view, told))
}

fn digest(bytes: &[u8]) -> Sha256 {
    Sha256::from_digest(&sha2::Sha256::digest(bytes).into())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_packet_cut_by_the_wifi_resumes_where_it_stopped_and_is_verified() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let small = upload(
        &secretariat,
        meeting,
        "Dự thảo",
        "du-thao-nghi-quyet-v1.pdf",
        std::fs::read(vietnamese_document("du-thao-nghi-quyet-v1.pdf"))?,
    )
    .await?;
    let large_bytes = large_pdf(LARGE);
    let large = upload(&secretariat, meeting, "Phụ lục", "phu-luc.pdf", large_bytes.clone()).await?;

    let proxy = CuttableProxy::start(server.address()).await?;
    let laptop = tempfile::tempdir()?;
    let delegate = server.roster().voters()[0].clone();
    let seat = seat_in(laptop.path(), &proxy.url(), &delegate, meeting, 2).await?;

    // The Wi-Fi drops 2 MiB into the round: what arrived is kept, the round waits for the server.
    proxy.cut_after(2 << 20);
    let (paused, told) = round(&seat).await?;
    assert_eq!(paused.state, PacketState::WaitingForServer, "{paused:?}");
    assert_eq!(
        (paused.files_total, paused.bytes_total),
        (2, small.current.size + large.current.size)
    );
    assert!(
        !paused.available.contains(&large.id),
        "a file cut short is not available"
    );
    assert!(paused.bytes_done > 1 << 20, "what arrived is counted: {paused:?}");
    assert_eq!(told.last(), Some(&paused), "the app is told where the round stopped");
    assert!(
        seat.cached_file(&large.current.sha256).await?.is_none(),
        "not trusted before it is whole"
    );

    // Rounds while the network is still down keep counting what arrived, and say they wait.
    let (still_down, told) = round(&seat).await?;
    assert_eq!(still_down.state, PacketState::WaitingForServer);
    assert_eq!(still_down.bytes_done, paused.bytes_done, "{still_down:?}");
    assert!(
        told.iter().all(|view| view.state == PacketState::WaitingForServer),
        "{told:?}"
    );

    // Back on the network: the rest comes with a Range request, not the whole file again.
    proxy.restore();
    let before = proxy.bytes_from_server();
    let (done, told) = round(&seat).await?;
    let carried = proxy.bytes_from_server() - before;
    assert_eq!(done.state, PacketState::Complete, "{done:?}");
    assert_eq!((done.files_done, done.bytes_done), (2, done.bytes_total));
    assert!(done.available.contains(&large.id) && done.available.contains(&small.id));
    assert!(
        carried < (LARGE as u64) - (1 << 20),
        "the second round carried {carried} bytes of a {LARGE}-byte file: it did not resume"
    );
    let bytes_told: Vec<u64> = told.iter().map(|view| view.bytes_done).collect();
    assert!(
        bytes_told.windows(2).all(|pair| pair[0] <= pair[1]),
        "progress never goes back: {bytes_told:?}"
    );
    assert!(
        bytes_told[0] >= paused.bytes_done,
        "the round starts where the last stopped: {bytes_told:?}"
    );
    let kept = seat
        .cached_file(&large.current.sha256)
        .await?
        .context("the large file is kept")?;
    assert_eq!(digest(&std::fs::read(kept)?), digest(&large_bytes));

    // The secretariat sees both documents on the delegate's laptop.
    let receipts = secretariat.read_receipts(meeting).await?;
    for document in [&small, &large] {
        let receipt = receipts
            .documents
            .iter()
            .find(|receipts| receipts.document_id == document.id)
            .and_then(|receipts| receipts.members.iter().find(|member| member.user.username == delegate))
            .context("the delegate is listed")?;
        ensure!(
            receipt.downloaded_at.is_some(),
            "{} not reported downloaded",
            document.title
        );
    }

    // A later round has nothing to fetch, and says so from its start (no bar flashing).
    let before = proxy.bytes_from_server();
    let (again, told) = round(&seat).await?;
    assert_eq!(again.state, PacketState::Complete);
    assert!(told.iter().all(|view| view.state == PacketState::Complete), "{told:?}");
    assert!(
        proxy.bytes_from_server() - before < 64 << 10,
        "a complete packet is not fetched again"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_that_arrives_damaged_is_thrown_away_and_fetched_again() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let bytes = large_pdf(300_000);
    let document = upload(
        &secretariat,
        meeting,
        "Dự thảo",
        "du-thao-nghi-quyet-v2.pdf",
        bytes.clone(),
    )
    .await?;
    let laptop = tempfile::tempdir()?;
    let delegate = server.roster().voters()[0].clone();
    let seat = seat_in(laptop.path(), server.url(), &delegate, meeting, 1).await?;

    // A partial file whose sealed chunks are wrong (a disk error): the rest is appended, the
    // whole does not open as the document, and nothing of it is trusted. (A sealed file is a
    // 12-byte header, then chunks of 64 KiB and their 16-byte tags.)
    let partial = laptop
        .path()
        .join("documents")
        .join(format!("{}.partial", document.current.sha256));
    let mut damaged_partial = b"PHS1".to_vec();
    damaged_partial.extend([7u8; 8]);
    damaged_partial.extend(vec![b'x'; 2 * (65536 + 16)]);
    std::fs::write(&partial, damaged_partial)?;
    let (damaged, _) = round(&seat).await?;
    assert_eq!(damaged.state, PacketState::Incomplete, "{damaged:?}");
    assert_eq!(damaged.failed, vec![document.id]);
    assert!(!partial.exists(), "the damaged file is removed");
    assert!(seat.cached_file(&document.current.sha256).await?.is_none());

    let (fetched, _) = round(&seat).await?;
    assert_eq!(fetched.state, PacketState::Complete, "{fetched:?}");
    let kept = seat
        .cached_file(&document.current.sha256)
        .await?
        .context("kept after the retry")?;
    assert_eq!(std::fs::read(kept)?, bytes);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_opened_offline_is_reported_when_the_server_is_back() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let bytes = std::fs::read(vietnamese_document("du-thao-nghi-quyet-v1.pdf"))?;
    let document = upload(&secretariat, meeting, "Dự thảo", "du-thao-nghi-quyet-v1.pdf", bytes).await?;
    let proxy = CuttableProxy::start(server.address()).await?;
    let laptop = tempfile::tempdir()?;
    let delegate = server.roster().voters()[0].clone();
    let seat = seat_in(laptop.path(), &proxy.url(), &delegate, meeting, 1).await?;
    assert_eq!(round(&seat).await?.0.state, PacketState::Complete);

    proxy.cut();
    seat.open_document(document.id, None).await?;
    let opened_at = |receipts: &phonghop_protocol::http::ReadReceipts| {
        receipts.documents[0]
            .members
            .iter()
            .find(|member| member.user.username == delegate)
            .and_then(|member| member.opened_at)
    };
    assert_eq!(
        opened_at(&secretariat.read_receipts(meeting).await?),
        None,
        "not told yet"
    );

    proxy.restore();
    round(&seat).await?;
    assert!(
        opened_at(&secretariat.read_receipts(meeting).await?).is_some(),
        "told once the server is back"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_meetings_show_their_size_and_an_old_one_is_removed() -> Result<()> {
    let server = TestServer::start(1).await?;
    let last_week = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let delegate = server.roster().voters()[0].clone();
    let today = secretariat
        .create_meeting(&CreateMeetingRequest {
            title: "Kỳ họp chuyên đề".into(),
            location: String::new(),
            starts_at: "2026-12-01T08:00:00+07:00".into(),
            kind: Default::default(),
        })
        .await?
        .id;
    secretariat
        .add_member(
            today,
            &AddMemberRequest {
                username: delegate.clone(),
                role: Role::Delegate,
            },
        )
        .await?;
    let shared = std::fs::read(vietnamese_document("du-thao-nghi-quyet-v1.pdf"))?;
    let old_only = large_pdf(1 << 20);
    upload(&secretariat, last_week, "Dự thảo", "du-thao-v1.pdf", shared.clone()).await?;
    upload(&secretariat, last_week, "Phụ lục", "phu-luc.pdf", old_only.clone()).await?;
    let kept_by_both = upload(&secretariat, today, "Dự thảo", "du-thao-v1.pdf", shared.clone()).await?;

    let laptop = tempfile::tempdir()?;
    let seat = seat_in(laptop.path(), server.url(), &delegate, last_week, 2).await?;
    assert_eq!(round(&seat).await?.0.state, PacketState::Complete);
    let mut mirror = seat.open_meeting(today).await?;
    wait_for(&mut mirror, "today's documents", |mirror| {
        mirror
            .state
            .as_ref()
            .is_some_and(|state| state.documents().count() == 1)
    })
    .await?;
    assert_eq!(round(&seat).await?.0.state, PacketState::Complete);

    let kept = seat.kept_meetings().await?;
    let titles: Vec<_> = kept
        .meetings
        .iter()
        .map(|meeting| (meeting.meeting_id, meeting.files))
        .collect();
    assert_eq!(titles, vec![(today, 1), (last_week, 2)], "most recently opened first");
    // On the disk each file is sealed: a 12-byte header and 16 bytes a 64 KiB chunk.
    let sealed = |bytes: &[u8]| 12 + bytes.len() as u64 + 16 * (bytes.len() as u64).div_ceil(65536);
    assert_eq!(kept.meetings[1].bytes, sealed(&shared) + sealed(&old_only));
    assert!(kept.bytes >= sealed(&shared) + sealed(&old_only), "{kept:?}");

    // The meeting open in the app stays; last week's goes, but not the file today's needs.
    match seat.remove_kept_meeting(server.url(), today).await {
        Err(ClientError::MeetingOpen) => {}
        other => anyhow::bail!("removing the open meeting is refused, got {other:?}"),
    }
    let freed = seat.remove_kept_meeting(server.url(), last_week).await?;
    assert_eq!(
        freed,
        sealed(&old_only),
        "only the file no other meeting needs is freed"
    );
    assert!(seat.cached_file(&kept_by_both.current.sha256).await?.is_some());
    assert!(seat.cached_file(&digest(&old_only)).await?.is_none());
    let kept = seat.kept_meetings().await?;
    assert_eq!(kept.meetings.len(), 1);
    assert_eq!(kept.bytes, sealed(&shared));
    Ok(())
}
