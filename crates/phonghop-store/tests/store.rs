//! The store on a real SQLite file: the event log is gap-free, one ballot per member, a closed
//! poll takes no ballot, and a snapshot agrees with the log.

use phonghop_protocol::{Choice, MajorityRule, MeetingEvent, Outcome, PollState, Role};
use phonghop_store::{NewUser, Store, StoreError};

async fn store_with_members(dir: &std::path::Path, delegates: u32) -> (Store, u32, Vec<u32>) {
    let store = Store::open(&dir.join("test.sqlite3")).await.unwrap();
    let meeting = store
        .create_meeting("Kỳ họp thử", "Hội trường", "2026-12-01")
        .await
        .unwrap();
    let mut users = Vec::new();
    for n in 0..delegates + 1 {
        let id = store
            .create_user(&NewUser {
                username: format!("db{n:03}"),
                full_name: format!("Đại biểu {n}"),
                position: String::new(),
                password_hash: "not used here".into(),
                is_admin: n == 0,
            })
            .await
            .unwrap();
        let role = if n == 0 { Role::Secretariat } else { Role::Delegate };
        store.set_member(meeting.id, id, role).await.unwrap();
        users.push(id);
    }
    (store, meeting.id, users)
}

#[tokio::test]
async fn concurrent_changes_get_gap_free_sequence_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let (store, meeting, _) = store_with_members(dir.path(), 1).await;
    let adds = (0..20).map(|n| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .add_agenda_item(meeting, &format!("Mục {n}"), "", None)
                .await
                .unwrap()
                .0
        })
    });
    let mut seqs: Vec<u32> = futures_join(adds).await;
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=20).collect::<Vec<_>>());
    let events = store.events_after(meeting, 0, 100).await.unwrap();
    assert_eq!(
        events.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(),
        (1..=20).collect::<Vec<_>>()
    );
    let (seq, state) = store.snapshot(meeting).await.unwrap();
    assert_eq!(seq, 20);
    let positions: Vec<u32> = state.items.iter().map(|item| item.position).collect();
    assert_eq!(positions, (0..20).collect::<Vec<_>>(), "positions are gap-free too");
}

async fn futures_join<T: Send + 'static>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

#[tokio::test]
async fn one_ballot_per_member_and_none_after_close() {
    let dir = tempfile::tempdir().unwrap();
    let (store, meeting, users) = store_with_members(dir.path(), 3).await;
    let (_, added) = store.add_agenda_item(meeting, "Nghị quyết", "", None).await.unwrap();
    let MeetingEvent::AgendaItemAdded { item } = added else {
        panic!("unexpected {added:?}")
    };
    let (_, opened) = store
        .open_poll(meeting, item.id, "Biểu quyết", MajorityRule::default(), None)
        .await
        .unwrap();
    let MeetingEvent::PollOpened { poll } = opened else {
        panic!("unexpected {opened:?}")
    };
    assert_eq!(poll.state, PollState::Open);

    store
        .cast_ballot(meeting, poll.id, users[1], Choice::Yes, None)
        .await
        .unwrap();
    assert!(matches!(
        store.cast_ballot(meeting, poll.id, users[1], Choice::No, None).await,
        Err(StoreError::AlreadyVoted)
    ));
    assert!(matches!(
        store.cast_ballot(meeting, poll.id, users[0], Choice::Yes, None).await,
        Err(StoreError::NotAVoter)
    ));
    store
        .cast_ballot(meeting, poll.id, users[2], Choice::Yes, None)
        .await
        .unwrap();

    let (_, closed) = store.close_poll(meeting, poll.id, None).await.unwrap();
    let MeetingEvent::PollClosed { tally, outcome, .. } = closed else {
        panic!("unexpected {closed:?}")
    };
    assert_eq!((tally.members, tally.present, tally.yes, tally.no), (3, 2, 2, 0));
    assert_eq!(
        outcome,
        Outcome::Passed,
        "2 of 3 is more than half, and 2 present reach 2/3 of 3"
    );
    assert!(matches!(
        store.cast_ballot(meeting, poll.id, users[3], Choice::Yes, None).await,
        Err(StoreError::PollClosed)
    ));
    assert!(matches!(
        store.close_poll(meeting, poll.id, None).await,
        Err(StoreError::PollClosed)
    ));
}
