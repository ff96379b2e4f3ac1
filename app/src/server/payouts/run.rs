//! The payout run of a banking day: every shop whose schedule pays on that day is paid what
//! is payable — its balance less card and bank-link money not payable yet (held) and
//! refund reservations — as one PAYOUT movement. The payments it covers are those paid
//! from where the shop's previous payouts ended up to the day's cut-offs, stored with the
//! payout as ranges (`cover`): the run writes a few rows per shop, however many payments.
//! A balance that is zero, negative or below the minimum waits, and so does a shop without
//! a payout account. Then the run's payouts go into one SEPA credit transfer
//! file (`pain001`).
//!
//! Each shop's payout is one database transaction, keyed by (shop, day): a rerun of the
//! day, a crash between shops, or a second instance running at the same time never pays a
//! shop twice — the unique key refuses the second, which is skipped. The file step picks up
//! every payout of the day not yet in a file, so a crash before it is mended by the rerun.
//! The day comes from the injected clock.

use crate::domain::calendar::{payable_on, Calendar, Day};
use crate::domain::fees::ChannelGroup;
use crate::domain::ledger::MovementKind;
use crate::domain::Money;
use crate::error::{AppError, AppResult};
use crate::server::infra::jobs::Outcome;
use crate::server::payouts::cover::{channels, covered_by, Ranges};
use crate::server::payouts::{calendar, pain001, schedule};
use crate::server::AppState;

pub const JOB: &str = "payouts";
pub const INTERVAL_SECS: u64 = 600;
/// Below this a payout waits, unless the provider sets another (`PORTAL_PAYOUT_MINIMUM`).
pub const MINIMUM_CENTS: i64 = 100;

/// The last day whose payments are payable by `d`: bank links (`card` false) the day
/// before the previous banking day… found by walking back from `d`.
pub fn last_payable_day(cal: &Calendar, d: Day, card: bool) -> Day {
    let mut p = d;
    while payable_on(cal, p, card) > d {
        p = p.plus(-1);
    }
    p
}

/// The start of the day after `d` in `time_zone`, as UTC milliseconds.
fn end_of(d: Day, time_zone: &str) -> i64 {
    crate::server::parse_local_date(&d.to_string(), time_zone, 1).unwrap_or(i64::MAX)
}

/// What a payout is made of, in cents, for its page; these add up to the amount.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Breakdown {
    /// The balance before the payout (every movement so far).
    pub balance: i64,
    /// Net of payments not payable yet (card and bank-link money held for later payouts).
    pub held: i64,
    /// Refund reservations.
    pub reserved: i64,
}

/// How a run went.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    pub paid: usize,
    pub total_cents: i64,
    pub waiting: usize,
    pub skipped: usize,
    pub file: Option<i64>,
}

/// Runs the payouts of `day` (a banking day; on another day nothing happens): the shops'
/// payouts, then the transfer file of those not in one yet.
pub async fn run(state: &AppState, day: Day) -> AppResult<RunReport> {
    let mut report = pay_due(state, day).await?;
    report.file = pain001::write_run(state, day).await?;
    Ok(report)
}

/// The first step of a run: every shop due on `day` paid, each in its own transaction.
pub async fn pay_due(state: &AppState, day: Day) -> AppResult<RunReport> {
    let cal = calendar::load(state).await?;
    let mut report = RunReport::default();
    if !cal.is_banking_day(day) {
        return Ok(report);
    }
    let tz = state.time_zone.clone();
    let bank_cut = end_of(last_payable_day(&cal, day, false), &tz);
    let card_cut = end_of(last_payable_day(&cal, day, true), &tz);
    let shops: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM shops s WHERE NOT EXISTS \
         (SELECT 1 FROM payouts p WHERE p.shop_id = s.id AND p.payout_date = $1) ORDER BY id",
    )
    .bind(day.to_string())
    .fetch_all(&state.db.pool)
    .await?;
    for (shop_id,) in shops {
        let stored = schedule::stored(state, shop_id).await?;
        if !stored.pays_on(&cal, day) {
            continue;
        }
        match pay_shop(state, shop_id, day, bank_cut, card_cut).await {
            Ok(Some(cents)) => {
                report.paid += 1;
                report.total_cents += cents;
            }
            Ok(None) => report.waiting += 1,
            Err(AppError::Conflict(_)) => report.skipped += 1,
            Err(e) => return Err(e),
        }
    }
    Ok(report)
}

/// What a run on `day` would pay the shop now (before the minimum): the balance less money
/// not payable by then and reservations.
pub async fn payable_now(state: &AppState, shop_id: i64, day: Day) -> AppResult<i64> {
    let cal = calendar::load(state).await?;
    let tz = state.time_zone.clone();
    let bank_cut = end_of(last_payable_day(&cal, day, false), &tz);
    let card_cut = end_of(last_payable_day(&cal, day, true), &tz);
    let mut conn = state.db.pool.acquire().await?;
    let (balance, reserved): (i64, i64) = sqlx::query_as(
        "SELECT balance_cents, reserved_cents FROM shop_balances WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_optional(&mut *conn)
    .await?
    .unwrap_or((0, 0));
    let ranges = next_ranges(&mut conn, shop_id, bank_cut, card_cut).await?;
    let held = held(&mut conn, shop_id, &ranges).await?;
    Ok(balance - held - reserved)
}

/// What the shop's next payout would cover: from where its payouts so far ended up to the
/// cut-offs (never back: a day re-run after a later one covers nothing again).
async fn next_ranges(
    conn: &mut sqlx::AnyConnection,
    shop_id: i64,
    bank_cut: i64,
    card_cut: i64,
) -> AppResult<Ranges> {
    let (bank_from, card_from): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(MAX(bank_to), 0) AS BIGINT), CAST(COALESCE(MAX(card_to), 0) AS BIGINT) \
         FROM payouts WHERE shop_id = $1",
    )
    .bind(shop_id)
    .fetch_one(conn)
    .await?;
    Ok(Ranges {
        bank_from,
        bank_to: bank_cut.max(bank_from),
        card_from,
        card_to: card_cut.max(card_from),
    })
}

/// Net of the shop's live payments not payable yet: paid after the ranges' ends.
async fn held(conn: &mut sqlx::AnyConnection, shop_id: i64, r: &Ranges) -> AppResult<i64> {
    let (bank_sql, card_sql) = (
        channels(ChannelGroup::BankLinks),
        channels(ChannelGroup::Cards),
    );
    Ok(sqlx::query_scalar(&format!(
        "SELECT CAST(COALESCE(SUM(net_cents), 0) AS BIGINT) FROM transactions \
         WHERE shop_id = $1 AND paid_at IS NOT NULL AND test_mode = 0 AND paid_at >= $4 AND \
         ((channel IN {bank_sql} AND paid_at >= $2) OR (channel IN {card_sql} AND paid_at >= $3))"
    ))
    .bind(shop_id)
    .bind(r.bank_to)
    .bind(r.card_to)
    .bind(r.bank_to.min(r.card_to))
    .fetch_one(conn)
    .await?)
}

/// Pays one shop for `day` in one transaction; `None` when it waits.
async fn pay_shop(
    state: &AppState,
    shop_id: i64,
    day: Day,
    bank_cut: i64,
    card_cut: i64,
) -> AppResult<Option<i64>> {
    let mut tx = state.db.begin_write().await?;
    let account: (Option<String>, Option<String>) =
        sqlx::query_as("SELECT payout_iban, payout_holder FROM shops WHERE id = $1")
            .bind(shop_id)
            .fetch_one(&mut *tx)
            .await?;
    let (Some(iban), Some(holder)) = account else {
        return Ok(None);
    };
    let row = crate::server::ledger::lock_balance(&mut tx, shop_id).await?;
    // The shop's balance row is locked: no other payout of the shop runs meanwhile.
    let ranges = next_ranges(&mut tx, shop_id, bank_cut, card_cut).await?;
    let held = held(&mut tx, shop_id, &ranges).await?;
    let amount = row.balance - held - row.reserved;
    if amount < state.payout_minimum_cents.max(1) {
        return Ok(None);
    }
    let id = crate::server::new_id();
    let breakdown = Breakdown {
        balance: row.balance,
        held,
        reserved: row.reserved,
    };
    let now = state.clock.now_ms();
    let inserted = sqlx::query(
        "INSERT INTO payouts (id, shop_id, payout_date, amount_cents, payments, status, iban, holder, \
         breakdown, created_at, bank_from, bank_to, card_from, card_to) \
         VALUES ($1, $2, $3, $4, 0, 'scheduled', $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (shop_id, payout_date) DO NOTHING",
    )
    .bind(id)
    .bind(shop_id)
    .bind(day.to_string())
    .bind(amount)
    .bind(&iban)
    .bind(&holder)
    .bind(serde_json::to_string(&breakdown).map_err(crate::server::internal)?)
    .bind(now)
    .bind(ranges.bank_from)
    .bind(ranges.bank_to)
    .bind(ranges.card_from)
    .bind(ranges.card_to)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        // Another run paid this shop today.
        return Err(AppError::Conflict("paid already".into()));
    }
    sqlx::query(&format!(
        "UPDATE payouts SET payments = (SELECT COUNT(*) FROM transactions t \
         WHERE t.shop_id = payouts.shop_id AND {}) WHERE id = $1",
        covered_by("t.", "payouts.")
    ))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    crate::server::ledger::post(
        &mut tx,
        shop_id,
        now,
        crate::server::ledger::Links {
            payout_id: Some(id),
            ..Default::default()
        },
        &[(MovementKind::Payout, Money::from_cents(-amount))],
    )
    .await?;
    tx.commit().await?;
    Ok(Some(amount))
}

/// The job: today's run, in the provider's zone, once the day is a banking day.
pub async fn run_today(state: &AppState) -> AppResult<Outcome> {
    let today = schedule::today(state.clock.now_ms(), &state.time_zone);
    let r = run(state, today).await?;
    Ok(Outcome {
        done: r.paid,
        ..Default::default()
    })
}
