//! The shop's dashboard figures: balance, reservations, what has not been paid out, paid
//! totals for today / 7 / 30 days, daily gross for 30 days and the latest payments.

use crate::domain::tx_filter::SortKey;
use crate::domain::Money;
use crate::error::AppResult;
use crate::model::dashboard::{Dashboard, DayGross, Window};
use crate::server::reporting::tx_list::{self, Checked};
use crate::server::AppState;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use sqlx::Row;

pub const CHART_DAYS: i64 = 30;
pub const LATEST: i64 = 10;
/// The unit of `shop_paid_quarters`: a quarter of an hour, in milliseconds.
const QUARTER_MS: i64 = 900_000;

/// The starts of the last `days` local days and of tomorrow, as UTC milliseconds.
pub fn day_starts(now_ms: i64, tz: &TimeZone, days: i64) -> Vec<(jiff::civil::Date, i64)> {
    let today = Timestamp::from_millisecond(now_ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(tz.clone())
        .date();
    (-(days - 1)..=1)
        .filter_map(|offset| {
            let d = today.checked_add(offset.days()).ok()?;
            let ms = d.to_zoned(tz.clone()).ok()?.timestamp().as_millisecond();
            Some((d, ms))
        })
        .collect()
}

/// Everything posted since the shop's last payout, not yet paid out: the shop's balance
/// (the balance after its latest movement, kept in `shop_balances`) less the balance after
/// the last PAYOUT movement (0 before the first payout), as each movement's balance-after
/// is the running sum. Two lookups, on the balance row and on (shop_id, kind, seq), instead
/// of summing every movement since. (Asking `movements` for the shop's latest row instead
/// let SQLite's planner pick the (shop_id, at, seq) index and sort 4.5 million rows: 0.9 s.)
pub async fn unpaid_cents(pool: &sqlx::AnyPool, shop_id: i64) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COALESCE((SELECT balance_cents FROM shop_balances WHERE shop_id = $1), 0) \
                   - COALESCE((SELECT balance_after_cents FROM movements WHERE shop_id = $1 AND kind = 'PAYOUT' \
                               ORDER BY seq DESC LIMIT 1), 0) AS BIGINT)",
    )
    .bind(shop_id)
    .fetch_one(pool)
    .await?)
}

/// The dashboard of live payments, or of test payments (`test_mode`): test payments have no
/// balance, so its balance figures are then zero and the page says why.
pub async fn load(
    state: &AppState,
    shop_id: i64,
    time_zone: &str,
    test_mode: bool,
) -> AppResult<Dashboard> {
    let pool = &state.db.pool;
    let now = state.clock.now_ms();
    let tz = TimeZone::get(time_zone).unwrap_or(TimeZone::UTC);
    let (balance, reserved): (i64, i64) = sqlx::query_as(
        "SELECT balance_cents, reserved_cents FROM shop_balances WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_optional(pool)
    .await?
    .filter(|_| !test_mode)
    .unwrap_or((0, 0));
    let unpaid = if test_mode {
        0
    } else {
        unpaid_cents(pool, shop_id).await?
    };

    let starts = day_starts(now, &tz, CHART_DAYS);
    // Paid count, gross and net per local day, from the per-quarter-hour totals that
    // triggers keep (migration 0013): every local day starts on a quarter of an hour, so a
    // day is one range of at most 100 rows of `shop_paid_quarters`, however busy the shop.
    // The windows add up days in Rust. Live or test payments, as the user looks at them.
    let sql = starts
        .windows(2)
        .enumerate()
        .map(|(i, pair)| {
            format!(
                "SELECT CAST({i} AS BIGINT) AS day, CAST(COALESCE(SUM(paid), 0) AS BIGINT) AS paid, \
                 CAST(COALESCE(SUM(gross_cents), 0) AS BIGINT) AS gross, \
                 CAST(COALESCE(SUM(net_cents), 0) AS BIGINT) AS net FROM shop_paid_quarters \
                 WHERE shop_id = $1 AND test_mode = {} AND quarter >= {} AND quarter < {}",
                i64::from(test_mode),
                pair[0].1.div_euclid(QUARTER_MS),
                pair[1].1.div_euclid(QUARTER_MS)
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    let mut per_day = vec![(0i64, 0i64, 0i64); starts.len() - 1];
    for row in sqlx::query(&sql).bind(shop_id).fetch_all(pool).await? {
        let day: i64 = row.get("day");
        if let Some(d) = usize::try_from(day).ok().and_then(|d| per_day.get_mut(d)) {
            *d = (row.get("paid"), row.get("gross"), row.get("net"));
        }
    }
    let window = |label: &str, days: usize| {
        let last = &per_day[per_day.len().saturating_sub(days)..];
        Window {
            label: label.to_string(),
            count: last.iter().map(|d| d.0).sum(),
            gross: Money::from_cents(last.iter().map(|d| d.1).sum()),
            net: Money::from_cents(last.iter().map(|d| d.2).sum()),
        }
    };
    let windows = vec![
        window("Today", 1),
        window("Last 7 days", 7),
        window("Last 30 days", CHART_DAYS as usize),
    ];
    let days = starts
        .windows(2)
        .zip(&per_day)
        .map(|(pair, d)| DayGross {
            date: pair[0].0.to_string(),
            label: pair[0].0.strftime("%b %-d").to_string(),
            gross: Money::from_cents(d.1),
        })
        .collect();

    let latest = tx_list::page(
        pool,
        &Checked {
            shop_id,
            from_ms: None,
            to_ms: None,
            status: None,
            channel: None,
            min_cents: None,
            max_cents: None,
            q: None,
            link: None,
            sort: SortKey::Time,
            descending: true,
            size: LATEST,
            after: None,
            before: None,
            test_mode,
        },
    )
    .await?;
    Ok(Dashboard {
        balance: Money::from_cents(balance),
        reserved: Money::from_cents(reserved),
        unpaid: Money::from_cents(unpaid),
        windows,
        days,
        latest: latest
            .rows
            .into_iter()
            .map(|r| tx_list::table_row(r, time_zone))
            .collect(),
        time_zone: time_zone.to_string(),
        test_mode,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_local_days_end_with_today() {
        let tz = TimeZone::get("Europe/Tallinn").unwrap();
        let now = "2026-03-31T22:30:00Z"
            .parse::<Timestamp>()
            .unwrap()
            .as_millisecond();
        let s = day_starts(now, &tz, 30);
        assert_eq!(s.len(), 31);
        assert_eq!(s[29].0.to_string(), "2026-04-01", "today in Tallinn");
        assert_eq!(s[30].0.to_string(), "2026-04-02");
        assert_eq!(s[0].0.to_string(), "2026-03-03");
        // The day of the switch to summer time is 23 hours long.
        let i = s
            .iter()
            .position(|d| d.0.to_string() == "2026-03-29")
            .unwrap();
        assert_eq!(s[i + 1].1 - s[i].1, 23 * 3_600_000);
    }

    #[test]
    fn every_local_day_starts_on_a_quarter_of_an_hour() {
        let now = "2026-03-31T22:30:00Z"
            .parse::<Timestamp>()
            .unwrap()
            .as_millisecond();
        for zone in [
            "Europe/Tallinn",
            "Asia/Kolkata",
            "Asia/Kathmandu",
            "Australia/Lord_Howe",
            "America/St_Johns",
            "Pacific/Chatham",
        ] {
            let tz = TimeZone::get(zone).unwrap();
            for (day, ms) in day_starts(now, &tz, 400) {
                assert_eq!(ms.rem_euclid(QUARTER_MS), 0, "{zone} {day}");
            }
        }
    }
}
