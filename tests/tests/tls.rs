//! TLS on a real server: it makes its own certificate and prints the fingerprint; a client pins
//! it and logs in, follows the meeting live over WSS; a client pinned to another server's
//! certificate refuses this one (a swapped certificate) over HTTPS and over the WebSocket,
//! before sending anything; an `https://` address without a pin is refused; a plain-text client
//! gets nothing from a TLS server; a server listening beyond loopback serves TLS whatever it was
//! told; the operator's own certificate is served as given; a certificate the secretariat rotates
//! is followed by the app along the old key's signed hand-over, and only along it.

use anyhow::{ensure, Context, Result};
use phonghop_client::sync::Connector;
use phonghop_client::tls::{probe, Fingerprint};
use phonghop_client::{ClientError, ConnectionState, Network, Seat, Session, SyncEvent, UserFacingError};
use phonghop_journeys::{new_item, next_event, start_synced, wait_for, ServerOptions, TestServer, PASSWORD};
use phonghop_protocol::http::CertificateHandovers;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn tls_server(delegates: usize) -> ServerOptions {
    ServerOptions {
        tls: true,
        ..ServerOptions::with_delegates(delegates)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_client_logs_in_and_follows_the_meeting_over_tls() -> Result<()> {
    let server = TestServer::start_with(tls_server(2)).await?;
    ensure!(server.url().starts_with("https://"), "{}", server.url());
    let fingerprint = server.fingerprint().context("a TLS server prints its fingerprint")?;
    // The probe learns, without trusting it, the fingerprint the server printed.
    assert_eq!(probe(server.url()).await?, fingerprint);

    // Pinned: the meeting followed live over WSS.
    let meeting = server.meeting_id();
    let delegate = server.login_delegate(0).await?;
    assert_eq!(delegate.pin, Some(fingerprint));
    let synced = start_synced(delegate, meeting).await?;
    let mut events = synced.events();
    let secretariat = server.login_secretariat().await?;
    new_item(&secretariat, meeting, "Báo cáo qua kết nối mã hoá").await?;
    loop {
        if let SyncEvent::Event { .. } = next_event(&mut events, "the new item, live over WSS").await? {
            break;
        }
    }
    let titles: Vec<String> = synced
        .mirror()
        .borrow()
        .state
        .as_ref()
        .map(|state| state.items.iter().map(|item| item.title.clone()).collect())
        .unwrap_or_default();
    ensure!(
        titles.iter().any(|title| title == "Báo cáo qua kết nối mã hoá"),
        "{titles:?}"
    );

    // Without a pin an https:// address is refused before anything is sent.
    match Session::login(server.url(), &server.roster().delegates[1], PASSWORD).await {
        Err(ClientError::NotPinned) => {}
        other => panic!("an unpinned https:// login: {other:?}"),
    }

    // A plain-text client gets no HTTP answer from the TLS port.
    let plain_url = server.url().replace("https://", "http://");
    let plain = reqwest::Client::new()
        .get(format!("{plain_url}/api/health"))
        .send()
        .await;
    ensure!(plain.is_err(), "plain HTTP was answered: {plain:?}");
    let mut raw = tokio::net::TcpStream::connect(server.address()).await?;
    raw.write_all(b"GET /api/health HTTP/1.1\r\nHost: hall\r\n\r\n").await?;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(15), raw.read_to_end(&mut answer)).await;
    ensure!(
        !String::from_utf8_lossy(&answer).contains("HTTP/1.1 200") && !answer.windows(2).any(|pair| pair == b"ok"),
        "a plain request read: {:?}",
        String::from_utf8_lossy(&answer)
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swapped_certificate_is_refused_over_https_and_the_websocket() -> Result<()> {
    // Two servers, each with its own certificate: a client that pinned the first is pointed at
    // the second, as someone in between on the hall's network would make it.
    let first = TestServer::start_with(tls_server(1)).await?;
    let second = TestServer::start_with(tls_server(1)).await?;
    let (pinned, other) = (
        first.fingerprint().context("first")?,
        second.fingerprint().context("second")?,
    );
    ensure!(pinned != other, "each server made its own certificate");

    let username = &second.roster().delegates[0];
    let refused = Session::login_pinned(second.url(), Some(pinned), username, PASSWORD).await;
    let Err(ClientError::CertificateChanged(mismatch)) = refused else {
        panic!("a swapped certificate was not refused: {refused:?}");
    };
    assert_eq!((mismatch.pinned, mismatch.presented), (pinned, other));
    let shown = UserFacingError::from(&ClientError::CertificateChanged(mismatch));
    assert_eq!(shown.code, "certificate_changed");
    ensure!(shown.message_vi.contains("CẢNH BÁO"), "{}", shown.message_vi);

    // The WebSocket: a session of the first server whose address now leads to the second.
    let on_first = first.login_delegate(0).await?;
    let moved = on_first.moved_to(second.url());
    let mut network = Network::for_session(&moved);
    let connected = network.connect(&moved.websocket_url()).await;
    let error = connected
        .err()
        .context("the WebSocket reached a server with another certificate")?;
    let found = phonghop_client::tls::pin_mismatch_in(&error);
    assert_eq!(found.map(|found| found.presented), Some(other), "{error}");

    // Re-pinning on purpose (the secretariat changed the certificate): then it is trusted.
    let repinned = Session::login_pinned(second.url(), Some(other), username, PASSWORD).await?;
    assert_eq!(repinned.pin, Some(other));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn beyond_loopback_the_server_serves_only_tls() -> Result<()> {
    let server = TestServer::start_with(ServerOptions {
        listen: Some("0.0.0.0:0".into()),
        ..ServerOptions::with_delegates(1)
    })
    .await?;
    ensure!(
        server.url().starts_with("https://"),
        "plain HTTP beyond loopback: {}",
        server.url()
    );
    let delegate = server.login_delegate(0).await?;
    assert_eq!(delegate.pin, server.fingerprint());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_operators_own_certificate_is_served_and_pinned_by_its_fingerprint() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let key = rcgen::KeyPair::generate()?;
    let certificate = rcgen::CertificateParams::new(vec!["hop.ubnd.example".to_owned()])?.self_signed(&key)?;
    let (certificate_path, key_path) = (dir.path().join("hop.pem"), dir.path().join("hop.key"));
    std::fs::write(&certificate_path, certificate.pem())?;
    std::fs::write(&key_path, key.serialize_pem())?;
    let expected = Fingerprint::of_certificate(certificate.der());

    let server = TestServer::start_with(ServerOptions {
        tls: true,
        tls_identity: Some((certificate_path, key_path)),
        ..ServerOptions::with_delegates(1)
    })
    .await?;
    assert_eq!(server.fingerprint(), Some(expected));
    assert_eq!(probe(server.url()).await?, expected);
    let delegate = server.login_delegate(0).await?;
    assert!(!delegate.meetings().await?.is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_certificate_is_followed_along_its_signed_hand_over_and_an_impostor_is_not() -> Result<()> {
    let mut server = TestServer::start_with(tls_server(1)).await?;
    let old = server.fingerprint().context("the first certificate")?;
    let delegate = server.roster().delegates[0].clone();
    let laptop = tempfile::tempdir()?;
    let seat = Seat::new(laptop.path());
    seat.pin_server(server.url(), old).await?;
    seat.login(server.url(), &delegate, PASSWORD).await?;
    seat.logout().await;

    // The secretariat rotates the certificate (the server stopped), and starts the server again.
    let rotated = rotate_certificate(&mut server).await?;
    let new = server.fingerprint().context("the new certificate")?;
    ensure!(new != old, "the certificate did not change");
    ensure!(
        rotated.contains(&format!("PHONGHOP_FINGERPRINT {}", new.hex())),
        "rotate-certificate printed another fingerprint than the server now shows"
    );
    let handovers: CertificateHandovers = server
        .http()
        .get(format!("{}/api/tls/handovers", server.url()))
        .send()
        .await?
        .json()
        .await?;
    ensure!(handovers.handovers.len() == 1, "{handovers:?}");
    ensure!(handovers.handovers[0].from == old.hex() && handovers.handovers[0].to == new.hex());

    // The laptop knows the server by its old certificate (the test server's port changes on a
    // restart; a hall's server keeps its address): the login follows the hand-over and re-pins.
    seat.pin_server(server.url(), old).await?;
    seat.login(server.url(), &delegate, PASSWORD).await?;
    assert_eq!(
        seat.pinned(server.url()).await?,
        Some(new),
        "the pin moved to the new certificate"
    );
    seat.logout().await;

    // Someone else's server on the hall's Wi-Fi, serving the real hand-overs (they are public)
    // and one it forged from the old certificate to its own: refused, nothing sent.
    let impostor = TestServer::start_with(tls_server(1)).await?;
    let impostor_fingerprint = impostor.fingerprint().context("the impostor's certificate")?;
    let mut forged = handovers.clone();
    let mut to_impostor = handovers.handovers[0].clone();
    to_impostor.to = impostor_fingerprint.hex();
    forged.handovers.push(to_impostor);
    std::fs::write(
        impostor.data_dir().join("tls").join("handovers.json"),
        serde_json::to_vec(&forged)?,
    )?;
    seat.pin_server(impostor.url(), old).await?;
    let refused = seat
        .login(impostor.url(), &impostor.roster().delegates[0], PASSWORD)
        .await;
    let Err(ClientError::CertificateChanged(mismatch)) = refused else {
        panic!("the impostor was trusted: {:?}", refused.map(|view| view.user));
    };
    assert_eq!(mismatch.presented, impostor_fingerprint);
    assert_eq!(seat.pinned(impostor.url()).await?, Some(old), "the pin stayed");
    ensure!(!phonghop_client::handover::chain_leads(
        &forged.handovers,
        old,
        impostor_fingerprint
    ));
    ensure!(phonghop_client::handover::chain_leads(&forged.handovers, old, new));

    // A second rotation: a laptop that slept through both follows the chain of two.
    rotate_certificate(&mut server).await?;
    let newest = server.fingerprint().context("the third certificate")?;
    seat.pin_server(server.url(), old).await?;
    seat.login(server.url(), &delegate, PASSWORD).await?;
    assert_eq!(seat.pinned(server.url()).await?, Some(newest));
    Ok(())
}

/// Stops the server, rotates its certificate with `phonghop-server rotate-certificate` and starts
/// it again; what the command printed.
async fn rotate_certificate(server: &mut TestServer) -> Result<String> {
    server.kill().await?;
    let rotated = server
        .server_command()?
        .args(["rotate-certificate", "--data"])
        .arg(server.data_dir())
        .output()?;
    ensure!(rotated.status.success(), "{}", String::from_utf8_lossy(&rotated.stderr));
    server.restart().await?;
    Ok(String::from_utf8_lossy(&rotated.stdout).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meeting_followed_across_a_rotation_reconnects_trusting_the_handed_over_certificate() -> Result<()> {
    // The hall's server keeps its address across the restart.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut server = TestServer::start_with(ServerOptions {
        listen: Some(format!("127.0.0.1:{port}")),
        ..tls_server(1)
    })
    .await?;
    let meeting = server.meeting_id();
    let old = server.fingerprint().context("the first certificate")?;
    let laptop = tempfile::tempdir()?;
    let seat = Seat::new(laptop.path());
    seat.pin_server(server.url(), old).await?;
    seat.login(server.url(), &server.roster().delegates[0], PASSWORD)
        .await?;
    let mut mirror = seat.open_meeting(meeting).await?;
    wait_for(&mut mirror, "online", |mirror| {
        mirror.connection == ConnectionState::Online
    })
    .await?;

    // At a break the secretariat rotates the certificate; the laptop stays in the meeting.
    rotate_certificate(&mut server).await?;
    let new = server.fingerprint().context("the new certificate")?;
    wait_for(&mut mirror, "back online on the new certificate", |mirror| {
        mirror.connection == ConnectionState::Online && mirror.handed_over_to == Some(new)
    })
    .await?;
    seat.keep_mirror().await?;
    assert_eq!(
        seat.pinned(server.url()).await?,
        Some(new),
        "the laptop pinned the new certificate"
    );
    // The seat's own requests trust it too: the attendance comes over HTTPS.
    seat.attendance().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_replaced_mid_meeting_without_a_hand_over_is_shown_as_a_refused_certificate() -> Result<()> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let at_the_halls_address = || ServerOptions {
        listen: Some(format!("127.0.0.1:{port}")),
        ..tls_server(1)
    };
    let mut server = TestServer::start_with(at_the_halls_address()).await?;
    let laptop = tempfile::tempdir()?;
    let seat = Seat::new(laptop.path());
    seat.pin_server(server.url(), server.fingerprint().context("a certificate")?)
        .await?;
    seat.login(server.url(), &server.roster().delegates[0], PASSWORD)
        .await?;
    let mut mirror = seat.open_meeting(server.meeting_id()).await?;
    wait_for(&mut mirror, "online", |mirror| {
        mirror.connection == ConnectionState::Online
    })
    .await?;

    // Someone else's server takes the hall's address: the app says so, not just "offline".
    server.kill().await?;
    let mut impostor = TestServer::start_with(at_the_halls_address()).await?;
    wait_for(&mut mirror, "the certificate refused", |mirror| {
        mirror.connection == ConnectionState::CertificateRefused
    })
    .await?;
    assert_eq!(mirror.borrow().handed_over_to, None);
    let shown = seat.mirror_view().context("the meeting shown")?;
    assert_eq!(
        serde_json::to_value(shown.connection)?,
        serde_json::json!("certificate_refused")
    );

    // The real server back at its address: the meeting goes on.
    impostor.kill().await?;
    server.restart().await?;
    wait_for(&mut mirror, "online again", |mirror| {
        mirror.connection == ConnectionState::Online
    })
    .await?;
    Ok(())
}
