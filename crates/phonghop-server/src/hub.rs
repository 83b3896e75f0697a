//! Per-meeting fan-out: log events and coalesced live tallies, serialized once and sent as the
//! same bytes to every subscriber.
//!
//! Each subscriber reads from a bounded `broadcast` channel. One too slow to keep up is told it
//! lagged and resyncs from a snapshot; it never slows the others down.

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use phonghop_protocol::{MeetingEvent, ServerFrame, ServerMessage};
use phonghop_store::{Store, StoreError};
use tokio::sync::{broadcast, Notify};

/// How many frames a subscriber may fall behind before it must resync.
const SUBSCRIBER_QUEUE: usize = 1024;

pub struct Hub {
    store: Store,
    tally_interval: Duration,
    meetings: Mutex<HashMap<u32, Arc<MeetingChannel>>>,
}

/// The fan-out of one meeting.
pub struct MeetingChannel {
    meeting_id: u32,
    frames: broadcast::Sender<Arc<str>>,
    /// Held while a command commits its event and broadcasts it, and while a subscriber reads
    /// its replay, so that broadcast order is `seq` order and no event falls between a replay
    /// and the live stream.
    pub order: tokio::sync::Mutex<()>,
    /// Polls whose tally changed since the last tally broadcast.
    dirty_polls: Mutex<BTreeSet<u32>>,
    tally_wake: Notify,
}

impl MeetingChannel {
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<str>> {
        self.frames.subscribe()
    }

    fn send(&self, message: ServerMessage) {
        let text: Arc<str> = ServerFrame::new(message).to_json().into();
        // An error only means nobody is subscribed right now.
        let _ = self.frames.send(text);
    }
}

impl Hub {
    pub fn new(store: Store, tally_interval: Duration) -> Hub {
        Hub {
            store,
            tally_interval,
            meetings: Mutex::new(HashMap::new()),
        }
    }

    /// The meeting's channel, created (with its tally task) on first use.
    pub fn channel(&self, meeting_id: u32) -> Arc<MeetingChannel> {
        let mut meetings = self.meetings.lock().expect("hub lock");
        meetings
            .entry(meeting_id)
            .or_insert_with(|| {
                let channel = Arc::new(MeetingChannel {
                    meeting_id,
                    frames: broadcast::channel(SUBSCRIBER_QUEUE).0,
                    order: tokio::sync::Mutex::new(()),
                    dirty_polls: Mutex::new(BTreeSet::new()),
                    tally_wake: Notify::new(),
                });
                tokio::spawn(send_tallies(self.store.clone(), channel.clone(), self.tally_interval));
                channel
            })
            .clone()
    }

    /// Runs a store change that logs an event, then broadcasts that event, all under the
    /// meeting's order lock. Returns the event's seq.
    pub async fn logged<F, Fut>(&self, meeting_id: u32, change: F) -> Result<(u32, MeetingEvent), StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(u32, MeetingEvent), StoreError>>,
    {
        let channel = self.channel(meeting_id);
        let _order = channel.order.lock().await;
        let (seq, event) = change().await?;
        channel.send(ServerMessage::Event {
            meeting_id,
            seq,
            event: event.clone(),
        });
        Ok((seq, event))
    }

    /// Notes that a poll's tally changed; subscribers get it within one tally interval.
    pub fn tally_changed(&self, meeting_id: u32, poll_id: u32) {
        let channel = self.channel(meeting_id);
        channel.dirty_polls.lock().expect("dirty polls lock").insert(poll_id);
        channel.tally_wake.notify_one();
    }
}

/// Sends the tallies of changed polls at most once per `interval`, so a vote storm of N ballots
/// costs a few broadcasts, not N.
async fn send_tallies(store: Store, channel: Arc<MeetingChannel>, interval: Duration) {
    loop {
        channel.tally_wake.notified().await;
        let polls: Vec<u32> = std::mem::take(&mut *channel.dirty_polls.lock().expect("dirty polls lock"))
            .into_iter()
            .collect();
        for poll_id in polls {
            match store.tally(channel.meeting_id, poll_id).await {
                Ok(tally) => channel.send(ServerMessage::Tally {
                    meeting_id: channel.meeting_id,
                    poll_id,
                    tally,
                }),
                Err(error) => tracing::warn!(%error, poll_id, "could not read a tally"),
            }
        }
        tokio::time::sleep(interval).await;
    }
}
