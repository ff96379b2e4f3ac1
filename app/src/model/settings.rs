//! What the settings page reads and sends.

use serde::{Deserialize, Serialize};

/// The shop's general settings as the form shows them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GeneralSettings {
    /// The public name, on the payment page and in receipts.
    pub name: String,
    /// IANA time zone: dates and times on every page, statement days, payout days.
    pub time_zone: String,
    pub phone: String,
    /// Addresses mailed about payments and refunds, separated by ", ".
    pub notification_emails: String,
    pub invoice_email: String,
    /// The payment page's default language (`et`, `lv`, `lt`, `en`, `ru`).
    pub language: String,
    /// Where the provider posts about each payment to the shop's own server; empty: none.
    pub notification_url: String,
}

/// The settings page: the form's values and the choices it offers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingsView {
    pub general: GeneralSettings,
    pub time_zones: Vec<String>,
    /// (code, name) of each payment-page language.
    pub languages: Vec<(String, String)>,
    /// The last test notification in words, if one was sent.
    pub last_notification_test: Option<String>,
}

/// What happened when the portal sent a test notification to the shop's saved URL.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotificationTest {
    pub url: String,
    /// The HTTP status the shop's server answered with; `None` when it did not answer or the
    /// call was refused.
    pub status: Option<u16>,
    /// In words: "201 Created", "No answer within 5 seconds", "Refused: …".
    pub outcome: String,
    /// The answer's first kilobyte, as text.
    pub body_start: String,
    /// Whether the answer was longer than what `body_start` shows.
    pub truncated: bool,
    pub elapsed_ms: u64,
}
