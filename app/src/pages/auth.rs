//! Signing in, the forgotten-password flow, invite acceptance and the start page.

use crate::api::account::current_account;
use crate::api::auth::{
    get_invite, AcceptInvite, AnswerInvite, InviteDetails, InviteStep, RequestPasswordReset,
    ResetPassword, SignIn, SignInCode,
};
use crate::components::form::{field_msg, form_msg, Field, FormError};
use crate::components::shell::js_encode;
use crate::domain::validate::{PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS};
use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/`: the first shop of a signed-in user, otherwise the sign-in page.
#[component]
pub fn Home() -> impl IntoView {
    let who = Resource::new(|| (), |_| current_account());
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match who.await {
                    Ok(Some(m)) => match m.shops.first() {
                        Some(s) => view! { <Redirect path=format!("/shops/{}", s.slug) /> }.into_any(),
                        None => view! {
                            <main id="main" class="narrow"><section class="panel">
                                <h1>"No shops yet"</h1>
                                <p>"Your account has no access to any shop. Ask your shop's admin to invite you."</p>
                                <p>"Invited already? Open the link in the invitation mail to accept it."</p>
                            </section></main>
                        }.into_any(),
                    },
                    Ok(None) | Err(AppError::Unauthenticated) => view! { <Redirect path="/login" /> }.into_any(),
                    Err(e) => view! { <main id="main"><crate::components::form::ErrorPage error=e /></main> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn AuthCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <Title text=title />
        <main id="main" class="auth">
            <div class="auth-card">
                <p class="logo" aria-hidden="true">"Portal"</p>
                <h1>{title}</h1>
                {children()}
            </div>
        </main>
    }
}

#[component]
pub fn SignIn() -> impl IntoView {
    let query = use_query_map();
    let q = move |k: &str| query.with_untracked(|m| m.get(k)).unwrap_or_default();
    let action = ServerAction::<SignIn>::new();
    let notice = match q("done").as_str() {
        "reset" => Some("Your new password is set. Sign in with it."),
        "invite" => Some("Your password is set. Sign in to open your shop."),
        _ => None,
    };
    view! {
        <AuthCard title="Sign in">
            {notice.map(|n| view! { <p class="banner ok" role="status">{n}</p> })}
            <FormError message=form_msg(action) />
            <ActionForm action=action>
                <input type="hidden" name="next" value=q("next") />
                <Field label="E-mail" name="email" kind="email" value=q("email") autocomplete="username" required=true error=field_msg(action, "email") />
                <Field label="Password" name="password" kind="password" autocomplete="current-password" required=true error=field_msg(action, "password") />
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <p class="aside"><a href="/forgot-password">"Forgot your password?"</a></p>
        </AuthCard>
    }
}

/// `/login/code`: the second step for users with two-factor sign-in.
#[component]
pub fn SignInCode() -> impl IntoView {
    let query = use_query_map();
    let next = query.with_untracked(|m| m.get("next")).unwrap_or_default();
    let action = ServerAction::<SignInCode>::new();
    view! {
        <AuthCard title="Enter your code">
            <p>"Open your authenticator app and type the 6-digit code it shows for Portal."</p>
            <FormError message=form_msg(action) />
            <ActionForm action=action>
                <input type="hidden" name="next" value=next />
                <Field label="Code" name="code" autocomplete="one-time-code" required=true
                    hint="Lost your phone? Type one of your recovery codes instead."
                    error=field_msg(action, "code") />
                <button type="submit" class="primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Checking…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <p class="aside"><a href="/login">"Start again"</a></p>
        </AuthCard>
    }
}

#[component]
pub fn ForgotPassword() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let sent = crate::components::form::succeeded(action);
    view! {
        <AuthCard title="Reset your password">
            <Show
                when=move || sent.get()
                fallback=move || view! {
                    <p>"Enter the e-mail address you sign in with. We will send you a link to choose a new password."</p>
                    <FormError message=form_msg(action) />
                    <ActionForm action=action>
                        <Field label="E-mail" name="email" kind="email" autocomplete="username" required=true error=field_msg(action, "email") />
                        <button type="submit" class="primary" disabled=move || action.pending().get()>"Send the link"</button>
                    </ActionForm>
                }
            >
                <p class="banner ok" role="status">
                    "If an account uses this address, a link is on its way. It works once and for 30 minutes."
                </p>
            </Show>
            <p class="aside"><a href="/login">"Back to sign in"</a></p>
        </AuthCard>
    }
}

fn password_hint() -> String {
    format!(
        "At least {PASSWORD_MIN_CHARS} characters. A few unrelated words make a strong password."
    )
}

#[component]
pub fn ResetPassword() -> impl IntoView {
    let params = use_params_map();
    let token = params.with_untracked(|p| p.get("token").unwrap_or_default());
    let action = ServerAction::<ResetPassword>::new();
    view! {
        <AuthCard title="Choose a new password">
            <FormError message=form_msg(action) />
            <ActionForm action=action>
                <input type="hidden" name="token" value=token />
                <Field label="New password" name="password" kind="password" autocomplete="new-password" minlength=PASSWORD_MIN_CHARS maxlength=PASSWORD_MAX_CHARS hint=password_hint() required=true error=field_msg(action, "password") />
                <Field label="New password again" name="confirm" kind="password" autocomplete="new-password" minlength=PASSWORD_MIN_CHARS maxlength=PASSWORD_MAX_CHARS required=true error=field_msg(action, "confirm") />
                <button type="submit" class="primary" disabled=move || action.pending().get()>"Set password"</button>
            </ActionForm>
        </AuthCard>
    }
}

/// `/invite/{token}`: a new account chooses its password, which accepts the invitation; an
/// existing account signs in and accepts or declines. Nothing is granted before that.
#[component]
pub fn AcceptInvite() -> impl IntoView {
    let params = use_params_map();
    let token = params.with_untracked(|p| p.get("token").unwrap_or_default());
    let details = Resource::new(
        {
            let t = token.clone();
            move || t.clone()
        },
        get_invite,
    );
    let action = ServerAction::<AcceptInvite>::new();
    let answer = ServerAction::<AnswerInvite>::new();
    view! {
        <AuthCard title="Accept your invitation">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || {
                    let token = token.clone();
                    Suspend::new(async move {
                        match details.await {
                            Ok(Some(d)) => match d.step.clone() {
                                InviteStep::ChoosePassword => {
                                    let decline_token = token.clone();
                                    view! {
                                    <p>"You are setting up the account "<strong>{d.email.clone()}</strong>"."</p>
                                    <InvitationOffer details=d.clone() />
                                    <FormError message=form_msg(action) />
                                    <ActionForm action=action>
                                        <input type="hidden" name="token" value=token.clone() />
                                        <Field label="Your name" name="name" value=d.name.clone() autocomplete="name" required=true error=field_msg(action, "name") />
                                        <Field label="Password" name="password" kind="password" autocomplete="new-password" minlength=PASSWORD_MIN_CHARS maxlength=PASSWORD_MAX_CHARS hint=password_hint() required=true error=field_msg(action, "password") />
                                        <Field label="Password again" name="confirm" kind="password" autocomplete="new-password" minlength=PASSWORD_MIN_CHARS maxlength=PASSWORD_MAX_CHARS required=true error=field_msg(action, "confirm") />
                                        <button type="submit" class="primary" disabled=move || action.pending().get()>"Set password"</button>
                                    </ActionForm>
                                    <DeclineForm answer token=decline_token />
                                }.into_any()
                                }
                                InviteStep::SignIn => {
                                    let next = format!("/invite/{token}");
                                    let href = format!("/login?next={}&email={}", js_encode(&next), js_encode(&d.email));
                                    view! {
                                        <p>"This invitation is for the Portal account "<strong>{d.email.clone()}</strong>", which already exists. Sign in as it to see who invited you, then accept or decline."</p>
                                        <p>"Nothing changes for your account until you accept."</p>
                                        <p><a class="button primary" href=href>"Sign in to answer"</a></p>
                                    }.into_any()
                                }
                                InviteStep::OtherAccount { signed_in_as } => view! {
                                    <p class="banner error" role="alert">
                                        "You are signed in as "{signed_in_as}", but this invitation is for "<strong>{d.email.clone()}</strong>". Sign out, then sign in as "{d.email.clone()}" and open the link again."
                                    </p>
                                    <p class="aside"><a href="/">"Back to Portal"</a></p>
                                }.into_any(),
                                InviteStep::Answer => {
                                    let (accept_token, decline_token) = (token.clone(), token.clone());
                                    view! {
                                    <InvitationOffer details=d.clone() />
                                    <p>"Accepting lets this merchant's admins see your name and e-mail address and manage your access to their shops. Nothing else of your account."</p>
                                    <FormError message=form_msg(answer) />
                                    <div class="actions">
                                        <ActionForm action=answer attr:class="inline">
                                            <input type="hidden" name="token" value=accept_token />
                                            <input type="hidden" name="accept" value="true" />
                                            <button type="submit" class="primary" disabled=move || answer.pending().get()>"Accept"</button>
                                        </ActionForm>
                                        <ActionForm action=answer attr:class="inline">
                                            <input type="hidden" name="token" value=decline_token />
                                            <input type="hidden" name="accept" value="false" />
                                            <button type="submit" disabled=move || answer.pending().get()>"Decline"</button>
                                        </ActionForm>
                                    </div>
                                }.into_any()
                                }
                            },
                            Ok(None) => view! {
                                <p class="banner error" role="alert">"This invitation has expired or was already used. Ask the shop's admin to invite you again."</p>
                                <p class="aside"><a href="/login">"Go to sign in"</a></p>
                            }.into_any(),
                            Err(e) => view! { <p class="banner error" role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })
                }}
            </Suspense>
        </AuthCard>
    }
}

/// Who invites, to which shops, with which role.
#[component]
fn InvitationOffer(details: InviteDetails) -> impl IntoView {
    details.merchant.map(|merchant| {
        view! {
            <p><strong>{merchant}</strong>" invites you to:"</p>
            <ul class="invited-shops">
                {details.shops.into_iter().map(|s| view! {
                    <li>"the shop "<strong>{s.name}</strong>" as "{s.role.label()}</li>
                }).collect_view()}
            </ul>
        }
    })
}

/// Declining a new account's invitation: the link alone is enough, nothing was granted.
#[component]
fn DeclineForm(answer: ServerAction<AnswerInvite>, token: String) -> impl IntoView {
    view! {
        <h2>"Not for you?"</h2>
        <p>"Decline, and the invitation is withdrawn."</p>
        <FormError message=form_msg(answer) />
        <ActionForm action=answer attr:class="inline">
            <input type="hidden" name="token" value=token />
            <input type="hidden" name="accept" value="false" />
            <button type="submit" disabled=move || answer.pending().get()>"Decline the invitation"</button>
        </ActionForm>
    }
}

/// `/invite-declined`: where declining leads.
#[component]
pub fn InvitationDeclined() -> impl IntoView {
    view! {
        <AuthCard title="Invitation declined">
            <p class="banner ok" role="status">"You declined the invitation. The merchant gets no access to your account, and nothing else changed."</p>
            <p class="aside"><a href="/">"Go to Portal"</a></p>
        </AuthCard>
    }
}
