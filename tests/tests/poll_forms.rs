//! Polls of every form on a real server: an election of 2 of 3 decided candidate by candidate
//! (a tie for the last seat, then a changed ballot that breaks it), options, yes/no per
//! candidate, and a secret confidence vote with a result per person; ballots that do not fit
//! their poll are refused with a clear reason; everything holds across `kill -9`.

use anyhow::{bail, Context, Result};
use futures_util::future::try_join_all;
use phonghop_client::Session;
use phonghop_journeys::{collapsed, new_item, TestServer};
use phonghop_protocol::{
    BallotForm, Choice, Command, CommandResult, ErrorCode, ItemId, LineOutcome, MeetingId, Outcome, Poll, PollId,
    Secrecy,
};

/// Delegates besides the chair: seven voters, more than half of whom is 4.
const DELEGATES: usize = 6;

fn names(names: &[&str]) -> Vec<String> {
    names.iter().map(|name| name.to_string()).collect()
}

async fn open(
    chair: &Session,
    meeting: MeetingId,
    item_id: ItemId,
    ballot: BallotForm,
    secrecy: Secrecy,
    changeable: bool,
) -> Result<PollId> {
    chair
        .command(
            meeting,
            &Command::OpenPoll {
                ballot: Some(ballot),
                item_id,
                title: "Bầu cử".into(),
                rule: None,
                preset: Some("resolution".into()),
                secrecy: Some(secrecy),
                changeable: Some(changeable),
                quorum_override: None,
                duration_seconds: None,
            },
        )
        .await?;
    let state = chair.snapshot(meeting).await?.state;
    state.polls.last().map(|poll| poll.id).context("the poll just opened")
}

fn pdftotext(pdf: &[u8]) -> Result<String> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bien-ban.pdf");
    std::fs::write(&path, pdf)?;
    let output = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .context("pdftotext (install poppler-utils: cargo xtask setup)")?;
    anyhow::ensure!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    Ok(String::from_utf8(output.stdout)?)
}

async fn poll(session: &Session, meeting: MeetingId, poll_id: PollId) -> Result<Poll> {
    let state = session.snapshot(meeting).await?.state;
    state
        .polls
        .into_iter()
        .find(|poll| poll.id == poll_id)
        .context("the poll")
}

async fn refusal(session: &Session, meeting: MeetingId, command: &Command) -> Result<(ErrorCode, String)> {
    match session.command(meeting, command).await {
        Ok(answer) => bail!("{command:?} was carried out: {answer:?}"),
        Err(error) => Ok((error.code().unwrap_or(ErrorCode::Internal), error.to_string())),
    }
}

async fn cast_all(voters: &[Session], meeting: MeetingId, poll_id: PollId, ballots: &[Vec<u8>]) -> Result<()> {
    try_join_all(voters.iter().zip(ballots).map(|(voter, marks)| async move {
        let marks = marks.clone();
        match voter.command(meeting, &Command::CastMarks { poll_id, marks }).await? {
            CommandResult::BallotRecorded { .. } => Ok(()),
            other => bail!("expected a ballot recorded, got {other:?}"),
        }
    }))
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_election_is_decided_candidate_by_candidate_and_a_changed_ballot_breaks_a_tie() -> Result<()> {
    let mut server = TestServer::start(DELEGATES).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let item = new_item(&secretariat, meeting, "Bầu Ủy viên Ủy ban nhân dân").await?;
    let voters = try_join_all(server.roster().voters().iter().map(|name| server.login(name))).await?;
    let chair = &voters[0];
    let election = BallotForm::Election {
        candidates: names(&["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]),
        seats: 2,
    };
    let poll_id = open(chair, meeting, item, election, Secrecy::Named, true).await?;

    // Ballots that do not fit the poll are refused, each with its reason.
    for (command, reason) in [
        (
            Command::CastBallot {
                poll_id,
                choice: Choice::Yes,
            },
            "cast_marks",
        ),
        (
            Command::CastMarks {
                poll_id,
                marks: vec![1, 0],
            },
            "2 marks for a ballot of 3 lines",
        ),
        (
            Command::CastMarks {
                poll_id,
                marks: vec![1, 1, 1],
            },
            "at most 2",
        ),
        (
            Command::CastMarks {
                poll_id,
                marks: vec![0, 2, 0],
            },
            "mark 2",
        ),
    ] {
        let (code, message) = refusal(&voters[1], meeting, &command).await?;
        assert_eq!(code, ErrorCode::InvalidCommand, "{command:?}: {message}");
        assert!(
            message.contains(reason),
            "{command:?}: {message:?} should say {reason:?}"
        );
    }

    // An 6, Bình 4, Cường 4: both reach more than half of 7, so they tie for the second seat.
    let ballots = [
        vec![1, 1, 0],
        vec![1, 1, 0],
        vec![1, 0, 1],
        vec![1, 0, 1],
        vec![1, 1, 0],
        vec![1, 0, 1],
        vec![0, 1, 1],
    ];
    cast_all(&voters, meeting, poll_id, &ballots).await?;
    let open_poll = poll(chair, meeting, poll_id).await?;
    assert_eq!(open_poll.tally.counts, vec![vec![1, 6], vec![3, 4], vec![3, 4]]);
    assert_eq!(open_poll.tally.cast(), 7);

    // The last voter changes their ballot to Bình alone: Cường falls to 3, not more than half.
    let changed = voters[6]
        .command(
            meeting,
            &Command::CastMarks {
                poll_id,
                marks: vec![0, 1, 0],
            },
        )
        .await?;
    assert_eq!(
        changed,
        CommandResult::BallotRecorded {
            poll_id,
            choice: None,
            marks: Some(vec![0, 1, 0])
        }
    );
    let mine = voters[6].snapshot(meeting).await?.my_ballots;
    assert_eq!(mine[0].marks, Some(vec![0, 1, 0]), "{mine:?}");
    chair.command(meeting, &Command::ClosePoll { poll_id }).await?;
    let closed = poll(chair, meeting, poll_id).await?;
    assert_eq!(closed.tally.counts, vec![vec![1, 6], vec![3, 4], vec![4, 3]]);
    assert_eq!(
        (closed.outcome, closed.line_outcomes.clone()),
        (
            Some(Outcome::Passed),
            vec![LineOutcome::Reached, LineOutcome::Reached, LineOutcome::NotReached]
        )
    );

    // The signed record states each candidate's counts and result, and who chose whom.
    let pdf = chair.poll_record(meeting, poll_id, "pdf").await?;
    let csv = String::from_utf8(chair.poll_record(meeting, poll_id, "csv").await?)?;
    let key = Session::record_key(server.url()).await?;
    for bytes in [pdf.as_slice(), csv.as_bytes()] {
        phonghop_record::verify(bytes, Some(&key.public_key)).map_err(|error| anyhow::anyhow!("{error}"))?;
    }
    let text = collapsed(&pdftotext(&pdf)?);
    for expected in [
        "Bầu cử (chọn tối đa 2 trong 3)",
        "Lê Văn Cường",
        "Không trúng cử",
        "2 NGƯỜI TRÚNG CỬ",
    ] {
        assert!(text.contains(expected), "the record lacks {expected:?}:\n{text}");
    }
    for row in ["dong_1_bau,6", "dong_3_bau,3", "dong_3_ket_qua,Không trúng cử"] {
        assert!(csv.contains(row), "the CSV lacks {row:?}:\n{csv}");
    }

    // The same after kill -9: counts, results, and each voter's marks.
    server.kill().await?;
    server.restart().await?;
    let chair = server.login_chair().await?;
    assert_eq!(poll(&chair, meeting, poll_id).await?, closed);
    let again = server.login(&server.roster().voters()[6]).await?;
    assert_eq!(again.snapshot(meeting).await?.my_ballots[0].marks, Some(vec![0, 1, 0]));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_yes_no_per_candidate_and_a_secret_confidence_vote_each_get_a_result_per_line() -> Result<()> {
    let server = TestServer::start(DELEGATES).await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let item = new_item(&secretariat, meeting, "Các nội dung biểu quyết khác").await?;
    let voters = try_join_all(server.roster().voters().iter().map(|name| server.login(name))).await?;
    let chair = &voters[0];

    // A form that cannot be voted on is refused before the poll opens.
    let (code, message) = refusal(
        chair,
        meeting,
        &Command::OpenPoll {
            ballot: Some(BallotForm::Election {
                candidates: names(&["Nguyễn Văn An"]),
                seats: 2,
            }),
            item_id: item,
            title: "Bầu cử".into(),
            rule: None,
            preset: None,
            secrecy: None,
            changeable: None,
            quorum_override: None,
            duration_seconds: None,
        },
    )
    .await?;
    assert_eq!(code, ErrorCode::InvalidCommand, "{message}");
    assert!(message.contains("2 to choose of 1 lines"), "{message}");

    // Options, one to choose: Phương án 2 has 5 of 7, more than half; 1 has 2.
    let options = BallotForm::Options {
        options: names(&["Phương án 1", "Phương án 2", "Phương án 3"]),
        max_picks: 1,
    };
    let options_poll = open(chair, meeting, item, options, Secrecy::Named, false).await?;
    let picks: Vec<Vec<u8>> = [0, 1, 1, 1, 0, 1, 1]
        .iter()
        .map(|pick| {
            let mut marks = vec![0, 0, 0];
            marks[*pick] = 1;
            marks
        })
        .collect();
    cast_all(&voters, meeting, options_poll, &picks).await?;
    chair
        .command(meeting, &Command::ClosePoll { poll_id: options_poll })
        .await?;
    let closed = poll(chair, meeting, options_poll).await?;
    assert_eq!(
        closed.line_outcomes,
        vec![LineOutcome::NotReached, LineOutcome::Reached, LineOutcome::NotReached]
    );

    // Yes or no per candidate, one seat: An has 4 đồng ý of 7, Bình 3.
    let yes_no = BallotForm::YesNoEach {
        candidates: names(&["Nguyễn Văn An", "Trần Thị Bình"]),
        seats: 1,
    };
    let yes_no_poll = open(chair, meeting, item, yes_no, Secrecy::Named, false).await?;
    let ballots = [[0, 1], [0, 1], [0, 2], [0, 1], [1, 0], [1, 0], [2, 0]].map(|marks| marks.to_vec());
    cast_all(&voters, meeting, yes_no_poll, &ballots).await?;
    chair
        .command(meeting, &Command::ClosePoll { poll_id: yes_no_poll })
        .await?;
    let closed = poll(chair, meeting, yes_no_poll).await?;
    assert_eq!(closed.tally.counts, vec![vec![4, 2, 1], vec![3, 3, 1]]);
    assert_eq!(
        closed.line_outcomes,
        vec![LineOutcome::Reached, LineOutcome::NotReached]
    );

    // A secret confidence vote on two people: turnout only while open; at the close each
    // person's counts, and whether more than half of all rated them low (Bình: 4 of 7).
    let confidence = BallotForm::Confidence {
        persons: names(&["Nguyễn Văn An", "Trần Thị Bình"]),
    };
    let confidence_poll = open(chair, meeting, item, confidence, Secrecy::Secret, false).await?;
    let ballots = [[0, 2], [0, 2], [1, 2], [1, 2], [2, 1], [0, 0], [1, 1]].map(|marks| marks.to_vec());
    cast_all(&voters, meeting, confidence_poll, &ballots).await?;
    let open_poll = poll(chair, meeting, confidence_poll).await?;
    assert_eq!(
        (open_poll.tally.sealed, open_poll.tally.counts.clone()),
        (7, vec![vec![0, 0, 0], vec![0, 0, 0]])
    );
    let (code, _) = refusal(
        &voters[1],
        meeting,
        &Command::CastMarks {
            poll_id: confidence_poll,
            marks: vec![0, 0],
        },
    )
    .await?;
    assert_eq!(code, ErrorCode::AlreadyVoted, "a secret ballot cannot be cast twice");
    chair
        .command(
            meeting,
            &Command::ClosePoll {
                poll_id: confidence_poll,
            },
        )
        .await?;
    let closed = poll(chair, meeting, confidence_poll).await?;
    assert_eq!(closed.tally.counts, vec![vec![3, 3, 1], vec![1, 2, 4]]);
    assert_eq!(
        (closed.outcome, closed.line_outcomes),
        (
            Some(Outcome::Passed),
            vec![LineOutcome::NotReached, LineOutcome::Reached]
        )
    );
    Ok(())
}
