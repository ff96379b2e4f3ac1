//! Large data sets for benchmarks, fast: the same rows and movements the transaction service
//! would make for a plan, written with multi-row inserts in large transactions.

use crate::domain::fees::{self, compute, PriceList};
use crate::domain::ledger::payment_movements;
use crate::domain::Money;
use crate::error::AppResult;
use crate::server::ledger::price_lists;
use crate::server::operations::demo_payments::{PlannedPayment, DECISION_DELAY_MS, DESCRIPTION};
use crate::server::payments::transactions::Closed;
use crate::server::AppState;
use sqlx::any::AnyArguments;
use sqlx::Arguments;

const PAYMENTS_PER_TRANSACTION: usize = 2_000;
const ROWS_PER_INSERT: usize = 400;

/// A value for a multi-row insert.
enum V {
    I(i64),
    OI(Option<i64>),
    S(String),
    OS(Option<String>),
}

/// Inserts rows of `columns` in statements of up to ROWS_PER_INSERT rows.
async fn insert_rows(
    conn: &mut sqlx::AnyConnection,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<V>>,
) -> AppResult<()> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut args = AnyArguments::default();
        let mut n = 0;
        for (r, row) in rows.by_ref().take(ROWS_PER_INSERT).enumerate() {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for (c, v) in row.into_iter().enumerate() {
                if c > 0 {
                    sql.push_str(", ");
                }
                n += 1;
                sql.push_str(&format!("${n}"));
                let added = match v {
                    V::I(x) => args.add(x),
                    V::OI(x) => args.add(x),
                    V::S(x) => args.add(x),
                    V::OS(x) => args.add(x),
                };
                added.map_err(|e| crate::server::internal(format!("binding a value: {e}")))?;
            }
            sql.push(')');
        }
        sqlx::query_with(&sql, args).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Writes the plan's payments into the shop as the service would have made them, one after
/// the other: approved ones with their price list, fees, VAT and movements.
pub async fn bulk_insert(
    state: &AppState,
    shop_id: i64,
    plan: Vec<PlannedPayment>,
) -> AppResult<usize> {
    let merchant_id: i64 = sqlx::query_scalar("SELECT merchant_id FROM shops WHERE id = $1")
        .bind(shop_id)
        .fetch_one(&state.db.pool)
        .await?;
    let entries =
        price_lists::entries_for(&mut *state.db.pool.acquire().await?, merchant_id).await?;
    let count = plan.len();
    for chunk in plan.chunks(PAYMENTS_PER_TRANSACTION) {
        let mut tx = state.db.begin_write().await?;
        let row = crate::server::ledger::lock_balance(&mut tx, shop_id).await?;
        let (mut balance, mut seq) = (row.balance, row.last_seq);
        let mut payments = Vec::with_capacity(chunk.len());
        let mut movements = Vec::new();
        for p in chunk {
            let id = crate::server::new_id();
            let done = p.at + DECISION_DELAY_MS;
            let (status, paid_at, list_id, fee, vat, net) = match p.outcome {
                None => {
                    let entry = fees::pick(&entries, done);
                    let standard = PriceList::standard();
                    let list = entry.map(|e| &e.list).unwrap_or(&standard);
                    let breakdown = compute(Money::from_cents(p.cents), p.channel, list, false);
                    for (kind, amount) in payment_movements(&breakdown) {
                        seq += 1;
                        balance += amount.cents();
                        movements.push(vec![
                            V::I(crate::server::new_id()),
                            V::I(shop_id),
                            V::I(seq),
                            V::S(kind.code().into()),
                            V::I(amount.cents()),
                            V::I(balance),
                            V::I(id),
                            V::I(done),
                        ]);
                    }
                    (
                        "approved",
                        Some(done),
                        entry.map(|e| e.id),
                        breakdown.fees().cents(),
                        breakdown.vat().cents(),
                        breakdown.net().cents(),
                    )
                }
                Some(Closed::Cancelled) => ("cancelled", None, None, 0, 0, 0),
                Some(Closed::Expired) => ("expired", None, None, 0, 0, 0),
            };
            payments.push(vec![
                V::I(id),
                V::I(shop_id),
                V::S(p.reference.clone()),
                V::I(p.cents),
                V::S("EUR".into()),
                V::S(p.channel.as_str().into()),
                V::S(status.into()),
                V::I(0),
                V::OS(p.buyer_name.clone()),
                V::OS(p.buyer_email.clone()),
                V::OS(Some(p.ip.clone())),
                V::OS(Some(p.country.clone())),
                V::OS(Some(DESCRIPTION.into())),
                V::OI(list_id),
                V::I(fee),
                V::I(vat),
                V::I(net),
                V::I(p.at),
                V::OI(paid_at),
                V::OI(paid_at.is_none().then_some(done)),
                V::S(crate::server::reporting::search::transaction_text(
                    &p.reference,
                    p.buyer_name.as_deref(),
                    p.buyer_email.as_deref(),
                )),
            ]);
        }
        insert_rows(
            &mut tx,
            "transactions",
            &[
                "id",
                "shop_id",
                "reference",
                "amount_cents",
                "currency",
                "channel",
                "status",
                "test_mode",
                "buyer_name",
                "buyer_email",
                "buyer_ip",
                "buyer_country",
                "description",
                "price_list_id",
                "fee_cents",
                "vat_cents",
                "net_cents",
                "created_at",
                "paid_at",
                "closed_at",
                "search_text",
            ],
            payments,
        )
        .await?;
        insert_rows(
            &mut tx,
            "movements",
            &[
                "id",
                "shop_id",
                "seq",
                "kind",
                "amount_cents",
                "balance_after_cents",
                "transaction_id",
                "at",
            ],
            movements,
        )
        .await?;
        sqlx::query(
            "UPDATE shop_balances SET balance_cents = $2, last_seq = $3 WHERE shop_id = $1",
        )
        .bind(shop_id)
        .bind(balance)
        .bind(seq)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    }
    Ok(count)
}
