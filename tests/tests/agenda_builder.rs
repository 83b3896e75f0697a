//! The secretariat's work on a real server: an account allowed to create meetings makes one (a
//! delegate may not, and being a meeting's secretariat is no power over another meeting); an
//! agenda with sub-items is built, moved, pruned and published while a councillor's app follows
//! it, and it survives `kill -9`; a councillors file is previewed line by line, refused whole
//! while a line is wrong, then imported — new accounts log in with the initial password.

use std::time::Duration;

use anyhow::{bail, Result};
use phonghop_client::Session;
use phonghop_journeys::{next_event, start_synced, TestServer};
use phonghop_protocol::http::{
    AddMemberRequest, CreateMeetingRequest, ImportMembersRequest, ImportOutcome, ImportProblem, LoginResponse,
};
use phonghop_protocol::{Command, ErrorCode, ItemId, MeetingId, MeetingKind, Role};

fn code_of<T: std::fmt::Debug>(result: std::result::Result<T, phonghop_client::ClientError>) -> Result<ErrorCode> {
    match result {
        Ok(kept) => bail!("accepted: {kept:?}"),
        Err(error) => Ok(error.code().unwrap_or(ErrorCode::Internal)),
    }
}

/// The agenda as `(id, parent, title)` in order, from a fresh snapshot.
async fn agenda(session: &Session, meeting: MeetingId) -> Result<Vec<(u32, Option<u32>, String)>> {
    let snapshot = session.snapshot(meeting).await?;
    Ok(snapshot
        .state
        .items
        .iter()
        .map(|item| (item.id.0, item.parent.map(|parent| parent.0), item.title.clone()))
        .collect())
}

fn add(title: &str, parent: Option<u32>) -> Command {
    Command::AddAgendaItem {
        title: title.into(),
        description: String::new(),
        parent: parent.map(ItemId),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secretariat_builds_an_agenda_with_sub_items_and_imports_the_councillors() -> Result<()> {
    let mut server = TestServer::start(2).await?;
    let secretariat = server.login_secretariat().await?;
    let delegate = server.login_delegate(0).await?;

    // Who may create meetings: the secretariat's account (from the councillors file), not a
    // delegate's; neither is the council office.
    let login: LoginResponse = server
        .http()
        .post(format!("{}/api/login", server.url()))
        .json(&serde_json::json!({"username": server.roster().secretariat, "password": phonghop_journeys::PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    assert!(login.may_create_meetings && !login.is_admin, "{login:?}");
    let request = CreateMeetingRequest {
        title: "Kỳ họp chuyên đề".into(),
        location: "Hội trường".into(),
        starts_at: "2027-01-15 08:00".into(),
        kind: Some(MeetingKind::CouncilSitting),
    };
    assert_eq!(code_of(delegate.create_meeting(&request).await)?, ErrorCode::Forbidden);
    let meeting = secretariat.create_meeting(&request).await?;
    assert_eq!(meeting.role, Role::Secretariat);
    let meeting = meeting.id;
    let chair = server.login_chair().await?;
    assert_eq!(
        code_of(chair.create_meeting(&request).await)?,
        ErrorCode::Forbidden,
        "a chair's account may not create meetings"
    );

    // The councillors file: previewed, refused whole while a line is wrong.
    let bad_file = "ma_dai_bieu,ho_ten,chuc_vu,don_vi,vai_tro\n\
                    DB001,Nguyễn Văn An,Chủ tịch HĐND,Phường 1,chu_toa\n\
                    DB003,Trần Thị Bình,Đại biểu HĐND,Phường 2,dai_bieu\n\
                    DB901,,Đại biểu HĐND,Phường 3,dai_bieu\n\
                    DB902,Lê Văn Cường,Đại biểu HĐND,Phường 4,khach_moi\n\
                    DB903,Phạm Thị Dung,Đại biểu HĐND,Phường 5,dai_bieu\n";
    let preview = secretariat
        .import_members(
            meeting,
            &ImportMembersRequest {
                csv: bad_file.into(),
                initial_password: "mat-khau-ban-dau".into(),
                commit: true,
            },
        )
        .await?;
    assert!(!preview.committed);
    assert_eq!(preview.problems, 2);
    let lines: Vec<(u32, ImportOutcome, Option<ImportProblem>)> = preview
        .rows
        .iter()
        .map(|row| (row.line, row.outcome, row.problem.clone()))
        .collect();
    assert_eq!(
        lines,
        vec![
            (2, ImportOutcome::NewMember, None),
            (3, ImportOutcome::NewMember, None),
            (4, ImportOutcome::Problem, Some(ImportProblem::MissingName)),
            (
                5,
                ImportOutcome::Problem,
                Some(ImportProblem::UnknownRole {
                    given: "khach_moi".into()
                })
            ),
            (6, ImportOutcome::NewAccount, None),
        ]
    );
    assert_eq!(
        preview.rows[1]
            .existing_name
            .as_deref()
            .map(|name| name != "Trần Thị Bình"),
        Some(true)
    );
    assert!(
        server.login("db903").await.is_err(),
        "nothing was saved while lines were wrong"
    );
    // A delegate of the meeting may not import; a stranger learns nothing.
    let good_file = "ma_dai_bieu,ho_ten,chuc_vu,don_vi,vai_tro\n\
                     DB001,Nguyễn Văn An,Chủ tịch HĐND,Phường 1,chu_toa\n\
                     DB003,Trần Thị Bình,Đại biểu HĐND,Phường 2,dai_bieu\n\
                     DB004,Vũ Thị Giang,Chuyên viên,Văn phòng,thu_ky\n\
                     DB903,Phạm Thị Dung,Đại biểu HĐND,Phường 5,dai_bieu\n";
    let import = |commit: bool, password: &str| ImportMembersRequest {
        csv: good_file.into(),
        initial_password: password.into(),
        commit,
    };
    assert_eq!(
        code_of(delegate.import_members(meeting, &import(false, "")).await)?,
        ErrorCode::NotFound
    );
    assert_eq!(
        code_of(secretariat.import_members(meeting, &import(true, "ngan")).await)?,
        ErrorCode::InvalidCommand,
        "an initial password of 4 characters"
    );
    let done = secretariat
        .import_members(meeting, &import(true, "mat-khau-ban-dau"))
        .await?;
    assert!(done.committed && done.problems == 0, "{done:?}");
    let newcomer = Session::login(server.url(), "db903", "mat-khau-ban-dau").await?;
    let seen = newcomer.meetings().await?;
    assert_eq!(
        seen.iter()
            .map(|summary| (summary.id, summary.role))
            .collect::<Vec<_>>(),
        vec![(meeting, Role::Delegate)]
    );
    let again = secretariat.import_members(meeting, &import(false, "")).await?;
    assert!(
        again.rows.iter().all(|row| row.outcome == ImportOutcome::Unchanged),
        "{again:?}"
    );
    let delegate_there = server.login_delegate(0).await?;
    assert_eq!(
        code_of(delegate_there.import_members(meeting, &import(false, "")).await)?,
        ErrorCode::Forbidden
    );

    // db004 is now this meeting's secretariat and still a delegate of the first meeting: a
    // secretariat here, no power there, and no right to create meetings.
    let second_secretariat = server.login_delegate(1).await?;
    let add_member = AddMemberRequest {
        username: "db903".into(),
        role: Role::Delegate,
    };
    second_secretariat.add_member(meeting, &add_member).await?;
    assert_eq!(
        code_of(second_secretariat.add_member(server.meeting_id(), &add_member).await)?,
        ErrorCode::Forbidden
    );
    assert_eq!(
        code_of(
            second_secretariat
                .import_members(server.meeting_id(), &import(false, ""))
                .await
        )?,
        ErrorCode::Forbidden
    );
    assert_eq!(
        code_of(second_secretariat.create_meeting(&request).await)?,
        ErrorCode::Forbidden
    );

    // The agenda, followed live by the newcomer's app.
    let follower = start_synced(newcomer.clone(), meeting).await?;
    let mut events = follower.events();
    for command in [
        add("Khai mạc", None),
        add("Báo cáo kinh tế - xã hội", None),
        add("Báo cáo của UBND", Some(2)),
        add("Báo cáo thẩm tra", Some(2)),
        add("Mục nhầm", None),
        add("Bế mạc", None),
    ] {
        secretariat.command(meeting, &command).await?;
    }
    secretariat
        .command(
            meeting,
            &Command::MoveAgendaItem {
                item_id: ItemId(4),
                parent: Some(ItemId(2)),
                index: 0,
            },
        )
        .await?;
    secretariat
        .command(meeting, &Command::RemoveAgendaItem { item_id: ItemId(5) })
        .await?;
    assert_eq!(
        code_of(
            secretariat
                .command(meeting, &Command::RemoveAgendaItem { item_id: ItemId(2) })
                .await
        )?,
        ErrorCode::InvalidCommand,
        "an item with sub-items stays"
    );
    assert_eq!(
        code_of(newcomer.command(meeting, &Command::PublishAgenda).await)?,
        ErrorCode::Forbidden
    );
    secretariat.command(meeting, &Command::PublishAgenda).await?;
    let expected = vec![
        (1, None, "Khai mạc".to_owned()),
        (2, None, "Báo cáo kinh tế - xã hội".to_owned()),
        (4, Some(2), "Báo cáo thẩm tra".to_owned()),
        (3, Some(2), "Báo cáo của UBND".to_owned()),
        (6, None, "Bế mạc".to_owned()),
    ];
    assert_eq!(agenda(&secretariat, meeting).await?, expected);
    // The app's mirror follows every change, in order, to the same agenda.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let mirror = follower.mirror().borrow().clone();
        if mirror.state.as_ref().is_some_and(|state| state.agenda_published) {
            let state = mirror.state.expect("checked");
            let shown: Vec<(u32, Option<u32>, String)> = state
                .items
                .iter()
                .map(|item| (item.id.0, item.parent.map(|parent| parent.0), item.title.clone()))
                .collect();
            assert_eq!(shown, expected);
            break;
        }
        if tokio::time::Instant::now() > deadline {
            bail!("the app never saw the agenda published");
        }
        next_event(&mut events, "the agenda's changes").await?;
    }
    drop(follower);

    // kill -9: the same agenda, published; a new item takes id 7 (the removed 5 is never reused).
    server.kill().await?;
    server.restart().await?;
    let secretariat = server.login_secretariat().await?;
    assert_eq!(agenda(&secretariat, meeting).await?, expected);
    assert!(secretariat.snapshot(meeting).await?.state.agenda_published);
    secretariat.command(meeting, &add("Chất vấn", Some(6))).await?;
    let after = agenda(&secretariat, meeting).await?;
    assert_eq!(after.last(), Some(&(7, Some(6), "Chất vấn".to_owned())));
    Ok(())
}
