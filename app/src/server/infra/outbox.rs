//! The mail outbox. A change that causes a mail writes it here in its own transaction
//! ([`enqueue`]) and wakes the mail job after commit ([`wake`]); the job sends it outside
//! any transaction, so a slow SMTP server never holds the database's write lock, and a
//! mail is sent only for a change that was committed. A failed send is tried again with
//! exponential backoff; after [`MAX_ATTEMPTS`] the mail is marked failed, logged, and shown
//! by `portal jobs`.

use crate::error::AppResult;
use crate::server::infra::jobs::Outcome;
use crate::server::infra::mail::OutgoingMail;
use crate::server::AppState;

/// How often the mail job looks for due mails when nothing wakes it.
pub const INTERVAL_SECS: u64 = 30;
/// Attempts before a mail is given up and marked failed.
pub const MAX_ATTEMPTS: i64 = 8;
/// The wait after the first failure; it doubles after each further one.
pub const FIRST_RETRY_MS: i64 = 30_000;
/// The longest wait between two attempts.
pub const MAX_RETRY_MS: i64 = 60 * 60 * 1000;
/// Mails sent per run; the next run takes the rest.
const BATCH: i64 = 50;
/// The time a run may spend sending: a third of the job's lease.
const RUN_BUDGET: std::time::Duration =
    std::time::Duration::from_millis(crate::server::infra::jobs::LEASE_MS as u64 / 3);

/// Queues a mail in the caller's transaction (or as a single insert on a pool).
pub async fn enqueue<'c, E>(db: E, mail: &OutgoingMail, now: i64) -> AppResult<i64>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    enqueue_with(db, mail, None, now).await
}

/// As [`enqueue`], with a file made when the mail is sent: `attachment` names it
/// (`invoice:<id>`, see [`crate::server::billing::invoices::attachment`]), so the outbox
/// keeps no documents and the change that queues the mail renders none.
pub async fn enqueue_with<'c, E>(
    db: E,
    mail: &OutgoingMail,
    attachment: Option<&str>,
    now: i64,
) -> AppResult<i64>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let id = crate::server::new_id();
    sqlx::query(
        "INSERT INTO mail_outbox (id, recipient, subject, body_text, body_html, created_at, next_attempt_at, attachment) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7)",
    )
    .bind(id)
    .bind(&mail.to)
    .bind(&mail.subject)
    .bind(&mail.text)
    .bind(&mail.html)
    .bind(now)
    .bind(attachment)
    .execute(db)
    .await?;
    Ok(id)
}

/// Tells the mail job that a committed change has queued mail, so it runs now rather than
/// at its next interval.
pub fn wake(state: &AppState) {
    state.mail_wake.notify_one();
}

/// The wait before attempt `attempts + 1`, after `attempts` failed ones.
pub fn backoff_ms(attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    FIRST_RETRY_MS
        .saturating_mul(1_i64 << doublings)
        .min(MAX_RETRY_MS)
}

#[derive(sqlx::FromRow)]
struct Due {
    id: i64,
    recipient: String,
    subject: String,
    body_text: String,
    body_html: String,
    attempts: i64,
    attachment: Option<String>,
}

/// The mail job: sends the due mails, oldest first. A mail that cannot be sent is skipped
/// (and retried later), so one bad address never holds up the others.
pub async fn deliver_due(state: &AppState) -> AppResult<Outcome> {
    let due: Vec<Due> = sqlx::query_as(
        "SELECT id, recipient, subject, body_text, body_html, attempts, attachment FROM mail_outbox \
         WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
         ORDER BY next_attempt_at, id LIMIT $2",
    )
    .bind(state.clock.now_ms())
    .bind(BATCH)
    .fetch_all(&state.db.pool)
    .await?;
    let mut outcome = Outcome::default();
    let started = std::time::Instant::now();
    for mail in due {
        // Stop well within the lease, so no other instance takes over and sends a mail twice
        // while a slow server drags this run out; the next run takes the rest.
        if started.elapsed() > RUN_BUDGET {
            break;
        }
        let id = mail.id;
        outcome
            .row(
                format!("mail {id} to {}", mail.recipient),
                deliver(state, mail),
            )
            .await;
    }
    Ok(outcome)
}

async fn deliver(state: &AppState, mail: Due) -> AppResult<bool> {
    let attempts = mail.attempts + 1;
    let reference = mail.attachment.clone();
    let attachments = match &reference {
        Some(r) => crate::server::billing::invoices::attachment(state, r)
            .await
            .map(|a| vec![a])
            .map_err(|e| format!("making the attachment {r}: {e}")),
        None => Ok(Vec::new()),
    };
    let recipient = mail.recipient.clone();
    let sent = match attachments {
        Ok(attachments) => {
            state
                .mailer
                .send(OutgoingMail {
                    to: mail.recipient,
                    subject: mail.subject,
                    text: mail.body_text,
                    html: mail.body_html,
                    attachments,
                })
                .await
        }
        Err(e) => Err(e),
    };
    let now = state.clock.now_ms();
    match sent {
        Ok(()) => {
            if let Some(r) = &reference {
                crate::server::billing::invoices::mark_sent(state, r, &recipient, now).await?;
            }
            sqlx::query("UPDATE mail_outbox SET sent_at = $2, attempts = $3, last_error = NULL WHERE id = $1")
                .bind(mail.id)
                .bind(now)
                .bind(attempts)
                .execute(&state.db.pool)
                .await?;
            Ok(true)
        }
        Err(e) => {
            let give_up = attempts >= MAX_ATTEMPTS;
            sqlx::query(
                "UPDATE mail_outbox SET attempts = $2, last_error = $3, next_attempt_at = $4, failed_at = $5 WHERE id = $1",
            )
            .bind(mail.id)
            .bind(attempts)
            .bind(&e)
            .bind(now + backoff_ms(attempts))
            .bind(give_up.then_some(now))
            .execute(&state.db.pool)
            .await?;
            if give_up {
                tracing::error!(mail = mail.id, attempts, error = %e, "a mail failed for good; see portal jobs");
            }
            Err(crate::server::internal(format!(
                "attempt {attempts} of {MAX_ATTEMPTS} failed{}: {e}",
                if give_up { ", given up" } else { "" }
            )))
        }
    }
}

/// A mail that was given up, for the operator.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FailedMail {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub created_at: i64,
    pub failed_at: i64,
    pub attempts: i64,
    pub last_error: Option<String>,
}

/// The mails given up on, newest first; and how many mails wait to be sent.
pub async fn failed_and_pending(state: &AppState) -> AppResult<(Vec<FailedMail>, i64)> {
    let failed = sqlx::query_as(
        "SELECT id, recipient, subject, created_at, failed_at, attempts, last_error FROM mail_outbox \
         WHERE failed_at IS NOT NULL ORDER BY failed_at DESC, id LIMIT 100",
    )
    .fetch_all(&state.db.pool)
    .await?;
    let pending = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL",
    )
    .fetch_one(&state.db.pool)
    .await?;
    Ok((failed, pending))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_doubling_up_to_an_hour() {
        assert_eq!(backoff_ms(1), 30_000);
        assert_eq!(backoff_ms(2), 60_000);
        assert_eq!(backoff_ms(3), 120_000);
        assert_eq!(backoff_ms(7), 1_920_000);
        assert_eq!(backoff_ms(8), MAX_RETRY_MS);
        assert_eq!(backoff_ms(100), MAX_RETRY_MS);
    }
}
