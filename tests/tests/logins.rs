//! Logins cannot exhaust the server: a storm of logins with made-up usernames is answered one by
//! one (refused, limited or told the server is busy), the server's memory stays small, the
//! guessing address is limited afterwards, and a real councillor logs in from their own laptop.

use std::net::IpAddr;

use anyhow::{ensure, Context, Result};
use phonghop_journeys::{within, TestServer, PASSWORD};
use phonghop_protocol::{ErrorCode, ErrorFrame};
use rand::distributions::{Alphanumeric, DistString};

const LOGINS: usize = 256;
const MEMORY_LIMIT: u64 = 150 * 1024 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_storm_of_logins_with_made_up_usernames_is_answered_within_bounded_memory() -> Result<()> {
    let server = TestServer::start(1).await?;
    let before = server.resident_bytes()?;
    let url = format!("{}/api/login", server.url());
    let mut logins = tokio::task::JoinSet::new();
    for _ in 0..LOGINS {
        let http = server.http().clone();
        let url = url.clone();
        logins.spawn(async move {
            let username = Alphanumeric.sample_string(&mut rand::thread_rng(), 12);
            let body = serde_json::json!({ "username": username, "password": "đoán-mò" });
            let response = http.post(&url).json(&body).send().await?;
            let status = response.status().as_u16();
            let frame: ErrorFrame = response.json().await.context("an error frame")?;
            anyhow::Ok((status, frame.code))
        });
    }
    let mut answers = std::collections::BTreeMap::new();
    let mut peak = before;
    while let Some(joined) = within("every login to be answered", logins.join_next()).await? {
        let (status, code) = joined??;
        *answers.entry((status, code)).or_insert(0) += 1;
        peak = peak.max(server.resident_bytes()?);
    }
    println!(
        "answers: {answers:?}; memory {} MiB before, {} MiB at most",
        before >> 20,
        peak >> 20
    );
    ensure!(answers.values().sum::<usize>() == LOGINS);
    for (status, code) in answers.keys() {
        ensure!(
            matches!(
                (status, code),
                (401, ErrorCode::WrongCredentials) | (429, ErrorCode::RateLimited) | (503, ErrorCode::ServerBusy)
            ),
            "unexpected answer {status} {code:?}"
        );
    }
    ensure!(peak < MEMORY_LIMIT, "the server grew to {} MiB", peak >> 20);
    // One address that tried hundreds of usernames is now refused for any.
    let body = serde_json::json!({ "username": server.roster().chair, "password": PASSWORD });
    let refused = server.http().post(&url).json(&body).send().await?;
    ensure!(
        refused.status().as_u16() == 429,
        "the guessing address is limited: {}",
        refused.status()
    );

    // The councillor's own laptop is another address; the hall goes on.
    let laptop = reqwest::Client::builder()
        .local_address(IpAddr::from([127, 0, 0, 3]))
        .build()?;
    let body = serde_json::json!({ "username": server.roster().chair, "password": PASSWORD });
    let response = laptop.post(&url).json(&body).send().await?;
    ensure!(
        response.status().is_success(),
        "the chair logs in after the storm: {}",
        response.status()
    );
    Ok(())
}
