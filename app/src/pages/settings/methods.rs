//! Settings → Payment methods: bank links by country and cards, each with its state and
//! what the admin can do about it (switch off or on, request activation, withdraw).

use crate::api::requests::WithdrawRequest;
use crate::api::settings::{
    load_payment_methods, ChangePaymentMethod, MethodGroup, MethodState, MethodView,
};
use crate::components::form::{form_msg, ErrorPage, FormError};
use leptos::prelude::*;

#[component]
pub fn PaymentMethods(shop: String) -> impl IntoView {
    let change = ServerAction::<ChangePaymentMethod>::new();
    let withdraw = ServerAction::<WithdrawRequest>::new();
    let methods = Resource::new(
        {
            let shop = shop.clone();
            move || {
                (
                    shop.clone(),
                    change.version().get(),
                    withdraw.version().get(),
                )
            }
        },
        |(shop, _, _)| load_payment_methods(shop),
    );
    let done = move || match change.value().get() {
        Some(Ok(_)) => Some("Saved: the payment page shows the change at once."),
        _ => None,
    };
    view! {
        <p class="muted">"Active methods are offered on your payment page. Switching one off hides it at once; switch it on again whenever you like. A method not active yet is requested from the provider, who checks and activates it. Cards or bank links of other countries bring the monthly account fee."</p>
        <div aria-live="polite">{move || done().map(|m| view! { <p class="banner ok" role="status">{m}</p> })}</div>
        <FormError message=form_msg(change) />
        <FormError message=form_msg(withdraw) />
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading payment methods…"</p> }>
            {
                let shop = shop.clone();
                move || {
                    let shop = shop.clone();
                    Suspend::new(async move {
                        match methods.await {
                            Ok(groups) => groups
                                .into_iter()
                                .map(|g| view! { <Group g shop=shop.clone() change withdraw /> })
                                .collect_view()
                                .into_any(),
                            Err(e) => view! { <ErrorPage error=e /> }.into_any(),
                        }
                    })
                }
            }
        </Suspense>
    }
}

#[component]
fn Group(
    g: MethodGroup,
    shop: String,
    change: ServerAction<ChangePaymentMethod>,
    withdraw: ServerAction<WithdrawRequest>,
) -> impl IntoView {
    let id = format!(
        "methods-{}",
        g.title
            .to_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
    );
    let rows = g
        .methods
        .into_iter()
        .map(|m| view! { <Row m shop=shop.clone() change withdraw /> })
        .collect_view();
    view! {
        <h3 id=id.clone()>{g.title.clone()}</h3>
        <table class="methods" aria-labelledby=id>
            <thead>
                <tr><th scope="col">"Method"</th><th scope="col">"State"</th><th scope="col">"What you can do"</th></tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
fn Row(
    m: MethodView,
    shop: String,
    change: ServerAction<ChangePaymentMethod>,
    withdraw: ServerAction<WithdrawRequest>,
) -> impl IntoView {
    let state_text = match (&m.state, &m.since) {
        (MethodState::Active, Some(d)) => format!("since {d}"),
        (MethodState::Requested, Some(d)) => {
            format!("asked {d}; activation takes {}", m.usual_activation)
        }
        (MethodState::Inactive, _) => format!("activation takes {}", m.usual_activation),
        _ => String::new(),
    };
    let busy = move || change.pending().get() || withdraw.pending().get();
    let name = m.name.clone();
    let action = match m.state {
        MethodState::Active => Some(("off", format!("Switch {name} off"), "Switch off")),
        MethodState::Off => Some(("on", format!("Switch {name} on"), "Switch on")),
        MethodState::Inactive => Some((
            "request",
            format!("Request activation of {name}"),
            "Request activation",
        )),
        MethodState::Requested => None,
    };
    let code = m.code.clone();
    let control = match (action, m.request_id) {
        (Some((act, aria, text)), _) => view! {
            <ActionForm action=change attr:class="inline-form">
                <input type="hidden" name="shop" value=shop />
                <input type="hidden" name="method" value=code />
                <input type="hidden" name="action" value=act />
                <button type="submit" class=if act == "request" { "primary" } else { "secondary" } aria-label=aria disabled=busy>{text}</button>
            </ActionForm>
        }
        .into_any(),
        (None, Some(id)) => view! {
            <ActionForm action=withdraw attr:class="inline-form">
                <input type="hidden" name="shop" value=shop />
                <input type="hidden" name="id" value=id.to_string() />
                <button type="submit" class="secondary" aria-label=format!("Withdraw the request for {name}") disabled=busy>"Withdraw the request"</button>
            </ActionForm>
        }
        .into_any(),
        (None, None) => ().into_any(),
    };
    view! {
        <tr data-method=m.code.clone() data-state=m.state.code()>
            <th scope="row">{m.name.clone()}</th>
            <td>
                <span class=format!("status method-{}", m.state.code())>{m.state.label()}</span>
                {(!state_text.is_empty()).then(|| view! { <span class="muted small">" "{state_text}</span> })}
            </td>
            <td>{control}</td>
        </tr>
    }
}
