//! The account statement of a shop and period: the opening balance, every movement in
//! posting order with the balance after it, the closing balance, and totals per type.
//!
//! A period is a range of the shop's posting numbers (`seq`): from the first movement at or
//! after its start to the first at or after its end. So every movement belongs to exactly
//! one period, and opening + credits − debits = closing holds by construction (each
//! movement's balance-after is the running sum). Each bound, the opening and the closing
//! balance is one index lookup, never a sum over history.

use crate::domain::ledger::MovementKind;
use crate::domain::search;
use crate::domain::{FieldErrors, Money};
use crate::error::{AppError, AppResult};
use crate::model::statement::{
    KindTotal, StatementFilter, StatementPage, StatementRow, StatementTotals, PAGE_SIZE,
};
use crate::server::infra::db::DbKind;
use crate::server::payouts::cover::Cover;
use crate::server::reporting::tx_list::{fts_query, period_range};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::ToSpan;

/// A checked filter: the period in UTC milliseconds and its days, and the row filters.
#[derive(Clone, Debug, PartialEq)]
pub struct Checked {
    pub from_ms: i64,
    pub to_ms: i64,
    pub first_day: Date,
    pub last_day: Date,
    pub label: String,
    pub kind: Option<MovementKind>,
    /// The folded search term.
    pub q: Option<String>,
    pub after: Option<i64>,
    pub before: Option<i64>,
}

/// The longest custom period, in days.
pub const MAX_DAYS: i64 = 366;

fn month_label(d: Date) -> String {
    crate::domain::calendar::month_label(i32::from(d.year()), d.month() as u8)
}

fn day_label(d: Date) -> String {
    format!("{}.{}.{}", d.day(), d.month(), d.year())
}

fn start_of(d: Date, tz: &TimeZone) -> AppResult<i64> {
    d.to_zoned(tz.clone())
        .map(|z| z.timestamp().as_millisecond())
        .map_err(crate::server::internal)
}

/// Checks the filter and says what to fix in each wrong field.
pub fn check(f: &StatementFilter, time_zone: &str, now_ms: i64) -> AppResult<Checked> {
    let tz = TimeZone::get(time_zone).unwrap_or(TimeZone::UTC);
    let mut errors = FieldErrors::default();
    let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let mut period: Option<(Date, Date)> = None;
    match f.period.trim() {
        "" | "this_month" | "last_month" => {
            let p = if f.period.trim() == "last_month" {
                "last_month"
            } else {
                "this_month"
            };
            let (from, _) = period_range(p, now_ms, &tz)
                .ok_or_else(|| crate::server::internal("period out of range"))?;
            let first = jiff::Timestamp::from_millisecond(from)
                .map_err(crate::server::internal)?
                .to_zoned(tz.clone())
                .date();
            period = Some((first, first.last_of_month()));
        }
        "month" => match text(&f.month).map(|m| format!("{m}-01").parse::<Date>()) {
            Some(Ok(first)) if first.year() >= 2000 && first.year() <= 2100 => {
                period = Some((first, first.last_of_month()));
            }
            _ => errors.add("month", "Choose a month (YYYY-MM)."),
        },
        "custom" => {
            let day = |field: &str, v: &str, errors: &mut FieldErrors| match text(v) {
                None => {
                    errors.add(field, "Enter a date as YYYY-MM-DD.");
                    None
                }
                Some(d) => match d.parse::<Date>() {
                    Ok(d) if d.year() >= 2000 && d.year() <= 2100 => Some(d),
                    _ => {
                        errors.add(field, format!("Enter a date as YYYY-MM-DD (got {d:?})."));
                        None
                    }
                },
            };
            let from = day("from", &f.from, &mut errors);
            let to = day("to", &f.to, &mut errors);
            if let (Some(a), Some(b)) = (from, to) {
                if b < a {
                    errors.add("to", "The last day must not be before the first.");
                } else if (b - a).get_days() >= MAX_DAYS as i32 {
                    errors.add(
                        "to",
                        format!("Choose at most {MAX_DAYS} days; for a longer time, download month by month."),
                    );
                } else {
                    period = Some((a, b));
                }
            }
        }
        _ => errors.add("period", "Choose a period from the list."),
    }
    let kind = text(&f.kind).and_then(|k| {
        let kind = MovementKind::parse(&k);
        if kind.is_none() {
            errors.add("kind", "Choose a movement type from the list.");
        }
        kind
    });
    let q = text(&f.q).and_then(|q| match search::check_payment_term(&q) {
        Err(m) => {
            errors.add("q", m);
            None
        }
        Ok(()) => search::term(&q),
    });
    let cursor = |field: &str, v: &str, errors: &mut FieldErrors| {
        text(v).and_then(|c| {
            let n = c.parse::<i64>().ok().filter(|n| *n >= 0);
            if n.is_none() {
                errors.add(
                    field,
                    "This page link is broken: start from the first page.",
                );
            }
            n
        })
    };
    let after = cursor("after", &f.after, &mut errors);
    let before = cursor("before", &f.before, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (first_day, last_day) = period.ok_or_else(|| crate::server::internal("no period"))?;
    let label = if first_day.day() == 1 && last_day == first_day.last_of_month() {
        month_label(first_day)
    } else {
        format!("{} – {}", day_label(first_day), day_label(last_day))
    };
    Ok(Checked {
        from_ms: start_of(first_day, &tz)?,
        to_ms: start_of(
            last_day
                .checked_add(1.day())
                .map_err(crate::server::internal)?,
            &tz,
        )?,
        first_day,
        last_day,
        label,
        kind,
        q,
        after,
        before,
    })
}

/// A period as posting numbers: movements `first <= seq < end`, and the balances around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    pub first: i64,
    pub end: i64,
    pub opening: i64,
    pub closing: i64,
}

/// The first posting number at or after `at_ms`, or the next one to be posted.
async fn first_seq_from(pool: &sqlx::AnyPool, shop_id: i64, at_ms: i64) -> AppResult<i64> {
    let seq: Option<i64> = sqlx::query_scalar(
        "SELECT seq FROM movements WHERE shop_id = $1 AND at >= $2 ORDER BY at, seq LIMIT 1",
    )
    .bind(shop_id)
    .bind(at_ms)
    .fetch_optional(pool)
    .await?;
    match seq {
        Some(s) => Ok(s),
        None => {
            let last: Option<i64> =
                sqlx::query_scalar("SELECT last_seq FROM shop_balances WHERE shop_id = $1")
                    .bind(shop_id)
                    .fetch_optional(pool)
                    .await?;
            Ok(last.unwrap_or(0) + 1)
        }
    }
}

/// The balance after the last movement before posting number `seq` (0 before the first).
async fn balance_before(pool: &sqlx::AnyPool, shop_id: i64, seq: i64) -> AppResult<i64> {
    let b: Option<i64> = sqlx::query_scalar(
        "SELECT balance_after_cents FROM movements WHERE shop_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT 1",
    )
    .bind(shop_id)
    .bind(seq)
    .fetch_optional(pool)
    .await?;
    Ok(b.unwrap_or(0))
}

pub async fn bounds(pool: &sqlx::AnyPool, shop_id: i64, c: &Checked) -> AppResult<Bounds> {
    let first = first_seq_from(pool, shop_id, c.from_ms).await?;
    let end = first_seq_from(pool, shop_id, c.to_ms).await?.max(first);
    Ok(Bounds {
        first,
        end,
        opening: balance_before(pool, shop_id, first).await?,
        closing: balance_before(pool, shop_id, end).await?,
    })
}

/// The movements of the period that the row filters keep, as SQL after `WHERE` with `$n`
/// placeholders from `$4` on (`$1` shop, `$2` first, `$3` end), and the text values to bind.
fn row_filter(kind: DbKind, c: &Checked) -> (String, Vec<String>) {
    let mut sql = String::from("m.shop_id = $1 AND m.seq >= $2 AND m.seq < $3");
    let mut binds = Vec::new();
    if let Some(k) = c.kind {
        binds.push(k.code().to_string());
        sql.push_str(&format!(" AND m.kind = ${}", binds.len() + 3));
    }
    if let Some(term) = &c.q {
        match kind {
            DbKind::Sqlite => {
                binds.push(fts_query(term));
                let a = binds.len() + 3;
                binds.push(term.clone());
                let b = binds.len() + 3;
                sql.push_str(&format!(
                    " AND m.transaction_id IN (SELECT t.id FROM transactions t WHERE t.shop_id = $1 \
                     AND t.id IN (SELECT rowid FROM transactions_search WHERE transactions_search MATCH ${a}) \
                     AND instr(t.search_text, ${b}) > 0)"
                ));
            }
            DbKind::Postgres => {
                binds.push(search::like_infix(term));
                let a = binds.len() + 3;
                sql.push_str(&format!(
                    " AND m.transaction_id IN (SELECT t.id FROM transactions t WHERE t.shop_id = $1 \
                     AND t.search_text LIKE ${a})"
                ));
            }
        }
    }
    (sql, binds)
}

#[derive(sqlx::FromRow)]
struct Stored {
    seq: i64,
    at: i64,
    kind: String,
    amount_cents: i64,
    balance_after_cents: i64,
    transaction_id: Option<i64>,
    refund_id: Option<i64>,
    payout_id: Option<i64>,
    reference: Option<String>,
    note: Option<String>,
    /// The payment's channel and time paid, for its payout (`Cover`).
    channel: Option<String>,
    paid_at: Option<i64>,
}

/// The payout of an INCOME movement is its payment's, read from the shop's payouts; a
/// PAYOUT movement carries its own.
fn payout_of(
    cover: &Cover,
    kind: &str,
    own: Option<i64>,
    channel: Option<&str>,
    paid_at: Option<i64>,
) -> Option<i64> {
    match (own, kind, channel) {
        (Some(p), _, _) => Some(p),
        (None, "INCOME", Some(ch)) => cover.payout_of(ch, paid_at),
        _ => None,
    }
}

fn row_of(r: Stored, time_zone: &str) -> StatementRow {
    let kind = MovementKind::parse(&r.kind);
    let amount = Money::from_cents(r.amount_cents);
    StatementRow {
        seq: r.seq,
        at: crate::server::format_time(r.at, time_zone),
        label: kind.map(MovementKind::label).unwrap_or("").to_string(),
        kind: r.kind,
        debit: (r.amount_cents < 0).then(|| Money::ZERO - amount),
        credit: (r.amount_cents > 0).then_some(amount),
        balance_after: Money::from_cents(r.balance_after_cents),
        reference: r.reference,
        transaction_id: r.transaction_id,
        refund_id: r.refund_id,
        payout_id: r.payout_id,
        note: r.note,
    }
}

/// One page of the period's movements in posting order, with its cursors.
pub async fn page(
    pool: &sqlx::AnyPool,
    kind: DbKind,
    shop_id: i64,
    time_zone: &str,
    c: &Checked,
    b: &Bounds,
) -> AppResult<(Vec<StatementRow>, Option<i64>, Option<i64>)> {
    let (filter, binds) = row_filter(kind, c);
    let backwards = c.before.is_some() && c.after.is_none();
    // The cursor narrows the period's range of posting numbers itself: with a second upper
    // bound beside the period's end, SQLite walked the index from the wrong one (the last
    // page of a month read the whole next month, 21 ms instead of 1).
    let (lo, hi, order) = match (c.after, c.before) {
        (Some(a), _) => (b.first.max(a.saturating_add(1)), b.end, "ASC"),
        (None, Some(bf)) => (b.first, b.end.min(bf), "DESC"),
        (None, None) => (b.first, b.end, "ASC"),
    };
    let sql = format!(
        "SELECT m.seq, m.at, m.kind, m.amount_cents, m.balance_after_cents, m.transaction_id, m.refund_id, \
         m.payout_id, t.reference, c.explanation AS note, t.channel, t.paid_at FROM movements m \
         LEFT JOIN transactions t ON t.id = m.transaction_id LEFT JOIN charges c ON c.id = m.charge_id \
         WHERE {filter} ORDER BY m.seq {order} LIMIT {}",
        PAGE_SIZE + 1
    );
    let mut q = sqlx::query_as::<_, Stored>(&sql)
        .bind(shop_id)
        .bind(lo)
        .bind(hi.max(lo));
    for v in &binds {
        q = q.bind(v.clone());
    }
    let mut rows = q.fetch_all(pool).await?;
    if rows.iter().any(|r| r.kind == "INCOME") {
        let cover = Cover::load(pool, shop_id).await?;
        for r in &mut rows {
            r.payout_id = payout_of(
                &cover,
                &r.kind,
                r.payout_id,
                r.channel.as_deref(),
                r.paid_at,
            );
        }
    }
    let more = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    if backwards {
        rows.reverse();
    }
    let (Some(first), Some(last)) = (rows.first().map(|r| r.seq), rows.last().map(|r| r.seq))
    else {
        return Ok((Vec::new(), None, None));
    };
    // Is there a row of the period in `lo <= seq < hi` (before the first one shown, or
    // after the last one when going backwards)?
    let exists = |lo: i64, hi: i64| {
        let sql =
            format!("SELECT COUNT(*) FROM (SELECT 1 FROM movements m WHERE {filter} LIMIT 1) x");
        let binds = binds.clone();
        async move {
            if lo >= hi {
                return AppResult::Ok(false);
            }
            let mut q = sqlx::query_scalar::<_, i64>(&sql)
                .bind(shop_id)
                .bind(lo)
                .bind(hi);
            for v in binds {
                q = q.bind(v);
            }
            AppResult::Ok(q.fetch_one(pool).await? > 0)
        }
    };
    let (has_prev, has_next) = if backwards {
        (more, exists(last + 1, b.end).await?)
    } else if c.after.is_some() {
        (exists(b.first, first).await?, more)
    } else {
        (false, more)
    };
    Ok((
        rows.into_iter().map(|r| row_of(r, time_zone)).collect(),
        has_prev.then_some(first),
        has_next.then_some(last),
    ))
}

/// The period's page as the statement shows it.
pub async fn load(
    state: &crate::server::AppState,
    shop_id: i64,
    time_zone: &str,
    f: &StatementFilter,
    test_data: bool,
) -> AppResult<StatementPage> {
    let c = check(f, time_zone, state.clock.now_ms())?;
    let pool = &state.db.pool;
    let b = bounds(pool, shop_id, &c).await?;
    let (rows, prev, next) = page(pool, state.db.kind, shop_id, time_zone, &c, &b).await?;
    Ok(StatementPage {
        period: c.label.clone(),
        first_day: c.first_day.to_string(),
        last_day: c.last_day.to_string(),
        time_zone: time_zone.to_string(),
        opening: Money::from_cents(b.opening),
        closing: Money::from_cents(b.closing),
        empty: b.first == b.end,
        rows,
        prev: prev.map(|s| s.to_string()),
        next: next.map(|s| s.to_string()),
        test_data,
    })
}

/// Movements per block of posting numbers in `shop_movement_blocks` (migration 0017).
const BLOCK: i64 = 1024;

type KindSums = Vec<(String, i64, i64, i64)>;

/// Entries, debit and credit per type of the movements `first <= seq < end` that the row
/// filters keep, read from `movements`.
async fn sum_movements(
    pool: &sqlx::AnyPool,
    kind: DbKind,
    shop_id: i64,
    c: &Checked,
    first: i64,
    end: i64,
) -> AppResult<KindSums> {
    if first >= end {
        return Ok(Vec::new());
    }
    let (filter, binds) = row_filter(kind, c);
    let sql = format!(
        "SELECT m.kind, COUNT(*) AS entries, \
         CAST(COALESCE(SUM(CASE WHEN m.amount_cents < 0 THEN -m.amount_cents ELSE 0 END), 0) AS BIGINT) AS debit, \
         CAST(COALESCE(SUM(CASE WHEN m.amount_cents > 0 THEN m.amount_cents ELSE 0 END), 0) AS BIGINT) AS credit \
         FROM movements m WHERE {filter} GROUP BY m.kind"
    );
    let mut q = sqlx::query_as::<_, (String, i64, i64, i64)>(&sql)
        .bind(shop_id)
        .bind(first)
        .bind(end);
    for v in &binds {
        q = q.bind(v.clone());
    }
    Ok(q.fetch_all(pool).await?)
}

/// The period's totals from the whole blocks inside it, plus the partial blocks at its
/// ends read from `movements`: a month of a busy shop is a few hundred block rows and at
/// most 2,046 movements instead of 375,000.
/// Entries, debit and credit (positive cents) per movement type of the shop's postings
/// `first <= seq < end`, whole blocks from their table (the payout page explains a payout
/// by the movements since the previous one this way).
pub async fn sums_between(
    pool: &sqlx::AnyPool,
    kind: DbKind,
    shop_id: i64,
    first: i64,
    end: i64,
) -> AppResult<Vec<(String, i64, i64, i64)>> {
    let day = Date::constant(2000, 1, 1);
    let every = Checked {
        from_ms: 0,
        to_ms: 0,
        first_day: day,
        last_day: day,
        label: String::new(),
        kind: None,
        q: None,
        after: None,
        before: None,
    };
    let b = Bounds {
        first,
        end,
        opening: 0,
        closing: 0,
    };
    block_totals(pool, kind, shop_id, &every, &b).await
}

async fn block_totals(
    pool: &sqlx::AnyPool,
    kind: DbKind,
    shop_id: i64,
    c: &Checked,
    b: &Bounds,
) -> AppResult<KindSums> {
    let (lo, hi) = ((b.first + BLOCK - 1) / BLOCK, b.end / BLOCK);
    if lo >= hi {
        return sum_movements(pool, kind, shop_id, c, b.first, b.end).await;
    }
    let mut sql = String::from(
        "SELECT kind, CAST(SUM(entries) AS BIGINT), CAST(SUM(debit_cents) AS BIGINT), \
         CAST(SUM(credit_cents) AS BIGINT) FROM shop_movement_blocks \
         WHERE shop_id = $1 AND block >= $2 AND block < $3",
    );
    if c.kind.is_some() {
        sql.push_str(" AND kind = $4");
    }
    sql.push_str(" GROUP BY kind");
    let mut q = sqlx::query_as::<_, (String, i64, i64, i64)>(&sql)
        .bind(shop_id)
        .bind(lo)
        .bind(hi);
    if let Some(k) = c.kind {
        q = q.bind(k.code());
    }
    let mut sums = q.fetch_all(pool).await?;
    sums.extend(sum_movements(pool, kind, shop_id, c, b.first, lo * BLOCK).await?);
    sums.extend(sum_movements(pool, kind, shop_id, c, hi * BLOCK, b.end).await?);
    // One line per type.
    let mut merged: KindSums = Vec::new();
    for (k, e, d, cr) in sums {
        match merged.iter_mut().find(|m| m.0 == k) {
            Some(m) => {
                m.1 += e;
                m.2 += d;
                m.3 += cr;
            }
            None => merged.push((k, e, d, cr)),
        }
    }
    Ok(merged)
}

/// A movement as the statement's files write it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Movement {
    pub id: i64,
    pub seq: i64,
    pub at: i64,
    pub kind: String,
    pub amount_cents: i64,
    /// The account's balance after this movement (whatever the row filters leave out).
    pub balance_after_cents: i64,
    pub transaction_id: Option<i64>,
    pub refund_id: Option<i64>,
    pub payout_id: Option<i64>,
    /// The shop's reference of the payment, where the movement belongs to one.
    pub reference: Option<String>,
    /// The payment's channel and time paid (its payout is read from them).
    pub channel: Option<String>,
    pub paid_at: Option<i64>,
}

/// Every movement of the period that the row filters keep, in posting order, in batches
/// through a bounded channel: one query over the period, read natively — SQLite through
/// `rusqlite` on a blocking thread (borrowing each value from the statement), PostgreSQL
/// through a connection of its own that decodes straight from the wire buffer — rather
/// than through the pool's generic driver, which copies every row several times. A file
/// of a million movements holds at most a few batches in memory. A failure ends the
/// stream with the error.
pub fn stream_movements(
    db: &crate::server::infra::db::Db,
    shop_id: i64,
    c: &Checked,
    b: &Bounds,
    batch_size: usize,
) -> tokio::sync::mpsc::Receiver<AppResult<Vec<Movement>>> {
    let batch_size = batch_size.max(1);
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let (filter, binds) = row_filter(db.kind, c);
    let sql = format!(
        "SELECT m.id, m.seq, m.at, m.kind, m.amount_cents, m.balance_after_cents, m.transaction_id, \
         m.refund_id, m.payout_id, t.reference, t.channel, t.paid_at FROM movements m \
         LEFT JOIN transactions t ON t.id = m.transaction_id WHERE {filter} ORDER BY m.seq"
    );
    let (first, end, url, kind) = (b.first, b.end, db.url.clone(), db.kind);
    let pool = db.pool.clone();
    match kind {
        DbKind::Sqlite => {
            tokio::spawn(async move {
                let Some(cover) = cover_or_say(&pool, shop_id, &tx).await else {
                    return;
                };
                let _ = tokio::task::spawn_blocking(move || {
                    let range = (shop_id, first, end, batch_size);
                    if let Err(e) = sqlite_movements(&url, &sql, range, &binds, &cover, &tx) {
                        tracing::error!(error = %e, shop_id, "reading the statement's movements failed");
                        let _ = tx.blocking_send(Err(AppError::Internal));
                    }
                })
                .await;
            });
        }
        DbKind::Postgres => {
            tokio::spawn(async move {
                use futures_util::StreamExt;
                use sqlx::Connection;
                let Some(cover) = cover_or_say(&pool, shop_id, &tx).await else {
                    return;
                };
                let mut native = sqlx::PgConnection::connect(&url).await;
                let mut batch = Vec::with_capacity(batch_size);
                macro_rules! drain {
                    ($rows:expr) => {{
                        let mut rows = $rows;
                        while let Some(row) = rows.next().await {
                            match row {
                                Ok(mut m) => {
                                    m.payout_id = payout_of(&cover, &m.kind, m.payout_id, m.channel.as_deref(), m.paid_at);
                                    batch.push(m)
                                }
                                Err(e) => {
                                    tracing::error!(error = %e, shop_id, "reading the statement's movements failed");
                                    let _ = tx.send(Err(AppError::Internal)).await;
                                    return;
                                }
                            }
                            if batch.len() == batch_size
                                && tx.send(Ok(std::mem::take(&mut batch))).await.is_err()
                            {
                                return;
                            }
                        }
                    }};
                }
                match native.as_mut() {
                    Ok(conn) => {
                        let mut q = sqlx::query_as::<sqlx::Postgres, Movement>(&sql)
                            .bind(shop_id)
                            .bind(first)
                            .bind(end);
                        for v in &binds {
                            q = q.bind(v);
                        }
                        drain!(q.fetch(conn));
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "no native connection for the statement's movements");
                        let mut q = sqlx::query_as::<_, Movement>(&sql)
                            .bind(shop_id)
                            .bind(first)
                            .bind(end);
                        for v in &binds {
                            q = q.bind(v);
                        }
                        drain!(q.fetch(&pool));
                    }
                }
                if !batch.is_empty() {
                    let _ = tx.send(Ok(batch)).await;
                }
            });
        }
    }
    rx
}

/// The shop's payouts for the stream's INCOME rows; a failure to read them ends the stream
/// with the error.
async fn cover_or_say(
    pool: &sqlx::AnyPool,
    shop_id: i64,
    tx: &tokio::sync::mpsc::Sender<AppResult<Vec<Movement>>>,
) -> Option<Cover> {
    match Cover::load(pool, shop_id).await {
        Ok(c) => Some(c),
        Err(e) => {
            let _ = tx.send(Err(e)).await;
            None
        }
    }
}

fn sqlite_movements(
    url: &str,
    sql: &str,
    (shop_id, first, end, batch_size): (i64, i64, i64, usize),
    binds: &[String],
    cover: &Cover,
    tx: &tokio::sync::mpsc::Sender<AppResult<Vec<Movement>>>,
) -> Result<(), String> {
    use rusqlite::types::Value;
    use rusqlite::OpenFlags;
    let conn = rusqlite::Connection::open_with_flags(
        crate::server::infra::db::sqlite_path(url),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| e.to_string())?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(|e| e.to_string())?;
    let mut stmt = conn.prepare(sql).map_err(|e| e.to_string())?;
    let mut params = vec![
        Value::Integer(shop_id),
        Value::Integer(first),
        Value::Integer(end),
    ];
    params.extend(binds.iter().map(|v| Value::Text(v.clone())));
    let mut rows = stmt
        .query(rusqlite::params_from_iter(params))
        .map_err(|e| e.to_string())?;
    let mut batch = Vec::with_capacity(batch_size);
    while let Some(r) = rows.next().map_err(|e| e.to_string())? {
        // A value of the wrong type stops the file: a statement with a silent 0.00 in it is
        // worse than none.
        let n = |i: usize| r.get::<_, i64>(i).map_err(|e| format!("column {i}: {e}"));
        let on = |i: usize| {
            r.get::<_, Option<i64>>(i)
                .map_err(|e| format!("column {i}: {e}"))
        };
        let kind = r.get::<_, String>(3).map_err(|e| e.to_string())?;
        let channel = r.get::<_, Option<String>>(10).map_err(|e| e.to_string())?;
        let paid_at = on(11)?;
        let payout_id = payout_of(cover, &kind, on(8)?, channel.as_deref(), paid_at);
        batch.push(Movement {
            id: n(0)?,
            seq: n(1)?,
            at: n(2)?,
            kind,
            amount_cents: n(4)?,
            balance_after_cents: n(5)?,
            transaction_id: on(6)?,
            refund_id: on(7)?,
            payout_id,
            reference: r.get::<_, Option<String>>(9).map_err(|e| e.to_string())?,
            channel,
            paid_at,
        });
        if batch.len() == batch_size && tx.blocking_send(Ok(std::mem::take(&mut batch))).is_err() {
            return Ok(());
        }
    }
    if !batch.is_empty() {
        let _ = tx.blocking_send(Ok(batch));
    }
    Ok(())
}

/// Entry counts and sums (positive cents) per direction; a movement of zero counts as a
/// credit, as a file writes it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Directions {
    pub credits: i64,
    pub credit_cents: i64,
    pub debits: i64,
    pub debit_cents: i64,
}

/// The period's movements that the row filters keep, counted and summed per direction in
/// one query.
pub async fn directions(
    pool: &sqlx::AnyPool,
    kind: DbKind,
    shop_id: i64,
    c: &Checked,
    b: &Bounds,
) -> AppResult<Directions> {
    let (filter, binds) = row_filter(kind, c);
    let sql = format!(
        "SELECT \
         CAST(COALESCE(SUM(CASE WHEN m.amount_cents >= 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS credits, \
         CAST(COALESCE(SUM(CASE WHEN m.amount_cents >= 0 THEN m.amount_cents ELSE 0 END), 0) AS BIGINT) AS credit_cents, \
         CAST(COALESCE(SUM(CASE WHEN m.amount_cents < 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS debits, \
         CAST(COALESCE(SUM(CASE WHEN m.amount_cents < 0 THEN -m.amount_cents ELSE 0 END), 0) AS BIGINT) AS debit_cents \
         FROM movements m WHERE {filter}"
    );
    let mut q = sqlx::query_as::<_, (i64, i64, i64, i64)>(&sql)
        .bind(shop_id)
        .bind(b.first)
        .bind(b.end);
    for v in binds {
        q = q.bind(v);
    }
    let (credits, credit_cents, debits, debit_cents) = q.fetch_one(pool).await?;
    Ok(Directions {
        credits,
        credit_cents,
        debits,
        debit_cents,
    })
}

/// Totals per movement type over the period and the row filters.
pub async fn totals(
    state: &crate::server::AppState,
    shop_id: i64,
    time_zone: &str,
    f: &StatementFilter,
) -> AppResult<StatementTotals> {
    let c = check(&f.first_page(), time_zone, state.clock.now_ms())?;
    let pool = &state.db.pool;
    let b = bounds(pool, shop_id, &c).await?;
    let rows = if c.q.is_none() {
        block_totals(pool, state.db.kind, shop_id, &c, &b).await?
    } else {
        // A search narrows the movements to a few payments': they are read and summed.
        sum_movements(pool, state.db.kind, shop_id, &c, b.first, b.end).await?
    }; // In the statement's order of types; unknown codes last.
    let position = |code: &str| {
        MovementKind::ALL
            .iter()
            .position(|k| k.code() == code)
            .unwrap_or(usize::MAX)
    };
    let mut kinds: Vec<KindTotal> = rows
        .into_iter()
        .map(|(kind, entries, debit, credit)| KindTotal {
            label: MovementKind::parse(&kind)
                .map(MovementKind::label)
                .unwrap_or("")
                .to_string(),
            kind,
            entries,
            debit: Money::from_cents(debit),
            credit: Money::from_cents(credit),
        })
        .collect();
    kinds.sort_by_key(|k| position(&k.kind));
    Ok(StatementTotals {
        entries: kinds.iter().map(|k| k.entries).sum(),
        debit: Money::from_cents(kinds.iter().map(|k| k.debit.cents()).sum()),
        credit: Money::from_cents(kinds.iter().map(|k| k.credit.cents()).sum()),
        kinds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(period: &str) -> StatementFilter {
        StatementFilter {
            period: period.into(),
            ..Default::default()
        }
    }

    fn at(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn periods_are_whole_local_days() {
        let now = at("2026-11-30T22:30:00Z"); // 1 December 00:30 in Tallinn
        let c = check(&f(""), "Europe/Tallinn", now).unwrap();
        assert_eq!(c.label, "December 2026");
        assert_eq!(c.from_ms, at("2026-11-30T22:00:00Z"));
        assert_eq!(c.to_ms, at("2026-12-31T22:00:00Z"));
        let c = check(&f("last_month"), "Europe/Tallinn", now).unwrap();
        assert_eq!(c.label, "November 2026");
        assert_eq!(
            (c.first_day.to_string(), c.last_day.to_string()),
            ("2026-11-01".into(), "2026-11-30".into())
        );
        let c = check(
            &StatementFilter {
                period: "month".into(),
                month: "2026-03".into(),
                ..Default::default()
            },
            "Europe/Riga",
            now,
        )
        .unwrap();
        // March has the switch to summer time: 31 days, one of 23 hours.
        assert_eq!(c.to_ms - c.from_ms, (31 * 24 - 1) * 3_600_000);
        let c = check(
            &StatementFilter {
                period: "custom".into(),
                from: "2026-11-01".into(),
                to: "2026-11-15".into(),
                ..Default::default()
            },
            "UTC",
            now,
        )
        .unwrap();
        assert_eq!(c.label, "1.11.2026 – 15.11.2026");
        assert_eq!(c.to_ms, at("2026-11-16T00:00:00Z"));
    }

    #[test]
    fn wrong_fields_say_what_to_fix() {
        let e = |filter: StatementFilter| match check(&filter, "UTC", 0) {
            Err(AppError::Validation(e)) => e,
            other => panic!("{other:?}"),
        };
        let v = e(StatementFilter {
            period: "custom".into(),
            from: "2026-11-15".into(),
            to: "2026-11-01".into(),
            kind: "MONEY".into(),
            q: "a".into(),
            after: "x".into(),
            ..Default::default()
        });
        assert!(v.get("to").unwrap().contains("before the first"));
        assert!(v.get("kind").unwrap().contains("movement type"));
        assert!(v.get("q").unwrap().contains("at least 3"));
        assert!(v.get("after").unwrap().contains("first page"));
        let v = e(StatementFilter {
            period: "month".into(),
            month: "2026-13".into(),
            ..Default::default()
        });
        assert!(v.get("month").is_some());
        let v = e(StatementFilter {
            period: "custom".into(),
            from: "2024-01-01".into(),
            to: "2026-01-01".into(),
            ..Default::default()
        });
        assert!(v.get("to").unwrap().contains("at most 366 days"));
        assert!(e(f("fortnight")).get("period").is_some());
    }
}
