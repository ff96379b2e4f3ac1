//! The provider's banking calendar as stored: the country's built-in holidays
//! (`domain::calendar`) with the days an operator closed or opened on top, kept in
//! `bank_calendar_days` because some governments move working days by decree.

use crate::domain::calendar::{Calendar, Day};
use crate::error::{AppError, AppResult};
use crate::server::AppState;

/// The banking calendar of the provider's country, with the operator's exceptions.
pub async fn load(state: &AppState) -> AppResult<Calendar> {
    let mut cal = Calendar::of(&state.bank_country).ok_or_else(|| {
        tracing::error!(country = %state.bank_country, "no built-in banking calendar");
        AppError::Internal
    })?;
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT day, open FROM bank_calendar_days WHERE country = $1")
            .bind(&state.bank_country)
            .fetch_all(&state.db.pool)
            .await?;
    for (day, open) in rows {
        let Some(d) = Day::parse(&day) else {
            tracing::warn!(day = %day, "a calendar exception that is not a date is ignored");
            continue;
        };
        if open == 1 {
            cal.opened.insert(d);
        } else {
            cal.closed.insert(d);
        }
    }
    Ok(cal)
}

/// One exception as the operator's listing shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exception {
    pub day: Day,
    pub open: bool,
    pub note: String,
}

fn day_arg(s: &str) -> AppResult<Day> {
    Day::parse(s).ok_or_else(|| AppError::field("date", "Give the date as YYYY-MM-DD."))
}

/// Closes (`open` false) or opens a day of the provider's calendar, replacing an earlier
/// exception for that day.
pub async fn set(state: &AppState, date: &str, open: bool, note: &str) -> AppResult<Day> {
    let day = day_arg(date)?;
    let note = note.trim();
    if note.is_empty() || note.chars().count() > 200 {
        return Err(AppError::field(
            "note",
            "Say why, in at most 200 characters (e.g. \"Restoration of Independence Day moved by decree\").",
        ));
    }
    if open {
        let base = Calendar::of(&state.bank_country).ok_or(AppError::Internal)?;
        match base.closed_because(day) {
            None => {
                return Err(AppError::field(
                    "date",
                    format!("{day} is a banking day already."),
                ))
            }
            Some(why)
                if day.is_weekend()
                    || crate::domain::calendar::TARGET2
                        .iter()
                        .any(|r| r.name() == why) =>
            {
                return Err(AppError::field(
                    "date",
                    format!("{day} cannot be opened: {why}, SEPA transfers do not settle then."),
                ))
            }
            Some(_) => {}
        }
    }
    let mut tx = state.db.begin_write().await?;
    sqlx::query("DELETE FROM bank_calendar_days WHERE country = $1 AND day = $2")
        .bind(&state.bank_country)
        .bind(day.to_string())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO bank_calendar_days (country, day, open, note, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&state.bank_country)
    .bind(day.to_string())
    .bind(i64::from(open))
    .bind(note)
    .bind(state.clock.now_ms())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(day)
}

/// Removes the exception of a day (the built-in calendar applies again); false if none.
pub async fn clear(state: &AppState, date: &str) -> AppResult<bool> {
    let day = day_arg(date)?;
    let done = sqlx::query("DELETE FROM bank_calendar_days WHERE country = $1 AND day = $2")
        .bind(&state.bank_country)
        .bind(day.to_string())
        .execute(&state.db.pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Every closing day of a year that is not a weekend, with its reason, as the payouts see
/// it (exceptions included); and the exceptions of that year.
pub async fn year(state: &AppState, year: i32) -> AppResult<(Vec<(Day, String)>, Vec<Exception>)> {
    let cal = load(state).await?;
    let closed = cal
        .holidays(year)
        .into_iter()
        .map(|(d, why)| (d, why.to_string()))
        .collect();
    let rows: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT day, open, note FROM bank_calendar_days WHERE country = $1 AND day LIKE $2 ORDER BY day",
    )
    .bind(&state.bank_country)
    .bind(format!("{year:04}-%"))
    .fetch_all(&state.db.pool)
    .await?;
    let exceptions = rows
        .into_iter()
        .filter_map(|(day, open, note)| {
            Some(Exception {
                day: Day::parse(&day)?,
                open: open == 1,
                note,
            })
        })
        .collect();
    Ok((closed, exceptions))
}
