//! Payments: recorded when a buyer starts paying, approved exactly once when the bank or
//! card processor confirms — which posts the income with its fees and VAT to the ledger.

use crate::domain::fees::{compute, Channel};
use crate::domain::ledger::payment_movements;
use crate::domain::status::PaymentStatus;
use crate::domain::Money;
use crate::error::{AppError, AppResult};
use crate::server::infra::db::Tx;
use crate::server::ledger::price_lists;
use crate::server::ledger::{self, Links};
use crate::server::AppState;

pub struct NewTransaction {
    pub shop_id: i64,
    pub reference: String,
    pub amount: Money,
    pub channel: Channel,
    pub test_mode: bool,
    pub buyer_name: Option<String>,
    pub buyer_email: Option<String>,
    pub buyer_ip: Option<String>,
    pub buyer_country: Option<String>,
    pub description: Option<String>,
    /// Set for payments started on a payment link's page.
    pub from_link: Option<LinkOrigin>,
}

/// Where a payment from the hosted payment page came from.
pub struct LinkOrigin {
    pub link_id: i64,
    /// The language the buyer paid in (their receipt's language).
    pub language: String,
    /// The connector that carries the payment to the bank or card processor.
    pub connector: String,
}

/// Records a payment the buyer has started; returns its id.
pub async fn create(state: &AppState, t: NewTransaction) -> AppResult<i64> {
    create_at(state, t, state.clock.now_ms()).await
}

/// As [`create`], at a given time (demo data and imports).
pub async fn create_at(state: &AppState, t: NewTransaction, at: i64) -> AppResult<i64> {
    if !t.amount.is_positive() {
        return Err(AppError::field(
            "amount",
            "The amount must be more than zero.",
        ));
    }
    let id = crate::server::new_id();
    let search_text = crate::server::reporting::search::transaction_text(
        &t.reference,
        t.buyer_name.as_deref(),
        t.buyer_email.as_deref(),
    );
    sqlx::query(
        "INSERT INTO transactions (id, shop_id, reference, amount_cents, currency, channel, status, test_mode, \
         buyer_name, buyer_email, buyer_ip, buyer_country, description, created_at, payment_link_id, language, connector, \
         search_text) \
         VALUES ($1, $2, $3, $4, 'EUR', $5, 'created', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(id)
    .bind(t.shop_id)
    .bind(&t.reference)
    .bind(t.amount.cents())
    .bind(t.channel.as_str())
    .bind(i64::from(t.test_mode))
    .bind(t.buyer_name)
    .bind(t.buyer_email)
    .bind(t.buyer_ip)
    .bind(t.buyer_country)
    .bind(t.description)
    .bind(at)
    .bind(t.from_link.as_ref().map(|l| l.link_id))
    .bind(t.from_link.as_ref().map(|l| l.language.clone()))
    .bind(t.from_link.as_ref().map(|l| l.connector.clone()))
    .bind(search_text)
    .execute(&state.db.pool)
    .await?;
    Ok(id)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Approval {
    /// This call approved it and posted its movements (none for a test payment); the shop's
    /// balance after them.
    Approved { balance: Money },
    /// It was approved before; nothing was posted again.
    AlreadyApproved,
}

/// Approves a payment exactly once, however often or concurrently the confirmation arrives:
/// a conditional update moves it from created/pending to approved, and only the call that
/// made that move posts INCOME, fees and VAT — all in one database transaction.
pub async fn approve(state: &AppState, transaction_id: i64) -> AppResult<Approval> {
    approve_at(state, transaction_id, state.clock.now_ms()).await
}

/// As [`approve`], at a given time (demo data and imports).
pub async fn approve_at(state: &AppState, transaction_id: i64, now: i64) -> AppResult<Approval> {
    let mut tx = state.db.begin_write().await?;
    let approval = approve_in(&mut tx, transaction_id, now).await?;
    tx.commit().await?;
    Ok(approval)
}

/// As [`approve_at`], inside the caller's write transaction (which also records what the
/// approval means elsewhere, such as a payment link's count), left for the caller to commit.
pub async fn approve_in(tx: &mut Tx, transaction_id: i64, now: i64) -> AppResult<Approval> {
    let moved: Option<(i64, i64, String, i64)> = sqlx::query_as(
        "UPDATE transactions SET status = 'approved', paid_at = $2 \
         WHERE id = $1 AND status IN ('created', 'pending') \
         RETURNING shop_id, amount_cents, channel, test_mode",
    )
    .bind(transaction_id)
    .bind(now)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((shop_id, amount, channel, test_mode)) = moved else {
        let status: Option<String> =
            sqlx::query_scalar("SELECT status FROM transactions WHERE id = $1")
                .bind(transaction_id)
                .fetch_optional(&mut **tx)
                .await?;
        return match status.as_deref() {
            None => Err(AppError::NotFound),
            Some(s) if PaymentStatus::parse(s).is_some_and(PaymentStatus::is_paid) => {
                Ok(Approval::AlreadyApproved)
            }
            Some(other) => Err(AppError::Conflict(format!(
                "This payment is {other} and can no longer be approved."
            ))),
        };
    };
    let channel = Channel::parse(&channel)
        .ok_or_else(|| crate::server::internal("unknown channel in database"))?;
    let merchant_id: i64 = sqlx::query_scalar("SELECT merchant_id FROM shops WHERE id = $1")
        .bind(shop_id)
        .fetch_one(&mut **tx)
        .await?;
    let (list_id, list) = price_lists::in_force(tx, merchant_id, now).await?;
    let fees = compute(Money::from_cents(amount), channel, &list, test_mode != 0);
    sqlx::query(
        "UPDATE transactions SET price_list_id = $2, fee_cents = $3, vat_cents = $4, net_cents = $5 WHERE id = $1",
    )
    .bind(transaction_id)
    .bind(list_id)
    .bind(fees.fees().cents())
    .bind(fees.vat().cents())
    .bind(fees.net().cents())
    .execute(&mut **tx)
    .await?;
    if test_mode != 0 {
        // A test payment carries no fees and never reaches the ledger: the balance, the
        // statement and payouts hold live money only.
        let balance: Option<i64> =
            sqlx::query_scalar("SELECT balance_cents FROM shop_balances WHERE shop_id = $1")
                .bind(shop_id)
                .fetch_optional(&mut **tx)
                .await?;
        return Ok(Approval::Approved {
            balance: Money::from_cents(balance.unwrap_or(0)),
        });
    }
    let links = Links {
        transaction_id: Some(transaction_id),
        ..Links::default()
    };
    let balance = ledger::post(tx, shop_id, now, links, &payment_movements(&fees)).await?;
    Ok(Approval::Approved { balance })
}

/// Closes an unfinished payment as cancelled (declined or abandoned by the buyer) or expired.
/// Returns whether this call closed it; a payment already approved or closed is left alone.
pub async fn close_at(
    state: &AppState,
    transaction_id: i64,
    status: Closed,
    at: i64,
) -> AppResult<bool> {
    let status = match status {
        Closed::Cancelled => "cancelled",
        Closed::Expired => "expired",
    };
    let done = sqlx::query(
        "UPDATE transactions SET status = $2, paid_at = NULL, closed_at = $3 WHERE id = $1 AND status IN ('created', 'pending') AND created_at <= $3",
    )
    .bind(transaction_id)
    .bind(status)
    .bind(at)
    .execute(&state.db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Closed {
    Cancelled,
    Expired,
}
