//! Refunds of Finnish bank-link payments, which carry no payer account: the buyer gets an
//! e-mail with a single-use link to a public page where they give an IBAN; the refund is then
//! sent and posted and its reservation released. The link's hash stays on the refund after
//! use, so reopening the link says "sent" or "expired" instead of "not valid". Without an account in 30 days a background
//! job fails the refund and releases the reservation. Also: the shop's refund notices.

use crate::domain::iban::Iban;
use crate::domain::status::RefundStatus;
use crate::domain::{FieldErrors, Money};
use crate::error::{AppError, AppResult};
use crate::model::refund_account::RefundClaim;
use crate::server::identity::audit::{self, AuditEvent};
use crate::server::infra::jobs::Outcome;
use crate::server::infra::mail::action_mail;
use crate::server::infra::{db::Tx, outbox};
use crate::server::ledger;
use crate::server::{infra::tokens, AppState};

pub const CLAIM_DAYS: i64 = 30;
pub const CLAIM_MS: i64 = CLAIM_DAYS * 24 * 60 * 60 * 1000;
/// How often the expiry job looks for refunds whose buyer gave no account in time.
pub const EXPIRY_INTERVAL_SECS: u64 = 60;
/// The background job that closes them (see `crate::server::jobs`).
pub const EXPIRY_JOB: &str = "refund-account-expiry";

/// What a new refund's mails say.
pub struct Notice<'a> {
    pub amount: Money,
    pub reference: &'a str,
    pub transaction_id: i64,
    pub comment: Option<&'a str>,
    pub by: &'a str,
    pub buyer_email: Option<&'a str>,
    /// The buyer's link token, for refunds that wait for an account.
    pub claim: Option<&'a str>,
}

async fn shop_names(
    conn: &mut sqlx::AnyConnection,
    shop_id: i64,
) -> AppResult<(String, String, String, Option<String>)> {
    Ok(sqlx::query_as(
        "SELECT s.name, m.name, s.slug, s.notification_email FROM shops s JOIN merchants m ON m.id = s.merchant_id WHERE s.id = $1",
    )
    .bind(shop_id)
    .fetch_one(&mut *conn)
    .await?)
}

/// Queues, in the refund's transaction, the mails to the buyer (for an account) and to the
/// shop's notification address about a new refund; they are sent after commit.
pub async fn notify(tx: &mut Tx, state: &AppState, shop_id: i64, n: &Notice<'_>) -> AppResult<()> {
    let (shop, merchant, slug, notify_to) = shop_names(tx, shop_id).await?;
    let now = state.clock.now_ms();
    if let (Some(token), Some(to)) = (n.claim, n.buyer_email) {
        let link = state.link(&format!("/refund-account/{token}"));
        let mail = action_mail(
            to,
            &format!("{merchant} refunds {} to you", n.amount.human()),
            &[
                "Hello,".into(),
                format!(
                    "{merchant} ({shop}) is refunding {} of your payment {}.",
                    n.amount.human(),
                    n.reference
                ),
                format!(
                    "Your bank did not tell us your account, so please give it on the page below. The link works for {CLAIM_DAYS} days; after that the refund is cancelled and you can ask {merchant} again."
                ),
            ],
            "Give your bank account",
            &link,
        );
        outbox::enqueue(&mut **tx, &mail, now).await?;
    }
    if let Some(to) = notify_to.filter(|t| !t.is_empty()) {
        let mut lines = vec![format!(
            "{} refunded {} of payment {} (id {}) in {shop}.",
            n.by,
            n.amount.human(),
            n.reference,
            n.transaction_id
        )];
        if let Some(c) = n.comment {
            lines.push(format!("Comment: {c}"));
        }
        if n.claim.is_some() {
            lines.push(format!(
                "The amount is reserved until the buyer gives a bank account (at most {CLAIM_DAYS} days)."
            ));
        }
        let link = state.link(&format!("/shops/{slug}/transactions/{}", n.transaction_id));
        let mail = action_mail(
            &to,
            &format!("Refund of {} in {shop}", n.amount.human()),
            &lines,
            "Open the payment",
            &link,
        );
        outbox::enqueue(&mut **tx, &mail, now).await?;
    }
    Ok(())
}

/// id, shop, payment, cents, status, expiry, reference, shop name, merchant name, time zone.
type ClaimRow = (
    i64,
    i64,
    i64,
    i64,
    String,
    Option<i64>,
    String,
    String,
    String,
    String,
);

async fn find(conn: &mut sqlx::AnyConnection, token: &str) -> AppResult<ClaimRow> {
    sqlx::query_as(
        "SELECT f.id, f.shop_id, f.transaction_id, f.amount_cents, f.status, f.claim_expires_at, t.reference, s.name, m.name, s.time_zone \
         FROM refunds f JOIN transactions t ON t.id = f.transaction_id JOIN shops s ON s.id = f.shop_id \
         JOIN merchants m ON m.id = s.merchant_id WHERE f.claim_token_hash = $1",
    )
    .bind(tokens::hash(token.trim()))
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)
}

/// What the public page shows for a link: open, already done, or no longer valid.
pub async fn claim(state: &AppState, token: &str) -> AppResult<RefundClaim> {
    let mut conn = state.db.pool.acquire().await?;
    let (_, _, _, cents, status, expires, reference, shop, merchant, tz) =
        find(&mut conn, token).await?;
    // The link stays findable after use, so reopening it says what became of the refund.
    let shown = match RefundStatus::parse(&status) {
        Some(RefundStatus::Done) => "done",
        Some(RefundStatus::AwaitingAccount)
            if expires.is_some_and(|e| e > state.clock.now_ms()) =>
        {
            "open"
        }
        _ => "expired",
    };
    Ok(RefundClaim {
        state: shown.into(),
        merchant,
        shop,
        amount: Money::from_cents(cents),
        reference,
        expires: expires
            .map(|e| crate::server::format_time(e, &tz))
            .unwrap_or_default(),
    })
}

/// Takes the buyer's account: the refund is sent and posted, the reservation released.
pub async fn give_account(
    state: &AppState,
    token: &str,
    holder: &str,
    iban: &str,
    ip: &str,
) -> AppResult<Money> {
    let mut errors = FieldErrors::default();
    let holder = holder.trim().to_string();
    if holder.is_empty() {
        errors.add(
            "holder",
            "Enter the account holder's name, as the bank knows it.",
        );
    } else if holder.chars().count() > 140 {
        errors.add("holder", "Keep the name within 140 characters.");
    }
    let iban = errors.check("iban", Iban::parse(iban));
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let iban = iban.expect("checked");
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let (refund_id, shop_id, transaction_id, cents, ..) = find(&mut tx, token).await?;
    ledger::lock_balance(&mut tx, shop_id).await?;
    // Only an open claim moves on; a second submission or a late one changes nothing.
    let taken = sqlx::query(
        "UPDATE refunds SET status = $5, done_at = $2, iban = $3, account_holder = $4 \
         WHERE id = $1 AND status = $6 AND claim_expires_at > $2",
    )
    .bind(refund_id)
    .bind(now)
    .bind(iban.as_str())
    .bind(&holder)
    .bind(RefundStatus::Done.as_str())
    .bind(RefundStatus::AwaitingAccount.as_str())
    .execute(&mut *tx)
    .await?;
    if taken.rows_affected() != 1 {
        return Err(AppError::Conflict(
            "This link is no longer valid: the refund was sent already or the time to give an account has ended.".into(),
        ));
    }
    let amount = Money::from_cents(cents);
    crate::server::refunds::release_reservation(&mut tx, shop_id, transaction_id, amount).await?;
    crate::server::refunds::post_refund(&mut tx, shop_id, transaction_id, refund_id, amount, now)
        .await?;
    audit::record(
        &mut *tx,
        AuditEvent {
            at: now,
            kind: "refund_sent",
            shop_id: Some(shop_id),
            ip: Some(ip.to_string()),
            after: Some(format!("{amount} EUR")),
            detail: Some(format!(
                "payment {transaction_id}: the buyer gave the account {}",
                iban.grouped()
            )),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(amount)
}

/// Fails the refunds whose buyer gave no account in time and releases their reservations,
/// each in its own transaction; one that fails is logged and skipped. The job runner runs
/// this every minute; each expiry is a conditional update, so instances do not collide.
pub async fn expire_due(state: &AppState) -> AppResult<Outcome> {
    let now = state.clock.now_ms();
    let due: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT id, shop_id, transaction_id, amount_cents FROM refunds \
         WHERE status = 'awaiting_account' AND claim_expires_at <= $1 ORDER BY claim_expires_at, id",
    )
    .bind(now)
    .fetch_all(&state.db.pool)
    .await?;
    let mut outcome = Outcome::default();
    for (refund_id, shop_id, transaction_id, cents) in due {
        outcome
            .row(
                format!("refund {refund_id}"),
                expire_one(state, now, refund_id, shop_id, transaction_id, cents),
            )
            .await;
    }
    Ok(outcome)
}

async fn expire_one(
    state: &AppState,
    now: i64,
    refund_id: i64,
    shop_id: i64,
    transaction_id: i64,
    cents: i64,
) -> AppResult<bool> {
    let mut tx = state.db.begin_write().await?;
    ledger::lock_balance(&mut tx, shop_id).await?;
    let done = sqlx::query(
        "UPDATE refunds SET status = $3, done_at = $2 \
         WHERE id = $1 AND status = $4 AND claim_expires_at <= $2",
    )
    .bind(refund_id)
    .bind(now)
    .bind(RefundStatus::Failed.as_str())
    .bind(RefundStatus::AwaitingAccount.as_str())
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    crate::server::refunds::release_reservation(
        &mut tx,
        shop_id,
        transaction_id,
        Money::from_cents(cents),
    )
    .await?;
    audit::record(
        &mut *tx,
        AuditEvent {
            at: now,
            kind: "refund_failed",
            shop_id: Some(shop_id),
            after: Some(format!("{} EUR", Money::from_cents(cents))),
            detail: Some(format!(
                "payment {transaction_id}: no bank account from the buyer in {CLAIM_DAYS} days; the reservation is released"
            )),
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
