//! The audit trail on a real server: logins, a failed login, agenda changes, polls and ballots are
//! recorded with who, when and from which address; a named ballot shows only that it was cast,
//! a secret one not at all; the secretariat reads and exports the meeting's part, a delegate
//! may not; the council office reads the whole; `phonghop-server verify-audit` finds the chain
//! intact, then finds the entry someone changed in the database behind the server's back.

use anyhow::{ensure, Context, Result};
use phonghop_client::Session;
use phonghop_journeys::{new_item, open_poll_on, program_output, TestServer, PASSWORD};
use phonghop_protocol::http::AuditEntry;
use phonghop_protocol::{Choice, Command, ErrorCode, ItemId, MeetingId, PollId, Secrecy};

async fn open_poll(chair: &Session, meeting: MeetingId, item_id: ItemId, secrecy: Secrecy) -> Result<PollId> {
    open_poll_on(chair, meeting, item_id, secrecy, None).await
}

/// Every entry of the meeting, page after page.
async fn whole_meeting_trail(session: &Session, meeting: MeetingId) -> Result<Vec<AuditEntry>> {
    let mut entries = Vec::new();
    loop {
        let after = entries.last().map_or(0, |entry: &AuditEntry| entry.seq);
        let page = session.audit(meeting, after).await?;
        entries.extend(page.entries);
        if !page.more {
            return Ok(entries);
        }
    }
}

/// Runs `phonghop-server` with `args` on `server`'s database; whether it succeeded and what it
/// printed.
fn server_command(server: &TestServer, args: &[&str]) -> Result<(bool, String)> {
    program_output(server.server_command()?.args(args))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_change_and_login_is_chained_and_a_change_behind_the_servers_back_is_found() -> Result<()> {
    let mut server = TestServer::start(3).await?;
    let meeting = server.meeting_id();
    let roster = server.roster().clone();
    let secretariat = server.login_secretariat().await?;
    let chair = server.login_chair().await?;
    let delegate = server.login_delegate(0).await?;
    let wrong = Session::login(server.url(), &roster.delegates[1], "khong-phai-mat-khau").await;
    ensure!(wrong.is_err(), "a wrong password logged in");

    let item = new_item(&secretariat, meeting, "Tờ trình dự thảo Nghị quyết").await?;
    let named = open_poll(&chair, meeting, item, Secrecy::Named).await?;
    delegate
        .command(
            meeting,
            &Command::CastBallot {
                poll_id: named,
                choice: Choice::No,
            },
        )
        .await?;
    chair.command(meeting, &Command::ClosePoll { poll_id: named }).await?;
    let secret = open_poll(&chair, meeting, item, Secrecy::Secret).await?;
    delegate
        .command(
            meeting,
            &Command::CastBallot {
                poll_id: secret,
                choice: Choice::Abstain,
            },
        )
        .await?;
    chair.command(meeting, &Command::ClosePoll { poll_id: secret }).await?;

    let trail = whole_meeting_trail(&secretariat, meeting).await?;
    let actions: Vec<&str> = trail.iter().map(|entry| entry.action.as_str()).collect();
    for action in [
        "meeting_created",
        "member_set",
        "agenda_item_added",
        "poll_opened",
        "poll_closed",
    ] {
        ensure!(actions.contains(&action), "no {action} in {actions:?}");
    }
    let added = trail
        .iter()
        .find(|entry| entry.action == "agenda_item_added")
        .context("the item's entry")?;
    ensure!(
        added.who.contains(&roster.secretariat) && added.user_id == Some(secretariat.user.id),
        "{added:?}"
    );
    assert_eq!(added.address, "127.0.0.1");
    assert!(added.detail.contains("Tờ trình dự thảo Nghị quyết"), "{}", added.detail);
    // The named ballot: who and when, never what; the secret one: nothing at all.
    let ballots: Vec<&AuditEntry> = trail
        .iter()
        .filter(|entry| entry.action.starts_with("ballot"))
        .collect();
    assert_eq!(ballots.len(), 1, "{ballots:?}");
    assert_eq!(ballots[0].detail, format!(r#"{{"poll_id":{named}}}"#));
    assert_eq!(ballots[0].user_id, Some(delegate.user.id));
    let closes = trail.iter().filter(|entry| entry.action == "poll_closed").count();
    assert_eq!(closes, 2);
    let seqs: Vec<u64> = trail.iter().map(|entry| entry.seq).collect();
    ensure!(seqs.windows(2).all(|pair| pair[0] < pair[1]), "oldest first: {seqs:?}");
    let now_ms = phonghop_journeys::unix_now() * 1000;
    ensure!(
        trail.iter().all(|entry| (now_ms - entry.at_ms).abs() < 600_000),
        "times are now"
    );

    // The export: a header and one line per entry, hashes included.
    let csv = secretariat.audit_csv(meeting).await?;
    let text = String::from_utf8(csv)?;
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers()?.clone();
    assert_eq!(headers.get(0), Some("seq"));
    assert_eq!(headers.get(9), Some("hash"));
    let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    assert_eq!(rows.len(), trail.len());
    assert_eq!(
        rows.last().and_then(|row| row.get(9)),
        trail.last().map(|entry| entry.hash.as_str())
    );

    // A delegate may not read it, nor the whole server's.
    let refused = delegate
        .audit(meeting, 0)
        .await
        .expect_err("a delegate read the audit trail");
    assert_eq!(refused.code(), Some(ErrorCode::Forbidden));
    let whole = server
        .http()
        .get(format!("{}/api/audit", server.url()))
        .bearer_auth(&secretariat.token)
        .send()
        .await?;
    assert_eq!(whole.status(), 403, "the secretariat is not the council office");

    // Made council office from the server's command line (counted from the next login), the
    // secretariat reads the whole trail: the logins and the failed one are there.
    let data = server.database_path().parent().context("data folder")?.to_owned();
    let data = data.to_str().context("data path")?;
    let (granted, said) = server_command(
        &server,
        &[
            "set-permissions",
            "--data",
            data,
            "--username",
            &roster.secretariat,
            "--admin",
        ],
    )?;
    ensure!(granted, "{said}");
    let office = server.login_secretariat().await?;
    let whole: phonghop_protocol::http::AuditPage = server
        .http()
        .get(format!("{}/api/audit?limit=1000", server.url()))
        .bearer_auth(&office.token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let failed = whole
        .entries
        .iter()
        .find(|entry| entry.action == "login_failed")
        .context("the failed login")?;
    assert_eq!(
        (failed.who.as_str(), failed.address.as_str(), failed.user_id),
        (roster.delegates[1].as_str(), "127.0.0.1", None)
    );
    let logins = whole.entries.iter().filter(|entry| entry.action == "login").count();
    ensure!(logins >= 4, "{logins} logins");
    ensure!(
        whole
            .entries
            .iter()
            .any(|entry| entry.action == "permissions_set" && entry.address == "local"),
        "the command line's change is there"
    );
    ensure!(
        whole.entries.iter().all(|entry| !entry.detail.contains(PASSWORD)),
        "no password in the trail"
    );

    // The chain checks; changed behind the server's back, it does not, and says where.
    server.kill().await?;
    let (intact, said) = server_command(&server, &["verify-audit", "--data", data])?;
    ensure!(intact && said.contains("intact"), "{said}");
    let last = whole.entries.last().context("entries")?;
    let (noted, said) = server_command(
        &server,
        &[
            "verify-audit",
            "--data",
            data,
            "--head",
            &format!("{}:{}", last.seq, last.hash),
        ],
    )?;
    ensure!(noted, "{said}");

    server.drop_trigger("audit_log_is_never_changed", "audit_log").await?;
    server
        .sql_execute(&format!(
            "UPDATE audit_log SET address = '198.51.100.9' WHERE seq = {}",
            failed.seq
        ))
        .await?;
    let (intact, said) = server_command(&server, &["verify-audit", "--data", data])?;
    ensure!(!intact, "a changed entry went unnoticed: {said}");
    ensure!(
        said.contains(&format!("entry {} does not match its hash", failed.seq)) && said.contains("KHÔNG nguyên vẹn"),
        "{said}"
    );
    Ok(())
}
