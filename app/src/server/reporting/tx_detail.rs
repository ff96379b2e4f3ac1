//! One payment in full: its row, timeline, movements, refunds and fraud signals.

use crate::domain::fees::Channel;
use crate::domain::fraud::{self, Facts, MIN_HISTORY};
use crate::domain::status::{PaymentStatus, RefundStatus};
use crate::domain::Money;
use crate::error::{AppError, AppResult};
use crate::model::transactions::{MovementRow, RefundRow, TimelineEvent, TxDetail};
use crate::server::{format_time, AppState};

/// The payment's row as the page reads it.
#[derive(sqlx::FromRow)]
struct PaymentRow {
    reference: String,
    description: Option<String>,
    status: String,
    channel: String,
    test_mode: i64,
    amount_cents: i64,
    fee_cents: i64,
    vat_cents: i64,
    net_cents: i64,
    refunded_cents: i64,
    buyer_name: Option<String>,
    buyer_email: Option<String>,
    buyer_ip: Option<String>,
    buyer_country: Option<String>,
    created_at: i64,
    paid_at: Option<i64>,
    closed_at: Option<i64>,
    payment_link_id: Option<i64>,
    language: Option<String>,
    price_list_id: Option<i64>,
}

/// One refund of the payment, with who asked for it.
#[derive(sqlx::FromRow)]
struct RefundDbRow {
    id: i64,
    amount_cents: i64,
    status: String,
    comment: Option<String>,
    by_email: Option<String>,
    created_at: i64,
    done_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct MovementDbRow {
    kind: String,
    amount_cents: i64,
    balance_after_cents: i64,
    at: i64,
}

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
/// How far back the shop's usual amount and countries are read.
const HISTORY_ROWS: i64 = 1_000;

pub async fn load(state: &AppState, shop_id: i64, id: i64, tz: &str) -> AppResult<TxDetail> {
    let pool = &state.db.pool;
    let p: PaymentRow = sqlx::query_as(
        "SELECT reference, description, status, channel, test_mode, amount_cents, fee_cents, vat_cents, net_cents, \
                refunded_cents, buyer_name, buyer_email, buyer_ip, buyer_country, created_at, paid_at, closed_at, \
                payment_link_id, language, price_list_id \
         FROM transactions WHERE id = $1 AND shop_id = $2",
    )
    .bind(id)
    .bind(shop_id)
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let amount = Money::from_cents(p.amount_cents);
    let refunded = Money::from_cents(p.refunded_cents);
    let test_mode = p.test_mode != 0;
    let fee_caps = fee_caps(state, &p, test_mode).await?;
    let origin = p.payment_link_id.map(|_| {
        match p
            .language
            .as_deref()
            .and_then(crate::domain::payment_link::language_name)
        {
            Some(name) => format!("Payment link, paid on the page in {name}"),
            None => "Payment link".to_string(),
        }
    });
    let also_paid = match p.payment_link_id {
        Some(_) => {
            crate::server::payments::pay::other_payments_of_single_use_link(pool, id).await?
        }
        None => Vec::new(),
    };

    let refunds: Vec<RefundDbRow> = sqlx::query_as(
        "SELECT f.id, f.amount_cents, f.status, f.comment, u.email AS by_email, f.created_at, f.done_at \
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
            .filter(|f| RefundStatus::parse(&f.status) == Some(RefundStatus::AwaitingAccount))
            .map(|f| f.amount_cents)
            .sum(),
    );
    let paid = PaymentStatus::parse(&p.status).is_some_and(PaymentStatus::is_paid);
    let refundable = if paid {
        amount - refunded - reserved
    } else {
        Money::ZERO
    };

    let movements: Vec<MovementDbRow> = sqlx::query_as(
        "SELECT kind, amount_cents, balance_after_cents, at FROM movements \
         WHERE transaction_id = $1 AND shop_id = $2 ORDER BY seq",
    )
    .bind(id)
    .bind(shop_id)
    .fetch_all(pool)
    .await?;
    let timeline = timeline(&p, amount, &refunds, tz);
    let facts = facts(
        state,
        shop_id,
        id,
        p.created_at,
        amount,
        paid,
        &p.buyer_name,
        &p.buyer_email,
        &p.buyer_ip,
        &p.buyer_country,
    )
    .await?;

    let payout_id = if test_mode {
        None
    } else {
        crate::server::payouts::cover::Cover::load(pool, shop_id)
            .await?
            .payout_of(&p.channel, p.paid_at)
    };
    Ok(TxDetail {
        id,
        reference: p.reference,
        description: p.description,
        status: p.status,
        channel: p.channel,
        test_mode,
        amount,
        fees: Money::from_cents(p.fee_cents),
        vat: Money::from_cents(p.vat_cents),
        net: p.paid_at.map(|_| Money::from_cents(p.net_cents)),
        refunded,
        reserved,
        refundable,
        buyer_name: p.buyer_name,
        buyer_email: p.buyer_email,
        buyer_ip: p.buyer_ip,
        buyer_country: p.buyer_country,
        payout_id,
        origin,
        link_id: p.payment_link_id,
        also_paid,
        time_zone: tz.to_string(),
        timeline,
        movements: movements
            .into_iter()
            .map(|m| MovementRow {
                time: format_time(m.at, tz),
                kind: m.kind,
                amount: Money::from_cents(m.amount_cents),
                balance_after: Money::from_cents(m.balance_after_cents),
            })
            .collect(),
        fee_caps,
        refunds: refunds
            .into_iter()
            .map(|f| RefundRow {
                id: f.id,
                time: format_time(f.created_at, tz),
                amount: Money::from_cents(f.amount_cents),
                status: f.status,
                comment: f.comment,
                by: f.by_email,
            })
            .collect(),
        signals: fraud::signals(&facts),
    })
}

/// The fees were worked out at approval from the list then in force; worked out again, they
/// say which lines were lowered so the payment would not go below zero.
async fn fee_caps(state: &AppState, p: &PaymentRow, test_mode: bool) -> AppResult<Vec<String>> {
    match (p.paid_at, Channel::parse(&p.channel)) {
        (Some(_), Some(c)) if !test_mode => {
            let mut conn = state.db.pool.acquire().await?;
            let list =
                crate::server::ledger::price_lists::by_id(&mut conn, p.price_list_id).await?;
            Ok(
                crate::domain::fees::compute(Money::from_cents(p.amount_cents), c, &list, false)
                    .caps
                    .iter()
                    .map(|cap| cap.explain())
                    .collect(),
            )
        }
        _ => Ok(Vec::new()),
    }
}

/// What happened to the payment, oldest first: started, paid or closed, each refund.
fn timeline(
    p: &PaymentRow,
    amount: Money,
    refunds: &[RefundDbRow],
    tz: &str,
) -> Vec<TimelineEvent> {
    let label = Channel::label_of(&p.channel).to_string();
    let mut events = vec![(
        p.created_at,
        "Payment started".to_string(),
        Some(format!("{} via {label}", amount.human())),
    )];
    if let Some(t) = p.paid_at {
        events.push((t, "Paid".into(), Some(format!("Approved by {label}"))));
    }
    if let Some(t) = p.closed_at {
        let what = if PaymentStatus::parse(&p.status) == Some(PaymentStatus::Expired) {
            "Expired"
        } else {
            "Cancelled"
        };
        events.push((t, what.into(), None));
    }
    for f in refunds {
        let m = Money::from_cents(f.amount_cents).human();
        let by = f
            .by_email
            .as_ref()
            .map(|e| format!(" by {e}"))
            .unwrap_or_default();
        let done = f.done_at.unwrap_or(f.created_at);
        events.push(match RefundStatus::parse(&f.status) {
            Some(RefundStatus::Done) => {
                (done, format!("Refunded {m}"), Some(format!("Refund{by}")))
            }
            Some(RefundStatus::AwaitingAccount) => (
                f.created_at,
                format!("Refund of {m} requested"),
                Some(format!("Waiting for the buyer's bank account{by}")),
            ),
            _ => (
                done,
                format!("Refund of {m} failed"),
                Some(
                    "The buyer gave no bank account in time; the reservation was released.".into(),
                ),
            ),
        });
    }
    events.sort_by_key(|e| e.0);
    events
        .into_iter()
        .map(|(t, label, detail)| TimelineEvent {
            time: format_time(t, tz),
            label,
            detail,
        })
        .collect()
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
