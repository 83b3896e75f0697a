//! Both stores, on a real SQLite file and on a real PostgreSQL database (a scratch cluster of the
//! tests' own): what they load is what was decided; two stores on one database (as two server
//! processes would be) keep the log gap-free and one ballot per member; and the database itself
//! refuses what a correct decision never asks for. Every test runs once per store
//! (`<test>::sqlite`, `<test>::postgres`).

use std::sync::Arc;

use phonghop_core::audit::ChainBreak;
use phonghop_core::{command_result, decide, Actor, Fact, Refusal, Request};
use phonghop_protocol::{
    BallotForm, Choice, Command, CommandResult, ErrorCode, Fraction, ItemId, MeetingEvent, MeetingId, MeetingKind,
    PollId, Role, Secrecy, UserId, Vote,
};
use phonghop_store::{AuditRecord, Entry, Loaded, NewUser, Receipt, SqliteStore, Store, StoreError};

mod backend;
use backend::Backend;
use rand::{Rng, SeedableRng};

const OFFICE: Actor = Actor {
    user: UserId(1),
    name: String::new(),
    is_admin: true,
};

/// Runs a test once on each store: `async fn name(backend) { … }` becomes the tests
/// `name::sqlite` and `name::postgres`.
macro_rules! on_both_stores {
    ($(#[$meta:meta])* async fn $name:ident($backend:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(Backend::sqlite()).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                run(Backend::postgres().await).await
            }

            async fn run($backend: Backend) $body
        }
    };
}

/// A meeting with user 1 as secretariat (and admin), user 2 as chair and `delegates` delegates
/// (users 3…), everyone checked in.
async fn meeting_with_members(store: &Arc<dyn Store>, delegates: u32) -> MeetingId {
    for n in 1..=delegates + 2 {
        store
            .create_user(&NewUser {
                username: format!("db{n:03}"),
                full_name: format!("Đại biểu {n}"),
                position: String::new(),
                password_hash: "not used here".into(),
                is_admin: n == 1,
                may_create_meetings: n == 1,
            })
            .await
            .unwrap();
    }
    let meeting = store
        .create_meeting("Kỳ họp thử", "Hội trường", "2026-12-01", MeetingKind::CouncilSitting)
        .await
        .unwrap();
    for n in 1..=delegates + 2 {
        let role = match n {
            1 => Role::Secretariat,
            2 => Role::Chair,
            _ => Role::Delegate,
        };
        execute(
            store,
            meeting.id,
            OFFICE,
            Request::SetMember { user: UserId(n), role },
            None,
        )
        .await
        .unwrap();
        // Every member checks in, so the meeting's quorum is present.
        execute(store, meeting.id, actor(n), Request::Command(Command::CheckIn), None)
            .await
            .unwrap();
    }
    meeting.id
}

/// What the server does for one request: load, decide, append on the version it decided on,
/// and start over when another writer got there first.
async fn execute(
    store: &Arc<dyn Store>,
    meeting: MeetingId,
    actor: Actor,
    request: Request,
    command_id: Option<&str>,
) -> Result<CommandResult, Refusal> {
    let receipt = command_id.map(|id| Receipt {
        user: actor.user,
        command_id: id.to_owned(),
    });
    loop {
        if let Some(receipt) = &receipt {
            if let Some(done) = store.processed(std::slice::from_ref(receipt)).await.unwrap().remove(0) {
                return Ok(done);
            }
        }
        let loaded = store.load(meeting).await.unwrap();
        let facts = decide(&loaded.model, &actor, &request)?;
        let mut model = loaded.model.clone();
        facts.iter().for_each(|fact| model.apply(fact));
        let result = command_result(&facts, model.seq);
        let audit = audit_of(meeting, &facts);
        let entry = Entry {
            receipt: receipt.clone(),
            facts,
            result: result.clone(),
            audit,
        };
        match store.append(meeting, loaded.version, &[entry]).await {
            Ok(_) => return Ok(result),
            Err(StoreError::Conflict) => continue,
            Err(other) => panic!("append failed: {other}"),
        }
    }
}

/// What the server's writer has the audit trail keep of a decision's facts.
fn audit_of(meeting: MeetingId, facts: &[Fact]) -> Vec<AuditRecord> {
    phonghop_core::audit::lines_for(facts)
        .into_iter()
        .map(|line| AuditRecord {
            at_ms: 1_764_000_000_000,
            meeting_id: Some(meeting),
            user_id: None,
            who: "test".into(),
            address: "local".into(),
            action: line.action,
            detail: line.detail,
        })
        .collect()
}

fn add_item(title: &str) -> Request {
    Request::Command(Command::AddAgendaItem {
        parent: None,
        title: title.into(),
        description: String::new(),
    })
}

fn actor(user: u32) -> Actor {
    Actor {
        user: UserId(user),
        name: format!("Đại biểu {user}"),
        is_admin: false,
    }
}

on_both_stores! {
async fn what_is_loaded_is_what_was_decided(backend) {
    let store = backend.open().await;
    let meeting = meeting_with_members(&store, 5).await;
    let mut model = store.load(meeting).await.unwrap().model;
    let mut version = store.load(meeting).await.unwrap().version;
    let mut random = rand::rngs::StdRng::seed_from_u64(3);
    let mut applied = 0;
    let mut secret_ballots = 0;
    let mut audit_lines = 0u64;
    let mut changed_ballots = 0;
    let mut marked_ballots = 0;
    let mut shape_changes = std::collections::BTreeMap::new();
    for step in 0..1200 {
        let user = random.gen_range(1..=7);
        const PRESETS: [&str; 4] = ["resolution", "dismissal", "budget", "procedure"];
        let preset_id = PRESETS[random.gen_range(0..PRESETS.len())];
        let request = match random.gen_range(0..10) {
            0 => Request::Command(Command::AddAgendaItem {
                // A third of the items are sub-items (refused under a sub-item or a removed one).
                parent: random.gen_bool(0.33).then(|| ItemId(random.gen_range(1..8))),
                title: format!("Mục {step}"),
                description: String::new(),
            }),
            1 if random.gen_bool(0.3) => Request::Command(match random.gen_range(0..3) {
                0 => Command::MoveAgendaItem {
                    item_id: ItemId(random.gen_range(1..8)),
                    parent: random.gen_bool(0.3).then(|| ItemId(random.gen_range(1..8))),
                    index: random.gen_range(0..3),
                },
                // The newest item: the one most likely to have no poll yet.
                1 => Command::RemoveAgendaItem {
                    item_id: model.view.items.iter().map(|item| item.id).max().unwrap_or_default(),
                },
                _ => Command::PublishAgenda,
            }),
            1 => Request::Command(Command::EditAgendaItem {
                item_id: ItemId(random.gen_range(1..6)),
                title: format!("Sửa {step}"),
                description: "Mô tả\nhai dòng".into(),
            }),
            2 => Request::Command(Command::ReorderAgenda {
                item_ids: model.view.items.iter().rev().map(|item| item.id).collect(),
            }),
            3 => Request::Command(Command::OpenPoll {
                // Half the polls an election of 2 of 3 candidates, the others motions.
                ballot: random.gen_bool(0.5).then(|| BallotForm::Election {
                    candidates: vec!["Nguyễn Văn An".into(), "Trần Thị Bình".into(), "Lê Văn Cường".into()],
                    seats: 2,
                }),
                item_id: ItemId(random.gen_range(1..4)),
                title: format!("Biểu quyết {step}"),
                rule: None,
                preset: random.gen_bool(0.5).then(|| preset_id.to_owned()),
                secrecy: random.gen_bool(0.5).then_some(Secrecy::Secret),
                changeable: Some(random.gen_bool(0.5)),
                quorum_override: None,
                duration_seconds: None,
            }),
            4 => Request::Command(Command::ClosePoll {
                poll_id: PollId(random.gen_range(1..5)),
            }),
            5 => Request::Command(Command::CastBallot {
                poll_id: PollId(random.gen_range(1..=model.view.polls.len() as u32 + 1)),
                choice: [Choice::Yes, Choice::No, Choice::Abstain][random.gen_range(0..3)],
            }),
            6 => Request::Command(Command::CastMarks {
                poll_id: PollId(random.gen_range(1..=model.view.polls.len() as u32 + 1)),
                marks: (0..3).map(|_| u8::from(random.gen_bool(0.4))).collect(),
            }),
            7 if random.gen_bool(0.5) => Request::Command(Command::CancelPoll {
                poll_id: model.open_polls().last().map_or(PollId(1), |poll| poll.id),
                reason: format!("Hủy {step}"),
            }),
            8 => {
                let mut preset = phonghop_core::presets::defaults(MeetingKind::CouncilSitting)[0].clone();
                preset.id = preset_id.to_owned();
                preset.name = format!("Quy tắc {step}");
                preset.rule.threshold = Fraction::new(random.gen_range(1..4), 4);
                preset.source.article = random.gen_bool(0.5).then(|| format!("Điều {step}"));
                Request::Command(Command::SetRulePreset { preset })
            }
            9 => Request::Command(Command::RemoveRulePreset {
                preset_id: preset_id.to_owned(),
            }),
            _ => Request::Command(Command::CheckIn),
        };
        let Ok(facts) = decide(&model, &actor(user), &request) else {
            continue;
        };
        if facts.is_empty() {
            continue;
        }
        facts.iter().for_each(|fact| model.apply(fact));
        for fact in &facts {
            if let Fact::Logged { event, .. } = fact {
                let kind = serde_json::to_value(event).unwrap()["kind"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                *shape_changes.entry(kind).or_insert(0u32) += 1;
            }
        }
        secret_ballots += facts
            .iter()
            .filter(|fact| matches!(fact, Fact::SecretBallotCast { .. }))
            .count();
        changed_ballots += facts
            .iter()
            .filter(|fact| matches!(fact, Fact::BallotChanged { .. }))
            .count();
        marked_ballots += facts
            .iter()
            .filter(|fact| {
                matches!(
                    fact,
                    Fact::BallotCast {
                        vote: Vote::Marks(_),
                        ..
                    } | Fact::SecretBallotCast {
                        vote: Vote::Marks(_),
                        ..
                    }
                )
            })
            .count();
        let audit = audit_of(meeting, &facts);
        audit_lines += audit.len() as u64;
        let entry = Entry {
            receipt: None,
            result: command_result(&facts, model.seq),
            facts,
            audit,
        };
        version = store.append(meeting, version, &[entry]).await.unwrap();
        applied += 1;
        if step % 40 == 0 {
            let loaded = store.load(meeting).await.unwrap();
            assert_eq!(loaded.version, version);
            assert_eq!(loaded.model, model, "after step {step}");
        }
    }
    assert!(applied > 50, "only {applied} requests were accepted");
    assert!(marked_ballots > 0, "ballots of marks were cast");
    for kind in ["agenda_item_moved", "agenda_item_removed", "agenda_published"] {
        assert!(shape_changes.contains_key(kind), "no {kind} in {shape_changes:?}");
    }
    assert!(
        model.view.items.iter().any(|item| item.parent.is_some()),
        "sub-items were added"
    );
    assert!(!model.view.polls.is_empty() && model.view.items.len() > 5);
    assert!(
        model.view.presets != phonghop_core::presets::defaults(MeetingKind::CouncilSitting),
        "the presets were changed"
    );
    assert!(
        model
            .view
            .polls
            .iter()
            .any(|poll| poll.basis.as_ref().is_some_and(|basis| basis.preset.is_some())),
        "a poll was opened by a preset"
    );
    assert!(
        model.rolls.values().any(|roll| !roll.voted.is_empty()),
        "some ballots were cast"
    );
    assert!(secret_ballots > 0, "some secret ballots were cast");
    assert!(changed_ballots > 0, "some named ballots were changed");
    assert!(
        model
            .view
            .polls
            .iter()
            .any(|poll| poll.state == phonghop_protocol::PollState::Cancelled),
        "a poll was cancelled"
    );
    let loaded = store.load(meeting).await.unwrap();
    assert_eq!(loaded.model, model);
    let events = store.events_after(meeting, 0, 10_000).await.unwrap();
    let seqs: Vec<u32> = events.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(seqs, (1..=model.seq).collect::<Vec<_>>());
    // Every audit line of every append is in one unbroken chain, and no secret ballot is.
    let verdict = store.verify_audit().await.unwrap();
    assert_eq!(verdict.broken, None);
    let setup = store.audit_entries(Some(meeting), 0, 100_000).await.unwrap();
    assert_eq!(verdict.entries, setup.len() as u64);
    assert!(
        verdict.entries >= audit_lines && audit_lines > 100,
        "{audit_lines} lines"
    );
    let ballots_audited = setup.iter().filter(|entry| entry.action == "ballot_cast").count();
    let named_ballots_cast: usize = model
        .view
        .polls
        .iter()
        .filter(|poll| poll.secrecy != phonghop_protocol::Secrecy::Secret)
        .map(|poll| model.rolls[&poll.id].voted.len())
        .sum();
    assert!(ballots_audited >= named_ballots_cast && named_ballots_cast > 0);
    assert!(setup.iter().all(|entry| !entry.detail.contains("choice")));
}
}

on_both_stores! {
/// The item under discussion and the speaking queue are kept only as log events: what a
/// reopened store loads is what was decided, step after step.
async fn the_running_sitting_is_loaded_as_decided(backend) {
    let store = backend.open().await;
    let meeting = meeting_with_members(&store, 4).await;
    let Loaded { mut model, mut version } = store.load(meeting).await.unwrap();
    let mut random = rand::rngs::StdRng::seed_from_u64(11);
    let mut applied = 0;
    let mut kinds = std::collections::BTreeSet::new();
    for step in 0..300 {
        let user = random.gen_range(1..=6);
        let request = Request::Command(match random.gen_range(0..7) {
            0 => Command::AddAgendaItem {
                parent: None,
                title: format!("Mục {step}"),
                description: String::new(),
            },
            1 => Command::SetCurrentItem {
                item_id: random.gen_bool(0.8).then(|| ItemId(random.gen_range(1..4))),
            },
            2 | 3 => Command::RequestToSpeak {
                item_id: model.view.current_item,
            },
            4 => Command::OrderSpeakers {
                user_ids: model
                    .view
                    .floor
                    .queue
                    .iter()
                    .rev()
                    .map(|request| request.user_id)
                    .collect(),
            },
            5 => Command::GrantFloor {
                user_id: model
                    .view
                    .floor
                    .queue
                    .first()
                    .map_or(UserId(3), |request| request.user_id),
                seconds: 120,
            },
            _ if random.gen_bool(0.5) => Command::EndSpeech,
            _ => Command::WithdrawSpeechRequest {
                user_id: random.gen_bool(0.5).then(|| UserId(random.gen_range(3..=6))),
            },
        });
        let Ok(facts) = phonghop_core::decide_at(&model, &actor(user), &request, 1_000 + step) else {
            continue;
        };
        if facts.is_empty() {
            continue;
        }
        facts.iter().for_each(|fact| model.apply(fact));
        for fact in &facts {
            if let Fact::Logged { event, .. } = fact {
                kinds.insert(
                    serde_json::to_value(event).unwrap()["kind"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                );
            }
        }
        let entry = Entry {
            receipt: None,
            result: command_result(&facts, model.seq),
            facts,
            audit: vec![],
        };
        version = store.append(meeting, version, &[entry]).await.unwrap();
        applied += 1;
        if step % 25 == 0 {
            assert_eq!(store.load(meeting).await.unwrap().model, model, "after step {step}");
        }
    }
    assert!(applied > 60, "only {applied} requests were accepted");
    drop(store);
    let reopened = backend.open().await;
    assert_eq!(reopened.load(meeting).await.unwrap().model, model);
    for kind in [
        "current_item_set",
        "speech_requested",
        "speech_request_withdrawn",
        "speakers_ordered",
        "floor_granted",
        "speech_ended",
    ] {
        assert!(kinds.contains(kind), "no {kind} event in {kinds:?}");
    }
}
}

on_both_stores! {
async fn two_stores_on_one_database_keep_the_log_gap_free_and_one_ballot_per_member(backend) {
    let first = backend.open().await;
    let second = backend.open().await;
    const DELEGATES: u32 = 12;
    let meeting = meeting_with_members(&first, DELEGATES).await;
    execute(&first, meeting, actor(1), add_item("Dự thảo Nghị quyết"), None)
        .await
        .unwrap();
    let open = Request::Command(Command::OpenPoll {
        ballot: None,
        item_id: ItemId(1),
        title: "Thông qua Nghị quyết".into(),
        rule: None,
        preset: None,
        secrecy: None,
        changeable: None,
        quorum_override: None,
        duration_seconds: None,
    });
    execute(&second, meeting, actor(2), open, None).await.unwrap();

    // Every delegate votes through both stores at once, and the secretariat adds items through
    // both, all concurrently.
    let stores = [first, second];
    let mut tasks = tokio::task::JoinSet::new();
    for voter in 3..DELEGATES + 3 {
        for (n, store) in stores.iter().enumerate() {
            let store = Arc::clone(store);
            let choice = if voter % 2 == 0 { Choice::Yes } else { Choice::No };
            tasks.spawn(async move {
                let ballot = Request::Command(Command::CastBallot {
                    poll_id: PollId(1),
                    choice,
                });
                (voter, n, execute(&store, meeting, actor(voter), ballot, None).await)
            });
        }
    }
    for n in 0..10 {
        for store in &stores {
            let store = Arc::clone(store);
            tasks.spawn(async move {
                let added = execute(&store, meeting, actor(1), add_item(&format!("Mục {n}")), None).await;
                (0, 0, added)
            });
        }
    }
    let mut recorded = std::collections::BTreeMap::new();
    while let Some(joined) = tasks.join_next().await {
        let (voter, _, outcome) = joined.unwrap();
        match outcome {
            Ok(CommandResult::BallotRecorded { .. }) => *recorded.entry(voter).or_insert(0) += 1,
            Ok(CommandResult::Logged { .. }) => {}
            Err(refusal) => assert_eq!(refusal.code, ErrorCode::AlreadyVoted, "voter {voter}"),
        }
    }
    assert_eq!(recorded.len(), DELEGATES as usize, "every delegate voted");
    assert!(recorded.values().all(|count| *count == 1), "once each: {recorded:?}");

    let loaded = stores[1].load(meeting).await.unwrap();
    let tally = loaded.model.poll(PollId(1)).unwrap().tally.clone();
    assert_eq!(tally.cast(), DELEGATES);
    assert_eq!(loaded.model.view.items.len(), 21);
    let events = stores[0].events_after(meeting, 0, 1000).await.unwrap();
    let seqs: Vec<u32> = events.iter().map(|(seq, _)| *seq).collect();
    // Fourteen members checked in, then one item, one poll, twenty items.
    assert_eq!(seqs, (1..=36).collect::<Vec<_>>(), "no gap");
    // Both stores appended to one audit chain, with no entry lost or forked.
    let verdict = stores[0].verify_audit().await.unwrap();
    assert_eq!(verdict.broken, None);
    // 14 members set and checked in, 22 further events, and 12 ballots.
    assert_eq!(verdict.entries, 14 + 36 + 12);
}
}

on_both_stores! {
/// Entries forged to break the rules, as a buggy or hostile second writer might send them.
async fn the_database_itself_refuses_what_a_decision_never_would(backend) {
    let store = backend.open().await;
    let meeting = meeting_with_members(&store, 2).await;
    execute(&store, meeting, actor(1), add_item("Dự thảo"), None)
        .await
        .unwrap();
    for (title, secrecy) in [("Lần 1", None), ("Lần 2", None), ("Lần 3", Some(Secrecy::Secret))] {
        let open = Request::Command(Command::OpenPoll {
            ballot: None,
            item_id: ItemId(1),
            title: title.into(),
            rule: None,
            preset: None,
            secrecy,
            changeable: None,
            quorum_override: None,
            duration_seconds: None,
        });
        execute(&store, meeting, actor(2), open, None).await.unwrap();
    }
    execute(
        &store,
        meeting,
        actor(2),
        Request::Command(Command::ClosePoll { poll_id: PollId(2) }),
        None,
    )
    .await
    .unwrap();
    execute(
        &store,
        meeting,
        actor(3),
        Request::Command(Command::CastBallot {
            poll_id: PollId(1),
            choice: Choice::Yes,
        }),
        Some("c-1"),
    )
    .await
    .unwrap();
    let before = store.load(meeting).await.unwrap();
    let seq = before.model.seq;
    let ballot = |poll: u32, voter: u32| Fact::BallotCast {
        poll_id: PollId(poll),
        voter: UserId(voter),
        vote: Vote::Choice(Choice::No),
    };
    let entry = |facts: Vec<Fact>, receipt: Option<&str>| Entry {
        receipt: receipt.map(|id| Receipt {
            user: UserId(4),
            command_id: id.to_owned(),
        }),
        audit: audit_of(meeting, &facts),
        facts,
        result: CommandResult::Logged { seq },
    };
    let logged = |seq: u32| Fact::Logged {
        seq,
        event: MeetingEvent::AgendaItemEdited {
            item_id: ItemId(1),
            title: "Sửa".into(),
            description: String::new(),
        },
    };
    let forged: Vec<(&str, Entry)> = vec![
        ("a second ballot of the same voter", entry(vec![ballot(1, 3)], None)),
        ("a ballot in a closed poll", entry(vec![ballot(2, 4)], None)),
        ("a named ballot in a secret poll", entry(vec![ballot(3, 4)], None)),
        (
            "a secret ballot in a named poll",
            entry(
                vec![Fact::SecretBallotCast {
                    poll_id: PollId(1),
                    voter: UserId(4),
                    vote: Vote::Choice(Choice::No),
                }],
                None,
            ),
        ),
        ("a ballot of someone not on the roll", entry(vec![ballot(1, 1)], None)),
        (
            "a ballot in a poll that does not exist",
            entry(vec![ballot(9, 4)], None),
        ),
        ("a gap in the log", entry(vec![logged(seq + 2)], None)),
        ("a seq used twice", entry(vec![logged(seq)], None)),
        ("a command id used twice", entry(vec![], Some("c-1")).with_user(3)),
        (
            "a closed poll reopened",
            entry(
                vec![Fact::Logged {
                    seq: seq + 1,
                    event: MeetingEvent::PollClosed {
                        poll_id: PollId(2),
                        tally: Default::default(),
                        outcome: phonghop_protocol::Outcome::Passed,
                        line_outcomes: vec![],
                    },
                }],
                None,
            ),
        ),
    ];
    for (what, forged) in forged {
        match store.append(meeting, before.version, &[forged]).await {
            Err(StoreError::Refused(_)) => {}
            other => panic!("{what}: expected the database to refuse, got {other:?}"),
        }
    }
    let stale = store
        .append(meeting, before.version - 1, &[entry(vec![ballot(1, 4)], None)])
        .await;
    assert!(matches!(stale, Err(StoreError::Conflict)), "{stale:?}");

    let after = store.load(meeting).await.unwrap();
    assert_eq!(after.version, before.version, "nothing refused was recorded");
    assert_eq!(after.model, before.model);
    let verdict = store.verify_audit().await.unwrap();
    assert_eq!(verdict.broken, None);
    let kept = store.audit_entries(None, 0, 10_000).await.unwrap();
    assert_eq!(verdict.entries, kept.len() as u64, "nothing refused reached the trail");
}
}

trait WithUser {
    fn with_user(self, user: u32) -> Self;
}

impl WithUser for Entry {
    fn with_user(mut self, user: u32) -> Self {
        if let Some(receipt) = self.receipt.as_mut() {
            receipt.user = UserId(user);
        }
        self
    }
}

on_both_stores! {
async fn a_command_already_carried_out_is_answered_from_its_receipt(backend) {
    let store = backend.open().await;
    let meeting = meeting_with_members(&store, 1).await;
    let first = execute(&store, meeting, actor(1), add_item("Khai mạc"), Some("add-1"))
        .await
        .unwrap();
    let again = execute(&store, meeting, actor(1), add_item("Khai mạc"), Some("add-1"))
        .await
        .unwrap();
    assert_eq!(first, again);
    assert_eq!(store.load(meeting).await.unwrap().model.view.items.len(), 1);
    let receipts = [
        Receipt {
            user: UserId(1),
            command_id: "add-1".into(),
        },
        Receipt {
            user: UserId(2),
            command_id: "add-1".into(),
        },
    ];
    assert_eq!(store.processed(&receipts).await.unwrap(), vec![Some(first), None]);
}
}

#[tokio::test]
async fn a_database_of_another_schema_is_refused_with_a_clear_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    {
        let store = SqliteStore::open(&path).await.unwrap();
        store.close().await;
    }
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&path);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::query("UPDATE _sqlx_migrations SET checksum = x'00'")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    match SqliteStore::open(&path).await {
        Err(StoreError::OldSchema(_)) => {}
        Err(other) => panic!("expected OldSchema, got {other}"),
        Ok(_) => panic!("an old schema was accepted"),
    }
}

on_both_stores! {
async fn thousands_of_receipts_are_looked_up_at_once(backend) {
    let store = backend.open().await;
    let meeting = meeting_with_members(&store, 1).await;
    execute(&store, meeting, actor(1), add_item("Khai mạc"), Some("known"))
        .await
        .unwrap();
    let mut receipts: Vec<Receipt> = (0..5000)
        .map(|n| Receipt {
            user: UserId(1),
            command_id: format!("unknown-{n}"),
        })
        .collect();
    receipts.push(Receipt {
        user: UserId(1),
        command_id: "known".into(),
    });
    let found = store.processed(&receipts).await.unwrap();
    assert_eq!(found.iter().filter(|result| result.is_some()).count(), 1);
    assert!(found.last().unwrap().is_some());
}
}

on_both_stores! {
async fn the_hot_folder_state_survives_a_reopen_and_keeps_the_first_item_of_a_folder_name(backend) {
    use phonghop_core::{IndexedPage, NewDocument, NewFile};
    use phonghop_protocol::{DocumentId, Sha256};
    use phonghop_store::HotFolderFile;

    let store = backend.open().await;
    let meeting = meeting_with_members(&store, 0).await;
    for title in ["Giấy mời họp", "Giấy mời họp (2)"] {
        execute(&store, meeting, actor(1), add_item(title), None).await.unwrap();
    }
    let pdf = Sha256::from_digest(&[7; 32]);
    let document = Request::AddDocument(NewDocument {
        item_id: ItemId(1),
        title: "Giấy mời".into(),
        file: NewFile {
            file_name: "giay-moi-hop.pdf".into(),
            sha256: pdf,
            size: 100,
            pages: vec![IndexedPage {
                width_pt: 595.0,
                height_pt: 842.0,
                text: "GIẤY MỜI HỌP".into(),
            }],
            original: None,
            unrenderable_pages: vec![],
            changes: None,
        },
    });
    execute(&store, meeting, actor(1), document, None).await.unwrap();

    store
        .record_hot_folder_item(meeting, "Giấy mời họp", ItemId(1))
        .await
        .unwrap();
    store
        .record_hot_folder_item(meeting, "Giấy mời họp", ItemId(2))
        .await
        .unwrap();
    let mut file = HotFolderFile {
        meeting_id: meeting,
        item_id: ItemId(1),
        file_name: "giay-moi-hop.docx".into(),
        path: "1/Giấy mời họp/giay-moi-hop.docx".into(),
        sha256: Sha256::from_digest(&[1; 32]),
        size: 36902,
        mtime_ns: 1_765_000_000_123_456_789,
        document_id: DocumentId(1),
        revision: 1,
        taken_at: 1_765_000_001,
    };
    store.record_hot_folder_file(&file).await.unwrap();
    file.sha256 = Sha256::from_digest(&[2; 32]);
    file.revision = 2;
    file.path = "1/1 - Giấy mời họp/giay-moi-hop.docx".into();
    store.record_hot_folder_file(&file).await.unwrap();
    let unknown_item = HotFolderFile {
        item_id: ItemId(9),
        ..file.clone()
    };
    assert!(
        store.record_hot_folder_file(&unknown_item).await.is_err(),
        "a file of an item the meeting does not have is refused"
    );
    store.close().await;

    let store = backend.open().await;
    assert_eq!(
        store.hot_folder_files().await.unwrap(),
        vec![file],
        "one row per name, the last one taken"
    );
    assert_eq!(
        store.hot_folder_item(meeting, "Giấy mời họp").await.unwrap(),
        Some(ItemId(1)),
        "the first item made for a folder name stays"
    );
    assert_eq!(store.hot_folder_item(meeting, "Tờ trình").await.unwrap(), None);
}
}

on_both_stores! {
async fn a_secret_polls_choices_are_sealed_apart_counted_after_a_restart_and_forgotten_at_its_close(backend) {
    let store = backend.open().await;
    let meeting = meeting_with_members(&store, 4).await;
    execute(&store, meeting, actor(1), add_item("Bầu Phó Chủ tịch"), None)
        .await
        .unwrap();
    let open = Request::Command(Command::OpenPoll {
        ballot: None,
        item_id: ItemId(1),
        title: "Bỏ phiếu kín".into(),
        rule: None,
        preset: None,
        secrecy: Some(Secrecy::Secret),
        changeable: None,
        quorum_override: None,
        duration_seconds: None,
    });
    execute(&store, meeting, actor(2), open, None).await.unwrap();
    let keys = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(backend.key_folder())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect()
    };
    assert_eq!(keys().len(), 1, "the open secret poll has its key beside the database");
    let pattern = [Choice::Yes, Choice::No, Choice::Yes, Choice::Abstain];
    for (voter, choice) in (3..).zip(pattern) {
        let ballot = Request::Command(Command::CastBallot {
            poll_id: PollId(1),
            choice,
        });
        let answer = execute(&store, meeting, actor(voter), ballot, Some(&format!("b-{voter}")))
            .await
            .unwrap();
        assert_eq!(
            answer,
            CommandResult::BallotRecorded {
                poll_id: PollId(1),
                choice: None,
                marks: None,
            }
        );
    }
    let voters_and_sealed = || async {
        let voters = backend.count("SELECT COUNT(*) FROM secret_voters").await;
        let sealed = backend.blobs("SELECT sealed FROM sealed_ballots").await;
        let named = backend.count("SELECT COUNT(*) FROM ballots").await;
        (voters, sealed, named)
    };
    let (voters, sealed, named) = voters_and_sealed().await;
    assert_eq!((voters, sealed.len(), named), (4, 4, 0));
    assert!(
        sealed.iter().all(|bytes| bytes.len() == 29),
        "every choice seals to one length"
    );
    let mut distinct = sealed.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 4, "two yes ballots do not look alike");

    // Another process (or the server after kill -9) counts the sealed ballots with the key file.
    drop(store);
    let store = backend.open().await;
    let model = store.load(meeting).await.unwrap().model;
    let tally = model.poll(PollId(1)).unwrap().tally.clone();
    assert_eq!((tally.yes, tally.no, tally.abstain, tally.sealed), (0, 0, 0, 4));
    let counts = &model.rolls[&PollId(1)].secret_counts;
    assert_eq!((counts.yes, counts.no, counts.abstain), (2, 1, 1));
    let mine = store.my_ballots(meeting, UserId(4)).await.unwrap();
    assert_eq!(
        mine,
        [phonghop_protocol::MyBallot {
            poll_id: PollId(1),
            choice: None,
            marks: None,
        }]
    );

    execute(
        &store,
        meeting,
        actor(2),
        Request::Command(Command::ClosePoll { poll_id: PollId(1) }),
        None,
    )
    .await
    .unwrap();
    let closed = store.load(meeting).await.unwrap().model;
    let tally = closed.poll(PollId(1)).unwrap().tally.clone();
    assert_eq!((tally.yes, tally.no, tally.abstain, tally.sealed), (2, 1, 1, 0));
    assert!(keys().is_empty(), "the closed poll's key is gone");
    let (voters, sealed, _) = voters_and_sealed().await;
    assert_eq!(
        (voters, sealed.len()),
        (4, 0),
        "who voted stays; the sealed choices are gone"
    );
    let record = store.poll_record_facts(meeting, PollId(1)).await.unwrap().unwrap();
    assert!(record.roll.is_empty(), "a secret poll's record names no one");
}
}

on_both_stores! {
/// A hall screen's code opens its meeting until it expires or its meeting's codes are revoked;
/// another meeting's codes stay.
async fn a_hall_code_expires_and_is_revoked_with_its_meetings_others(backend) {
    let store = backend.open().await;
    let meeting = meeting_with_members(&store, 1).await;
    let other = store
        .create_meeting("Họp khác", "", "", MeetingKind::CouncilSitting)
        .await
        .unwrap()
        .id;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let (fresh, stale, elsewhere) = ([1u8; 32], [2u8; 32], [3u8; 32]);
    store
        .create_hall_link(&fresh, meeting, UserId(1), now + 3600)
        .await
        .unwrap();
    store
        .create_hall_link(&stale, meeting, UserId(1), now - 1)
        .await
        .unwrap();
    store
        .create_hall_link(&elsewhere, other, UserId(1), now + 3600)
        .await
        .unwrap();
    assert_eq!(store.hall_link(&fresh).await.unwrap(), Some((meeting, now + 3600)));
    assert_eq!(store.hall_link(&stale).await.unwrap(), None, "expired");
    assert_eq!(store.hall_link(&[9u8; 32]).await.unwrap(), None, "never made");
    assert_eq!(store.revoke_hall_links(meeting).await.unwrap(), 2);
    assert_eq!(store.hall_link(&fresh).await.unwrap(), None, "revoked");
    assert_eq!(store.hall_link(&elsewhere).await.unwrap(), Some((other, now + 3600)));
}
}

on_both_stores! {
/// The audit trail is one chain: the store refuses to change or shorten it, and an entry
/// changed or removed behind its back (the triggers dropped) is found, and where.
async fn the_audit_trail_shows_an_entry_changed_or_removed_behind_its_back(backend) {
    let store = backend.open().await;
    let meeting = meeting_with_members(&store, 3).await;
    let login = AuditRecord {
        at_ms: 1_764_000_000_123,
        meeting_id: None,
        user_id: Some(UserId(2)),
        who: "Trần Thị B (db002)".into(),
        address: "192.0.2.7".into(),
        action: "login".into(),
        detail: "{}".into(),
    };
    store.record_audit(std::slice::from_ref(&login)).await.unwrap();
    let all = store.audit_entries(None, 0, 1000).await.unwrap();
    let of_meeting = store.audit_entries(Some(meeting), 0, 1000).await.unwrap();
    assert_eq!(all.len(), of_meeting.len() + 1, "the login belongs to no meeting");
    let last = all.last().unwrap();
    assert_eq!((last.action.as_str(), last.address.as_str()), ("login", "192.0.2.7"));
    assert_eq!(
        all.iter().map(|entry| entry.seq).collect::<Vec<_>>(),
        (1..=all.len() as u64).collect::<Vec<_>>()
    );
    let intact = store.verify_audit().await.unwrap();
    assert_eq!((intact.entries, intact.broken.clone()), (all.len() as u64, None));
    assert_eq!(intact.head, last.hash);
    // Paging: after the third, two entries.
    let page = store.audit_entries(None, 3, 2).await.unwrap();
    assert_eq!(page.iter().map(|entry| entry.seq).collect::<Vec<_>>(), [4, 5]);
    store.close().await;

    let checked = || async {
        let store = backend.open().await;
        let verdict = store.verify_audit().await.unwrap();
        store.close().await;
        verdict
    };
    for (statement, said) in [
        ("UPDATE audit_log SET who = 'Người khác' WHERE seq = 2", "never changed"),
        ("DELETE FROM audit_log WHERE seq = 3", "never shortened"),
    ] {
        let refused = backend.try_execute(statement).await.unwrap_err();
        assert!(refused.contains(said), "{refused}");
    }
    for trigger in ["audit_log_is_never_changed", "audit_log_is_never_shortened"] {
        backend.drop_trigger(trigger, "audit_log").await;
    }
    backend
        .execute("UPDATE audit_log SET who = 'Người khác' WHERE seq = 2")
        .await;
    let edited = checked().await;
    assert_eq!(edited.broken, Some(ChainBreak::Altered { seq: 2 }));
    assert_eq!(edited.entries, 1);

    // Put back as it was (every entry of the set-up has the same `who`), then remove one.
    for statement in [
        "UPDATE audit_log SET who = (SELECT who FROM audit_log WHERE seq = 1) WHERE seq = 2",
        "DELETE FROM audit_log WHERE seq = 4",
    ] {
        backend.execute(statement).await;
    }
    let removed = checked().await;
    assert_eq!(removed.broken, Some(ChainBreak::Missing { expected: 4, seq: 5 }));
    assert_eq!(removed.entries, 3);

    // The end removed.
    backend.execute("DELETE FROM audit_log WHERE seq >= 4").await;
    let truncated = checked().await;
    let total = all.len() as u64;
    assert_eq!(
        truncated.broken,
        Some(ChainBreak::Truncated {
            last: 3,
            written: total
        })
    );
    // Written on after a removal, the chain still shows the gap.
    let store = backend.open().await;
    store.record_audit(&[login]).await.unwrap();
    let after = store.verify_audit().await.unwrap();
    assert_eq!(
        after.broken,
        Some(ChainBreak::Missing {
            expected: 4,
            seq: total + 1
        })
    );
}
}

/// Writers of two instances on one PostgreSQL database lock the meeting before deciding: each
/// waits its turn, reads the version the last one left, and never meets a conflict — none can
/// be starved by the other's quicker appends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_of_two_instances_take_turns_on_a_locked_meeting_and_never_conflict() {
    let backend = Backend::postgres().await;
    let stores = [backend.open().await, backend.open().await];
    let meeting = meeting_with_members(&stores[0], 2).await;
    let before = stores[0].last_seq(meeting).await.unwrap();
    const CHANGES: u32 = 40;
    // Each instance has one writer, which holds one meeting's lock at a time.
    let mut writers = tokio::task::JoinSet::new();
    for (first, store) in stores.iter().enumerate() {
        let store = Arc::clone(store);
        writers.spawn(async move {
            for n in (first as u32..CHANGES).step_by(2) {
                let lock = store
                    .lock_meeting(meeting)
                    .await
                    .unwrap()
                    .expect("PostgreSQL locks meetings");
                let loaded = store.load(meeting).await.unwrap();
                assert_eq!(
                    loaded.version,
                    lock.version(),
                    "nobody wrote between the lock and the read"
                );
                let facts = decide(&loaded.model, &actor(1), &add_item(&format!("Mục {n}"))).unwrap();
                let mut model = loaded.model.clone();
                facts.iter().for_each(|fact| model.apply(fact));
                let entry = Entry {
                    receipt: None,
                    result: command_result(&facts, model.seq),
                    audit: audit_of(meeting, &facts),
                    facts,
                };
                lock.append(&[entry])
                    .await
                    .expect("a locked meeting's append never conflicts");
            }
        });
    }
    while let Some(joined) = writers.join_next().await {
        joined.unwrap();
    }
    let seqs: Vec<u32> = stores[1]
        .events_after(meeting, before, 1000)
        .await
        .unwrap()
        .iter()
        .map(|(seq, _)| *seq)
        .collect();
    assert_eq!(seqs, (before + 1..=before + CHANGES).collect::<Vec<_>>(), "no gap");
    assert_eq!(
        stores[0].load(meeting).await.unwrap().model.view.items.len(),
        CHANGES as usize
    );
    // SQLite has one writing process and no such lock.
    let sqlite = Backend::sqlite().open().await;
    let local = meeting_with_members(&sqlite, 1).await;
    assert!(sqlite.lock_meeting(local).await.unwrap().is_none());
}
