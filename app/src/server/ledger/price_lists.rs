//! Which price list applies to a merchant at a moment.

use crate::domain::fees::{self, ListEntry, PriceList};
use crate::error::AppResult;
use crate::server::internal;
use sqlx::AnyConnection;

/// Every list that can apply to the merchant: its own and the standard ones.
pub async fn entries_for(conn: &mut AnyConnection, merchant_id: i64) -> AppResult<Vec<ListEntry>> {
    let rows: Vec<(i64, String, String, i64, Option<i64>, i64)> = sqlx::query_as(
        "SELECT id, kind, rules, valid_from, valid_until, created_at FROM price_lists \
         WHERE merchant_id = $1 OR (merchant_id IS NULL AND kind = 'standard')",
    )
    .bind(merchant_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, kind, rules, valid_from, valid_until, created_at)| {
            Ok(ListEntry {
                id,
                kind: fees::ListKind::parse(&kind)
                    .ok_or_else(|| internal("unknown price list kind"))?,
                valid_from,
                valid_until,
                created_at,
                list: serde_json::from_str(&rules).map_err(internal)?,
            })
        })
        .collect()
}

/// A stored list by its id; `None` is the built-in standard (as [`in_force`] says it).
pub async fn by_id(conn: &mut AnyConnection, id: Option<i64>) -> AppResult<PriceList> {
    let Some(id) = id else {
        return Ok(PriceList::standard());
    };
    let rules: String = sqlx::query_scalar("SELECT rules FROM price_lists WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    serde_json::from_str(&rules).map_err(internal)
}

/// The list in force for the merchant at `at` (see [`fees::pick`]) and its id, `None` for
/// the built-in standard.
pub async fn in_force(
    conn: &mut AnyConnection,
    merchant_id: i64,
    at: i64,
) -> AppResult<(Option<i64>, PriceList)> {
    let entries = entries_for(conn, merchant_id).await?;
    Ok(match fees::pick(&entries, at) {
        Some(e) => (Some(e.id), e.list.clone()),
        None => (None, PriceList::standard()),
    })
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
    let id = crate::server::new_id();
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

/// The monthly fees of a stored list (`None`: the built-in standard); a list that does not
/// name them has the standard ones.
pub async fn monthly_of(
    conn: &mut AnyConnection,
    id: Option<i64>,
) -> AppResult<crate::domain::billing::MonthlyFees> {
    let Some(id) = id else {
        return Ok(Default::default());
    };
    let monthly: Option<String> =
        sqlx::query_scalar("SELECT monthly FROM price_lists WHERE id = $1")
            .bind(id)
            .fetch_one(conn)
            .await?;
    match monthly {
        Some(m) => serde_json::from_str(&m).map_err(internal),
        None => Ok(Default::default()),
    }
}

/// Sets a stored list's monthly fees (the operator's `set-price-list --account-fee …`).
pub async fn set_monthly(
    conn: &mut AnyConnection,
    id: i64,
    fees: &crate::domain::billing::MonthlyFees,
) -> AppResult<()> {
    sqlx::query("UPDATE price_lists SET monthly = $1 WHERE id = $2")
        .bind(serde_json::to_string(fees).map_err(internal)?)
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
