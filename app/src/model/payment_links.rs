use crate::domain::Money;
use serde::{Deserialize, Serialize};

/// A link just made: what the merchant copies or sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewLink {
    pub id: i64,
    pub url: String,
    /// The link as a QR code (SVG markup made on the server).
    pub qr_svg: String,
    /// Where "send as invoice" goes unless the merchant types another address.
    pub buyer_email: Option<String>,
    pub amount: Money,
    pub reference: String,
    pub expires: String,
    /// A test link: paid through the test bank, moving no money.
    pub test_mode: bool,
}

/// One row of the shop's list of links.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkRow {
    pub id: i64,
    pub url: String,
    pub amount: Money,
    pub reference: String,
    pub buyer_email: Option<String>,
    pub created_by: String,
    pub created: String,
    pub expires: String,
    pub reusable: bool,
    pub max_payments: Option<i64>,
    pub payments_made: i64,
    /// active, paid, expired or deactivated.
    pub status: String,
    pub message: Option<String>,
}

/// One page of the shop's links, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkPage {
    pub rows: Vec<LinkRow>,
    /// The cursor of the next (older) page, if there is one.
    pub next: Option<String>,
    /// This is not the first page.
    pub older: bool,
}

/// Links per page.
pub const LINK_PAGE_SIZE: i64 = 50;

/// Statuses the list can be filtered by.
pub const STATUSES: [(&str, &str); 5] = [
    ("", "All"),
    ("active", "Active"),
    ("paid", "Paid"),
    ("expired", "Expired"),
    ("deactivated", "Deactivated"),
];
