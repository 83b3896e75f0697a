//! Annotations that are never lost and stay private: two laptops of one councillor converge after
//! both edited offline; another member gets nothing private — through any endpoint or frame — and
//! a shared annotation read-only; the server's database holds a private note only in its
//! author's row, and its log not at all.

use std::path::Path;

use anyhow::{ensure, Context, Result};
use phonghop_client::annotations::AnnotationShown;
use phonghop_client::{ClientError, Seat, Session};
use phonghop_journeys::{new_item, vietnamese_document, wait_for, CuttableProxy, RawSocket, TestServer, PASSWORD};
use phonghop_protocol::http::AnnotationSync;
use phonghop_protocol::{
    Annotation, AnnotationBody, AnnotationId, ClientMessage, Document, ErrorCode, MeetingId, PagePoint, PageRect,
    ServerMessage, TextQuote,
};

/// Words no document holds, so finding them anywhere means a note leaked there.
const SECRET: &str = "Ghi chú riêng: phản đối mục 3 vì thiếu kinh phí";

async fn upload_draft(secretariat: &Session, meeting: MeetingId) -> Result<Document> {
    let item = new_item(secretariat, meeting, "Dự thảo Nghị quyết").await?;
    let bytes = std::fs::read(vietnamese_document("du-thao-nghi-quyet-v1.pdf"))?;
    Ok(secretariat
        .upload(meeting, item, "du-thao-nghi-quyet-v1.pdf", "Dự thảo Nghị quyết", bytes)
        .await?
        .document)
}

async fn seat(laptop: &Path, server_url: &str, username: &str, meeting: MeetingId) -> Result<Seat> {
    let seat = Seat::new(laptop);
    seat.login(server_url, username, PASSWORD).await?;
    let mut mirror = seat.open_meeting(meeting).await?;
    wait_for(&mut mirror, "the meeting", |mirror| mirror.state.is_some()).await?;
    Ok(seat)
}

fn highlight(id: &str, document: &Document, colour: &str) -> Annotation {
    Annotation {
        id: AnnotationId::parse(id).expect("a valid id"),
        document_id: document.id,
        revision: document.current.revision,
        page: 0,
        color: colour.into(),
        body: AnnotationBody::Highlight {
            rects: vec![PageRect {
                left: 0.1,
                top: 0.2,
                width: 0.5,
                height: 0.02,
            }],
            quote: TextQuote {
                exact: "Thông qua chủ trương".into(),
                prefix: "Điều 1. ".into(),
                suffix: " triển khai".into(),
            },
        },
        shared: false,
        deleted: false,
        changed_at: 0,
        device: String::new(),
        carried_from: None,
    }
}

fn note(id: &str, document: &Document, text: &str) -> Annotation {
    Annotation {
        body: AnnotationBody::Note {
            at: PagePoint { x: 0.8, y: 0.3 },
            text: text.into(),
            near: None,
        },
        ..highlight(id, document, "#ffd400")
    }
}

/// The annotations a seat shows on a document, by id, with their colour.
async fn shown(seat: &Seat, document: &Document) -> Result<Vec<(String, String, bool)>> {
    let mut shown: Vec<_> = seat
        .annotations(document.id)
        .await?
        .into_iter()
        .map(|AnnotationShown { annotation, mine, .. }| (annotation.id.to_string(), annotation.color, mine))
        .collect();
    shown.sort();
    Ok(shown)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_laptops_of_one_councillor_converge_after_both_edited_offline() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let document = upload_draft(&server.login_secretariat().await?, meeting).await?;
    let delegate = server.roster().voters()[0].clone();
    let (wifi_a, wifi_b) = (
        CuttableProxy::start(server.address()).await?,
        CuttableProxy::start(server.address()).await?,
    );
    let (laptop_a, laptop_b) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let a = seat(laptop_a.path(), &wifi_a.url(), &delegate, meeting).await?;
    let b = seat(laptop_b.path(), &wifi_b.url(), &delegate, meeting).await?;

    // Made on one laptop, it follows the person to the other.
    a.save_annotation(highlight("x", &document, "#ffd400")).await?;
    a.save_annotation(highlight("z", &document, "#00aa00")).await?;
    a.sync_annotations().await?;
    b.sync_annotations().await?;
    ensure!(
        shown(&b, &document).await?.len() == 2,
        "{:?}",
        shown(&b, &document).await?
    );

    // Both offline: each edits; saving needs no server.
    wifi_a.cut();
    wifi_b.cut();
    let from_a = a.save_annotation(highlight("x", &document, "#ff0000")).await?;
    a.save_annotation(highlight("y", &document, "#0000ff")).await?;
    let from_b = b.save_annotation(highlight("x", &document, "#00ffff")).await?;
    b.delete_annotation(&AnnotationId::parse("z")?).await?;
    match a.sync_annotations().await {
        Err(ClientError::Unreachable(_)) => {}
        other => anyhow::bail!("a sync without the network is Unreachable, got {other:?}"),
    }

    wifi_a.restore();
    wifi_b.restore();
    a.sync_annotations().await?;
    b.sync_annotations().await?;
    a.sync_annotations().await?;
    let winner = if phonghop_core::annotations::is_later(&from_a, &from_b) {
        &from_a
    } else {
        &from_b
    };
    let expected = vec![
        ("x".to_owned(), winner.color.clone(), true),
        ("y".to_owned(), "#0000ff".to_owned(), true),
    ];
    assert_eq!(shown(&a, &document).await?, expected, "laptop A");
    assert_eq!(shown(&b, &document).await?, expected, "laptop B");

    // A third laptop, logged in for the first time, brings them all back.
    let laptop_c = tempfile::tempdir()?;
    let c = seat(laptop_c.path(), server.url(), &delegate, meeting).await?;
    c.sync_annotations().await?;
    assert_eq!(shown(&c, &document).await?, expected, "a new laptop");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_member_sees_nothing_private_and_a_shared_annotation_read_only() -> Result<()> {
    let server = TestServer::start(2).await?;
    let meeting = server.meeting_id();
    let document = upload_draft(&server.login_secretariat().await?, meeting).await?;
    let voters = server.roster().voters();
    let (laptop_a, laptop_b) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let author = seat(laptop_a.path(), server.url(), &voters[0], meeting).await?;
    let other = seat(laptop_b.path(), server.url(), &voters[1], meeting).await?;

    author.save_annotation(note("private-note", &document, SECRET)).await?;
    let shared = author
        .save_annotation(Annotation {
            shared: true,
            ..highlight("shared-mark", &document, "#ffd400")
        })
        .await?;
    author.sync_annotations().await?;
    other.sync_annotations().await?;
    let seen = other.annotations(document.id).await?;
    ensure!(seen.len() == 1, "{seen:?}");
    ensure!(seen[0].annotation.id == shared.id && !seen[0].mine, "{seen:?}");
    let author_name = server.login(&voters[0]).await?.user.full_name;
    ensure!(
        seen[0].author_name == author_name,
        "shown as {:?}, not {author_name:?}",
        seen[0].author_name
    );

    // Another member writing under the same id writes their own annotation, not the author's.
    other
        .save_annotation(Annotation {
            color: "#000000".into(),
            ..shared.clone()
        })
        .await?;
    other.sync_annotations().await?;
    author.sync_annotations().await?;
    let mine: Vec<_> = author
        .annotations(document.id)
        .await?
        .into_iter()
        .filter(|shown| shown.mine)
        .collect();
    ensure!(
        mine.iter()
            .any(|shown| shown.annotation.id == shared.id && shown.annotation.color == "#ffd400"),
        "{mine:?}"
    );

    // Made private again, it leaves the other member's laptop.
    author
        .save_annotation(Annotation {
            shared: false,
            ..shared.clone()
        })
        .await?;
    author.sync_annotations().await?;
    other.sync_annotations().await?;
    let seen: Vec<_> = other
        .annotations(document.id)
        .await?
        .into_iter()
        .filter(|shown| !shown.mine)
        .collect();
    ensure!(seen.is_empty(), "{seen:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_note_reaches_no_one_else_through_any_endpoint_frame_table_or_log() -> Result<()> {
    let server = TestServer::start(2).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let document = upload_draft(&secretariat, meeting).await?;
    let voters = server.roster().voters();
    let laptop = tempfile::tempdir()?;
    // voters: the chair, then two delegates; the author is a delegate.
    let author = seat(laptop.path(), server.url(), &voters[1], meeting).await?;
    author.save_annotation(note("secret-note", &document, SECRET)).await?;
    author.sync_annotations().await?;

    let leaks = |what: &str, text: String| -> Result<()> {
        ensure!(
            !text.contains(SECRET) && !text.contains("secret-note"),
            "{what} shows the private note"
        );
        Ok(())
    };
    let others = [
        server.login(&voters[2]).await?,
        server.login_chair().await?,
        secretariat.clone(),
    ];
    for other in &others {
        let who = other.user.username.clone();
        let answer = other
            .sync_annotations(
                meeting,
                &AnnotationSync {
                    since: 0,
                    changes: vec![],
                },
            )
            .await?;
        ensure!(answer.annotations.is_empty(), "{who} received {:?}", answer.annotations);
        leaks(
            &format!("{who}'s snapshot"),
            serde_json::to_string(&other.snapshot(meeting).await?)?,
        )?;
        leaks(
            &format!("{who}'s search"),
            serde_json::to_string(&other.search(meeting, "phan doi muc 3").await?)?,
        )?;
        leaks(
            &format!("{who}'s meetings"),
            serde_json::to_string(&other.meetings().await?)?,
        )?;
        leaks(
            &format!("{who}'s document text"),
            serde_json::to_string(&other.document_text(meeting, document.id).await?)?,
        )?;
        if let Ok(receipts) = other.read_receipts(meeting).await {
            leaks(&format!("{who}'s receipts"), serde_json::to_string(&receipts)?)?;
        }
        // Every frame of the meeting's log, replayed from the start, then the snapshot.
        for since_seq in [Some(0), None] {
            let mut socket = RawSocket::connect(server.url()).await?;
            socket.authenticate(&other.token).await?;
            socket
                .send(ClientMessage::Subscribe {
                    meeting_id: meeting,
                    since_seq,
                })
                .await?;
            let mut frames = Vec::new();
            loop {
                let frame = socket.next().await?;
                let live = matches!(frame, ServerMessage::Live { .. });
                frames.push(format!("{frame:?}"));
                if live {
                    break;
                }
            }
            ensure!(frames.len() > 1, "{who} got no frames: {frames:?}");
            leaks(&format!("{who}'s frames"), frames.join("\n"))?;
        }
    }
    // Someone outside the meeting is told it does not exist.
    let outsider = server.login(&voters[2]).await?;
    match outsider
        .sync_annotations(
            MeetingId(9999),
            &AnnotationSync {
                since: 0,
                changes: vec![],
            },
        )
        .await
    {
        Err(error) => ensure!(error.code() == Some(ErrorCode::NotFound), "{error}"),
        Ok(answer) => anyhow::bail!("a meeting of others answered {answer:?}"),
    }

    // In the database the words are in the author's row of `annotations` and nowhere else.
    let mut found = Vec::new();
    for (table, column) in server.table_columns().await? {
        let hits = server
            .sql_texts(&format!(
                "SELECT COUNT(*) FROM \"{table}\" WHERE CAST(\"{column}\" AS TEXT) LIKE '%phản đối mục 3%'"
            ))
            .await?;
        let hits: i64 = hits.first().map_or(Ok(0), |count| count.parse())?;
        if hits > 0 {
            found.push(format!("{table}.{column} ×{hits}"));
        }
    }
    assert_eq!(
        found,
        vec!["annotations.annotation ×1".to_owned()],
        "where the note's words are stored"
    );
    let author_id: i64 = server
        .sql_texts("SELECT author_id FROM annotations WHERE annotation LIKE '%phản đối mục 3%'")
        .await?
        .first()
        .context("the note's row")?
        .parse()?;
    assert_eq!(author_id, i64::from(author_session_id(&author)?.0));
    leaks("the server's log", server.log_tail())?;
    Ok(())
}

fn author_session_id(seat: &Seat) -> Result<phonghop_protocol::UserId> {
    seat.mirror_view()
        .map(|view| view.user.id)
        .context("the author is logged in")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_keeps_the_later_change_and_refuses_what_does_not_fit_the_document() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let document = upload_draft(&server.login_secretariat().await?, meeting).await?;
    let delegate = server.login_delegate(0).await?;
    let stamped = |colour: &str, changed_at: i64| Annotation {
        changed_at,
        device: "laptop".into(),
        ..highlight("h", &document, colour)
    };
    let sync = |changes: Vec<Annotation>| AnnotationSync { since: 0, changes };
    delegate
        .sync_annotations(meeting, &sync(vec![stamped("#111111", 20)]))
        .await?;
    let answer = delegate
        .sync_annotations(meeting, &sync(vec![stamped("#222222", 10)]))
        .await?;
    let kept: Vec<_> = answer
        .annotations
        .iter()
        .filter_map(|view| view.annotation.as_ref())
        .collect();
    ensure!(
        kept.len() == 1 && kept[0].color == "#111111",
        "an older change replaced a newer: {kept:?}"
    );

    let beyond = Annotation {
        page: 99,
        ..stamped("#333333", 30)
    };
    let no_document = Annotation {
        id: AnnotationId::parse("n")?,
        document_id: phonghop_protocol::DocumentId(999),
        ..stamped("#333333", 30)
    };
    let answer = delegate
        .sync_annotations(meeting, &sync(vec![beyond, no_document]))
        .await?;
    let reasons: Vec<_> = answer.refused.iter().map(|refused| refused.reason.clone()).collect();
    ensure!(reasons.len() == 2, "{reasons:?}");
    ensure!(
        reasons[0].contains("no page 100") && reasons[1].contains("no document 999"),
        "{reasons:?}"
    );
    Ok(())
}

/// PDFium's boxes for the text of a page, as the app answers them.
struct Pdfium(phonghop_pdf::PageServer);

impl phonghop_client::carry::PageGeometry for Pdfium {
    fn text_boxes<'a>(
        &'a self,
        pdf: &'a Path,
        page: u32,
        range: std::ops::Range<usize>,
    ) -> futures_util::future::BoxFuture<'a, std::result::Result<Vec<PageRect>, String>> {
        Box::pin(async move {
            let found = self
                .0
                .text_boxes(pdf, page, range)
                .await
                .map_err(|error| error.to_string())?;
            Ok(found.runs.into_iter().map(PageRect::from).collect())
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn annotations_are_carried_onto_the_next_revision_or_listed_never_lost() -> Result<()> {
    use phonghop_client::packet::PacketState;
    use phonghop_core::anchoring::quote_at;

    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let draft = upload_draft(&secretariat, meeting).await?;
    let delegate = server.roster().voters()[1].clone();
    let laptop = tempfile::tempdir()?;
    let seat = seat(laptop.path(), server.url(), &delegate, meeting).await?;
    ensure!(seat.keep_meeting_on_laptop(&mut |_| {}).await?.state == PacketState::Complete);
    let geometry = Pdfium(phonghop_pdf::PageServer::start()?);
    let v1_pdf = seat
        .cached_file(&draft.current.sha256)
        .await?
        .context("v1 on the laptop")?;
    let v1_text = secretariat.document_text(meeting, draft.id).await?.pages[0].clone();

    // Highlights on words of the first draft, made as the reader makes them.
    let words = [
        "Giao Ủy ban nhân dân thành phố tổ chức thực hiện Nghị quyết",
        "Điều 3",
        "năm 2027",
        "DỰ THẢO",
    ];
    let chars: Vec<char> = v1_text.chars().collect();
    let mut made = Vec::new();
    for (index, phrase) in words.iter().enumerate() {
        let wanted: Vec<char> = phrase.chars().collect();
        let start = chars
            .windows(wanted.len())
            .position(|window| window == wanted.as_slice())
            .with_context(|| format!("v1 says {phrase:?}"))?;
        let range = start..start + wanted.len();
        let rects: Vec<PageRect> = geometry
            .0
            .text_boxes(&v1_pdf, 0, range.clone())
            .await?
            .runs
            .into_iter()
            .map(PageRect::from)
            .collect();
        let annotation = Annotation {
            body: AnnotationBody::Highlight {
                rects,
                quote: quote_at(&v1_text, range),
            },
            ..highlight(&format!("mark-{index}"), &draft, "#ffd400")
        };
        made.push(seat.save_annotation(annotation).await?);
    }
    // A note beside Điều 3, holding on to those words: it moves with them.
    let article_3: Vec<char> = "Điều 3".chars().collect();
    let at = chars
        .windows(article_3.len())
        .position(|window| window == article_3.as_slice())
        .context("v1 has an Điều 3")?;
    let beside = geometry.0.text_boxes(&v1_pdf, 0, at..at + article_3.len()).await?.runs[0].clone();
    made.push(
        seat.save_annotation(Annotation {
            body: AnnotationBody::Note {
                at: PagePoint {
                    x: beside.left - 0.05,
                    y: beside.top,
                },
                text: "Hỏi về thời hạn".into(),
                near: Some(quote_at(&v1_text, at..at + article_3.len())),
            },
            ..highlight("note-3", &draft, "#ffd400")
        })
        .await?,
    );
    // A stroke in the margin, holding on to no words.
    made.push(
        seat.save_annotation(Annotation {
            body: AnnotationBody::Ink {
                strokes: vec![vec![PagePoint { x: 0.05, y: 0.5 }, PagePoint { x: 0.06, y: 0.6 }]],
                width: 0.004,
                highlighter: false,
                near: None,
            },
            ..highlight("margin-ink", &draft, "#e6194b")
        })
        .await?,
    );

    // The secretariat sends the second draft.
    let v2 = std::fs::read(vietnamese_document("du-thao-nghi-quyet-v2.pdf"))?;
    secretariat
        .upload_revision(meeting, draft.id, "du-thao-nghi-quyet-v2.pdf", v2)
        .await?;
    let mut mirror = seat.open_meeting(meeting).await?;
    wait_for(&mut mirror, "the second draft", |mirror| {
        mirror
            .state
            .as_ref()
            .and_then(|state| state.document(draft.id))
            .is_some_and(|document| document.current.revision == 2)
    })
    .await?;
    ensure!(seat.keep_meeting_on_laptop(&mut |_| {}).await?.state == PacketState::Complete);

    let carried = seat.carry_annotations(&geometry).await?;
    assert_eq!(
        carried.placed + carried.unplaced,
        made.len(),
        "{carried:?}: every annotation placed or listed"
    );
    let on_v2: Vec<Annotation> = seat
        .annotations(draft.id)
        .await?
        .into_iter()
        .map(|shown| shown.annotation)
        .filter(|annotation| annotation.revision == 2)
        .collect();
    let unplaced = seat.unplaced_annotations(draft.id).await?;
    assert_eq!(on_v2.len(), carried.placed);
    assert_eq!(unplaced.len(), carried.unplaced);
    // An unchanged article's words are marked again, on the same words.
    let article_2 = on_v2
        .iter()
        .find(|annotation| annotation.carried_from.as_ref().map(AnnotationId::as_str) == Some("mark-0"))
        .context("the highlight in Điều 2 was carried")?;
    match &article_2.body {
        AnnotationBody::Highlight { rects, quote } => {
            ensure!(quote.exact.contains("Giao Ủy ban nhân dân"), "{quote:?}");
            ensure!(!rects.is_empty(), "no boxes");
        }
        other => anyhow::bail!("carried as {other:?}"),
    }
    // The note stands beside Điều 3 in the second draft, wherever that moved.
    let v2_pdf = seat
        .cached_file(
            &seat
                .mirror_view()
                .context("followed")?
                .state
                .context("state")?
                .document(draft.id)
                .context("draft")?
                .current
                .sha256,
        )
        .await?
        .context("v2 on the laptop")?;
    let v2_text = secretariat.document_text(meeting, draft.id).await?.pages[0].clone();
    let v2_chars: Vec<char> = v2_text.chars().collect();
    let at_v2 = v2_chars
        .windows(article_3.len())
        .position(|window| window == article_3.as_slice())
        .context("v2 has an Điều 3")?;
    let beside_v2 = geometry
        .0
        .text_boxes(&v2_pdf, 0, at_v2..at_v2 + article_3.len())
        .await?
        .runs[0]
        .clone();
    println!(
        "Điều 3 moved from {:?} to {:?}",
        (beside.left, beside.top),
        (beside_v2.left, beside_v2.top)
    );
    let note = on_v2
        .iter()
        .find(|annotation| annotation.carried_from.as_ref().map(AnnotationId::as_str) == Some("note-3"))
        .context("the note beside Điều 3 was carried")?;
    match &note.body {
        AnnotationBody::Note { at, near, .. } => {
            ensure!(
                (at.x - (beside_v2.left - 0.05)).abs() < 0.002 && (at.y - beside_v2.top).abs() < 0.002,
                "the note is at {at:?}, Điều 3 at {beside_v2:?}"
            );
            ensure!(near.as_ref().is_some_and(|quote| quote.exact == "Điều 3"), "{near:?}");
        }
        other => anyhow::bail!("carried as {other:?}"),
    }
    // The annotations of the first draft stay where they were.
    let on_v1 = seat
        .annotations(draft.id)
        .await?
        .into_iter()
        .filter(|shown| shown.annotation.revision == 1)
        .count();
    assert_eq!(on_v1, made.len());
    println!(
        "carried onto the second draft: {} placed, {} listed ({:?})",
        carried.placed,
        carried.unplaced,
        unplaced
            .iter()
            .map(|item| (item.annotation.id.to_string(), item.reason))
            .collect::<Vec<_>>()
    );

    // Once is enough: another round carries nothing, and a second laptop of the same person
    // merges the carried copies instead of making its own.
    assert_eq!(seat.carry_annotations(&geometry).await?, Default::default());
    seat.sync_annotations().await?;
    let other_laptop = tempfile::tempdir()?;
    let other = seat_with_packet(other_laptop.path(), server.url(), &delegate, meeting).await?;
    other.sync_annotations().await?;
    let again = other.carry_annotations(&geometry).await?;
    assert_eq!(again.placed, 0, "the other laptop made copies of its own");
    let count_v2 = other
        .annotations(draft.id)
        .await?
        .iter()
        .filter(|shown| shown.annotation.revision == 2)
        .count();
    assert_eq!(count_v2, carried.placed);
    Ok(())
}

async fn seat_with_packet(laptop: &Path, server_url: &str, username: &str, meeting: MeetingId) -> Result<Seat> {
    let seat = seat(laptop, server_url, username, meeting).await?;
    seat.keep_meeting_on_laptop(&mut |_| {}).await?;
    Ok(seat)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_strokes_saved_while_syncs_run_is_all_kept_and_all_reaches_the_server() -> Result<()> {
    let server = TestServer::start(1).await?;
    let meeting = server.meeting_id();
    let document = upload_draft(&server.login_secretariat().await?, meeting).await?;
    let delegate = server.roster().voters()[1].clone();
    let laptop = tempfile::tempdir()?;
    let seat = std::sync::Arc::new(seat(laptop.path(), server.url(), &delegate, meeting).await?);
    const STROKES: usize = 200;
    for index in 0..STROKES {
        let stroke = (0..40)
            .map(|step| PagePoint {
                x: 0.1 + step as f32 * 0.01,
                y: 0.1 + index as f32 * 0.004,
            })
            .collect();
        seat.save_annotation(Annotation {
            body: AnnotationBody::Ink {
                strokes: vec![stroke],
                width: 0.003,
                highlighter: false,
                near: None,
            },
            ..highlight(&format!("stroke-{index}"), &document, "#1e64c8")
        })
        .await?;
        // As the app does after every save: a sync in the background, never two at once.
        let syncing = seat.clone();
        tokio::spawn(async move { syncing.sync_annotations_soon().await });
    }
    seat.sync_annotations().await?;
    ensure!(seat.annotations(document.id).await?.len() == STROKES);
    let other_laptop = tempfile::tempdir()?;
    let other = seat_in_new_laptop(other_laptop.path(), server.url(), &delegate, meeting).await?;
    let received = other.annotations(document.id).await?.len();
    assert_eq!(received, STROKES, "every stroke reached the server");
    Ok(())
}

async fn seat_in_new_laptop(laptop: &Path, server_url: &str, username: &str, meeting: MeetingId) -> Result<Seat> {
    let seat = seat(laptop, server_url, username, meeting).await?;
    seat.sync_annotations().await?;
    Ok(seat)
}
