//! Refunds: partial or full, never more than what is left of the payment, never more than
//! the shop's balance less reservations, and exactly once per idempotency key — under any
//! number of concurrent requests.

pub mod refund_accounts;

use crate::domain::fees::Channel;
use crate::domain::ledger::MovementKind;
use crate::domain::status::{PaymentStatus, RefundStatus};
use crate::domain::Money;
use crate::error::{AppError, AppResult};
use crate::server::identity::audit::{self, AuditEvent};
use crate::server::ledger::{self, Links};
use crate::server::AppState;

/// Who asks for the refund, for the audit log.
pub struct Requester {
    pub user_id: i64,
    pub email: String,
    pub ip: String,
    pub merchant_id: i64,
}

pub use crate::model::refunds::RefundOutcome;

/// The amount, the idempotency key and the comment of a refund request, checked before
/// anything is read; returns the trimmed key and comment.
fn check_request(
    amount: Money,
    key: &str,
    comment: Option<String>,
) -> AppResult<(String, Option<String>)> {
    if !amount.is_positive() {
        return Err(AppError::field(
            "amount",
            "Enter an amount greater than zero.",
        ));
    }
    let key = key.trim();
    if key.is_empty() || key.len() > 100 {
        return Err(AppError::field(
            "key",
            "The request is missing its key. Reload the page and try again.",
        ));
    }
    let comment = comment
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    if comment.as_ref().is_some_and(|c| c.chars().count() > 500) {
        return Err(AppError::field(
            "comment",
            "Keep the comment under 500 characters.",
        ));
    }
    Ok((key.to_string(), comment))
}

/// A repeated request (same key) gets the first one's answer; a key used for another refund
/// is refused.
async fn earlier_answer(
    tx: &mut crate::server::infra::db::Tx,
    shop_id: i64,
    key: &str,
    transaction_id: i64,
    amount: Money,
    balance: i64,
) -> AppResult<Option<RefundOutcome>> {
    let earlier: Option<(i64, i64, String, i64)> = sqlx::query_as(
        "SELECT id, amount_cents, status, transaction_id FROM refunds WHERE shop_id = $1 AND idempotency_key = $2",
    )
    .bind(shop_id)
    .bind(key)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((refund_id, cents, status, for_tx)) = earlier else {
        return Ok(None);
    };
    if for_tx != transaction_id || cents != amount.cents() {
        return Err(AppError::Conflict(
            "This request was already used for a different refund. Reload the page and try again."
                .into(),
        ));
    }
    Ok(Some(RefundOutcome {
        refund_id,
        amount,
        balance: Money::from_cents(balance),
        status,
    }))
}

/// Makes a refund of `amount` on a payment of `shop_id`. A repeated request with the same
/// `key` (a double click, a retried request) returns the first one's outcome.
pub async fn refund(
    state: &AppState,
    shop_id: i64,
    by: &Requester,
    transaction_id: i64,
    amount: Money,
    comment: Option<String>,
    key: &str,
) -> AppResult<RefundOutcome> {
    let (key, comment) = check_request(amount, key, comment)?;
    let key = key.as_str();
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    // The shop's balance row orders refunds (and every other posting) of the shop.
    let ledger::BalanceRow {
        balance, reserved, ..
    } = ledger::lock_balance(&mut tx, shop_id).await?;
    if let Some(done) =
        earlier_answer(&mut tx, shop_id, key, transaction_id, amount, balance).await?
    {
        return Ok(done);
    }
    let Assessed {
        finnish,
        buyer_email,
        reference,
        test_mode,
        ..
    } = assess(&mut tx, shop_id, transaction_id, amount, balance, reserved).await?;
    let refund_id = crate::server::new_id();
    // The buyer's single-use link to give a bank account (Finnish bank links only).
    let claim = finnish.then(crate::server::infra::tokens::random_token);
    let refund_status = if finnish {
        RefundStatus::AwaitingAccount
    } else {
        RefundStatus::Done
    }
    .as_str();
    sqlx::query(
        "INSERT INTO refunds (id, shop_id, transaction_id, amount_cents, status, comment, idempotency_key, created_by, created_at, done_at, \
         claim_token_hash, claim_expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(refund_id)
    .bind(shop_id)
    .bind(transaction_id)
    .bind(amount.cents())
    .bind(refund_status)
    .bind(&comment)
    .bind(key)
    .bind(by.user_id)
    .bind(now)
    .bind((!finnish).then_some(now))
    .bind(claim.as_ref().map(|t| crate::server::infra::tokens::hash(t)))
    .bind(finnish.then_some(now + crate::server::refunds::refund_accounts::CLAIM_MS))
    .execute(&mut *tx)
    .await?;
    let balance_after = if finnish && test_mode {
        Money::from_cents(balance)
    } else if finnish {
        sqlx::query(
            "UPDATE shop_balances SET reserved_cents = reserved_cents + $2 WHERE shop_id = $1",
        )
        .bind(shop_id)
        .bind(amount.cents())
        .execute(&mut *tx)
        .await?;
        Money::from_cents(balance)
    } else {
        post_refund(&mut tx, shop_id, transaction_id, refund_id, amount, now).await?
    };
    audit::record(
        &mut *tx,
        AuditEvent {
            at: now,
            kind: "refund",
            merchant_id: Some(by.merchant_id),
            shop_id: Some(shop_id),
            actor_user_id: Some(by.user_id),
            actor_email: Some(by.email.clone()),
            ip: Some(by.ip.clone()),
            after: Some(format!("{amount} EUR")),
            detail: Some(match &comment {
                Some(c) => format!("payment {transaction_id}: {c}"),
                None => format!("payment {transaction_id}"),
            }),
            ..Default::default()
        },
    )
    .await?;
    // The mails go out after commit; one that fails is retried and never undoes the refund.
    crate::server::refunds::refund_accounts::notify(
        &mut tx,
        state,
        shop_id,
        &crate::server::refunds::refund_accounts::Notice {
            amount,
            reference: &reference,
            transaction_id,
            comment: comment.as_deref(),
            by: &by.email,
            buyer_email: buyer_email.as_deref(),
            claim: claim.as_deref(),
        },
    )
    .await?;
    tx.commit().await?;
    crate::server::infra::outbox::wake(state);
    Ok(RefundOutcome {
        refund_id,
        amount,
        balance: balance_after,
        status: refund_status.into(),
    })
}

/// Posts a refund that is being sent: the payment's refunded amount grows (never beyond
/// the payment: the update is conditional and must touch exactly one row) and a REFUND
/// movement leaves the balance. The one way every refund reaches the ledger — made at once,
/// or once a Finnish buyer gave an account. Runs inside the caller's write transaction,
/// after the shop's balance row is locked. Returns the balance after the movement.
pub async fn post_refund(
    tx: &mut sqlx::AnyConnection,
    shop_id: i64,
    transaction_id: i64,
    refund_id: i64,
    amount: Money,
    now: i64,
) -> AppResult<Money> {
    let updated: Option<i64> = sqlx::query_scalar(
        "UPDATE transactions SET refunded_cents = refunded_cents + $3, \
           status = CASE WHEN refunded_cents + $3 >= amount_cents THEN 'refunded' ELSE 'part_refunded' END \
         WHERE id = $1 AND shop_id = $2 AND refunded_cents + $3 <= amount_cents RETURNING test_mode",
    )
    .bind(transaction_id)
    .bind(shop_id)
    .bind(amount.cents())
    .fetch_optional(&mut *tx)
    .await?;
    let Some(test_mode) = updated else {
        return Err(AppError::Conflict(format!(
            "A refund of {amount} EUR would take more than what is left of the payment: it has been refunded meanwhile."
        )));
    };
    if test_mode != 0 {
        // A test payment never reached the ledger; neither does its refund.
        let balance: i64 =
            sqlx::query_scalar("SELECT balance_cents FROM shop_balances WHERE shop_id = $1")
                .bind(shop_id)
                .fetch_one(&mut *tx)
                .await?;
        return Ok(Money::from_cents(balance));
    }
    let links = Links {
        transaction_id: Some(transaction_id),
        refund_id: Some(refund_id),
        ..Links::default()
    };
    ledger::post(
        tx,
        shop_id,
        now,
        links,
        &[(MovementKind::Refund, Money::ZERO - amount)],
    )
    .await
}

/// Releases `amount` reserved for a refund that waited for the buyer's account (it was
/// sent, or it failed). The shop's balance row must exist and keep its reservation whole.
pub async fn release_reservation(
    tx: &mut sqlx::AnyConnection,
    shop_id: i64,
    transaction_id: i64,
    amount: Money,
) -> AppResult<()> {
    // A test payment's refund reserved nothing (see `refund`).
    let test_mode: i64 = sqlx::query_scalar("SELECT test_mode FROM transactions WHERE id = $1")
        .bind(transaction_id)
        .fetch_one(&mut *tx)
        .await?;
    if test_mode != 0 {
        return Ok(());
    }
    let released = sqlx::query(
        "UPDATE shop_balances SET reserved_cents = reserved_cents - $2 \
         WHERE shop_id = $1 AND reserved_cents >= $2",
    )
    .bind(shop_id)
    .bind(amount.cents())
    .execute(&mut *tx)
    .await?;
    if released.rows_affected() != 1 {
        return Err(crate::server::internal(
            "a refund's reservation is missing from the shop's balance",
        ));
    }
    Ok(())
}

/// What a refund of `amount` would leave: checked against the payment and the balance.
pub struct Assessed {
    pub refundable: Money,
    pub finnish: bool,
    pub buyer_email: Option<String>,
    pub reference: String,
    /// A test payment's refund: no reservation, no movement, no balance check.
    pub test_mode: bool,
}

/// The payment a refund is asked for, as [`assess`] reads it.
#[derive(sqlx::FromRow)]
struct RefundedPayment {
    amount_cents: i64,
    refunded_cents: i64,
    status: String,
    channel: String,
    buyer_email: Option<String>,
    reference: String,
    test_mode: i64,
}

/// Checks a refund of `amount` on the payment against what is left of it and against the
/// shop's balance less reservations; the refusals say what to do instead.
pub async fn assess(
    conn: &mut sqlx::AnyConnection,
    shop_id: i64,
    transaction_id: i64,
    amount: Money,
    balance: i64,
    reserved: i64,
) -> AppResult<Assessed> {
    let RefundedPayment {
        amount_cents: paid,
        refunded_cents: refunded,
        status,
        channel,
        buyer_email,
        reference,
        test_mode,
    } = sqlx::query_as(
        "SELECT amount_cents, refunded_cents, status, channel, buyer_email, reference, test_mode FROM transactions WHERE id = $1 AND shop_id = $2",
    )
    .bind(transaction_id)
    .bind(shop_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    let test_mode = test_mode != 0;
    if !PaymentStatus::parse(&status).is_some_and(PaymentStatus::is_paid) {
        return Err(AppError::Conflict(format!(
            "Only paid payments can be refunded; this one is {status}."
        )));
    }
    let reserved_for_it: i64 = sqlx::query_scalar(
        "SELECT COALESCE(CAST(SUM(amount_cents) AS BIGINT), 0) FROM refunds WHERE transaction_id = $1 AND status = 'awaiting_account'",
    )
    .bind(transaction_id)
    .fetch_one(&mut *conn)
    .await?;
    let refundable = paid - refunded - reserved_for_it;
    if refundable <= 0 {
        return Err(AppError::Conflict(
            "This payment has been refunded in full already.".into(),
        ));
    }
    if amount.cents() > refundable {
        return Err(AppError::field(
            "amount",
            format!(
                "At most {} EUR can still be refunded on this payment.",
                Money::from_cents(refundable)
            ),
        ));
    }
    // A test refund moves no money, so the live balance does not limit it.
    let available = balance - reserved;
    if !test_mode && amount.cents() > available {
        return Err(AppError::field(
            "amount",
            format!(
                "The shop's balance ({} EUR available) is too small for this refund. Wait for new income or refund less.",
                Money::from_cents(available.max(0))
            ),
        ));
    }
    let channel = Channel::parse(&channel)
        .ok_or_else(|| crate::server::internal("unknown channel in database"))?;
    let finnish = channel.is_finnish_bank_link();
    if finnish && buyer_email.as_deref().is_none_or(str::is_empty) {
        return Err(AppError::Conflict(
            "Finnish bank payments carry no payer account, and this payment has no buyer e-mail to ask for one. Contact support.".into(),
        ));
    }
    Ok(Assessed {
        refundable: Money::from_cents(refundable),
        finnish,
        buyer_email,
        reference,
        test_mode,
    })
}

/// What the refund form shows before the user confirms.
pub async fn preview(
    state: &AppState,
    shop_id: i64,
    transaction_id: i64,
    amount: Money,
) -> AppResult<crate::model::refunds::RefundPreview> {
    if !amount.is_positive() {
        return Err(AppError::field(
            "amount",
            "Enter an amount greater than zero.",
        ));
    }
    let mut conn = state.db.pool.acquire().await?;
    let (balance, reserved): (i64, i64) = sqlx::query_as(
        "SELECT balance_cents, reserved_cents FROM shop_balances WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_optional(&mut *conn)
    .await?
    .unwrap_or((0, 0));
    let a = assess(
        &mut conn,
        shop_id,
        transaction_id,
        amount,
        balance,
        reserved,
    )
    .await?;
    Ok(crate::model::refunds::RefundPreview {
        amount,
        refundable: a.refundable,
        balance: Money::from_cents(balance),
        reserved: Money::from_cents(reserved),
        balance_after: Money::from_cents(if a.finnish || a.test_mode {
            balance
        } else {
            balance - amount.cents()
        }),
        awaits_account: a.finnish,
        key: crate::server::infra::tokens::random_token(),
    })
}
