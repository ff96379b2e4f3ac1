//! What the payout pages read and send.

use crate::domain::calendar::Frequency;
use serde::{Deserialize, Serialize};

/// A payout day, for people: `2026-12-04` and its weekday.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PayoutDay {
    pub date: String,
    pub weekday: String,
}

/// A shop's payout schedule as its page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PayoutSchedule {
    /// The frequency in force today, and in words.
    pub frequency: Frequency,
    pub describe: String,
    /// A change waiting for the next cycle: the new frequency, in words, and its first day.
    pub pending: Option<(Frequency, String, String)>,
    /// The next five payout days from today, with the change applied from its day.
    pub next: Vec<PayoutDay>,
    /// Whose banking calendar (e.g. `EE`).
    pub country: String,
    /// The payout bank account, IBAN in groups of four, and its holder; `None` until the
    /// provider sets it.
    pub iban: Option<String>,
    pub holder: Option<String>,
    /// Whether this user may change the frequency (admins).
    pub can_change: bool,
}
