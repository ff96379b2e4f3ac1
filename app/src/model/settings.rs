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
}

/// The settings page: the form's values and the choices it offers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SettingsView {
    pub general: GeneralSettings,
    pub time_zones: Vec<String>,
    /// (code, name) of each payment-page language.
    pub languages: Vec<(String, String)>,
}
