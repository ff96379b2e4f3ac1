//! The stored search text of payments and payment links (folded in Rust, see
//! `domain::search`), and the one-time fill of rows written before it existed.

use crate::domain::search::search_text;
use crate::server::infra::db::Db;

/// A payment's search text: reference, buyer name, buyer e-mail.
pub fn transaction_text(
    reference: &str,
    buyer_name: Option<&str>,
    buyer_email: Option<&str>,
) -> String {
    search_text(&[Some(reference), buyer_name, buyer_email])
}

/// A payment link's search text: reference, description, buyer name, buyer e-mail.
pub fn link_text(
    reference: &str,
    description: Option<&str>,
    buyer_name: Option<&str>,
    buyer_email: Option<&str>,
) -> String {
    search_text(&[Some(reference), description, buyer_name, buyer_email])
}

const BATCH: i64 = 2000;

#[derive(sqlx::FromRow)]
struct Unfolded {
    id: i64,
    reference: String,
    description: Option<String>,
    buyer_name: Option<String>,
    buyer_email: Option<String>,
}

/// Folds the search text of every payment and link that has none (rows from before
/// migration 0009: SQL cannot fold them, as SQLite's `lower()` knows ASCII only). Runs at
/// migrate time, in batches found through a partial index, so it costs one index lookup
/// once everything is folded, and resumes if interrupted.
pub async fn backfill(db: &Db) -> Result<u64, sqlx::Error> {
    let mut done = 0;
    for (table, description) in [("transactions", "NULL"), ("payment_links", "description")] {
        loop {
            let rows: Vec<Unfolded> = sqlx::query_as(&format!(
                "SELECT id, reference, {description} AS description, buyer_name, buyer_email \
                 FROM {table} WHERE search_text IS NULL ORDER BY id LIMIT {BATCH}"
            ))
            .fetch_all(&db.pool)
            .await?;
            if rows.is_empty() {
                break;
            }
            let mut tx = db.begin_write().await?;
            for r in &rows {
                let text = if table == "transactions" {
                    transaction_text(
                        &r.reference,
                        r.buyer_name.as_deref(),
                        r.buyer_email.as_deref(),
                    )
                } else {
                    link_text(
                        &r.reference,
                        r.description.as_deref(),
                        r.buyer_name.as_deref(),
                        r.buyer_email.as_deref(),
                    )
                };
                sqlx::query(&format!(
                    "UPDATE {table} SET search_text = $1 WHERE id = $2"
                ))
                .bind(text)
                .bind(r.id)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            done += rows.len() as u64;
        }
    }
    Ok(done)
}
