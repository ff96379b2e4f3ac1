use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// The current time, injected so that tests move the clock instead of sleeping.
#[derive(Clone)]
pub enum Clock {
    System,
    /// A clock that stands still until moved; milliseconds since the Unix epoch.
    Manual(Arc<AtomicI64>),
}

impl Clock {
    pub fn now_ms(&self) -> i64 {
        match self {
            Clock::System => jiff::Timestamp::now().as_millisecond(),
            Clock::Manual(ms) => ms.load(Ordering::SeqCst),
        }
    }

    pub fn manual_at(ms: i64) -> Clock {
        Clock::Manual(Arc::new(AtomicI64::new(ms)))
    }

    /// Moves a manual clock forward; the system clock cannot be moved.
    pub fn advance_ms(&self, by: i64) {
        if let Clock::Manual(ms) = self {
            ms.fetch_add(by, Ordering::SeqCst);
        }
    }
}

pub const MINUTE_MS: i64 = 60_000;
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
pub const DAY_MS: i64 = 24 * HOUR_MS;
