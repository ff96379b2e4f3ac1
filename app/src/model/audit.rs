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

/// The kinds of event a shop's audit log holds, with their labels, for its filter. Events of
/// an account itself (sign-ins, passwords, its own second factor) are in no merchant's log.
pub const KINDS: &[(&str, &str)] = &[
    ("invite", "User invited"),
    ("invite_accepted", "Invite accepted"),
    ("invite_declined", "Invite declined"),
    ("role_changed", "Role changed"),
    ("deactivated", "User deactivated"),
    ("reactivated", "User reactivated"),
    ("two_factor_reset", "Two-factor sign-in reset by an admin"),
    ("two_factor_required", "Two-factor requirement changed"),
    ("refund", "Refund made"),
    ("refund_sent", "Refund sent to the buyer's account"),
    ("refund_failed", "Refund failed: no account from the buyer"),
    ("payment_link_created", "Payment link created"),
    ("payment_link_sent", "Payment link sent as an invoice"),
    ("payment_link_deactivated", "Payment link deactivated"),
    ("link_limit", "Payment link limit changed"),
    ("method_minimum", "Payment method minimum changed"),
    ("payout_frequency", "Payout frequency changed"),
    ("payout_account", "Payout bank account set by the provider"),
    ("provider_request", "Request to the provider"),
    ("shop_settings", "Shop setting changed"),
    ("payment_method", "Payment method switched"),
    ("api_key", "API secret key made"),
    ("notification_test", "Test notification sent"),
];

pub fn kind_label(kind: &str) -> &str {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, l)| *l)
        .unwrap_or(kind)
}

pub const AUDIT_PAGE_LIMIT: i64 = 500;
