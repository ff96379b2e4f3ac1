//! Posting movements to a shop's append-only ledger, with the balance after each one.

pub mod price_lists;

use crate::domain::ledger::MovementKind;
use crate::domain::Money;
use crate::error::AppResult;
use sqlx::AnyConnection;

/// What a movement belongs to.
#[derive(Clone, Copy, Debug, Default)]
pub struct Links {
    pub transaction_id: Option<i64>,
    pub refund_id: Option<i64>,
    pub payout_id: Option<i64>,
    /// A monthly charge (a monthly fee, a VAT correction) with its explanation.
    pub charge_id: Option<i64>,
}

/// Appends movements in order and returns the balance after the last. Must run inside the
/// caller's write transaction: the update of the shop's balance row orders concurrent
/// postings (it is a row lock on PostgreSQL; SQLite holds the write lock already).
pub async fn post(
    conn: &mut AnyConnection,
    shop_id: i64,
    at: i64,
    links: Links,
    movements: &[(MovementKind, Money)],
) -> AppResult<Money> {
    let delta: i64 = movements.iter().map(|(_, a)| a.cents()).sum();
    let count = movements.len() as i64;
    ensure_balance_row(conn, shop_id).await?;
    let (balance_end, last_seq): (i64, i64) = sqlx::query_as(
        "UPDATE shop_balances SET balance_cents = balance_cents + $2, last_seq = last_seq + $3 \
         WHERE shop_id = $1 RETURNING balance_cents, last_seq",
    )
    .bind(shop_id)
    .bind(delta)
    .bind(count)
    .fetch_one(&mut *conn)
    .await?;
    let mut balance = balance_end - delta;
    let mut seq = last_seq - count;
    for (kind, amount) in movements {
        balance += amount.cents();
        seq += 1;
        sqlx::query(
            "INSERT INTO movements (id, shop_id, seq, kind, amount_cents, balance_after_cents, transaction_id, \
             refund_id, payout_id, charge_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(crate::server::new_id())
        .bind(shop_id)
        .bind(seq)
        .bind(kind.code())
        .bind(amount.cents())
        .bind(balance)
        .bind(links.transaction_id)
        .bind(links.refund_id)
        .bind(links.payout_id)
        .bind(links.charge_id)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(Money::from_cents(balance))
}

async fn ensure_balance_row(conn: &mut AnyConnection, shop_id: i64) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO shop_balances (shop_id, balance_cents, reserved_cents, last_seq) VALUES ($1, 0, 0, 0) \
         ON CONFLICT (shop_id) DO NOTHING",
    )
    .bind(shop_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// A shop's balance row as read under its lock.
#[derive(Clone, Copy, Debug)]
pub struct BalanceRow {
    pub balance: i64,
    pub reserved: i64,
    pub last_seq: i64,
}

/// Reads the shop's balance row and locks it until the caller's transaction ends (a no-op
/// update: a row lock on PostgreSQL; SQLite holds the write lock already), so that checks
/// made against the balance still hold when the caller writes.
pub async fn lock_balance(conn: &mut AnyConnection, shop_id: i64) -> AppResult<BalanceRow> {
    ensure_balance_row(conn, shop_id).await?;
    let (balance, reserved, last_seq): (i64, i64, i64) = sqlx::query_as(
        "UPDATE shop_balances SET last_seq = last_seq WHERE shop_id = $1 \
         RETURNING balance_cents, reserved_cents, last_seq",
    )
    .bind(shop_id)
    .fetch_one(conn)
    .await?;
    Ok(BalanceRow {
        balance,
        reserved,
        last_seq,
    })
}

/// The shop's balance as kept next to the ledger.
pub async fn balance<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    db: E,
    shop_id: i64,
) -> AppResult<Money> {
    let cents: Option<i64> =
        sqlx::query_scalar("SELECT balance_cents FROM shop_balances WHERE shop_id = $1")
            .bind(shop_id)
            .fetch_optional(db)
            .await?;
    Ok(Money::from_cents(cents.unwrap_or(0)))
}
