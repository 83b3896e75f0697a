//! What each role of a meeting may do. The decider refuses by these rules, and the app shows
//! its buttons by them: neither re-derives them.

use phonghop_protocol::Role;
use serde::Serialize;
use ts_rs::TS;

/// What a person may do in one meeting, by their role there (and their account's admin flag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, TS)]
#[ts(export, export_to = "../app-views/")]
pub struct Capabilities {
    /// Casts ballots and counts among the members of the body (chair and delegates).
    pub vote: bool,
    /// Adds, edits and reorders agenda items (chair and secretariat).
    pub edit_agenda: bool,
    /// Uploads documents to agenda items (chair and secretariat).
    pub upload_documents: bool,
    /// Opens and closes polls (chair and secretariat).
    pub manage_polls: bool,
    /// Adds members and changes their roles, and sets the meeting's rule presets and quorum
    /// (the secretariat, and council-office accounts).
    pub manage_members: bool,
    /// Marks members present, absent with leave or absent (chair, secretariat, council office).
    pub mark_attendance: bool,
    /// Opens a poll though the meeting's quorum is not present, giving a reason (the chair).
    pub override_quorum: bool,
    /// Runs the sitting: sets the item under discussion and the speaking queue — orders it,
    /// gives and ends the floor, takes anyone's request out (chair and secretariat).
    pub run_meeting: bool,
}

/// Whether a role votes: only the members of the body (chair and delegates) do; the secretariat
/// runs the meeting but is not a member of the council.
pub fn votes(role: Role) -> bool {
    matches!(role, Role::Chair | Role::Delegate)
}

/// What `role` may do; `is_admin` is the account's council-office flag.
pub fn capabilities(role: Role, is_admin: bool) -> Capabilities {
    let runs_meeting = matches!(role, Role::Chair | Role::Secretariat);
    Capabilities {
        vote: votes(role),
        edit_agenda: runs_meeting,
        upload_documents: runs_meeting,
        manage_polls: runs_meeting,
        manage_members: is_admin || role == Role::Secretariat,
        mark_attendance: runs_meeting || is_admin,
        override_quorum: role == Role::Chair,
        run_meeting: runs_meeting,
    }
}

/// Whether an account may create meetings: the council office (admin accounts) and the accounts
/// given that permission (a secretariat's, from the councillors file) — being a meeting's
/// secretariat alone does not give it.
pub fn may_create_meetings(is_admin: bool, permitted: bool) -> bool {
    is_admin || permitted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_may_do_what_the_law_and_the_office_expect() {
        // role, admin → vote, edit agenda, upload, manage polls, manage members
        let table = [
            (Role::Chair, false, [true, true, true, true, false, true, true]),
            (Role::Secretariat, false, [false, true, true, true, true, true, false]),
            (Role::Delegate, false, [true, false, false, false, false, false, false]),
            (Role::Delegate, true, [true, false, false, false, true, true, false]),
            (Role::Chair, true, [true, true, true, true, true, true, true]),
        ];
        for (role, admin, expected) in table {
            let may = capabilities(role, admin);
            let got = [
                may.vote,
                may.edit_agenda,
                may.upload_documents,
                may.manage_polls,
                may.manage_members,
                may.mark_attendance,
                may.override_quorum,
            ];
            assert_eq!(got, expected, "{role:?}, admin {admin}");
        }
        assert!(may_create_meetings(true, false) && may_create_meetings(false, true));
        assert!(!may_create_meetings(false, false));
    }
}
