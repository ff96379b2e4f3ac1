//! Settings beyond General: payment methods with their activation (the payment page and the
//! monthly account fee read the same states), the contract's requests (domain, legal
//! entity), and API keys (secrets shown once, kept as hashes, replaced with a grace period,
//! checked by the shop API with throttling).

use crate::harness::{body, TestApp, Who, SHOP};
use app::api::requests::ProviderRequest;
use app::api::settings::{ApiSettings, MethodGroup, MethodState, NewSecret};
use app::server::infra::clock::{Clock, HOUR_MS, MINUTE_MS};
use base64::Engine;
use reqwest::{Client, StatusCode};

const OPS: &str = "ops@provider.example";

async fn spawn() -> Option<TestApp> {
    let clock = Clock::manual_at(
        "2027-03-01T08:00:00Z"
            .parse::<jiff::Timestamp>()
            .unwrap()
            .as_millisecond(),
    );
    TestApp::spawn_with(clock, server::MailChoice::Memory, |env| {
        env.push(("PORTAL_OPERATOR_EMAIL".into(), OPS.into()));
    })
    .await
}

fn state_of(groups: &[MethodGroup], code: &str) -> MethodState {
    groups
        .iter()
        .flat_map(|g| &g.methods)
        .find(|m| m.code == code)
        .unwrap_or_else(|| panic!("{code} listed"))
        .state
}

async fn change(app: &TestApp, c: &Client, method: &str, action: &str) -> (StatusCode, String) {
    let (s, _, b) = body(
        app.call(
            c,
            "change_payment_method",
            &[("shop", SHOP), ("method", method), ("action", action)],
        )
        .await,
    )
    .await;
    (s, b)
}

/// The payment page of a fresh link: the methods' codes it offers.
async fn offered(app: &TestApp) -> String {
    let (_, token) =
        crate::pay_page::make_link(app, &[("amount", "25.00"), ("reference", "ORDER-1")]).await;
    app.page(&TestApp::client(), &format!("/pay/{token}"))
        .await
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn methods_switch_off_and_on_at_once_and_activation_is_requested_and_confirmed() {
    let Some(app) = spawn().await else {
        return;
    };
    let admin = app.client_for(Who::Admin).await;
    for who in [Who::Refunds, Who::Info] {
        let c = app.client_for(who).await;
        let (s, _, _) = body(
            app.call(&c, "load_payment_methods", &[("shop", SHOP)])
                .await,
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who:?}");
        assert_eq!(
            change(&app, &c, "visa", "off").await.0,
            StatusCode::FORBIDDEN
        );
    }
    let (s, _, b) = body(
        app.call(&admin, "load_payment_methods", &[("shop", SHOP)])
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let groups: Vec<MethodGroup> = serde_json::from_str(&b).unwrap();
    let titles: Vec<&str> = groups.iter().map(|g| g.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Bank links — Estonia",
            "Bank links — Latvia",
            "Bank links — Lithuania",
            "Bank links — Finland",
            "Cards"
        ]
    );
    assert_eq!(state_of(&groups, "visa"), MethodState::Active);
    assert!(offered(&app).await.contains("value=\"visa\""));

    // Off: gone from the payment page at once, audited; on again: back.
    let (s, b) = change(&app, &admin, "visa", "off").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let groups: Vec<MethodGroup> = serde_json::from_str(&b).unwrap();
    assert_eq!(state_of(&groups, "visa"), MethodState::Off);
    let page = offered(&app).await;
    assert!(!page.contains("value=\"visa\""), "visa is off");
    assert!(page.contains("value=\"mastercard\""));
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'payment_method' \
             AND before_value = 'on' AND after_value = 'off' AND detail = 'payment method Visa'"
        )
        .await,
        1
    );
    assert_eq!(change(&app, &admin, "visa", "on").await.0, StatusCode::OK);
    assert!(offered(&app).await.contains("value=\"visa\""));

    // A method never activated cannot be switched on; it is requested.
    let shop_id = app.shop_id(SHOP).await;
    sqlx::query("UPDATE shop_channels SET active = 0, activated_at = NULL WHERE shop_id = $1 AND channel = 'nordea'")
        .bind(shop_id)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    assert!(!offered(&app).await.contains("value=\"nordea:FI\""));
    let (s, b) = change(&app, &admin, "nordea:FI", "on").await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert!(b.contains("request its activation first"), "{b}");
    let (s, b) = change(&app, &admin, "paypal", "request").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (s, b) = change(&app, &admin, "visa", "request").await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    let (s, b) = change(&app, &admin, "nordea:FI", "request").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let groups: Vec<MethodGroup> = serde_json::from_str(&b).unwrap();
    let nordea = groups
        .iter()
        .flat_map(|g| &g.methods)
        .find(|m| m.code == "nordea:FI")
        .unwrap();
    assert_eq!(nordea.state, MethodState::Requested);
    assert_eq!(nordea.since.as_deref(), Some("2027-03-01"));
    assert_eq!(nordea.usual_activation, "up to 2 business days");
    let (s, b) = change(&app, &admin, "nordea:FI", "request").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "one waits: {b}");
    assert!(
        !offered(&app).await.contains("value=\"nordea:FI\""),
        "not before activation"
    );
    let mails = app.mails().await;
    let to_ops = mails
        .iter()
        .find(|m| m.to == OPS && m.subject.contains("Activate Nordea (Finland)"))
        .expect("the operator is told");
    assert!(
        to_ops.text.contains("up to 2 business days"),
        "{}",
        to_ops.text
    );

    // The operator's command activates it and tells the admin.
    let done = app::server::settings::methods::activate_by_operator(&app.state, SHOP, "nordea:FI")
        .await
        .unwrap();
    assert!(done.contains("done"), "{done}");
    assert!(offered(&app).await.contains("value=\"nordea:FI\""));
    let (_, _, b) = body(
        app.call(&admin, "load_payment_methods", &[("shop", SHOP)])
            .await,
    )
    .await;
    let groups: Vec<MethodGroup> = serde_json::from_str(&b).unwrap();
    assert_eq!(state_of(&groups, "nordea:FI"), MethodState::Active);
    app.flush_mail().await;
    assert!(app
        .mails()
        .await
        .iter()
        .any(|m| m.to == "admin@test.example" && m.subject.contains("Activate Nordea (Finland)")));
    let unknown =
        app::server::settings::methods::activate_by_operator(&app.state, "nope", "visa").await;
    assert!(unknown.is_err());
}

#[tokio::test]
async fn the_monthly_account_fee_reads_the_same_states_as_the_payment_page() {
    let Some(app) = spawn().await else {
        return;
    };
    let shop_id = app.shop_id(SHOP).await;
    let month = app::domain::calendar::Day::parse("2027-03-01").unwrap();
    let usage = |app: &TestApp| {
        let state = app.state.clone();
        async move {
            app::server::billing::monthly::usage(&state, shop_id, month, "Europe/Tallinn")
                .await
                .unwrap()
                .account_methods
        }
    };
    assert!(usage(&app).await, "cards are active");
    // Only local (Estonian) bank links active: no account fee.
    sqlx::query("UPDATE shop_channels SET active = 0 WHERE shop_id = $1 AND country <> 'EE'")
        .bind(shop_id)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    assert!(!usage(&app).await, "only home bank links");
    let admin = app.client_for(Who::Admin).await;
    assert_eq!(change(&app, &admin, "visa", "on").await.0, StatusCode::OK);
    assert!(usage(&app).await, "a card switched on again");
}

async fn ask(
    app: &TestApp,
    c: &Client,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let mut f = vec![("shop", SHOP)];
    f.extend_from_slice(form);
    let (s, _, b) = body(app.call(c, endpoint, &f).await).await;
    (s, b)
}

#[tokio::test]
async fn domain_and_legal_entity_changes_are_requests_the_operator_applies() {
    let Some(app) = spawn().await else {
        return;
    };
    let admin = app.client_for(Who::Admin).await;
    let info = app.client_for(Who::Info).await;
    let (s, _) = ask(
        &app,
        &info,
        "request_domain",
        &[("domain", "shop-a.example")],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, b) = ask(&app, &admin, "request_domain", &[("domain", "shop a")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.contains("domain") && b.contains("shop.example"), "{b}");
    let (s, b) = ask(
        &app,
        &admin,
        "request_domain",
        &[
            ("domain", "https://Shop-A.example/"),
            ("note", "We rebranded."),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let r: ProviderRequest = serde_json::from_str(&b).unwrap();
    assert_eq!(r.what, "New shop domain shop-a.example");
    assert_eq!(r.state, "open");
    let (s, b) = ask(
        &app,
        &admin,
        "request_legal_entity",
        &[("name", ""), ("registry_code", "12"), ("vat_number", "123")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    for f in ["name", "registry_code", "vat_number"] {
        assert!(b.contains(f), "{f}: {b}");
    }
    let (s, b) = ask(
        &app,
        &admin,
        "request_legal_entity",
        &[
            ("name", "Shop A Holding OÜ"),
            ("registry_code", "1234 5678"),
            ("vat_number", "ee 100000001"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let e: ProviderRequest = serde_json::from_str(&b).unwrap();
    assert_eq!(
        e.what,
        "New legal entity Shop A Holding OÜ, registry code 12345678, VAT number EE100000001"
    );
    let mails = app.mails().await;
    assert_eq!(mails.iter().filter(|m| m.to == OPS).count(), 2);

    // The settings page shows what is on record; the operator applies both.
    app::server::requests::decide(&app.state, r.id, true, None)
        .await
        .unwrap();
    app::server::requests::decide(&app.state, e.id, true, Some("New contract signed."))
        .await
        .unwrap();
    let (s, _, b) = body(app.call(&admin, "load_settings", &[("shop", SHOP)]).await).await;
    assert_eq!(s, StatusCode::OK);
    let v: app::api::settings::SettingsView = serde_json::from_str(&b).unwrap();
    assert_eq!(v.contract.domain.as_deref(), Some("shop-a.example"));
    assert_eq!(v.contract.legal_name, "Shop A Holding OÜ");
    assert_eq!(v.contract.registry_code.as_deref(), Some("12345678"));
    assert_eq!(v.contract.vat_number.as_deref(), Some("EE100000001"));
    app.flush_mail().await;
    let told = app
        .mails()
        .await
        .into_iter()
        .find(|m| m.to == "admin@test.example" && m.subject.contains("New shop domain"))
        .expect("the admin is told");
    assert!(
        told.text.contains(&format!("/shops/{SHOP}/settings")),
        "{}",
        told.text
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'provider_request'")
            .await,
        4
    );
}

fn basic(user: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{secret}"))
    )
}

async fn me(app: &TestApp, auth: &str) -> (StatusCode, String) {
    let r = TestApp::client()
        .get(app.url("/api/v1/me"))
        .header("authorization", auth)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.text().await.unwrap())
}

async fn regenerate(app: &TestApp, c: &Client, mode: &str, grace: &str) -> NewSecret {
    let (s, _, b) = body(
        app.call(
            c,
            "regenerate_api_secret",
            &[("shop", SHOP), ("mode", mode), ("grace", grace)],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    serde_json::from_str(&b).unwrap()
}

#[tokio::test]
async fn api_secrets_are_shown_once_kept_as_hashes_and_replaced_with_a_grace_period() {
    let Some(app) = spawn().await else {
        return;
    };
    let admin = app.client_for(Who::Admin).await;
    for who in [Who::Refunds, Who::Info] {
        let c = app.client_for(who).await;
        let (s, _, _) = body(app.call(&c, "load_api_keys", &[("shop", SHOP)]).await).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who:?}");
        let (s, _, _) = body(
            app.call(
                &c,
                "regenerate_api_secret",
                &[("shop", SHOP), ("mode", "test"), ("grace", "none")],
            )
            .await,
        )
        .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{who:?}");
    }
    let (s, _, b) = body(
        app.call(
            &admin,
            "regenerate_api_secret",
            &[("shop", SHOP), ("mode", "sandbox"), ("grace", "2h")],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(b.contains("mode"), "{b}");

    let first = regenerate(&app, &admin, "test", "none").await;
    let shop_id = first.keys.shop_id.clone();
    assert!(first.secret.starts_with("sk_test_"));
    // 256 random bits: 43 base64url characters after the prefix.
    assert_eq!(first.secret.len(), "sk_test_".len() + 43);
    assert_eq!(first.old_valid_until, None);
    let test = &first.keys.modes[0];
    assert_eq!(test.mode, "test");
    assert!(test.publishable.as_deref().unwrap().starts_with("pk_test_"));
    assert_eq!(test.secrets.len(), 1);
    assert!(first
        .secret
        .ends_with(&test.secrets[0].hint[test.secrets[0].hint.len() - 4..]));
    assert_eq!(first.keys.modes[1].publishable, None, "live has none yet");
    // Only the hash is stored, and the audit log never holds the secret.
    let stored: Vec<String> = sqlx::query_scalar("SELECT secret_hash FROM api_secrets")
        .fetch_all(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(
        stored,
        vec![app::server::infra::tokens::hash(&first.secret)]
    );
    assert_eq!(
        app.scalar(format!(
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'api_key' AND detail = 'test secret created' \
             AND after_value NOT LIKE '%{}%'",
            &first.secret[8..20]
        ))
        .await,
        1
    );
    // Reloading shows it never again.
    let (_, _, b) = body(app.call(&admin, "load_api_keys", &[("shop", SHOP)]).await).await;
    assert!(!b.contains(&first.secret), "{b}");
    let keys: ApiSettings = serde_json::from_str(&b).unwrap();
    assert_eq!(keys.modes[0].secrets[0].last_used, None);

    // The shop API takes it: test mode, last use noted.
    let (s, b) = me(&app, &basic(&shop_id, &first.secret)).await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(
        b.contains("\"mode\":\"test\"") && b.contains("\"test\":true"),
        "{b}"
    );
    let (_, _, b) = body(app.call(&admin, "load_api_keys", &[("shop", SHOP)]).await).await;
    let keys: ApiSettings = serde_json::from_str(&b).unwrap();
    assert_eq!(
        keys.modes[0].secrets[0].last_used.as_deref(),
        Some("2027-03-01 10:00")
    );

    // Regenerated with 1 hour's grace: both work until it ends, then only the new one.
    let second = regenerate(&app, &admin, "test", "1h").await;
    assert_eq!(second.old_valid_until.as_deref(), Some("2027-03-01 11:00"));
    assert_eq!(second.keys.modes[0].secrets.len(), 2);
    assert_eq!(
        me(&app, &basic(&shop_id, &second.secret)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        me(&app, &basic(&shop_id, &first.secret)).await.0,
        StatusCode::OK
    );
    app.state.clock.advance_ms(HOUR_MS - MINUTE_MS);
    assert_eq!(
        me(&app, &basic(&shop_id, &first.secret)).await.0,
        StatusCode::OK
    );
    app.state.clock.advance_ms(MINUTE_MS);
    let (s, b) = me(&app, &basic(&shop_id, &first.secret)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the grace period is over: {b}");
    assert_eq!(
        me(&app, &basic(&shop_id, &second.secret)).await.0,
        StatusCode::OK
    );
    // Without grace the old one stops at once.
    let third = regenerate(&app, &admin, "test", "none").await;
    assert_eq!(
        me(&app, &basic(&shop_id, &second.secret)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        me(&app, &basic(&shop_id, &third.secret)).await.0,
        StatusCode::OK
    );

    // A live secret is a different key of the same Shop ID; the other merchant's keys don't
    // open this shop.
    let live = regenerate(&app, &admin, "live", "none").await;
    let (s, b) = me(&app, &basic(&shop_id, &live.secret)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        b.contains("\"mode\":\"live\"") && b.contains("\"test\":false"),
        "{b}"
    );
    assert_eq!(
        me(&app, &basic("123", &live.secret)).await.0,
        StatusCode::UNAUTHORIZED
    );

    // Clear answers for the usual mistakes.
    let (s, b) = me(&app, &basic(&shop_id, &format!(" {}", third.secret))).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(b.contains("spaces"), "{b}");
    let (s, b) = me(&app, "Bearer x").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert!(b.contains("Basic"), "{b}");
}

#[tokio::test]
async fn failed_api_checks_are_throttled_per_shop_id_and_caller() {
    let Some(app) = spawn().await else {
        return;
    };
    let admin = app.client_for(Who::Admin).await;
    let key = regenerate(&app, &admin, "test", "none").await;
    let shop_id = key.keys.shop_id.clone();
    for i in 0..10 {
        let (s, _) = me(&app, &basic(&shop_id, &format!("sk_test_wrong{i}"))).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // The eleventh is held back, even with the right secret, until a minute has passed.
    let r = TestApp::client()
        .get(app.url("/api/v1/me"))
        .header("authorization", basic(&shop_id, &key.secret))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["retry-after"], "60");
    app.state.clock.advance_ms(MINUTE_MS);
    assert_eq!(
        me(&app, &basic(&shop_id, &key.secret)).await.0,
        StatusCode::OK
    );
}

async fn pay_order(
    app: &TestApp,
    auth: &str,
    order: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    let r = TestApp::client()
        .post(app.url("/api/v1/payments"))
        .header("authorization", auth)
        .json(&order)
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap())
}

/// Pays an API-made payment page through the test bank; returns the payment's id.
async fn pay_through_test_bank(app: &TestApp, url: &str) -> i64 {
    let token = url.rsplit('/').next().unwrap().to_string();
    let buyer = TestApp::client();
    let to_bank = crate::pay_page::start(app, &buyer, &token, &[("method", "swedbank:EE")]).await;
    let payment = crate::pay_page::payment_in(&to_bank);
    let back = crate::pay_page::bank(app, &buyer, &token, payment, &[("choice", "approve")]).await;
    app.page(&buyer, &back).await;
    payment
}

#[tokio::test]
async fn test_keys_make_test_payments_without_fees_and_live_keys_real_ones() {
    let Some(app) = spawn().await else {
        return;
    };
    let admin = app.client_for(Who::Admin).await;
    let test = regenerate(&app, &admin, "test", "none").await;
    let live = regenerate(&app, &admin, "live", "none").await;
    let shop_id = test.keys.shop_id.clone();

    // Bad orders are named field by field.
    let (s, b) = pay_order(
        &app,
        &basic(&shop_id, &test.secret),
        serde_json::json!({ "amount": "abc" }),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(
        b["fields"]["amount"].is_string() && b["fields"]["reference"].is_string(),
        "{b}"
    );
    let (s, _) = pay_order(&app, "Basic eA==", serde_json::json!({ "amount": "1" })).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    let (s, b) = pay_order(
        &app,
        &basic(&shop_id, &test.secret),
        serde_json::json!({ "amount": "12.50", "reference": "API-1" }),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(
        (b["amount"].as_str(), b["test"].as_bool()),
        (Some("12.50"), Some(true))
    );
    let paid = pay_through_test_bank(&app, b["url"].as_str().unwrap()).await;
    let (status, test_mode): (String, i64) =
        sqlx::query_as("SELECT status, test_mode FROM transactions WHERE id = $1")
            .bind(paid)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), test_mode), ("approved", 1));
    assert_eq!(
        app.scalar(format!(
            "SELECT COUNT(*) FROM movements WHERE transaction_id = {paid}"
        ))
        .await,
        0,
        "a test payment posts no income and no fees"
    );

    let (s, b) = pay_order(
        &app,
        &basic(&shop_id, &live.secret),
        serde_json::json!({ "amount": 30, "reference": "API-2" }),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    assert_eq!(b["test"].as_bool(), Some(false));
    let paid = pay_through_test_bank(&app, b["url"].as_str().unwrap()).await;
    assert!(
        app.scalar(format!(
            "SELECT COUNT(*) FROM movements WHERE transaction_id = {paid} AND kind LIKE 'TRX_FEE%'"
        ))
        .await
            >= 1,
        "a live payment carries its fees"
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM audit_events WHERE kind = 'payment_link_created' \
             AND actor_email = 'shop API (test key)'"
        )
        .await,
        1
    );
}
