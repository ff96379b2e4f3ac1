//! Server-side services, one folder per capability; the SQL sits in small functions that
//! take an executor. Services return `crate::model` types and never import `api/` or
//! `pages/` (a test in this module checks it).

pub mod billing;
pub mod identity;
pub mod infra;
pub mod ledger;
pub mod links;
pub mod operations;
pub mod payments;
pub mod payouts;
pub mod refunds;
pub mod reporting;
pub mod requests;
pub mod settings;
pub mod state;
pub mod statements;

pub use state::AppState;

use infra::jobs::Job;

/// Brings the database up to date: the migrations, then what they leave to the
/// application (the folded search text of rows written before it existed).
pub async fn migrate(db: &infra::db::Db) -> Result<(), sqlx::migrate::MigrateError> {
    db.migrate().await?;
    reporting::search::backfill(db)
        .await
        .map(|_| ())
        .map_err(sqlx::migrate::MigrateError::Execute)
}
use std::time::Duration;

/// Every background job of the portal, each run by `infra::jobs` and defined by its
/// capability: payment expiry, refund-account expiry, and mail (reset requests become
/// mails first, so they go out in the same run).
pub fn jobs() -> Vec<Job> {
    vec![
        Job {
            name: payments::pay::EXPIRY_JOB,
            every: Duration::from_secs(payments::pay::EXPIRY_INTERVAL_SECS),
            run: |s| Box::pin(payments::pay::expire_unfinished(s)),
        },
        Job {
            name: refunds::refund_accounts::EXPIRY_JOB,
            every: Duration::from_secs(refunds::refund_accounts::EXPIRY_INTERVAL_SECS),
            run: |s| Box::pin(refunds::refund_accounts::expire_due(s)),
        },
        Job {
            name: payouts::run::JOB,
            every: Duration::from_secs(payouts::run::INTERVAL_SECS),
            run: |s| Box::pin(payouts::run::run_today(s)),
        },
        Job {
            name: billing::monthly::JOB,
            every: Duration::from_secs(billing::monthly::INTERVAL_SECS),
            run: |s| Box::pin(billing::monthly::run_due(s)),
        },
        Job {
            name: infra::jobs::MAIL,
            every: Duration::from_secs(infra::outbox::INTERVAL_SECS),
            run: |s| {
                Box::pin(async move {
                    // Reset requests become mails first, so they go out in the same run.
                    let prepared = identity::auth::prepare_reset_mails(s).await?;
                    let mut delivered = infra::outbox::deliver_due(s).await?;
                    delivered.done += prepared.done;
                    delivered.failed += prepared.failed;
                    delivered.errors.extend(prepared.errors);
                    Ok(delivered)
                })
            },
        },
    ]
}

use crate::error::AppError;

/// Turns an unexpected failure into `AppError::Internal`, logging its cause chain.
pub fn internal(err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "internal error");
    infra::jobs::note_internal(&err.to_string());
    AppError::Internal
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        internal(err)
    }
}

/// Sets the HTTP status of the current response from the outcome of a server function, so
/// that a page or a server function call answers 403/404/422 rather than 200 or 500.
pub fn respond<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let Err(e) = &result {
        if let Some(opts) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            opts.set_status(e.status());
            if let AppError::TooManyAttempts { retry_after_secs } = e {
                opts.insert_header(
                    http::header::RETRY_AFTER,
                    http::HeaderValue::from(*retry_after_secs),
                );
            }
        }
    }
    result
}

/// The shop an operator command names by its slug: `(shop id, merchant id)`, or the field
/// error that says there is no such shop.
pub async fn shop_by_slug(
    conn: &mut sqlx::AnyConnection,
    slug: &str,
) -> Result<(i64, i64), AppError> {
    let found: Option<(i64, i64)> =
        sqlx::query_as("SELECT id, merchant_id FROM shops WHERE slug = $1")
            .bind(slug)
            .fetch_optional(conn)
            .await?;
    found.ok_or_else(|| AppError::field("shop", format!("There is no shop {slug:?}.")))
}

/// A new random positive 63-bit id.
pub fn new_id() -> i64 {
    use rand::Rng;
    rand::thread_rng().gen_range(1..i64::MAX)
}

/// A UTC instant shown in the given IANA time zone, e.g. `2026-11-23 16:05`.
pub fn format_time(ms: i64, time_zone: &str) -> String {
    let Ok(ts) = jiff::Timestamp::from_millisecond(ms) else {
        return String::new();
    };
    let tz = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    ts.to_zoned(tz).strftime("%Y-%m-%d %H:%M").to_string()
}

/// The start of `date` (`YYYY-MM-DD`) plus `add_days` days, in the zone, as UTC milliseconds.
pub fn parse_local_date(date: &str, time_zone: &str, add_days: i64) -> Result<i64, String> {
    let d: jiff::civil::Date = date
        .parse()
        .map_err(|_| format!("Enter a date as YYYY-MM-DD (got {date:?})."))?;
    let d = d
        .checked_add(jiff::Span::new().days(add_days))
        .map_err(|_| "This date is out of range.".to_string())?;
    let tz = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    d.to_zoned(tz)
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|_| "This date is out of range.".to_string())
}

/// The Content-Security-Policy nonce of the current response, set by the server's middleware
/// and put on the hydration scripts by the shell.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// Makes this request's CSP nonce available to Leptos (call while rendering the shell).
pub fn provide_request_nonce() {
    use leptos::prelude::*;
    if let Some(parts) = use_context::<http::request::Parts>() {
        if let Some(n) = parts.extensions.get::<CspNonce>() {
            provide_context(leptos::nonce::Nonce::from_value(n.0.clone()));
        }
    }
}
