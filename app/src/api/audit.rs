use crate::error::AppError;
pub use crate::model::audit::*;
use leptos::prelude::*;

#[server(endpoint = "list_audit")]
pub async fn list_audit(
    shop: String,
    user: Option<String>,
    kind: Option<String>,
    from: Option<String>,
    to: Option<String>,
) -> Result<AuditPage, AppError> {
    use crate::domain::{FieldErrors, Permission};
    use crate::server::{
        format_time, identity::access, identity::audit, parse_local_date, respond,
    };
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
