//! Fee invoices: per shop and month, issued from the 1st of the next month once the
//! month's VAT correction is posted, one line per fee type with its quantity, net amount
//! and VAT. The amounts are the month's statement movements — the fees, their VAT entries
//! and the correction — so the invoice equals what was deducted, to the cent. Numbers come
//! from the provider's series in the transaction that writes the invoice (gapless, never
//! twice); an issued invoice is not changed, and a credit note (numbered too) corrects it.

use crate::domain::billing::{allocate, invoice_number, InvoiceLine};
use crate::domain::calendar::Day;
use crate::domain::ledger::MovementKind;
use crate::error::{AppError, AppResult};
use crate::server::billing::monthly::{month_key, month_summary, VAT_CORRECTION};
use crate::server::infra::db::Tx;
use crate::server::AppState;
use rust_decimal::Decimal;

pub const INVOICE: &str = "invoice";

/// An issued invoice or credit note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invoice {
    pub id: i64,
    pub number: String,
    pub kind: String,
    pub shop_id: i64,
    pub month: String,
    pub issued_on: String,
    pub net_cents: i64,
    pub vat_cents: i64,
    pub vat_percent: Decimal,
    pub lines: Vec<InvoiceLine>,
    pub corrects: Option<i64>,
}

impl Invoice {
    pub fn total_cents(&self) -> i64 {
        self.net_cents + self.vat_cents
    }
}

/// The next number of the provider's series for `year`, taken in the caller's transaction.
async fn next_number(tx: &mut Tx, year: i32) -> AppResult<String> {
    let n: i64 = sqlx::query_scalar(
        "INSERT INTO invoice_series (year, last_number) VALUES ($1, 1) \
         ON CONFLICT (year) DO UPDATE SET last_number = invoice_series.last_number + 1 \
         RETURNING last_number",
    )
    .bind(i64::from(year))
    .fetch_one(&mut **tx)
    .await?;
    Ok(invoice_number(year, n))
}

/// The lines of `month` (its first day) from its statement: each fee type's entries and net
/// amount, the VAT posted in the month plus the month's correction shared over them.
async fn month_lines(
    state: &AppState,
    shop_id: i64,
    merchant_id: i64,
    time_zone: &str,
    month: Day,
) -> AppResult<(Vec<InvoiceLine>, Decimal)> {
    let summary = month_summary(state, shop_id, merchant_id, time_zone, month).await?;
    let corrected: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(vat_cents), 0) AS BIGINT) FROM charges \
         WHERE shop_id = $1 AND month = $2 AND kind = $3",
    )
    .bind(shop_id)
    .bind(month_key(month))
    .bind(MovementKind::VatCorrection.code())
    .fetch_one(&state.db.pool)
    .await?;
    let nets: Vec<i64> = summary.fees.iter().map(|f| f.2).collect();
    let vats = allocate(summary.vat_cents + corrected, &nets);
    let lines = summary
        .fees
        .iter()
        .zip(vats)
        .map(|((kind, entries, net), vat)| InvoiceLine {
            kind: kind.code().to_string(),
            label: kind.label().to_string(),
            quantity: *entries,
            net_cents: *net,
            vat_cents: vat,
        })
        .collect();
    Ok((lines, summary.rate))
}

/// Issues the shop's invoice for `month` (its first day) now, once, after its VAT
/// correction: `Some(None)` when the month had no fees (nothing to invoice), `None` when
/// the step was decided before or the correction is not posted yet.
pub async fn issue_month(
    state: &AppState,
    shop_id: i64,
    merchant_id: i64,
    time_zone: &str,
    month: Day,
) -> AppResult<Option<Option<Invoice>>> {
    let key = month_key(month);
    let (lines, vat_percent) = month_lines(state, shop_id, merchant_id, time_zone, month).await?;
    let now = state.clock.now_ms();
    let today = crate::server::payouts::schedule::today(now, time_zone);
    let mut tx = state.db.begin_write().await?;
    let corrected: Option<i64> = sqlx::query_scalar(
        "SELECT done_at FROM billing_steps WHERE shop_id = $1 AND month = $2 AND step = $3",
    )
    .bind(shop_id)
    .bind(&key)
    .bind(VAT_CORRECTION)
    .fetch_optional(&mut *tx)
    .await?;
    if corrected.is_none() {
        return Ok(None);
    }
    let claimed = sqlx::query(
        "INSERT INTO billing_steps (shop_id, month, step, done_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (shop_id, month, step) DO NOTHING",
    )
    .bind(shop_id)
    .bind(&key)
    .bind(INVOICE)
    .bind(now)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !claimed {
        return Ok(None);
    }
    if lines.is_empty() {
        tx.commit().await?;
        return Ok(Some(None));
    }
    let invoice = Invoice {
        id: crate::server::new_id(),
        number: next_number(&mut tx, today.year).await?,
        kind: "invoice".into(),
        shop_id,
        month: key,
        issued_on: today.to_string(),
        net_cents: lines.iter().map(|l| l.net_cents).sum(),
        vat_cents: lines.iter().map(|l| l.vat_cents).sum(),
        vat_percent,
        lines,
        corrects: None,
    };
    insert(&mut tx, &invoice, None, now).await?;
    tx.commit().await?;
    Ok(Some(Some(invoice)))
}

async fn insert(tx: &mut Tx, i: &Invoice, reason: Option<&str>, now: i64) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO invoices (id, number, kind, shop_id, month, issued_on, net_cents, vat_cents, \
         vat_percent, lines, corrects, reason, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(i.id)
    .bind(&i.number)
    .bind(&i.kind)
    .bind(i.shop_id)
    .bind(&i.month)
    .bind(&i.issued_on)
    .bind(i.net_cents)
    .bind(i.vat_cents)
    .bind(i.vat_percent.to_string())
    .bind(serde_json::to_string(&i.lines).map_err(crate::server::internal)?)
    .bind(i.corrects)
    .bind(reason)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

type Stored = (
    i64,
    String,
    String,
    i64,
    String,
    String,
    i64,
    i64,
    String,
    String,
    Option<i64>,
);

const SELECT: &str = "SELECT id, number, kind, shop_id, month, issued_on, net_cents, vat_cents, \
     vat_percent, lines, corrects FROM invoices";

fn from_row(r: Stored) -> AppResult<Invoice> {
    let (id, number, kind, shop_id, month, issued_on, net_cents, vat_cents, rate, lines, corrects) =
        r;
    Ok(Invoice {
        id,
        number,
        kind,
        shop_id,
        month,
        issued_on,
        net_cents,
        vat_cents,
        vat_percent: rate.parse().map_err(crate::server::internal)?,
        lines: serde_json::from_str(&lines).map_err(crate::server::internal)?,
        corrects,
    })
}

/// The shop's invoices and credit notes, newest first.
pub async fn list(state: &AppState, shop_id: i64) -> AppResult<Vec<Invoice>> {
    let rows: Vec<Stored> = sqlx::query_as(&format!(
        "{SELECT} WHERE shop_id = $1 ORDER BY issued_on DESC, number DESC"
    ))
    .bind(shop_id)
    .fetch_all(&state.db.pool)
    .await?;
    rows.into_iter().map(from_row).collect()
}

/// A credit note for an issued invoice of the shop: every line negated, numbered from the
/// same series, naming the invoice and why. An invoice is credited once; a credit note is
/// not credited.
pub async fn credit(
    state: &AppState,
    shop_id: i64,
    invoice_id: i64,
    reason: &str,
    time_zone: &str,
) -> AppResult<Invoice> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(AppError::field(
            "reason",
            "Say why the invoice is corrected (at most 500 characters).",
        ));
    }
    let now = state.clock.now_ms();
    let today = crate::server::payouts::schedule::today(now, time_zone);
    let mut tx = state.db.begin_write().await?;
    let found: Option<Stored> = sqlx::query_as(&format!("{SELECT} WHERE id = $1 AND shop_id = $2"))
        .bind(invoice_id)
        .bind(shop_id)
        .fetch_optional(&mut *tx)
        .await?;
    let original = from_row(found.ok_or(AppError::NotFound)?)?;
    if original.kind != "invoice" {
        return Err(AppError::Conflict(
            "A credit note is not corrected by another credit note.".into(),
        ));
    }
    let credited: Option<String> =
        sqlx::query_scalar("SELECT number FROM invoices WHERE corrects = $1")
            .bind(invoice_id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(n) = credited {
        return Err(AppError::Conflict(format!(
            "Invoice {} is credited already, by credit note {n}.",
            original.number
        )));
    }
    let note = Invoice {
        id: crate::server::new_id(),
        number: next_number(&mut tx, today.year).await?,
        kind: "credit_note".into(),
        shop_id,
        month: original.month.clone(),
        issued_on: today.to_string(),
        net_cents: -original.net_cents,
        vat_cents: -original.vat_cents,
        vat_percent: original.vat_percent,
        lines: original
            .lines
            .iter()
            .map(|l| InvoiceLine {
                net_cents: -l.net_cents,
                vat_cents: -l.vat_cents,
                ..l.clone()
            })
            .collect(),
        corrects: Some(invoice_id),
    };
    insert(&mut tx, &note, Some(reason), now).await?;
    tx.commit().await?;
    Ok(note)
}

/// The shop's invoice or credit note `id` as a PDF, with its file name
/// (`invoice-2027-000123.pdf`).
pub async fn pdf(
    state: &AppState,
    shop_id: i64,
    merchant_id: i64,
    shop: &str,
    id: i64,
) -> AppResult<(String, Vec<u8>)> {
    let found: Option<Stored> = sqlx::query_as(&format!("{SELECT} WHERE id = $1 AND shop_id = $2"))
        .bind(id)
        .bind(shop_id)
        .fetch_optional(&state.db.pool)
        .await?;
    let inv = from_row(found.ok_or(AppError::NotFound)?)?;
    let corrects = match inv.corrects {
        Some(_) => {
            let r: (String, Option<String>) = sqlx::query_as(
                "SELECT o.number, c.reason FROM invoices c JOIN invoices o ON o.id = c.corrects \
                 WHERE c.id = $1",
            )
            .bind(inv.id)
            .fetch_one(&state.db.pool)
            .await?;
            Some((r.0, r.1.unwrap_or_default()))
        }
        None => None,
    };
    let period = Day::parse(&format!("{}-01", inv.month))
        .map(crate::server::billing::monthly::month_label)
        .unwrap_or_else(|| inv.month.clone());
    let context = crate::server::billing::pdf::Context {
        provider: crate::server::billing::details::provider(state),
        merchant: crate::server::billing::details::merchant(&state.db.pool, merchant_id).await?,
        shop: shop.to_string(),
        period,
        corrects,
    };
    let bytes = crate::server::billing::pdf::render(&inv, &context)?;
    let name = if inv.kind == "credit_note" {
        "credit-note"
    } else {
        "invoice"
    };
    Ok((format!("{name}-{}.pdf", inv.number), bytes))
}
