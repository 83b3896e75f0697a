//! Attendance and the quorum on a real server: following the meeting is not checking in; members
//! check in themselves and the secretariat marks the others with a reason, all in the log; a
//! poll opens without the quorum only with the chair's reason, which the poll keeps; the marks
//! survive `kill -9`.

use anyhow::{bail, ensure, Result};
use phonghop_client::Session;
use phonghop_journeys::{new_item, start_synced, wait_for, ServerOptions, TestServer};
use phonghop_protocol::{
    AttendanceStatus, Command, ErrorCode, Fraction, ItemId, MeetingEvent, MeetingId, PollId, UserId,
};

/// Delegates besides the chair: six voting members, 2/3 of whom is 4.
const DELEGATES: usize = 5;

fn open(item_id: ItemId, quorum_override: Option<&str>) -> Command {
    Command::OpenPoll {
        ballot: None,
        item_id,
        title: "Biểu quyết chương trình kỳ họp".into(),
        rule: None,
        preset: None,
        secrecy: None,
        changeable: None,
        quorum_override: quorum_override.map(str::to_owned),
        duration_seconds: None,
    }
}

async fn refused(session: &Session, meeting: MeetingId, command: &Command) -> Result<ErrorCode> {
    match session.command(meeting, command).await {
        Ok(answer) => bail!("{command:?} was carried out: {answer:?}"),
        Err(error) => Ok(error.code().unwrap_or(ErrorCode::Internal)),
    }
}

/// The meeting's log as the database keeps it.
async fn logged_events(server: &TestServer, meeting: MeetingId) -> Result<Vec<MeetingEvent>> {
    let payloads = server
        .sql_texts(&format!(
            "SELECT payload FROM events WHERE meeting_id = {} ORDER BY seq",
            meeting.0
        ))
        .await?;
    Ok(payloads
        .iter()
        .map(|payload| serde_json::from_str(payload))
        .collect::<Result<_, _>>()?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_check_in_the_secretariat_marks_and_a_poll_opens_without_quorum_only_with_a_reason() -> Result<()> {
    let mut server = TestServer::start_with(ServerOptions {
        everyone_present: false,
        ..ServerOptions::with_delegates(DELEGATES)
    })
    .await?;
    let meeting = server.meeting_id();
    let secretariat = server.login_secretariat().await?;
    let item_id = new_item(&secretariat, meeting, "Thông qua chương trình kỳ họp").await?;
    let chair = server.login_chair().await?;
    let delegates: Vec<Session> =
        futures_util::future::try_join_all((0..DELEGATES).map(|index| server.login_delegate(index))).await?;

    // Following the meeting live is not checking in.
    let follower = start_synced(server.login_delegate(0).await?, meeting).await?;
    let view = chair.attendance(meeting).await?;
    assert_eq!(
        view.members.len(),
        DELEGATES + 2,
        "the chair, the secretariat and the delegates"
    );
    assert!(view.members.iter().all(|member| member.status.is_none()), "{view:?}");
    assert_eq!(
        (
            view.quorum.voting_members,
            view.quorum.present,
            view.quorum.needed,
            view.quorum.reached
        ),
        (6, 0, 4, false)
    );
    assert_eq!(
        view.quorum.quorum,
        Some(Fraction::new(2, 3)),
        "a council sitting's default"
    );
    assert_eq!(
        refused(&chair, meeting, &open(item_id, None)).await?,
        ErrorCode::NoQuorum
    );

    // The chair and two delegates check in; the secretariat marks a third absent with leave.
    chair.command(meeting, &Command::CheckIn).await?;
    for delegate in &delegates[..2] {
        delegate.command(meeting, &Command::CheckIn).await?;
    }
    let away = delegates[2].user.id;
    secretariat
        .command(
            meeting,
            &Command::SetAttendance {
                user_id: away,
                status: AttendanceStatus::Excused,
                reason: "Đi công tác tỉnh".into(),
            },
        )
        .await?;
    // A councillor may not mark another.
    let mark_other = Command::SetAttendance {
        user_id: delegates[3].user.id,
        status: AttendanceStatus::Present,
        reason: String::new(),
    };
    assert_eq!(
        refused(&delegates[0], meeting, &mark_other).await?,
        ErrorCode::Forbidden
    );

    let view = secretariat.attendance(meeting).await?;
    assert_eq!((view.quorum.present, view.quorum.reached), (3, false));
    let marked = view
        .members
        .iter()
        .find(|member| member.user.id == away)
        .expect("the member away");
    assert_eq!(
        (marked.status, marked.reason.as_str()),
        (Some(AttendanceStatus::Excused), "Đi công tác tỉnh")
    );
    // Everyone following sees each mark as it is made, with who made it.
    let mirror = wait_for(&mut follower.mirror(), "the marks in the follower's mirror", |mirror| {
        mirror.state.as_ref().is_some_and(|state| state.attendance.len() == 4)
    })
    .await?;
    let state = mirror.state.expect("a state");
    assert!(state
        .attendance
        .iter()
        .any(|entry| entry.user_id == away && entry.status == AttendanceStatus::Excused));
    let marks: Vec<(UserId, UserId)> = logged_events(&server, meeting)
        .await?
        .into_iter()
        .filter_map(|event| match event {
            MeetingEvent::AttendanceSet { attendance, by } => Some((attendance.user_id, by)),
            _ => None,
        })
        .collect();
    assert_eq!(marks.len(), 4, "every check-in and mark is in the log: {marks:?}");
    assert!(
        marks.contains(&(away, secretariat.user.id)),
        "the log says who marked: {marks:?}"
    );

    // Without the quorum: the secretariat cannot override; the chair can, with a reason.
    assert_eq!(
        refused(&secretariat, meeting, &open(item_id, Some("Cần gấp"))).await?,
        ErrorCode::Forbidden
    );
    assert_eq!(
        refused(&chair, meeting, &open(item_id, Some("  "))).await?,
        ErrorCode::NoQuorum
    );
    chair
        .command(
            meeting,
            &open(item_id, Some("Biểu quyết thủ tục, hai đại biểu đang đến")),
        )
        .await?;
    let poll = chair.snapshot(meeting).await?.state.polls[0].clone();
    assert_eq!(
        poll.quorum_override.as_deref(),
        Some("Biểu quyết thủ tục, hai đại biểu đang đến")
    );
    chair.command(meeting, &Command::ClosePoll { poll_id: poll.id }).await?;

    // One more checks in: 4 of 6 is the quorum, and a poll opens with no reason needed.
    delegates[3].command(meeting, &Command::CheckIn).await?;
    ensure!(chair.attendance(meeting).await?.quorum.reached, "4 of 6 reach 2/3");
    chair.command(meeting, &open(item_id, None)).await?;
    let second = chair.snapshot(meeting).await?.state.polls[1].clone();
    assert_eq!((second.id, second.quorum_override), (PollId(2), None));

    // The secretariat lowers the meeting's quorum to half; everything survives kill -9.
    secretariat
        .command(
            meeting,
            &Command::SetMeetingQuorum {
                quorum: Some(Fraction::new(1, 2)),
            },
        )
        .await?;
    let before = secretariat.attendance(meeting).await?;
    server.restart().await?;
    let after = server.login_secretariat().await?.attendance(meeting).await?;
    assert_eq!(after, before, "the marks and the quorum survive the kill");
    assert_eq!(
        (after.quorum.quorum, after.quorum.needed, after.quorum.present),
        (Some(Fraction::new(1, 2)), 3, 4)
    );
    Ok(())
}
