//! When the agenda first reaches the screen after the app started: the UI says so once, and the
//! app prints it on standard output (`PHONGHOP_AGENDA_VISIBLE <ms>`), so a benchmark or a test
//! learns it from the app itself instead of polling the screen.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The line's first word.
pub const AGENDA_VISIBLE: &str = "PHONGHOP_AGENDA_VISIBLE";

pub struct StartupClock {
    started: Instant,
    agenda_reported: AtomicBool,
}

impl StartupClock {
    /// Starts counting; call it first thing in `main`.
    pub fn start() -> StartupClock {
        StartupClock {
            started: Instant::now(),
            agenda_reported: AtomicBool::new(false),
        }
    }

    /// The time from start to the agenda's first showing: only the first time it is asked
    /// (the agenda shows again after every document closed or meeting reopened).
    pub fn agenda_shown(&self) -> Option<Duration> {
        let first = !self.agenda_reported.swap(true, Ordering::Relaxed);
        first.then(|| self.started.elapsed())
    }
}

/// The line the app prints.
pub fn agenda_visible_line(since_start: Duration) -> String {
    format!("{AGENDA_VISIBLE} {:.1}", since_start.as_secs_f64() * 1000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_agenda_is_reported_once() {
        let clock = StartupClock::start();
        assert!(clock.agenda_shown().is_some());
        assert_eq!(clock.agenda_shown(), None);
    }

    #[test]
    fn the_line_carries_milliseconds() {
        assert_eq!(
            agenda_visible_line(Duration::from_micros(734_560)),
            "PHONGHOP_AGENDA_VISIBLE 734.6"
        );
    }
}
