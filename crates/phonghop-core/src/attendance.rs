//! Attendance and the meeting's quorum: who is present (checked in with a button, or marked by
//! the secretariat), how many voting members that makes against the quorum, and the fewest that
//! reach it — in exact integers, as a poll's quorum is decided.

use phonghop_protocol::http::QuorumState;
use phonghop_protocol::{Attendance, Fraction, MeetingKind};

use crate::model::MeetingModel;
use crate::roles;

/// The quorum a meeting of `kind` starts with: its default preset's (2/3 of the members for a
/// council sitting or a committee meeting; none for a conference). The secretariat may change it
/// per meeting.
pub fn default_quorum(kind: MeetingKind) -> Option<Fraction> {
    crate::presets::defaults(kind)
        .first()
        .and_then(|preset| preset.rule.quorum)
}

/// The fewest of `members` that make at least `quorum` of them: ⌈members · n / d⌉.
pub fn needed(quorum: Fraction, members: u32) -> u32 {
    let product = u64::from(members) * u64::from(quorum.numerator);
    product.div_ceil(u64::from(quorum.denominator.max(1))) as u32
}

/// The voting members present now against the meeting's quorum.
pub fn quorum_state(model: &MeetingModel) -> QuorumState {
    let voting = model.members.iter().filter(|(_, role)| roles::votes(**role));
    let (mut voting_members, mut present) = (0, 0);
    for (user, _) in voting {
        voting_members += 1;
        if model.present.contains(user) {
            present += 1;
        }
    }
    count(model.view.quorum, voting_members, present)
}

/// `present` of `voting_members` against `quorum`.
pub fn count(quorum: Option<Fraction>, voting_members: u32, present: u32) -> QuorumState {
    let needed = quorum.map_or(0, |quorum| needed(quorum, voting_members));
    QuorumState {
        voting_members,
        present,
        quorum,
        needed,
        reached: present >= needed,
    }
}

/// Applies a member's attendance to the meeting's list, kept in user-id order.
pub fn apply_set(list: &mut Vec<Attendance>, attendance: &Attendance) {
    match list.binary_search_by_key(&attendance.user_id, |known| known.user_id) {
        Ok(index) => list[index] = attendance.clone(),
        Err(index) => list.insert(index, attendance.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phonghop_protocol::{AttendanceStatus, UserId};

    #[test]
    fn two_thirds_of_35_needs_24_and_of_34_needs_23() {
        let two_thirds = Fraction::new(2, 3);
        assert_eq!(needed(two_thirds, 35), 24);
        assert_eq!(needed(two_thirds, 34), 23);
        assert_eq!(needed(two_thirds, 3), 2);
        assert_eq!(needed(Fraction::new(1, 2), 7), 4);
        assert_eq!(needed(Fraction::new(1, 2), 0), 0);
    }

    #[test]
    fn a_council_sitting_and_a_committee_need_two_thirds_and_a_conference_nothing() {
        assert_eq!(default_quorum(MeetingKind::CouncilSitting), Some(Fraction::new(2, 3)));
        assert_eq!(default_quorum(MeetingKind::CommitteeMeeting), Some(Fraction::new(2, 3)));
        assert_eq!(default_quorum(MeetingKind::Conference), None);
    }

    #[test]
    fn the_list_keeps_one_entry_per_member_in_id_order() {
        let entry = |user, status| Attendance {
            user_id: UserId(user),
            status,
            reason: String::new(),
        };
        let mut list = vec![];
        apply_set(&mut list, &entry(5, AttendanceStatus::Present));
        apply_set(&mut list, &entry(2, AttendanceStatus::Excused));
        apply_set(&mut list, &entry(5, AttendanceStatus::Absent));
        assert_eq!(
            list,
            [entry(2, AttendanceStatus::Excused), entry(5, AttendanceStatus::Absent)]
        );
    }
}
