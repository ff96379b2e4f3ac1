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
use crate::server::identity::access::ShopAccess;
use crate::server::identity::audit::AuditEvent;
use crate::server::infra::db::Tx;
use crate::server::infra::mail::{self, Attachment, OutgoingMail};
use crate::server::infra::outbox;
use crate::server::statements::pack::VatSummary;
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
pub(crate) async fn month_lines(
    state: &AppState,
    shop_id: i64,
    merchant_id: i64,
    time_zone: &str,
    month: Day,
    summary: Option<VatSummary>,
) -> AppResult<(Vec<InvoiceLine>, Decimal)> {
    let summary = match summary {
        Some(s) => s,
        None => month_summary(state, shop_id, merchant_id, time_zone, month).await?,
    };
    let corrected: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(vat_cents), 0) AS BIGINT) FROM charges \
         WHERE shop_id = $1 AND month = $2 AND kind = $3",
    )
    .bind(shop_id)
    .bind(month_key(month))
    .bind(MovementKind::VatCorrection.code())
    .fetch_one(&state.db.pool)
    .await?;
    month_lines_with(state, shop_id, time_zone, month, &summary, corrected).await
}

/// As [`month_lines`], from the month's summary and its VAT correction (`corrected` cents).
pub(crate) async fn month_lines_with(
    state: &AppState,
    shop_id: i64,
    time_zone: &str,
    month: Day,
    summary: &VatSummary,
    corrected: i64,
) -> AppResult<(Vec<InvoiceLine>, Decimal)> {
    // Bank-link fees billed monthly, posted in this month for the month before, are lines
    // of their own (the payments they sum, not one entry), out of their type's line.
    let (start, end) = crate::server::billing::monthly::month_bounds(month, time_zone)?;
    let volume: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
        "SELECT kind, month, payments, fee_cents, vat_cents FROM charges \
         WHERE shop_id = $1 AND posted_at >= $2 AND posted_at < $3 AND payments > 0 \
         ORDER BY month, kind",
    )
    .bind(shop_id)
    .bind(start)
    .bind(end)
    .fetch_all(&state.db.pool)
    .await?;
    let mut rows: Vec<(MovementKind, String, i64, i64)> = summary
        .fees
        .iter()
        .map(|(kind, entries, net)| {
            let (n, fee) = volume
                .iter()
                .filter(|v| v.0 == kind.code())
                .fold((0, 0), |(n, f), v| (n + 1, f + v.3));
            (*kind, kind.label().to_string(), entries - n, net - fee)
        })
        .filter(|r| r.2 > 0 || r.3 != 0)
        .collect();
    // The month's other VAT (and its correction) is shared over the other lines; these
    // carry their own, rounded once on their sum.
    let nets: Vec<i64> = rows.iter().map(|r| r.3).collect();
    let volume_vat: i64 = volume.iter().map(|v| v.4).sum();
    let mut vats = allocate(summary.vat_cents + corrected - volume_vat, &nets);
    for (code, of_month, payments, fee, vat) in &volume {
        let Some(kind) = MovementKind::parse(code) else {
            continue;
        };
        let label = Day::parse(&format!("{of_month}-01"))
            .map(crate::server::billing::monthly::month_label)
            .unwrap_or_else(|| of_month.clone());
        rows.push((
            kind,
            format!("{}, bank links billed monthly ({label})", kind.label()),
            *payments,
            *fee,
        ));
        vats.push(*vat);
    }
    if nets.is_empty() && !volume.is_empty() {
        // Only bank-link lines: a correction of their VAT is shared over them.
        let rest = summary.vat_cents + corrected - volume_vat;
        let weights: Vec<i64> = rows.iter().map(|r| r.3).collect();
        for (v, extra) in vats.iter_mut().zip(allocate(rest, &weights)) {
            *v += extra;
        }
    }
    let lines = rows
        .into_iter()
        .zip(vats)
        .map(|((kind, label, quantity, net), vat)| InvoiceLine {
            kind: kind.code().to_string(),
            label,
            quantity,
            net_cents: net,
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
    issue_month_of(state, shop_id, merchant_id, time_zone, month, None).await
}

/// As [`issue_month`], with the month's statement summary when the caller has read it.
pub(crate) async fn issue_month_of(
    state: &AppState,
    shop_id: i64,
    merchant_id: i64,
    time_zone: &str,
    month: Day,
    summary: Option<VatSummary>,
) -> AppResult<Option<Option<Invoice>>> {
    let key = month_key(month);
    let (lines, vat_percent) =
        month_lines(state, shop_id, merchant_id, time_zone, month, summary).await?;
    let now = state.clock.now_ms();
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
    let (issued, mailed) = write_invoice(
        &mut tx,
        state,
        shop_id,
        merchant_id,
        time_zone,
        month,
        lines,
        vat_percent,
        now,
    )
    .await?;
    tx.commit().await?;
    if mailed {
        outbox::wake(state);
    }
    Ok(issued)
}

/// Claims the invoice step of `month` in the caller's transaction and, when it has lines,
/// writes the invoice with its number, its audit event and (with an invoice e-mail) its
/// mail; returns what [`issue_month`] returns and whether a mail was queued (wake the
/// outbox after commit).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn write_invoice(
    tx: &mut Tx,
    state: &AppState,
    shop_id: i64,
    merchant_id: i64,
    time_zone: &str,
    month: Day,
    lines: Vec<InvoiceLine>,
    vat_percent: Decimal,
    now: i64,
) -> AppResult<(Option<Option<Invoice>>, bool)> {
    let key = month_key(month);
    let today = crate::server::payouts::schedule::today(now, time_zone);
    let claimed = sqlx::query(
        "INSERT INTO billing_steps (shop_id, month, step, done_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (shop_id, month, step) DO NOTHING",
    )
    .bind(shop_id)
    .bind(&key)
    .bind(INVOICE)
    .bind(now)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1;
    if !claimed {
        return Ok((None, false));
    }
    if lines.is_empty() {
        return Ok((Some(None), false));
    }
    let invoice = Invoice {
        id: crate::server::new_id(),
        number: next_number(tx, today.year).await?,
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
    insert(tx, &invoice, None, now).await?;
    let (shop_name, slug, to): (String, String, Option<String>) =
        sqlx::query_as("SELECT name, slug, invoice_email FROM shops WHERE id = $1")
            .bind(shop_id)
            .fetch_one(&mut **tx)
            .await?;
    crate::server::identity::audit::record(
        &mut **tx,
        AuditEvent {
            at: now,
            kind: "invoice_issued",
            merchant_id: Some(merchant_id),
            shop_id: Some(shop_id),
            after: Some(format!("invoice {}", invoice.number)),
            detail: Some(match &to {
                Some(to) => format!("issued for {}; e-mailed to {to}", invoice.month),
                None => format!("issued for {}; no invoice e-mail set", invoice.month),
            }),
            ..Default::default()
        },
    )
    .await?;
    if let Some(to) = &to {
        let m = mail(state, &invoice, &shop_name, &slug, to);
        outbox::enqueue_with(&mut **tx, &m, Some(&reference(invoice.id)), now).await?;
    }
    Ok((Some(Some(invoice)), to.is_some()))
}

/// How the outbox names an invoice's PDF.
fn reference(id: i64) -> String {
    format!("invoice:{id}")
}

/// The mail that carries an invoice (its PDF attached when the mail is sent).
fn mail(state: &AppState, inv: &Invoice, shop_name: &str, slug: &str, to: &str) -> OutgoingMail {
    let period = Day::parse(&format!("{}-01", inv.month))
        .map(crate::server::billing::monthly::month_label)
        .unwrap_or_else(|| inv.month.clone());
    let what = if inv.kind == "credit_note" {
        "Credit note"
    } else {
        "Invoice"
    };
    let money = |c: i64| crate::domain::Money::from_cents(c).human();
    mail::notice_mail(
        to,
        &format!("{what} {} for {period} — {shop_name}", inv.number),
        &[
            "Hello,".into(),
            format!(
                "{what} {} of {shop_name}'s service fees for {period} is attached as a PDF: \
                 net {}, VAT {}, total {}.",
                inv.number,
                money(inv.net_cents),
                money(inv.vat_cents),
                money(inv.total_cents())
            ),
            "Already deducted from your balance — for your records, nothing to pay.".into(),
            format!(
                "Every invoice is also on the Billing page: {}",
                state.link(&format!("/shops/{slug}/billing"))
            ),
        ],
    )
}

/// The file an outbox reference names: `invoice:<id>` is that invoice's PDF.
pub async fn attachment(state: &AppState, reference: &str) -> AppResult<Attachment> {
    let id: i64 = reference
        .strip_prefix("invoice:")
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| crate::server::internal(format!("unknown attachment {reference}")))?;
    let (shop_id, merchant_id, name, slug): (i64, i64, String, String) = sqlx::query_as(
        "SELECT s.id, s.merchant_id, s.name, s.slug FROM invoices i JOIN shops s ON s.id = i.shop_id \
         WHERE i.id = $1",
    )
    .bind(id)
    .fetch_optional(&state.db.pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let (file, bytes) = pdf(state, shop_id, merchant_id, &format!("{name} ({slug})"), id).await?;
    Ok(Attachment {
        name: file,
        content_type: "application/pdf".into(),
        bytes,
    })
}

/// Records that the mail carrying `reference` went out to `to`.
pub async fn mark_sent(state: &AppState, reference: &str, to: &str, now: i64) -> AppResult<()> {
    if let Some(id) = reference
        .strip_prefix("invoice:")
        .and_then(|s| s.parse::<i64>().ok())
    {
        sqlx::query("UPDATE invoices SET sent_at = $2, sent_to = $3 WHERE id = $1")
            .bind(id)
            .bind(now)
            .bind(to)
            .execute(&state.db.pool)
            .await?;
    }
    Ok(())
}

/// Sends the shop's invoice or credit note `id` again (admins, from the billing page): to
/// the shop's invoice e-mail, or to the admin when none is set. Audited. Returns the
/// address.
pub async fn send_again(state: &AppState, a: &ShopAccess, id: i64) -> AppResult<String> {
    let now = state.clock.now_ms();
    let mut tx = state.db.begin_write().await?;
    let found: Option<Stored> = sqlx::query_as(&format!("{SELECT} WHERE id = $1 AND shop_id = $2"))
        .bind(id)
        .bind(a.shop_id)
        .fetch_optional(&mut *tx)
        .await?;
    let inv = from_row(found.ok_or(AppError::NotFound)?)?;
    let set: Option<String> = sqlx::query_scalar("SELECT invoice_email FROM shops WHERE id = $1")
        .bind(a.shop_id)
        .fetch_one(&mut *tx)
        .await?;
    let to = set.unwrap_or_else(|| a.user.email.clone());
    let m = mail(state, &inv, &a.shop_name, &a.shop_slug, &to);
    outbox::enqueue_with(&mut *tx, &m, Some(&reference(inv.id)), now).await?;
    crate::server::identity::audit::record(
        &mut *tx,
        AuditEvent {
            after: Some(format!("invoice {}", inv.number)),
            detail: Some(format!("sent again to {to}")),
            ..AuditEvent::in_shop("invoice_sent", a, now)
        },
    )
    .await?;
    tx.commit().await?;
    outbox::wake(state);
    Ok(to)
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
