//! What the payout pages read: the list with its total and the next payout's estimate, and
//! one payout explained — the money carried from before, the period's income, fees, VAT,
//! refunds and other movements since the previous payout, less what is still held or
//! reserved — lines that add up to the payout to the cent.

use crate::domain::fees::ChannelGroup;
use crate::domain::ledger::MovementKind;
use crate::domain::Money;
use crate::error::{AppError, AppResult};
use crate::model::payouts::{BreakdownLine, PayoutDay, PayoutDetail, PayoutList, PayoutRow};
use crate::server::identity::access::ShopAccess;
use crate::server::payouts::cover::channels;
use crate::server::payouts::run::Breakdown;
use crate::server::payouts::{calendar, schedule};
use crate::server::statements::statement;
use crate::server::AppState;

const LIST_LIMIT: i64 = 500;

type Row = (i64, String, i64, String, i64);
/// A row and its account, holder and stored breakdown.
type Stored = (i64, String, i64, String, i64, String, String, String);

fn row((id, date, cents, status, payments): Row) -> PayoutRow {
    PayoutRow {
        id,
        date,
        amount: Money::from_cents(cents),
        status,
        payments,
    }
}

pub async fn list(state: &AppState, a: &ShopAccess) -> AppResult<PayoutList> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, payout_date, amount_cents, status, payments FROM payouts WHERE shop_id = $1 \
         ORDER BY payout_date DESC LIMIT $2",
    )
    .bind(a.shop_id)
    .bind(LIST_LIMIT)
    .fetch_all(&state.db.pool)
    .await?;
    let total: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM payouts WHERE shop_id = $1",
    )
    .bind(a.shop_id)
    .fetch_one(&state.db.pool)
    .await?;
    let cal = calendar::load(state).await?;
    let today = schedule::today(state.clock.now_ms(), &a.time_zone);
    let stored = schedule::stored(state, a.shop_id).await?;
    let next = match stored.next_dates(&cal, today, 2).into_iter().find(|d| {
        // Today's payout, once made, is in the list: the next one is then the one after.
        !rows.iter().any(|r| r.1 == d.to_string())
    }) {
        Some(d) => {
            let estimate = crate::server::payouts::run::payable_now(state, a.shop_id, d).await?;
            Some((
                PayoutDay {
                    date: d.to_string(),
                    weekday: crate::domain::calendar::WEEKDAYS[usize::from(d.weekday()) - 1]
                        .to_string(),
                },
                Money::from_cents(estimate.max(0)),
            ))
        }
        None => None,
    };
    Ok(PayoutList {
        rows: rows.into_iter().map(row).collect(),
        total: Money::from_cents(total),
        next,
    })
}

/// The line a movement type falls in, and its label.
fn line_of(code: &str) -> (usize, &'static str) {
    match MovementKind::parse(code) {
        Some(MovementKind::Income) => (1, "Payments received"),
        Some(
            MovementKind::TrxFee
            | MovementKind::TrxFeeFix
            | MovementKind::TrxFeeMin
            | MovementKind::ChargebackFee
            | MovementKind::ShipmentDeliveryFee,
        ) => (2, "Transaction fees"),
        Some(
            MovementKind::ServiceFeeAccount
            | MovementKind::ServiceFeePlugin
            | MovementKind::ServiceFeeLogistics,
        ) => (3, "Monthly fees"),
        Some(MovementKind::Vat | MovementKind::VatCorrection) => (4, "VAT on fees"),
        Some(MovementKind::Refund) => (5, "Refunds"),
        _ => (6, "Other movements (chargebacks)"),
    }
}

/// The first 200 payments a payout covers, in the order they were paid: `(id, reference,
/// amount)`. The ranges are bound as values and the statement planned for them each time
/// (not prepared once): PostgreSQL's plan for any ranges gathered all 100,000 payments of a
/// big payout and sorted them (99 ms) instead of reading the first 200 in index order.
async fn first_payments(
    pool: &sqlx::AnyPool,
    shop_id: i64,
    id: i64,
) -> AppResult<Vec<(i64, String, i64)>> {
    let r: (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT bank_from, bank_to, card_from, card_to FROM payouts WHERE id = $1 AND shop_id = $2",
    )
    .bind(id)
    .bind(shop_id)
    .fetch_one(pool)
    .await?;
    let (bank_from, bank_to, card_from, card_to) = r;
    let (bank, card) = (
        channels(ChannelGroup::BankLinks),
        channels(ChannelGroup::Cards),
    );
    Ok(sqlx::query_as(&format!(
        "SELECT id, reference, amount_cents FROM transactions \
         WHERE shop_id = $1 AND paid_at IS NOT NULL AND test_mode = 0 AND paid_at >= $2 AND paid_at < $3 \
         AND ((channel IN {bank} AND paid_at >= $4 AND paid_at < $5) \
           OR (channel IN {card} AND paid_at >= $6 AND paid_at < $7)) \
         ORDER BY paid_at, id LIMIT 200"
    ))
    .bind(shop_id)
    .bind(bank_from.min(card_from))
    .bind(bank_to.max(card_to))
    .bind(bank_from)
    .bind(bank_to)
    .bind(card_from)
    .bind(card_to)
    .persistent(false)
    .fetch_all(pool)
    .await?)
}

pub async fn detail(state: &AppState, a: &ShopAccess, id: i64) -> AppResult<PayoutDetail> {
    let found: Option<Stored> = sqlx::query_as(
        "SELECT id, payout_date, amount_cents, status, payments, iban, holder, breakdown \
         FROM payouts WHERE id = $1 AND shop_id = $2",
    )
    .bind(id)
    .bind(a.shop_id)
    .fetch_optional(&state.db.pool)
    .await?;
    let Some((id, date, cents, status, payments, iban, holder, breakdown)) = found else {
        return Err(AppError::NotFound);
    };
    let b: Breakdown = serde_json::from_str(&breakdown).map_err(crate::server::internal)?;
    let pool = &state.db.pool;
    let (seq, at): (i64, i64) = sqlx::query_as(
        "SELECT seq, at FROM movements WHERE shop_id = $1 AND payout_id = $2 AND kind = 'PAYOUT'",
    )
    .bind(a.shop_id)
    .bind(id)
    .fetch_one(pool)
    .await?;
    let prev: Option<(i64, i64, i64)> = sqlx::query_as(
        "SELECT seq, balance_after_cents, at FROM movements WHERE shop_id = $1 AND kind = 'PAYOUT' \
         AND seq < $2 ORDER BY seq DESC LIMIT 1",
    )
    .bind(a.shop_id)
    .bind(seq)
    .fetch_optional(pool)
    .await?;
    let (first, carried, from_ms) = match prev {
        Some((s, bal, at)) => (s + 1, bal, at),
        None => {
            // The shop's first payout: everything since its first movement.
            let first_at: Option<i64> =
                sqlx::query_scalar("SELECT at FROM movements WHERE shop_id = $1 AND seq = 1")
                    .bind(a.shop_id)
                    .fetch_optional(pool)
                    .await?;
            (1, 0, first_at.unwrap_or(at))
        }
    };
    let sums = statement::sums_between(pool, state.db.kind, a.shop_id, first, seq).await?;
    let mut lines: Vec<(usize, BreakdownLine)> = Vec::new();
    if carried != 0 {
        lines.push((
            0,
            BreakdownLine {
                label: "Carried from before the previous payout (then still held)".into(),
                amount: Money::from_cents(carried),
                kinds: Vec::new(),
                entries: 0,
            },
        ));
    }
    for (code, entries, debit, credit) in sums {
        let (order, label) = line_of(&code);
        let amount = credit - debit;
        match lines.iter_mut().find(|(o, _)| *o == order) {
            Some((_, l)) => {
                l.amount = Money::from_cents(l.amount.cents() + amount);
                l.entries += entries;
                l.kinds.push(code);
            }
            None => lines.push((
                order,
                BreakdownLine {
                    label: label.into(),
                    amount: Money::from_cents(amount),
                    kinds: vec![code],
                    entries,
                },
            )),
        }
    }
    for (order, label, cents) in [
        (
            7,
            "Still held: payments not payable yet (cards 7 banking days, bank links 1)",
            b.held,
        ),
        (
            8,
            "Reserved for refunds waiting for the buyer's account",
            b.reserved,
        ),
    ] {
        if cents != 0 {
            lines.push((
                order,
                BreakdownLine {
                    label: label.into(),
                    amount: Money::from_cents(-cents),
                    kinds: Vec::new(),
                    entries: 0,
                },
            ));
        }
    }
    lines.sort_by_key(|(o, _)| *o);
    let lines: Vec<BreakdownLine> = lines.into_iter().map(|(_, l)| l).collect();
    let sum: i64 = lines.iter().map(|l| l.amount.cents()).sum();
    if sum != cents {
        tracing::error!(
            payout = id,
            sum,
            cents,
            "a payout's explanation does not add up"
        );
        return Err(AppError::Internal);
    }
    let covered = first_payments(pool, a.shop_id, id).await?;
    let day = |ms: i64| {
        crate::server::format_time(ms, &a.time_zone)
            .get(..10)
            .unwrap_or_default()
            .to_string()
    };
    Ok(PayoutDetail {
        row: row((id, date, cents, status, payments)),
        iban: crate::domain::iban::Iban::parse(&iban)
            .map(|i| i.grouped())
            .unwrap_or(iban),
        holder,
        lines,
        from: day(from_ms),
        to: day(at),
        payments: covered
            .into_iter()
            .map(|(id, r, c)| (id, r, Money::from_cents(c)))
            .collect(),
    })
}
