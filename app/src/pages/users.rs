use crate::api::shop::ShopContext;
use crate::api::two_factor::{RequireTwoFactor, ResetTwoFactor};
use crate::api::users::{list_users, ChangeRole, InviteUser, SetUserActive, UserList, UserStatus};
use crate::components::form::{field_msg, form_msg, ErrorPage, Field, FormError};
use crate::domain::Role;
use leptos::prelude::*;
use leptos_meta::Title;

/// Users of the shop: invite, change role, deactivate and reactivate.
#[component]
pub fn Users() -> impl IntoView {
    let ctx = expect_context::<ShopContext>();
    if !ctx.can(crate::domain::Permission::ManageUsers) {
        return view! { <crate::components::refused::NotForYourRole page="Users" what="managing users" /> }
            .into_any();
    }
    let shop = ctx.slug.clone();
    let invite = ServerAction::<InviteUser>::new();
    let change = ServerAction::<ChangeRole>::new();
    let activate = ServerAction::<SetUserActive>::new();
    let reset = ServerAction::<ResetTwoFactor>::new();
    let require = ServerAction::<RequireTwoFactor>::new();
    let users = Resource::new(
        {
            let shop = shop.clone();
            move || {
                (
                    shop.clone(),
                    invite.version().get(),
                    change.version().get(),
                    activate.version().get(),
                    reset.version().get(),
                    require.version().get(),
                )
            }
        },
        |(shop, ..)| list_users(shop),
    );
    let invite_value = invite.value();
    let row_error = Signal::derive(move || {
        form_msg(change)
            .get()
            .or_else(|| form_msg(activate).get())
            .or_else(|| form_msg(reset).get())
            .or_else(|| form_msg(require).get())
    });
    let invited = move || match invite_value.get() {
        Some(Ok(email)) => Some(format!("Invitation sent to {email}.")),
        _ => None,
    };
    view! {
        <Title text="Users" />
        <section class="panel">
            <h1>"Users"</h1>
            <FormError message=row_error />
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading users…"</p> }>
                {
                    let shop = shop.clone();
                    move || {
                        let shop = shop.clone();
                        Suspend::new(async move {
                            match users.await {
                                Ok(list) => {
                                    let required = list.two_factor_required;
                                    view! {
                                        <UserTable list shop=shop.clone() change activate reset />
                                        <TwoFactorRule shop required require />
                                    }.into_any()
                                }
                                Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                            }
                        })
                    }
                }
            </Suspense>
        </section>
        <section class="panel">
            <h2>"Invite a user"</h2>
            <p class="muted">"They get an e-mail with a link to accept: someone new chooses a password, someone with a Portal account signs in and accepts. Until then they are listed as Invited and have no access. The link works for 7 days."</p>
            <div aria-live="polite">{move || invited().map(|m| view! { <p class="banner ok" role="status">{m}</p> })}</div>
            <FormError message=Signal::derive(move || match invite_value.get() {
                Some(Err(crate::error::AppError::Validation(_))) => None,
                _ => form_msg(invite).get(),
            }) />
            <ActionForm action=invite attr:class="grid-form">
                <input type="hidden" name="shop" value=ctx.slug.clone() />
                <Field label="E-mail" name="email" kind="email" required=true error=field_msg(invite, "email") id_prefix="invite-" />
                <Field label="Name (optional)" name="name" error=field_msg(invite, "name") id_prefix="invite-" />
                <div class="field">
                    <label for="invite-role">"Role"</label>
                    <select id="invite-role" name="role">
                        {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str() selected=r == Role::InfoOnly>{r.label()}</option> }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="primary" disabled=move || invite.pending().get()>
                    {move || if invite.pending().get() { "Sending…" } else { "Send invitation" }}
                </button>
            </ActionForm>
        </section>
    }
    .into_any()
}

#[component]
fn UserTable(
    list: UserList,
    shop: String,
    change: ServerAction<ChangeRole>,
    activate: ServerAction<SetUserActive>,
    reset: ServerAction<ResetTwoFactor>,
) -> impl IntoView {
    if list.rows.is_empty() {
        return view! { <p class="empty">"No users yet. Invite someone below."</p> }.into_any();
    }
    let tz = list.time_zone.clone();
    let merchant = use_context::<ShopContext>()
        .map(|c| c.merchant)
        .unwrap_or_default();
    view! {
        <div class="table-wrap">
            <table class="stack">
                <caption class="sr-only">"Users of this shop"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"E-mail"</th>
                        <th scope="col">"Role"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Two-factor"</th>
                        <th scope="col">"Last active here ("{tz}")"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    {list.rows.into_iter().zip(list.last_active).map(|(u, last)| {
                        let (shop_a, shop_b) = (shop.clone(), shop.clone());
                        let merchant = merchant.clone();
                        let role_label = format!("Role of {}", u.email);
                        let save_label = format!("Save role of {}", u.email);
                        let (uid_a, uid_b) = (u.id.to_string(), u.id.to_string());
                        let (shop_c, uid_c) = (shop.clone(), u.id.to_string());
                        let reset_label = format!("Reset the second factor of {}", u.email);
                        let status_class = match u.status {
                            UserStatus::Active => "badge ok",
                            UserStatus::Invited => "badge info",
                            UserStatus::Deactivated => "badge off",
                        };
                        let active = u.status != UserStatus::Deactivated;
                        let act_label = format!("{} {}", if active { "Deactivate" } else { "Reactivate" }, u.email);
                        let select_id = format!("role-{}", u.id);
                        let is_me = u.id == list.me;
                        let who = if is_me { format!("{} (you)", u.name) } else { u.name.clone() };
                        view! {
                            <tr>
                                <td data-label="Name">{who}</td>
                                <td data-label="E-mail">{u.email}</td>
                                <td data-label="Role">
                                    <ActionForm action=change attr:class="inline">
                                        <input type="hidden" name="shop" value=shop_a />
                                        <input type="hidden" name="user_id" value=uid_a />
                                        <label class="sr-only" for=select_id.clone()>{role_label}</label>
                                        <select id=select_id name="role">
                                            {let current = u.role; Role::ALL.into_iter().map(move |r| view! { <option value=r.as_str() selected=r == current>{r.label()}</option> }).collect_view()}
                                        </select>
                                        <button type="submit" aria-label=save_label>"Save"</button>
                                    </ActionForm>
                                </td>
                                <td data-label="Status"><span class=status_class>{u.status.label()}</span></td>
                                <td data-label="Two-factor">
                                    {if u.two_factor {
                                        view! {
                                            <span class="badge ok">"On"</span>
                                            <ActionForm action=reset attr:class="inline">
                                                <input type="hidden" name="shop" value=shop_c />
                                                <input type="hidden" name="user_id" value=uid_c />
                                                <button type="submit" aria-label=reset_label>"Reset"</button>
                                            </ActionForm>
                                        }.into_any()
                                    } else {
                                        view! { <span class="badge off">"Off"</span> }.into_any()
                                    }}
                                </td>
                                <td data-label="Last active here">{last.unwrap_or_else(|| "Never".into())}</td>
                                <td data-label="Actions">
                                    {if is_me {
                                        view! { <span class="muted">"—"</span> }.into_any()
                                    } else if active {
                                        // Irreversible for the person at once: ask first, saying what it does.
                                        view! {
                                            <details class="row-action confirm">
                                                <summary>"Deactivate…"</summary>
                                                <p>{format!("{} loses access to every shop of {merchant} at once and is signed out. You can reactivate them later.", u.name)}</p>
                                                <ActionForm action=activate attr:class="inline">
                                                    <input type="hidden" name="shop" value=shop_b />
                                                    <input type="hidden" name="user_id" value=uid_b />
                                                    <input type="hidden" name="active" value="false" />
                                                    <button type="submit" class="danger" aria-label=act_label>{format!("Deactivate {}", u.name)}</button>
                                                </ActionForm>
                                            </details>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <ActionForm action=activate attr:class="inline">
                                                <input type="hidden" name="shop" value=shop_b />
                                                <input type="hidden" name="user_id" value=uid_b />
                                                <input type="hidden" name="active" value="true" />
                                                <button type="submit" aria-label=act_label>"Reactivate"</button>
                                            </ActionForm>
                                        }.into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The merchant's rule: everyone signs in with a second factor, or each user chooses.
#[component]
fn TwoFactorRule(
    shop: String,
    required: bool,
    require: ServerAction<RequireTwoFactor>,
) -> impl IntoView {
    view! {
        <h2>"Two-factor sign-in"</h2>
        <p class="muted">
            {if required {
                "Required: everyone in this merchant signs in with a code from an authenticator app. Users without one set it up at their next sign-in and see no shop data until then."
            } else {
                "Optional: each user can turn it on under My account."
            }}
        </p>
        <ActionForm action=require attr:class="inline">
            <input type="hidden" name="shop" value=shop />
            <input type="hidden" name="required" value=(!required).to_string() />
            <button type="submit" class=if required { "" } else { "primary" }>
                {if required { "Stop requiring two-factor sign-in" } else { "Require two-factor sign-in for everyone" }}
            </button>
        </ActionForm>
    }
}
