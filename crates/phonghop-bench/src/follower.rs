//! [`Follower`]: a subscriber on a raw WebSocket that keeps the meeting's state from the frames it
//! reads, as the app does, for the fault rounds. It refuses what the protocol promises never
//! happens: an event twice, or a gap.

use anyhow::{bail, Context, Result};
use futures_util::{SinkExt, StreamExt};
use phonghop_protocol::{ClientMessage, MeetingEvent, MeetingId, MeetingState, PollState, Tally};

use crate::clients::{connect, frame, next_json, Receiver, Sender};

#[derive(Default)]
pub struct Follower {
    /// The meeting as the frames made it; `None` before the first snapshot.
    pub state: Option<MeetingState>,
    /// The seq of the last event applied (or of the snapshot).
    pub seq: u32,
    connection: Option<(Sender, Receiver)>,
}

impl Follower {
    /// Connects to the instance at `url` (`http://…`), authenticates with `token`, subscribes
    /// from its seq (or for a snapshot, the first time) and reads up to `live`.
    pub async fn connect(&mut self, url: &str, token: &str, meeting: MeetingId) -> Result<()> {
        self.connection = None;
        let websocket = format!("ws{}/ws", url.trim_start_matches("http"));
        let (mut sender, mut receiver) = connect(&websocket).await?.split();
        sender
            .send(frame(ClientMessage::Authenticate {
                token: token.to_owned(),
            }))
            .await?;
        let since_seq = self.state.is_some().then_some(self.seq);
        sender
            .send(frame(ClientMessage::Subscribe {
                meeting_id: meeting,
                since_seq,
            }))
            .await?;
        loop {
            let frame = next_json(&mut receiver).await?;
            if frame["type"] == "live" {
                break;
            }
            self.take(frame)?;
        }
        self.connection = Some((sender, receiver));
        Ok(())
    }

    /// Drops the connection, as a laptop whose Wi-Fi went does.
    pub fn disconnect(&mut self) {
        self.connection = None;
    }

    /// The next frame of the connection (waits forever when there is none).
    pub async fn next_frame(&mut self) -> Result<serde_json::Value> {
        match self.connection.as_mut() {
            Some((_, receiver)) => next_json(receiver).await,
            None => std::future::pending().await,
        }
    }

    /// Reads frames until the state is at `seq`.
    pub async fn read_until(&mut self, seq: u32) -> Result<()> {
        while self.seq < seq {
            let (_, receiver) = self.connection.as_mut().context("not connected")?;
            let frame = next_json(receiver).await?;
            self.take(frame)?;
        }
        Ok(())
    }

    /// Applies one frame: a snapshot replaces the state (the server may send one at any time),
    /// an event must be the next one, a tally replaces an open poll's.
    pub fn take(&mut self, frame: serde_json::Value) -> Result<()> {
        match frame["type"].as_str() {
            Some("snapshot") => {
                self.state = Some(serde_json::from_value(frame["state"].clone())?);
                self.seq = seq_of(&frame)?;
            }
            Some("event") => {
                let seq = seq_of(&frame)?;
                if seq != self.seq + 1 {
                    bail!("event {seq} came after {}: an event twice, or a gap", self.seq);
                }
                let event: MeetingEvent = serde_json::from_value(frame["event"].clone())?;
                let state = self.state.as_mut().context("an event before the snapshot")?;
                phonghop_core::mirror::apply(state, &event);
                self.seq = seq;
            }
            Some("tally") => {
                let poll_id = serde_json::from_value(frame["poll_id"].clone())?;
                let tally: Tally = serde_json::from_value(frame["tally"].clone())?;
                if let Some(state) = self.state.as_mut() {
                    let open = state
                        .polls
                        .iter_mut()
                        .find(|poll| poll.id == poll_id && poll.state == PollState::Open);
                    if let Some(poll) = open {
                        poll.tally = tally;
                    }
                }
            }
            Some("error") => bail!("the server refused: {frame}"),
            _ => {}
        }
        Ok(())
    }
}

fn seq_of(frame: &serde_json::Value) -> Result<u32> {
    Ok(frame["seq"].as_u64().context("a frame without its seq")? as u32)
}
