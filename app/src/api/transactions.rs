use crate::domain::tx_filter::TxFilter;
use crate::error::AppError;
pub use crate::model::transactions::*;
use leptos::prelude::*;

/// One page of the shop's transactions in keyset order.
#[server(endpoint = "list_transactions")]
pub async fn list_transactions(
    shop: String,
    #[server(default)] filter: TxFilter,
) -> Result<TxPage, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, reporting::tx_list, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ViewInfo).await?;
            let c = tx_list::check(&filter, a.shop_id, &a.time_zone, state.clock.now_ms())?
                .in_mode(a.user.test_data);
            let link_reference = tx_list::link_reference(&state.db.pool, &c).await?;
            let page = tx_list::page(&state.db.pool, &c).await?;
            Ok(TxPage {
                link_reference,
                rows: page
                    .rows
                    .into_iter()
                    .map(|r| tx_list::table_row(r, &a.time_zone))
                    .collect(),
                time_zone: a.time_zone,
                prev: page.prev.map(|c| c.encode()),
                next: page.next.map(|c| c.encode()),
            })
        }
        .await,
    )
}

/// Count and sums over everything the filter matches (paid payments for the amounts).
#[server(endpoint = "transaction_totals")]
pub async fn transaction_totals(
    shop: String,
    #[server(default)] filter: TxFilter,
) -> Result<TxTotals, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, reporting::tx_list, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ViewInfo).await?;
            let c = tx_list::check(
                &filter.matching(),
                a.shop_id,
                &a.time_zone,
                state.clock.now_ms(),
            )?
            .in_mode(a.user.test_data);
            let t = tx_list::totals(&state.db, &c).await?;
            Ok(TxTotals {
                count: t.count,
                gross: t.gross,
                fees: t.fees,
                net: t.net,
            })
        }
        .await,
    )
}

#[server(endpoint = "list_saved_views")]
pub async fn list_saved_views(shop: String) -> Result<Vec<SavedView>, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ViewInfo).await?;
            let rows: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT id, name, query FROM saved_views WHERE user_id = $1 AND shop_id = $2 ORDER BY name",
            )
            .bind(a.user.id)
            .bind(a.shop_id)
            .fetch_all(&state.db.pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(id, name, query)| SavedView { id, name, query })
                .collect())
        }
        .await,
    )
}

/// Saves the filter under a name for this user and shop; the same name replaces the old view.
#[server(endpoint = "save_view")]
pub async fn save_view(
    shop: String,
    name: String,
    #[server(default)] filter: TxFilter,
) -> Result<SavedView, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, new_id, reporting::tx_list, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ViewInfo).await?;
            let name = name.trim().to_string();
            if name.is_empty() {
                return Err(AppError::field("name", "Give the view a name."));
            }
            if name.chars().count() > MAX_VIEW_NAME_CHARS {
                return Err(AppError::field(
                    "name",
                    format!("Keep the name within {MAX_VIEW_NAME_CHARS} characters."),
                ));
            }
            // Only a filter that works is worth saving; the page position is not part of it.
            let filter = filter.first_page();
            tx_list::check(&filter, a.shop_id, &a.time_zone, state.clock.now_ms())?;
            let query = filter.to_query();
            let mut tx = state.db.begin_write().await?;
            let existing: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM saved_views WHERE user_id = $1 AND shop_id = $2 AND name = $3",
            )
            .bind(a.user.id)
            .bind(a.shop_id)
            .bind(&name)
            .fetch_optional(&mut *tx)
            .await?;
            let id = match existing {
                Some(id) => {
                    sqlx::query("UPDATE saved_views SET query = $2 WHERE id = $1")
                        .bind(id)
                        .bind(&query)
                        .execute(&mut *tx)
                        .await?;
                    id
                }
                None => {
                    let count: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM saved_views WHERE user_id = $1 AND shop_id = $2",
                    )
                    .bind(a.user.id)
                    .bind(a.shop_id)
                    .fetch_one(&mut *tx)
                    .await?;
                    if count >= MAX_SAVED_VIEWS {
                        return Err(AppError::field(
                            "name",
                            format!("You have {MAX_SAVED_VIEWS} saved views; delete one first."),
                        ));
                    }
                    let id = new_id();
                    sqlx::query(
                        "INSERT INTO saved_views (id, user_id, shop_id, name, query, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(id)
                    .bind(a.user.id)
                    .bind(a.shop_id)
                    .bind(&name)
                    .bind(&query)
                    .bind(state.clock.now_ms())
                    .execute(&mut *tx)
                    .await?;
                    id
                }
            };
            tx.commit().await?;
            Ok(SavedView { id, name, query })
        }
        .await,
    )
}

#[server(endpoint = "delete_saved_view")]
pub async fn delete_saved_view(shop: String, id: i64) -> Result<(), AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ViewInfo).await?;
            let done = sqlx::query(
                "DELETE FROM saved_views WHERE id = $1 AND user_id = $2 AND shop_id = $3",
            )
            .bind(id)
            .bind(a.user.id)
            .bind(a.shop_id)
            .execute(&state.db.pool)
            .await?;
            if done.rows_affected() == 0 {
                return Err(AppError::NotFound);
            }
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "get_transaction")]
pub async fn get_transaction(shop: String, id: i64) -> Result<TxDetail, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, reporting::tx_detail, respond};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ViewInfo).await?;
            tx_detail::load(&state, a.shop_id, id, &a.time_zone).await
        }
        .await,
    )
}
