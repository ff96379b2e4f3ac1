//! The smallest amount each payment method of a shop takes: the operator's figure where one
//! is set, otherwise the smallest amount whose full fees leave the merchant something under
//! the price list in force ([`fees::smallest_amount`]). Links below the smallest of the
//! shop's methods are refused; the payment page offers only the methods the amount reaches.

use crate::domain::fees::{self, Channel};
use crate::domain::Money;
use crate::error::{AppError, AppResult};
use crate::server::identity::audit::{self, AuditEvent};
use crate::server::ledger::price_lists;
use crate::server::AppState;
use sqlx::AnyConnection;

/// The minimum of each of `channels` in the shop at `at`; `None` for a method no amount is
/// enough for (its percentage with VAT takes everything).
pub async fn of_channels(
    conn: &mut AnyConnection,
    shop_id: i64,
    channels: &[Channel],
    at: i64,
) -> AppResult<Vec<(Channel, Option<Money>)>> {
    let merchant_id: i64 = sqlx::query_scalar("SELECT merchant_id FROM shops WHERE id = $1")
        .bind(shop_id)
        .fetch_one(&mut *conn)
        .await?;
    let (_, list) = price_lists::in_force(conn, merchant_id, at).await?;
    let set: Vec<(String, i64)> =
        sqlx::query_as("SELECT channel, minimum_cents FROM method_minimums WHERE shop_id = $1")
            .bind(shop_id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(channels
        .iter()
        .map(|&c| {
            let by_operator = set
                .iter()
                .find(|(name, _)| name == c.as_str())
                .map(|(_, cents)| Money::from_cents(*cents));
            (c, by_operator.or_else(|| fees::smallest_amount(c, &list)))
        })
        .collect())
}

/// The smallest amount a payment link of the shop may ask for: the lowest minimum among
/// the methods its payment page offers. `None` when no method can take a payment.
pub async fn smallest_for_links(state: &AppState, shop_id: i64) -> AppResult<Option<Money>> {
    let methods = crate::server::payments::pay::methods(state, shop_id).await?;
    let mut channels: Vec<Channel> = methods.iter().map(|m| m.channel).collect();
    channels.dedup();
    let mut conn = state.db.pool.acquire().await?;
    Ok(
        of_channels(&mut conn, shop_id, &channels, state.clock.now_ms())
            .await?
            .into_iter()
            .filter_map(|(_, m)| m)
            .min(),
    )
}

/// Sets (or with `None`, clears back to the price list's) the minimum of a payment method
/// in a shop, from the operator's command line. Returns the minimum now in force.
pub async fn set(
    state: &AppState,
    slug: &str,
    channel: &str,
    minimum: Option<Money>,
) -> AppResult<Option<Money>> {
    let Some(channel) = Channel::parse(channel.trim()) else {
        return Err(AppError::field(
            "method",
            format!(
                "{channel:?} is not a payment method; use one of: {}.",
                Channel::ALL.map(Channel::as_str).join(", ")
            ),
        ));
    };
    if minimum.is_some_and(|m| !m.is_positive()) {
        return Err(AppError::field(
            "amount",
            "The minimum must be more than 0.00 EUR (or \"default\" for the price list's).",
        ));
    }
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let (shop_id, merchant_id) = crate::server::shop_by_slug(&mut tx, slug).await?;
    let before = of_channels(&mut tx, shop_id, &[channel], now).await?[0].1;
    match minimum {
        Some(m) => {
            sqlx::query(
                "INSERT INTO method_minimums (shop_id, channel, minimum_cents, set_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (shop_id, channel) DO UPDATE SET minimum_cents = excluded.minimum_cents, set_at = excluded.set_at",
            )
            .bind(shop_id)
            .bind(channel.as_str())
            .bind(m.cents())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM method_minimums WHERE shop_id = $1 AND channel = $2")
                .bind(shop_id)
                .bind(channel.as_str())
                .execute(&mut *tx)
                .await?;
        }
    }
    let after = of_channels(&mut tx, shop_id, &[channel], now).await?[0].1;
    let show = |m: Option<Money>| m.map_or_else(|| "none".to_string(), |m| format!("{m} EUR"));
    audit::record(
        &mut *tx,
        AuditEvent {
            at: now,
            kind: "method_minimum",
            merchant_id: Some(merchant_id),
            shop_id: Some(shop_id),
            actor_email: Some("operator".into()),
            before: Some(show(before)),
            after: Some(show(after)),
            detail: Some(format!(
                "{}{}",
                channel.as_str(),
                if minimum.is_none() {
                    ": the price list's"
                } else {
                    ""
                }
            )),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(shop = %slug, method = channel.as_str(), after = %show(after), "payment method minimum set");
    Ok(after)
}
