//! The billing page: the price list in force written out, the shop's invoices and credit
//! notes with their status and the statement movements behind each line, and this month's
//! fees so far with the monthly fees its last day will add.

use crate::domain::billing::{monthly_fees, InvoiceLine};
use crate::domain::fees::{self, ListKind, PriceList};
use crate::domain::Money;
use crate::error::AppResult;
use crate::model::billing::{BillingView, Estimate, FeeLineView, InvoiceRow, PriceListView};
use crate::server::billing::{invoices, monthly};
use crate::server::identity::access::ShopAccess;
use crate::server::ledger::price_lists;
use crate::server::AppState;
use std::collections::HashMap;

fn kind_label(kind: ListKind) -> &'static str {
    match kind {
        ListKind::Standard => "Standard price list",
        ListKind::Negotiated => "Negotiated price list",
        ListKind::SpecialOffer => "Special offer",
    }
}

/// The statement of `month` (`YYYY-MM`) filtered to one movement type.
fn movements_link(slug: &str, month: &str, code: &str) -> String {
    format!("/shops/{slug}/statement?period=month&month={month}&kind={code}")
}

fn line_view(slug: &str, month: &str, l: &InvoiceLine) -> FeeLineView {
    FeeLineView {
        label: l.label.clone(),
        code: l.kind.clone(),
        quantity: l.quantity,
        net: Money::from_cents(l.net_cents),
        vat: Money::from_cents(l.vat_cents),
        movements: movements_link(slug, month, &l.kind),
    }
}

/// The price list in force now and, for a special offer, its last day and what follows.
async fn price_list(state: &AppState, a: &ShopAccess, now: i64) -> AppResult<PriceListView> {
    let mut conn = state.db.pool.acquire().await?;
    let entries = price_lists::entries_for(&mut conn, a.merchant_id).await?;
    let names: HashMap<i64, String> = sqlx::query_as::<_, (i64, String)>(
        "SELECT id, name FROM price_lists WHERE merchant_id = $1 OR merchant_id IS NULL",
    )
    .bind(a.merchant_id)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let describe = |e: Option<&fees::ListEntry>| match e {
        Some(e) => (
            Some(e.id),
            e.list.clone(),
            e.kind,
            names.get(&e.id).cloned().unwrap_or_default(),
        ),
        None => (
            None,
            PriceList::standard(),
            ListKind::Standard,
            "Standard".to_string(),
        ),
    };
    let picked = fees::pick(&entries, now);
    let until = picked.and_then(|e| e.valid_until);
    let (id, list, kind, name) = describe(picked);
    let after = until.map(|u| {
        let (_, _, kind, name) = describe(fees::pick(&entries, u));
        format!("{} \u{201c}{name}\u{201d}", kind_label(kind))
    });
    let monthly = price_lists::monthly_of(&mut conn, id).await?;
    Ok(PriceListView {
        kind: kind_label(kind).to_string(),
        name,
        until: until
            .map(|u| crate::server::payouts::schedule::today(u - 1, &a.time_zone).to_string()),
        after,
        rules: list.describe(),
        monthly: monthly.describe(list.vat_percent),
    })
}

/// The billing page's content for the shop.
pub async fn overview(state: &AppState, a: &ShopAccess) -> AppResult<BillingView> {
    let now = state.clock.now_ms();
    let slug = &a.shop_slug;
    let price_list = price_list(state, a, now).await?;
    let sent: HashMap<i64, (Option<i64>, Option<String>)> =
        sqlx::query_as::<_, (i64, Option<i64>, Option<String>)>(
            "SELECT id, sent_at, sent_to FROM invoices WHERE shop_id = $1",
        )
        .bind(a.shop_id)
        .fetch_all(&state.db.pool)
        .await?
        .into_iter()
        .map(|(id, at, to)| (id, (at, to)))
        .collect();
    let all = invoices::list(state, a.shop_id).await?;
    let numbers: HashMap<i64, String> = all.iter().map(|i| (i.id, i.number.clone())).collect();
    let rows = all
        .iter()
        .map(|i| {
            let (sent_at, sent_to) = sent.get(&i.id).cloned().unwrap_or((None, None));
            let mut status = match (sent_at, sent_to) {
                (Some(at), Some(to)) => format!(
                    "Sent {} to {to}",
                    crate::server::payouts::schedule::today(at, &a.time_zone)
                ),
                _ => "Issued".to_string(),
            };
            if let Some(n) = i.corrects.and_then(|c| numbers.get(&c)) {
                status = format!("{status}; corrects {n}");
            }
            InvoiceRow {
                id: i.id,
                number: i.number.clone(),
                kind: if i.kind == "credit_note" {
                    "Credit note"
                } else {
                    "Invoice"
                }
                .into(),
                month: i.month.clone(),
                period: crate::domain::calendar::Day::parse(&format!("{}-01", i.month))
                    .map(monthly::month_label)
                    .unwrap_or_else(|| i.month.clone()),
                issued_on: i.issued_on.clone(),
                net: Money::from_cents(i.net_cents),
                vat: Money::from_cents(i.vat_cents),
                total: Money::from_cents(i.total_cents()),
                status,
                sent: sent_at.is_some(),
                download: format!("/shops/{slug}/exports/invoice-{}.pdf", i.id),
                lines: i
                    .lines
                    .iter()
                    .map(|l| line_view(slug, &i.month, l))
                    .collect(),
            }
        })
        .collect();
    let estimate = estimate(state, a, now).await?;
    let invoice_email: Option<String> =
        sqlx::query_scalar("SELECT invoice_email FROM shops WHERE id = $1")
            .bind(a.shop_id)
            .fetch_one(&state.db.pool)
            .await?;
    Ok(BillingView {
        price_list,
        invoices: rows,
        estimate,
        invoice_email,
        can_send: a.role.allows(crate::domain::Permission::ShopSettings),
    })
}

/// This month's fees so far (as its invoice would list them today) and the monthly fees
/// its last day will add for what the shop has used so far.
async fn estimate(state: &AppState, a: &ShopAccess, now: i64) -> AppResult<Estimate> {
    let today = crate::server::payouts::schedule::today(now, &a.time_zone);
    let month = today.first_of_month();
    let key = monthly::month_key(month);
    let (lines, _) =
        invoices::month_lines(state, a.shop_id, a.merchant_id, &a.time_zone, month, None).await?;
    let charged: Option<i64> = sqlx::query_scalar(
        "SELECT done_at FROM billing_steps WHERE shop_id = $1 AND month = $2 AND step = $3",
    )
    .bind(a.shop_id)
    .bind(&key)
    .bind(monthly::MONTHLY_FEES)
    .fetch_optional(&state.db.pool)
    .await?;
    let mut expected = Vec::new();
    if charged.is_none() {
        let used = monthly::usage(state, a.shop_id, month, &a.time_zone).await?;
        let mut conn = state.db.pool.acquire().await?;
        let (list_id, list) = price_lists::in_force(&mut conn, a.merchant_id, now).await?;
        let fees = price_lists::monthly_of(&mut conn, list_id).await?;
        let last = today.last_of_month();
        for f in monthly_fees(used, &fees, list.vat_percent) {
            expected.push((
                format!("{} (deducted on {last})", f.kind.label()),
                f.fee,
                f.vat,
            ));
        }
    }
    let lines: Vec<FeeLineView> = lines
        .iter()
        .map(|l| line_view(&a.shop_slug, &key, l))
        .collect();
    let net: Money =
        lines.iter().map(|l| l.net).sum::<Money>() + expected.iter().map(|e| e.1).sum::<Money>();
    let vat: Money =
        lines.iter().map(|l| l.vat).sum::<Money>() + expected.iter().map(|e| e.2).sum::<Money>();
    Ok(Estimate {
        period: monthly::month_label(month),
        lines,
        expected,
        net,
        vat,
        total: net + vat,
    })
}
