//! Per-meeting fan-out: log events and coalesced live tallies, serialized once and sent as the
//! same bytes to every subscriber.
//!
//! Each subscriber reads from a bounded `broadcast` channel. One too slow to keep up is told it
//! lagged and resyncs from a snapshot; it never slows the others down. Frames of the log carry
//! their `seq`, so a subscriber that read its catch-up before the frames reached it skips the ones
//! it already has: subscribing needs no lock against the writer.
//!
//! The hub also holds each meeting's latest [`Snapshot`], serialized once by the writer after
//! every change, so a hall subscribing at once costs no database reads and no re-serializing.
//! Only the writer changes it ([`Hub::commit`]), its own changes and those of other instances
//! alike, so every channel carries the log gap-free and in seq order.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use phonghop_protocol::{MeetingEvent, MeetingId, MeetingState, PollId, PollState, ServerFrame, ServerMessage, Tally};
use tokio::sync::{broadcast, Notify};

/// How many frames a subscriber may fall behind before it must resync.
const SUBSCRIBER_QUEUE: usize = 1024;

/// One frame for every subscriber of a meeting: the JSON text (its bytes shared, never copied
/// per subscriber), and the log position it carries (none for tallies).
#[derive(Debug, Clone)]
pub struct Frame {
    pub seq: Option<u32>,
    pub text: Utf8Bytes,
}

impl Frame {
    fn new(seq: Option<u32>, message: ServerMessage) -> Frame {
        Frame {
            seq,
            text: ServerFrame::new(message).to_json().into(),
        }
    }
}

/// A meeting as the writer last committed it, serialized for subscribers.
#[derive(Debug)]
pub struct Snapshot {
    pub seq: u32,
    /// The `MeetingState` as JSON.
    pub state_json: String,
    /// The open polls and their counts now, for a subscriber that catches up by replay.
    pub open_tallies: Vec<(PollId, Tally)>,
    /// Whether the meeting has polls at all (else nobody has ballots in it).
    pub has_polls: bool,
}

impl Snapshot {
    pub fn of(seq: u32, state: &MeetingState) -> Snapshot {
        Snapshot {
            seq,
            state_json: serde_json::to_string(state).expect("a meeting state serializes"),
            open_tallies: Snapshot::open_tallies(state),
            has_polls: !state.polls.is_empty(),
        }
    }

    /// The open polls and their public tallies.
    pub fn open_tallies(state: &MeetingState) -> Vec<(PollId, Tally)> {
        state
            .polls
            .iter()
            .filter(|poll| poll.state == PollState::Open)
            .map(|poll| (poll.id, poll.tally.clone()))
            .collect()
    }
}

pub struct Hub {
    tally_interval: Duration,
    meetings: Mutex<HashMap<MeetingId, Arc<MeetingChannel>>>,
}

/// The fan-out of one meeting.
pub struct MeetingChannel {
    frames: broadcast::Sender<Frame>,
    tallies: Arc<TallyBoard>,
    latest: RwLock<Option<Arc<Snapshot>>>,
}

impl MeetingChannel {
    pub fn subscribe(&self) -> broadcast::Receiver<Frame> {
        self.frames.subscribe()
    }

    /// The meeting as last committed, once the writer has loaded it.
    pub fn latest(&self) -> Option<Arc<Snapshot>> {
        self.latest.read().expect("snapshot lock").clone()
    }
}

impl Hub {
    pub fn new(tally_interval: Duration) -> Hub {
        Hub {
            tally_interval,
            meetings: Mutex::new(HashMap::new()),
        }
    }

    /// The meeting's channel, created (with its tally task) on first use.
    pub fn channel(&self, meeting_id: MeetingId) -> Arc<MeetingChannel> {
        let mut meetings = self.meetings.lock().expect("hub lock");
        meetings
            .entry(meeting_id)
            .or_insert_with(|| {
                let frames = broadcast::channel(SUBSCRIBER_QUEUE).0;
                let tallies = Arc::new(TallyBoard::default());
                let sender = frames.clone();
                tokio::spawn(send_tallies(
                    Arc::clone(&tallies),
                    self.tally_interval,
                    move |poll_id, tally| {
                        // An error only means nobody is subscribed right now.
                        let message = ServerMessage::Tally {
                            meeting_id,
                            poll_id,
                            tally,
                        };
                        let _ = sender.send(Frame::new(None, message));
                    },
                ));
                Arc::new(MeetingChannel {
                    frames,
                    tallies,
                    latest: RwLock::new(None),
                })
            })
            .clone()
    }

    /// Brings the meeting's subscribers to a committed state: first its `snapshot` (when it
    /// changed), then the log `events` leading to it, in seq order, and the tallies they changed.
    ///
    /// The snapshot goes first so that a subscriber, which listens before reading the snapshot,
    /// cannot miss an event: an event sent before it listened is already in the snapshot it
    /// reads. Frames it then gets twice it skips by their seq.
    pub fn commit(
        &self,
        meeting_id: MeetingId,
        snapshot: Option<Snapshot>,
        events: &[(u32, MeetingEvent)],
        tallies: &[(PollId, Tally)],
    ) {
        let channel = self.channel(meeting_id);
        if let Some(snapshot) = snapshot {
            *channel.latest.write().expect("snapshot lock") = Some(Arc::new(snapshot));
        }
        for (seq, event) in events {
            let message = ServerMessage::Event {
                meeting_id,
                seq: *seq,
                event: event.clone(),
            };
            // An error only means nobody is subscribed right now.
            let _ = channel.frames.send(Frame::new(Some(*seq), message));
        }
        for (poll_id, tally) in tallies {
            channel.tallies.update(*poll_id, tally.clone());
        }
    }

    /// The seq of the meeting's latest snapshot, when this instance has one.
    pub fn shown_seq(&self, meeting_id: MeetingId) -> Option<u32> {
        let channel = self.meetings.lock().expect("hub lock").get(&meeting_id).cloned()?;
        let latest = channel.latest();
        latest.map(|snapshot| snapshot.seq)
    }

    /// Every meeting this instance has a channel of (it was loaded, or someone subscribed).
    pub fn meetings(&self) -> Vec<MeetingId> {
        self.meetings.lock().expect("hub lock").keys().copied().collect()
    }
}

/// The latest tally of each poll that changed since the last broadcast.
#[derive(Default)]
struct TallyBoard {
    changed: Mutex<BTreeMap<PollId, Tally>>,
    wake: Notify,
}

impl TallyBoard {
    fn update(&self, poll_id: PollId, tally: Tally) {
        self.changed.lock().expect("tally board lock").insert(poll_id, tally);
        self.wake.notify_one();
    }

    fn take(&self) -> BTreeMap<PollId, Tally> {
        std::mem::take(&mut *self.changed.lock().expect("tally board lock"))
    }
}

/// Sends each changed poll's latest tally at most once per `interval`, so a vote storm of N
/// ballots costs a few broadcasts, not N. The first change after a quiet spell goes out at once.
async fn send_tallies(board: Arc<TallyBoard>, interval: Duration, mut send: impl FnMut(PollId, Tally)) {
    loop {
        board.wake.notified().await;
        for (poll_id, tally) in board.take() {
            send(poll_id, tally);
        }
        tokio::time::sleep(interval).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A vote storm: a thousand tally updates within a second become about ten broadcasts, the
    /// last with the final count, and none comes sooner than the interval after the one before.
    #[tokio::test(start_paused = true)]
    async fn tallies_are_coalesced_to_one_per_interval_and_the_last_is_final() {
        let board = Arc::new(TallyBoard::default());
        let (sent, mut received) = tokio::sync::mpsc::unbounded_channel();
        let started = tokio::time::Instant::now();
        tokio::spawn(send_tallies(
            Arc::clone(&board),
            Duration::from_millis(100),
            move |poll, tally| {
                let _ = sent.send((started.elapsed(), poll, tally));
            },
        ));
        for yes in 1..=1000u32 {
            board.update(
                PollId(1),
                Tally {
                    members: 1000,
                    present: 1000,
                    yes,
                    no: 0,
                    abstain: 0,
                    sealed: 0,
                    counts: vec![],
                },
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        // Let the last interval pass, then look at what went out.
        tokio::time::sleep(Duration::from_millis(250)).await;
        let mut broadcasts = Vec::new();
        while let Ok(sent) = received.try_recv() {
            broadcasts.push(sent);
        }
        assert!(
            (10..=12).contains(&broadcasts.len()),
            "{} broadcasts for 1000 changes in 1 s",
            broadcasts.len()
        );
        assert_eq!(broadcasts.last().map(|(_, _, tally)| tally.yes), Some(1000));
        for pair in broadcasts.windows(2) {
            assert!(pair[1].0 - pair[0].0 >= Duration::from_millis(100), "{pair:?}");
        }
        assert_eq!(broadcasts[0].0, Duration::ZERO, "the first change goes out at once");
    }

    #[tokio::test(start_paused = true)]
    async fn each_changed_poll_gets_its_own_latest_tally() {
        let board = Arc::new(TallyBoard::default());
        let (sent, mut received) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(send_tallies(
            Arc::clone(&board),
            Duration::from_millis(100),
            move |poll, tally| {
                let _ = sent.send((poll, tally.no));
            },
        ));
        board.update(
            PollId(1),
            Tally {
                no: 1,
                ..Tally::default()
            },
        );
        board.update(
            PollId(2),
            Tally {
                no: 5,
                ..Tally::default()
            },
        );
        board.update(
            PollId(1),
            Tally {
                no: 2,
                ..Tally::default()
            },
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
        let mut got = Vec::new();
        while let Ok(sent) = received.try_recv() {
            got.push(sent);
        }
        assert_eq!(got, vec![(PollId(1), 2), (PollId(2), 5)]);
    }
}
