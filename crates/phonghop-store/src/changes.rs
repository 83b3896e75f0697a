//! [`Change`]: what one server instance tells the others sharing its database, as it commits.
//!
//! On PostgreSQL it travels as a `NOTIFY` on the channel [`CHANNEL`], sent inside the transaction
//! that made the change (so it goes out only if the change is committed, and after it). It never
//! carries the change itself, only where to read it: the meeting, its last `seq` and its version
//! (ballots move the version, not the log); a revoked laptop's id; a meeting whose hall-screen
//! codes were revoked. Each instance reads the events from the `events` table.

use phonghop_protocol::MeetingId;

/// The PostgreSQL channel the instances notify and listen on.
pub const CHANNEL: &str = "phonghop_changes";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A meeting's log or ballots changed: its last `seq` and its version now.
    Meeting { meeting: MeetingId, seq: u32, version: u64 },
    /// A laptop was revoked: its sessions end everywhere.
    DeviceRevoked(String),
    /// A meeting's hall-screen codes were revoked.
    HallLinksRevoked(MeetingId),
    /// The instance was not listening for a while (its connection to the database was lost and
    /// made again): anything may have changed meanwhile, so it reads everything it holds afresh.
    Missed,
}

impl Change {
    /// The notification's text: `meeting <id> <seq> <version>`, `device <id>` or `hall <meeting>`.
    /// [`Change::Missed`] is never sent.
    pub fn payload(&self) -> Option<String> {
        match self {
            Change::Meeting { meeting, seq, version } => Some(format!("meeting {meeting} {seq} {version}")),
            Change::DeviceRevoked(device) => Some(format!("device {device}")),
            Change::HallLinksRevoked(meeting) => Some(format!("hall {meeting}")),
            Change::Missed => None,
        }
    }

    /// Reads a notification's text; `None` for one this version does not know (a newer instance
    /// beside an older one), which the listener skips.
    pub fn parse(payload: &str) -> Option<Change> {
        let mut words = payload.split(' ');
        let change = match words.next()? {
            "meeting" => Change::Meeting {
                meeting: MeetingId(words.next()?.parse().ok()?),
                seq: words.next()?.parse().ok()?,
                version: words.next()?.parse().ok()?,
            },
            "device" => Change::DeviceRevoked(words.next().filter(|id| !id.is_empty())?.to_owned()),
            "hall" => Change::HallLinksRevoked(MeetingId(words.next()?.parse().ok()?)),
            _ => return None,
        };
        words.next().is_none().then_some(change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_change_that_is_sent_reads_back_as_itself() {
        let changes = [
            Change::Meeting {
                meeting: MeetingId(7),
                seq: 4_000_000_000,
                version: u64::MAX,
            },
            Change::DeviceRevoked("laptop-3f2a".to_owned()),
            Change::HallLinksRevoked(MeetingId(12)),
        ];
        for change in changes {
            let payload = change.payload().expect("a change that is sent");
            assert_eq!(Change::parse(&payload), Some(change), "{payload}");
        }
        assert_eq!(Change::Missed.payload(), None);
    }

    #[test]
    fn notifications_this_version_does_not_know_are_skipped() {
        for payload in [
            "",
            "meeting",
            "meeting 1 2",
            "meeting 1 2 3 4",
            "meeting x 2 3",
            "meeting -1 2 3",
            "device ",
            "hall 1 2",
            "poll 3",
        ] {
            assert_eq!(Change::parse(payload), None, "{payload:?}");
        }
    }
}
