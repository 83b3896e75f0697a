//! End-to-end journeys of phonghop: the real server binary, real clients over real WebSockets,
//! a real SQLite database in a temporary folder.
//!
//! Layout:
//! - [`server`]: [`TestServer`], the `phonghop-server` binary as a child process with its own data
//!   folder, councillors and meeting; it can be killed with SIGKILL and restarted on the same data.
//! - [`roster`]: the councillors CSV the server imports, with Vietnamese names.
//! - [`nginx`]: [`nginx::LoadBalancer`], Debian's nginx with the repository's example configuration.
//! - [`proxy`]: [`CuttableProxy`], a TCP proxy that can cut every connection, as a failing Wi-Fi does.
//! - [`large_pdf`]: a valid one-page PDF of any size, for downloads long enough to cut or measure.
//! - [`raw`]: [`RawSocket`], a bare WebSocket that speaks the JSON frames by hand, for bad input.
//! - [`wait`]: awaiting a mirror condition or a sync event with a timeout; tests never sleep.

pub mod large_pdf;
pub mod nginx;
pub mod proxy;
pub mod raw;
pub mod roster;
pub mod server;
pub mod wait;

pub use proxy::CuttableProxy;
pub use raw::RawSocket;
pub use roster::Roster;
pub use server::{admin_binary, server_binary, Instance, ServerOptions, TestServer, DEMO_PASSWORD};
pub use wait::{next_event, quick_reconnect, start_synced, wait_for, within, TIMEOUT};

/// The password every test account gets at import.
pub const PASSWORD: &str = "Hop-khong-giay-2026";

/// A file of the repository, by its path from the repository root (`assets/demo/…`,
/// `tests/data/…`): the journeys need nothing outside a clone.
pub fn repository_file(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

/// The Vietnamese meeting document `name` (kept in `assets/demo/`, or `tests/data/` for the
/// Word file).
pub fn vietnamese_document(name: &str) -> std::path::PathBuf {
    if name.ends_with(".pdf") || name.ends_with(".csv") {
        repository_file(&format!("assets/demo/{name}"))
    } else {
        repository_file(&format!("tests/data/{name}"))
    }
}

/// As `session`: adds an agenda item titled `title` and returns its id.
pub async fn new_item(
    session: &phonghop_client::Session,
    meeting: phonghop_protocol::MeetingId,
    title: &str,
) -> anyhow::Result<phonghop_protocol::ItemId> {
    use anyhow::Context;
    let command = phonghop_protocol::Command::AddAgendaItem {
        parent: None,
        title: title.to_owned(),
        description: String::new(),
    };
    session.command(meeting, &command).await?;
    let snapshot = session.snapshot(meeting).await?;
    snapshot
        .state
        .items
        .iter()
        .find(|item| item.title == title)
        .map(|item| item.id)
        .with_context(|| format!("no item {title:?}"))
}

/// The passage of `changes` under the heading `section` ("Điều 4").
pub fn changed_section<'a>(
    changes: &'a phonghop_protocol::RevisionChanges,
    section: &str,
) -> anyhow::Result<&'a phonghop_protocol::ChangedPassage> {
    use anyhow::Context;
    changes
        .passages
        .iter()
        .find(|passage| passage.section.as_deref() == Some(section))
        .with_context(|| format!("no change in {section} is reported"))
}

/// PDFium breaks lines where the page does; sentences are compared with whitespace collapsed.
pub fn collapsed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The folder of the large hostile-PDF corpus (168 files of pdf.js's test suite), when
/// `$PHONGHOP_CORPUS` names it (`cargo xtask test` passes it on). It is an extra suite kept
/// outside the repository.
pub fn hostile_pdf_corpus() -> Option<std::path::PathBuf> {
    let folder = std::path::PathBuf::from(std::env::var_os("PHONGHOP_CORPUS")?).join("pdf");
    folder.is_dir().then_some(folder)
}

/// Seconds since 1970 by this machine's clock, as the server counts expiries.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs() as i64)
}

/// Runs `command` to its end: whether it succeeded, and everything it printed (stdout, then
/// stderr).
pub fn program_output(command: &mut std::process::Command) -> anyhow::Result<(bool, String)> {
    use anyhow::Context;
    let output = command.output().with_context(|| format!("running {command:?}"))?;
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok((output.status.success(), said))
}

/// As the chair: opens a poll of `ballot` (a motion when `None`) on `item_id` with the
/// "resolution" preset and `secrecy`; the poll's id.
pub async fn open_poll_on(
    chair: &phonghop_client::Session,
    meeting: phonghop_protocol::MeetingId,
    item_id: phonghop_protocol::ItemId,
    secrecy: phonghop_protocol::Secrecy,
    ballot: Option<phonghop_protocol::BallotForm>,
) -> anyhow::Result<phonghop_protocol::PollId> {
    use anyhow::Context;
    chair
        .command(
            meeting,
            &phonghop_protocol::Command::OpenPoll {
                ballot,
                item_id,
                title: format!("Biểu quyết {secrecy:?}"),
                rule: None,
                preset: Some("resolution".into()),
                secrecy: Some(secrecy),
                changeable: None,
                quorum_override: None,
                duration_seconds: None,
            },
        )
        .await?;
    let snapshot = chair.snapshot(meeting).await?;
    snapshot
        .state
        .polls
        .iter()
        .rfind(|poll| poll.item_id == item_id)
        .map(|poll| poll.id)
        .context("the poll just opened")
}
