//! Bad input on the WebSocket and the HTTP API: every mistake gets a clear, coded error in
//! Vietnamese and English; the connection (or at least the server) keeps working.

use anyhow::{bail, ensure, Result};
use phonghop_journeys::{within, RawSocket, ServerOptions, TestServer};
use phonghop_protocol::{
    ClientMessage, Command, CommandResult, ErrorCode, ErrorFrame, ItemId, MeetingId, PollId, ServerMessage,
};

/// Checks a refusal from the HTTP API: its status, its code and both messages.
async fn http_refusal(response: reqwest::Response, status: u16) -> Result<ErrorCode> {
    assert_eq!(response.status().as_u16(), status, "HTTP status");
    let error: ErrorFrame = response.json().await?;
    ensure!(
        !error.message_vi.is_empty() && !error.message_en.is_empty(),
        "{error:?} lacks a message"
    );
    Ok(error.code)
}

async fn health(url: &str) -> Result<()> {
    let response = within("the health check", reqwest::get(format!("{url}/api/health"))).await??;
    ensure!(
        response.status().is_success(),
        "health check: HTTP {}",
        response.status()
    );
    Ok(())
}

#[tokio::test]
async fn bad_frames_get_an_error_frame_and_the_connection_carries_on() -> Result<()> {
    let server = TestServer::start(1).await?;
    let mut socket = RawSocket::connect(server.url()).await?;
    let oversized = format!(r#"{{"v":1,"type":"ping","padding":"{}"}}"#, "x".repeat(100 * 1024));
    let cases = [
        (r#"{"v":1,"type":"ping""#.to_owned(), ErrorCode::MalformedFrame),
        ("[1,2,3]".to_owned(), ErrorCode::MalformedFrame),
        (r#"{"v":1,"type":"dance"}"#.to_owned(), ErrorCode::UnknownMessageType),
        (r#"{"v":2,"type":"ping"}"#.to_owned(), ErrorCode::UnsupportedVersion),
        (r#"{"type":"ping"}"#.to_owned(), ErrorCode::UnsupportedVersion),
        (
            r#"{"v":1,"type":"subscribe","meeting_id":"một"}"#.to_owned(),
            ErrorCode::InvalidMessage,
        ),
        (
            r#"{"v":1,"type":"command","id":"c1","meeting_id":1,"command":{"kind":"fly"}}"#.to_owned(),
            ErrorCode::InvalidMessage,
        ),
        (oversized, ErrorCode::FrameTooLarge),
    ];
    for (text, code) in cases {
        socket.send_text(text.clone()).await?;
        let error = socket.expect_error().await?;
        let shown: String = text.chars().take(60).collect();
        assert_eq!(error.code, code, "answer to {shown}");
        assert!(
            !error.message_vi.is_empty() && !error.message_en.is_empty(),
            "{error:?}"
        );
        socket.ping().await?;
    }
    socket.send_binary(b"{\"v\":1,\"type\":\"ping\"}".to_vec()).await?;
    assert_eq!(
        socket.expect_error().await?.code,
        ErrorCode::MalformedFrame,
        "binary frames are refused"
    );
    socket.ping().await?;
    Ok(())
}

#[tokio::test]
async fn a_frame_over_the_hard_limit_closes_only_that_connection() -> Result<()> {
    let server = TestServer::start(1).await?;
    let mut bystander = RawSocket::connect(server.url()).await?;
    let mut sender = RawSocket::connect(server.url()).await?;
    // The server may drop the connection before the whole frame is written, which fails the send.
    if sender.send_text("x".repeat(2 * 1024 * 1024)).await.is_ok() {
        sender.closed().await?;
    }
    ensure!(sender.ping().await.is_err(), "the connection that sent 2 MiB is closed");

    bystander.ping().await?;
    health(server.url()).await?;
    let mut newcomer = RawSocket::connect(server.url()).await?;
    newcomer.ping().await?;
    Ok(())
}

#[tokio::test]
async fn subscribing_or_commanding_before_authenticating_is_refused() -> Result<()> {
    let server = TestServer::start(1).await?;
    let mut socket = RawSocket::connect(server.url()).await?;
    socket
        .send(ClientMessage::Subscribe {
            meeting_id: server.meeting_id(),
            since_seq: None,
        })
        .await?;
    assert_eq!(socket.expect_error().await?.code, ErrorCode::Unauthenticated);
    let command = Command::AddAgendaItem {
        parent: None,
        title: "Mục lạ".to_owned(),
        description: String::new(),
    };
    socket
        .send(ClientMessage::Command {
            id: "c-1".to_owned(),
            meeting_id: server.meeting_id(),
            command,
        })
        .await?;
    match socket.answer_to("c-1").await? {
        ServerMessage::Error { error, .. } => assert_eq!(error.code, ErrorCode::Unauthenticated),
        other => bail!("expected unauthenticated, got {other:?}"),
    }
    socket
        .send(ClientMessage::Authenticate { token: "00".repeat(32) })
        .await?;
    assert_eq!(
        socket.expect_error().await?.code,
        ErrorCode::Unauthenticated,
        "an unknown token"
    );
    socket.ping().await?;
    Ok(())
}

#[tokio::test]
async fn a_wrong_password_gets_wrong_credentials_in_both_languages() -> Result<()> {
    let server = TestServer::start(1).await?;
    let login = |username: &str| {
        let body = serde_json::json!({ "username": username, "password": "mat-khau-sai" });
        server
            .http()
            .post(format!("{}/api/login", server.url()))
            .json(&body)
            .send()
    };
    let code = http_refusal(login(&server.roster().delegates[0]).await?, 401).await?;
    assert_eq!(code, ErrorCode::WrongCredentials);
    let code = http_refusal(login("khong-co-ai").await?, 401).await?;
    assert_eq!(
        code,
        ErrorCode::WrongCredentials,
        "an unknown username is answered the same way"
    );

    let response = server
        .http()
        .post(format!("{}/api/login", server.url()))
        .body("{không phải JSON")
        .send()
        .await?;
    assert_eq!(http_refusal(response, 400).await?, ErrorCode::MalformedFrame);
    Ok(())
}

#[tokio::test]
async fn an_expired_token_is_refused_on_http_and_websocket() -> Result<()> {
    let options = ServerOptions {
        session_ttl_secs: Some(0),
        create_meeting: false,
        ..ServerOptions::with_delegates(1)
    };
    let server = TestServer::start_with(options).await?;
    let session = server.login_delegate(0).await?;

    let response = server
        .http()
        .get(format!("{}/api/meetings", server.url()))
        .bearer_auth(&session.token)
        .send()
        .await?;
    assert_eq!(http_refusal(response, 401).await?, ErrorCode::TokenExpired);
    let mut socket = RawSocket::connect(server.url()).await?;
    socket
        .send(ClientMessage::Authenticate {
            token: session.token.clone(),
        })
        .await?;
    assert_eq!(socket.expect_error().await?.code, ErrorCode::TokenExpired);
    Ok(())
}

#[tokio::test]
async fn a_delegate_sending_chair_commands_over_the_websocket_is_forbidden() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let delegate = server.login_delegate(0).await?;
    let mut socket = RawSocket::connect(server.url()).await?;
    socket.authenticate(&delegate.token).await?;
    let seq = socket.subscribe(meeting).await?;
    let commands = [
        Command::AddAgendaItem {
            parent: None,
            title: "Mục do đại biểu thêm".to_owned(),
            description: String::new(),
        },
        Command::ReorderAgenda { item_ids: vec![] },
        Command::OpenPoll {
            ballot: None,
            item_id: ItemId(1),
            title: "Biểu quyết".to_owned(),
            rule: None,
            preset: None,
            secrecy: None,
            changeable: None,
            quorum_override: None,
            duration_seconds: None,
        },
        Command::ClosePoll { poll_id: PollId(1) },
    ];
    for (index, command) in commands.into_iter().enumerate() {
        let id = format!("dai-bieu-{index}");
        socket
            .send(ClientMessage::Command {
                id: id.clone(),
                meeting_id: meeting,
                command,
            })
            .await?;
        match socket.answer_to(&id).await? {
            ServerMessage::Error { error, .. } => {
                assert_eq!(error.code, ErrorCode::Forbidden, "command {id}")
            }
            other => bail!("expected forbidden, got {other:?}"),
        }
    }
    assert_eq!(delegate.snapshot(meeting).await?.seq, seq, "nothing was logged");
    Ok(())
}

#[tokio::test]
async fn a_command_for_a_meeting_not_subscribed_is_refused() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let mut socket = RawSocket::connect(server.url()).await?;
    socket.authenticate(&secretariat.token).await?;
    let command = Command::AddAgendaItem {
        parent: None,
        title: "Khai mạc".to_owned(),
        description: String::new(),
    };
    socket
        .send(ClientMessage::Command {
            id: "a".to_owned(),
            meeting_id: meeting,
            command: command.clone(),
        })
        .await?;
    match socket.answer_to("a").await? {
        ServerMessage::Error { error, .. } => assert_eq!(error.code, ErrorCode::NotSubscribed),
        other => bail!("expected not_subscribed, got {other:?}"),
    }

    socket.subscribe(meeting).await?;
    socket
        .send(ClientMessage::Command {
            id: "b".to_owned(),
            meeting_id: MeetingId(meeting.0 + 1),
            command: command.clone(),
        })
        .await?;
    match socket.answer_to("b").await? {
        ServerMessage::Error { error, .. } => {
            assert_eq!(error.code, ErrorCode::NotSubscribed, "another meeting")
        }
        other => bail!("expected not_subscribed, got {other:?}"),
    }
    socket
        .send(ClientMessage::Command {
            id: "c".to_owned(),
            meeting_id: meeting,
            command,
        })
        .await?;
    // Seqs 1 and 2 are the chair and the delegate marked present as the meeting was set up.
    match socket.answer_to("c").await? {
        ServerMessage::Ack {
            result: CommandResult::Logged { seq: 3 },
            ..
        } => {}
        other => bail!("expected the subscribed meeting's command to be logged, got {other:?}"),
    }
    Ok(())
}

#[tokio::test]
async fn an_upload_over_the_limit_is_refused_with_document_too_large() -> Result<()> {
    let options = ServerOptions {
        max_upload_mib: Some(1),
        ..ServerOptions::with_delegates(1)
    };
    let server = TestServer::start_with(options).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    secretariat
        .command(
            meeting,
            &Command::AddAgendaItem {
                parent: None,
                title: "Báo cáo".to_owned(),
                description: String::new(),
            },
        )
        .await?;
    let item = secretariat.snapshot(meeting).await?.state.items[0].id;

    let mut too_large = b"%PDF-1.7\n".to_vec();
    too_large.resize(2 * 1024 * 1024, b' ');
    let refused = secretariat
        .upload(meeting, item, "bao-cao.pdf", "Báo cáo", too_large)
        .await;
    match refused {
        Err(phonghop_client::ClientError::Server(error)) => {
            assert_eq!(error.code, ErrorCode::DocumentTooLarge);
            assert_eq!(error.code.http_status(), 413);
        }
        other => bail!("expected document_too_large, got {other:?}"),
    }
    let url = format!("{}/api/meetings/{meeting}/items/{item}/documents", server.url());
    let response = server
        .http()
        .post(url)
        .bearer_auth(&secretariat.token)
        .body(vec![b'%'; 2 * 1024 * 1024])
        .send()
        .await?;
    assert_eq!(http_refusal(response, 413).await?, ErrorCode::DocumentTooLarge);
    health(server.url()).await?;
    assert!(
        secretariat.snapshot(meeting).await?.state.items[0].documents.is_empty(),
        "nothing was stored"
    );
    Ok(())
}

#[tokio::test]
async fn blob_path_tricks_find_nothing() -> Result<()> {
    let server = TestServer::start(1).await?;
    let delegate = server.login_delegate(0).await?;
    let tricks = [
        "..%2F..%2Fetc%2Fpasswd".to_owned(),
        "..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd".to_owned(),
        "not-a-hash".to_owned(),
        "zz".repeat(32),
        "AB".repeat(32),
        "ab".repeat(32),
        format!("{}%00", "ab".repeat(32)),
    ];
    for trick in tricks {
        let response = server
            .http()
            .get(format!("{}/api/blobs/{trick}", server.url()))
            .bearer_auth(&delegate.token)
            .send()
            .await?;
        assert_eq!(
            http_refusal(response, 404).await?,
            ErrorCode::NotFound,
            "/api/blobs/{trick}"
        );
    }
    let response = server
        .http()
        .get(format!("{}/api/blobs/{}", server.url(), "ab".repeat(32)))
        .send()
        .await?;
    assert_eq!(
        http_refusal(response, 401).await?,
        ErrorCode::Unauthenticated,
        "blobs need a login"
    );
    Ok(())
}

#[tokio::test]
async fn a_word_document_is_refused_when_the_server_has_no_libreoffice() -> Result<()> {
    let server = TestServer::start_with(ServerOptions {
        soffice: Some("/nonexistent/libreoffice/soffice".into()),
        ..ServerOptions::with_delegates(1)
    })
    .await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    secretariat
        .command(
            meeting,
            &Command::AddAgendaItem {
                parent: None,
                title: "Giấy mời họp".to_owned(),
                description: String::new(),
            },
        )
        .await?;
    let item = secretariat.snapshot(meeting).await?.state.items[0].id;
    let docx = std::fs::read(phonghop_journeys::vietnamese_document("giay-moi-hop.docx"))?;

    let url = format!(
        "{}/api/meetings/{meeting}/items/{item}/documents?file_name=giay-moi-hop.docx",
        server.url()
    );
    let response = server
        .http()
        .post(url)
        .bearer_auth(&secretariat.token)
        .body(docx)
        .send()
        .await?;
    assert_eq!(
        http_refusal(response, 422).await?,
        ErrorCode::OfficeConversionUnavailable
    );
    assert!(
        secretariat.snapshot(meeting).await?.state.items[0].documents.is_empty(),
        "nothing was stored"
    );
    Ok(())
}

#[tokio::test]
async fn requests_axum_refuses_itself_still_get_an_error_frame() -> Result<()> {
    let server = TestServer::start(1).await?;
    let secretariat = server.login_secretariat().await?;
    let get = |path: &str| {
        server
            .http()
            .get(format!("{}{path}", server.url()))
            .bearer_auth(&secretariat.token)
            .send()
    };
    assert_eq!(
        http_refusal(get("/api/meetings/abc/snapshot").await?, 400).await?,
        ErrorCode::InvalidMessage,
        "a path id that is not a number"
    );
    assert_eq!(
        http_refusal(get("/api/no-such-route").await?, 404).await?,
        ErrorCode::NotFound,
        "an unknown route"
    );
    let oversized = server
        .http()
        .post(format!(
            "{}/api/meetings/{}/commands",
            server.url(),
            server.meeting_id()
        ))
        .bearer_auth(&secretariat.token)
        .header("content-type", "application/json")
        .body(vec![b' '; 1024 * 1024 + 16])
        .send()
        .await?;
    assert_eq!(
        http_refusal(oversized, 413).await?,
        ErrorCode::FrameTooLarge,
        "a JSON body over 1 MiB"
    );
    Ok(())
}

#[tokio::test]
async fn password_guessing_is_limited_without_locking_the_councillor_out() -> Result<()> {
    let server = TestServer::start(1).await?;
    let username = server.roster().delegates[0].clone();
    // The guesser comes from another loopback address than the councillor's laptop.
    let guesser = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()?;
    let attempt = |client: &reqwest::Client, password: &str| {
        client
            .post(format!("{}/api/login", server.url()))
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
    };
    for _ in 0..10 {
        assert_eq!(
            http_refusal(attempt(&guesser, "doan-mo").await?, 401).await?,
            ErrorCode::WrongCredentials
        );
    }
    let refused = attempt(&guesser, phonghop_journeys::PASSWORD).await?;
    assert_eq!(
        http_refusal(refused, 429).await?,
        ErrorCode::RateLimited,
        "even the right password, from the guesser"
    );
    let own_laptop = attempt(server.http(), phonghop_journeys::PASSWORD).await?;
    assert!(
        own_laptop.status().is_success(),
        "the councillor still logs in from their own laptop: {}",
        own_laptop.status()
    );
    Ok(())
}

/// What an outside client found: each answered with its own code, never a 500.
#[tokio::test]
async fn members_methods_and_command_ids_get_their_own_refusals() -> Result<()> {
    let server = TestServer::start(1).await?;
    let secretariat = server.login_secretariat().await?;
    let missing_meeting = server
        .http()
        .post(format!("{}/api/meetings/999/members", server.url()))
        .bearer_auth(&secretariat.token)
        .json(&serde_json::json!({ "username": server.roster().delegates[0], "role": "delegate" }))
        .send()
        .await?;
    assert_eq!(
        http_refusal(missing_meeting, 404).await?,
        ErrorCode::NotFound,
        "a member added to a meeting that does not exist"
    );
    let wrong_method = server.http().get(format!("{}/api/login", server.url())).send().await?;
    assert_eq!(http_refusal(wrong_method, 405).await?, ErrorCode::MethodNotAllowed);

    // 65 characters of two bytes each: more than 128 bytes, fewer than 128 characters.
    let long_id = "ư".repeat(65);
    let response = server
        .http()
        .post(format!(
            "{}/api/meetings/{}/commands",
            server.url(),
            server.meeting_id()
        ))
        .bearer_auth(&secretariat.token)
        .json(&serde_json::json!({ "id": long_id, "command": { "kind": "add_agenda_item", "title": "X" } }))
        .send()
        .await?;
    assert_eq!(response.status().as_u16(), 400);
    let error: ErrorFrame = response.json().await?;
    assert_eq!(error.code, ErrorCode::InvalidMessage);
    assert!(error.detail.contains("bytes"), "{}", error.detail);
    Ok(())
}

#[tokio::test]
async fn titles_must_show_something_and_stay_short() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    for title in [
        "\u{0}".to_owned(),
        "\u{200B}\u{200B}".to_owned(),
        "\u{200E}\u{200F}\u{202E}".to_owned(),
        " \u{3000} ".to_owned(),
        "a".repeat(301),
    ] {
        let add = Command::AddAgendaItem {
            parent: None,
            title: title.clone(),
            description: String::new(),
        };
        match secretariat.command(meeting, &add).await {
            Err(phonghop_client::ClientError::Server(error)) => {
                assert_eq!(error.code, ErrorCode::InvalidCommand, "{title:?}")
            }
            other => bail!("{title:?} was not refused: {other:?}"),
        }
    }
    let add = Command::AddAgendaItem {
        parent: None,
        title: "a".repeat(300),
        description: String::new(),
    };
    secretariat.command(meeting, &add).await?;
    assert_eq!(
        secretariat.snapshot(meeting).await?.state.items.len(),
        1,
        "only the 300-character title"
    );
    Ok(())
}

#[tokio::test]
async fn file_names_lose_bidi_overrides_and_a_name_with_no_title_is_refused() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    secretariat
        .command(
            meeting,
            &Command::AddAgendaItem {
                parent: None,
                title: "Tờ trình".to_owned(),
                description: String::new(),
            },
        )
        .await?;
    let item = secretariat.snapshot(meeting).await?.state.items[0].id;
    let pdf = std::fs::read(phonghop_journeys::vietnamese_document(
        "to-trinh-phong-hop-khong-giay.pdf",
    ))?;
    match secretariat.upload(meeting, item, ".pdf", "", pdf.clone()).await {
        Err(phonghop_client::ClientError::Server(error)) => assert_eq!(error.code, ErrorCode::InvalidCommand),
        other => bail!("a file named `.pdf` with no title was not refused: {other:?}"),
    }
    let uploaded = secretariat
        .upload(meeting, item, "to-trinh\u{202E}fdp.exe", "", pdf)
        .await?
        .document;
    assert_eq!(uploaded.current.file_name, "to-trinhfdp.exe");
    assert_eq!(uploaded.title, "to-trinhfdp");
    Ok(())
}

/// A session that expires with its WebSocket open: one `token_expired` error that answers no
/// command, the subscription ends, and the person logs in again and resumes on the same socket.
#[tokio::test]
async fn a_session_expiring_on_an_open_websocket_ends_its_subscription_until_it_authenticates_again() -> Result<()> {
    let options = ServerOptions {
        session_ttl_secs: Some(4),
        ..ServerOptions::with_delegates(1)
    };
    let server = TestServer::start_with(options).await?;
    let meeting = server.meeting_id();
    let delegate = server.login_delegate(0).await?;
    let mut socket = RawSocket::connect(server.url()).await?;
    socket.authenticate(&delegate.token).await?;
    let seq = socket.subscribe(meeting).await?;

    match socket.next().await? {
        ServerMessage::Error { id: None, error } => assert_eq!(error.code, ErrorCode::TokenExpired),
        other => bail!("expected token_expired when the session ended, got {other:?}"),
    }
    let command = ClientMessage::Command {
        id: "sau-khi-het-han".to_owned(),
        meeting_id: meeting,
        command: Command::CastBallot {
            poll_id: PollId(1),
            choice: phonghop_protocol::Choice::Yes,
        },
    };
    socket.send(command.clone()).await?;
    match socket.next().await? {
        ServerMessage::Error { id: Some(id), error } => {
            assert_eq!(id, "sau-khi-het-han");
            assert_eq!(error.code, ErrorCode::Unauthenticated);
        }
        other => bail!("expected unauthenticated, got {other:?}"),
    }

    let again = server.login_delegate(0).await?;
    socket.authenticate(&again.token).await?;
    let resumed = socket.subscribe(meeting).await?;
    assert_eq!(resumed, seq, "nothing happened in the meeting meanwhile");
    socket.ping().await?;
    Ok(())
}
