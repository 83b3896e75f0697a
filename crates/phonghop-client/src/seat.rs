//! [`Seat`]: one councillor's place in the hall — the session, the meeting being followed and
//! the document cache — with the serializable views the desktop app shows. The Tauri commands
//! are one-line calls into this.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use phonghop_core::roles::{self, Capabilities};
use phonghop_protocol::http::{
    AddMemberRequest, AttendanceView, AuditPage, CreateMeetingRequest, DeviceList, ImportMembersRequest,
    ImportMembersResponse, MemberView, OpinionRequest, OpinionView, ReadReceipts, ReceiptKind, TextRange,
    UploadResponse,
};
use phonghop_protocol::{
    Choice, Command, Document, DocumentId, MeetingId, MeetingState, MeetingSummary, MyBallot, PollId, PollState, Role,
    Sha256, UserView,
};
use serde::Serialize;
use tokio::sync::watch;
use ts_rs::TS;

use crate::cache::{AnnotationScope, KeptMeeting, KeptMeetings, SavedSession, UnsentReceipt};
use crate::error::{ClientError, Result};
use crate::packet::PacketView;
use crate::session::Laptop;
use crate::sync::{ConnectionState, MeetingSync, Mirror, SavedMirror, SyncOptions};
use crate::tls::Fingerprint;
use crate::{DocumentCache, Session};

/// How the app's link to the server is doing, as the app shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../app-views/")]
pub enum Connection {
    Online,
    Connecting,
    Offline,
    /// The session ended: the councillor logs in again; what they did meanwhile is kept.
    LoggedOut,
    /// The server's address answers with another certificate than the pinned one (and no signed
    /// hand-over to it): a warning, nothing is sent.
    CertificateRefused,
}

/// Where a poll's signed record was saved on the laptop, and the fingerprint of the server key
/// whose signature it carries (checked before saving).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../app-views/")]
pub struct SavedRecord {
    pub path: String,
    pub fingerprint: String,
}

/// What the app shows of the meeting; sent to the webview on every change. The TypeScript
/// mirror of these views is generated into `ui/src/lib/app-views/` like the wire types.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../app-views/")]
pub struct MirrorView {
    pub meeting_id: MeetingId,
    pub role: Role,
    pub user: UserView,
    pub connection: Connection,
    pub seq: u32,
    pub state: Option<MeetingState>,
    pub my_ballots: Vec<MyBallot>,
    /// What this person may do in the meeting, by the rules of `phonghop-core`; the UI shows
    /// its buttons by this and never re-derives it.
    pub may: Capabilities,
    /// The open polls this person may still cast a ballot in.
    pub can_vote_in: Vec<PollId>,
    /// For each poll whose rule counts all members, the fewest yes votes that pass it (the
    /// chart's threshold), by `phonghop-core`'s exact rule: the UI never works it out itself.
    pub yes_needed: Vec<YesNeeded>,
    /// Documents whose current revision is a later one (2, 3…) that this laptop's reader has not
    /// opened yet: the app marks them, and their items, "new revision".
    pub new_revisions: Vec<DocumentId>,
    /// The server's clock minus this laptop's, in milliseconds (see `Session::clock_offset_ms`):
    /// a timed poll counts down by the server's clock.
    #[ts(type = "number")]
    pub server_clock_offset_ms: i64,
}

/// The fewest yes votes that pass one poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../app-views/")]
pub struct YesNeeded {
    pub poll_id: PollId,
    pub yes: u32,
}

/// Each poll's [`YesNeeded`], for the polls whose rule counts all members.
pub fn yes_needed(state: Option<&MeetingState>) -> Vec<YesNeeded> {
    state
        .iter()
        .flat_map(|state| state.polls.iter())
        .filter_map(|poll| {
            phonghop_core::rules::yes_needed(&poll.rule, poll.tally.members)
                .map(|yes| YesNeeded { poll_id: poll.id, yes })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../app-views/")]
pub struct LoginView {
    pub user: UserView,
    pub meetings: Vec<MeetingSummary>,
    /// The account may create meetings (the meeting list offers it).
    pub may_create_meetings: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../app-views/")]
pub struct OpenedDocument {
    /// The document with the revision opened as its `current` one.
    pub document: Document,
    pub page_count: u32,
    /// False when an earlier revision was opened (the reader says so).
    pub is_current: bool,
}

/// What a search found, for the app to list.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../app-views/")]
pub struct SearchView {
    pub query: String,
    /// Found on this laptop, from the text of the documents it keeps, because the server could
    /// not be reached.
    pub offline: bool,
    /// Best first: pages with the words together as typed, then pages holding them apart.
    pub hits: Vec<FoundPage>,
}

/// One page a search found.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../app-views/")]
pub struct FoundPage {
    pub document_id: DocumentId,
    pub title: String,
    pub revision: u32,
    /// 0-based.
    pub page: u32,
    pub snippet: String,
    pub snippet_marks: Vec<TextRange>,
}

/// Hits a search lists at most.
const SEARCH_HITS: usize = 50;

/// The open polls in which someone with `may` and `my_ballots` can still vote (or vote again, in a
/// changeable poll). The server fixes
/// each poll's roll when it opens; a role changed since then is refused there with `not_a_voter`.
pub fn votable_polls(state: Option<&MeetingState>, may: Capabilities, my_ballots: &[MyBallot]) -> Vec<PollId> {
    if !may.vote {
        return vec![];
    }
    state
        .iter()
        .flat_map(|state| state.polls.iter())
        .filter(|poll| poll.state == PollState::Open)
        .filter(|poll| poll.changeable || !my_ballots.iter().any(|ballot| ballot.poll_id == poll.id))
        .map(|poll| poll.id)
        .collect()
}

/// The documents whose current revision is later than the first and not in `opened`.
pub fn unopened_revisions(state: Option<&MeetingState>, opened: &HashSet<Sha256>) -> Vec<DocumentId> {
    state
        .iter()
        .flat_map(|state| state.documents())
        .filter(|document| document.current.revision > 1 && !opened.contains(&document.current.sha256))
        .map(|document| document.id)
        .collect()
}

struct Followed {
    sync: MeetingSync,
    role: Role,
}

/// One person's connection to the meeting room. Methods take `&self`; state is behind locks
/// held only for a moment, never across a network call.
pub struct Seat {
    cache_dir: PathBuf,
    session: Mutex<Option<Session>>,
    followed: Mutex<Option<Followed>>,
    cache: tokio::sync::OnceCell<DocumentCache>,
    /// The PDFs opened on this laptop (kept in the cache's index; read when a meeting opens).
    opened: Mutex<HashSet<Sha256>>,
    /// The PDFs verified on this laptop (the same, for the packet).
    verified: Mutex<HashSet<Sha256>>,
    /// Where the followed meeting's packet stands.
    packet: Mutex<Option<PacketView>>,
    /// The PDFs of the last round that brought the packet onto the laptop.
    pub(crate) packet_files: Mutex<Option<Vec<Sha256>>>,
    /// The `seq` and time of the meeting's state last kept on the laptop.
    mirror_kept: Mutex<Option<(u32, std::time::Instant)>>,
    /// Held while annotations sync after a change; `annotations_changed` asks for one more round.
    pub(crate) annotation_sync: tokio::sync::Mutex<()>,
    pub(crate) annotations_changed: std::sync::atomic::AtomicBool,
    /// When the annotations last synced with the server.
    pub(crate) annotations_synced_at: Mutex<Option<std::time::Instant>>,
}

fn connection_shown(state: ConnectionState) -> Connection {
    match state {
        ConnectionState::Online => Connection::Online,
        ConnectionState::Connecting => Connection::Connecting,
        ConnectionState::Offline => Connection::Offline,
        ConnectionState::LoggedOut => Connection::LoggedOut,
        ConnectionState::CertificateRefused => Connection::CertificateRefused,
    }
}

impl Seat {
    pub fn new(cache_dir: &Path) -> Seat {
        Seat {
            cache_dir: cache_dir.to_owned(),
            session: Mutex::new(None),
            followed: Mutex::new(None),
            cache: tokio::sync::OnceCell::new(),
            opened: Mutex::new(HashSet::new()),
            verified: Mutex::new(HashSet::new()),
            packet: Mutex::new(None),
            packet_files: Mutex::new(None),
            mirror_kept: Mutex::new(None),
            annotation_sync: tokio::sync::Mutex::new(()),
            annotations_changed: std::sync::atomic::AtomicBool::new(false),
            annotations_synced_at: Mutex::new(None),
        }
    }

    pub(crate) fn session(&self) -> Result<Session> {
        self.session
            .lock()
            .expect("seat lock")
            .clone()
            .ok_or(ClientError::NotLoggedIn)
    }

    pub(crate) async fn cache(&self) -> Result<&DocumentCache> {
        self.cache
            .get_or_try_init(|| DocumentCache::open(&self.cache_dir))
            .await
    }

    /// Logs in. The same person logging in again to the same server (their session ended)
    /// keeps following their meeting, with the commands they sent meanwhile; anyone else
    /// starts afresh.
    pub async fn login(&self, server: &str, username: &str, password: &str) -> Result<LoginView> {
        // One address, or several of one server's instances: the laptop keeps them as one name.
        let server = &crate::session::normalize_server(server);
        let pin = if crate::tls::is_tls(server) {
            self.cache().await?.pin_of(server).await?
        } else {
            None
        };
        let cache = self.cache().await?;
        let laptop = Laptop {
            id: cache.device().await?,
            name: laptop_name(),
        };
        let mut attempt = Session::login_from(server, pin, Some(&laptop), username.trim(), password).await;
        if let Err(ClientError::CertificateChanged(mismatch)) = &attempt {
            // The secretariat may have rotated the certificate: a hand-over signed by the pinned
            // one moves the pin; anything else stays refused, nothing having been sent.
            let first_address = &crate::session::addresses_of(server)[0];
            if let Ok(Some(next)) = crate::handover::follow(first_address, mismatch.pinned).await {
                tracing::info!(%server, from = %mismatch.pinned, to = %next, "the server handed its identity over to a new certificate");
                cache.set_pin(server, next).await?;
                attempt = Session::login_from(server, Some(next), Some(&laptop), username.trim(), password).await;
            }
        }
        let session = match attempt {
            Err(error) if error.code() == Some(phonghop_protocol::ErrorCode::DeviceRevoked) => {
                self.forget_revoked_laptop().await;
                return Err(error);
            }
            other => other?,
        };
        // The server took the password: it unlocks (or first locks) what the laptop keeps.
        cache
            .unlock_after_login(&session.server, &session.user, password)
            .await?;
        let meetings = session.meetings().await?;
        let user = session.user.clone();
        let may_create_meetings = session.may_create_meetings;
        let same_person = self
            .session
            .lock()
            .expect("seat lock")
            .as_ref()
            .is_some_and(|old| old.server == session.server && old.user.id == session.user.id);
        {
            let mut followed = self.followed.lock().expect("seat lock");
            match followed.as_ref() {
                Some(followed) if same_person => followed.sync.resume_with(session.clone()),
                _ => *followed = None,
            }
        }
        let followed_meeting = self
            .followed
            .lock()
            .expect("seat lock")
            .as_ref()
            .map(|followed| (followed.sync.mirror().borrow().meeting_id, followed.role));
        self.remember_session(&session, followed_meeting).await;
        *self.session.lock().expect("seat lock") = Some(session);
        Ok(LoginView {
            user,
            meetings,
            may_create_meetings,
        })
    }

    /// The secretariat revoked this laptop: forgets the session and the meeting followed and
    /// removes every meeting's documents, states and annotations kept here (see
    /// [`DocumentCache::wipe`]).
    pub async fn forget_revoked_laptop(&self) {
        *self.followed.lock().expect("seat lock") = None;
        *self.session.lock().expect("seat lock") = None;
        *self.packet.lock().expect("seat lock") = None;
        *self.packet_files.lock().expect("seat lock") = None;
        self.opened.lock().expect("seat lock").clear();
        self.verified.lock().expect("seat lock").clear();
        match self.cache().await {
            Ok(cache) => match cache.wipe().await {
                Ok(bytes) => tracing::warn!(bytes, "this laptop was revoked: the meetings kept on it were removed"),
                Err(error) => tracing::error!(%error, "this laptop was revoked, but its cache could not be emptied"),
            },
            Err(error) => tracing::error!(%error, "this laptop was revoked, but its cache could not be opened"),
        }
    }

    /// Connects to an `https://` server without trusting it and tells its certificate's
    /// fingerprint, for the person to compare with the secretariat's before [`Seat::pin_server`].
    /// A server of several instances shares one certificate: the first that answers tells it.
    pub async fn probe_server(&self, server: &str) -> Result<Fingerprint> {
        let addresses = crate::session::addresses_of(server);
        let mut answer = Err(ClientError::Unreachable("no address".into()));
        for address in &addresses {
            answer = crate::tls::probe(address).await;
            if !matches!(answer, Err(ClientError::Unreachable(_))) {
                break;
            }
        }
        answer
    }

    /// Pins `fingerprint` for `server` on this laptop (the person compared it): the next
    /// logins there trust only that certificate. Pinning anew replaces the old pin — the
    /// explicit re-pin after the secretariat changed the server's certificate on purpose.
    pub async fn pin_server(&self, server: &str, fingerprint: Fingerprint) -> Result<()> {
        self.cache()
            .await?
            .set_pin(&crate::session::normalize_server(server), fingerprint)
            .await
    }

    /// The fingerprint pinned for `server`, if any.
    pub async fn pinned(&self, server: &str) -> Result<Option<Fingerprint>> {
        self.cache()
            .await?
            .pin_of(&crate::session::normalize_server(server))
            .await
    }

    /// Logs out: forgets the session, and locks what the laptop keeps (the next person, or the
    /// same one, needs the password to read it).
    pub async fn logout(&self) {
        *self.followed.lock().expect("seat lock") = None;
        *self.session.lock().expect("seat lock") = None;
        if let Ok(cache) = self.cache().await {
            if let Err(error) = cache.forget_session().await {
                tracing::warn!(%error, "the saved session was not forgotten");
            }
            cache.lock();
        }
    }

    /// Whose session the laptop keeps, for the unlock screen (readable while locked).
    pub async fn vault_owner(&self) -> Result<Option<crate::cache::VaultOwner>> {
        self.cache().await?.vault_owner().await
    }

    /// Unlocks what the laptop keeps with the password of the person whose session it keeps, with
    /// no server needed ([`ClientError::WrongPassword`] otherwise).
    pub async fn unlock(&self, password: &str) -> Result<()> {
        let cache = self.cache().await?;
        let owner = cache.vault_owner().await?.ok_or(ClientError::NotLoggedIn)?;
        cache.unlock(&owner.server_url, owner.user_id, password).await
    }

    /// Keeps the session and the meeting followed, so the app can start again without the server.
    async fn remember_session(&self, session: &Session, meeting: Option<(MeetingId, Role)>) {
        let saved = SavedSession {
            server: session.server.clone(),
            token: session.token.clone(),
            expires_at: session.expires_at,
            user: session.user.clone(),
            is_admin: session.is_admin,
            meeting,
            pin: session.pin,
        };
        let kept = match self.cache().await {
            Ok(cache) => cache.save_session(&saved).await,
            Err(error) => Err(error),
        };
        if let Err(error) = kept {
            tracing::warn!(%error, "the session was not kept for starting offline");
        }
    }

    /// Starts following the meeting of the last session kept on this laptop, from its state as
    /// last seen — with no server needed; the connection resumes when the server can be reached
    /// (an expired session then asks for the password, as always). `None` when there is none, or
    /// it was kept before the cache was encrypted (a login seals it); [`ClientError::Locked`] until
    /// [`unlock`](Self::unlock).
    pub async fn resume_saved(&self) -> Result<Option<watch::Receiver<Mirror>>> {
        let cache = self.cache().await?;
        if !cache.has_key_slots().await? {
            return Ok(None);
        }
        let Some(saved) = cache.saved_session().await? else {
            return Ok(None);
        };
        let Some((meeting_id, role)) = saved.meeting else {
            return Ok(None);
        };
        let session = Session::from_login(
            &saved.server,
            saved.pin,
            phonghop_protocol::http::LoginResponse {
                token: saved.token,
                expires_at: saved.expires_at,
                user: saved.user,
                may_create_meetings: saved.is_admin,
                is_admin: saved.is_admin,
            },
            crate::tls::http_client_for(&saved.server, saved.pin)?,
        );
        let Some(saved) = cache.saved_mirror(AnnotationScope::of(&session, meeting_id)).await? else {
            return Ok(None);
        };
        self.follow(cache, session, meeting_id, role, Some(saved))
            .await
            .map(Some)
    }

    /// Follows `meeting_id` as `session`'s person: from `saved`, its state as last seen here,
    /// when there is one; with what this laptop knows of its documents.
    async fn follow(
        &self,
        cache: &DocumentCache,
        session: Session,
        meeting_id: MeetingId,
        role: Role,
        saved: Option<SavedMirror>,
    ) -> Result<watch::Receiver<Mirror>> {
        *self.opened.lock().expect("seat lock") = cache.opened().await?;
        *self.verified.lock().expect("seat lock") = cache.verified().await?;
        *self.packet.lock().expect("seat lock") = None;
        *self.packet_files.lock().expect("seat lock") = None;
        let sync = match saved {
            Some(saved) => MeetingSync::resume(session.clone(), saved, SyncOptions::default()),
            None => MeetingSync::start(session.clone(), meeting_id, SyncOptions::default()),
        };
        let mirror = sync.mirror();
        *self.session.lock().expect("seat lock") = Some(session);
        *self.followed.lock().expect("seat lock") = Some(Followed { sync, role });
        Ok(mirror)
    }

    /// Keeps the followed meeting as it is now (the app calls it as the meeting changes; at most
    /// one write a second, and always when the log moved on), and the pin its connection moved
    /// to along a signed hand-over.
    pub async fn keep_mirror(&self) -> Result<()> {
        self.follow_handed_over_pin().await?;
        let Some(saved) = self
            .followed
            .lock()
            .expect("seat lock")
            .as_ref()
            .and_then(|followed| followed.sync.mirror().borrow().saved())
        else {
            return Ok(());
        };
        {
            let mut last = self.mirror_kept.lock().expect("seat lock");
            let due =
                last.is_none_or(|(seq, at)| seq != saved.seq || at.elapsed() >= std::time::Duration::from_secs(1));
            if !due {
                return Ok(());
            }
            *last = Some((saved.seq, std::time::Instant::now()));
        }
        let session = self.session()?;
        let scope = AnnotationScope::of(&session, saved.meeting_id);
        self.cache().await?.save_mirror(scope, &saved).await
    }

    /// The meeting's connection followed the server's signed hand-over to a new certificate: the
    /// seat's own requests (documents, receipts), the laptop's pin and the saved session move
    /// with it.
    async fn follow_handed_over_pin(&self) -> Result<()> {
        let followed = self
            .followed
            .lock()
            .expect("seat lock")
            .as_ref()
            .map(|followed| (followed.sync.mirror().borrow().clone(), followed.role));
        let Some((mirror, role)) = followed else {
            return Ok(());
        };
        let session = self.session()?;
        let Some(next) = mirror.handed_over_to.filter(|next| session.pin != Some(*next)) else {
            return Ok(());
        };
        let session = session.with_pin(next)?;
        self.cache().await?.set_pin(&session.server, next).await?;
        *self.session.lock().expect("seat lock") = Some(session.clone());
        self.remember_session(&session, Some((mirror.meeting_id, role))).await;
        Ok(())
    }

    /// Starts following a meeting; returns the mirror to watch for changes.
    pub async fn open_meeting(&self, meeting_id: MeetingId) -> Result<watch::Receiver<Mirror>> {
        let session = self.session()?;
        let role = session
            .meetings()
            .await?
            .into_iter()
            .find(|meeting| meeting.id == meeting_id)
            .map(|meeting| meeting.role)
            .ok_or_else(|| {
                ClientError::Server(phonghop_protocol::ErrorFrame::new(
                    phonghop_protocol::ErrorCode::NotFound,
                    "meeting",
                ))
            })?;
        let cache = self.cache().await?;
        self.remember_session(&session, Some((meeting_id, role))).await;
        // Shown at once as last seen here (also without the server), then brought up to date.
        let saved = cache.saved_mirror(AnnotationScope::of(&session, meeting_id)).await?;
        self.follow(cache, session, meeting_id, role, saved).await
    }

    /// The view of the followed meeting, if any.
    pub fn mirror_view(&self) -> Option<MirrorView> {
        let (user, is_admin, server_clock_offset_ms) = {
            let session = self.session.lock().expect("seat lock");
            let session = session.as_ref()?;
            (session.user.clone(), session.is_admin, session.clock_offset_ms)
        };
        let followed = self.followed.lock().expect("seat lock");
        let followed = followed.as_ref()?;
        let mirror = followed.sync.mirror().borrow().clone();
        let may = roles::capabilities(followed.role, is_admin);
        let new_revisions = unopened_revisions(mirror.state.as_ref(), &self.opened.lock().expect("seat lock"));
        Some(MirrorView {
            new_revisions,
            meeting_id: mirror.meeting_id,
            role: followed.role,
            user,
            connection: connection_shown(mirror.connection),
            seq: mirror.seq,
            can_vote_in: votable_polls(mirror.state.as_ref(), may, &mirror.my_ballots),
            yes_needed: yes_needed(mirror.state.as_ref()),
            may,
            state: mirror.state,
            my_ballots: mirror.my_ballots,
            server_clock_offset_ms,
        })
    }

    fn document(&self, document_id: DocumentId) -> Result<Document> {
        let state = self.followed_state()?;
        let document = state.document(document_id).cloned();
        document.ok_or(ClientError::NotCached)
    }

    /// Makes sure a document is in the local cache (downloading and verifying it if needed):
    /// its current revision, or an earlier one (`revision`), which is then shown as the document.
    pub async fn open_document(&self, document_id: DocumentId, revision: Option<u32>) -> Result<OpenedDocument> {
        let mut document = self.document(document_id)?;
        let is_current = revision.is_none_or(|number| number == document.current.revision);
        if !is_current {
            let earlier = document
                .earlier
                .iter()
                .find(|earlier| Some(earlier.revision) == revision)
                .cloned()
                .ok_or(ClientError::NotCached)?;
            document.current = earlier;
        }
        let session = self.session()?;
        let cache = self.cache().await?;
        cache.fetch(&session, &document).await?;
        self.verified_now(&document.current.sha256);
        if is_current {
            self.mark_current_opened(&session, cache, &document).await?;
        }
        Ok(OpenedDocument {
            page_count: document.current.page_count,
            is_current,
            document,
        })
    }

    /// Remembers that the reader opened the current revision, and tells the secretariat (at once,
    /// or when the server is back).
    async fn mark_current_opened(&self, session: &Session, cache: &DocumentCache, document: &Document) -> Result<()> {
        cache.mark_opened(&document.current.sha256).await?;
        let receipt = UnsentReceipt {
            meeting_id: self.followed_state()?.meeting.id,
            document_id: document.id,
            sha256: document.current.sha256.clone(),
            event: ReceiptKind::Opened,
        };
        cache.queue_receipt(session, &receipt).await?;
        if let Err(error) = cache.send_receipts(session).await {
            tracing::debug!(%error, document = %document.id, "read receipts not sent for now");
        }
        self.opened
            .lock()
            .expect("seat lock")
            .insert(document.current.sha256.clone());
        Ok(())
    }

    pub(crate) fn is_verified(&self, sha256: &Sha256) -> bool {
        self.verified.lock().expect("seat lock").contains(sha256)
    }

    pub(crate) fn verified_now(&self, sha256: &Sha256) {
        self.verified.lock().expect("seat lock").insert(sha256.clone());
    }

    pub(crate) fn remember_packet(&self, view: PacketView) {
        *self.packet.lock().expect("seat lock") = Some(view);
    }

    /// Where the followed meeting's packet stands, once its first round has begun.
    pub fn packet(&self) -> Option<PacketView> {
        self.packet.lock().expect("seat lock").clone()
    }

    /// The meetings whose documents this laptop keeps, and the bytes they take.
    pub async fn kept_meetings(&self) -> Result<KeptMeetings> {
        self.cache().await?.kept_meetings().await
    }

    /// Removes a kept meeting's documents from the laptop (not the followed one's); the bytes
    /// freed.
    pub async fn remove_kept_meeting(&self, server: &str, meeting_id: MeetingId) -> Result<u64> {
        let followed = self
            .followed
            .lock()
            .expect("seat lock")
            .as_ref()
            .map(|followed| followed.sync.mirror().borrow().meeting_id);
        let same_server = self
            .session
            .lock()
            .expect("seat lock")
            .as_ref()
            .is_some_and(|session| session.server == server);
        if same_server && followed == Some(meeting_id) {
            return Err(ClientError::MeetingOpen);
        }
        self.cache().await?.remove_meeting(server, meeting_id).await
    }

    /// Removes the documents of every kept meeting neither opened nor synced for `days` days
    /// (see [`DocumentCache::expire_meetings`]); the meetings removed.
    pub async fn expire_kept_meetings(&self, days: u32) -> Result<Vec<KeptMeeting>> {
        self.cache().await?.expire_meetings(days).await
    }

    /// Searches the followed meeting's documents: on the server, or, when it cannot be reached,
    /// in the text of the documents this laptop keeps, by the same rule.
    pub async fn search(&self, query: &str) -> Result<SearchView> {
        let session = self.session()?;
        let state = self.followed_state()?;
        let title_of = |document_id: DocumentId| {
            state
                .document(document_id)
                .map(|document| document.title.clone())
                .unwrap_or_default()
        };
        match session.search(state.meeting.id, query).await {
            Ok(answer) => Ok(SearchView {
                query: answer.query,
                offline: false,
                hits: answer
                    .hits
                    .into_iter()
                    .map(|hit| FoundPage {
                        title: title_of(hit.document_id),
                        document_id: hit.document_id,
                        revision: hit.revision,
                        page: hit.page,
                        snippet: hit.snippet,
                        snippet_marks: hit.snippet_marks,
                    })
                    .collect(),
            }),
            Err(ClientError::Unreachable(_)) => self.search_offline(&state, query).await,
            Err(other) => Err(other),
        }
    }

    async fn search_offline(&self, state: &MeetingState, query: &str) -> Result<SearchView> {
        let cache = self.cache().await?;
        let mut found: Vec<(bool, FoundPage)> = Vec::new();
        for document in state.documents() {
            let Some(pages) = cache.text(&document.current.sha256).await? else {
                continue;
            };
            for (page, text) in pages.iter().enumerate() {
                if let Some(matched) = phonghop_core::search::match_page(text, query) {
                    found.push((
                        matched.together,
                        FoundPage {
                            document_id: document.id,
                            title: document.title.clone(),
                            revision: document.current.revision,
                            page: page as u32,
                            snippet: matched.snippet,
                            snippet_marks: vec![TextRange::from(matched.snippet_mark)],
                        },
                    ));
                }
            }
        }
        found.sort_by_key(|(together, _)| !together);
        Ok(SearchView {
            query: query.to_owned(),
            offline: true,
            hits: found.into_iter().take(SEARCH_HITS).map(|(_, hit)| hit).collect(),
        })
    }

    /// Who has each document of the followed meeting and who opened it (for those who may upload).
    pub async fn read_receipts(&self) -> Result<ReadReceipts> {
        let session = self.session()?;
        let meeting = self.followed_state()?.meeting.id;
        session.read_receipts(meeting).await
    }

    /// Every member of the followed meeting with their attendance, and its quorum counted.
    pub async fn attendance(&self) -> Result<AttendanceView> {
        let session = self.session()?;
        let meeting = self.followed_state()?.meeting.id;
        session.attendance(meeting).await
    }

    /// Checks the logged-in person's password again; `wrong_credentials` when it is not theirs.
    pub async fn confirm_password(&self, password: &str) -> Result<()> {
        self.session()?.confirm_password(password).await.map(|_| ())
    }

    /// A new code for the followed meeting's hall screen (chair, secretariat).
    pub async fn hall_link(&self) -> Result<phonghop_protocol::http::HallLink> {
        let session = self.session()?;
        let meeting = self.followed_state()?.meeting.id;
        session.hall_link(meeting).await
    }

    /// Revokes every code of the followed meeting's hall screen.
    pub async fn revoke_hall_links(&self) -> Result<phonghop_protocol::http::HallLinksRevoked> {
        let session = self.session()?;
        let meeting = self.followed_state()?.meeting.id;
        session.revoke_hall_links(meeting).await
    }

    /// The address of the server the app is logged in to (`http://host:port`).
    pub fn server_address(&self) -> Result<String> {
        Ok(self.session()?.server.clone())
    }

    /// Creates a meeting (an account allowed to); its creator is its secretariat.
    pub async fn create_meeting(&self, request: &CreateMeetingRequest) -> Result<MeetingSummary> {
        self.session()?.create_meeting(request).await
    }

    /// Checks a councillors file against the followed meeting, and with `commit` imports it.
    pub async fn import_members(&self, request: &ImportMembersRequest) -> Result<ImportMembersResponse> {
        let session = self.session()?;
        let meeting = self.followed_state()?.meeting.id;
        session.import_members(meeting, request).await
    }

    /// Adds an account to the followed meeting with a role, or changes its role there.
    pub async fn set_member(&self, request: &AddMemberRequest) -> Result<MemberView> {
        let session = self.session()?;
        let meeting = self.followed_state()?.meeting.id;
        session.add_member(meeting, request).await
    }

    /// Uploads a file as a new document of an item of the followed meeting, telling `progress`.
    pub async fn upload_document(
        &self,
        item_id: phonghop_protocol::ItemId,
        file_name: &str,
        title: &str,
        bytes: Vec<u8>,
        progress: crate::session::Progress,
    ) -> Result<UploadResponse> {
        let session = self.session()?;
        let meeting = self.followed_state()?.meeting.id;
        session
            .upload_telling(meeting, item_id, file_name, title, bytes, Some(progress))
            .await
    }

    /// Sends a written opinion on an item (or one of its documents) of the followed meeting.
    pub async fn send_opinion(&self, request: &OpinionRequest) -> Result<OpinionView> {
        let session = self.session()?;
        let meeting = self.followed_state()?.meeting.id;
        session.send_opinion(meeting, request).await
    }

    /// The followed meeting's opinions: every one for the secretariat and the chair, one's own
    /// for anyone else.
    pub async fn opinions(&self) -> Result<Vec<OpinionView>> {
        let session = self.session()?;
        let meeting = self.followed_state()?.meeting.id;
        session.opinions(meeting).await
    }

    /// The followed meeting's opinions as CSV (the secretariat and the chair).
    pub async fn opinions_csv(&self) -> Result<(MeetingId, Vec<u8>)> {
        let session = self.session()?;
        let meeting = self.followed_state()?.meeting.id;
        Ok((meeting, session.opinions_csv(meeting).await?))
    }

    /// A page of the followed meeting's audit trail after entry `after` (its secretariat).
    pub async fn audit(&self, after: u64) -> Result<AuditPage> {
        let session = self.session()?;
        let meeting = self.followed_state()?.meeting.id;
        session.audit(meeting, after).await
    }

    /// The laptops of the followed meeting's members (its secretariat).
    pub async fn devices(&self) -> Result<DeviceList> {
        let session = self.session()?;
        let meeting = self.followed_state()?.meeting.id;
        session.devices(meeting).await
    }

    /// Revokes a laptop of one of the followed meeting's members (its secretariat).
    pub async fn revoke_device(&self, device: &str) -> Result<DeviceList> {
        let session = self.session()?;
        let meeting = self.followed_state()?.meeting.id;
        session.revoke_device(meeting, device).await
    }

    /// The followed meeting's audit trail as CSV (its secretariat).
    pub async fn audit_csv(&self) -> Result<(MeetingId, Vec<u8>)> {
        let session = self.session()?;
        let meeting = self.followed_state()?.meeting.id;
        Ok((meeting, session.audit_csv(meeting).await?))
    }

    /// The signed result record of a closed poll of the followed meeting, as `format` ("pdf" or
    /// "csv"), checked against the key the server shows before it is handed on: its bytes and
    /// the key's fingerprint. A record that does not verify is refused.
    pub async fn poll_record(&self, poll: PollId, format: &str) -> Result<(Vec<u8>, String)> {
        let session = self.session()?;
        let meeting = self.followed_state()?.meeting.id;
        let bytes = session.poll_record(meeting, poll, format).await?;
        let key = Session::record_key_pinned(session.address(), session.pin).await?;
        let verified = phonghop_record::verify(&bytes, Some(&key.public_key))
            .map_err(|error| ClientError::Protocol(format!("the record does not verify: {error}")))?;
        Ok((bytes, verified.fingerprint))
    }

    /// Fetches the page text of every document of the followed meeting this laptop does not keep
    /// yet (for searching without the server); the number fetched. Unreachable server: 0.
    pub async fn keep_texts_offline(&self) -> Result<usize> {
        let session = self.session()?;
        let state = self.followed_state()?;
        let cache = self.cache().await?;
        let mut kept = 0;
        for document in state.documents() {
            // Runs after every change of the mirror (a tally too): a lookup, not a read of the text.
            if cache.has_text(&document.current.sha256).await? {
                continue;
            }
            match session.document_text(state.meeting.id, document.id).await {
                // A revision newer than the mirror's is kept under its own hash.
                Ok(text) => {
                    cache.keep_text(&text.sha256, &text.pages).await?;
                    kept += 1;
                }
                Err(ClientError::Unreachable(_)) => return Ok(kept),
                Err(other) => tracing::warn!(document = %document.id, error = %other, "page text not kept"),
            }
        }
        Ok(kept)
    }

    pub(crate) fn followed_state(&self) -> Result<MeetingState> {
        let followed = self.followed.lock().expect("seat lock");
        let mirror = followed
            .as_ref()
            .ok_or(ClientError::NotLoggedIn)?
            .sync
            .mirror()
            .borrow()
            .clone();
        mirror.state.ok_or(ClientError::NotCached)
    }

    /// The local file of a cached document, by its hash (for the page renderer).
    pub async fn cached_file(&self, sha256: &Sha256) -> Result<Option<PathBuf>> {
        self.cache().await?.cached(sha256).await
    }

    /// Sends a command through the followed meeting's connection (queued while offline).
    pub async fn send(&self, command: Command) -> Result<()> {
        let sync_commands = {
            let followed = self.followed.lock().expect("seat lock");
            followed.as_ref().ok_or(ClientError::NotLoggedIn)?.sync.sender()
        };
        sync_commands.send(command).await.map(|_| ())
    }

    pub async fn cast_ballot(&self, poll_id: PollId, choice: Choice) -> Result<()> {
        self.send(Command::CastBallot { poll_id, choice }).await
    }
}

/// This laptop's name as its owner knows it: the host name, or a word when there is none.
fn laptop_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "máy tính".to_owned())
}
