use crate::domain::Money;
use serde::{Deserialize, Serialize};

/// One row of the transactions table, its time already in the shop's time zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TxRow {
    pub id: i64,
    pub time: String,
    pub reference: String,
    pub buyer_name: Option<String>,
    pub buyer_email: Option<String>,
    pub channel: String,
    pub amount: Money,
    /// Fees and their VAT.
    pub fees: Money,
    /// What the payment added to the balance; `None` until it is paid.
    pub net: Option<Money>,
    pub status: String,
    pub payout_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TxPage {
    pub rows: Vec<TxRow>,
    pub time_zone: String,
    /// The reference of the payment link the list is limited to.
    pub link_reference: Option<String>,
    /// Cursors for the neighbouring pages, when there are any.
    pub prev: Option<String>,
    pub next: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxTotals {
    pub count: i64,
    pub gross: Money,
    pub fees: Money,
    pub net: Money,
}

/// A filter the user saved under a name, as a query string of the transactions page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    pub query: String,
}

pub const MAX_VIEW_NAME_CHARS: usize = 60;

pub const MAX_SAVED_VIEWS: i64 = 50;

/// One moment in a payment's life.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub time: String,
    pub label: String,
    pub detail: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MovementRow {
    pub time: String,
    pub kind: String,
    pub amount: Money,
    pub balance_after: Money,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RefundRow {
    pub id: i64,
    pub time: String,
    pub amount: Money,
    pub status: String,
    pub comment: Option<String>,
    pub by: Option<String>,
}

/// Everything the detail page shows about one payment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TxDetail {
    pub id: i64,
    pub reference: String,
    pub description: Option<String>,
    pub status: String,
    pub channel: String,
    pub test_mode: bool,
    pub amount: Money,
    pub fees: Money,
    pub vat: Money,
    pub net: Option<Money>,
    pub refunded: Money,
    /// Refunds waiting for the buyer's account.
    pub reserved: Money,
    pub refundable: Money,
    pub buyer_name: Option<String>,
    pub buyer_email: Option<String>,
    pub buyer_ip: Option<String>,
    pub buyer_country: Option<String>,
    pub payout_id: Option<i64>,
    /// Where the payment came from, when the portal knows (a payment link).
    pub origin: Option<String>,
    /// The payment link it came through, to list that link's payments.
    pub link_id: Option<i64>,
    /// Other paid payments of the same single-use link: the buyer may have paid twice.
    pub also_paid: Vec<i64>,
    pub time_zone: String,
    pub timeline: Vec<TimelineEvent>,
    pub movements: Vec<MovementRow>,
    /// Fees the engine lowered because the payment was too small for them, in words.
    pub fee_caps: Vec<String>,
    pub refunds: Vec<RefundRow>,
    pub signals: Vec<crate::domain::fraud::Signal>,
}
