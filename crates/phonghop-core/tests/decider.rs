//! The decider as tables: who asks what of a meeting, and the facts or the refusal that follow.
//! No I/O: a model built by hand, [`decide`] and [`MeetingModel::apply`].

use phonghop_core::{
    command_result, decide, decide_at, presets, Actor, Fact, IndexedPage, MeetingModel, NewDocument, NewFile,
    NewRevision, Request,
};
use phonghop_protocol::{
    AttendanceStatus, Base, Choice, Command, CommandResult, Comparison, DocumentId, ErrorCode, Fraction, ItemId,
    LegalSource, MajorityRule, Meeting, MeetingEvent, MeetingId, MeetingKind, Outcome, PollId, PollState, Role,
    Secrecy, Sha256, Tally, UserId, Vote,
};

const CHAIR: UserId = UserId(1);
const SECRETARIAT: UserId = UserId(2);
const DELEGATE: UserId = UserId(3);
const OTHER_DELEGATE: UserId = UserId(4);
const ABSENT_DELEGATE: UserId = UserId(5);
const STRANGER: UserId = UserId(9);

fn actor(user: UserId) -> Actor {
    Actor {
        user,
        name: format!("Đại biểu {user}"),
        is_admin: false,
    }
}

fn admin(user: UserId) -> Actor {
    Actor {
        user,
        name: format!("Văn phòng {user}"),
        is_admin: true,
    }
}

fn command(command: Command) -> Request {
    Request::Command(command)
}

/// Decides and applies, failing the test on a refusal.
fn run(model: &mut MeetingModel, who: Actor, request: Request) -> Vec<Fact> {
    let facts = decide(model, &who, &request).unwrap_or_else(|refusal| panic!("{request:?} refused: {refusal}"));
    facts.iter().for_each(|fact| model.apply(fact));
    facts
}

/// A meeting with a chair, a secretariat and three delegates (two checked in), two agenda items,
/// one open poll on the first and one closed poll.
fn meeting() -> MeetingModel {
    let mut model = MeetingModel::new(Meeting {
        id: MeetingId(1),
        title: "Kỳ họp thứ Mười hai".into(),
        location: String::new(),
        starts_at: String::new(),
        kind: Default::default(),
    });
    let office = admin(UserId(100));
    for (user, role) in [
        (CHAIR, Role::Chair),
        (SECRETARIAT, Role::Secretariat),
        (DELEGATE, Role::Delegate),
        (OTHER_DELEGATE, Role::Delegate),
        (ABSENT_DELEGATE, Role::Delegate),
    ] {
        run(&mut model, office.clone(), Request::SetMember { user, role });
    }
    for user in [CHAIR, DELEGATE, OTHER_DELEGATE] {
        run(&mut model, actor(user), command(Command::CheckIn));
    }
    for title in ["Khai mạc", "Dự thảo Nghị quyết"] {
        run(
            &mut model,
            actor(SECRETARIAT),
            command(Command::AddAgendaItem {
                parent: None,
                title: title.into(),
                description: String::new(),
            }),
        );
    }
    run(&mut model, actor(SECRETARIAT), document(2, "Dự thảo", "du-thao.pdf"));
    for title in ["Biểu quyết lần 1", "Biểu quyết lần 2"] {
        run(&mut model, actor(CHAIR), open_poll(ItemId(1), title));
    }
    run(
        &mut model,
        actor(CHAIR),
        command(Command::ClosePoll { poll_id: PollId(2) }),
    );
    model
}

fn open_poll(item_id: ItemId, title: &str) -> Request {
    command(Command::OpenPoll {
        ballot: None,
        item_id,
        title: title.into(),
        rule: None,
        preset: None,
        secrecy: None,
        changeable: None,
        quorum_override: None,
        duration_seconds: None,
    })
}

fn with_preset(preset: Option<&str>, rule: Option<MajorityRule>) -> Request {
    command(Command::OpenPoll {
        ballot: None,
        item_id: ItemId(2),
        title: "Biểu quyết".into(),
        rule,
        preset: preset.map(str::to_owned),
        secrecy: None,
        changeable: None,
        quorum_override: None,
        duration_seconds: None,
    })
}

fn set_preset(id: &str, law: &str, article: Option<&str>) -> Request {
    let mut preset = presets::defaults(MeetingKind::CouncilSitting)[0].clone();
    preset.id = id.into();
    preset.source = LegalSource {
        law: law.into(),
        article: article.map(str::to_owned),
    };
    command(Command::SetRulePreset { preset })
}

fn mark(user: UserId, status: AttendanceStatus, reason: &str) -> Request {
    command(Command::SetAttendance {
        user_id: user,
        status,
        reason: reason.into(),
    })
}

fn ballot(poll: u32, choice: Choice) -> Request {
    command(Command::CastBallot {
        poll_id: PollId(poll),
        choice,
    })
}

/// A short name for each fact, so a table row can say what it expects.
fn kind(fact: &Fact) -> &'static str {
    match fact {
        Fact::Logged { event, .. } => match event {
            MeetingEvent::AgendaItemAdded { .. } => "item_added",
            MeetingEvent::AgendaItemEdited { .. } => "item_edited",
            MeetingEvent::AgendaReordered { .. } => "reordered",
            MeetingEvent::AgendaItemMoved { .. } => "item_moved",
            MeetingEvent::AgendaItemRemoved { .. } => "item_removed",
            MeetingEvent::AgendaPublished => "agenda_published",
            MeetingEvent::DocumentAdded { .. } => "document_added",
            MeetingEvent::DocumentRevised { .. } => "document_revised",
            MeetingEvent::PollOpened { .. } => "poll_opened",
            MeetingEvent::PollClosed { .. } => "poll_closed",
            MeetingEvent::PollCancelled { .. } => "poll_cancelled",
            MeetingEvent::RulePresetSet { .. } => "preset_set",
            MeetingEvent::RulePresetRemoved { .. } => "preset_removed",
            MeetingEvent::AttendanceSet { .. } => "attendance",
            MeetingEvent::MeetingQuorumSet { .. } => "quorum_set",
            MeetingEvent::CurrentItemSet { .. } => "current_item",
            MeetingEvent::SpeechRequested { .. } => "speech_requested",
            MeetingEvent::SpeechRequestWithdrawn { .. } => "speech_withdrawn",
            MeetingEvent::SpeakersOrdered { .. } => "speakers_ordered",
            MeetingEvent::FloorGranted { .. } => "floor_granted",
            MeetingEvent::SpeechEnded { .. } => "speech_ended",
            MeetingEvent::PresenterSet { .. } => "presenter_set",
            MeetingEvent::PagePresented { .. } => "page_presented",
            MeetingEvent::PresentingStopped => "presenting_stopped",
        },
        Fact::BallotCast { .. } => "ballot",
        Fact::SecretBallotCast { .. } => "secret_ballot",
        Fact::BallotChanged { .. } => "ballot_changed",
        Fact::RollFixed { .. } => "roll",
        Fact::MemberSet { .. } => "member",
        Fact::PagesIndexed { .. } => "pages",
    }
}

enum Expect {
    Facts(&'static [&'static str]),
    Refused(ErrorCode),
}

fn file(file_name: &str, sha_byte: &str) -> NewFile {
    NewFile {
        file_name: file_name.into(),
        sha256: Sha256::parse(&sha_byte.repeat(32)).unwrap(),
        size: 1234,
        pages: vec![IndexedPage {
            width_pt: 595.0,
            height_pt: 842.0,
            text: "Điều 1".into(),
        }],
        original: None,
        unrenderable_pages: vec![],
        changes: None,
    }
}

fn document(item: u32, title: &str, file_name: &str) -> Request {
    Request::AddDocument(NewDocument {
        item_id: ItemId(item),
        title: title.into(),
        file: file(file_name, "ab"),
    })
}

/// A revision of document 1 (revision 1, its file's SHA-256 all `ab`), read against `based_on`.
fn revision(document: u32, based_on: u32, sha_byte: &str) -> Request {
    Request::AddRevision(NewRevision {
        document_id: DocumentId(document),
        based_on,
        file: file("du-thao-v2.pdf", sha_byte),
    })
}

#[test]
fn each_request_is_decided_by_role_and_state() {
    use Expect::*;
    let add = |title: &str| {
        command(Command::AddAgendaItem {
            parent: None,
            title: title.into(),
            description: String::new(),
        })
    };
    let rows: Vec<(&str, Actor, Request, Expect)> = vec![
        (
            "secretariat adds an item",
            actor(SECRETARIAT),
            add("Bế mạc"),
            Facts(&["item_added"]),
        ),
        (
            "chair adds an item",
            actor(CHAIR),
            add("Bế mạc"),
            Facts(&["item_added"]),
        ),
        (
            "delegate may not add",
            actor(DELEGATE),
            add("Bế mạc"),
            Refused(ErrorCode::Forbidden),
        ),
        (
            "stranger learns nothing",
            actor(STRANGER),
            add("Bế mạc"),
            Refused(ErrorCode::NotFound),
        ),
        (
            "admin outside the meeting",
            admin(STRANGER),
            add("Bế mạc"),
            Refused(ErrorCode::NotFound),
        ),
        (
            "invisible title",
            actor(SECRETARIAT),
            add("\u{200B}\u{200E}"),
            Refused(ErrorCode::InvalidCommand),
        ),
        (
            "title with NUL",
            actor(SECRETARIAT),
            add("Mục\u{0}"),
            Refused(ErrorCode::InvalidCommand),
        ),
        (
            "title of 301 characters",
            actor(SECRETARIAT),
            add(&"a".repeat(301)),
            Refused(ErrorCode::InvalidCommand),
        ),
        (
            "edit an item",
            actor(SECRETARIAT),
            command(Command::EditAgendaItem {
                item_id: ItemId(2),
                title: "Dự thảo (sửa)".into(),
                description: "Mô tả".into(),
            }),
            Facts(&["item_edited"]),
        ),
        (
            "edit a missing item",
            actor(SECRETARIAT),
            command(Command::EditAgendaItem {
                item_id: ItemId(7),
                title: "X".into(),
                description: String::new(),
            }),
            Refused(ErrorCode::NotFound),
        ),
        (
            "reorder",
            actor(CHAIR),
            command(Command::ReorderAgenda {
                item_ids: vec![ItemId(2), ItemId(1)],
            }),
            Facts(&["reordered"]),
        ),
        (
            "reorder that drops an item",
            actor(CHAIR),
            command(Command::ReorderAgenda {
                item_ids: vec![ItemId(2)],
            }),
            Refused(ErrorCode::InvalidCommand),
        ),
        (
            "open a poll",
            actor(SECRETARIAT),
            open_poll(ItemId(2), "Thông qua"),
            Facts(&["poll_opened", "roll"]),
        ),
        (
            "delegate may not open",
            actor(DELEGATE),
            open_poll(ItemId(2), "X"),
            Refused(ErrorCode::Forbidden),
        ),
        (
            "poll on a missing item",
            actor(CHAIR),
            open_poll(ItemId(9), "X"),
            Refused(ErrorCode::NotFound),
        ),
        (
            "poll with an impossible rule",
            actor(CHAIR),
            command(Command::OpenPoll {
                ballot: None,
                item_id: ItemId(1),
                title: "X".into(),
                rule: Some(MajorityRule {
                    threshold: Fraction::new(3, 2),
                    ..MajorityRule::default()
                }),
                preset: None,
                secrecy: None,
                changeable: None,
                quorum_override: None,
                duration_seconds: None,
            }),
            Refused(ErrorCode::InvalidCommand),
        ),
        (
            "poll by a preset of the meeting",
            actor(CHAIR),
            with_preset(Some("dismissal"), None),
            Facts(&["poll_opened", "roll"]),
        ),
        (
            "poll by a preset the meeting lacks",
            actor(CHAIR),
            with_preset(Some("budget"), None),
            Refused(ErrorCode::NotFound),
        ),
        (
            "poll by a preset and a rule at once",
            actor(CHAIR),
            with_preset(Some("resolution"), Some(MajorityRule::default())),
            Refused(ErrorCode::InvalidCommand),
        ),
        (
            "secretariat corrects a preset's source",
            actor(SECRETARIAT),
            set_preset(
                "resolution",
                "Luật Tổ chức chính quyền địa phương 2025",
                Some("Điều 91"),
            ),
            Facts(&["preset_set"]),
        ),
        (
            "the same preset again records nothing",
            actor(SECRETARIAT),
            command(Command::SetRulePreset {
                preset: presets::defaults(MeetingKind::CouncilSitting)[0].clone(),
            }),
            Facts(&[]),
        ),
        (
            "chair may not change the rules",
            actor(CHAIR),
            set_preset("resolution", "Luật khác", None),
            Refused(ErrorCode::Forbidden),
        ),
        (
            "delegate may not change the rules",
            actor(DELEGATE),
            set_preset("budget", "Luật Ngân sách nhà nước", None),
            Refused(ErrorCode::Forbidden),
        ),
        (
            "a preset without a law",
            actor(SECRETARIAT),
            set_preset("budget", "  ", None),
            Refused(ErrorCode::InvalidCommand),
        ),
        (
            "a preset with a bad id",
            actor(SECRETARIAT),
            set_preset("Ngân sách", "Luật Ngân sách nhà nước", None),
            Refused(ErrorCode::InvalidCommand),
        ),
        (
            "secretariat removes a preset",
            actor(SECRETARIAT),
            command(Command::RemoveRulePreset {
                preset_id: "dismissal".into(),
            }),
            Facts(&["preset_removed"]),
        ),
        (
            "removing a preset the meeting lacks",
            actor(SECRETARIAT),
            command(Command::RemoveRulePreset {
                preset_id: "budget".into(),
            }),
            Refused(ErrorCode::NotFound),
        ),
        (
            "delegate votes",
            actor(DELEGATE),
            ballot(1, Choice::Yes),
            Facts(&["ballot"]),
        ),
        ("chair votes", actor(CHAIR), ballot(1, Choice::No), Facts(&["ballot"])),
        (
            "an absent delegate votes: present in the poll, not checked in at the meeting",
            actor(ABSENT_DELEGATE),
            ballot(1, Choice::Abstain),
            Facts(&["ballot"]),
        ),
        (
            "secretariat does not vote",
            actor(SECRETARIAT),
            ballot(1, Choice::Yes),
            Refused(ErrorCode::NotAVoter),
        ),
        (
            "ballot in a closed poll",
            actor(DELEGATE),
            ballot(2, Choice::Yes),
            Refused(ErrorCode::PollClosed),
        ),
        (
            "ballot in a missing poll",
            actor(DELEGATE),
            ballot(8, Choice::Yes),
            Refused(ErrorCode::NotFound),
        ),
        (
            "stranger's ballot",
            actor(STRANGER),
            ballot(1, Choice::Yes),
            Refused(ErrorCode::NotFound),
        ),
        (
            "close a poll",
            actor(CHAIR),
            command(Command::ClosePoll { poll_id: PollId(1) }),
            Facts(&["poll_closed"]),
        ),
        (
            "close a closed poll",
            actor(CHAIR),
            command(Command::ClosePoll { poll_id: PollId(2) }),
            Refused(ErrorCode::PollClosed),
        ),
        (
            "the secretariat cancels an open poll",
            actor(SECRETARIAT),
            command(Command::CancelPoll {
                poll_id: PollId(1),
                reason: "Mở nhầm nội dung".into(),
            }),
            Facts(&["poll_cancelled"]),
        ),
        (
            "a closed poll cannot be cancelled",
            actor(CHAIR),
            command(Command::CancelPoll {
                poll_id: PollId(2),
                reason: String::new(),
            }),
            Refused(ErrorCode::PollClosed),
        ),
        (
            "a delegate may not cancel",
            actor(DELEGATE),
            command(Command::CancelPoll {
                poll_id: PollId(1),
                reason: String::new(),
            }),
            Refused(ErrorCode::Forbidden),
        ),
        (
            "delegate may not close",
            actor(DELEGATE),
            command(Command::ClosePoll { poll_id: PollId(1) }),
            Refused(ErrorCode::Forbidden),
        ),
        (
            "check in",
            actor(ABSENT_DELEGATE),
            command(Command::CheckIn),
            Facts(&["attendance"]),
        ),
        (
            "check in twice changes nothing",
            actor(DELEGATE),
            command(Command::CheckIn),
            Facts(&[]),
        ),
        (
            "stranger checks in",
            actor(STRANGER),
            command(Command::CheckIn),
            Refused(ErrorCode::NotFound),
        ),
        (
            "the secretariat marks a delegate absent with leave",
            actor(SECRETARIAT),
            mark(ABSENT_DELEGATE, AttendanceStatus::Excused, "Đi công tác"),
            Facts(&["attendance"]),
        ),
        (
            "the chair marks a delegate present",
            actor(CHAIR),
            mark(ABSENT_DELEGATE, AttendanceStatus::Present, ""),
            Facts(&["attendance"]),
        ),
        (
            "marking as already marked changes nothing",
            actor(SECRETARIAT),
            mark(DELEGATE, AttendanceStatus::Present, ""),
            Facts(&[]),
        ),
        (
            "a delegate may not mark another",
            actor(DELEGATE),
            mark(ABSENT_DELEGATE, AttendanceStatus::Present, ""),
            Refused(ErrorCode::Forbidden),
        ),
        (
            "marking someone not in the meeting",
            actor(SECRETARIAT),
            mark(STRANGER, AttendanceStatus::Absent, ""),
            Refused(ErrorCode::NotFound),
        ),
        (
            "a reason with a line break",
            actor(SECRETARIAT),
            mark(ABSENT_DELEGATE, AttendanceStatus::Absent, "ốm\nnằm viện"),
            Refused(ErrorCode::InvalidCommand),
        ),
        (
            "the secretariat sets the quorum to half",
            actor(SECRETARIAT),
            command(Command::SetMeetingQuorum {
                quorum: Some(Fraction::new(1, 2)),
            }),
            Facts(&["quorum_set"]),
        ),
        (
            "the quorum as it is changes nothing",
            actor(SECRETARIAT),
            command(Command::SetMeetingQuorum {
                quorum: Some(Fraction::new(2, 3)),
            }),
            Facts(&[]),
        ),
        (
            "the chair may not change the quorum",
            actor(CHAIR),
            command(Command::SetMeetingQuorum { quorum: None }),
            Refused(ErrorCode::Forbidden),
        ),
        (
            "a quorum above one",
            actor(SECRETARIAT),
            command(Command::SetMeetingQuorum {
                quorum: Some(Fraction::new(4, 3)),
            }),
            Refused(ErrorCode::InvalidCommand),
        ),
        (
            "secretariat adds a member",
            actor(SECRETARIAT),
            Request::SetMember {
                user: UserId(6),
                role: Role::Delegate,
            },
            Facts(&["member"]),
        ),
        (
            "admin adds a member from outside",
            admin(STRANGER),
            Request::SetMember {
                user: UserId(6),
                role: Role::Delegate,
            },
            Facts(&["member"]),
        ),
        (
            "the same role again changes nothing",
            actor(SECRETARIAT),
            Request::SetMember {
                user: DELEGATE,
                role: Role::Delegate,
            },
            Facts(&[]),
        ),
        (
            "chair may not add members",
            actor(CHAIR),
            Request::SetMember {
                user: UserId(6),
                role: Role::Delegate,
            },
            Refused(ErrorCode::Forbidden),
        ),
        (
            "stranger may not add members",
            actor(STRANGER),
            Request::SetMember {
                user: UserId(6),
                role: Role::Delegate,
            },
            Refused(ErrorCode::NotFound),
        ),
        (
            "upload a document",
            actor(SECRETARIAT),
            document(2, "Dự thảo", "du-thao.pdf"),
            Facts(&["document_added", "pages"]),
        ),
        (
            "title from the file name",
            actor(SECRETARIAT),
            document(2, "", "Tờ trình.pdf"),
            Facts(&["document_added", "pages"]),
        ),
        (
            "no title in `.pdf`",
            actor(SECRETARIAT),
            document(2, "", ".pdf"),
            Refused(ErrorCode::InvalidCommand),
        ),
        (
            "delegate may not upload",
            actor(DELEGATE),
            document(2, "X", "x.pdf"),
            Refused(ErrorCode::Forbidden),
        ),
        (
            "upload to a missing item",
            actor(CHAIR),
            document(5, "X", "x.pdf"),
            Refused(ErrorCode::NotFound),
        ),
        (
            "a new revision",
            actor(SECRETARIAT),
            revision(1, 1, "cd"),
            Facts(&["document_revised", "pages"]),
        ),
        (
            "the same file again records nothing",
            actor(SECRETARIAT),
            revision(1, 1, "ab"),
            Facts(&[]),
        ),
        (
            "read against a revision that is no longer current",
            actor(CHAIR),
            revision(1, 2, "cd"),
            Refused(ErrorCode::RevisionConflict),
        ),
        (
            "delegate may not revise",
            actor(DELEGATE),
            revision(1, 1, "cd"),
            Refused(ErrorCode::Forbidden),
        ),
        (
            "revision of a missing document",
            actor(SECRETARIAT),
            revision(7, 1, "cd"),
            Refused(ErrorCode::NotFound),
        ),
    ];
    let model = meeting();
    let mut failures = Vec::new();
    for (name, who, request, expected) in rows {
        let got = decide(&model, &who, &request);
        let matches = match (&got, &expected) {
            (Ok(facts), Facts(kinds)) => facts.iter().map(kind).collect::<Vec<_>>() == *kinds,
            (Err(refusal), Refused(code)) => refusal.code == *code,
            _ => false,
        };
        if !matches {
            let got = got.map(|facts| facts.iter().map(kind).collect::<Vec<_>>());
            failures.push(format!("{name}: got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn a_second_ballot_is_refused() {
    let mut model = meeting();
    run(&mut model, actor(DELEGATE), ballot(1, Choice::Yes));
    let again = decide(&model, &actor(DELEGATE), &ballot(1, Choice::No)).unwrap_err();
    assert_eq!(again.code, ErrorCode::AlreadyVoted);
}

#[test]
fn new_items_documents_and_polls_take_the_next_id_of_their_meeting() {
    let mut model = meeting();
    let facts = run(
        &mut model,
        actor(SECRETARIAT),
        command(Command::AddAgendaItem {
            parent: None,
            title: "Bế mạc".into(),
            description: String::new(),
        }),
    );
    let Fact::Logged {
        seq,
        event: MeetingEvent::AgendaItemAdded { item },
    } = &facts[0]
    else {
        panic!("{facts:?}")
    };
    assert_eq!((item.id, item.position, *seq), (ItemId(3), 2, model.seq));
    let facts = run(&mut model, actor(CHAIR), open_poll(ItemId(3), "Bế mạc"));
    assert!(matches!(&facts[0], Fact::Logged { event: MeetingEvent::PollOpened { poll }, .. } if poll.id == PollId(3)));
}

/// Issue: demoting a delegate who had voted made the tally "3 yes of 2 present" and the poll
/// could never be closed. The roll is fixed when a poll opens; role changes apply to later polls.
#[test]
fn demoting_voters_does_not_change_an_open_poll_and_it_can_still_be_closed() {
    let mut model = meeting();
    for voter in [CHAIR, DELEGATE, OTHER_DELEGATE] {
        run(&mut model, actor(voter), ballot(1, Choice::Yes));
    }
    for user in [DELEGATE, OTHER_DELEGATE, ABSENT_DELEGATE] {
        run(
            &mut model,
            actor(SECRETARIAT),
            Request::SetMember {
                user,
                role: Role::Secretariat,
            },
        );
    }
    let tally = model.poll(PollId(1)).unwrap().tally.clone();
    assert_eq!(
        tally,
        Tally {
            members: 4,
            present: 3,
            yes: 3,
            no: 0,
            abstain: 0,
            sealed: 0,
            counts: vec![],
        }
    );
    let facts = run(
        &mut model,
        actor(CHAIR),
        command(Command::ClosePoll { poll_id: PollId(1) }),
    );
    assert!(matches!(
        &facts[0],
        Fact::Logged { event: MeetingEvent::PollClosed { outcome: Outcome::Passed, tally: closed, .. }, .. }
            if *closed == tally
    ));
    // A later poll has only the chair on its roll.
    run(&mut model, actor(CHAIR), open_poll(ItemId(2), "Lần sau"));
    assert_eq!(model.poll(PollId(3)).unwrap().tally.members, 1);
    let demoted = decide(&model, &actor(DELEGATE), &ballot(3, Choice::Yes)).unwrap_err();
    assert_eq!(demoted.code, ErrorCode::NotAVoter);

    // With nobody left who votes, no poll can open: it could never be decided.
    run(
        &mut model,
        actor(SECRETARIAT),
        Request::SetMember {
            user: CHAIR,
            role: Role::Secretariat,
        },
    );
    let refused = decide(&model, &actor(CHAIR), &open_poll(ItemId(2), "Không ai")).unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidCommand);
    // …while the poll already open can still be closed and decided.
    let closed = decide(
        &model,
        &actor(CHAIR),
        &command(Command::ClosePoll { poll_id: PollId(3) }),
    );
    assert!(closed.is_ok(), "{closed:?}");
}

#[test]
fn a_member_promoted_after_a_poll_opened_votes_only_in_later_polls() {
    let mut model = meeting();
    run(
        &mut model,
        actor(SECRETARIAT),
        Request::SetMember {
            user: UserId(6),
            role: Role::Delegate,
        },
    );
    let refused = decide(&model, &actor(UserId(6)), &ballot(1, Choice::Yes)).unwrap_err();
    assert_eq!(refused.code, ErrorCode::NotAVoter);
    run(&mut model, actor(UserId(6)), command(Command::CheckIn));
    run(&mut model, actor(CHAIR), open_poll(ItemId(2), "Lần sau"));
    run(&mut model, actor(UserId(6)), ballot(3, Choice::Yes));
}

/// Quorum counts who was present when the poll opened, and everyone who votes.
#[test]
fn present_is_fixed_at_opening_plus_every_voter() {
    let mut model = meeting();
    let strict = MajorityRule {
        base: Base::Present,
        threshold: Fraction::new(1, 2),
        comparison: Comparison::MoreThan,
        quorum: Some(Fraction::new(2, 3)),
    };
    run(
        &mut model,
        actor(CHAIR),
        command(Command::OpenPoll {
            ballot: None,
            item_id: ItemId(2),
            title: "Có đủ đại biểu".into(),
            rule: Some(strict),
            preset: None,
            secrecy: None,
            changeable: None,
            quorum_override: None,
            duration_seconds: None,
        }),
    );
    let opened = model.poll(PollId(3)).unwrap().tally.clone();
    assert_eq!((opened.members, opened.present), (4, 3));
    run(&mut model, actor(ABSENT_DELEGATE), command(Command::CheckIn));
    assert_eq!(
        model.poll(PollId(3)).unwrap().tally.present,
        3,
        "a late check-in alone does not count"
    );
    run(&mut model, actor(ABSENT_DELEGATE), ballot(3, Choice::Yes));
    assert_eq!(model.poll(PollId(3)).unwrap().tally.present, 4, "a ballot does");
}

#[test]
fn a_poll_keeps_the_rule_and_source_it_opened_with_though_the_preset_changes_later() {
    let mut model = meeting();
    let opened = run(&mut model, actor(CHAIR), with_preset(Some("dismissal"), None));
    let Some(Fact::Logged {
        event: MeetingEvent::PollOpened { poll },
        ..
    }) = opened.first()
    else {
        panic!("no poll opened: {opened:?}");
    };
    assert_eq!(poll.rule.threshold, Fraction::new(2, 3));
    let basis = poll.basis.clone().expect("a basis");
    assert_eq!(basis.preset.as_deref(), Some("dismissal"));
    assert_eq!(basis.name, "Miễn nhiệm, bãi nhiệm; bãi nhiệm đại biểu");

    let mut changed = presets::defaults(MeetingKind::CouncilSitting)[1].clone();
    changed.rule.threshold = Fraction::new(3, 4);
    changed.source.article = Some("Điều 93".into());
    run(
        &mut model,
        actor(SECRETARIAT),
        command(Command::SetRulePreset {
            preset: changed.clone(),
        }),
    );

    assert_eq!(model.view.presets[1], changed);
    let poll = model.view.polls.last().expect("the poll");
    assert_eq!(poll.rule.threshold, Fraction::new(2, 3));
    assert_eq!(
        poll.basis
            .as_ref()
            .and_then(|basis| basis.source.clone())
            .and_then(|source| source.article),
        None
    );
}

#[test]
fn a_meeting_starts_with_its_kinds_presets_and_a_poll_without_one_takes_the_first() {
    for (kind, first) in [
        (MeetingKind::CouncilSitting, "resolution"),
        (MeetingKind::CommitteeMeeting, "committee-decision"),
        (MeetingKind::Conference, "opinion"),
    ] {
        let mut model = MeetingModel::new(Meeting {
            id: MeetingId(7),
            title: "Phiên họp".into(),
            location: String::new(),
            starts_at: String::new(),
            kind,
        });
        assert_eq!(model.view.presets[0].id, first);
        for (user, role) in [(CHAIR, Role::Chair), (DELEGATE, Role::Delegate)] {
            model.apply(&Fact::MemberSet { user, role });
            run(&mut model, actor(user), command(Command::CheckIn));
        }
        for title in ["Khai mạc", "Báo cáo"] {
            run(
                &mut model,
                actor(CHAIR),
                command(Command::AddAgendaItem {
                    parent: None,
                    title: title.into(),
                    description: String::new(),
                }),
            );
        }
        run(&mut model, actor(CHAIR), with_preset(None, None));
        let poll = model.view.polls.last().expect("a poll");
        assert_eq!(
            poll.basis.as_ref().and_then(|basis| basis.preset.as_deref()),
            Some(first),
            "{kind:?}"
        );
    }
}

#[test]
fn the_last_preset_of_a_meeting_stays() {
    let mut model = meeting();
    run(
        &mut model,
        actor(SECRETARIAT),
        command(Command::RemoveRulePreset {
            preset_id: "dismissal".into(),
        }),
    );
    let last = decide(
        &model,
        &actor(SECRETARIAT),
        &command(Command::RemoveRulePreset {
            preset_id: "resolution".into(),
        }),
    );
    assert!(
        matches!(&last, Err(refusal) if refusal.code == ErrorCode::InvalidCommand),
        "{last:?}"
    );
}

fn timed(seconds: u32) -> Request {
    command(Command::OpenPoll {
        ballot: None,
        item_id: ItemId(2),
        title: "Biểu quyết có thời hạn".into(),
        rule: None,
        preset: None,
        secrecy: None,
        changeable: None,
        quorum_override: None,
        duration_seconds: Some(seconds),
    })
}

const NOW: i64 = 1_796_087_702;

#[test]
fn a_timed_poll_closes_on_the_servers_clock_and_takes_no_ballot_after_its_time() {
    let mut model = meeting();
    assert!(
        matches!(decide(&model, &actor(CHAIR), &timed(60)), Err(refusal) if refusal.code == ErrorCode::Internal),
        "no clock, no timed poll"
    );
    for seconds in [0, 9, 86_401] {
        let refused = decide_at(&model, &actor(CHAIR), &timed(seconds), NOW);
        assert!(
            matches!(&refused, Err(refusal) if refusal.code == ErrorCode::InvalidCommand),
            "{seconds}: {refused:?}"
        );
    }
    let facts = decide_at(&model, &actor(CHAIR), &timed(60), NOW).expect("opened");
    facts.iter().for_each(|fact| model.apply(fact));
    let poll = model.view.polls.last().expect("the poll").clone();
    assert_eq!(poll.closes_at, Some(NOW + 60));

    let ballot = command(Command::CastBallot {
        poll_id: poll.id,
        choice: Choice::Yes,
    });
    assert!(decide_at(&model, &actor(DELEGATE), &ballot, NOW + 59).is_ok());
    let late = decide_at(&model, &actor(DELEGATE), &ballot, NOW + 60);
    assert!(
        matches!(&late, Err(refusal) if refusal.code == ErrorCode::PollClosed),
        "{late:?}"
    );

    let on_time = Request::CloseOnTime { poll_id: poll.id };
    // The server asks, not a member: nobody's role matters, only the clock.
    let server = actor(STRANGER);
    assert_eq!(
        decide_at(&model, &server, &on_time, NOW + 59),
        Ok(vec![]),
        "not due yet"
    );
    let closed = decide_at(&model, &server, &on_time, NOW + 60).expect("due");
    assert_eq!(closed.iter().map(kind).collect::<Vec<_>>(), ["poll_closed"]);
    closed.iter().for_each(|fact| model.apply(fact));
    assert_eq!(
        decide_at(&model, &server, &on_time, NOW + 61),
        Ok(vec![]),
        "closed already"
    );
    let untimed = model
        .view
        .polls
        .iter()
        .find(|poll| poll.closes_at.is_none() && poll.state == PollState::Open);
    if let Some(untimed) = untimed {
        let request = Request::CloseOnTime { poll_id: untimed.id };
        assert_eq!(
            decide_at(&model, &server, &request, NOW + 1_000_000),
            Ok(vec![]),
            "only timed polls"
        );
    }
}

fn secret_poll() -> Request {
    command(Command::OpenPoll {
        ballot: None,
        item_id: ItemId(2),
        title: "Bầu bằng phiếu kín".into(),
        rule: None,
        preset: None,
        secrecy: Some(Secrecy::Secret),
        changeable: None,
        quorum_override: None,
        duration_seconds: None,
    })
}

#[test]
fn a_secret_poll_tells_only_how_many_have_voted_until_it_closes() {
    let mut model = meeting();
    run(&mut model, actor(CHAIR), secret_poll());
    let poll_id = model.view.polls.last().expect("the poll").id;
    assert_eq!(model.poll(poll_id).unwrap().secrecy, Secrecy::Secret);

    let mut answers = vec![];
    for (voter, choice) in [
        (DELEGATE, Choice::Yes),
        (OTHER_DELEGATE, Choice::No),
        (CHAIR, Choice::Yes),
    ] {
        let facts = run(&mut model, actor(voter), ballot(poll_id.0, choice));
        assert_eq!(facts.iter().map(kind).collect::<Vec<_>>(), ["secret_ballot"]);
        answers.push(command_result(&facts, model.seq));
        let tally = model.poll(poll_id).unwrap().tally.clone();
        assert_eq!((tally.yes, tally.no, tally.abstain), (0, 0, 0), "no count while open");
    }
    assert!(
        answers.iter().all(|answer| *answer
            == CommandResult::BallotRecorded {
                poll_id,
                choice: None,
                marks: None
            }),
        "the kept answer names no choice: {answers:?}"
    );
    let tally = model.poll(poll_id).unwrap().tally.clone();
    assert_eq!((tally.sealed, tally.cast(), tally.present), (3, 3, 3));
    assert!(
        matches!(decide(&model, &actor(DELEGATE), &ballot(poll_id.0, Choice::No)), Err(refusal) if refusal.code == ErrorCode::AlreadyVoted),
        "one ballot each, secret or not"
    );

    let closed = run(&mut model, actor(CHAIR), command(Command::ClosePoll { poll_id }));
    let Some(Fact::Logged {
        event: MeetingEvent::PollClosed { tally, outcome, .. },
        ..
    }) = closed.first()
    else {
        panic!("{closed:?}");
    };
    assert_eq!(
        *tally,
        Tally {
            members: 4,
            present: 3,
            yes: 2,
            no: 1,
            abstain: 0,
            sealed: 0,
            counts: vec![],
        }
    );
    // The resolution preset needs more than half of all 4 members: 2 is not.
    assert_eq!(*outcome, Outcome::Rejected);
    assert_eq!(model.poll(poll_id).unwrap().tally, *tally);
}

fn open_with_override(reason: Option<&str>) -> Request {
    command(Command::OpenPoll {
        ballot: None,
        item_id: ItemId(2),
        title: "Biểu quyết khi chưa đủ số".into(),
        rule: None,
        preset: None,
        secrecy: None,
        changeable: None,
        quorum_override: reason.map(str::to_owned),
        duration_seconds: None,
    })
}

#[test]
fn a_poll_opens_without_the_quorum_only_when_the_chair_gives_a_reason_which_is_kept() {
    let mut model = meeting();
    // 3 of the 4 voting members are present: 2/3 of 4 needs 3.
    let state = phonghop_core::attendance::quorum_state(&model);
    assert_eq!(
        (state.voting_members, state.present, state.needed, state.reached),
        (4, 3, 3, true)
    );
    let opened = run(&mut model, actor(CHAIR), open_with_override(Some("Không cần")));
    let Some(Fact::Logged {
        event: MeetingEvent::PollOpened { poll },
        ..
    }) = opened.first()
    else {
        panic!("{opened:?}")
    };
    assert_eq!(
        poll.quorum_override, None,
        "with the quorum present no override is kept"
    );

    run(
        &mut model,
        actor(SECRETARIAT),
        mark(OTHER_DELEGATE, AttendanceStatus::Excused, "Đi công tác tỉnh"),
    );
    let state = phonghop_core::attendance::quorum_state(&model);
    assert_eq!((state.present, state.needed, state.reached), (2, 3, false));
    assert_eq!(
        model
            .view
            .attendance
            .iter()
            .find(|entry| entry.user_id == OTHER_DELEGATE)
            .map(|entry| entry.reason.as_str()),
        Some("Đi công tác tỉnh")
    );

    for (who, reason, code) in [
        (CHAIR, None, ErrorCode::NoQuorum),
        (CHAIR, Some("   "), ErrorCode::NoQuorum),
        (SECRETARIAT, None, ErrorCode::NoQuorum),
        (SECRETARIAT, Some("Chủ tọa vắng"), ErrorCode::Forbidden),
    ] {
        let refused = decide(&model, &actor(who), &open_with_override(reason)).unwrap_err();
        assert_eq!(refused.code, code, "{who:?} {reason:?}: {refused}");
    }
    let opened = run(
        &mut model,
        actor(CHAIR),
        open_with_override(Some("Biểu quyết thủ tục, đại biểu đang trên đường đến")),
    );
    let Some(Fact::Logged {
        event: MeetingEvent::PollOpened { poll },
        ..
    }) = opened.first()
    else {
        panic!("{opened:?}")
    };
    assert_eq!(
        poll.quorum_override.as_deref(),
        Some("Biểu quyết thủ tục, đại biểu đang trên đường đến")
    );

    // The secretariat lowers the meeting's quorum to half: 2 of 4 reach it.
    run(
        &mut model,
        actor(SECRETARIAT),
        command(Command::SetMeetingQuorum {
            quorum: Some(Fraction::new(1, 2)),
        }),
    );
    assert!(phonghop_core::attendance::quorum_state(&model).reached);
    assert!(decide(&model, &actor(SECRETARIAT), &open_with_override(None)).is_ok());
}

#[test]
fn a_cancelled_poll_takes_no_ballot_has_no_outcome_and_forgets_its_secret_choices() {
    let mut model = meeting();
    run(&mut model, actor(CHAIR), secret_poll());
    let poll_id = model.view.polls.last().expect("the poll").id;
    run(&mut model, actor(DELEGATE), ballot(poll_id.0, Choice::Yes));
    assert_eq!(model.rolls[&poll_id].secret_counts.yes, 1);
    run(
        &mut model,
        actor(CHAIR),
        command(Command::CancelPoll {
            poll_id,
            reason: "Sai tên ứng cử viên".into(),
        }),
    );
    let poll = model.poll(poll_id).expect("the poll").clone();
    assert_eq!(
        (poll.state, poll.outcome, poll.cancel_reason.as_deref()),
        (PollState::Cancelled, None, Some("Sai tên ứng cử viên"))
    );
    assert_eq!(
        model.rolls[&poll_id].secret_counts,
        Tally::default(),
        "the choices are void"
    );
    for request in [
        ballot(poll_id.0, Choice::No),
        command(Command::ClosePoll { poll_id }),
        command(Command::CancelPoll {
            poll_id,
            reason: String::new(),
        }),
    ] {
        let refused = decide(&model, &actor(CHAIR), &request).unwrap_err();
        assert_eq!(refused.code, ErrorCode::PollClosed, "{request:?}");
    }
}

fn changeable_poll(secrecy: Secrecy) -> Request {
    command(Command::OpenPoll {
        ballot: None,
        item_id: ItemId(2),
        title: "Biểu quyết có thể đổi".into(),
        rule: None,
        preset: None,
        secrecy: Some(secrecy),
        changeable: Some(true),
        quorum_override: None,
        duration_seconds: None,
    })
}

#[test]
fn in_a_changeable_named_poll_a_voter_changes_their_ballot_until_the_close_and_never_in_a_secret_one() {
    let mut model = meeting();
    let refused = decide(&model, &actor(CHAIR), &changeable_poll(Secrecy::Secret)).unwrap_err();
    assert_eq!(refused.code, ErrorCode::InvalidCommand, "{refused}");

    run(&mut model, actor(CHAIR), changeable_poll(Secrecy::Named));
    let poll_id = model.view.polls.last().expect("the poll").id;
    assert!(model.poll(poll_id).unwrap().changeable);
    run(&mut model, actor(DELEGATE), ballot(poll_id.0, Choice::No));
    run(&mut model, actor(OTHER_DELEGATE), ballot(poll_id.0, Choice::Yes));
    let changed = run(&mut model, actor(DELEGATE), ballot(poll_id.0, Choice::Yes));
    assert_eq!(changed.iter().map(kind).collect::<Vec<_>>(), ["ballot_changed"]);
    assert_eq!(
        command_result(&changed, model.seq),
        CommandResult::BallotRecorded {
            poll_id,
            choice: Some(Choice::Yes),
            marks: None,
        }
    );
    let tally = model.poll(poll_id).unwrap().tally.clone();
    assert_eq!((tally.yes, tally.no, tally.abstain, tally.cast()), (2, 0, 0, 2));
    run(&mut model, actor(DELEGATE), ballot(poll_id.0, Choice::Abstain));
    let tally = model.poll(poll_id).unwrap().tally.clone();
    assert_eq!(
        (tally.yes, tally.no, tally.abstain, tally.cast()),
        (1, 0, 1, 2),
        "one ballot each"
    );

    run(&mut model, actor(CHAIR), command(Command::ClosePoll { poll_id }));
    let late = decide(&model, &actor(DELEGATE), &ballot(poll_id.0, Choice::No)).unwrap_err();
    assert_eq!(late.code, ErrorCode::PollClosed);
    // In a poll that is not changeable, a second ballot is still refused.
    assert_eq!(
        decide(&model, &actor(DELEGATE), &ballot(1, Choice::Yes)).map_err(|refusal| refusal.code),
        Ok(vec![Fact::BallotCast {
            poll_id: PollId(1),
            voter: DELEGATE,
            vote: Vote::Choice(Choice::Yes)
        }])
    );
    run(&mut model, actor(DELEGATE), ballot(1, Choice::Yes));
    let again = decide(&model, &actor(DELEGATE), &ballot(1, Choice::No)).unwrap_err();
    assert_eq!(again.code, ErrorCode::AlreadyVoted);
}

/// Decides at the server's clock `now` and applies, failing the test on a refusal.
fn run_at(model: &mut MeetingModel, who: Actor, request: Request, now: i64) -> Vec<Fact> {
    let facts =
        decide_at(model, &who, &request, now).unwrap_or_else(|refusal| panic!("{request:?} refused: {refusal}"));
    facts.iter().for_each(|fact| model.apply(fact));
    facts
}

#[test]
fn the_chair_sets_the_item_and_runs_the_speaking_queue_members_ask_and_withdraw() {
    let mut model = meeting();
    let refused = |model: &MeetingModel, who: UserId, command: Command| {
        decide_at(model, &actor(who), &Request::Command(command), NOW)
            .map(|_| ())
            .unwrap_err()
            .code
    };
    // The item under discussion: the chair or the secretariat, an item that exists.
    assert_eq!(
        refused(
            &model,
            DELEGATE,
            Command::SetCurrentItem {
                item_id: Some(ItemId(2))
            }
        ),
        ErrorCode::Forbidden
    );
    assert_eq!(
        refused(
            &model,
            CHAIR,
            Command::SetCurrentItem {
                item_id: Some(ItemId(9))
            }
        ),
        ErrorCode::NotFound
    );
    run(
        &mut model,
        actor(CHAIR),
        command(Command::SetCurrentItem {
            item_id: Some(ItemId(2)),
        }),
    );
    assert_eq!(model.view.current_item, Some(ItemId(2)));
    let again = decide(
        &model,
        &actor(SECRETARIAT),
        &command(Command::SetCurrentItem {
            item_id: Some(ItemId(2)),
        }),
    );
    assert_eq!(again, Ok(vec![]), "the same item again records nothing");

    // Members of the body ask for the floor, under their own name; the secretariat does not.
    assert_eq!(
        refused(&model, SECRETARIAT, Command::RequestToSpeak { item_id: None }),
        ErrorCode::Forbidden
    );
    for (user, at) in [(DELEGATE, NOW), (OTHER_DELEGATE, NOW + 5), (ABSENT_DELEGATE, NOW + 9)] {
        run_at(
            &mut model,
            actor(user),
            command(Command::RequestToSpeak {
                item_id: Some(ItemId(2)),
            }),
            at,
        );
    }
    let asked_again = decide_at(
        &model,
        &actor(DELEGATE),
        &command(Command::RequestToSpeak { item_id: None }),
        NOW,
    );
    assert_eq!(asked_again, Ok(vec![]), "asking twice keeps one place");
    let queue = &model.view.floor.queue;
    assert_eq!(
        queue
            .iter()
            .map(|request| (request.user_id, request.name.as_str(), request.requested_at))
            .collect::<Vec<_>>(),
        [
            (DELEGATE, "Đại biểu 3", NOW),
            (OTHER_DELEGATE, "Đại biểu 4", NOW + 5),
            (ABSENT_DELEGATE, "Đại biểu 5", NOW + 9)
        ]
    );

    // Only who runs the meeting orders, gives the floor or takes out someone else's request.
    assert_eq!(
        refused(
            &model,
            DELEGATE,
            Command::OrderSpeakers {
                user_ids: vec![OTHER_DELEGATE, DELEGATE, ABSENT_DELEGATE]
            }
        ),
        ErrorCode::Forbidden
    );
    assert_eq!(
        refused(
            &model,
            CHAIR,
            Command::OrderSpeakers {
                user_ids: vec![OTHER_DELEGATE, DELEGATE]
            }
        ),
        ErrorCode::InvalidCommand
    );
    run(
        &mut model,
        actor(CHAIR),
        command(Command::OrderSpeakers {
            user_ids: vec![OTHER_DELEGATE, DELEGATE, ABSENT_DELEGATE],
        }),
    );
    assert_eq!(
        refused(
            &model,
            DELEGATE,
            Command::WithdrawSpeechRequest {
                user_id: Some(ABSENT_DELEGATE)
            }
        ),
        ErrorCode::Forbidden
    );
    run(
        &mut model,
        actor(SECRETARIAT),
        command(Command::WithdrawSpeechRequest {
            user_id: Some(ABSENT_DELEGATE),
        }),
    );
    assert_eq!(
        refused(
            &model,
            CHAIR,
            Command::GrantFloor {
                user_id: ABSENT_DELEGATE,
                seconds: 180
            }
        ),
        ErrorCode::NotFound,
        "the floor goes to someone waiting"
    );
    assert_eq!(
        refused(
            &model,
            CHAIR,
            Command::GrantFloor {
                user_id: OTHER_DELEGATE,
                seconds: 5
            }
        ),
        ErrorCode::InvalidCommand
    );
    run_at(
        &mut model,
        actor(CHAIR),
        command(Command::GrantFloor {
            user_id: OTHER_DELEGATE,
            seconds: 180,
        }),
        NOW + 60,
    );
    let speech = model.view.floor.speaking.clone().expect("a speech in progress");
    assert_eq!(
        (speech.user_id, speech.started_at, speech.seconds),
        (OTHER_DELEGATE, NOW + 60, 180)
    );
    assert_eq!(
        model
            .view
            .floor
            .queue
            .iter()
            .map(|request| request.user_id)
            .collect::<Vec<_>>(),
        [DELEGATE]
    );

    // The speaker ends their own speech; another delegate may not.
    assert_eq!(refused(&model, DELEGATE, Command::EndSpeech), ErrorCode::Forbidden);
    run(&mut model, actor(OTHER_DELEGATE), command(Command::EndSpeech));
    assert_eq!(model.view.floor.speaking, None);
    run(
        &mut model,
        actor(DELEGATE),
        command(Command::WithdrawSpeechRequest { user_id: None }),
    );
    assert!(model.view.floor.queue.is_empty());
    assert_eq!(decide(&model, &actor(CHAIR), &command(Command::EndSpeech)), Ok(vec![]));
}

#[test]
fn the_chair_or_the_named_presenter_shows_a_page_to_everyone_and_stops() {
    let mut model = meeting();
    run(
        &mut model,
        actor(SECRETARIAT),
        document(1, "Dự thảo Nghị quyết", "du-thao.pdf"),
    );
    let refused = |model: &MeetingModel, who: UserId, command: Command| {
        decide(model, &actor(who), &Request::Command(command))
            .map(|_| ())
            .unwrap_err()
            .code
    };
    let present = |page| Command::PresentPage {
        document_id: DocumentId(1),
        page,
    };
    assert_eq!(
        refused(&model, DELEGATE, present(0)),
        ErrorCode::Forbidden,
        "not named yet"
    );
    assert_eq!(
        refused(&model, CHAIR, present(1)),
        ErrorCode::InvalidCommand,
        "a one-page document"
    );
    assert_eq!(
        refused(
            &model,
            CHAIR,
            Command::PresentPage {
                document_id: DocumentId(7),
                page: 0
            }
        ),
        ErrorCode::NotFound
    );
    run(&mut model, actor(CHAIR), command(present(0)));
    let shown = model.view.presenting.clone().expect("a page presented");
    assert_eq!(
        (
            shown.document_id,
            shown.revision,
            shown.page,
            shown.by,
            shown.name.as_str()
        ),
        (DocumentId(1), 1, 0, CHAIR, "Đại biểu 1")
    );
    assert_eq!(
        decide(&model, &actor(CHAIR), &command(present(0))),
        Ok(vec![]),
        "the same page again"
    );

    // The chair names a delegate, who presents; naming another ends that presentation.
    assert_eq!(
        refused(
            &model,
            DELEGATE,
            Command::SetPresenter {
                user_id: Some(DELEGATE)
            }
        ),
        ErrorCode::Forbidden
    );
    run(
        &mut model,
        actor(CHAIR),
        command(Command::SetPresenter {
            user_id: Some(DELEGATE),
        }),
    );
    run(&mut model, actor(DELEGATE), command(present(0)));
    assert_eq!(model.view.presenting.as_ref().map(|shown| shown.by), Some(DELEGATE));
    assert_eq!(
        refused(&model, OTHER_DELEGATE, Command::StopPresenting),
        ErrorCode::Forbidden
    );
    let renamed = run(
        &mut model,
        actor(CHAIR),
        command(Command::SetPresenter {
            user_id: Some(OTHER_DELEGATE),
        }),
    );
    assert_eq!(
        renamed.iter().map(kind).collect::<Vec<_>>(),
        ["presenter_set", "presenting_stopped"]
    );
    assert_eq!(model.view.presenting, None);
    run(&mut model, actor(OTHER_DELEGATE), command(present(0)));
    run(&mut model, actor(OTHER_DELEGATE), command(Command::StopPresenting));
    assert_eq!(model.view.presenting, None);
    assert_eq!(
        decide(&model, &actor(CHAIR), &command(Command::StopPresenting)),
        Ok(vec![])
    );
}

/// Sub-items, moving, removing and publishing: who may, what is refused with which reason, and
/// that the mirror follows each change exactly as the model does.
#[test]
fn the_agenda_takes_sub_items_moves_removals_and_publishing() {
    let mut model = meeting();
    let mut mirror = model.view.clone();
    let act = |model: &mut MeetingModel,
               mirror: &mut phonghop_protocol::MeetingState,
               who: Actor,
               request: Request|
     -> Result<Vec<&'static str>, (ErrorCode, String)> {
        match decide(model, &who, &request) {
            Ok(facts) => {
                for fact in &facts {
                    model.apply(fact);
                    if let Fact::Logged { event, .. } = fact {
                        phonghop_core::mirror::apply(mirror, event);
                    }
                }
                assert_eq!(mirror.items, model.view.items, "after {request:?}");
                Ok(facts.iter().map(kind).collect())
            }
            Err(refusal) => Err((refusal.code, refusal.detail.clone())),
        }
    };
    let add = |title: &str, parent: Option<u32>| {
        command(Command::AddAgendaItem {
            parent: parent.map(ItemId),
            title: title.into(),
            description: String::new(),
        })
    };
    let order = |model: &MeetingModel| -> Vec<(u32, Option<u32>)> {
        model
            .view
            .items
            .iter()
            .map(|item| (item.id.0, item.parent.map(|parent| parent.0)))
            .collect()
    };
    // Items 1 and 2 are there; 3 is a sub-item of 1 and goes between them; 4 under 2.
    assert_eq!(
        act(&mut model, &mut mirror, actor(SECRETARIAT), add("Báo cáo", Some(1))),
        Ok(vec!["item_added"])
    );
    assert_eq!(
        act(&mut model, &mut mirror, actor(CHAIR), add("Tờ trình", Some(2))),
        Ok(vec!["item_added"])
    );
    assert_eq!(order(&model), vec![(1, None), (3, Some(1)), (2, None), (4, Some(2))]);
    let positions: Vec<u32> = model.view.items.iter().map(|item| item.position).collect();
    assert_eq!(positions, vec![0, 1, 2, 3]);
    assert_eq!(
        phonghop_core::agenda::number(&model.view.items, ItemId(4)).as_deref(),
        Some("2.1")
    );

    let refused = |result: Result<Vec<&'static str>, (ErrorCode, String)>| result.unwrap_err();
    assert_eq!(
        refused(act(&mut model, &mut mirror, actor(DELEGATE), add("X", None))).0,
        ErrorCode::Forbidden
    );
    let (code, detail) = refused(act(&mut model, &mut mirror, actor(SECRETARIAT), add("X", Some(3))));
    assert_eq!(code, ErrorCode::InvalidCommand);
    assert!(detail.contains("cannot have sub-items"), "{detail}");
    assert_eq!(
        refused(act(&mut model, &mut mirror, actor(SECRETARIAT), add("X", Some(9)))).0,
        ErrorCode::NotFound
    );
    // A reorder that takes a sub-item away from its parent is refused.
    let (code, detail) = refused(act(
        &mut model,
        &mut mirror,
        actor(SECRETARIAT),
        command(Command::ReorderAgenda {
            item_ids: [1, 2, 3, 4].map(ItemId).to_vec(),
        }),
    ));
    assert_eq!(code, ErrorCode::InvalidCommand);
    assert!(detail.contains("sub-item of item 1"), "{detail}");

    // Moving: item 2 and its sub-item to the front; the same place again records nothing.
    let move_to = |item: u32, parent: Option<u32>, index: u32| {
        command(Command::MoveAgendaItem {
            item_id: ItemId(item),
            parent: parent.map(ItemId),
            index,
        })
    };
    assert_eq!(
        act(&mut model, &mut mirror, actor(SECRETARIAT), move_to(2, None, 0)),
        Ok(vec!["item_moved"])
    );
    assert_eq!(order(&model), vec![(2, None), (4, Some(2)), (1, None), (3, Some(1))]);
    assert_eq!(
        act(&mut model, &mut mirror, actor(SECRETARIAT), move_to(2, None, 0)),
        Ok(vec![])
    );
    assert_eq!(
        act(&mut model, &mut mirror, actor(CHAIR), move_to(3, Some(2), 0)),
        Ok(vec!["item_moved"])
    );
    assert_eq!(order(&model), vec![(2, None), (3, Some(2)), (4, Some(2)), (1, None)]);
    assert_eq!(
        refused(act(&mut model, &mut mirror, actor(DELEGATE), move_to(1, None, 0))).0,
        ErrorCode::Forbidden
    );
    assert_eq!(
        refused(act(&mut model, &mut mirror, actor(SECRETARIAT), move_to(2, Some(1), 0))).0,
        ErrorCode::InvalidCommand
    );
    assert_eq!(
        refused(act(&mut model, &mut mirror, actor(SECRETARIAT), move_to(1, None, 5))).0,
        ErrorCode::InvalidCommand
    );
    assert_eq!(
        refused(act(&mut model, &mut mirror, actor(SECRETARIAT), move_to(8, None, 0))).0,
        ErrorCode::NotFound
    );

    // Removing: never an item with sub-items, documents, polls, or under discussion.
    let remove = |item: u32| command(Command::RemoveAgendaItem { item_id: ItemId(item) });
    for (item, reason) in [(2, "sub-item"), (1, "poll")] {
        let (code, detail) = refused(act(&mut model, &mut mirror, actor(SECRETARIAT), remove(item)));
        assert_eq!(code, ErrorCode::InvalidCommand);
        assert!(detail.contains(reason), "{detail}");
    }
    run(&mut model, actor(SECRETARIAT), document(4, "Tờ trình", "to-trinh.pdf"));
    mirror = model.view.clone();
    assert!(refused(act(&mut model, &mut mirror, actor(SECRETARIAT), remove(4)))
        .1
        .contains("document"));
    assert_eq!(
        act(
            &mut model,
            &mut mirror,
            actor(CHAIR),
            command(Command::SetCurrentItem {
                item_id: Some(ItemId(3))
            })
        ),
        Ok(vec!["current_item"])
    );
    assert!(refused(act(&mut model, &mut mirror, actor(SECRETARIAT), remove(3)))
        .1
        .contains("under discussion"));
    run(
        &mut model,
        actor(CHAIR),
        command(Command::SetCurrentItem { item_id: None }),
    );
    mirror = model.view.clone();
    assert_eq!(
        refused(act(&mut model, &mut mirror, actor(DELEGATE), remove(3))).0,
        ErrorCode::Forbidden
    );
    assert_eq!(
        act(&mut model, &mut mirror, actor(SECRETARIAT), remove(3)),
        Ok(vec!["item_removed"])
    );
    assert_eq!(order(&model), vec![(2, None), (4, Some(2)), (1, None)]);
    assert_eq!(
        refused(act(&mut model, &mut mirror, actor(SECRETARIAT), remove(3))).0,
        ErrorCode::NotFound
    );
    // A removed item's id is never given again.
    assert_eq!(
        act(&mut model, &mut mirror, actor(SECRETARIAT), add("Bế mạc", None)),
        Ok(vec!["item_added"])
    );
    assert_eq!(model.view.items.last().map(|item| item.id), Some(ItemId(5)));

    // Publishing: the secretariat or the chair, once.
    assert!(!model.view.agenda_published);
    assert_eq!(
        refused(act(
            &mut model,
            &mut mirror,
            actor(DELEGATE),
            command(Command::PublishAgenda)
        ))
        .0,
        ErrorCode::Forbidden
    );
    assert_eq!(
        act(
            &mut model,
            &mut mirror,
            actor(SECRETARIAT),
            command(Command::PublishAgenda)
        ),
        Ok(vec!["agenda_published"])
    );
    assert!(model.view.agenda_published && mirror.agenda_published);
    assert_eq!(
        act(&mut model, &mut mirror, actor(CHAIR), command(Command::PublishAgenda)),
        Ok(vec![])
    );
}

#[test]
fn an_empty_agenda_is_not_published() {
    let mut model = MeetingModel::new(Meeting {
        id: MeetingId(2),
        title: "Họp".into(),
        location: String::new(),
        starts_at: String::new(),
        kind: Default::default(),
    });
    run(
        &mut model,
        admin(UserId(100)),
        Request::SetMember {
            user: SECRETARIAT,
            role: Role::Secretariat,
        },
    );
    let refusal = decide(&model, &actor(SECRETARIAT), &command(Command::PublishAgenda)).unwrap_err();
    assert_eq!(refusal.code, ErrorCode::InvalidCommand);
}
