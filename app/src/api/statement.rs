use crate::error::AppError;
pub use crate::model::statement::*;
use leptos::prelude::*;

/// A page of the shop's account statement for a period, with its opening and closing
/// balance. Live money only: test payments never reach the ledger.
#[server(endpoint = "load_statement")]
pub async fn load_statement(
    shop: String,
    #[server(default)] filter: StatementFilter,
) -> Result<StatementPage, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, respond, statements::statement};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ViewInfo).await?;
            statement::load(&state, a.shop_id, &a.time_zone, &filter, a.user.test_data).await
        }
        .await,
    )
}

/// The period's totals per movement type (and the row filters').
#[server(endpoint = "statement_totals")]
pub async fn load_statement_totals(
    shop: String,
    #[server(default)] filter: StatementFilter,
) -> Result<StatementTotals, AppError> {
    use crate::domain::Permission;
    use crate::server::{identity::access, respond, statements::statement};
    respond(
        async {
            let (state, a) = access::require(&shop, Permission::ViewInfo).await?;
            statement::totals(&state, a.shop_id, &a.time_zone, &filter).await
        }
        .await,
    )
}
