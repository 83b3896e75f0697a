//! Revoking a laptop on a real server, through the client library as the app uses it (a `Seat`
//! with its own cache folder): the laptop is listed for the meeting's secretariat by its name
//! and owner; revoked, its open connection is told at once, it removes every meeting's
//! documents it kept, its session token is refused, and it cannot log in again — while the same
//! councillor logs in from another laptop. The revocation is in the audit trail.

use anyhow::{ensure, Context, Result};
use phonghop_client::session::Laptop;
use phonghop_client::{Seat, Session};
use phonghop_journeys::{new_item, vietnamese_document, wait_for, TestServer, PASSWORD};
use phonghop_protocol::ErrorCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_laptop_is_told_at_once_wiped_and_kept_out() -> Result<()> {
    let server = TestServer::start(2).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let item = new_item(&secretariat, meeting, "Tờ trình").await?;
    let pdf = std::fs::read(vietnamese_document("to-trinh-phong-hop-khong-giay.pdf"))?;
    secretariat
        .upload(meeting, item, "to-trinh.pdf", "Tờ trình", pdf)
        .await?;

    // A councillor's laptop logs in, follows the meeting and keeps its documents.
    let laptop_dir = tempfile::tempdir()?;
    let seat = Seat::new(&laptop_dir.path().join("cache"));
    let delegate = server.roster().delegates[0].clone();
    seat.login(server.url(), &delegate, PASSWORD).await?;
    let mut mirror = seat.open_meeting(meeting).await?;
    wait_for(&mut mirror, "the meeting on the laptop", |mirror| {
        mirror.state.is_some()
    })
    .await?;
    seat.keep_meeting_on_laptop(&mut |_| {}).await?;
    let kept = seat.kept_meetings().await?;
    ensure!(kept.meetings.len() == 1 && kept.bytes > 0, "{kept:?}");

    // The secretariat sees it, named and with its owner; a delegate may not.
    let devices = secretariat.devices(meeting).await?.devices;
    assert_eq!(devices.len(), 1, "{devices:?}");
    let laptop = &devices[0];
    assert_eq!(laptop.user.username, delegate);
    assert_eq!((laptop.last_address.as_str(), laptop.revoked_at), ("127.0.0.1", None));
    ensure!(!laptop.name.is_empty(), "{laptop:?}");
    let other_delegate = server.login_delegate(1).await?;
    let refused = other_delegate
        .devices(meeting)
        .await
        .expect_err("a delegate listed the laptops");
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));

    // Revoked: its open connection is told at once.
    let after = secretariat.revoke_device(meeting, &laptop.id).await?.devices;
    ensure!(after[0].revoked_at.is_some(), "{after:?}");
    wait_for(&mut mirror, "the laptop told it is revoked", |mirror| {
        mirror.device_revoked
    })
    .await?;
    // What the app does then: nothing of the meetings stays on it.
    seat.forget_revoked_laptop().await;
    let kept = seat.kept_meetings().await?;
    ensure!(kept.meetings.is_empty() && kept.bytes == 0, "{kept:?}");
    assert!(seat.mirror_view().is_none(), "no meeting is followed");

    // It may not log in again, and what a login refused leaves is nothing either.
    let again = seat.login(server.url(), &delegate, PASSWORD).await;
    assert_eq!(
        again.err().and_then(|error| error.code()),
        Some(ErrorCode::DeviceRevoked)
    );
    // The same councillor from another laptop is welcome.
    let other_dir = tempfile::tempdir()?;
    let other_laptop = Seat::new(&other_dir.path().join("cache"));
    other_laptop.login(server.url(), &delegate, PASSWORD).await?;

    // A session of a revoked laptop, used over HTTP, is refused as such.
    let named = Laptop {
        id: "may-tinh-phong-301".into(),
        name: "Máy phòng 301".into(),
    };
    let session = Session::login_from(server.url(), None, Some(&named), &delegate, PASSWORD).await?;
    assert!(!session.meetings().await?.is_empty());
    secretariat.revoke_device(meeting, &named.id).await?;
    let refused = session
        .meetings()
        .await
        .expect_err("a revoked laptop's session still works");
    assert_eq!(refused.code(), Some(ErrorCode::DeviceRevoked));

    // Both revocations are in the meeting's audit trail, by the secretariat.
    let trail = secretariat.audit(meeting, 0).await?.entries;
    let revoked: Vec<String> = trail
        .iter()
        .filter(|entry| entry.action == "device_revoked")
        .map(|entry| entry.detail.clone())
        .collect();
    assert_eq!(revoked.len(), 2, "{revoked:?}");
    ensure!(
        revoked.iter().any(|detail| detail.contains("may-tinh-phong-301")),
        "{revoked:?}"
    );
    let _ = other_laptop.kept_meetings().await.context("the other laptop's cache")?;
    Ok(())
}
