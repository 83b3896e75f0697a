//! [`Writer`]: the one task that changes meetings. Every request — a command from the WebSocket
//! or HTTP, an upload, a subscriber's membership check, a new member — is queued here; the writer
//! takes every request waiting, and for each meeting: loads its model (kept between batches),
//! skips commands already carried out, decides each request with `phonghop_core::decide`, appends
//! all the facts in one transaction, broadcasts the events, and only then answers each request.
//! On PostgreSQL several meetings are written at once ([`phonghop_store::Store::concurrent_writers`]),
//! each meeting's batches one after another.
//!
//! **Architecture invariant:** nothing is answered before it is committed, and each meeting's
//! events reach the hub in `seq` order because only this task publishes them, one batch of a
//! meeting at a time. On PostgreSQL the writer decides under the meeting's lock
//! ([`phonghop_store::Store::lock_meeting`]), so writers of several instances take turns and
//! reload the model when another moved it on; a second process on a SQLite file makes an append
//! fail with a conflict, and the writer reloads and decides again. What other instances commit
//! reaches this one's subscribers here too ([`Writer::changed_elsewhere`]): the writer reloads
//! the meeting and publishes the events between what its hub showed and what the store holds,
//! read from the store's log. Requests and word of changes are taken in turn, so neither starves.

use std::collections::{BTreeSet, HashMap};

use futures_util::StreamExt;
use std::sync::Arc;

use phonghop_core::{command_result, decide_at, Actor, Fact, MeetingModel, Refusal, Request};
use phonghop_protocol::{CommandResult, ErrorCode, MeetingEvent, MeetingId};
use phonghop_store::{AuditRecord, Entry, Receipt, Store, StoreError};
use tokio::sync::{mpsc, oneshot};

use crate::error::ApiError;
use crate::hub::{Hub, Snapshot};

/// Requests waiting beyond this make senders wait for room (backpressure).
const QUEUE: usize = 16 * 1024;
/// The most requests committed in one transaction.
const MAX_BATCH: usize = 4096;
/// Appends refused as conflicts (another process wrote) before giving up.
const MAX_ATTEMPTS: usize = 8;

/// What a committed request produced.
#[derive(Debug, Clone)]
pub struct Done {
    pub result: CommandResult,
    /// The events it logged, with their seqs (none when answered from an earlier receipt).
    pub events: Vec<(u32, MeetingEvent)>,
}

/// Who a request comes from, as the audit trail names them: a person (`Nguyễn Văn A (db001)`)
/// and the address their request came from, or the server itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub who: String,
    pub address: String,
}

impl Origin {
    /// The server acting on its own (a timed poll closing, the demo meeting being made).
    pub fn server() -> Origin {
        Origin {
            who: "máy chủ / server".to_owned(),
            address: LOCAL.to_owned(),
        }
    }
}

/// The address of what the server does itself, and of its own command-line tools.
pub const LOCAL: &str = "local";

struct Job {
    meeting: MeetingId,
    actor: Actor,
    origin: Origin,
    receipt: Option<Receipt>,
    request: Request,
    answer: oneshot::Sender<Result<Done, ApiError>>,
}

/// What another server instance on the same database changed, as the writer needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elsewhere {
    /// The meeting is at this version in the store.
    Meeting(MeetingId, u64),
    /// Anything may have changed (word of some changes was lost).
    Anything,
}

/// The handle every handler sends requests through. Cheap to clone.
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
    elsewhere: mpsc::UnboundedSender<Elsewhere>,
}

impl Writer {
    pub fn start(store: Arc<dyn Store>, hub: Arc<Hub>) -> Writer {
        let (jobs, queue) = mpsc::channel(QUEUE);
        let (elsewhere, changes) = mpsc::unbounded_channel();
        let task = WriterTask {
            context: Context { store, hub },
            meetings: HashMap::new(),
        };
        tokio::spawn(task.run(queue, changes));
        Writer { jobs, elsewhere }
    }

    /// Brings this instance's subscribers up to what another instance committed, before the
    /// requests waiting then. Word of many changes at once is read once per meeting.
    pub fn changed_elsewhere(&self, change: Elsewhere) {
        // An error only means the writer has stopped, and with it the server.
        let _ = self.elsewhere.send(change);
    }

    /// Decides and commits `request`; with a receipt, a command already carried out is
    /// answered with its first result and nothing happens again.
    pub async fn submit(
        &self,
        meeting: MeetingId,
        actor: Actor,
        origin: Origin,
        receipt: Option<Receipt>,
        request: Request,
    ) -> Result<Done, ApiError> {
        let (answer, answered) = oneshot::channel();
        let job = Job {
            meeting,
            actor,
            origin,
            receipt,
            request,
            answer,
        };
        let stopped = || ApiError::new(ErrorCode::Internal, "the meeting writer has stopped");
        self.jobs.send(job).await.map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }
}

/// Each job's answer, in the order of the jobs.
type Answers = Vec<Result<Done, ApiError>>;

/// A meeting's model as last committed, and its version in the store.
struct Cached {
    model: MeetingModel,
    version: u64,
}

struct WriterTask {
    context: Context,
    /// Each meeting's model between batches (taken out while a batch of it is written).
    meetings: HashMap<MeetingId, Cached>,
}

/// What writing a meeting needs, shared by the meetings written at once.
struct Context {
    store: Arc<dyn Store>,
    hub: Arc<Hub>,
}

/// How one job of a batch is answered once the batch is committed.
enum Outcome {
    /// Its facts are the batch's entry at this index.
    Decided(usize),
    /// Carried out before; this was its result.
    Repeated(CommandResult),
    /// Refused by the rules; nothing recorded.
    Refused(Refusal),
    /// Decided, with nothing to record (a subscriber following, a check-in of someone present).
    Unchanged(CommandResult),
}

impl WriterTask {
    async fn run(mut self, mut queue: mpsc::Receiver<Job>, mut changes: mpsc::UnboundedReceiver<Elsewhere>) {
        let mut waiting = Vec::with_capacity(MAX_BATCH);
        let mut changed = Vec::new();
        let mut following = true;
        loop {
            // Whichever comes first, then whatever else is waiting too: neither the requests nor
            // word of other instances' changes can starve the other.
            tokio::select! {
                received = changes.recv_many(&mut changed, MAX_BATCH), if following => {
                    // Closed only once every handle is gone; the queue then ends too.
                    following = received > 0;
                }
                received = queue.recv_many(&mut waiting, MAX_BATCH) => {
                    if received == 0 {
                        return;
                    }
                }
            }
            while changed.len() < MAX_BATCH {
                let Ok(change) = changes.try_recv() else { break };
                changed.push(change);
            }
            while waiting.len() < MAX_BATCH {
                let Ok(job) = queue.try_recv() else { break };
                waiting.push(job);
            }
            let batch = by_meeting(std::mem::take(&mut waiting));
            // A meeting with requests is read afresh when it is locked for them; the others the
            // instance shows are caught up first.
            let requested: BTreeSet<MeetingId> = batch.iter().map(|(meeting, _)| *meeting).collect();
            if !changed.is_empty() {
                self.catch_up(std::mem::take(&mut changed), &requested).await;
            }
            self.write_all(batch).await;
        }
    }

    /// Writes each meeting's jobs; several meetings at once where the store allows it
    /// ([`Store::concurrent_writers`]), each meeting's in order.
    async fn write_all(&mut self, batch: Vec<(MeetingId, Vec<Job>)>) {
        let context = &self.context;
        let taken: Vec<(MeetingId, Vec<Job>, Option<Cached>)> = batch
            .into_iter()
            .map(|(meeting, jobs)| {
                let cached = self.meetings.remove(&meeting);
                (meeting, jobs, cached)
            })
            .collect();
        let written: Vec<(MeetingId, Option<Cached>)> = futures_util::stream::iter(taken)
            .map(|(meeting, jobs, cached)| async move { (meeting, context.write(meeting, jobs, cached).await) })
            .buffer_unordered(context.store.concurrent_writers().max(1))
            .collect()
            .await;
        for (meeting, cached) in written {
            if let Some(cached) = cached {
                self.meetings.insert(meeting, cached);
            }
        }
    }

    /// Reloads each meeting this instance shows that another instance moved past what it holds,
    /// and publishes what it had not shown. One that cannot be read now (the database is down)
    /// is read by the next request, or when word of changes comes again.
    async fn catch_up(&mut self, changes: Vec<Elsewhere>, requested: &BTreeSet<MeetingId>) {
        let stale: BTreeSet<MeetingId> = if changes.contains(&Elsewhere::Anything) {
            self.context.hub.meetings().into_iter().collect()
        } else {
            let shown: BTreeSet<MeetingId> = self.context.hub.meetings().into_iter().collect();
            changes
                .into_iter()
                .filter_map(|change| match change {
                    Elsewhere::Meeting(meeting, version) => Some((meeting, version)),
                    Elsewhere::Anything => None,
                })
                .filter(|(meeting, version)| {
                    shown.contains(meeting)
                        && self
                            .meetings
                            .get(meeting)
                            .is_none_or(|cached| cached.version < *version)
                })
                .map(|(meeting, _)| meeting)
                .collect()
        };
        let stale: Vec<MeetingId> = stale.difference(requested).copied().collect();
        for meeting in &stale {
            self.meetings.remove(meeting);
        }
        let context = &self.context;
        let loaded: Vec<(MeetingId, Result<Cached, StoreError>)> = futures_util::stream::iter(stale)
            .map(|meeting| async move { (meeting, context.load(meeting).await) })
            .buffer_unordered(context.store.concurrent_writers().max(1))
            .collect()
            .await;
        for (meeting, cached) in loaded {
            match cached {
                Ok(cached) => {
                    self.meetings.insert(meeting, cached);
                }
                Err(error) => tracing::warn!(%meeting, %error, "could not read what another instance changed"),
            }
        }
    }
}

impl Context {
    /// Loads the meeting from the store and brings the hub up to it: the events committed since
    /// the snapshot it showed (by other instances), then the open polls' tallies.
    async fn load(&self, meeting: MeetingId) -> Result<Cached, StoreError> {
        let loaded = self.store.load(meeting).await?;
        let seq = loaded.model.seq;
        let shown = self.hub.shown_seq(meeting);
        let events = match shown {
            Some(shown) if shown < seq => self.store.events_after(meeting, shown, seq - shown).await?,
            _ => Vec::new(),
        };
        if shown.is_some_and(|shown| events.len() as u32 != seq.saturating_sub(shown)) {
            // The log and the model were read apart; the gap makes subscribers resync.
            tracing::warn!(%meeting, ?shown, seq, read = events.len(), "the log did not hold every event up to the model");
        }
        let snapshot = Snapshot::of(seq, &loaded.model.view);
        // Tallies matter only where the meeting was shown (ballots elsewhere may have moved them).
        let tallies = match shown {
            Some(_) => snapshot.open_tallies.clone(),
            None => Vec::new(),
        };
        self.hub.commit(meeting, Some(snapshot), &events, &tallies);
        Ok(Cached {
            model: loaded.model,
            version: loaded.version,
        })
    }

    /// Decides and commits one meeting's jobs, retrying on conflicts, then answers them; the
    /// meeting's model as committed, or `None` after a failure (the next batch loads it).
    async fn write(&self, meeting: MeetingId, jobs: Vec<Job>, mut cached: Option<Cached>) -> Option<Cached> {
        for _ in 0..MAX_ATTEMPTS {
            match self.try_write(meeting, &jobs, cached.take()).await {
                Ok((answers, cached)) => {
                    for (job, answer) in jobs.into_iter().zip(answers) {
                        // The sender may have gone (a closed connection); its change stands.
                        let _ = job.answer.send(answer);
                    }
                    return Some(cached);
                }
                // The failed batch took the meeting's model with it; the next try loads it.
                Err(StoreError::Conflict) => {
                    tracing::info!(%meeting, "another writer changed the meeting; deciding again");
                }
                Err(error) => {
                    let error = ApiError::from(error);
                    for job in jobs {
                        let _ = job.answer.send(Err(error.clone()));
                    }
                    return None;
                }
            }
        }
        for job in jobs {
            let busy = ApiError::new(ErrorCode::ServerBusy, "the meeting kept changing under this request");
            let _ = job.answer.send(Err(busy));
        }
        None
    }

    async fn try_write(
        &self,
        meeting: MeetingId,
        jobs: &[Job],
        cached: Option<Cached>,
    ) -> Result<(Answers, Cached), StoreError> {
        // The model is taken out and changed in place (no copy per batch, which for a meeting of
        // thousands of members would cost more than the batch); it goes back only once the batch
        // is committed, so after any failure the next batch loads it afresh.
        // On PostgreSQL the meeting is locked from here to the commit: writers of other
        // instances wait their turn, and one that wrote meanwhile made the model stale.
        let lock = self.store.lock_meeting(meeting).await?;
        let mut cached = match (cached, &lock) {
            (Some(cached), Some(lock)) if lock.version() == cached.version => cached,
            (Some(cached), None) => cached,
            _ => self.load(meeting).await?,
        };
        let receipts: Vec<Receipt> = jobs.iter().filter_map(|job| job.receipt.clone()).collect();
        let mut processed = self.store.processed(&receipts).await?.into_iter();
        let model = &mut cached.model;
        let mut entries: Vec<Entry> = Vec::new();
        let mut in_batch: HashMap<Receipt, usize> = HashMap::new();
        let mut outcomes = Vec::with_capacity(jobs.len());
        for job in jobs {
            let earlier = match &job.receipt {
                Some(receipt) => processed.next().flatten().map(Outcome::Repeated).or_else(|| {
                    in_batch
                        .get(receipt)
                        .map(|index| Outcome::Repeated(entries[*index].result.clone()))
                }),
                None => None,
            };
            if let Some(earlier) = earlier {
                outcomes.push(earlier);
                continue;
            }
            let facts = match decide_at(model, &job.actor, &job.request, crate::auth::unix_now()) {
                Ok(facts) => facts,
                Err(refusal) => {
                    outcomes.push(Outcome::Refused(refusal));
                    continue;
                }
            };
            facts.iter().for_each(|fact| model.apply(fact));
            let result = command_result(&facts, model.seq);
            if facts.is_empty() && job.receipt.is_none() {
                outcomes.push(Outcome::Unchanged(result));
                continue;
            }
            if let Some(receipt) = &job.receipt {
                in_batch.insert(receipt.clone(), entries.len());
            }
            outcomes.push(Outcome::Decided(entries.len()));
            let audit = audit_records(meeting, job, &facts);
            entries.push(Entry {
                receipt: job.receipt.clone(),
                facts,
                result,
                audit,
            });
        }
        if !entries.is_empty() {
            cached.version = match lock {
                Some(lock) => lock.append(&entries).await?,
                None => self.store.append(meeting, cached.version, &entries).await?,
            };
        }
        let model = &cached.model;
        let all_facts = || entries.iter().flat_map(|entry| entry.facts.iter());
        let events = logged_events(all_facts());
        let tallies = model.tallies_changed_by(all_facts());
        if !events.is_empty() || !tallies.is_empty() {
            let snapshot = Snapshot::of(model.seq, &model.view);
            self.hub.commit(meeting, Some(snapshot), &events, &tallies);
        }
        let answers = outcomes
            .into_iter()
            .map(|outcome| match outcome {
                Outcome::Decided(index) => Ok(Done {
                    result: entries[index].result.clone(),
                    events: logged_events(&entries[index].facts),
                }),
                Outcome::Repeated(result) | Outcome::Unchanged(result) => Ok(Done { result, events: vec![] }),
                Outcome::Refused(refusal) => Err(ApiError::from(refusal)),
            })
            .collect();
        Ok((answers, cached))
    }
}

/// What the audit trail keeps of a job's facts: who, from where, and each line of
/// [`phonghop_core::audit::lines_for`].
fn audit_records(meeting: MeetingId, job: &Job, facts: &[Fact]) -> Vec<AuditRecord> {
    let at_ms = crate::audit::now_ms();
    // The server's own actor has no account (id 0).
    let user_id = (job.actor.user.0 != 0).then_some(job.actor.user);
    phonghop_core::audit::lines_for(facts)
        .into_iter()
        .map(|line| AuditRecord {
            at_ms,
            meeting_id: Some(meeting),
            user_id,
            who: job.origin.who.clone(),
            address: job.origin.address.clone(),
            action: line.action,
            detail: line.detail,
        })
        .collect()
}

fn logged_events<'a>(facts: impl IntoIterator<Item = &'a Fact>) -> Vec<(u32, MeetingEvent)> {
    facts
        .into_iter()
        .filter_map(|fact| match fact {
            Fact::Logged { seq, event } => Some((*seq, event.clone())),
            _ => None,
        })
        .collect()
}

/// The batch's jobs grouped by meeting, each group in the order the jobs came.
fn by_meeting(batch: Vec<Job>) -> Vec<(MeetingId, Vec<Job>)> {
    let mut groups: Vec<(MeetingId, Vec<Job>)> = Vec::new();
    for job in batch {
        match groups.iter_mut().find(|(meeting, _)| *meeting == job.meeting) {
            Some((_, jobs)) => jobs.push(job),
            None => groups.push((job.meeting, vec![job])),
        }
    }
    groups
}
