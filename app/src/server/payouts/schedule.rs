//! Each shop's payout frequency: every banking day, a weekday, or a day of the month. A
//! change takes effect from the next cycle — the payout the old frequency has already
//! scheduled still happens, the new one applies from the day after it — and is audited.
//! The page shows the next five payout days from the real calendar, the change included.

use crate::domain::calendar::{Calendar, Day, Frequency, WEEKDAYS};
use crate::error::{AppError, AppResult};
use crate::model::payouts::{PayoutDay, PayoutSchedule};
use crate::server::identity::access::ShopAccess;
use crate::server::identity::audit::{self, AuditEvent};
use crate::server::payouts::calendar;
use crate::server::AppState;

/// A shop's frequency in force and the change waiting for its first day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stored {
    pub current: Frequency,
    pub pending: Option<(Frequency, Day)>,
}

impl Stored {
    /// The frequency in force on `d`.
    pub fn on(&self, d: Day) -> Frequency {
        match self.pending {
            Some((f, from)) if d >= from => f,
            _ => self.current,
        }
    }

    /// The next `n` payout days from `from` on: the frequency in force before the change's
    /// first day, the new one from it.
    pub fn next_dates(&self, cal: &Calendar, from: Day, n: usize) -> Vec<Day> {
        match self.pending {
            None => self.current.next_dates(cal, from, n),
            Some((f, start)) => {
                let mut out: Vec<Day> = if from < start {
                    self.current
                        .next_dates(cal, from, n)
                        .into_iter()
                        .filter(|d| *d < start)
                        .collect()
                } else {
                    Vec::new()
                };
                let rest = n - out.len();
                out.extend(f.next_dates(cal, start.max(from), rest));
                out
            }
        }
    }

    /// Whether the shop is paid out on `d`.
    pub fn pays_on(&self, cal: &Calendar, d: Day) -> bool {
        self.next_dates(cal, d, 1).first() == Some(&d)
    }
}

fn from_columns(every: &str, day: i64) -> Option<Frequency> {
    let day = u8::try_from(day).ok()?;
    match every {
        "daily" => Some(Frequency::Daily),
        "weekly" => Some(Frequency::Weekly { weekday: day }),
        "monthly" => Some(Frequency::Monthly { day }),
        _ => None,
    }
}

fn to_columns(f: Frequency) -> (&'static str, i64) {
    match f {
        Frequency::Daily => ("daily", 0),
        Frequency::Weekly { weekday } => ("weekly", i64::from(weekday)),
        Frequency::Monthly { day } => ("monthly", i64::from(day)),
    }
}

/// The form's fields as a frequency, or the message naming what to fix.
pub fn parse_choice(every: &str, weekday: &str, day: &str) -> AppResult<Frequency> {
    let number = |field: &'static str, v: &str, msg: &'static str| {
        v.trim()
            .parse::<u8>()
            .map_err(|_| AppError::field(field, msg))
    };
    let f = match every.trim() {
        "daily" => Frequency::Daily,
        "weekly" => Frequency::Weekly {
            weekday: number(
                "weekday",
                weekday,
                "Choose a weekday from Monday to Friday.",
            )?,
        },
        "monthly" => Frequency::Monthly {
            day: number("day", day, "Choose a day of the month from 1 to 31.")?,
        },
        _ => {
            return Err(AppError::field(
                "every",
                "Choose every banking day, once a week or once a month.",
            ))
        }
    };
    f.checked().map_err(|m| {
        AppError::field(
            if matches!(f, Frequency::Weekly { .. }) {
                "weekday"
            } else {
                "day"
            },
            m,
        )
    })
}

type Row = (
    String,
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
);

async fn read(
    conn: &mut sqlx::AnyConnection,
    shop_id: i64,
) -> AppResult<(Stored, Option<String>, Option<String>)> {
    let (every, day, next_every, next_day, next_from, iban, holder): Row = sqlx::query_as(
        "SELECT payout_every, payout_day, payout_next_every, payout_next_day, payout_next_from, \
         payout_iban, payout_holder FROM shops WHERE id = $1",
    )
    .bind(shop_id)
    .fetch_one(&mut *conn)
    .await?;
    let current = from_columns(&every, day).ok_or_else(|| {
        tracing::error!(shop_id, every = %every, day, "a stored payout frequency cannot be read");
        AppError::Internal
    })?;
    let pending = match (next_every, next_day, next_from) {
        (Some(e), Some(d), Some(from)) => from_columns(&e, d).zip(Day::parse(&from)),
        _ => None,
    };
    Ok((Stored { current, pending }, iban, holder))
}

/// A shop's stored schedule.
pub async fn stored(state: &AppState, shop_id: i64) -> AppResult<Stored> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(read(&mut conn, shop_id).await?.0)
}

/// Today in the shop's time zone.
pub fn today(now_ms: i64, time_zone: &str) -> Day {
    let tz = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let d = jiff::Timestamp::from_millisecond(now_ms)
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH)
        .to_zoned(tz)
        .date();
    Day::new(i32::from(d.year()), d.month() as u8, d.day() as u8).expect("a civil date")
}

fn day_out(d: Day) -> PayoutDay {
    PayoutDay {
        date: d.to_string(),
        weekday: WEEKDAYS[usize::from(d.weekday()) - 1].to_string(),
    }
}

/// The shop's schedule for its page: in force today, a waiting change, the next five days.
pub async fn load(state: &AppState, a: &ShopAccess) -> AppResult<PayoutSchedule> {
    let mut conn = state.db.pool.acquire().await?;
    let (stored, iban, holder) = read(&mut conn, a.shop_id).await?;
    drop(conn);
    let cal = calendar::load(state).await?;
    let today = today(state.clock.now_ms(), &a.time_zone);
    let in_force = stored.on(today);
    let pending = stored
        .pending
        .filter(|(_, from)| *from > today)
        .map(|(f, from)| (f, f.describe(), from.to_string()));
    Ok(PayoutSchedule {
        frequency: in_force,
        describe: in_force.describe(),
        pending,
        next: stored
            .next_dates(&cal, today, 5)
            .into_iter()
            .map(day_out)
            .collect(),
        country: state.bank_country.clone(),
        iban: iban.map(|i| {
            crate::domain::iban::Iban::parse(&i)
                .map(|x| x.grouped())
                .unwrap_or(i)
        }),
        holder,
        can_change: a.role.allows(crate::domain::Permission::ShopSettings),
    })
}

/// Changes the shop's frequency from its next cycle: the payout the frequency in force has
/// scheduled (today's, if today is one) still happens; the new frequency applies from the
/// day after it. Choosing the frequency in force again withdraws a waiting change.
pub async fn set_frequency(
    state: &AppState,
    a: &ShopAccess,
    f: Frequency,
) -> AppResult<PayoutSchedule> {
    let f = f.checked().map_err(|m| AppError::field("every", m))?;
    let cal = calendar::load(state).await?;
    let today = today(state.clock.now_ms(), &a.time_zone);
    let mut tx = state.db.begin_write().await?;
    let (stored, _, _) = read(&mut tx, a.shop_id).await?;
    // A change whose day has come is the frequency in force now.
    let current = stored.on(today);
    let before = match stored.pending.filter(|(_, from)| *from > today) {
        Some((p, from)) => format!("{} (from {from}: {})", current.describe(), p.describe()),
        None => current.describe(),
    };
    let (every, day) = to_columns(current);
    let (after, next) = if f == current {
        (current.describe(), None)
    } else {
        let last_old = Stored {
            current,
            pending: None,
        }
        .next_dates(&cal, today, 1)
        .first()
        .copied()
        .unwrap_or(today);
        let from = last_old.plus(1);
        (format!("{} from {from}", f.describe()), Some((f, from)))
    };
    if after == before {
        tx.commit().await?;
        return load(state, a).await;
    }
    let (next_every, next_day) = match next {
        Some((f, _)) => {
            let (e, d) = to_columns(f);
            (Some(e), Some(d))
        }
        None => (None, None),
    };
    sqlx::query(
        "UPDATE shops SET payout_every = $1, payout_day = $2, payout_next_every = $3, \
         payout_next_day = $4, payout_next_from = $5 WHERE id = $6",
    )
    .bind(every)
    .bind(day)
    .bind(next_every)
    .bind(next_day)
    .bind(next.map(|(_, from)| from.to_string()))
    .bind(a.shop_id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut *tx,
        AuditEvent {
            before: Some(before),
            after: Some(after),
            ..AuditEvent::in_shop("payout_frequency", a, state.clock.now_ms())
        },
    )
    .await?;
    tx.commit().await?;
    load(state, a).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    #[test]
    fn a_change_applies_from_the_day_after_the_old_cycles_payout() {
        let ee = Calendar::of("EE").unwrap();
        // Monthly on the 15th, changed on 2026-12-01 to every Friday: the 15 December payout
        // still happens, Fridays from the 16th.
        let s = Stored {
            current: Frequency::Monthly { day: 15 },
            pending: Some((Frequency::Weekly { weekday: 5 }, day("2026-12-16"))),
        };
        let got: Vec<String> = s
            .next_dates(&ee, day("2026-12-01"), 5)
            .into_iter()
            .map(|d| d.to_string())
            .collect();
        // 25 December, a Friday, is closed: that week's payout moves to Monday the 28th; so
        // does 1 January 2027's, to Monday the 4th.
        assert_eq!(
            got,
            [
                "2026-12-15",
                "2026-12-18",
                "2026-12-28",
                "2027-01-04",
                "2027-01-08"
            ]
        );
        let fridays: Vec<String> = Frequency::Weekly { weekday: 5 }
            .next_dates(&ee, day("2026-12-16"), 4)
            .into_iter()
            .map(|d| d.to_string())
            .collect();
        assert_eq!(
            fridays,
            ["2026-12-18", "2026-12-28", "2027-01-04", "2027-01-08"]
        );
        assert!(s.pays_on(&ee, day("2026-12-15")));
        assert!(!s.pays_on(&ee, day("2026-12-16")));
        assert_eq!(s.on(day("2026-12-15")), Frequency::Monthly { day: 15 });
        assert_eq!(s.on(day("2026-12-16")), Frequency::Weekly { weekday: 5 });
    }

    #[test]
    fn the_form_is_read_with_messages_naming_the_field() {
        assert_eq!(parse_choice("daily", "", "").unwrap(), Frequency::Daily);
        assert_eq!(
            parse_choice("weekly", "5", "").unwrap(),
            Frequency::Weekly { weekday: 5 }
        );
        assert_eq!(
            parse_choice("monthly", "", "31").unwrap(),
            Frequency::Monthly { day: 31 }
        );
        let field = |r: AppResult<Frequency>| match r {
            Err(AppError::Validation(f)) => f.0.iter().next().map(|(k, _)| k.to_string()).unwrap(),
            other => panic!("{other:?}"),
        };
        assert_eq!(field(parse_choice("weekly", "6", "")), "weekday");
        assert_eq!(field(parse_choice("weekly", "", "")), "weekday");
        assert_eq!(field(parse_choice("monthly", "", "32")), "day");
        assert_eq!(field(parse_choice("hourly", "", "")), "every");
    }
}
