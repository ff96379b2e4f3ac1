//! One payment in full: its row, timeline, movements, refunds and fraud signals.

use crate::domain::fees::Channel;
use crate::domain::fraud::{self, Facts, MIN_HISTORY};
use crate::domain::status::{PaymentStatus, RefundStatus};
use crate::domain::Money;
use crate::error::{AppError, AppResult};
use crate::model::transactions::{MovementRow, RefundRow, TimelineEvent, TxDetail};
use crate::server::{format_time, AppState};
use sqlx::Row;

/// id, amount, status, comment, by (e-mail), created, done.
type RefundDbRow = (
    i64,
    i64,
    String,
    Option<String>,
    Option<String>,
    i64,
    Option<i64>,
);

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
/// How far back the shop's usual amount and countries are read.
const HISTORY_ROWS: i64 = 1_000;

pub async fn load(state: &AppState, shop_id: i64, id: i64, tz: &str) -> AppResult<TxDetail> {
    let pool = &state.db.pool;
    let r = sqlx::query(
        "SELECT reference, description, status, channel, test_mode, amount_cents, fee_cents, vat_cents, net_cents, \
                refunded_cents, buyer_name, buyer_email, buyer_ip, buyer_country, payout_id, created_at, paid_at, closed_at, \
                payment_link_id, language, price_list_id \
         FROM transactions WHERE id = $1 AND shop_id = $2",
    )
    .bind(id)
    .bind(shop_id)
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let status: String = r.get(2);
    let channel: String = r.get(3);
    let amount = Money::from_cents(r.get(5));
    let refunded = Money::from_cents(r.get(9));
    let buyer_name: Option<String> = r.get(10);
    let buyer_email: Option<String> = r.get(11);
    let buyer_ip: Option<String> = r.get(12);
    let buyer_country: Option<String> = r.get(13);
    let created_at: i64 = r.get(15);
    let paid_at: Option<i64> = r.get(16);
    let closed_at: Option<i64> = r.get(17);
    let from_link: Option<i64> = r.get(18);
    let language: Option<String> = r.get(19);
    let price_list_id: Option<i64> = r.get(20);
    let test_mode = r.get::<i64, _>(4) != 0;
    // The fees were worked out at approval from the list then in force; worked out again,
    // they say which lines were lowered so the payment would not go below zero.
    let fee_caps = match (paid_at, Channel::parse(&channel)) {
        (Some(_), Some(c)) if !test_mode => {
            let mut conn = pool.acquire().await?;
            let list = crate::server::ledger::price_lists::by_id(&mut conn, price_list_id).await?;
            crate::domain::fees::compute(amount, c, &list, false)
                .caps
                .iter()
                .map(|cap| cap.explain())
                .collect()
        }
        _ => Vec::new(),
    };
    let origin = from_link.map(|_| {
        match language
            .as_deref()
            .and_then(crate::domain::payment_link::language_name)
        {
            Some(name) => format!("Payment link, paid on the page in {name}"),
            None => "Payment link".to_string(),
        }
    });

    let also_paid = match from_link {
        Some(_) => {
            crate::server::payments::pay::other_payments_of_single_use_link(pool, id).await?
        }
        None => Vec::new(),
    };

    let refunds: Vec<RefundDbRow> = sqlx::query_as(
        "SELECT f.id, f.amount_cents, f.status, f.comment, u.email, f.created_at, f.done_at \
             FROM refunds f LEFT JOIN users u ON u.id = f.created_by \
             WHERE f.transaction_id = $1 AND f.shop_id = $2 ORDER BY f.created_at, f.id",
    )
    .bind(id)
    .bind(shop_id)
    .fetch_all(pool)
    .await?;
    let reserved = Money::from_cents(
        refunds
            .iter()
            .filter(|f| RefundStatus::parse(&f.2) == Some(RefundStatus::AwaitingAccount))
            .map(|f| f.1)
            .sum(),
    );
    let paid = PaymentStatus::parse(&status).is_some_and(PaymentStatus::is_paid);
    let refundable = if paid {
        amount - refunded - reserved
    } else {
        Money::ZERO
    };

    let movements: Vec<(String, i64, i64, i64)> = sqlx::query_as(
        "SELECT kind, amount_cents, balance_after_cents, at FROM movements \
         WHERE transaction_id = $1 AND shop_id = $2 ORDER BY seq",
    )
    .bind(id)
    .bind(shop_id)
    .fetch_all(pool)
    .await?;

    let label = Channel::label_of(&channel).to_string();
    let mut timeline = vec![(
        created_at,
        "Payment started".to_string(),
        Some(format!("{} via {label}", amount.human())),
    )];
    if let Some(t) = paid_at {
        timeline.push((t, "Paid".into(), Some(format!("Approved by {label}"))));
    }
    if let Some(t) = closed_at {
        let what = if status == "expired" {
            "Expired"
        } else {
            "Cancelled"
        };
        timeline.push((t, what.into(), None));
    }
    for f in &refunds {
        let m = Money::from_cents(f.1).human();
        let by = f.4.clone().map(|e| format!(" by {e}")).unwrap_or_default();
        match f.2.as_str() {
            "done" => timeline.push((
                f.6.unwrap_or(f.5),
                format!("Refunded {m}"),
                Some(format!("Refund{by}")),
            )),
            "awaiting_account" => timeline.push((
                f.5,
                format!("Refund of {m} requested"),
                Some(format!("Waiting for the buyer's bank account{by}")),
            )),
            _ => timeline.push((
                f.6.unwrap_or(f.5),
                format!("Refund of {m} failed"),
                Some(
                    "The buyer gave no bank account in time; the reservation was released.".into(),
                ),
            )),
        }
    }
    timeline.sort_by_key(|e| e.0);

    let facts = facts(
        state,
        shop_id,
        id,
        created_at,
        amount,
        paid,
        &buyer_name,
        &buyer_email,
        &buyer_ip,
        &buyer_country,
    )
    .await?;

    Ok(TxDetail {
        id,
        reference: r.get(0),
        description: r.get(1),
        status,
        channel,
        test_mode,
        amount,
        fees: Money::from_cents(r.get(6)),
        vat: Money::from_cents(r.get(7)),
        net: paid_at.map(|_| Money::from_cents(r.get(8))),
        refunded,
        reserved,
        refundable,
        buyer_name,
        buyer_email,
        buyer_ip,
        buyer_country,
        payout_id: r.get(14),
        origin,
        link_id: from_link,
        also_paid,
        time_zone: tz.to_string(),
        timeline: timeline
            .into_iter()
            .map(|(t, label, detail)| TimelineEvent {
                time: format_time(t, tz),
                label,
                detail,
            })
            .collect(),
        movements: movements
            .into_iter()
            .map(|(kind, a, b, at)| MovementRow {
                time: format_time(at, tz),
                kind,
                amount: Money::from_cents(a),
                balance_after: Money::from_cents(b),
            })
            .collect(),
        fee_caps,
        refunds: refunds
            .into_iter()
            .map(|f| RefundRow {
                id: f.0,
                time: format_time(f.5, tz),
                amount: Money::from_cents(f.1),
                status: f.2,
                comment: f.3,
                by: f.4,
            })
            .collect(),
        signals: fraud::signals(&facts),
    })
}

#[allow(clippy::too_many_arguments)]
async fn facts(
    state: &AppState,
    shop_id: i64,
    id: i64,
    at: i64,
    amount: Money,
    paid: bool,
    name: &Option<String>,
    email: &Option<String>,
    ip: &Option<String>,
    country: &Option<String>,
) -> AppResult<Facts> {
    let pool = &state.db.pool;
    let near = |column: &'static str, value: Option<String>| async move {
        let Some(v) = value.filter(|v| !v.is_empty()) else {
            return Ok::<i64, AppError>(0);
        };
        Ok(sqlx::query_scalar::<_, i64>(&format!(
            "SELECT COUNT(*) FROM transactions WHERE shop_id = $1 AND {column} = $2 AND id <> $3 \
             AND created_at >= $4 AND created_at <= $5"
        ))
        .bind(shop_id)
        .bind(v)
        .bind(id)
        .bind(at - DAY_MS)
        .bind(at + DAY_MS)
        .fetch_one(pool)
        .await?)
    };
    let same_buyer_24h = near("buyer_email", email.clone()).await?;
    let same_ip_24h = near("buyer_ip", ip.clone()).await?;
    let failures_before: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM transactions WHERE shop_id = $1 AND status IN ('cancelled', 'expired') \
         AND created_at >= $2 AND created_at < $3 AND (buyer_email = $4 OR buyer_ip = $5)",
    )
    .bind(shop_id)
    .bind(at - HOUR_MS)
    .bind(at)
    .bind(email.clone().unwrap_or_default())
    .bind(ip.clone().unwrap_or_default())
    .fetch_one(pool)
    .await?;
    let earlier_from_buyer: i64 = match email {
        Some(e) if !e.is_empty() => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM transactions WHERE shop_id = $1 AND buyer_email = $2 \
                 AND created_at < $3 AND paid_at IS NOT NULL",
            )
            .bind(shop_id)
            .bind(e)
            .bind(at)
            .fetch_one(pool)
            .await?
        }
        _ => 0,
    };
    // The shop's recent history before this payment: its usual amount and countries.
    let (paid_count, paid_sum, total, same_country): (i64, i64, i64, i64) = sqlx::query_as(&format!(
        "SELECT COUNT(paid_at), CAST(COALESCE(SUM(CASE WHEN paid_at IS NOT NULL THEN amount_cents ELSE 0 END), 0) AS BIGINT), \
                COUNT(buyer_country), CAST(COALESCE(SUM(CASE WHEN buyer_country = $3 THEN 1 ELSE 0 END), 0) AS BIGINT) \
         FROM (SELECT paid_at, amount_cents, buyer_country FROM transactions \
               WHERE shop_id = $1 AND created_at < $2 ORDER BY created_at DESC LIMIT {HISTORY_ROWS}) h"
    ))
    .bind(shop_id)
    .bind(at)
    .bind(country.clone().unwrap_or_default())
    .fetch_one(pool)
    .await?;
    Ok(Facts {
        amount,
        paid,
        has_email: email.as_ref().is_some_and(|e| !e.is_empty()),
        has_name: name.as_ref().is_some_and(|n| !n.is_empty()),
        same_buyer_24h,
        same_ip_24h,
        failures_before,
        earlier_from_buyer,
        usual_amount: (paid_count >= MIN_HISTORY).then(|| Money::from_cents(paid_sum / paid_count)),
        country: country.clone(),
        country_count: same_country,
        country_total: total,
    })
}
