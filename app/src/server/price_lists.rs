//! Which price list applies to a merchant at a moment.

use super::internal;
use crate::domain::fees::PriceList;
use crate::error::AppResult;
use sqlx::AnyConnection;

/// The list in force: a special offer running at `at`; otherwise the newest negotiated list
/// already valid; otherwise the newest standard list; otherwise the built-in standard.
/// Returns the list and its id (`None` for the built-in one).
pub async fn in_force(
    conn: &mut AnyConnection,
    merchant_id: i64,
    at: i64,
) -> AppResult<(Option<i64>, PriceList)> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT id, rules FROM price_lists WHERE \
           (merchant_id = $1 AND kind = 'special_offer' AND valid_from <= $2 AND (valid_until IS NULL OR valid_until > $2)) \
           OR (merchant_id = $1 AND kind = 'negotiated' AND valid_from <= $2) \
           OR (merchant_id IS NULL AND kind = 'standard' AND valid_from <= $2) \
         ORDER BY CASE kind WHEN 'special_offer' THEN 0 WHEN 'negotiated' THEN 1 ELSE 2 END, valid_from DESC, created_at DESC \
         LIMIT 1",
    )
    .bind(merchant_id)
    .bind(at)
    .fetch_optional(conn)
    .await?;
    match row {
        Some((id, rules)) => {
            let list: PriceList = serde_json::from_str(&rules).map_err(internal)?;
            Ok((Some(id), list))
        }
        None => Ok((None, PriceList::standard())),
    }
}

pub enum ListKind {
    Standard,
    Negotiated { merchant_id: i64 },
    SpecialOffer { merchant_id: i64, valid_until: i64 },
}

/// Records a price list (the operator's command line sets them).
pub async fn add(
    conn: &mut AnyConnection,
    kind: ListKind,
    name: &str,
    list: &PriceList,
    valid_from: i64,
    now: i64,
) -> AppResult<i64> {
    let (merchant_id, kind, until) = match kind {
        ListKind::Standard => (None, "standard", None),
        ListKind::Negotiated { merchant_id } => (Some(merchant_id), "negotiated", None),
        ListKind::SpecialOffer {
            merchant_id,
            valid_until,
        } => (Some(merchant_id), "special_offer", Some(valid_until)),
    };
    let id = super::new_id();
    sqlx::query(
        "INSERT INTO price_lists (id, merchant_id, kind, name, rules, valid_from, valid_until, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(merchant_id)
    .bind(kind)
    .bind(name)
    .bind(serde_json::to_string(list).map_err(internal)?)
    .bind(valid_from)
    .bind(until)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}
