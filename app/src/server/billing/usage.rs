//! What a shop used in a month that a monthly fee charges for: the provider's shop modules
//! and their logistics functions. The operator records it; the shop API will later.

use crate::error::{AppError, AppResult};
use crate::server::identity::audit::{self, AuditEvent};
use crate::server::AppState;

/// Checks a month written as `YYYY-MM`.
pub fn parse_month(month: &str) -> AppResult<String> {
    let m = month.trim();
    let ok = m.len() == 7
        && m.as_bytes()[4] == b'-'
        && m[..4]
            .parse::<u16>()
            .is_ok_and(|y| (2000..=2100).contains(&y))
        && m[5..].parse::<u8>().is_ok_and(|n| (1..=12).contains(&n));
    if !ok {
        return Err(AppError::field(
            "month",
            format!("{month:?}: give the month as YYYY-MM, e.g. 2026-11"),
        ));
    }
    Ok(m.to_string())
}

/// Records the shop's module usage in the month (audited); the month's fees read it on its
/// last day. Logistics is a function of the modules, so it needs them.
pub async fn set(
    state: &AppState,
    slug: &str,
    month: &str,
    plugin: bool,
    logistics: bool,
) -> AppResult<()> {
    let month = parse_month(month)?;
    if logistics && !plugin {
        return Err(AppError::field(
            "logistics",
            "logistics is a function of the shop modules: give --plugin too",
        ));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let (shop_id, merchant_id) = crate::server::shop_by_slug(&mut tx, slug).await?;
    let before: Option<(i64, i64)> = sqlx::query_as(
        "SELECT plugin, logistics FROM shop_usage WHERE shop_id = $1 AND month = $2",
    )
    .bind(shop_id)
    .bind(&month)
    .fetch_optional(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO shop_usage (shop_id, month, plugin, logistics, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (shop_id, month) DO UPDATE SET plugin = $3, logistics = $4, updated_at = $5",
    )
    .bind(shop_id)
    .bind(&month)
    .bind(i64::from(plugin))
    .bind(i64::from(logistics))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let words = |p: bool, l: bool| match (p, l) {
        (true, true) => "modules and logistics",
        (true, false) => "modules",
        _ => "nothing",
    };
    audit::record(
        &mut *tx,
        AuditEvent {
            at: now,
            kind: "module_usage",
            merchant_id: Some(merchant_id),
            shop_id: Some(shop_id),
            before: Some(
                before
                    .map(|(p, l)| words(p != 0, l != 0))
                    .unwrap_or("nothing")
                    .to_string(),
            ),
            after: Some(words(plugin, logistics).to_string()),
            detail: Some(format!("{month}, set by the provider")),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_written_yyyy_mm() {
        assert_eq!(parse_month(" 2026-11 ").unwrap(), "2026-11");
        for bad in ["2026-13", "2026-1", "26-11", "2026/11", "november"] {
            assert!(parse_month(bad).is_err(), "{bad}");
        }
    }
}
