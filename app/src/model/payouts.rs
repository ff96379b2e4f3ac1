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

/// A payout in the list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PayoutRow {
    pub id: i64,
    pub date: String,
    pub amount: crate::domain::Money,
    /// `scheduled` (made, not yet in a transfer file) or `sent`.
    pub status: String,
    pub payments: i64,
}

/// The shop's payouts, newest first, their total, and the next payout's estimate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PayoutList {
    pub rows: Vec<PayoutRow>,
    pub total: crate::domain::Money,
    /// The next payout day and what would be paid if it were today (payable money now).
    pub next: Option<(PayoutDay, crate::domain::Money)>,
}

/// One line of a payout's explanation; the lines add up to the payout.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BreakdownLine {
    pub label: String,
    /// Positive: adds to the payout; negative: takes from it.
    pub amount: crate::domain::Money,
    /// Movement types behind it, for the statement link (empty for held or reserved money).
    pub kinds: Vec<String>,
    pub entries: i64,
}

/// A payout's page: what it is and why it is this much.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PayoutDetail {
    pub row: PayoutRow,
    pub iban: String,
    pub holder: String,
    pub lines: Vec<BreakdownLine>,
    /// The statement period the movements behind it fall in (`YYYY-MM-DD`).
    pub from: String,
    pub to: String,
    /// The income payments it covers (at most 200 shown), with their references.
    pub payments: Vec<(i64, String, crate::domain::Money)>,
}
