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

pub async fn load(state: &AppState, shop_id: i64, time_zone: &str) -> AppResult<Dashboard> {
    let pool = &state.db.pool;
    let now = state.clock.now_ms();
    let tz = TimeZone::get(time_zone).unwrap_or(TimeZone::UTC);
    let (balance, reserved): (i64, i64) = sqlx::query_as(
        "SELECT balance_cents, reserved_cents FROM shop_balances WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_optional(pool)
    .await?
    .unwrap_or((0, 0));
    // Everything posted since the last payout has not been paid out yet.
    let unpaid: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM movements WHERE shop_id = $1 AND seq > \
         COALESCE((SELECT MAX(seq) FROM movements WHERE shop_id = $1 AND kind = 'PAYOUT'), 0)",
    )
    .bind(shop_id)
    .fetch_one(pool)
    .await?;

    let starts = day_starts(now, &tz, CHART_DAYS);
    let (first, end) = (starts[0].1, starts[starts.len() - 1].1);
    // One scan over the 30 days: a paid count, gross and net per window, gross per day.
    let mut columns = Vec::new();
    for (label, from) in [
        ("today", starts[starts.len() - 2].1),
        ("week", starts[starts.len() - 8].1),
        ("month", first),
    ] {
        columns.push(format!(
            "CAST(COALESCE(SUM(CASE WHEN created_at >= {from} THEN 1 ELSE 0 END), 0) AS BIGINT) AS {label}_n"
        ));
        columns.push(format!(
            "CAST(COALESCE(SUM(CASE WHEN created_at >= {from} THEN amount_cents ELSE 0 END), 0) AS BIGINT) AS {label}_g"
        ));
        columns.push(format!(
            "CAST(COALESCE(SUM(CASE WHEN created_at >= {from} THEN net_cents ELSE 0 END), 0) AS BIGINT) AS {label}_net"
        ));
    }
    for pair in starts.windows(2) {
        let (a, b) = (pair[0].1, pair[1].1);
        columns.push(format!(
            "CAST(COALESCE(SUM(CASE WHEN created_at >= {a} AND created_at < {b} THEN amount_cents ELSE 0 END), 0) AS BIGINT)"
        ));
    }
    let sql = format!(
        "SELECT {} FROM transactions WHERE shop_id = $1 AND created_at >= $2 AND created_at < $3 AND paid_at IS NOT NULL",
        columns.join(", ")
    );
    let row = sqlx::query(&sql)
        .bind(shop_id)
        .bind(first)
        .bind(end)
        .fetch_one(pool)
        .await?;
    let get = |i: usize| -> i64 { row.get::<i64, _>(i) };
    let window = |label: &str, i: usize| Window {
        label: label.to_string(),
        count: get(i),
        gross: Money::from_cents(get(i + 1)),
        net: Money::from_cents(get(i + 2)),
    };
    let windows = vec![
        window("Today", 0),
        window("Last 7 days", 3),
        window("Last 30 days", 6),
    ];
    let days = starts
        .windows(2)
        .enumerate()
        .map(|(i, pair)| DayGross {
            date: pair[0].0.to_string(),
            label: pair[0].0.strftime("%b %-d").to_string(),
            gross: Money::from_cents(get(9 + i)),
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
}
