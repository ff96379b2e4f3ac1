//! What a role that may not use a page sees: one short answer naming whom to ask, never the
//! page's forms. The server refuses the page's calls as well (403); the answer carries that
//! status too.

use crate::api::shop::ShopContext;
use leptos::prelude::*;

#[component]
pub fn NotForYourRole(
    /// The page's title ("Users").
    page: &'static str,
    /// What the page is for, to finish "… is for the shop's admins": "managing users".
    what: &'static str,
) -> impl IntoView {
    let ctx = expect_context::<ShopContext>();
    #[cfg(feature = "ssr")]
    if let Some(r) = use_context::<leptos_axum::ResponseOptions>() {
        r.set_status(http::StatusCode::FORBIDDEN);
    }
    let ask = match ctx.admins.as_slice() {
        [] => "Ask the provider's support.".to_string(),
        [one] => format!("Ask the shop's admin: {one}."),
        many => format!("Ask one of the shop's admins: {}.", many.join(", ")),
    };
    view! {
        <leptos_meta::Title text=page />
        <section class="panel refused">
            <h1>{page}</h1>
            <h2>"No access"</h2>
            <p>{format!("You cannot use this page: {what} is for the shop's admins. Your role here is {}.", ctx.role.label())}</p>
            <p>{ask}</p>
            <p><a href=format!("/shops/{}", ctx.slug)>"Back to the overview"</a></p>
        </section>
    }
}
