//! The speaking queue (xin phát biểu): who is waiting and who has the floor, the checks of an
//! order of the speakers and of giving the floor, and applying its events to a [`Floor`].

use std::collections::BTreeSet;

use phonghop_protocol::{Floor, MeetingEvent, Speech, UserId};

/// Shortest and longest time the chair may give a speaker, in seconds.
pub const MIN_SPEECH_SECONDS: u32 = 30;
pub const MAX_SPEECH_SECONDS: u32 = 3_600;

/// Why an order of the speakers or a grant of the floor is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FloorError {
    #[error("the order names {named} speakers; {waiting} are waiting")]
    WrongCount { named: usize, waiting: usize },
    #[error("user {0} is named twice in the order")]
    Twice(UserId),
    #[error("user {0} is not waiting to speak")]
    NotWaiting(UserId),
    #[error("a speech lasts {MIN_SPEECH_SECONDS} to {MAX_SPEECH_SECONDS} seconds, not {0}")]
    BadLength(u32),
    #[error("the floor was given without a clock")]
    NoClock,
}

/// Whether `user` is in the queue.
pub fn waiting(floor: &Floor, user: UserId) -> bool {
    floor.queue.iter().any(|request| request.user_id == user)
}

/// Whether `user` is in the queue or has the floor.
pub fn waiting_or_speaking(floor: &Floor, user: UserId) -> bool {
    waiting(floor, user) || floor.speaking.as_ref().is_some_and(|speech| speech.user_id == user)
}

/// An order of the speakers must name every one waiting exactly once.
pub fn check_order(waiting: &[UserId], order: &[UserId]) -> Result<(), FloorError> {
    if order.len() != waiting.len() {
        return Err(FloorError::WrongCount {
            named: order.len(),
            waiting: waiting.len(),
        });
    }
    let mut seen = BTreeSet::new();
    for user in order {
        if !waiting.contains(user) {
            return Err(FloorError::NotWaiting(*user));
        }
        if !seen.insert(*user) {
            return Err(FloorError::Twice(*user));
        }
    }
    Ok(())
}

/// The speech that giving `user` the floor for `seconds` at `now` starts.
pub fn grant(floor: &Floor, user: UserId, seconds: u32, now: i64) -> Result<Speech, FloorError> {
    let request = floor
        .queue
        .iter()
        .find(|request| request.user_id == user)
        .ok_or(FloorError::NotWaiting(user))?;
    if !(MIN_SPEECH_SECONDS..=MAX_SPEECH_SECONDS).contains(&seconds) {
        return Err(FloorError::BadLength(seconds));
    }
    if now <= 0 {
        return Err(FloorError::NoClock);
    }
    Ok(Speech {
        user_id: user,
        name: request.name.clone(),
        item_id: request.item_id,
        started_at: now,
        seconds,
    })
}

/// Moves `floor` on by one event of the speaking queue; other events leave it alone.
pub fn apply(floor: &mut Floor, event: &MeetingEvent) {
    match event {
        MeetingEvent::SpeechRequested { request } if !waiting_or_speaking(floor, request.user_id) => {
            floor.queue.push(request.clone());
        }
        MeetingEvent::SpeechRequestWithdrawn { user_id, .. } => {
            floor.queue.retain(|request| request.user_id != *user_id)
        }
        MeetingEvent::SpeakersOrdered { user_ids } => {
            let mut ordered = Vec::with_capacity(floor.queue.len());
            for user in user_ids {
                if let Some(index) = floor.queue.iter().position(|request| request.user_id == *user) {
                    ordered.push(floor.queue.remove(index));
                }
            }
            // Anyone the order did not name (a stale mirror) keeps their place after it.
            ordered.append(&mut floor.queue);
            floor.queue = ordered;
        }
        MeetingEvent::FloorGranted { speech } => {
            floor.queue.retain(|request| request.user_id != speech.user_id);
            floor.speaking = Some(speech.clone());
        }
        MeetingEvent::SpeechEnded { user_id }
            if floor.speaking.as_ref().is_some_and(|speech| speech.user_id == *user_id) =>
        {
            floor.speaking = None;
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phonghop_protocol::SpeechRequest;

    fn request(user: u32) -> SpeechRequest {
        SpeechRequest {
            user_id: UserId(user),
            name: format!("Đại biểu {user}"),
            item_id: None,
            requested_at: 100 + i64::from(user),
        }
    }

    #[test]
    fn an_order_names_every_waiting_speaker_once() {
        let waiting = [UserId(3), UserId(5), UserId(4)];
        assert_eq!(check_order(&waiting, &[UserId(4), UserId(3), UserId(5)]), Ok(()));
        assert_eq!(
            check_order(&waiting, &[UserId(4), UserId(3)]),
            Err(FloorError::WrongCount { named: 2, waiting: 3 })
        );
        assert_eq!(
            check_order(&waiting, &[UserId(4), UserId(4), UserId(3)]),
            Err(FloorError::Twice(UserId(4)))
        );
        assert_eq!(
            check_order(&waiting, &[UserId(4), UserId(9), UserId(3)]),
            Err(FloorError::NotWaiting(UserId(9)))
        );
    }

    #[test]
    fn the_floor_goes_to_someone_waiting_for_a_sensible_time_and_ends_the_speech_before() {
        let mut floor = Floor::default();
        for user in [3, 4, 5] {
            apply(&mut floor, &MeetingEvent::SpeechRequested { request: request(user) });
        }
        // Asking twice keeps one place.
        apply(&mut floor, &MeetingEvent::SpeechRequested { request: request(4) });
        assert_eq!(floor.queue.len(), 3);
        assert_eq!(
            grant(&floor, UserId(9), 180, 1_000),
            Err(FloorError::NotWaiting(UserId(9)))
        );
        assert_eq!(grant(&floor, UserId(4), 10, 1_000), Err(FloorError::BadLength(10)));
        assert_eq!(grant(&floor, UserId(4), 180, 0), Err(FloorError::NoClock));
        let speech = grant(&floor, UserId(4), 180, 1_000).unwrap();
        assert_eq!(
            (speech.name.as_str(), speech.started_at, speech.seconds),
            ("Đại biểu 4", 1_000, 180)
        );
        apply(&mut floor, &MeetingEvent::FloorGranted { speech });
        assert_eq!(floor.queue.iter().map(|r| r.user_id.0).collect::<Vec<_>>(), [3, 5]);
        assert!(waiting_or_speaking(&floor, UserId(4)) && !waiting(&floor, UserId(4)));

        apply(
            &mut floor,
            &MeetingEvent::SpeakersOrdered {
                user_ids: vec![UserId(5), UserId(3)],
            },
        );
        assert_eq!(floor.queue.iter().map(|r| r.user_id.0).collect::<Vec<_>>(), [5, 3]);
        let next = grant(&floor, UserId(5), 120, 1_200).unwrap();
        apply(&mut floor, &MeetingEvent::FloorGranted { speech: next });
        assert_eq!(floor.speaking.as_ref().map(|speech| speech.user_id), Some(UserId(5)));
        // Ending a speech that is no longer in progress changes nothing.
        apply(&mut floor, &MeetingEvent::SpeechEnded { user_id: UserId(4) });
        assert!(floor.speaking.is_some());
        apply(&mut floor, &MeetingEvent::SpeechEnded { user_id: UserId(5) });
        assert_eq!(floor.speaking, None);
        apply(
            &mut floor,
            &MeetingEvent::SpeechRequestWithdrawn {
                user_id: UserId(3),
                by: UserId(3),
            },
        );
        assert!(floor.queue.is_empty());
    }
}
