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
    /// What the contract says, changed only through a request to the provider.
    pub contract: Contract,
    /// The last test notification in words, if one was sent.
    pub last_notification_test: Option<String>,
}

/// The shop's domain and the merchant's legal entity, as the provider has them on record.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Contract {
    pub domain: Option<String>,
    pub legal_name: String,
    pub registry_code: Option<String>,
    pub vat_number: Option<String>,
}

/// A payment method's state for the shop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MethodState {
    /// Activated by the provider and offered on the payment page.
    Active,
    /// Activated, but the admin has switched it off: not offered until switched on.
    Off,
    /// Asked of the provider, waiting for its activation.
    Requested,
    /// Not activated for the shop.
    Inactive,
}

impl MethodState {
    pub fn label(self) -> &'static str {
        match self {
            MethodState::Active => "Active",
            MethodState::Off => "Switched off",
            MethodState::Requested => "Requested",
            MethodState::Inactive => "Not active",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            MethodState::Active => "active",
            MethodState::Off => "off",
            MethodState::Requested => "requested",
            MethodState::Inactive => "inactive",
        }
    }
}

/// One payment method as Settings → Payment methods shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MethodView {
    /// `swedbank:LV`, `visa`.
    pub code: String,
    /// "Swedbank".
    pub name: String,
    pub state: MethodState,
    /// When activated or asked for, in the shop's time zone (`YYYY-MM-DD`).
    pub since: Option<String>,
    /// How long activation usually takes ("up to 4 business days").
    pub usual_activation: String,
    /// The waiting request's id, when requested.
    pub request_id: Option<i64>,
}

/// Bank links of one country, or cards.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MethodGroup {
    /// "Bank links — Estonia", "Cards".
    pub title: String,
    pub methods: Vec<MethodView>,
}

/// A shop's API credentials for one mode, as the page shows them: never a secret, only its
/// last characters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiKeysView {
    /// `test` or `live`.
    pub mode: String,
    pub publishable: Option<String>,
    /// The current secret and any replaced one still in its grace period.
    pub secrets: Vec<SecretView>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecretView {
    /// `sk_test_…a1B2`.
    pub hint: String,
    pub created_at: String,
    /// Set on a replaced secret: valid until then (shop's time zone).
    pub valid_until: Option<String>,
    pub last_used: Option<String>,
}

/// Settings → API keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApiSettings {
    /// The Shop ID: the user name of the API's Basic authentication.
    pub shop_id: String,
    pub modes: Vec<ApiKeysView>,
}

/// A secret just made: shown this once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewSecret {
    pub mode: String,
    pub secret: String,
    /// When the replaced secret stops working, if one was replaced.
    pub old_valid_until: Option<String>,
    pub keys: ApiSettings,
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
