//! Properties of the decider under any sequence of requests by any actors:
//! - a client's mirror, built from the first snapshot by the logged events and the tallies the
//!   server broadcasts, equals a fresh snapshot of the model after every step;
//! - replaying every recorded fact from the start rebuilds the same model (the facts are all the
//!   store needs);
//! - the log's seq grows by one per logged event, with no gap;
//! - every open poll has consistent counts and can always be closed and decided.

use phonghop_core::{decide, decide_at, Actor, Fact, MeetingModel, Request};
use phonghop_protocol::{
    BallotForm, Base, Choice, Command, Comparison, Fraction, ItemId, MajorityRule, Meeting, MeetingEvent, MeetingId,
    PollId, PollState, Role, Secrecy, UserId,
};
use proptest::prelude::*;

/// Users 1–6 may be members; 7 never is; 8 is a council-office (admin) account.
const USERS: u32 = 8;
const ADMIN: UserId = UserId(8);

fn actor(user: u32) -> Actor {
    Actor {
        user: UserId(user),
        name: format!("Đại biểu {user}"),
        is_admin: UserId(user) == ADMIN,
    }
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![Just(Role::Chair), Just(Role::Secretariat), Just(Role::Delegate)]
}

fn choice() -> impl Strategy<Value = Choice> {
    prop_oneof![Just(Choice::Yes), Just(Choice::No), Just(Choice::Abstain)]
}

fn title() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Khai mạc".to_owned()),
        Just("Dự thảo Nghị quyết".to_owned()),
        Just("  Báo cáo  ".to_owned()),
        Just("\u{200B}".to_owned()),
        Just(String::new()),
    ]
}

fn rule() -> impl Strategy<Value = Option<MajorityRule>> {
    let base = prop_oneof![
        Just(Base::AllMembers),
        Just(Base::Present),
        Just(Base::Cast),
        Just(Base::YesNo)
    ];
    let comparison = prop_oneof![Just(Comparison::MoreThan), Just(Comparison::AtLeast)];
    let fraction = (0u32..4, 0u32..4).prop_map(|(n, d)| Fraction::new(n, d));
    let quorum = prop::option::of((0u32..4, 1u32..4).prop_map(|(n, d)| Fraction::new(n, d)));
    prop::option::of(
        (base, fraction, comparison, quorum).prop_map(|(base, threshold, comparison, quorum)| MajorityRule {
            base,
            threshold,
            comparison,
            quorum,
        }),
    )
}

/// A motion (half the time), options, an election of 2 of 3, yes/no per candidate or a
/// confidence vote on 2 people.
fn ballot_form() -> impl Strategy<Value = Option<BallotForm>> {
    let names = |names: &[&str]| names.iter().map(|name| name.to_string()).collect::<Vec<_>>();
    prop_oneof![
        4 => Just(None),
        1 => Just(Some(BallotForm::Options {
            options: names(&["Phương án 1", "Phương án 2"]),
            max_picks: 1
        })),
        1 => Just(Some(BallotForm::Election {
            candidates: names(&["An", "Bình", "Cường"]),
            seats: 2
        })),
        1 => Just(Some(BallotForm::YesNoEach {
            candidates: names(&["An", "Bình", "Cường"]),
            seats: 2
        })),
        1 => Just(Some(BallotForm::Confidence {
            persons: names(&["An", "Bình"])
        })),
    ]
}

fn request() -> impl Strategy<Value = Request> {
    let item = (1u32..6).prop_map(ItemId);
    let poll = (1u32..6).prop_map(PollId);
    prop_oneof![
        (title(), title(), prop::option::of(1u32..6)).prop_map(|(title, description, parent)| Request::Command(
            Command::AddAgendaItem {
                title,
                description,
                parent: parent.map(ItemId)
            }
        )),
        (item.clone(), prop::option::of(1u32..6), 0u32..4).prop_map(|(item_id, parent, index)| Request::Command(
            Command::MoveAgendaItem {
                item_id,
                parent: parent.map(ItemId),
                index
            }
        )),
        item.clone()
            .prop_map(|item_id| Request::Command(Command::RemoveAgendaItem { item_id })),
        Just(Request::Command(Command::PublishAgenda)),
        (item.clone(), title()).prop_map(|(item_id, title)| Request::Command(Command::EditAgendaItem {
            item_id,
            title,
            description: String::new()
        })),
        prop::collection::vec(1u32..6, 0..6).prop_map(|ids| Request::Command(Command::ReorderAgenda {
            item_ids: ids.into_iter().map(ItemId).collect()
        })),
        (item, title(), rule(), ballot_form(), any::<bool>(), any::<bool>()).prop_map(
            |(item_id, title, rule, ballot, secret, changeable)| Request::Command(Command::OpenPoll {
                item_id,
                title,
                rule,
                ballot,
                preset: None,
                secrecy: secret.then_some(Secrecy::Secret),
                changeable: Some(changeable),
                quorum_override: None,
                duration_seconds: None,
            })
        ),
        poll.clone()
            .prop_map(|poll_id| Request::Command(Command::ClosePoll { poll_id })),
        poll.clone().prop_map(|poll_id| Request::Command(Command::CancelPoll {
            poll_id,
            reason: "Hủy".into()
        })),
        (poll.clone(), choice())
            .prop_map(|(poll_id, choice)| Request::Command(Command::CastBallot { poll_id, choice })),
        // Marks drawn at random: often the wrong number or a mark the form does not know.
        (poll, prop::collection::vec(0u8..4, 0..4))
            .prop_map(|(poll_id, marks)| Request::Command(Command::CastMarks { poll_id, marks })),
        Just(Request::Command(Command::CheckIn)),
        prop::option::of(1u32..6).prop_map(|item| Request::Command(Command::SetCurrentItem {
            item_id: item.map(ItemId)
        })),
        Just(Request::Command(Command::RequestToSpeak { item_id: None })),
        prop::option::of(1u32..=USERS).prop_map(|user| Request::Command(Command::WithdrawSpeechRequest {
            user_id: user.map(UserId)
        })),
        prop::collection::vec(1u32..=USERS, 0..4).prop_map(|users| Request::Command(Command::OrderSpeakers {
            user_ids: users.into_iter().map(UserId).collect()
        })),
        ((1u32..=USERS), prop::sample::select(vec![10u32, 120, 300])).prop_map(|(user, seconds)| {
            Request::Command(Command::GrantFloor {
                user_id: UserId(user),
                seconds,
            })
        }),
        Just(Request::Command(Command::EndSpeech)),
        ((1u32..=USERS), role()).prop_map(|(user, role)| Request::SetMember {
            user: UserId(user),
            role
        }),
    ]
}

/// A reorder drawn at random rarely names every item; half the time, use the current items
/// reversed so reorders really happen.
fn sharpen(model: &MeetingModel, request: Request, reverse: bool) -> Request {
    match request {
        Request::Command(Command::ReorderAgenda { .. }) if reverse => Request::Command(Command::ReorderAgenda {
            item_ids: model.view.items.iter().rev().map(|item| item.id).collect(),
        }),
        Request::Command(Command::OrderSpeakers { .. }) if reverse => Request::Command(Command::OrderSpeakers {
            user_ids: model
                .view
                .floor
                .queue
                .iter()
                .rev()
                .map(|request| request.user_id)
                .collect(),
        }),
        // Half the grants go to whoever waits first, so the floor really changes hands.
        Request::Command(Command::GrantFloor { seconds, .. }) if reverse && !model.view.floor.queue.is_empty() => {
            Request::Command(Command::GrantFloor {
                user_id: model.view.floor.queue[0].user_id,
                seconds,
            })
        }
        other => other,
    }
}

fn new_meeting() -> MeetingModel {
    MeetingModel::new(Meeting {
        id: MeetingId(1),
        title: "Kỳ họp".into(),
        location: String::new(),
        kind: Default::default(),
        starts_at: String::new(),
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_sequence_keeps_mirror_log_and_polls_consistent(
        steps in prop::collection::vec(((1u32..=USERS), request(), any::<bool>()), 1..120)
    ) {
        let mut model = new_meeting();
        let mut recorded: Vec<Fact> = Vec::new();
        // Seed: the office makes users 1–3 a chair, a secretariat and a delegate, so requests
        // are not all refused as coming from strangers.
        for (user, role) in [(1, Role::Chair), (2, Role::Secretariat), (3, Role::Delegate)] {
            let facts = decide(&model, &actor(8), &Request::SetMember { user: UserId(user), role }).unwrap();
            facts.iter().for_each(|fact| model.apply(fact));
            recorded.extend(facts);
        }
        let mut mirror = model.view.clone();

        for (step, (user, request, reverse)) in steps.into_iter().enumerate() {
            let request = sharpen(&model, request, reverse);
            let seq_before = model.seq;
            // The server's clock, for the floor's start times.
            let now = 1_000 + step as i64;
            let Ok(facts) = decide_at(&model, &actor(user), &request, now) else { continue };
            for fact in &facts {
                model.apply(fact);
            }
            // What the server sends: each logged event, then the tallies that changed.
            let mut expected_seq = seq_before;
            for fact in &facts {
                if let Fact::Logged { seq, event } = fact {
                    expected_seq += 1;
                    prop_assert_eq!(*seq, expected_seq, "seq is gap-free");
                    phonghop_core::mirror::apply(&mut mirror, event);
                }
            }
            prop_assert_eq!(model.seq, expected_seq);
            for (poll_id, tally) in model.tallies_changed_by(&facts) {
                phonghop_core::mirror::apply_tally(&mut mirror, poll_id, tally);
            }
            recorded.extend(facts);
            prop_assert_eq!(&mirror, &model.view, "mirror equals a fresh snapshot after {:?}", request);
            check_polls(&model)?;
            check_floor(&model)?;
        }

        let mut rebuilt = new_meeting();
        recorded.iter().for_each(|fact| rebuilt.apply(fact));
        prop_assert_eq!(rebuilt, model);
    }
}

/// Nobody waits twice, the speaker does not also wait, and the item under discussion exists.
fn check_floor(model: &MeetingModel) -> Result<(), TestCaseError> {
    let floor = &model.view.floor;
    let mut waiting: Vec<UserId> = floor.queue.iter().map(|request| request.user_id).collect();
    waiting.sort();
    waiting.dedup();
    prop_assert_eq!(
        waiting.len(),
        floor.queue.len(),
        "someone waits twice: {:?}",
        floor.queue
    );
    if let Some(speech) = &floor.speaking {
        prop_assert!(!waiting.contains(&speech.user_id), "the speaker still waits");
        prop_assert!((30..=3_600).contains(&speech.seconds));
    }
    if let Some(item) = model.view.current_item {
        prop_assert!(model.has_item(item), "the item under discussion exists");
    }
    Ok(())
}

/// Every open poll has counts that can be decided, and someone who runs polls can close it.
fn check_polls(model: &MeetingModel) -> Result<(), TestCaseError> {
    for poll in model.open_polls() {
        let roll = model.rolls.get(&poll.id).expect("an open poll has a roll");
        let tally = poll.tally.clone();
        prop_assert_eq!(tally.members, roll.members());
        prop_assert_eq!(tally.present, roll.present());
        prop_assert_eq!(tally.cast() as usize, roll.voted.len());
        prop_assert!(tally.present <= tally.members && tally.cast() <= tally.present && tally.members > 0);
        prop_assert_eq!(tally.counts.len(), poll.ballot.lines().len());
        match poll.secrecy {
            Secrecy::Named => {
                prop_assert_eq!(tally.sealed, 0);
                // A ballot of marks counts once on every line.
                for line in &tally.counts {
                    prop_assert_eq!(line.iter().sum::<u32>() as usize, roll.voted.len());
                }
            }
            // An open secret poll tells no count, only how many have voted.
            Secrecy::Secret => {
                prop_assert_eq!((tally.yes, tally.no, tally.abstain), (0, 0, 0));
                prop_assert!(tally.counts.iter().flatten().all(|count| *count == 0));
            }
        }

        // Whoever holds the chair now (here: user 1 made chair for the check) can close it.
        let mut with_chair = model.clone();
        with_chair.apply(&Fact::MemberSet {
            user: UserId(1),
            role: Role::Chair,
        });
        let closed = decide(
            &with_chair,
            &actor(1),
            &Request::Command(Command::ClosePoll { poll_id: poll.id }),
        );
        match closed.as_deref() {
            Ok(
                [Fact::Logged {
                    event:
                        MeetingEvent::PollClosed {
                            poll_id,
                            tally: final_tally,
                            ..
                        },
                    ..
                }],
            ) => {
                prop_assert_eq!(*poll_id, poll.id);
                // The close tells the counts: as many ballots as were cast, none left sealed.
                prop_assert_eq!(final_tally, &model.final_tally(poll));
                prop_assert_eq!((final_tally.cast(), final_tally.sealed), (tally.cast(), 0));
                if poll.secrecy == Secrecy::Named {
                    prop_assert_eq!(final_tally, &tally);
                }
            }
            other => prop_assert!(false, "poll {} could not be closed: {:?}", poll.id, other),
        }
    }
    for poll in model.view.polls.iter().filter(|poll| poll.state == PollState::Closed) {
        prop_assert!(poll.outcome.is_some());
    }
    Ok(())
}
