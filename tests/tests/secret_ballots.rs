//! Secret ballots stay secret. Twelve members cast a known pattern in a named poll and another in
//! a secret poll of a real server (debug log on); then everything someone holding the server's
//! files could take — the database file and its WAL (the server killed with `kill -9`, so the WAL
//! keeps its history), the whole debug log and the event log — is searched as an attacker would.
//! The same search finds every named ballot, so it can fail; it finds no secret one. The same
//! holds for an election's marks, whose sealed ballots all have the one length the poll fixes.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, ensure, Context, Result};
use futures_util::future::try_join_all;
use phonghop_client::{Session, SyncEvent};
use phonghop_journeys::{new_item, next_event, open_poll_on, start_synced, ServerOptions, TestServer};
use phonghop_protocol::{
    BallotForm, Choice, Command, CommandResult, ItemId, MyBallot, PollId, PollState, Secrecy, UserId,
};
use sqlx::{Column, Row, SqlitePool, TypeInfo, ValueRef};

/// Delegates besides the chair: twelve voters.
const DELEGATES: usize = 11;

/// The named poll's pattern: yes, yes, no, abstain, …
fn named_choice(voter: usize) -> Choice {
    [Choice::Yes, Choice::Yes, Choice::No, Choice::Abstain][voter % 4]
}

/// The secret poll's pattern, unlike the named one: no, yes, abstain, yes, yes, …
fn secret_choice(voter: usize) -> Choice {
    [Choice::No, Choice::Yes, Choice::Abstain, Choice::Yes, Choice::Yes][voter % 5]
}

fn choice_word(choice: Choice) -> &'static str {
    choice.as_str()
}

/// What someone who takes the server's files has: copies of the database and its WAL.
struct TakenFiles {
    folder: tempfile::TempDir,
}

impl TakenFiles {
    fn take(server: &TestServer) -> Result<TakenFiles> {
        let folder = tempfile::tempdir()?;
        let database = server.database_path();
        for suffix in ["", "-wal", "-shm"] {
            let from = format!("{}{suffix}", database.display());
            if Path::new(&from).exists() {
                std::fs::copy(&from, folder.path().join(format!("taken.sqlite3{suffix}")))
                    .with_context(|| format!("copying {from}"))?;
            }
        }
        Ok(TakenFiles { folder })
    }

    fn database(&self) -> std::path::PathBuf {
        self.folder.path().join("taken.sqlite3")
    }

    /// The raw bytes of the database file and of its WAL.
    fn raw_bytes(&self) -> Result<Vec<u8>> {
        let mut bytes = std::fs::read(self.database())?;
        let wal = self.folder.path().join("taken.sqlite3-wal");
        if wal.exists() {
            bytes.extend(std::fs::read(wal)?);
        }
        Ok(bytes)
    }

    /// Opens a copy (the WAL read in, as SQLite does) to query like the attacker.
    async fn open(&self) -> Result<SqlitePool> {
        Ok(SqlitePool::connect(&format!("sqlite://{}?mode=ro", self.database().display())).await?)
    }
}

/// One value of a row as text (blobs hex), so every column can be searched alike.
fn value_text(row: &sqlx::sqlite::SqliteRow, index: usize) -> String {
    let raw = row.try_get_raw(index).expect("a column");
    if raw.is_null() {
        return String::new();
    }
    match raw.type_info().name() {
        "INTEGER" => row.get::<i64, _>(index).to_string(),
        "REAL" => row.get::<f64, _>(index).to_string(),
        "BLOB" => hex::encode(row.get::<Vec<u8>, _>(index)),
        _ => row.get::<String, _>(index),
    }
}

/// The attack on the database: every row of every table, each read for a member of the roll,
/// the poll, and a choice or marks — as columns (`user_id`, `poll_id`, `choice`, `marks`) or
/// inside JSON (`"user_id":7`, `"poll_id":2`, `"choice":"yes"`, `"marks":[1,0,1]`). A row naming
/// all three links a member to what they chose: the choice's word, or the marks as JSON.
async fn links_in_database(pool: &SqlitePool, poll: PollId, voters: &[UserId]) -> Result<BTreeMap<UserId, String>> {
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            .fetch_all(pool)
            .await?;
    let mut links = BTreeMap::new();
    for table in tables {
        let rows = sqlx::query(&format!("SELECT * FROM \"{table}\""))
            .fetch_all(pool)
            .await?;
        for row in rows {
            let mut user = None;
            let mut of_poll = false;
            let mut choice = None;
            for (index, column) in row.columns().iter().enumerate() {
                let name = column.name();
                let text = value_text(&row, index);
                if name.contains("user") || name.contains("voter") {
                    user = user.or(voters.iter().find(|voter| text == voter.0.to_string()).copied());
                }
                if name == "poll_id" && text == poll.0.to_string() {
                    of_poll = true;
                }
                if name == "choice" {
                    choice = choice.or(Choice::parse(&text).map(|choice| choice_word(choice).to_owned()));
                }
                if name == "marks" && text.starts_with('[') {
                    choice = choice.or(Some(text.clone()));
                }
                if let Some(start) = text.find("\"marks\":[") {
                    let marks = &text[start + "\"marks\":".len()..];
                    choice = choice.or(marks.find(']').map(|end| marks[..=end].to_owned()));
                }
                if text.contains(&format!("\"poll_id\":{}", poll.0)) {
                    of_poll = true;
                }
                for candidate in Choice::ALL {
                    if text.contains(&format!("\"choice\":\"{}\"", choice_word(candidate))) {
                        choice = choice.or(Some(choice_word(candidate).to_owned()));
                    }
                }
                for voter in voters {
                    for key in ["user_id", "voter", "user"] {
                        if text.contains(&format!("\"{key}\":{},", voter.0))
                            || text.contains(&format!("\"{key}\":{}}}", voter.0))
                        {
                            user = user.or(Some(*voter));
                        }
                    }
                }
            }
            if let (Some(user), true, Some(choice)) = (user, of_poll, choice) {
                links.insert(user, choice);
            }
        }
    }
    Ok(links)
}

/// How many times a poll's answers with their choice or marks (`"poll_id":N,"choice":"yes"`,
/// `"poll_id":N,"choice":null,"marks":[`) stand in `bytes`.
fn answers_with_a_choice(bytes: &[u8], poll: PollId) -> usize {
    Choice::ALL
        .into_iter()
        .map(|choice| format!("\"poll_id\":{},\"choice\":\"{}\"", poll.0, choice_word(choice)))
        .chain([format!("\"poll_id\":{},\"choice\":null,\"marks\":[", poll.0)])
        .map(|needle| {
            bytes
                .windows(needle.len())
                .filter(|window| *window == needle.as_bytes())
                .count()
        })
        .sum()
}

async fn open_poll(
    chair: &Session,
    meeting: phonghop_protocol::MeetingId,
    item_id: ItemId,
    secrecy: Secrecy,
) -> Result<PollId> {
    open_poll_on(chair, meeting, item_id, secrecy, None).await
}

async fn cast(
    voters: &[Session],
    meeting: phonghop_protocol::MeetingId,
    poll_id: PollId,
    choice_of: fn(usize) -> Choice,
) -> Result<()> {
    try_join_all(voters.iter().enumerate().map(|(index, voter)| async move {
        let answer = voter
            .command_with_id(
                meeting,
                &format!("poll-{poll_id}-voter-{index}"),
                &Command::CastBallot {
                    poll_id,
                    choice: choice_of(index),
                },
            )
            .await?;
        ensure!(matches!(answer, CommandResult::BallotRecorded { .. }), "{answer:?}");
        Ok(())
    }))
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_holding_the_servers_files_can_link_a_secret_choice_to_a_member() -> Result<()> {
    let mut server = TestServer::start_with(ServerOptions {
        whole_debug_log: true,
        ..ServerOptions::with_delegates(DELEGATES)
    })
    .await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let named_item = new_item(&secretariat, meeting, "Nghị quyết biểu quyết công khai").await?;
    let secret_item = new_item(&secretariat, meeting, "Bầu Phó Chủ tịch bằng phiếu kín").await?;
    let usernames = server.roster().voters();
    let voters = try_join_all(usernames.iter().map(|username| server.login(username))).await?;
    let voter_ids: Vec<UserId> = voters.iter().map(|voter| voter.user.id).collect();
    let chair = &voters[0];

    // The control: a named poll, whose links the attack must find, every one.
    let named = open_poll(chair, meeting, named_item, Secrecy::Named).await?;
    cast(&voters, meeting, named, named_choice).await?;
    chair.command(meeting, &Command::ClosePoll { poll_id: named }).await?;

    // A watcher on the hall's screen follows the secret poll live.
    let watcher = start_synced(server.login_secretariat().await?, meeting).await?;
    let mut events = watcher.events();
    let secret = open_poll(chair, meeting, secret_item, Secrecy::Secret).await?;
    cast(&voters, meeting, secret, secret_choice).await?;
    let everyone = voters.len() as u32;
    loop {
        match next_event(&mut events, "the secret poll's turnout to reach everyone").await? {
            SyncEvent::Tally { poll_id, tally } if poll_id == secret => {
                assert_eq!(
                    (tally.yes, tally.no, tally.abstain),
                    (0, 0, 0),
                    "only the turnout is told while the poll is open: {tally:?}"
                );
                if tally.sealed == everyone {
                    break;
                }
            }
            _ => {}
        }
    }
    let while_open = TakenFiles::take(&server)?;
    let keys: Vec<_> = std::fs::read_dir(server.ballot_key_folder())?.collect::<std::io::Result<_>>()?;
    assert_eq!(keys.len(), 1, "the open secret poll's key, beside the database");
    let key = std::fs::read(keys[0].path())?;

    chair.command(meeting, &Command::ClosePoll { poll_id: secret }).await?;
    let closed = chair.snapshot(meeting).await?.state;
    let tally = closed
        .polls
        .iter()
        .find(|poll| poll.id == secret)
        .context("the secret poll")?
        .tally
        .clone();
    let count = |choice| {
        (0..voters.len())
            .filter(|index| secret_choice(*index) == choice)
            .count() as u32
    };
    assert_eq!(
        (tally.yes, tally.no, tally.abstain, tally.sealed),
        (count(Choice::Yes), count(Choice::No), count(Choice::Abstain), 0),
        "the close counts every sealed ballot"
    );
    // Killed, not stopped: no checkpoint tidies the WAL, which keeps every page it wrote.
    server.kill().await?;
    let after_close = TakenFiles::take(&server)?;
    let log = server.whole_log();
    ensure!(log.lines().count() > 20, "the debug log was kept:\n{log}");

    // The attack finds every named ballot: it is able to link when a link is there.
    for taken in [&while_open, &after_close] {
        let pool = taken.open().await?;
        let named_links = links_in_database(&pool, named, &voter_ids).await?;
        let expected: BTreeMap<UserId, String> = voter_ids
            .iter()
            .enumerate()
            .map(|(index, id)| (*id, choice_word(named_choice(index)).to_owned()))
            .collect();
        assert_eq!(named_links, expected, "the attack reads the named ballots back");
        let secret_links = links_in_database(&pool, secret, &voter_ids).await?;
        assert!(
            secret_links.is_empty(),
            "a secret choice is linked to a member: {secret_links:?}"
        );
        pool.close().await;
        let raw = taken.raw_bytes()?;
        assert!(
            answers_with_a_choice(&raw, named) >= voters.len(),
            "the named answers are kept with their choice"
        );
        assert_eq!(
            answers_with_a_choice(&raw, secret),
            0,
            "a secret answer is kept with its choice"
        );
    }

    // While open, the choices exist only sealed: one length, no two alike, unreadable without
    // the key file. After the close the sealed rows and the key are gone, and the key's bytes
    // are nowhere in the database, its WAL or the log.
    let pool = while_open.open().await?;
    let sealed: Vec<Vec<u8>> = sqlx::query_scalar("SELECT sealed FROM sealed_ballots")
        .fetch_all(&pool)
        .await?;
    assert_eq!(sealed.len(), voters.len());
    assert!(sealed.iter().all(|bytes| bytes.len() == sealed[0].len()));
    let mut distinct = sealed.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), sealed.len(), "equal choices seal unlike");
    let rowid = sqlx::query("SELECT rowid FROM secret_voters").fetch_all(&pool).await;
    assert!(rowid.is_err(), "who voted is kept without an insertion order");
    pool.close().await;
    let pool = after_close.open().await?;
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sealed_ballots")
        .fetch_one(&pool)
        .await?;
    assert_eq!(left, 0, "a closed poll keeps no sealed ballot");
    pool.close().await;
    assert_eq!(
        std::fs::read_dir(server.ballot_key_folder())?.count(),
        0,
        "the closed poll's key is destroyed"
    );
    for (what, bytes) in [
        ("database and WAL", after_close.raw_bytes()?),
        ("log", log.clone().into_bytes()),
    ] {
        assert!(
            !bytes.windows(key.len()).any(|window| window == key.as_slice()),
            "the key is in the {what}"
        );
    }

    // The log: no ballot's choice at all, of either poll, at debug level.
    for line in log.lines() {
        assert!(
            !line.contains("\"choice\"") && !line.contains("choice="),
            "the server logged a choice: {line}"
        );
    }

    // Back up after the kill: each voter's app knows they voted in the secret poll, not what.
    server.restart().await?;
    for (index, username) in usernames.iter().enumerate() {
        let mine = server.login(username).await?.snapshot(meeting).await?.my_ballots;
        assert_eq!(
            mine,
            vec![
                MyBallot {
                    poll_id: named,
                    choice: Some(named_choice(index)),
                    marks: None,
                },
                MyBallot {
                    poll_id: secret,
                    choice: None,
                    marks: None,
                }
            ]
        );
    }
    let state = server.login_chair().await?.snapshot(meeting).await?.state;
    let Some(poll) = state.polls.iter().find(|poll| poll.id == secret) else {
        bail!("the secret poll after the restart")
    };
    assert_eq!((poll.state, poll.tally.clone()), (PollState::Closed, tally));
    Ok(())
}

/// A secret poll cancelled halfway: no outcome, no record, its sealed choices and key destroyed
/// at once, no ballot after; all of it as it was after `kill -9`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_secret_poll_keeps_nothing_of_its_choices_and_has_no_record() -> Result<()> {
    let mut server = TestServer::start(4).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let item_id = new_item(&secretariat, meeting, "Bầu Trưởng ban").await?;
    let usernames = server.roster().voters();
    let voters = try_join_all(usernames.iter().map(|username| server.login(username))).await?;
    let chair = &voters[0];
    let poll = open_poll(chair, meeting, item_id, Secrecy::Secret).await?;
    cast(&voters[..2], meeting, poll, secret_choice).await?;
    assert_eq!(std::fs::read_dir(server.ballot_key_folder())?.count(), 1);

    let cancel = Command::CancelPoll {
        poll_id: poll,
        reason: "Danh sách ứng cử viên in sai".into(),
    };
    let refused = voters[1]
        .command(meeting, &cancel)
        .await
        .expect_err("a delegate may not cancel");
    assert_eq!(refused.code(), Some(phonghop_protocol::ErrorCode::Forbidden));
    chair.command(meeting, &cancel).await?;
    assert_eq!(
        std::fs::read_dir(server.ballot_key_folder())?.count(),
        0,
        "the key is destroyed"
    );
    let late = voters[3]
        .command(
            meeting,
            &Command::CastBallot {
                poll_id: poll,
                choice: Choice::Yes,
            },
        )
        .await
        .expect_err("no ballot after the cancel");
    assert_eq!(late.code(), Some(phonghop_protocol::ErrorCode::PollClosed));
    let record = chair.poll_record(meeting, poll, "pdf").await.expect_err("no record");
    assert_eq!(record.code(), Some(phonghop_protocol::ErrorCode::PollCancelled));

    server.kill().await?;
    let sealed = server.sql_texts("SELECT COUNT(*) FROM sealed_ballots").await?;
    assert_eq!(sealed, ["0"], "a cancelled poll keeps no sealed ballot");
    server.restart().await?;
    let state = server.login_chair().await?.snapshot(meeting).await?.state;
    let Some(cancelled) = state.polls.iter().find(|shown| shown.id == poll) else {
        bail!("the cancelled poll after the restart")
    };
    assert_eq!(
        (
            cancelled.state,
            cancelled.outcome,
            cancelled.cancel_reason.as_deref(),
            cancelled.tally.sealed
        ),
        (PollState::Cancelled, None, Some("Danh sách ứng cử viên in sai"), 2)
    );
    Ok(())
}

/// A named election's pattern of marks (2 of 3 candidates, or fewer): one ballot per voter.
fn named_marks(voter: usize) -> Vec<u8> {
    [vec![1, 1, 0], vec![1, 0, 1], vec![0, 0, 0], vec![0, 1, 0]][voter % 4].clone()
}

/// The secret election's pattern, unlike the named one.
fn secret_marks(voter: usize) -> Vec<u8> {
    [
        vec![0, 1, 1],
        vec![1, 0, 0],
        vec![1, 1, 0],
        vec![0, 0, 1],
        vec![0, 0, 0],
    ][voter % 5]
        .clone()
}

fn marks_json(marks: &[u8]) -> String {
    serde_json::to_string(marks).expect("marks as JSON")
}

async fn cast_marks(
    voters: &[Session],
    meeting: phonghop_protocol::MeetingId,
    poll_id: PollId,
    marks_of: fn(usize) -> Vec<u8>,
) -> Result<()> {
    try_join_all(voters.iter().enumerate().map(|(index, voter)| async move {
        let answer = voter
            .command_with_id(
                meeting,
                &format!("poll-{poll_id}-voter-{index}"),
                &Command::CastMarks {
                    poll_id,
                    marks: marks_of(index),
                },
            )
            .await?;
        ensure!(matches!(answer, CommandResult::BallotRecorded { .. }), "{answer:?}");
        Ok(())
    }))
    .await?;
    Ok(())
}

/// The same attack on an election: a named one's marks are read back for every voter, a
/// secret one's for none, its sealed ballots all one length whatever they mark, and nothing of
/// them in the log; the counts at the close are the pattern's, also after `kill -9`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_holding_the_servers_files_can_link_a_secret_election_ballot_to_a_member() -> Result<()> {
    let mut server = TestServer::start_with(ServerOptions {
        whole_debug_log: true,
        ..ServerOptions::with_delegates(DELEGATES)
    })
    .await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let named_item = new_item(&secretariat, meeting, "Bầu Ủy viên Thường trực").await?;
    let secret_item = new_item(&secretariat, meeting, "Bầu Trưởng ban bằng phiếu kín").await?;
    let usernames = server.roster().voters();
    let voters = try_join_all(usernames.iter().map(|username| server.login(username))).await?;
    let voter_ids: Vec<UserId> = voters.iter().map(|voter| voter.user.id).collect();
    let chair = &voters[0];
    let election = BallotForm::Election {
        candidates: vec!["Nguyễn Văn An".into(), "Trần Thị Bình".into(), "Lê Văn Cường".into()],
        seats: 2,
    };

    let named = open_poll_on(chair, meeting, named_item, Secrecy::Named, Some(election.clone())).await?;
    cast_marks(&voters, meeting, named, named_marks).await?;
    chair.command(meeting, &Command::ClosePoll { poll_id: named }).await?;
    let secret = open_poll_on(chair, meeting, secret_item, Secrecy::Secret, Some(election)).await?;
    cast_marks(&voters, meeting, secret, secret_marks).await?;
    let open_tally = chair.snapshot(meeting).await?.state.polls[1].tally.clone();
    assert_eq!(open_tally.sealed, voters.len() as u32);
    assert!(
        open_tally.counts.iter().flatten().all(|count| *count == 0),
        "only the turnout while open: {open_tally:?}"
    );
    let while_open = TakenFiles::take(&server)?;
    chair.command(meeting, &Command::ClosePoll { poll_id: secret }).await?;
    server.kill().await?;
    let after_close = TakenFiles::take(&server)?;
    let log = server.whole_log();

    for taken in [&while_open, &after_close] {
        let pool = taken.open().await?;
        let expected: BTreeMap<UserId, String> = voter_ids
            .iter()
            .enumerate()
            .map(|(index, id)| (*id, marks_json(&named_marks(index))))
            .collect();
        assert_eq!(
            links_in_database(&pool, named, &voter_ids).await?,
            expected,
            "the attack reads the named election's marks back"
        );
        let secret_links = links_in_database(&pool, secret, &voter_ids).await?;
        assert!(
            secret_links.is_empty(),
            "secret marks linked to a member: {secret_links:?}"
        );
        pool.close().await;
        let raw = taken.raw_bytes()?;
        assert!(answers_with_a_choice(&raw, named) >= voters.len());
        assert_eq!(
            answers_with_a_choice(&raw, secret),
            0,
            "a secret answer kept with its marks"
        );
    }
    let pool = while_open.open().await?;
    let lengths: Vec<i64> = sqlx::query_scalar("SELECT length(sealed) FROM sealed_ballots WHERE poll_id = ?")
        .bind(i64::from(secret.0))
        .fetch_all(&pool)
        .await?;
    pool.close().await;
    assert_eq!(
        lengths,
        vec![12 + 3 + 16; voters.len()],
        "every sealed ballot has the length its poll fixes, whatever it marks"
    );
    for line in log.lines() {
        assert!(
            !line.contains("\"marks\"") && !line.contains("marks="),
            "the server logged marks: {line}"
        );
    }

    server.restart().await?;
    let state = server.login_chair().await?.snapshot(meeting).await?.state;
    let poll = state
        .polls
        .iter()
        .find(|poll| poll.id == secret)
        .context("the secret election")?;
    let mut expected = vec![vec![0u32; 2]; 3];
    for voter in 0..voters.len() {
        for (line, mark) in secret_marks(voter).into_iter().enumerate() {
            expected[line][usize::from(mark)] += 1;
        }
    }
    assert_eq!(
        (poll.state, poll.tally.sealed, &poll.tally.counts),
        (PollState::Closed, 0, &expected)
    );
    assert_eq!(poll.line_outcomes.len(), 3, "each candidate's result: {poll:?}");
    for (index, username) in usernames.iter().enumerate() {
        let mine = server.login(username).await?.snapshot(meeting).await?.my_ballots;
        assert_eq!(
            mine,
            vec![
                MyBallot {
                    poll_id: named,
                    choice: None,
                    marks: Some(named_marks(index)),
                },
                MyBallot {
                    poll_id: secret,
                    choice: None,
                    marks: None,
                }
            ]
        );
    }
    Ok(())
}
