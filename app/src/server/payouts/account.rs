//! The shop's payout bank account: part of its contract, so only the provider sets it —
//! from the operator's command line, or by applying a shop's request.

use crate::domain::iban::Iban;
use crate::error::AppResult;
use crate::server::identity::audit::{self, AuditEvent};
use crate::server::infra::db::Tx;

/// Sets the account in the caller's transaction, audited with before and after; returns the
/// account before (`None` when there was none).
pub async fn apply(
    tx: &mut Tx,
    shop_id: i64,
    merchant_id: i64,
    iban: &Iban,
    holder: &str,
    at: i64,
    detail: &str,
) -> AppResult<Option<String>> {
    let before: (Option<String>, Option<String>) =
        sqlx::query_as("SELECT payout_iban, payout_holder FROM shops WHERE id = $1")
            .bind(shop_id)
            .fetch_one(&mut **tx)
            .await?;
    let before = before.0.map(|i| {
        format!(
            "{}{}",
            Iban::parse(&i).map(|x| x.grouped()).unwrap_or(i),
            before.1.map(|h| format!(", {h}")).unwrap_or_default()
        )
    });
    sqlx::query("UPDATE shops SET payout_iban = $1, payout_holder = $2 WHERE id = $3")
        .bind(iban.as_str())
        .bind(holder)
        .bind(shop_id)
        .execute(&mut **tx)
        .await?;
    audit::record(
        &mut **tx,
        AuditEvent {
            at,
            kind: "payout_account",
            merchant_id: Some(merchant_id),
            shop_id: Some(shop_id),
            before: before.clone(),
            after: Some(format!("{}, {holder}", iban.grouped())),
            detail: Some(detail.to_string()),
            ..Default::default()
        },
    )
    .await?;
    Ok(before)
}
