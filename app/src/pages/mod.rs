//! One module per page. Pages hold layout and wiring only.

pub mod account;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod overview;
pub mod pay;
pub mod payment_links;
pub mod payout;
pub mod payouts;
pub mod refund_account;
pub mod settings;
pub mod statement;
pub mod test_bank;
pub mod transaction;
pub mod transactions;
pub mod two_factor;
pub mod users;

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(r) = use_context::<leptos_axum::ResponseOptions>() {
        r.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <main id="main" class="narrow">
            <section class="panel">
                <h1>"Page not found"</h1>
                <p>"This address does not exist. "<a href="/">"Go to the start page"</a>"."</p>
            </section>
        </main>
    }
}
