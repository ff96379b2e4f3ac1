//! A shop's requests to the provider (contract changes the portal does not edit itself).

use serde::{Deserialize, Serialize};

/// One request as the shop's admins see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProviderRequest {
    pub id: i64,
    /// `payout_account`.
    pub kind: String,
    /// What is asked for, in words: "New payout account EE12 3456 …, Mari Maasikas".
    pub what: String,
    /// The admin's own words to the provider (may be empty).
    pub note: String,
    /// `open`, `done`, `declined` or `withdrawn`.
    pub state: String,
    /// Who asked: name and e-mail.
    pub requested_by: String,
    /// When asked and answered, in the shop's time zone (`YYYY-MM-DD HH:MM`).
    pub requested_at: String,
    pub decided_at: Option<String>,
    /// The provider's answer (why declined, or a remark).
    pub answer: Option<String>,
}

impl ProviderRequest {
    /// The state for people.
    pub fn state_label(&self) -> &'static str {
        match self.state.as_str() {
            "open" => "Waiting for the provider",
            "done" => "Done",
            "declined" => "Declined",
            _ => "Withdrawn",
        }
    }
}
