//! The transactions list: a checked filter turned into SQL, keyset pages in either
//! direction, totals over the whole filter, and a row stream for exports. Every query is
//! scoped to one shop.

use crate::domain::fees::Channel;
use crate::domain::search::{self, like_infix};
use crate::domain::tx_filter::{Cursor, SortKey, TxFilter, PERIODS, STATUSES};
use crate::domain::{FieldErrors, Money};
use crate::error::{AppError, AppResult};
use crate::server::infra::db::DbKind;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// A filter that passed its checks, with dates resolved in the shop's time zone.
#[derive(Clone, Debug, PartialEq)]
pub struct Checked {
    pub shop_id: i64,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub status: Option<String>,
    pub channel: Option<String>,
    pub min_cents: Option<i64>,
    pub max_cents: Option<i64>,
    pub q: Option<String>,
    /// Only the payments through this payment link.
    pub link: Option<i64>,
    pub sort: SortKey,
    pub descending: bool,
    pub size: i64,
    pub after: Option<Cursor>,
    pub before: Option<Cursor>,
    /// Test payments instead of live ones (the user switched to test data).
    pub test_mode: bool,
}

impl Checked {
    /// The same filter over test payments (`true`) or live ones.
    pub fn in_mode(mut self, test_mode: bool) -> Self {
        self.test_mode = test_mode;
        self
    }
}

pub use crate::domain::search::MAX_SEARCH_CHARS;

const NO_SUCH_LINK: &str = "This shop has no such payment link. Show all transactions instead.";

/// The start of the day `days` after `date`, in `tz`, as UTC milliseconds.
fn day_start(date: Date, days: i64, tz: &TimeZone) -> Option<i64> {
    let d = date.checked_add(days.days()).ok()?;
    Some(d.to_zoned(tz.clone()).ok()?.timestamp().as_millisecond())
}

/// The `[from, to)` range of a preset period, at `now_ms`, in `tz`.
pub fn period_range(period: &str, now_ms: i64, tz: &TimeZone) -> Option<(i64, i64)> {
    let today = Timestamp::from_millisecond(now_ms)
        .ok()?
        .to_zoned(tz.clone())
        .date();
    let first = today.first_of_month();
    let (start, start_off, end, end_off) = match period {
        "today" => (today, 0, today, 1),
        "yesterday" => (today, -1, today, 0),
        "7d" => (today, -6, today, 1),
        "30d" => (today, -29, today, 1),
        "this_month" => (first, 0, first.checked_add(1.month()).ok()?, 0),
        "last_month" => (first.checked_sub(1.month()).ok()?, 0, first, 0),
        _ => return None,
    };
    Some((
        day_start(start, start_off, tz)?,
        day_start(end, end_off, tz)?,
    ))
}

/// Checks every parameter and says what to fix in each field that is wrong.
pub fn check(f: &TxFilter, shop_id: i64, time_zone: &str, now_ms: i64) -> AppResult<Checked> {
    let tz = TimeZone::get(time_zone).unwrap_or(TimeZone::UTC);
    let mut errors = FieldErrors::default();
    let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let (mut from_ms, mut to_ms) = (None, None);
    match text(&f.period) {
        Some(p) if PERIODS.iter().any(|(c, _)| *c == p) => {
            let (a, b) = period_range(&p, now_ms, &tz)
                .ok_or_else(|| crate::server::internal("period out of range"))?;
            (from_ms, to_ms) = (Some(a), Some(b));
        }
        Some(_) => errors.add("period", "Choose a period from the list."),
        None => {
            from_ms = text(&f.from).and_then(|d| {
                errors.check("from", crate::server::parse_local_date(&d, time_zone, 0))
            });
            to_ms = text(&f.to).and_then(|d| {
                errors.check("to", crate::server::parse_local_date(&d, time_zone, 1))
            });
            if let (Some(a), Some(b)) = (from_ms, to_ms) {
                if a >= b {
                    errors.add("to", "The end date must not be before the start date.");
                }
            }
        }
    }
    let status = text(&f.status);
    if let Some(s) = &status {
        if !STATUSES.iter().any(|(c, _)| c == s) {
            errors.add("status", "Choose a status from the list.");
        }
    }
    let channel = text(&f.channel);
    if let Some(c) = &channel {
        if Channel::parse(c).is_none() {
            errors.add("channel", "Choose a channel from the list.");
        }
    }
    let money = |errors: &mut FieldErrors, field: &'static str, s: &str| {
        text(s).and_then(|s| errors.check(field, Money::parse(&s).map(Money::cents)))
    };
    let min_cents = money(&mut errors, "min", &f.min);
    let max_cents = money(&mut errors, "max", &f.max);
    if let (Some(a), Some(b)) = (min_cents, max_cents) {
        if a > b {
            errors.add("max", "The largest amount must not be below the smallest.");
        }
    }
    let q = text(&f.q);
    if let Some(Err(m)) = q.as_deref().map(crate::domain::search::check_payment_term) {
        errors.add("q", m);
    }
    let link = text(&f.link).and_then(|l| {
        let id = l.parse::<i64>().ok().filter(|id| *id > 0);
        if id.is_none() {
            errors.add("link", NO_SUCH_LINK);
        }
        id
    });
    let cursor = |errors: &mut FieldErrors, field: &'static str, s: &str| {
        text(s).and_then(|s| {
            let c = Cursor::parse(&s);
            if c.is_none() {
                errors.add(
                    field,
                    "This page link is damaged. Go back to the first page.",
                );
            }
            c
        })
    };
    let after = cursor(&mut errors, "after", &f.after);
    let before = cursor(&mut errors, "before", &f.before);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(Checked {
        shop_id,
        from_ms,
        to_ms,
        status,
        channel,
        min_cents,
        max_cents,
        q,
        link,
        sort: f.sort_key(),
        descending: f.descending(),
        size: f.page_size(),
        after,
        before,
        test_mode: false,
    })
}

/// The reference of the payment link the filter names, if it names one; a link that is not
/// the shop's is a mistake to fix, as other wrong filter values are.
pub async fn link_reference(pool: &sqlx::AnyPool, c: &Checked) -> AppResult<Option<String>> {
    let Some(id) = c.link else {
        return Ok(None);
    };
    let reference: Option<String> =
        sqlx::query_scalar("SELECT reference FROM payment_links WHERE id = $1 AND shop_id = $2")
            .bind(id)
            .bind(c.shop_id)
            .fetch_optional(pool)
            .await?;
    reference
        .map(Some)
        .ok_or_else(|| AppError::field("link", NO_SUCH_LINK))
}

/// A bound value of a built query.
#[derive(Clone, Debug)]
pub enum Bind {
    I(i64),
    S(String),
}

/// The values of a built query for `rusqlite` (`$n` placeholders number in order).
pub fn sqlite_params(binds: &[Bind]) -> impl rusqlite::Params + '_ {
    rusqlite::params_from_iter(binds.iter().map(|b| match b {
        Bind::I(i) => rusqlite::types::Value::Integer(*i),
        Bind::S(s) => rusqlite::types::Value::Text(s.clone()),
    }))
}

/// A stored row as the transactions table shows it, its time in `time_zone`.
pub fn table_row(r: Row, time_zone: &str) -> crate::model::transactions::TxRow {
    crate::model::transactions::TxRow {
        id: r.id,
        time: crate::server::format_time(r.created_at, time_zone),
        reference: r.reference,
        buyer_name: r.buyer_name,
        buyer_email: r.buyer_email,
        channel: r.channel,
        amount: Money::from_cents(r.amount_cents),
        fees: Money::from_cents(r.fees_cents),
        net: r.paid_at.map(|_| Money::from_cents(r.net_cents)),
        status: r.status,
        payout_id: r.payout_id,
    }
}

/// A WHERE clause with `$n` placeholders and the values that fill them.
#[derive(Default)]
pub struct Where {
    pub sql: String,
    pub binds: Vec<Bind>,
}

impl Where {
    /// Adds `AND <clause>`, where each `?` in `clause` takes the next value of `values`.
    fn and(&mut self, clause: &str, values: Vec<Bind>) {
        self.sql.push_str(if self.sql.is_empty() {
            " WHERE "
        } else {
            " AND "
        });
        let mut values = values.into_iter();
        for ch in clause.chars() {
            if ch == '?' {
                self.binds
                    .push(values.next().expect("a value per placeholder"));
                self.sql.push_str(&format!("${}", self.binds.len()));
            } else {
                self.sql.push(ch);
            }
        }
    }

    /// Binds the values to a query built around this clause, for any sqlx driver.
    pub fn bind<'q, DB, O>(
        &self,
        mut q: sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments<'q>>,
    ) -> sqlx::query::QueryAs<'q, DB, O, <DB as sqlx::Database>::Arguments<'q>>
    where
        DB: sqlx::Database,
        i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        for b in &self.binds {
            q = match b {
                Bind::I(i) => q.bind(*i),
                Bind::S(s) => q.bind(s.clone()),
            };
        }
        q
    }
}

/// A phrase of an FTS5 query: the text in double quotes, its own doubled.
fn fts_phrase(folded: &str) -> String {
    format!("\"{}\"", folded.replace('"', "\"\""))
}

/// The FTS5 query that narrows a term of three or more characters down: its last three
/// trigrams (all of them for a shorter term), each a phrase, joined by AND. The start of a
/// reference or e-mail is often shared by a great many payments ("ord-", "inv-"), and its
/// trigrams' lists would be read to the end for nothing; the exact comparison follows.
pub fn fts_query(folded: &str) -> String {
    let chars: Vec<char> = folded.chars().collect();
    let grams: Vec<String> = chars.windows(3).map(|w| w.iter().collect()).collect();
    grams[grams.len().saturating_sub(3)..]
        .iter()
        .map(|g| fts_phrase(g))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The condition that a payment's reference, buyer name or e-mail contains the folded
/// `term` (see `domain::search`), with the values it binds. The same rows on both
/// databases, each through its trigram index: SQLite's FTS5 table (its last three
/// trigrams, then compared exactly) and PostgreSQL's pg_trgm GIN index. Terms shorter than
/// a trigram never get here (see `domain::search::MIN_SEARCH_CHARS`).
///
/// `walk` (SQLite): the term is frequent, so a page finds its rows sooner by reading the
/// shop's payments in the page's order and comparing each one's text than by fetching
/// every match from the index and sorting them.
fn contains(kind: DbKind, term: &str, walk: bool) -> (&'static str, Vec<Bind>) {
    match kind {
        DbKind::Sqlite if !walk && term.chars().count() >= 3 => (
            "(id IN (SELECT rowid FROM transactions_search WHERE transactions_search MATCH ?) \
             AND instr(search_text, ?) > 0)",
            vec![Bind::S(fts_query(term)), Bind::S(term.to_string())],
        ),
        DbKind::Sqlite => ("instr(search_text, ?) > 0", vec![Bind::S(term.to_string())]),
        DbKind::Postgres => ("search_text LIKE ?", vec![Bind::S(like_infix(term))]),
    }
}

/// At least this many matches in the trigram index make a term frequent (see [`contains`]).
const FREQUENT: i64 = 2_000;

/// Whether a page of this search reads faster by walking the shop's payments in order
/// (SQLite, a term of three or more characters with at least [`FREQUENT`] matches in all
/// shops). The index stops counting at the limit, so asking costs a few milliseconds.
async fn walk_for_page(pool: &sqlx::AnyPool, c: &Checked, kind: DbKind) -> AppResult<bool> {
    let Some(term) = c.q.as_deref().and_then(search::term) else {
        return Ok(false);
    };
    if kind != DbKind::Sqlite || term.chars().count() < 3 {
        return Ok(false);
    }
    let n: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM (SELECT rowid FROM transactions_search \
         WHERE transactions_search MATCH $1 LIMIT {FREQUENT})"
    ))
    .bind(fts_query(&term))
    .fetch_one(pool)
    .await?;
    Ok(n >= FREQUENT)
}

/// The rows the filter matches (no cursor).
pub fn matching(c: &Checked, kind: DbKind) -> Where {
    filtered(c, kind, false)
}

/// As [`matching`]; `walk` as in [`contains`].
fn filtered(c: &Checked, kind: DbKind, walk: bool) -> Where {
    let mut w = Where::default();
    w.and("shop_id = ?", vec![Bind::I(c.shop_id)]);
    // A literal, not a bound value, so that the planner can use the partial index of test
    // payments (migration 0015).
    w.and(
        if c.test_mode {
            "test_mode = 1"
        } else {
            "test_mode = 0"
        },
        vec![],
    );
    if let Some(v) = c.from_ms {
        w.and("created_at >= ?", vec![Bind::I(v)]);
    }
    if let Some(v) = c.to_ms {
        w.and("created_at < ?", vec![Bind::I(v)]);
    }
    if let Some(v) = &c.status {
        w.and("status = ?", vec![Bind::S(v.clone())]);
    }
    if let Some(v) = &c.channel {
        w.and("channel = ?", vec![Bind::S(v.clone())]);
    }
    if let Some(v) = c.min_cents {
        w.and("amount_cents >= ?", vec![Bind::I(v)]);
    }
    if let Some(v) = c.max_cents {
        w.and("amount_cents <= ?", vec![Bind::I(v)]);
    }
    if let Some(v) = c.link {
        w.and("payment_link_id = ?", vec![Bind::I(v)]);
    }
    if let Some(q) = &c.q {
        // A term that no stored text can contain still finds a payment by its id.
        // So does a number shorter than a trigram (longer text is refused by `check`):
        // comparing it with the text would read every payment of the shop.
        let (text, mut values) = match search::term(q) {
            Some(t) if t.chars().count() >= search::MIN_SEARCH_CHARS => contains(kind, &t, walk),
            _ => ("1 = 0", vec![]),
        };
        // A condition that can never hold is left out, so that the planner sees a lookup by
        // id (SQLite does not drop `OR 1 = 0` and walked the shop: 60 ms at a million).
        match (q.trim().parse::<i64>(), text) {
            (Ok(id), "1 = 0") => w.and("id = ?", vec![Bind::I(id)]),
            (Ok(id), text) => {
                values.insert(0, Bind::I(id));
                w.and(&format!("(id = ? OR {text})"), values);
            }
            (Err(_), text) => w.and(&format!("({text})"), values),
        }
    }
    w
}

/// One row of the list, as stored.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub created_at: i64,
    pub reference: String,
    pub buyer_name: Option<String>,
    pub buyer_email: Option<String>,
    pub channel: String,
    pub amount_cents: i64,
    pub fees_cents: i64,
    pub net_cents: i64,
    pub status: String,
    /// Read from the shop's payouts (`Cover`), not a column.
    #[sqlx(default)]
    pub payout_id: Option<i64>,
    pub paid_at: Option<i64>,
}

pub const COLUMNS: &str =
    "id, created_at, reference, buyer_name, buyer_email, channel, amount_cents, \
     fee_cents + vat_cents AS fees_cents, net_cents, status, paid_at";

/// A page of rows and whether there are more before and after it.
#[derive(Debug)]
pub struct Page {
    pub rows: Vec<Row>,
    pub prev: Option<Cursor>,
    pub next: Option<Cursor>,
}

fn key_column(sort: SortKey) -> &'static str {
    match sort {
        SortKey::Time => "created_at",
        SortKey::Amount => "amount_cents",
    }
}

fn key_of(sort: SortKey, r: &Row) -> Cursor {
    Cursor {
        key: match sort {
            SortKey::Time => r.created_at,
            SortKey::Amount => r.amount_cents,
        },
        id: r.id,
    }
}

/// One page in keyset order: after `c.after`, before `c.before`, or the first.
pub async fn page(pool: &sqlx::AnyPool, c: &Checked) -> AppResult<Page> {
    let kind = DbKind::of_pool(pool);
    let mut w = filtered(c, kind, walk_for_page(pool, c, kind).await?);
    let key = key_column(c.sort);
    // Walking backwards (a "before" cursor) reads in the opposite order, then flips.
    let backwards = c.before.is_some() && c.after.is_none();
    let forward_desc = c.descending != backwards;
    let (cmp, dir) = if forward_desc {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    if let Some(cur) = if backwards { c.before } else { c.after } {
        w.and(
            &format!("({key}, id) {cmp} (?, ?)"),
            vec![Bind::I(cur.key), Bind::I(cur.id)],
        );
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM transactions{} ORDER BY {key} {dir}, id {dir} LIMIT {}",
        w.sql,
        c.size + 1
    );
    // A search is planned for its term each time: PostgreSQL's plan for "any term" would
    // walk the whole shop by time for a term that matches nothing.
    let mut rows = w
        .bind(sqlx::query_as::<_, Row>(&sql))
        .persistent(c.q.is_none())
        .fetch_all(pool)
        .await?;
    let more = rows.len() as i64 > c.size;
    rows.truncate(c.size as usize);
    if backwards {
        rows.reverse();
    }
    if !c.test_mode && !rows.is_empty() {
        let cover = crate::server::payouts::cover::Cover::load(pool, c.shop_id).await?;
        for r in &mut rows {
            r.payout_id = cover.payout_of(&r.channel, r.paid_at);
        }
    }
    let first = rows.first().map(|r| key_of(c.sort, r));
    let last = rows.last().map(|r| key_of(c.sort, r));
    let (has_prev, has_next) = if backwards {
        (more, true)
    } else {
        (c.after.is_some(), more)
    };
    Ok(Page {
        rows,
        prev: first.filter(|_| has_prev),
        next: last.filter(|_| has_next),
    })
}

/// Count, gross (of paid payments), fees with VAT, and net over everything the filter matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub count: i64,
    pub gross: Money,
    pub fees: Money,
    pub net: Money,
}

pub const TOTALS_SELECT: &str = "SELECT COUNT(*), \
     CAST(COALESCE(SUM(CASE WHEN paid_at IS NOT NULL THEN amount_cents ELSE 0 END), 0) AS BIGINT), \
     CAST(COALESCE(SUM(fee_cents + vat_cents), 0) AS BIGINT), \
     CAST(COALESCE(SUM(net_cents), 0) AS BIGINT) FROM transactions";

pub async fn totals(db: &crate::server::infra::db::Db, c: &Checked) -> AppResult<Totals> {
    let w = matching(c, db.kind);
    let sql = format!("{TOTALS_SELECT}{}", w.sql);
    let (count, gross, fees, net) = if db.kind == crate::server::infra::db::DbKind::Sqlite {
        // A large aggregate runs about twice as fast on a connection of its own, read
        // directly on a blocking thread, as through the pool's worker threads.
        let binds = w.binds.clone();
        crate::server::infra::db::sqlite_read(&db.url, move |conn| {
            conn.query_row(&sql, sqlite_params(&binds), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
        })
        .await?
    } else {
        w.bind(sqlx::query_as::<_, (i64, i64, i64, i64)>(&sql))
            .persistent(c.q.is_none())
            .fetch_one(&db.pool)
            .await?
    };
    Ok(Totals {
        count,
        gross: Money::from_cents(gross),
        fees: Money::from_cents(fees),
        net: Money::from_cents(net),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tallinn() -> TimeZone {
        TimeZone::get("Europe/Tallinn").unwrap()
    }

    fn at(s: &str) -> i64 {
        s.parse::<Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn presets_follow_the_shops_calendar() {
        // 23:30 UTC on 31 March is already 1 April in Tallinn (UTC+3 in summer time).
        let now = at("2026-03-31T22:30:00Z");
        let tz = tallinn();
        assert_eq!(
            period_range("today", now, &tz),
            Some((at("2026-03-31T21:00:00Z"), at("2026-04-01T21:00:00Z")))
        );
        assert_eq!(
            period_range("yesterday", now, &tz),
            Some((at("2026-03-30T21:00:00Z"), at("2026-03-31T21:00:00Z")))
        );
        // Last month spans the switch to summer time on 29 March.
        assert_eq!(
            period_range("last_month", now, &tz),
            Some((at("2026-02-28T22:00:00Z"), at("2026-03-31T21:00:00Z")))
        );
        assert_eq!(
            period_range("this_month", now, &tz),
            Some((at("2026-03-31T21:00:00Z"), at("2026-04-30T21:00:00Z")))
        );
        // Seven calendar days, one of them 23 hours long.
        assert_eq!(
            period_range("7d", now, &tz),
            Some((at("2026-03-25T22:00:00Z"), at("2026-04-01T21:00:00Z")))
        );
        assert_eq!(
            period_range("30d", now, &tz),
            Some((at("2026-03-02T22:00:00Z"), at("2026-04-01T21:00:00Z")))
        );
        assert_eq!(period_range("fortnight", now, &tz), None);
    }

    #[test]
    fn every_bad_field_gets_its_message() {
        let f = TxFilter {
            from: "2026-13-01".into(),
            status: "paid-ish".into(),
            channel: "paypal".into(),
            min: "10,505".into(),
            max: "abc".into(),
            q: "x".repeat(201),
            after: "nope".into(),
            ..TxFilter::default()
        };
        let Err(AppError::Validation(e)) = check(&f, 1, "Europe/Tallinn", 0) else {
            panic!("should fail")
        };
        for field in ["from", "status", "channel", "min", "max", "q", "after"] {
            assert!(e.get(field).is_some(), "{field}: {e:?}");
        }
        assert!(e.get("min").unwrap().contains("two decimals"));
        let f = TxFilter {
            from: "2026-05-02".into(),
            to: "2026-05-01".into(),
            min: "20".into(),
            max: "10".into(),
            period: "".into(),
            ..TxFilter::default()
        };
        let Err(AppError::Validation(e)) = check(&f, 1, "Europe/Tallinn", 0) else {
            panic!("should fail")
        };
        assert!(e.get("to").is_some() && e.get("max").is_some(), "{e:?}");
        let f = TxFilter {
            period: "decade".into(),
            ..TxFilter::default()
        };
        assert!(check(&f, 1, "UTC", 0).is_err());
    }

    #[test]
    fn a_custom_range_includes_both_days() {
        let f = TxFilter {
            from: "2026-05-01".into(),
            to: "2026-05-01".into(),
            ..TxFilter::default()
        };
        let c = check(&f, 1, "Europe/Tallinn", 0).unwrap();
        assert_eq!(c.from_ms, Some(at("2026-04-30T21:00:00Z")));
        assert_eq!(c.to_ms, Some(at("2026-05-01T21:00:00Z")));
    }

    #[test]
    fn search_matches_ids_and_uses_each_databases_trigram_index() {
        let c = check(
            &TxFilter {
                q: "123".into(),
                status: "approved".into(),
                ..TxFilter::default()
            },
            7,
            "UTC",
            0,
        )
        .unwrap();
        let w = matching(&c, DbKind::Sqlite);
        assert!(w.sql.contains("status = $2"), "{}", w.sql);
        assert!(
            w.sql.contains(
                "(id = $3 OR (id IN (SELECT rowid FROM transactions_search WHERE transactions_search MATCH $4) \
                 AND instr(search_text, $5) > 0))"
            ),
            "{}",
            w.sql
        );
        assert!(matches!(&w.binds[3], Bind::S(s) if s == "\"123\""));
        assert!(matches!(&w.binds[4], Bind::S(s) if s == "123"));
        let w = matching(&c, DbKind::Postgres);
        assert!(
            w.sql.contains("(id = $3 OR search_text LIKE $4)"),
            "{}",
            w.sql
        );
        assert!(matches!(&w.binds[3], Bind::S(s) if s == "%123%"));
        // A number shorter than a trigram finds a payment by its id only (comparing it with
        // the text would read the whole shop); two letters are refused.
        let c = check(
            &TxFilter {
                q: "42".into(),
                ..TxFilter::default()
            },
            7,
            "UTC",
            0,
        )
        .unwrap();
        for kind in [DbKind::Sqlite, DbKind::Postgres] {
            let w = matching(&c, kind);
            assert!(w.sql.ends_with(" AND id = $2"), "{}", w.sql);
        }
        let e = check(
            &TxFilter {
                q: "Õ\"".into(),
                ..TxFilter::default()
            },
            7,
            "UTC",
            0,
        )
        .unwrap_err();
        assert!(format!("{e:?}").contains("at least 3 characters"), "{e:?}");
        assert_eq!(fts_phrase("a\"b%"), "\"a\"\"b%\"");
        // Only the last three trigrams go to the index; the whole term is compared after.
        assert_eq!(
            fts_query("ord-51\"00"),
            "\"51\"\"\" AND \"1\"\"0\" AND \"\"\"00\""
        );
        assert_eq!(fts_query("анна"), "\"анн\" AND \"нна\"");
        // A frequent term: a page walks the shop's payments and compares each one's text.
        let c = check(
            &TxFilter {
                q: "ÕIE".into(),
                ..TxFilter::default()
            },
            7,
            "UTC",
            0,
        )
        .unwrap();
        let w = filtered(&c, DbKind::Sqlite, true);
        assert!(w.sql.contains("(instr(search_text, $2) > 0)"), "{}", w.sql);
        assert!(matches!(&w.binds[1], Bind::S(s) if s == "õie"));
    }
}
