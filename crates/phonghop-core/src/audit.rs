//! The audit trail's rules: which facts of a decision become audit lines (never a ballot's
//! choice, nothing of a secret poll's ballots), and the hash chain that makes an entry edited or
//! removed later show ([`entry_hash`], [`ChainCheck`]). docs/audit.md describes the chain so that
//! anyone can check an export without phonghop.

use phonghop_protocol::http::AuditEntry;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::model::Fact;

/// The hash before the first entry.
pub const GENESIS: [u8; 32] = [0; 32];

/// What one fact of a decision adds to the audit trail: its action and its detail (compact JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLine {
    pub action: String,
    pub detail: String,
}

impl AuditLine {
    pub fn new(action: &str, detail: Value) -> AuditLine {
        AuditLine {
            action: action.to_owned(),
            detail: detail.to_string(),
        }
    }
}

/// The audit lines of a decision's facts, in order: every logged event (its kind, and the event
/// without it with its seq), a named ballot cast or changed (the poll only, never the choice),
/// a member added or given another role. A secret ballot leaves nothing, not even its time:
/// the store keeps no time of who voted in a secret poll, and neither does the trail. The roll
/// of a new poll and a revision's page texts are in the poll and the document already.
pub fn lines_for(facts: &[Fact]) -> Vec<AuditLine> {
    facts
        .iter()
        .filter_map(|fact| match fact {
            Fact::Logged { seq, event } => {
                let mut fields = match serde_json::to_value(event) {
                    Ok(Value::Object(fields)) => fields,
                    _ => Map::new(),
                };
                let action = match fields.remove("kind") {
                    Some(Value::String(kind)) => kind,
                    _ => "event".to_owned(),
                };
                let mut detail = Map::new();
                detail.insert("seq".to_owned(), Value::from(*seq));
                detail.extend(fields);
                Some(AuditLine {
                    action,
                    detail: Value::Object(detail).to_string(),
                })
            }
            Fact::BallotCast { poll_id, .. } => {
                Some(AuditLine::new("ballot_cast", serde_json::json!({ "poll_id": poll_id })))
            }
            Fact::BallotChanged { poll_id, .. } => Some(AuditLine::new(
                "ballot_changed",
                serde_json::json!({ "poll_id": poll_id }),
            )),
            Fact::MemberSet { user, role } => Some(AuditLine::new(
                "member_set",
                serde_json::json!({ "user_id": user, "role": role }),
            )),
            Fact::SecretBallotCast { .. } | Fact::RollFixed { .. } | Fact::PagesIndexed { .. } => None,
        })
        .collect()
}

/// The entry's hash: SHA-256 over `previous` and the entry's fields (not its own `hash`), each
/// written so that no two different entries write the same bytes: integers as 8 bytes
/// big-endian, an absent id as one 0 byte and a present one as a 1 byte and 8 bytes, text as its
/// UTF-8 length in 4 bytes big-endian and its bytes.
pub fn entry_hash(previous: &[u8; 32], entry: &AuditEntry) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(previous);
    hasher.update(entry.seq.to_be_bytes());
    hasher.update(entry.at_ms.to_be_bytes());
    for id in [entry.meeting_id.map(|id| id.0), entry.user_id.map(|id| id.0)] {
        match id {
            None => hasher.update([0u8]),
            Some(id) => {
                hasher.update([1u8]);
                hasher.update(u64::from(id).to_be_bytes());
            }
        }
    }
    for text in [&entry.who, &entry.address, &entry.action, &entry.detail] {
        hasher.update((text.len() as u32).to_be_bytes());
        hasher.update(text.as_bytes());
    }
    hasher.finalize().into()
}

/// Where the chain breaks, first break only: everything after it is suspect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// Entries are missing before `seq` (removed): `expected` was next.
    Missing { expected: u64, seq: u64 },
    /// The entry's hash is not that of its fields after the entry before it: it, or the one
    /// before, was changed.
    Altered { seq: u64 },
    /// The last entries are gone: the server had written up to `written`, the trail ends at
    /// `last`.
    Truncated { last: u64, written: u64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Missing { expected, seq } => write!(
                f,
                "entries {expected}–{} are missing / thiếu các mục {expected}–{}",
                seq - 1,
                seq - 1
            ),
            ChainBreak::Altered { seq } => write!(
                f,
                "entry {seq} does not match its hash: it or the entry before it was changed / mục {seq} \
                 không khớp mã băm: mục này hoặc mục trước đã bị sửa"
            ),
            ChainBreak::Truncated { last, written } => write!(
                f,
                "entries after {last} (up to {written}) were removed / các mục sau {last} (đến {written}) đã bị xoá"
            ),
        }
    }
}

/// Checks a trail entry by entry, oldest first, holding only the last hash.
#[derive(Debug, Clone)]
pub struct ChainCheck {
    previous: [u8; 32],
    next_seq: u64,
}

impl Default for ChainCheck {
    fn default() -> Self {
        ChainCheck {
            previous: GENESIS,
            next_seq: 1,
        }
    }
}

impl ChainCheck {
    /// Checks `entry` follows the entries fed before it.
    pub fn feed(&mut self, entry: &AuditEntry) -> Result<(), ChainBreak> {
        if entry.seq != self.next_seq {
            return Err(ChainBreak::Missing {
                expected: self.next_seq,
                seq: entry.seq.max(self.next_seq + 1),
            });
        }
        let hash = entry_hash(&self.previous, entry);
        if hex::encode(hash) != entry.hash {
            return Err(ChainBreak::Altered { seq: entry.seq });
        }
        self.previous = hash;
        self.next_seq += 1;
        Ok(())
    }

    /// How many entries were checked.
    pub fn entries(&self) -> u64 {
        self.next_seq - 1
    }

    /// The last entry's hash (the genesis hash before any).
    pub fn head(&self) -> [u8; 32] {
        self.previous
    }

    /// Checks the trail ends where the server last wrote.
    pub fn finish(&self, written: u64) -> Result<(), ChainBreak> {
        if written > self.entries() {
            return Err(ChainBreak::Truncated {
                last: self.entries(),
                written,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use phonghop_protocol::{AgendaItem, Choice, ItemId, MeetingEvent, MeetingId, PollId, Role, UserId, Vote};

    use super::*;

    fn chain(count: u64) -> Vec<AuditEntry> {
        let mut previous = GENESIS;
        (1..=count)
            .map(|seq| {
                let mut entry = AuditEntry {
                    seq,
                    at_ms: 1_764_000_000_000 + seq as i64,
                    meeting_id: (seq % 2 == 0).then_some(MeetingId(1)),
                    user_id: Some(UserId(seq as u32)),
                    who: format!("Đại biểu {seq}"),
                    address: "192.0.2.7".to_owned(),
                    action: "login".to_owned(),
                    detail: "{}".to_owned(),
                    hash: String::new(),
                };
                previous = entry_hash(&previous, &entry);
                entry.hash = hex::encode(previous);
                entry
            })
            .collect()
    }

    fn check(entries: &[AuditEntry], written: u64) -> Result<u64, ChainBreak> {
        let mut check = ChainCheck::default();
        for entry in entries {
            check.feed(entry)?;
        }
        check.finish(written)?;
        Ok(check.entries())
    }

    #[test]
    fn an_untouched_chain_checks() {
        assert_eq!(check(&chain(5), 5), Ok(5));
        assert_eq!(check(&[], 0), Ok(0));
    }

    #[test]
    fn an_edited_entry_breaks_the_chain_at_it() {
        let mut entries = chain(5);
        entries[2].who = "Người khác".to_owned();
        assert_eq!(check(&entries, 5), Err(ChainBreak::Altered { seq: 3 }));
        // Re-hashing the edited entry moves the break to the next one.
        let mut entries = chain(5);
        entries[2].address = "198.51.100.1".to_owned();
        entries[2].hash = hex::encode(entry_hash(&hex_bytes(&entries[1].hash), &entries[2]));
        assert_eq!(check(&entries, 5), Err(ChainBreak::Altered { seq: 4 }));
    }

    #[test]
    fn a_removed_entry_shows_as_missing_and_a_removed_tail_as_truncated() {
        let mut entries = chain(5);
        entries.remove(1);
        assert_eq!(check(&entries, 5), Err(ChainBreak::Missing { expected: 2, seq: 3 }));
        let entries = chain(5);
        assert_eq!(
            check(&entries[..3], 5),
            Err(ChainBreak::Truncated { last: 3, written: 5 })
        );
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        let entry = chain(1).remove(0);
        let mut moved = entry.clone();
        moved.who = format!("{}1", entry.who);
        moved.address = entry.address[1..].to_owned();
        assert_ne!(entry_hash(&GENESIS, &entry), entry_hash(&GENESIS, &moved));
        let mut no_meeting = entry.clone();
        no_meeting.meeting_id = Some(MeetingId(0));
        assert_ne!(entry_hash(&GENESIS, &entry), entry_hash(&GENESIS, &no_meeting));
    }

    #[test]
    fn no_ballot_choice_and_nothing_of_a_secret_ballot_reaches_the_trail() {
        let facts = vec![
            Fact::BallotCast {
                poll_id: PollId(3),
                voter: UserId(7),
                vote: Vote::Choice(Choice::No),
            },
            Fact::SecretBallotCast {
                poll_id: PollId(4),
                voter: UserId(7),
                vote: Vote::Choice(Choice::Yes),
            },
            Fact::MemberSet {
                user: UserId(9),
                role: Role::Delegate,
            },
            Fact::Logged {
                seq: 12,
                event: MeetingEvent::AgendaItemAdded {
                    item: AgendaItem {
                        id: ItemId(2),
                        position: 2,
                        parent: None,
                        title: "Báo cáo".to_owned(),
                        description: String::new(),
                        documents: vec![],
                    },
                },
            },
        ];
        let lines = lines_for(&facts);
        let actions: Vec<&str> = lines.iter().map(|line| line.action.as_str()).collect();
        assert_eq!(actions, ["ballot_cast", "member_set", "agenda_item_added"]);
        assert_eq!(lines[0].detail, r#"{"poll_id":3}"#);
        let member: Value = serde_json::from_str(&lines[1].detail).expect("JSON");
        assert_eq!(member, serde_json::json!({"user_id": 9, "role": "delegate"}));
        let added: Value = serde_json::from_str(&lines[2].detail).expect("JSON");
        assert_eq!(added["seq"], 12);
        assert_eq!(added["item"]["title"], "Báo cáo");
        assert!(added.get("kind").is_none());
        assert!(lines
            .iter()
            .all(|line| !line.detail.contains("\"no\"") && !line.detail.contains("yes")));
    }

    fn hex_bytes(text: &str) -> [u8; 32] {
        hex::decode(text).expect("hex").try_into().expect("32 bytes")
    }
}
