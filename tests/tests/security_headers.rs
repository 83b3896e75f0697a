//! Security headers on a real server: every answer says nosniff, no referrer, never framed;
//! the hall page may run only its own script and talk only to this server; API answers are
//! never stored by a cache, documents only by whoever fetched them.

use anyhow::Result;
use phonghop_journeys::{new_item, vietnamese_document, TestServer};

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_the_security_headers() -> Result<()> {
    let server = TestServer::start(1).await?;
    let secretariat = server.login_secretariat().await?;
    let meeting = server.meeting_id();
    let item = new_item(&secretariat, meeting, "Tờ trình").await?;
    let bytes = std::fs::read(vietnamese_document("to-trinh-phong-hop-khong-giay.pdf"))?;
    let document = secretariat
        .upload(meeting, item, "to-trinh.pdf", "Tờ trình", bytes)
        .await?
        .document;
    let http = server.http();
    let get = |path: String| http.get(format!("{}{path}", server.url()));

    let hall = get("/hall?meeting=1&code=X".into()).send().await?;
    let api = get("/api/meetings".into())
        .bearer_auth(&secretariat.token)
        .send()
        .await?;
    let refused = get("/api/meetings".into()).send().await?;
    let unknown = get("/nothing-here".into()).send().await?;
    let blob = get(format!("/api/blobs/{}", document.current.sha256))
        .bearer_auth(&secretariat.token)
        .send()
        .await?;
    assert_eq!(refused.status(), 401);
    assert_eq!(blob.status(), 200);
    for response in [&hall, &api, &refused, &unknown, &blob] {
        assert_eq!(
            header(response, "x-content-type-options"),
            "nosniff",
            "{}",
            response.url()
        );
        assert_eq!(header(response, "referrer-policy"), "no-referrer", "{}", response.url());
        assert_eq!(header(response, "x-frame-options"), "DENY", "{}", response.url());
    }

    // The hall page: its own script and style, its WebSocket to the host it came from.
    let policy = header(&hall, "content-security-policy");
    let host = server.address();
    assert!(policy.contains("script-src 'self';"), "{policy}");
    assert!(
        policy.contains(&format!("connect-src 'self' ws://{host} wss://{host};")),
        "{policy}"
    );
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(
        !policy.contains("unsafe-inline") && !policy.contains("unsafe-eval"),
        "{policy}"
    );
    // Data is never run as a page.
    for response in [&api, &refused, &blob] {
        assert!(
            header(response, "content-security-policy").contains("sandbox"),
            "{}",
            response.url()
        );
    }
    // API answers are not stored; a document may be kept by whoever fetched it, checked again.
    assert_eq!(header(&api, "cache-control"), "no-store");
    assert_eq!(header(&refused, "cache-control"), "no-store");
    assert_eq!(header(&blob, "cache-control"), "private, no-cache");
    Ok(())
}
