//! Applying log events to a mirrored [`MeetingState`]: how a client follows the server.

use phonghop_protocol::{MeetingEvent, MeetingState, PollId, PollState, Tally};

use crate::agenda;

/// Applies one event. Events that name something the mirror does not have are ignored, because
/// the server only logs events that were valid against its own state; a mismatch means the
/// mirror is stale and the next snapshot will replace it.
pub fn apply(state: &mut MeetingState, event: &MeetingEvent) {
    match event {
        MeetingEvent::AgendaItemAdded { item } => agenda::insert(&mut state.items, item.clone()),
        MeetingEvent::AgendaItemEdited {
            item_id,
            title,
            description,
        } => {
            if let Some(item) = state.items.iter_mut().find(|item| item.id == *item_id) {
                item.title.clone_from(title);
                item.description.clone_from(description);
            }
        }
        MeetingEvent::AgendaReordered { item_ids } => agenda::apply_order(&mut state.items, item_ids),
        MeetingEvent::AgendaItemMoved {
            item_id,
            parent,
            item_ids,
        } => agenda::apply_move(&mut state.items, *item_id, *parent, item_ids),
        MeetingEvent::AgendaItemRemoved { item_id } => agenda::remove(&mut state.items, *item_id),
        MeetingEvent::AgendaPublished => state.agenda_published = true,
        MeetingEvent::DocumentAdded { document } => {
            if let Some(item) = state.items.iter_mut().find(|item| item.id == document.item_id) {
                item.documents.push((**document).clone());
            }
        }
        MeetingEvent::DocumentRevised { document } => {
            let documents = state.items.iter_mut().flat_map(|item| item.documents.iter_mut());
            if let Some(known) = documents.into_iter().find(|known| known.id == document.id) {
                known.clone_from(document);
            }
        }
        MeetingEvent::PollOpened { poll } => state.polls.push((**poll).clone()),
        MeetingEvent::PollClosed {
            poll_id,
            tally,
            outcome,
            line_outcomes,
        } => {
            if let Some(poll) = state.polls.iter_mut().find(|poll| poll.id == *poll_id) {
                poll.state = PollState::Closed;
                poll.tally = tally.clone();
                poll.outcome = Some(*outcome);
                poll.line_outcomes = line_outcomes.clone();
            }
        }
        MeetingEvent::PollCancelled { poll_id, reason } => {
            if let Some(poll) = state.polls.iter_mut().find(|poll| poll.id == *poll_id) {
                poll.state = PollState::Cancelled;
                poll.cancel_reason = Some(reason.clone());
            }
        }
        MeetingEvent::RulePresetSet { preset } => crate::presets::apply_set(&mut state.presets, preset),
        MeetingEvent::RulePresetRemoved { preset_id } => crate::presets::apply_removed(&mut state.presets, preset_id),
        MeetingEvent::AttendanceSet { attendance, .. } => {
            crate::attendance::apply_set(&mut state.attendance, attendance)
        }
        MeetingEvent::MeetingQuorumSet { quorum } => state.quorum = *quorum,
        MeetingEvent::CurrentItemSet { item_id } => state.current_item = *item_id,
        MeetingEvent::PresenterSet { user_id } => state.presenter = *user_id,
        MeetingEvent::PagePresented { presentation } => state.presenting = Some(presentation.clone()),
        MeetingEvent::PresentingStopped => state.presenting = None,
        MeetingEvent::SpeechRequested { .. }
        | MeetingEvent::SpeechRequestWithdrawn { .. }
        | MeetingEvent::SpeakersOrdered { .. }
        | MeetingEvent::FloorGranted { .. }
        | MeetingEvent::SpeechEnded { .. } => crate::floor::apply(&mut state.floor, event),
    }
}

/// Applies a live tally of an open poll (tallies are not part of the log).
pub fn apply_tally(state: &mut MeetingState, poll_id: PollId, tally: Tally) {
    if let Some(poll) = state.polls.iter_mut().find(|poll| poll.id == poll_id) {
        if poll.state == PollState::Open {
            poll.tally = tally;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phonghop_protocol::{AgendaItem, ItemId, Meeting, MeetingId};

    fn item(id: u32, position: u32) -> AgendaItem {
        AgendaItem {
            id: ItemId(id),
            position,
            parent: None,
            title: format!("Mục {id}"),
            description: String::new(),
            documents: vec![],
        }
    }

    #[test]
    fn reorder_moves_items_into_the_new_order() {
        let mut state = MeetingState {
            meeting: Meeting {
                id: MeetingId(1),
                title: "Kỳ họp".into(),
                location: String::new(),
                starts_at: String::new(),
                kind: Default::default(),
            },
            items: vec![item(10, 0), item(11, 1), item(12, 2)],
            polls: vec![],
            presets: vec![],
            quorum: None,
            attendance: vec![],
            current_item: None,
            floor: phonghop_protocol::Floor::default(),
            presenter: None,
            presenting: None,
            agenda_published: false,
        };
        apply(
            &mut state,
            &MeetingEvent::AgendaReordered {
                item_ids: vec![ItemId(12), ItemId(10), ItemId(11)],
            },
        );
        let order: Vec<u32> = state.items.iter().map(|item| item.id.0).collect();
        assert_eq!(order, vec![12, 10, 11]);
        apply(&mut state, &MeetingEvent::AgendaItemAdded { item: item(13, 3) });
        assert_eq!(state.items.last().unwrap().id, ItemId(13));
    }
}
