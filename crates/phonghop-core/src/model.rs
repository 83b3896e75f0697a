//! [`MeetingModel`]: everything the rules of one meeting need to decide, and the [`Fact`]s that
//! change it. The server loads it from the store, [`crate::decide()`] reads it, and
//! [`MeetingModel::apply`] moves it on by the facts a decision produced.
//!
//! Only [`Fact::Logged`] is part of the meeting's public log (attendance is in it). Ballots, voter rolls,
//! memberships and page text are recorded too, but never broadcast: a ballot reaches others only
//! as a coalesced tally, so N voters do not cause N² messages and (later) a secret ballot is not
//! linked to its voter.

use std::collections::{BTreeMap, BTreeSet};

use phonghop_protocol::{
    BallotForm, DocumentId, ItemId, MeetingEvent, MeetingState, Poll, PollId, PollState, Role, Secrecy, Tally, UserId,
    Vote,
};

use crate::roles;

/// A page of an uploaded PDF as the indexer read it; its text is kept for search.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexedPage {
    pub width_pt: f32,
    pub height_pt: f32,
    pub text: String,
}

/// One voter of a poll's roll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RollEntry {
    pub user: UserId,
    /// Checked in when the poll opened.
    pub present: bool,
}

/// Something a decision established. Applying a decision's facts in order to the model it was
/// made on gives the model after it.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    /// An entry of the meeting's public log, broadcast to every subscriber.
    Logged { seq: u32, event: MeetingEvent },
    /// A member's ballot in a named poll. Counted in the poll's tally; never broadcast.
    BallotCast { poll_id: PollId, voter: UserId, vote: Vote },
    /// A member changed their ballot in a changeable named poll, from `from` to `to`.
    BallotChanged {
        poll_id: PollId,
        voter: UserId,
        from: Vote,
        to: Vote,
    },
    /// A member's ballot in a secret poll. The store keeps the two halves apart with nothing
    /// that links them: that `voter` has voted, and a sealed `vote`. The model counts the
    /// vote apart from the public tally, which shows only how many have voted until the close.
    SecretBallotCast { poll_id: PollId, voter: UserId, vote: Vote },
    /// Who may vote in a poll just opened, fixed for its whole life: later role changes apply
    /// to later polls only, so a poll can always be closed and decided.
    RollFixed { poll_id: PollId, voters: Vec<RollEntry> },
    /// Someone joined the meeting or changed role.
    MemberSet { user: UserId, role: Role },
    /// The text of a document revision's pages, kept for search and for comparing revisions.
    PagesIndexed {
        document_id: DocumentId,
        revision: u32,
        pages: Vec<IndexedPage>,
    },
}

/// A poll's voter roll and who has voted (not what: the counts are in the poll's tally).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollRoll {
    /// Members who may vote, and whether each was present when the poll opened.
    pub voters: BTreeMap<UserId, bool>,
    /// Voters who have cast their ballot.
    pub voted: BTreeSet<UserId>,
    /// A changeable named poll's ballots, each voter's latest choice (to take it out of the
    /// tally when they change it); empty for other polls.
    pub choices: BTreeMap<UserId, Vote>,
    /// A secret poll's counts so far (`yes`, `no`, `abstain` or `counts`), told only at its
    /// close; empty for a named poll, whose counts are in its public tally.
    pub secret_counts: Tally,
}

impl PollRoll {
    /// Present for the quorum: checked in at the opening, or voted since (a ballot proves
    /// presence). So a count can never show more ballots than people present.
    pub fn present(&self) -> u32 {
        self.voters
            .iter()
            .filter(|(user, present)| **present || self.voted.contains(user))
            .count() as u32
    }

    pub fn members(&self) -> u32 {
        self.voters.len() as u32
    }

    /// Counts a secret ballot of a poll whose ballot is `form` apart from the public tally.
    pub fn count_secret(&mut self, form: &BallotForm, vote: &Vote) {
        if self.secret_counts.counts.is_empty() {
            self.secret_counts.counts = form.empty_counts();
        }
        self.secret_counts.add(vote);
    }
}

/// The largest ids used in a meeting so far; new ones follow them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LastIds {
    pub item: ItemId,
    pub document: DocumentId,
    pub poll: PollId,
}

/// Everything the rules of one meeting decide by.
#[derive(Debug, Clone, PartialEq)]
pub struct MeetingModel {
    /// The seq of the last logged event.
    pub seq: u32,
    /// What every client mirrors: agenda, documents, polls with their tallies.
    pub view: MeetingState,
    pub members: BTreeMap<UserId, Role>,
    /// Members present at the meeting: checked in, or marked present by the secretariat (only
    /// voting ones count for a quorum). Kept in step with `view.attendance`.
    pub present: BTreeSet<UserId>,
    pub rolls: BTreeMap<PollId, PollRoll>,
    pub last_ids: LastIds,
}

impl MeetingModel {
    /// A new meeting with no members and nothing on its agenda, and its kind's rule presets.
    pub fn new(meeting: phonghop_protocol::Meeting) -> MeetingModel {
        MeetingModel {
            seq: 0,
            view: MeetingState {
                quorum: crate::attendance::default_quorum(meeting.kind),
                attendance: vec![],
                current_item: None,
                floor: phonghop_protocol::Floor::default(),
                presenter: None,
                presenting: None,
                agenda_published: false,
                presets: crate::presets::defaults(meeting.kind),
                meeting,
                items: vec![],
                polls: vec![],
            },
            members: BTreeMap::new(),
            present: BTreeSet::new(),
            rolls: BTreeMap::new(),
            last_ids: LastIds::default(),
        }
    }

    pub fn role_of(&self, user: UserId) -> Option<Role> {
        self.members.get(&user).copied()
    }

    pub fn poll(&self, poll_id: PollId) -> Option<&Poll> {
        self.view.polls.iter().find(|poll| poll.id == poll_id)
    }

    pub fn has_item(&self, item_id: ItemId) -> bool {
        self.view.items.iter().any(|item| item.id == item_id)
    }

    /// The voting members who would make up a poll's roll if it opened now.
    pub fn roll_now(&self) -> Vec<RollEntry> {
        self.members
            .iter()
            .filter(|(_, role)| roles::votes(**role))
            .map(|(user, _)| RollEntry {
                user: *user,
                present: self.present.contains(user),
            })
            .collect()
    }

    /// The polls whose tally a set of facts changed, with their tallies now.
    pub fn tallies_changed_by<'a>(&self, facts: impl IntoIterator<Item = &'a Fact>) -> Vec<(PollId, Tally)> {
        let polls: BTreeSet<PollId> = facts
            .into_iter()
            .filter_map(|fact| match fact {
                Fact::BallotCast { poll_id, .. }
                | Fact::BallotChanged { poll_id, .. }
                | Fact::SecretBallotCast { poll_id, .. } => Some(*poll_id),
                _ => None,
            })
            .collect();
        polls
            .into_iter()
            .filter_map(|poll_id| self.poll(poll_id).map(|poll| (poll_id, poll.tally.clone())))
            .collect()
    }

    /// Moves the model on by one fact.
    pub fn apply(&mut self, fact: &Fact) {
        match fact {
            Fact::Logged { seq, event } => {
                self.follow(event);
                crate::mirror::apply(&mut self.view, event);
                self.seq = *seq;
            }
            Fact::BallotCast { poll_id, voter, vote } => {
                let changeable = self.poll(*poll_id).is_some_and(|poll| poll.changeable);
                let roll = self.rolls.entry(*poll_id).or_default();
                roll.voted.insert(*voter);
                if changeable {
                    roll.choices.insert(*voter, vote.clone());
                }
                let present = roll.present();
                if let Some(poll) = self.view.polls.iter_mut().find(|poll| poll.id == *poll_id) {
                    poll.tally.add(vote);
                    poll.tally.present = present;
                }
            }
            Fact::BallotChanged {
                poll_id,
                voter,
                from,
                to,
            } => {
                self.rolls
                    .entry(*poll_id)
                    .or_default()
                    .choices
                    .insert(*voter, to.clone());
                if let Some(poll) = self.view.polls.iter_mut().find(|poll| poll.id == *poll_id) {
                    poll.tally.remove(from);
                    poll.tally.add(to);
                }
            }
            Fact::SecretBallotCast { poll_id, voter, vote } => {
                let roll = self.rolls.entry(*poll_id).or_default();
                roll.voted.insert(*voter);
                if let Some(poll) = self.view.polls.iter().find(|poll| poll.id == *poll_id) {
                    roll.count_secret(&poll.ballot, vote);
                }
                let present = roll.present();
                if let Some(poll) = self.view.polls.iter_mut().find(|poll| poll.id == *poll_id) {
                    poll.tally.sealed += 1;
                    poll.tally.present = present;
                }
            }
            Fact::RollFixed { poll_id, voters } => {
                let roll = PollRoll {
                    voters: voters.iter().map(|entry| (entry.user, entry.present)).collect(),
                    ..PollRoll::default()
                };
                self.rolls.insert(*poll_id, roll);
            }
            Fact::MemberSet { user, role } => {
                self.members.insert(*user, *role);
            }
            Fact::PagesIndexed { .. } => {}
        }
    }

    /// Keeps the last ids and the present members in step with a logged event.
    fn follow(&mut self, event: &MeetingEvent) {
        match event {
            // A secret poll's choices are told by its close, or void with its cancelling; a
            // changeable poll's can change no more: none are kept apart after either.
            MeetingEvent::PollClosed { poll_id, .. } | MeetingEvent::PollCancelled { poll_id, .. } => {
                if let Some(roll) = self.rolls.get_mut(poll_id) {
                    roll.secret_counts = Tally::default();
                    roll.choices.clear();
                }
            }
            MeetingEvent::AttendanceSet { attendance, .. } => {
                if attendance.status == phonghop_protocol::AttendanceStatus::Present {
                    self.present.insert(attendance.user_id);
                } else {
                    self.present.remove(&attendance.user_id);
                }
            }
            MeetingEvent::AgendaItemAdded { item } => self.last_ids.item = self.last_ids.item.max(item.id),
            MeetingEvent::DocumentAdded { document } => {
                self.last_ids.document = self.last_ids.document.max(document.id)
            }
            MeetingEvent::PollOpened { poll } => self.last_ids.poll = self.last_ids.poll.max(poll.id),
            _ => {}
        }
    }

    /// The latest vote of `voter` in a changeable poll.
    pub fn vote_of(&self, poll_id: PollId, voter: UserId) -> Option<&Vote> {
        self.rolls.get(&poll_id)?.choices.get(&voter)
    }

    /// A poll's counts as its close tells them: for a secret poll, the sealed ballots counted.
    pub fn final_tally(&self, poll: &Poll) -> Tally {
        match poll.secrecy {
            Secrecy::Named => poll.tally.clone(),
            Secrecy::Secret => {
                let counts = self
                    .rolls
                    .get(&poll.id)
                    .map(|roll| roll.secret_counts.clone())
                    .unwrap_or_default();
                Tally {
                    yes: counts.yes,
                    no: counts.no,
                    abstain: counts.abstain,
                    sealed: 0,
                    counts: if counts.counts.is_empty() {
                        poll.ballot.empty_counts()
                    } else {
                        counts.counts
                    },
                    ..poll.tally.clone()
                }
            }
        }
    }

    /// The open polls of the meeting.
    pub fn open_polls(&self) -> impl Iterator<Item = &Poll> {
        self.view.polls.iter().filter(|poll| poll.state == PollState::Open)
    }
}
