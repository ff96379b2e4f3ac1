use crate::api::shop::ShopContext;
use crate::domain::Permission;
use leptos::prelude::*;
use leptos_meta::Title;

/// The shop's start page: who you are here and what your role lets you do.
#[component]
pub fn Overview() -> impl IntoView {
    let ctx = expect_context::<ShopContext>();
    let rights = [
        (
            Permission::ViewInfo,
            "See transactions, statements, exports and invoices",
        ),
        (Permission::MakeRefunds, "Make refunds"),
        (Permission::ManageUsers, "Manage users"),
        (Permission::ShopSettings, "See and change shop settings"),
        (Permission::ViewAudit, "Read the audit log"),
    ];
    view! {
        <Title text=ctx.name.clone() />
        <section class="panel">
            <h1>{ctx.name.clone()}</h1>
            <p>"You are signed in as "<strong>{ctx.user_name.clone()}</strong>" ("{ctx.user_email.clone()}"), "
               {ctx.role.label()}" of this shop of "{ctx.merchant.clone()}"."</p>
            <h2>"What your role allows"</h2>
            <ul class="rights">
                {rights.into_iter().map(|(p, text)| {
                    let yes = ctx.can(p);
                    view! {
                        <li class=if yes { "yes" } else { "no" }>
                            <span class="sr-only">{if yes { "Allowed: " } else { "Not allowed: " }}</span>
                            {text}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="muted">"Times are shown in "{ctx.time_zone.clone()}"."</p>
        </section>
    }
}
