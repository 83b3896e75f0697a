//! The meeting packet: every document of the followed meeting brought onto the laptop in the
//! background, so a councillor reads the packet the evening before, offline. One round
//! ([`Seat::keep_meeting_on_laptop`]) downloads the current revision of each document not kept
//! yet (resuming a cut download with `Range`, checking its SHA-256), keeps the pages' text for
//! searching offline, sends the read receipts waiting and syncs the reader's annotations; the app
//! runs a round whenever the meeting changes (a new document or revision, the server back). A
//! round over the same documents, all on the laptop already, only sends the receipts waiting and
//! asks for others' shared annotations at most every [`PULL_ANNOTATIONS_EVERY`].

use std::time::{Duration, Instant};

use phonghop_protocol::http::ReceiptKind;
use phonghop_protocol::{DocumentId, MeetingId, Sha256};
use serde::Serialize;
use ts_rs::TS;

use crate::cache::UnsentReceipt;
use crate::error::{ClientError, Result};
use crate::seat::Seat;

/// How far the packet's download is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../app-views/")]
pub enum PacketState {
    Downloading,
    /// Every document of the meeting is on the laptop, verified.
    Complete,
    /// The server cannot be reached; what arrived is kept and the rest follows when it can be.
    WaitingForServer,
    /// Some documents arrived damaged or were refused (`failed`); they are tried again at the
    /// next change of the meeting.
    Incomplete,
}

/// The packet's progress, as the app shows it (a bar of files and bytes, and a mark on each
/// document that is on the laptop).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../app-views/")]
pub struct PacketView {
    pub meeting_id: MeetingId,
    pub state: PacketState,
    pub files_total: u32,
    pub files_done: u32,
    #[ts(type = "number")]
    pub bytes_total: u64,
    #[ts(type = "number")]
    pub bytes_done: u64,
    /// The document downloading now.
    pub current: Option<DocumentId>,
    /// Documents whose current revision is on the laptop, verified: readable offline.
    pub available: Vec<DocumentId>,
    /// Documents that arrived damaged or were refused this round; tried again the next.
    pub failed: Vec<DocumentId>,
}

/// How often a round with nothing to fetch still asks for annotations others shared.
pub const PULL_ANNOTATIONS_EVERY: Duration = Duration::from_secs(30);

/// Progress is told at most this often while bytes arrive (and always when a file is done).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

impl Seat {
    /// One round of bringing the followed meeting onto the laptop; `on_progress` hears how it
    /// goes. Returns where the round ended.
    pub async fn keep_meeting_on_laptop(
        &self,
        on_progress: &mut (dyn FnMut(&PacketView) + Send),
    ) -> Result<PacketView> {
        let session = self.session()?;
        let state = self.followed_state()?;
        let cache = self.cache().await?;
        let documents: Vec<_> = state.documents().cloned().collect();

        // The app runs a round at every change of the meeting, a live tally's too: with the same
        // documents all on the laptop already, only what waits for the server goes out.
        let files: Vec<Sha256> = documents
            .iter()
            .map(|document| document.current.sha256.clone())
            .collect();
        let complete = self
            .packet()
            .filter(|last| last.meeting_id == state.meeting.id && last.state == PacketState::Complete);
        if let Some(last) = complete.filter(|_| self.packet_files.lock().expect("seat lock").as_ref() == Some(&files)) {
            cache.touch_meeting(&session.server, state.meeting.id).await?;
            cache.send_receipts(&session).await?;
            if self.annotations_synced_within(PULL_ANNOTATIONS_EVERY) {
                return Ok(last);
            }
            match self.sync_annotations().await {
                Ok(_) | Err(ClientError::Unreachable(_)) => {}
                Err(error) => tracing::warn!(%error, "annotations not synced"),
            }
            return Ok(last);
        }
        cache.keep_meeting(&session.server, &state.meeting).await?;

        let mut view = PacketView {
            meeting_id: state.meeting.id,
            state: PacketState::Downloading,
            files_total: documents.len() as u32,
            files_done: 0,
            bytes_total: documents.iter().map(|document| document.current.size).sum(),
            bytes_done: 0,
            current: None,
            available: vec![],
            failed: vec![],
        };
        let mut missing = Vec::new();
        for document in &documents {
            cache
                .belongs_to(&session.server, state.meeting.id, &document.current.sha256)
                .await?;
            if self.is_verified(&document.current.sha256) {
                view.files_done += 1;
                view.bytes_done += document.current.size;
                view.available.push(document.id);
            } else {
                // Bytes of a download cut short count: the round goes on from them.
                let arrived = cache.arrived(&document.current.sha256).await;
                view.bytes_done += arrived;
                missing.push((document, arrived));
            }
        }
        // A round with nothing to fetch says the packet is complete from its start, and one
        // started while the network is still down says so until bytes arrive again: the bar
        // never flashes at each reconnection attempt (it would move the screen under the reader).
        let was_waiting = self
            .packet()
            .is_some_and(|last| last.meeting_id == view.meeting_id && last.state == PacketState::WaitingForServer);
        if missing.is_empty() {
            view.state = PacketState::Complete;
        } else if was_waiting {
            view.state = PacketState::WaitingForServer;
        }
        self.show_packet(&view, on_progress);
        view.state = PacketState::Downloading;

        for (document, arrived_before) in missing {
            view.current = Some(document.id);
            let before = view.bytes_done - arrived_before;
            let mut last_told = Instant::now();
            let mut told = view.clone();
            told.state = PacketState::Downloading;
            let mut arrived = arrived_before;
            let outcome = cache
                .download(
                    &session,
                    &document.current.sha256,
                    document.current.size,
                    &mut |received| {
                        arrived = received;
                        told.bytes_done = before + received;
                        if last_told.elapsed() >= PROGRESS_EVERY {
                            last_told = Instant::now();
                            self.show_packet(&told, on_progress);
                        }
                    },
                )
                .await;
            view.current = None;
            match outcome {
                Ok(_) => {
                    self.verified_now(&document.current.sha256);
                    view.files_done += 1;
                    view.bytes_done = before + document.current.size;
                    view.available.push(document.id);
                    let receipt = UnsentReceipt {
                        meeting_id: state.meeting.id,
                        document_id: document.id,
                        sha256: document.current.sha256.clone(),
                        event: ReceiptKind::Downloaded,
                    };
                    cache.queue_receipt(&session, &receipt).await?;
                }
                Err(ClientError::Unreachable(reason)) => {
                    tracing::info!(%reason, document = %document.id, "packet paused until the server is back");
                    // What arrived is kept: the next round goes on from there.
                    view.bytes_done = before + arrived;
                    view.state = PacketState::WaitingForServer;
                    self.show_packet(&view, on_progress);
                    return Ok(view);
                }
                Err(error) => {
                    tracing::warn!(%error, document = %document.id, "a document of the packet did not arrive");
                    view.bytes_done = before;
                    view.failed.push(document.id);
                }
            }
            self.show_packet(&view, on_progress);
        }

        self.keep_texts_offline().await?;
        cache.send_receipts(&session).await?;
        match self.sync_annotations().await {
            Ok(_) | Err(ClientError::Unreachable(_)) => {}
            Err(error) => tracing::warn!(%error, "annotations not synced"),
        }
        view.state = if view.failed.is_empty() {
            PacketState::Complete
        } else {
            PacketState::Incomplete
        };
        *self.packet_files.lock().expect("seat lock") = Some(files);
        self.show_packet(&view, on_progress);
        Ok(view)
    }

    fn show_packet(&self, view: &PacketView, on_progress: &mut (dyn FnMut(&PacketView) + Send)) {
        self.remember_packet(view.clone());
        on_progress(view);
    }
}
