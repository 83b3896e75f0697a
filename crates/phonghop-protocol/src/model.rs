//! The meeting as every client mirrors it: agenda, documents, polls and their tallies.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::{DocumentId, ItemId, MeetingId, PollId, Sha256, UserId};
use crate::rule::{Fraction, MajorityRule, MeetingKind, Outcome, RuleBasis, RulePreset};

/// A person's part in one meeting. What each role may do is decided in `phonghop-core`
/// (`roles::capabilities`), not here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Role {
    /// Chủ tọa: runs the meeting and votes.
    Chair,
    /// Thư ký / văn phòng: prepares agenda and documents; does not vote.
    Secretariat,
    /// Đại biểu: reads, votes.
    Delegate,
}

/// An account as others see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UserView {
    pub id: UserId,
    pub username: String,
    pub full_name: String,
    pub position: String,
}

/// A meeting listed for a user, with that user's role in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MeetingSummary {
    pub id: MeetingId,
    pub title: String,
    pub location: String,
    pub starts_at: String,
    pub role: Role,
}

/// The meeting itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Meeting {
    pub id: MeetingId,
    pub title: String,
    pub location: String,
    pub starts_at: String,
    /// Absent in logs written before meetings had kinds: a council sitting.
    #[serde(default)]
    pub kind: MeetingKind,
}

/// One item of the agenda, in order of `position` (0-based, gap-free). A sub-item names its
/// `parent`, a top-level item, and stands after it and its earlier sub-items (1, 1.1, 1.2, 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AgendaItem {
    pub id: ItemId,
    pub position: u32,
    /// `null` for a top-level item. Absent in logs written before sub-items: `null`.
    #[serde(default)]
    pub parent: Option<ItemId>,
    pub title: String,
    pub description: String,
    pub documents: Vec<Document>,
}

/// A document attached to an agenda item. What councillors read is always a PDF; the fields of
/// its current revision are on the document itself (`revision`, `file_name`, `sha256`, …), the
/// revisions before it in `earlier`, still readable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Document {
    pub id: DocumentId,
    pub item_id: ItemId,
    pub title: String,
    #[serde(flatten)]
    #[ts(flatten)]
    pub current: Revision,
    /// The revisions before the current one, oldest first.
    #[serde(default)]
    pub earlier: Vec<Revision>,
}

impl Document {
    /// Every revision, oldest first, the current one last.
    pub fn revisions(&self) -> impl Iterator<Item = &Revision> {
        self.earlier.iter().chain(std::iter::once(&self.current))
    }

    /// The revision numbered `number`.
    pub fn revision(&self, number: u32) -> Option<&Revision> {
        self.revisions().find(|revision| revision.revision == number)
    }
}

/// One version of a document's file. The first upload is revision 1; a file uploaded again for
/// the same document is the next revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Revision {
    /// 1, 2, 3… per document. (Logs written before revisions existed lack the revision fields:
    /// they read as revision 1 with nothing more.)
    #[serde(default = "first_revision")]
    pub revision: u32,
    /// The name of the file as uploaded (the Office file's name when it was converted).
    pub file_name: String,
    /// Lower-case hex SHA-256 of the PDF bytes; the blob to download.
    pub sha256: Sha256,
    /// Size of the PDF in bytes.
    #[ts(type = "number")]
    pub size: u64,
    pub page_count: u32,
    /// The file as the secretariat gave it when it was not a PDF (a Word, Excel, PowerPoint or
    /// OpenDocument file converted by LibreOffice); downloadable as a blob by its `sha256`.
    #[serde(default)]
    pub original: Option<OriginalFile>,
    /// Pages (0-based) that PDFium opens but cannot draw, found when the file was taken in; the
    /// viewer shows a placeholder for them.
    #[serde(default)]
    pub unrenderable_pages: Vec<u32>,
    /// What changed since the revision before; `null` for revision 1.
    #[serde(default)]
    pub changes: Option<RevisionChanges>,
}

fn first_revision() -> u32 {
    1
}

/// The file a PDF was converted from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OriginalFile {
    pub file_name: String,
    /// Lower-case hex SHA-256 of the original bytes.
    pub sha256: Sha256,
    #[ts(type = "number")]
    pub size: u64,
    /// Its media type, e.g.
    /// `application/vnd.openxmlformats-officedocument.wordprocessingml.document`.
    pub media_type: String,
}

/// What changed from one revision to the next, from the text PDFium extracts of both.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RevisionChanges {
    pub pages_before: u32,
    pub pages_after: u32,
    /// Pages (0-based, in the new revision) whose text is not in the old one at all.
    pub pages_added: Vec<u32>,
    /// Pages (0-based, in the old revision) whose text is not in the new one at all.
    pub pages_removed: Vec<u32>,
    /// The passages of text that changed, in the order of the new revision.
    pub passages: Vec<ChangedPassage>,
    /// More passages changed than are listed (a long document rewritten).
    pub more_passages: bool,
}

/// One passage (a paragraph, or an article of a resolution) that changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChangedPassage {
    /// Where it is: the heading it falls under, such as "Điều 1" or "Chương II"; `null` when
    /// the document has no recognisable headings there.
    pub section: Option<String>,
    pub change: PassageChange,
    /// The passage's text in the old revision (empty when added).
    pub before: String,
    /// The passage's text in the new revision (empty when removed).
    pub after: String,
    /// The page (0-based) it is on: in the new revision, or in the old one when removed.
    pub page: u32,
}

/// How a passage changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PassageChange {
    Added,
    Removed,
    Changed,
}

/// One of the three choices of a People's Council vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Choice {
    /// Tán thành.
    Yes,
    /// Không tán thành.
    No,
    /// Không biểu quyết.
    Abstain,
}

impl Choice {
    pub const ALL: [Choice; 3] = [Choice::Yes, Choice::No, Choice::Abstain];

    pub fn as_str(self) -> &'static str {
        match self {
            Choice::Yes => "yes",
            Choice::No => "no",
            Choice::Abstain => "abstain",
        }
    }

    pub fn parse(text: &str) -> Option<Choice> {
        Choice::ALL.into_iter().find(|choice| choice.as_str() == text)
    }
}

/// What a poll's ballot asks (its form): a motion's three choices, or lines to mark.
///
/// A ballot of a form other than `motion` carries one mark per line, in the order of the lines
/// (`cast_marks`); what a mark means depends on the form (see each form). Counts are kept per
/// line and mark (`Tally::counts`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum BallotForm {
    /// Tán thành / Không tán thành / Không biểu quyết: a `choice` (`cast_ballot`).
    #[default]
    Motion,
    /// Options the secretariat wrote (phương án): mark 1 chooses a line, 0 leaves it; at most
    /// `max_picks` lines chosen, none is a blank ballot. At the close the lines chosen by the
    /// rule's share are adopted, the most chosen first, at most `max_picks` of them.
    Options { options: Vec<String>, max_picks: u32 },
    /// An election (bầu cử) choosing up to `seats` of the candidates: marks as for `options`.
    /// A candidate is elected with the rule's share of the marks, the most chosen first, at most
    /// `seats` of them; a tie for the last seat elects none of the tied.
    Election { candidates: Vec<String>, seats: u32 },
    /// An election by yes or no per candidate: mark 0 đồng ý, 1 không đồng ý, 2 không biểu
    /// quyết on every line. Elected as for `election`, by the đồng ý marks.
    YesNoEach { candidates: Vec<String>, seats: u32 },
    /// A confidence vote (lấy phiếu tín nhiệm), one line per person: mark 0 tín nhiệm cao, 1 tín
    /// nhiệm, 2 tín nhiệm thấp on every line. The result is per person: the counts, and whether
    /// the tín nhiệm thấp marks reach the rule's share.
    Confidence { persons: Vec<String> },
}

impl BallotForm {
    /// The lines of the ballot: options, candidates or persons; none for a motion.
    pub fn lines(&self) -> &[String] {
        match self {
            BallotForm::Motion => &[],
            BallotForm::Options { options: lines, .. }
            | BallotForm::Election { candidates: lines, .. }
            | BallotForm::YesNoEach { candidates: lines, .. }
            | BallotForm::Confidence { persons: lines } => lines,
        }
    }

    /// How many different marks a line takes (marks are `0..levels`); 0 for a motion.
    pub fn levels(&self) -> u8 {
        match self {
            BallotForm::Motion => 0,
            BallotForm::Options { .. } | BallotForm::Election { .. } => 2,
            BallotForm::YesNoEach { .. } | BallotForm::Confidence { .. } => 3,
        }
    }

    /// At most how many lines the count may adopt or elect; `None` for a confidence vote,
    /// whose result is per person, and for a motion.
    pub fn seats(&self) -> Option<u32> {
        match self {
            BallotForm::Motion | BallotForm::Confidence { .. } => None,
            BallotForm::Options { max_picks: seats, .. }
            | BallotForm::Election { seats, .. }
            | BallotForm::YesNoEach { seats, .. } => Some(*seats),
        }
    }

    /// The mark whose count a line is measured by against the rule: chosen (1) for options
    /// and elections, đồng ý (0) for yes/no per candidate, tín nhiệm thấp (2) for confidence.
    pub fn counted_mark(&self) -> Option<u8> {
        match self {
            BallotForm::Motion => None,
            BallotForm::Options { .. } | BallotForm::Election { .. } => Some(1),
            BallotForm::YesNoEach { .. } => Some(0),
            BallotForm::Confidence { .. } => Some(2),
        }
    }

    /// The form's name on the wire (`type`).
    pub fn as_str(&self) -> &'static str {
        match self {
            BallotForm::Motion => "motion",
            BallotForm::Options { .. } => "options",
            BallotForm::Election { .. } => "election",
            BallotForm::YesNoEach { .. } => "yes_no_each",
            BallotForm::Confidence { .. } => "confidence",
        }
    }

    /// A count of zero per line and mark, the shape of `Tally::counts` for this form.
    pub fn empty_counts(&self) -> Vec<Vec<u32>> {
        vec![vec![0; usize::from(self.levels())]; self.lines().len()]
    }
}

/// What one ballot says: a motion's choice, or one mark per line of another form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Vote {
    Choice(Choice),
    Marks(Vec<u8>),
}

impl Vote {
    /// A motion's choice; `None` for marks.
    pub fn choice(&self) -> Option<Choice> {
        match self {
            Vote::Choice(choice) => Some(*choice),
            Vote::Marks(_) => None,
        }
    }

    /// The marks of a ballot of another form; `None` for a motion's choice.
    pub fn marks(&self) -> Option<Vec<u8>> {
        match self {
            Vote::Choice(_) => None,
            Vote::Marks(marks) => Some(marks.clone()),
        }
    }
}

/// How one line of a closed poll of a form other than a motion came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LineOutcome {
    /// Adopted (options) or elected (elections); for a confidence vote: rated tín nhiệm thấp by
    /// the rule's share of the members.
    Reached,
    /// Not adopted, not elected (too few marks, or the seats were taken by lines with more);
    /// for a confidence vote: not rated low by that share.
    NotReached,
    /// Reached the rule's share but tied with another line for the last seat: neither is
    /// elected, the body votes again.
    Tied,
}

/// Whether a member is at the sitting: checked in by themselves, or marked by the secretariat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AttendanceStatus {
    /// Có mặt.
    Present,
    /// Vắng có phép: absent with leave.
    Excused,
    /// Vắng: absent.
    Absent,
}

/// A member's attendance as the log last set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Attendance {
    pub user_id: UserId,
    pub status: AttendanceStatus,
    /// Why, as the secretariat wrote it (a leave, a late arrival); empty when checked in.
    #[serde(default)]
    pub reason: String,
}

/// Whether a poll's ballots carry names (công khai) or not (bỏ phiếu kín).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Secrecy {
    /// Who chose what is known: the record names each member under their choice.
    #[default]
    Named,
    /// Nobody can link a choice to a member, not even whoever holds the server's database
    /// (see docs/secret-ballots.md). While the poll is open only the number of ballots is told
    /// (`Tally::sealed`); the counts come with its close.
    Secret,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PollState {
    Open,
    Closed,
    /// Cancelled by the chair or the secretariat before it closed (hủy biểu quyết): it has no
    /// outcome and no record, and its ballots count for nothing.
    Cancelled,
}

/// Counts of a poll at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Tally {
    /// Members of the body: who may vote in this poll, fixed when it opened.
    pub members: u32,
    /// Of those, who was checked in when the poll opened or has voted since.
    pub present: u32,
    pub yes: u32,
    pub no: u32,
    pub abstain: u32,
    /// Ballots of an open secret poll cast so far: their choices are counted only when the poll
    /// closes (a live count would tell early voters' choices), so `yes`, `no` and `abstain` stay
    /// 0 until then. Always 0 for a named poll and for a closed one.
    #[serde(default)]
    pub sealed: u32,
    /// For a poll of a form other than a motion: per line, the count of each mark
    /// (`counts[line][mark]`), one ballot counting once on every line. Zeros while a secret
    /// poll is open. Absent for a motion.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[ts(as = "Option<Vec<Vec<u32>>>", optional)]
    pub counts: Vec<Vec<u32>>,
}

impl Tally {
    /// An empty tally of a poll of `form` with its roll's `members` and `present`.
    pub fn new(form: &BallotForm, members: u32, present: u32) -> Tally {
        Tally {
            members,
            present,
            counts: form.empty_counts(),
            ..Tally::default()
        }
    }

    /// Ballots cast so far, of every choice (a marked ballot counts once, on its first line).
    pub fn cast(&self) -> u32 {
        let marked: u32 = self.counts.first().map_or(0, |line| line.iter().sum());
        self.yes + self.no + self.abstain + self.sealed + marked
    }

    /// The count of one choice.
    pub fn count(&self, choice: Choice) -> u32 {
        match choice {
            Choice::Yes => self.yes,
            Choice::No => self.no,
            Choice::Abstain => self.abstain,
        }
    }

    /// One more ballot saying `vote`.
    pub fn add(&mut self, vote: &Vote) {
        self.each_count(vote, |count| *count += 1);
    }

    /// One ballot saying `vote` fewer (a named ballot changed).
    pub fn remove(&mut self, vote: &Vote) {
        self.each_count(vote, |count| *count = count.saturating_sub(1));
    }

    /// Calls `change` on every count a ballot saying `vote` is in: its choice's, or one per line.
    fn each_count(&mut self, vote: &Vote, mut change: impl FnMut(&mut u32)) {
        match vote {
            Vote::Choice(Choice::Yes) => change(&mut self.yes),
            Vote::Choice(Choice::No) => change(&mut self.no),
            Vote::Choice(Choice::Abstain) => change(&mut self.abstain),
            Vote::Marks(marks) => {
                for (line, mark) in self.counts.iter_mut().zip(marks) {
                    if let Some(count) = line.get_mut(usize::from(*mark)) {
                        change(count);
                    }
                }
            }
        }
    }
}

/// A vote on an agenda item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Poll {
    pub id: PollId,
    pub item_id: ItemId,
    pub title: String,
    /// What the ballot asks; absent in polls from before other forms: a motion.
    #[serde(default)]
    pub ballot: BallotForm,
    /// Named or secret; absent in polls from before secret ballots: named.
    #[serde(default)]
    pub secrecy: Secrecy,
    /// A named poll whose voters may change their ballot until it closes; never a secret one.
    #[serde(default)]
    pub changeable: bool,
    pub rule: MajorityRule,
    /// The preset the rule came from and its legal source; absent for polls opened before
    /// presets existed.
    #[serde(default)]
    pub basis: Option<RuleBasis>,
    /// Set when the chair opened the poll though the meeting's quorum was not present: the
    /// reason the chair gave, kept in the log and the record.
    #[serde(default)]
    pub quorum_override: Option<String>,
    /// For a timed poll, when the server closes it: Unix seconds by the server's clock (a client
    /// counts down with the server's clock, see the `Date` header of its answers). `None`: the
    /// chair closes it.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub closes_at: Option<i64>,
    pub state: PollState,
    pub tally: Tally,
    /// Set once the poll is closed. For a form other than a motion: `no_quorum`, or else
    /// `passed` when a line was adopted or elected, `rejected` when none was; a confidence
    /// vote that counts is always `passed` (its result is per person, in `line_outcomes`).
    pub outcome: Option<Outcome>,
    /// Once a poll of a form other than a motion is closed (with the quorum), how each line
    /// came out, in the order of the lines; empty otherwise.
    #[serde(default)]
    pub line_outcomes: Vec<LineOutcome>,
    /// Why it was cancelled, once it is (`state` `cancelled`); absent otherwise.
    #[serde(default)]
    pub cancel_reason: Option<String>,
}

/// A member waiting for the floor (xin phát biểu), in the order the chair will call them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SpeechRequest {
    pub user_id: UserId,
    /// Their full name, as the server knows the account.
    pub name: String,
    /// The agenda item they asked to speak on; `null`: the meeting in general.
    pub item_id: Option<ItemId>,
    /// When they asked: Unix seconds by the server's clock.
    #[ts(type = "number")]
    pub requested_at: i64,
}

/// The speech in progress: who has the floor, since when and for how long.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Speech {
    pub user_id: UserId,
    pub name: String,
    pub item_id: Option<ItemId>,
    /// When the chair gave the floor: Unix seconds by the server's clock.
    #[ts(type = "number")]
    pub started_at: i64,
    /// The time given, in seconds: screens count down from `started_at + seconds` by the
    /// server's clock and show the overrun; the speech ends when the chair (or the speaker) ends it.
    pub seconds: u32,
}

/// The speaking queue of a meeting: who is waiting, in order, and who is speaking.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Floor {
    pub queue: Vec<SpeechRequest>,
    pub speaking: Option<Speech>,
}

/// A page shown to the whole meeting (follow-the-presenter): every reader that follows opens
/// this document, revision and page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Presentation {
    pub document_id: DocumentId,
    /// The revision shown (the document's current one when it was shown).
    pub revision: u32,
    /// 0-based.
    pub page: u32,
    /// Who shows it: the chair, the secretariat or the presenter the chair named.
    pub by: UserId,
    pub name: String,
}

/// Everything a client mirrors of one meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MeetingState {
    pub meeting: Meeting,
    /// Sorted by `position`.
    pub items: Vec<AgendaItem>,
    /// In the order they were opened.
    pub polls: Vec<Poll>,
    /// The majority rules the chair chooses from, the meeting kind's default first. Absent in
    /// snapshots of servers before presets: none.
    #[serde(default)]
    pub presets: Vec<RulePreset>,
    /// The share of the voting members who must be present before a poll opens (2/3 for a
    /// council sitting, from its kind's first preset); `null`: none. Absent in snapshots of
    /// servers before attendance: none.
    #[serde(default)]
    pub quorum: Option<Fraction>,
    /// Each member whose attendance the log has set, by user id.
    #[serde(default)]
    pub attendance: Vec<Attendance>,
    /// The agenda item under discussion, set by the chair for every screen; `null`: none yet.
    #[serde(default)]
    pub current_item: Option<ItemId>,
    /// Who is waiting to speak and who is speaking. Absent in snapshots of servers before the
    /// speaking queue: empty.
    #[serde(default)]
    pub floor: Floor,
    /// The member the chair named to present (besides the chair and the secretariat); `null`:
    /// none.
    #[serde(default)]
    pub presenter: Option<UserId>,
    /// The page shown to the meeting now; `null`: nothing is presented.
    #[serde(default)]
    pub presenting: Option<Presentation>,
    /// The secretariat has published the agenda to the members; until then it is a draft.
    /// Absent in snapshots of servers before publishing: `false`.
    #[serde(default)]
    pub agenda_published: bool,
}

impl MeetingState {
    /// Every document of the meeting, item by item.
    pub fn documents(&self) -> impl Iterator<Item = &Document> {
        self.items.iter().flat_map(|item| item.documents.iter())
    }

    /// The document `id`, if the meeting has it.
    pub fn document(&self, id: DocumentId) -> Option<&Document> {
        self.documents().find(|document| document.id == id)
    }
}

/// The caller's own ballot in a poll, so a reconnecting app knows it has voted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MyBallot {
    pub poll_id: PollId,
    /// `null` in a secret poll: the server keeps no link from a member to a choice, so it
    /// cannot tell them either; `null` too for a ballot of marks.
    pub choice: Option<Choice>,
    /// A named ballot of a form other than a motion: its marks, one per line; `null` otherwise.
    #[serde(default)]
    pub marks: Option<Vec<u8>>,
}
