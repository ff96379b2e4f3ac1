use serde::{Deserialize, Serialize};

/// One row of the audit page, its time already in the shop's time zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at_ms: i64,
    pub kind: String,
    pub actor: Option<String>,
    pub ip: Option<String>,
    pub target: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub detail: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub rows: Vec<AuditRow>,
    pub times: Vec<String>,
    pub time_zone: String,
    pub limit: i64,
}

/// The kinds of event the filter offers, with their labels.
pub const KINDS: &[(&str, &str)] = &[
    ("sign_in", "Signed in"),
    ("sign_in_failed", "Sign-in failed"),
    ("password_changed", "Password changed"),
    ("password_reset_requested", "Password reset requested"),
    ("password_reset", "Password reset"),
    ("invite", "User invited"),
    ("invite_accepted", "Invite accepted"),
    ("role_changed", "Role changed"),
    ("deactivated", "User deactivated"),
    ("reactivated", "User reactivated"),
    ("profile_changed", "Name changed"),
    ("two_factor_enabled", "Two-factor sign-in turned on"),
    ("two_factor_disabled", "Two-factor sign-in turned off"),
    ("two_factor_reset", "Two-factor sign-in reset by an admin"),
    ("two_factor_required", "Two-factor requirement changed"),
    ("refund", "Refund made"),
    ("refund_sent", "Refund sent to the buyer's account"),
    ("refund_failed", "Refund failed: no account from the buyer"),
    ("payment_link_created", "Payment link created"),
    ("payment_link_sent", "Payment link sent as an invoice"),
    ("payment_link_deactivated", "Payment link deactivated"),
];

pub fn kind_label(kind: &str) -> &str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, l)| *l)
        .unwrap_or(kind)
}

pub const AUDIT_PAGE_LIMIT: i64 = 500;
