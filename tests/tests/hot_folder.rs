//! The hot folder as a secretariat uses it: files copied (slowly, in pieces, as over a network
//! share) into `<meeting>/<agenda item>/` of the folder the real server watches become documents
//! once, a file replaced under its name becomes the next revision, the same bytes again change
//! nothing, a file that cannot be taken gets a note beside it in Vietnamese and English while the
//! watcher goes on, and a restart takes nothing twice but what came while the server was down.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{ensure, Context, Result};
use phonghop_client::Session;
use phonghop_journeys::{changed_section, collapsed, new_item, vietnamese_document, within, ServerOptions, TestServer};
use phonghop_protocol::http::SnapshotResponse;
use phonghop_protocol::{AgendaItem, Document, ErrorCode, MeetingId, PassageChange};
use tokio::io::AsyncWriteExt;

/// `--watch-settle-ms`: well above the pauses of [`copy_slowly`], so a file is never taken half
/// written.
const SETTLE_MS: u64 = 1000;
/// The pause between two pieces of a slow copy.
const COPY_PAUSE: Duration = Duration::from_millis(300);
/// How often a test looks at the snapshot or the folder while it awaits something.
const POLL: Duration = Duration::from_millis(100);

/// A server with one delegate and its meeting, watching a folder of its own.
struct Watching {
    server: TestServer,
    /// The watched folder.
    watched: tempfile::TempDir,
    meeting: MeetingId,
    secretariat: Session,
}

impl Watching {
    /// The hot folder acts as `watch_as` (the secretariat when `None`).
    async fn start(watch_as: Option<String>) -> Result<Watching> {
        let watched = tempfile::Builder::new().prefix("phonghop-hot-folder-").tempdir()?;
        let server = TestServer::start_with(ServerOptions {
            watch: Some(watched.path().to_path_buf()),
            watch_as,
            watch_settle_ms: Some(SETTLE_MS),
            ..ServerOptions::with_delegates(1)
        })
        .await?;
        let secretariat = server.login_secretariat().await?;
        Ok(Watching {
            meeting: server.meeting_id(),
            server,
            watched,
            secretariat,
        })
    }

    /// Makes `<watched>/<meeting>/<name>/` and returns it.
    fn item_folder(&self, name: &str) -> Result<PathBuf> {
        let folder = self.watched.path().join(self.meeting.to_string()).join(name);
        std::fs::create_dir_all(&folder)?;
        Ok(folder)
    }
}

/// Writes `bytes` to `path` as a slow copy does: a third, a pause, another third, a pause, the
/// rest, each piece flushed to the disk.
async fn copy_slowly(bytes: &[u8], path: &Path) -> Result<()> {
    let mut file = tokio::fs::File::create(path)
        .await
        .with_context(|| format!("creating {}", path.display()))?;
    let third = bytes.len() / 3;
    for (index, piece) in [&bytes[..third], &bytes[third..2 * third], &bytes[2 * third..]]
        .into_iter()
        .enumerate()
    {
        if index > 0 {
            tokio::time::sleep(COPY_PAUSE).await;
        }
        file.write_all(piece).await?;
        file.flush().await?;
        file.sync_data().await?;
    }
    Ok(())
}

/// Copies the repository's document `name` slowly to `path`.
async fn copy_in(name: &str, path: &Path) -> Result<()> {
    copy_slowly(&read(name)?, path).await
}

fn read(name: &str) -> Result<Vec<u8>> {
    let path = vietnamese_document(name);
    std::fs::read(&path).with_context(|| format!("reading {}", path.display()))
}

/// Polls the meeting's snapshot until `found` finds something in it.
async fn await_snapshot<T>(
    session: &Session,
    meeting: MeetingId,
    what: &str,
    mut found: impl FnMut(&SnapshotResponse) -> Option<T>,
) -> Result<T> {
    within(what, async {
        loop {
            if let Some(found) = found(&session.snapshot(meeting).await?) {
                return Ok(found);
            }
            tokio::time::sleep(POLL).await;
        }
    })
    .await?
}

fn item_titled<'a>(snapshot: &'a SnapshotResponse, title: &str) -> Option<&'a AgendaItem> {
    snapshot.state.items.iter().find(|item| item.title == title)
}

/// Awaits the item titled `title` holding `count` documents.
async fn await_documents(session: &Session, meeting: MeetingId, title: &str, count: usize) -> Result<Vec<Document>> {
    await_snapshot(
        session,
        meeting,
        &format!("{count} documents in {title:?}"),
        |snapshot| {
            item_titled(snapshot, title)
                .filter(|item| item.documents.len() == count)
                .map(|item| item.documents.clone())
        },
    )
    .await
}

/// Polls until `path` exists and returns its text.
async fn await_note(path: &Path) -> Result<String> {
    within(&format!("the note {}", path.display()), async {
        loop {
            if let Ok(text) = std::fs::read_to_string(path) {
                return text;
            }
            tokio::time::sleep(POLL).await;
        }
    })
    .await
}

/// The notes (`*.loi.txt`) in `folder`.
fn notes_in(folder: &Path) -> Result<Vec<String>> {
    let mut notes = vec![];
    for entry in std::fs::read_dir(folder)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".loi.txt") {
            notes.push(name);
        }
    }
    Ok(notes)
}

/// No file of `folder` was refused, not even while it was being copied (a piece of a PDF or Word
/// file is refused, and logged).
fn assert_nothing_refused(server: &TestServer, folder: &Path) -> Result<()> {
    assert_eq!(notes_in(folder)?, Vec::<String>::new());
    let log = server.log_tail();
    ensure!(
        !log.contains("was not taken"),
        "a file was tried while it was being copied:\n{log}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_word_file_in_a_new_folder_becomes_a_document_of_a_new_item_once() -> Result<()> {
    let watching = Watching::start(None).await?;
    let (meeting, secretariat) = (watching.meeting, &watching.secretariat);
    let seq_before = secretariat.snapshot(meeting).await?.seq;
    let folder = watching.item_folder("Giấy mời họp")?;
    let docx = read("giay-moi-hop.docx")?;

    copy_slowly(&docx, &folder.join("giay-moi-hop.docx")).await?;
    let documents = await_documents(secretariat, meeting, "Giấy mời họp", 1).await?;
    let document = &documents[0];
    assert_eq!(document.title, "giay-moi-hop", "the title comes from the file name");
    assert_eq!(
        (document.current.revision, document.current.file_name.as_str()),
        (1, "giay-moi-hop.docx")
    );
    let original = document.current.original.as_ref().context("the Word file is kept")?;
    assert_eq!(
        (original.file_name.as_str(), original.size),
        ("giay-moi-hop.docx", docx.len() as u64)
    );
    let delegate = watching.server.login_delegate(0).await?;
    let pdf = delegate.download_blob(&document.current.sha256).await?;
    ensure!(pdf.starts_with(b"%PDF-"), "councillors read the PDF LibreOffice made");

    // A file copied after it settles after it: once it is in, the Word file was looked at as
    // often as it will be.
    copy_in("to-trinh-phong-hop-khong-giay.pdf", &folder.join("to-trinh.pdf")).await?;
    let documents = await_documents(secretariat, meeting, "Giấy mời họp", 2).await?;
    assert_eq!(&documents[0], document, "the Word file was taken once, as one revision");
    let snapshot = secretariat.snapshot(meeting).await?;
    let items: Vec<&str> = snapshot.state.items.iter().map(|item| item.title.as_str()).collect();
    assert_eq!(items, ["Giấy mời họp"], "one item made from the folder's name");
    assert_eq!(
        snapshot.seq,
        seq_before + 3,
        "the item and two documents, nothing else logged"
    );
    assert_nothing_refused(&watching.server, &folder)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pdf_replaced_under_its_name_becomes_the_next_revision_and_the_same_bytes_change_nothing() -> Result<()> {
    let watching = Watching::start(None).await?;
    let (meeting, secretariat) = (watching.meeting, &watching.secretariat);
    let title = "Dự thảo Nghị quyết";
    let item = new_item(secretariat, meeting, title).await?;
    // Named by the item's id; the rest of the name is the secretariat's own.
    let folder = watching.item_folder(&format!("{item} - {title}"))?;
    let file = folder.join("du-thao-nghi-quyet.pdf");

    copy_in("du-thao-nghi-quyet-v1.pdf", &file).await?;
    let first = await_documents(secretariat, meeting, title, 1).await?.remove(0);
    assert_eq!((first.current.revision, first.current.changes.as_ref()), (1, None));

    let second_bytes = read("du-thao-nghi-quyet-v2.pdf")?;
    copy_slowly(&second_bytes, &file).await?;
    let revised = await_snapshot(secretariat, meeting, "revision 2", |snapshot| {
        item_titled(snapshot, title)
            .and_then(|item| item.documents.first())
            .filter(|document| document.current.revision == 2)
            .cloned()
    })
    .await?;
    assert_eq!((revised.id, revised.title.as_str()), (first.id, first.title.as_str()));
    assert_eq!(revised.earlier, vec![first.current.clone()], "revision 1 stays");
    let changes = revised
        .current
        .changes
        .as_ref()
        .context("revision 2 says what changed")?;
    let article_4 = changed_section(changes, "Điều 4")?;
    assert_eq!(article_4.change, PassageChange::Added);
    assert!(collapsed(&article_4.after).contains("bảo đảm an toàn, an ninh thông tin"));
    let seq_after_revision = secretariat.snapshot(meeting).await?.seq;

    // The same bytes copied again, then touched: recognised, nothing taken.
    copy_slowly(&second_bytes, &file).await?;
    std::fs::File::options()
        .write(true)
        .open(&file)?
        .set_modified(std::time::SystemTime::now())?;
    // A file copied after them settles after them.
    copy_in("to-trinh-phong-hop-khong-giay.pdf", &folder.join("to-trinh.pdf")).await?;
    let documents = await_documents(secretariat, meeting, title, 2).await?;
    assert_eq!(documents[0], revised, "still revision 2, nothing added");
    assert_eq!(
        secretariat.snapshot(meeting).await?.seq,
        seq_after_revision + 1,
        "only the other file was logged"
    );
    assert_nothing_refused(&watching.server, &folder)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_protected_word_file_gets_a_note_in_both_languages_and_the_watcher_goes_on() -> Result<()> {
    let watching = Watching::start(None).await?;
    let (meeting, secretariat) = (watching.meeting, &watching.secretariat);
    let folder = watching.item_folder("Giấy mời họp")?;
    let protected = folder.join("giay-moi-hop-mat-khau.docx");

    copy_in("giay-moi-hop-mat-khau.docx", &protected).await?;
    let note_path = folder.join("giay-moi-hop-mat-khau.docx.loi.txt");
    let note = await_note(&note_path).await?;
    for said in [
        "giay-moi-hop-mat-khau.docx",
        ErrorCode::EncryptedDocument.message_vi(),
        ErrorCode::EncryptedDocument.message_en(),
    ] {
        ensure!(note.contains(said), "the note says {said:?}:\n{note}");
    }

    // The watcher goes on: the next good file is taken.
    copy_in("to-trinh-phong-hop-khong-giay.pdf", &folder.join("to-trinh.pdf")).await?;
    let documents = await_documents(secretariat, meeting, "Giấy mời họp", 1).await?;
    assert_eq!(
        documents[0].current.file_name, "to-trinh.pdf",
        "the protected file was not taken"
    );

    // The secretariat saves it again without the password: taken, and the note goes.
    copy_in("giay-moi-hop.docx", &protected).await?;
    let documents = await_documents(secretariat, meeting, "Giấy mời họp", 2).await?;
    assert_eq!(documents[1].current.file_name, "giay-moi-hop-mat-khau.docx");
    within("the note to be removed", async {
        while note_path.exists() {
            tokio::time::sleep(POLL).await;
        }
    })
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_restart_nothing_is_taken_again_and_a_file_added_meanwhile_is() -> Result<()> {
    let mut watching = Watching::start(None).await?;
    let (meeting, secretariat) = (watching.meeting, &watching.secretariat);
    let title = "Tờ trình và báo cáo";
    let folder = watching.item_folder(title)?;
    copy_in("to-trinh-phong-hop-khong-giay.pdf", &folder.join("to-trinh.pdf")).await?;
    copy_in("du-thao-nghi-quyet-v1.pdf", &folder.join("du-thao.pdf")).await?;
    await_documents(secretariat, meeting, title, 2).await?;
    let before = secretariat.snapshot(meeting).await?;

    watching.server.kill().await?;
    copy_in("bao-cao-kinh-te-xa-hoi.pdf", &folder.join("bao-cao.pdf")).await?;
    watching.server.restart().await?;

    let secretariat = watching.server.login_secretariat().await?;
    let documents = await_documents(&secretariat, meeting, title, 3).await?;
    let taken_before = &item_titled(&before, title).context("the item")?.documents;
    assert_eq!(
        &documents[..2],
        &taken_before[..],
        "the files taken before are as they were"
    );
    assert_eq!(documents[2].current.file_name, "bao-cao.pdf");
    let after = secretariat.snapshot(meeting).await?;
    assert_eq!(after.seq, before.seq + 1, "only the new file was logged");
    assert_eq!(
        after.state.items.len(),
        before.state.items.len(),
        "the folder's item was not made again"
    );
    assert_nothing_refused(&watching.server, &folder)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hot_folder_acting_as_a_delegate_notes_that_it_may_not_send_documents() -> Result<()> {
    let delegate = phonghop_journeys::Roster::new(1).delegates[0].clone();
    let watching = Watching::start(Some(delegate.clone())).await?;
    let folder = watching.item_folder("Tờ trình")?;
    copy_in("to-trinh-phong-hop-khong-giay.pdf", &folder.join("to-trinh.pdf")).await?;
    let note = await_note(&folder.join("to-trinh.pdf.loi.txt")).await?;
    for said in [
        ErrorCode::Forbidden.message_vi(),
        ErrorCode::Forbidden.message_en(),
        delegate.as_str(),
    ] {
        ensure!(note.contains(said), "the note says {said:?}:\n{note}");
    }
    let snapshot = watching.secretariat.snapshot(watching.meeting).await?;
    assert!(snapshot.state.items.is_empty(), "no item was made for the folder");
    Ok(())
}
