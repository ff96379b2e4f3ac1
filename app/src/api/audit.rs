use crate::error::AppError;
use leptos::prelude::*;
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

#[server(endpoint = "list_audit")]
pub async fn list_audit(
    shop: String,
    user: Option<String>,
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> Result<AuditPage, AppError> {
    use crate::domain::{FieldErrors, Permission};
    use crate::server::{access, audit, format_time, parse_local_date, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ViewAudit).await?;
            let nonempty =
                |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            let mut errors = FieldErrors::default();
            let kind = nonempty(kind);
            if let Some(k) = &kind {
                if !KINDS.iter().any(|(x, _)| x == k) {
                    errors.add("kind", "Choose a kind from the list.");
                }
            }
            let from_ms = nonempty(from)
                .and_then(|d| errors.check("from", parse_local_date(&d, &a.time_zone, 0)));
            let to_ms = nonempty(to)
                .and_then(|d| errors.check("to", parse_local_date(&d, &a.time_zone, 1)));
            if let (Some(f), Some(t)) = (from_ms, to_ms) {
                if f >= t {
                    errors.add("to", "The end date must not be before the start date.");
                }
            }
            if !errors.is_empty() {
                return Err(AppError::Validation(errors));
            }
            let rows = audit::list(
                &state.db.pool,
                &audit::AuditQuery {
                    shop_id: a.shop_id,
                    user_email: nonempty(user).map(|u| u.to_lowercase()),
                    kind,
                    from_ms,
                    to_ms,
                    limit: AUDIT_PAGE_LIMIT,
                },
            )
            .await?;
            let times = rows
                .iter()
                .map(|r| format_time(r.at_ms, &a.time_zone))
                .collect();
            Ok(AuditPage {
                rows,
                times,
                time_zone: a.time_zone,
                limit: AUDIT_PAGE_LIMIT,
            })
        }
        .await,
    )
}
