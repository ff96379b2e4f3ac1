//! What the billing page reads and sends.

use crate::domain::Money;
use serde::{Deserialize, Serialize};

/// The price list in force, written out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceListView {
    /// "Standard price list", "Negotiated price list" or "Special offer".
    pub kind: String,
    pub name: String,
    /// A special offer's last day (`YYYY-MM-DD`, the shop's time zone) and what applies
    /// after it.
    pub until: Option<String>,
    pub after: Option<String>,
    /// Each transaction-fee rule in words.
    pub rules: Vec<String>,
    /// Each monthly fee in words.
    pub monthly: Vec<String>,
}

/// A line of an invoice or of the month's estimate, with the statement movements it sums.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeeLineView {
    pub label: String,
    pub code: String,
    pub quantity: i64,
    pub net: Money,
    pub vat: Money,
    /// The statement filtered to the movements behind the line.
    pub movements: String,
}

/// An invoice or credit note in the list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvoiceRow {
    pub id: i64,
    pub number: String,
    /// "Invoice" or "Credit note".
    pub kind: String,
    /// `YYYY-MM` and "October 2026".
    pub month: String,
    pub period: String,
    pub issued_on: String,
    pub net: Money,
    pub vat: Money,
    pub total: Money,
    /// "Issued" or "Sent 2 Dec 2026 to accounts@…"; a credit note names what it corrects.
    pub status: String,
    pub sent: bool,
    pub download: String,
    pub lines: Vec<FeeLineView>,
}

/// This month's fees so far, and the monthly fees its last day will add.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub period: String,
    pub lines: Vec<FeeLineView>,
    /// Monthly fees expected on the month's last day (not yet deducted), in words.
    pub expected: Vec<(String, Money, Money)>,
    pub net: Money,
    pub vat: Money,
    pub total: Money,
}

/// The billing page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BillingView {
    pub price_list: PriceListView,
    pub invoices: Vec<InvoiceRow>,
    pub estimate: Estimate,
    /// Where invoices are e-mailed (Settings → General), if anywhere.
    pub invoice_email: Option<String>,
    /// Whether this user may send an invoice again (admins).
    pub can_send: bool,
}
