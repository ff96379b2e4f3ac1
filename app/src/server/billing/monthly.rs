//! The billing job. On the last day of a month (in the shop's time zone) each shop's
//! monthly fees for the month — the account fee when cards or foreign bank links were
//! active, the plugin and logistics fees for the modules it used — from the price list in
//! force, each with its VAT; from the next month's 1st, the month's VAT correction; from
//! the next month's first banking day, the month's bank-link fees where the price list
//! bills them monthly (they are that month's movements, on its statement and invoice). Each
//! step is decided once per shop and month (`billing_steps`), each fee posted once
//! (`charges`' unique key), in one database transaction with its movements: a rerun, a
//! crash between shops or a second instance never charges twice. A month whose last day
//! passed without a run gets its fees on the next run, before its VAT correction; after the
//! correction the month's fee invoice is issued (`invoices`).

use crate::domain::billing::{monthly_fees, Usage, VatCheck};
use crate::domain::calendar::Day;
use crate::domain::fees::{Channel, ChannelGroup};
use crate::domain::ledger::MovementKind;
use crate::domain::Money;
use crate::error::AppResult;
use crate::model::statement::StatementFilter;
use crate::server::infra::jobs::Outcome;
use crate::server::ledger::{self, price_lists, Links};
use crate::server::AppState;

pub const JOB: &str = "billing";
pub const INTERVAL_SECS: u64 = 600;
pub const MONTHLY_FEES: &str = "monthly_fees";
pub const VAT_CORRECTION: &str = "vat_correction";
pub const BANK_LINK_FEES: &str = "bank_link_fees";

/// `2026-11` of a day.
pub fn month_key(d: Day) -> String {
    d.to_string()[..7].to_string()
}

/// The month of `month` (its first day) in the shop's time zone, as milliseconds from its
/// first moment up to the next month's.
pub fn month_bounds(month: Day, time_zone: &str) -> AppResult<(i64, i64)> {
    let at = |d: Day| {
        crate::server::parse_local_date(&d.to_string(), time_zone, 0)
            .map_err(crate::server::internal)
    };
    Ok((at(month)?, at(month.next_month())?))
}

/// "November 2026".
pub fn month_label(d: Day) -> String {
    crate::domain::calendar::month_label(d.year, d.month)
}

/// What the shop used in the month: recorded module usage, and whether cards or foreign
/// bank links were active (offered by the shop now — activated and switched on, as on the
/// payment page — or paid through in the month).
pub async fn usage(
    state: &AppState,
    shop_id: i64,
    month: Day,
    time_zone: &str,
) -> AppResult<Usage> {
    let pool = &state.db.pool;
    let recorded: Option<(i64, i64)> = sqlx::query_as(
        "SELECT plugin, logistics FROM shop_usage WHERE shop_id = $1 AND month = $2",
    )
    .bind(shop_id)
    .bind(month_key(month))
    .fetch_optional(pool)
    .await?;
    let (plugin, logistics) = recorded.unwrap_or((0, 0));
    let offered: Vec<(String, String)> = sqlx::query_as(&format!(
        "SELECT country, channel FROM shop_channels WHERE shop_id = $1 AND {}",
        crate::server::settings::methods::OFFERED
    ))
    .bind(shop_id)
    .fetch_all(pool)
    .await?;
    let home = state.bank_country.as_str();
    let charged = |country: &str, channel: &str| {
        Channel::parse(channel).is_some_and(|c| {
            c.group() == ChannelGroup::Cards || !country.eq_ignore_ascii_case(home)
        })
    };
    let mut account_methods = offered.iter().any(|(c, ch)| charged(c, ch));
    if !account_methods {
        let (from, to) = month_bounds(month, time_zone)?;
        let used: Vec<(String,)> = sqlx::query_as(
            "SELECT DISTINCT channel FROM transactions WHERE shop_id = $1 \
             AND paid_at >= $2 AND paid_at < $3 AND test_mode = 0",
        )
        .bind(shop_id)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await?;
        account_methods = used
            .iter()
            .any(|(ch,)| Channel::parse(ch).is_some_and(|c| c.group() == ChannelGroup::Cards));
    }
    Ok(Usage {
        account_methods,
        plugin: plugin != 0,
        logistics: logistics != 0,
    })
}

/// Claims a step for the shop and month in the caller's transaction; false when it was
/// decided already.
async fn claim(
    tx: &mut crate::server::infra::db::Tx,
    shop_id: i64,
    month: &str,
    step: &str,
    now: i64,
) -> AppResult<bool> {
    let r = sqlx::query(
        "INSERT INTO billing_steps (shop_id, month, step, done_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (shop_id, month, step) DO NOTHING",
    )
    .bind(shop_id)
    .bind(month)
    .bind(step)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Records a charge and posts its movements (the fee, then its VAT) in the caller's
/// transaction.
#[allow(clippy::too_many_arguments)]
async fn charge(
    tx: &mut crate::server::infra::db::Tx,
    shop_id: i64,
    month: &str,
    kind: MovementKind,
    fee: Money,
    vat: Money,
    explanation: &str,
    payments: i64,
    now: i64,
) -> AppResult<()> {
    let id = crate::server::new_id();
    sqlx::query(
        "INSERT INTO charges (id, shop_id, month, kind, fee_cents, vat_cents, explanation, posted_at, payments) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(shop_id)
    .bind(month)
    .bind(kind.code())
    .bind(fee.cents())
    .bind(vat.cents())
    .bind(explanation)
    .bind(now)
    .bind(payments)
    .execute(&mut **tx)
    .await?;
    let mut movements = Vec::new();
    if fee != Money::ZERO {
        movements.push((kind, Money::ZERO - fee));
    }
    if vat != Money::ZERO {
        let vat_kind = if kind == MovementKind::VatCorrection {
            MovementKind::VatCorrection
        } else {
            MovementKind::Vat
        };
        movements.push((vat_kind, Money::ZERO - vat));
    }
    ledger::post(
        tx,
        shop_id,
        now,
        Links {
            charge_id: Some(id),
            ..Default::default()
        },
        &movements,
    )
    .await?;
    Ok(())
}

fn fee_words(kind: MovementKind) -> &'static str {
    match kind {
        MovementKind::ServiceFeeAccount => "cards or foreign bank links were active",
        MovementKind::ServiceFeePlugin => "the shop modules were used",
        MovementKind::ServiceFeeLogistics => "the modules' logistics functions were used",
        _ => "",
    }
}

/// Posts the shop's monthly fees for `month` (its first day) now, once; returns how many
/// fees were charged (`None` when the step was decided before).
pub async fn post_monthly_fees(
    state: &AppState,
    shop_id: i64,
    merchant_id: i64,
    time_zone: &str,
    month: Day,
) -> AppResult<Option<usize>> {
    let now = state.clock.now_ms();
    let used = usage(state, shop_id, month, time_zone).await?;
    let mut conn = state.db.pool.acquire().await?;
    let (list_id, list) = price_lists::in_force(&mut conn, merchant_id, now).await?;
    let monthly = price_lists::monthly_of(&mut conn, list_id).await?;
    drop(conn);
    let fees = monthly_fees(used, &monthly, list.vat_percent);
    let key = month_key(month);
    let mut tx = state.db.begin_write().await?;
    if !claim(&mut tx, shop_id, &key, MONTHLY_FEES, now).await? {
        return Ok(None);
    }
    for f in &fees {
        let explanation = format!(
            "{} for {}: {}",
            f.kind.label(),
            month_label(month),
            fee_words(f.kind)
        );
        charge(
            &mut tx,
            shop_id,
            &key,
            f.kind,
            f.fee,
            f.vat,
            &explanation,
            0,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Some(fees.len()))
}

/// Posts the fees of `month`'s (its first day) payments whose price list bills bank-link
/// fees monthly, now (the next month's first banking day), once: one charge per fee type
/// for the month's volume, each with its VAT rounded once. Fees deducted per payment are
/// not in it. Returns how many charges were posted (`None` when decided before).
pub async fn post_bank_link_fees(
    state: &AppState,
    shop_id: i64,
    merchant_id: i64,
    time_zone: &str,
    month: Day,
) -> AppResult<Option<usize>> {
    let now = state.clock.now_ms();
    let key = month_key(month);
    let (from, to) = month_bounds(month, time_zone)?;
    // A payment billed monthly added its whole amount to the balance and has fees to bill.
    let rows: Vec<(i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT amount_cents, channel, price_list_id FROM transactions \
         WHERE shop_id = $1 AND paid_at IS NOT NULL AND test_mode = 0 \
         AND paid_at >= $2 AND paid_at < $3 AND fee_cents > 0 AND net_cents = amount_cents",
    )
    .bind(shop_id)
    .bind(from)
    .bind(to)
    .persistent(false)
    .fetch_all(&state.db.pool)
    .await?;
    let mut conn = state.db.pool.acquire().await?;
    let mut lists = std::collections::HashMap::new();
    let mut breakdowns = Vec::with_capacity(rows.len());
    for (amount, channel, list_id) in rows {
        if let std::collections::hash_map::Entry::Vacant(e) = lists.entry(list_id) {
            e.insert(price_lists::by_id(&mut conn, list_id).await?);
        }
        let Some(channel) = Channel::parse(&channel) else {
            continue;
        };
        breakdowns.push(crate::domain::fees::compute(
            Money::from_cents(amount),
            channel,
            &lists[&list_id],
            false,
        ));
    }
    let (_, list) = price_lists::in_force(&mut conn, merchant_id, to - 1).await?;
    drop(conn);
    let fees = crate::domain::billing::volume_fees(&breakdowns, list.vat_percent);
    let mut tx = state.db.begin_write().await?;
    if !claim(&mut tx, shop_id, &key, BANK_LINK_FEES, now).await? {
        return Ok(None);
    }
    for f in &fees {
        let explanation = format!(
            "{}, bank links billed monthly: {} payment{} in {}",
            f.kind.label(),
            f.payments,
            if f.payments == 1 { "" } else { "s" },
            month_label(month)
        );
        charge(
            &mut tx,
            shop_id,
            &key,
            f.kind,
            f.fee,
            f.vat,
            &explanation,
            f.payments,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Some(fees.len()))
}

/// The fees and VAT of `month` (its first day) on the shop's statement, at the VAT rate of
/// the price list in force at the month's end.
pub async fn month_summary(
    state: &AppState,
    shop_id: i64,
    merchant_id: i64,
    time_zone: &str,
    month: Day,
) -> AppResult<crate::server::statements::pack::VatSummary> {
    let filter = StatementFilter {
        period: "month".into(),
        month: month_key(month),
        ..Default::default()
    };
    let totals =
        crate::server::statements::statement::totals(state, shop_id, time_zone, &filter).await?;
    let (_, month_end) = month_bounds(month, time_zone)?;
    let mut conn = state.db.pool.acquire().await?;
    let (_, list) = price_lists::in_force(&mut conn, merchant_id, month_end - 1).await?;
    Ok(crate::server::statements::pack::VatSummary::of(
        &totals.kinds,
        list.vat_percent,
    ))
}

/// Posts the VAT correction of `month` (its first day) now, once: the VAT rate of the
/// month's fees rounded once, less the VAT entries posted in it. `Some(None)` when the
/// step found nothing to correct.
pub async fn post_vat_correction(
    state: &AppState,
    shop_id: i64,
    merchant_id: i64,
    time_zone: &str,
    month: Day,
) -> AppResult<Option<Option<Money>>> {
    let summary = month_summary(state, shop_id, merchant_id, time_zone, month).await?;
    post_vat_correction_of(state, shop_id, month, &summary).await
}

/// As [`post_vat_correction`], from the month's summary read already.
async fn post_vat_correction_of(
    state: &AppState,
    shop_id: i64,
    month: Day,
    summary: &crate::server::statements::pack::VatSummary,
) -> AppResult<Option<Option<Money>>> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let done = correct_in(&mut tx, shop_id, month, summary, now).await?;
    if done.is_some() {
        tx.commit().await?;
    }
    Ok(done)
}

/// Claims the VAT correction of `month` and posts it, in the caller's transaction; `None`
/// when it was decided before.
async fn correct_in(
    tx: &mut crate::server::infra::db::Tx,
    shop_id: i64,
    month: Day,
    summary: &crate::server::statements::pack::VatSummary,
    now: i64,
) -> AppResult<Option<Option<Money>>> {
    let key = month_key(month);
    let check = VatCheck::new(
        Money::from_cents(summary.fees_cents),
        Money::from_cents(summary.vat_cents),
        summary.rate,
    );
    if !claim(tx, shop_id, &key, VAT_CORRECTION, now).await? {
        return Ok(None);
    }
    let correction = check.correction();
    if let Some(c) = correction {
        charge(
            tx,
            shop_id,
            &key,
            MovementKind::VatCorrection,
            Money::ZERO,
            c,
            &check.explain(&month_label(month)),
            0,
            now,
        )
        .await?;
    }
    Ok(Some(correction))
}

/// The usual 1st: the month's VAT correction and its invoice in one database transaction.
/// False when another run decided the correction first (it issues the invoice then).
async fn close_month(
    state: &AppState,
    shop_id: i64,
    merchant_id: i64,
    time_zone: &str,
    month: Day,
    summary: &crate::server::statements::pack::VatSummary,
) -> AppResult<bool> {
    use crate::server::billing::invoices;
    let now = state.clock.now_ms();
    let correction = VatCheck::new(
        Money::from_cents(summary.fees_cents),
        Money::from_cents(summary.vat_cents),
        summary.rate,
    )
    .correction()
    .map(|c| c.cents())
    .unwrap_or(0);
    let (lines, rate) =
        invoices::month_lines_with(state, shop_id, time_zone, month, summary, correction).await?;
    let mut tx = state.db.begin_write().await?;
    if correct_in(&mut tx, shop_id, month, summary, now)
        .await?
        .is_none()
    {
        return Ok(false);
    }
    let (_, mailed) = invoices::write_invoice(
        &mut tx,
        state,
        shop_id,
        merchant_id,
        time_zone,
        month,
        lines,
        rate,
        now,
    )
    .await?;
    tx.commit().await?;
    if mailed {
        crate::server::infra::outbox::wake(state);
    }
    Ok(true)
}

/// Every shop's due billing steps on the shop's own today: the monthly fees on the month's
/// last day (and the previous month's, if its last day was missed), then from the 1st the
/// previous month's VAT correction. Each shop is a row of the outcome.
pub async fn run_due(state: &AppState) -> AppResult<Outcome> {
    use crate::server::billing::invoices::INVOICE;
    use futures_util::StreamExt;
    let shops: Vec<(i64, i64, String, i64)> =
        sqlx::query_as("SELECT id, merchant_id, time_zone, created_at FROM shops ORDER BY id")
            .fetch_all(&state.db.pool)
            .await?;
    let calendar = crate::server::payouts::calendar::load(state).await?;
    // The steps decided already for last month and this one (in any time zone), read once:
    // a run skips them without reading what they would need. Each step still claims its
    // row in its own transaction, so a concurrent run never does one twice.
    let now = state.clock.now_ms();
    let since = month_key(
        crate::server::payouts::schedule::today(now - 45 * 24 * 3_600_000, "UTC").first_of_month(),
    );
    let done: std::collections::HashSet<(i64, String, String)> =
        sqlx::query_as("SELECT shop_id, month, step FROM billing_steps WHERE month >= $1")
            .bind(&since)
            .fetch_all(&state.db.pool)
            .await?
            .into_iter()
            .collect();
    // Bank-link fees are billed monthly only under a list that says so: merchants with no
    // such list (and no such standard list) have nothing to bill on volume.
    let monthly_lists: Vec<(Option<i64>,)> = sqlx::query_as(
        "SELECT DISTINCT merchant_id FROM price_lists WHERE rules LIKE '%\"billing\":\"monthly\"%'",
    )
    .fetch_all(&state.db.pool)
    .await?;
    let standard_monthly = monthly_lists.iter().any(|(m,)| m.is_none());
    let monthly_merchants: std::collections::HashSet<i64> =
        monthly_lists.iter().filter_map(|(m,)| *m).collect();
    let is_done =
        |shop: i64, month: Day, step: &str| done.contains(&(shop, month_key(month), step.into()));
    let work = |(shop_id, merchant_id, tz, created_at): (i64, i64, String, i64)| {
        let is_done = &is_done;
        let calendar = &calendar;
        let bills_volume = standard_monthly || monthly_merchants.contains(&merchant_id);
        async move {
            let mut out = Outcome::default();
            let today = crate::server::payouts::schedule::today(state.clock.now_ms(), &tz);
            let this_month = today.first_of_month();
            let last_month = this_month.plus(-1).first_of_month();
            let month_start = month_bounds(this_month, &tz).map_or(i64::MIN, |b| b.0);
            // A shop made this month owes nothing for the months before.
            let started = created_at < month_start;
            let correct = !is_done(shop_id, last_month, VAT_CORRECTION);
            let invoice = !is_done(shop_id, last_month, INVOICE);
            let volume = bills_volume
                && today >= calendar.on_or_after(this_month)
                && !is_done(shop_id, last_month, BANK_LINK_FEES);
            let fees_last = !is_done(shop_id, last_month, MONTHLY_FEES);
            let due_last = started && (fees_last || correct || invoice || volume);
            let due_this =
                today == today.last_of_month() && !is_done(shop_id, this_month, MONTHLY_FEES);
            if !due_last && !due_this {
                return out;
            }
            out.row(format!("shop {shop_id}"), async {
                let mut did = false;
                if due_last {
                    if fees_last {
                        did |= post_monthly_fees(state, shop_id, merchant_id, &tz, last_month)
                            .await?
                            .is_some();
                    }
                    if correct || invoice {
                        let summary =
                            month_summary(state, shop_id, merchant_id, &tz, last_month).await?;
                        let mut closed = false;
                        if correct && invoice {
                            closed =
                                close_month(state, shop_id, merchant_id, &tz, last_month, &summary)
                                    .await?;
                            did |= closed;
                        } else if correct {
                            did |= post_vat_correction_of(state, shop_id, last_month, &summary)
                                .await?
                                .is_some();
                        }
                        // The invoice alone, or after a correction another run posted.
                        if invoice && !closed {
                            did |= crate::server::billing::invoices::issue_month_of(
                                state,
                                shop_id,
                                merchant_id,
                                &tz,
                                last_month,
                                Some(summary),
                            )
                            .await?
                            .is_some();
                        }
                    }
                    if volume {
                        did |= post_bank_link_fees(state, shop_id, merchant_id, &tz, last_month)
                            .await?
                            .is_some();
                    }
                }
                if due_this {
                    did |= post_monthly_fees(state, shop_id, merchant_id, &tz, this_month)
                        .await?
                        .is_some();
                }
                Ok(did)
            })
            .await;
            out
        }
    };
    // PostgreSQL serves several shops at once (each shop's steps stay in order); SQLite has
    // one writer, and its readers gain little.
    let at_once = match state.db.kind {
        crate::server::infra::db::DbKind::Postgres => 8,
        crate::server::infra::db::DbKind::Sqlite => 1,
    };
    let outcomes: Vec<Outcome> = futures_util::stream::iter(shops)
        .map(work)
        .buffered(at_once)
        .collect()
        .await;
    let mut out = Outcome::default();
    for o in outcomes {
        out.done += o.done;
        out.failed += o.failed;
        out.errors.extend(o.errors);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_named_for_people_and_keyed_for_the_database() {
        let d = Day::parse("2026-10-31").unwrap();
        assert_eq!(month_key(d), "2026-10");
        assert_eq!(month_label(d), "October 2026");
        assert_eq!(
            month_label(Day::parse("2027-01-01").unwrap()),
            "January 2027"
        );
    }
}
