//! Every endpoint × {anonymous, admin, info & refunds, info only, admin of another merchant}.
//! The endpoint list comes from the application itself, so a new endpoint without a row here
//! fails the test.

use crate::harness::{Who, SHOP};
use reqwest::StatusCode;
use std::collections::BTreeMap;

const OK: u16 = 200;
const FOUND: u16 = 302;
const UNAUTH: u16 = 401;
const FORBID: u16 = 403;
const NOTF: u16 = 404;
const INVALID: u16 = 422;
const CONFLICT: u16 = 409;
const SEE_OTHER: u16 = 303;

type Form = Vec<(&'static str, &'static str)>;
/// Expected statuses for [anonymous, admin, refunds, info, other admin].
type Statuses = [u16; 5];

/// (method, path) → (form body, expected statuses).
fn matrix() -> BTreeMap<(&'static str, &'static str), (Form, Statuses)> {
    let shop = vec![("shop", SHOP)];
    let mut m = BTreeMap::new();
    let mut row = |method, path, form: Form, expect: Statuses| {
        m.insert((method, path), (form, expect));
    };
    row("GET", "/healthz", vec![], [OK; 5]);
    row("GET", "/readyz", vec![], [OK; 5]);
    row("GET", "/", vec![], [FOUND; 5]);
    row("GET", "/login", vec![], [OK; 5]);
    row("GET", "/forgot-password", vec![], [OK; 5]);
    row("GET", "/reset-password/{token}", vec![], [OK; 5]);
    row("GET", "/invite/{token}", vec![], [OK; 5]);
    row("GET", "/invite-declined", vec![], [OK; 5]);
    // A link that is not a refund's answers 404 to everyone, and says so in words.
    row("GET", "/refund-account/{token}", vec![], [NOTF; 5]);
    row("GET", "/account", vec![], [FOUND, OK, OK, OK, OK]);
    row("GET", "/shops/{shop}", vec![], [FOUND, OK, OK, OK, NOTF]);
    row(
        "GET",
        "/shops/{shop}/users",
        vec![],
        [FOUND, OK, FORBID, FORBID, NOTF],
    );
    row(
        "GET",
        "/shops/{shop}/transactions",
        vec![],
        [FOUND, OK, OK, OK, NOTF],
    );
    row(
        "GET",
        "/shops/{shop}/payment-links",
        vec![],
        [FOUND, OK, OK, OK, NOTF],
    );
    row(
        "GET",
        "/shops/{shop}/payouts",
        vec![],
        [FOUND, OK, OK, OK, NOTF],
    );
    // A payout that is not the shop's: 404 in words, for everyone signed in.
    row(
        "GET",
        "/shops/{shop}/payouts/{id}",
        vec![],
        [FOUND, NOTF, NOTF, NOTF, NOTF],
    );
    row(
        "POST",
        "/api/load_payout",
        vec![("shop", SHOP), ("id", "1")],
        [UNAUTH, NOTF, NOTF, NOTF, NOTF],
    );
    row(
        "POST",
        "/api/set_payout_frequency",
        vec![("shop", SHOP), ("every", "daily")],
        [UNAUTH, OK, FORBID, FORBID, NOTF],
    );
    row(
        "GET",
        "/shops/{shop}/settings",
        vec![],
        [FOUND, OK, FORBID, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/load_settings",
        shop.clone(),
        [UNAUTH, OK, FORBID, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/save_general_settings",
        vec![
            ("shop", SHOP),
            ("general[name]", "Shop A"),
            ("general[time_zone]", "Europe/Tallinn"),
            ("general[phone]", ""),
            ("general[notification_emails]", ""),
            ("general[invoice_email]", ""),
            ("general[language]", "et"),
            ("general[notification_url]", ""),
        ],
        [UNAUTH, OK, FORBID, FORBID, NOTF],
    );
    // No notification URL is saved: admins are told to save one first.
    row(
        "POST",
        "/api/send_test_notification",
        shop.clone(),
        [UNAUTH, INVALID, FORBID, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/load_payment_methods",
        shop.clone(),
        [UNAUTH, OK, FORBID, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/change_payment_method",
        vec![("shop", SHOP), ("method", "maestro"), ("action", "off")],
        [UNAUTH, OK, FORBID, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/load_api_keys",
        shop.clone(),
        [UNAUTH, OK, FORBID, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/regenerate_api_secret",
        vec![("shop", SHOP), ("mode", "test"), ("grace", "1h")],
        [UNAUTH, OK, FORBID, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/request_domain",
        vec![("shop", SHOP), ("domain", "shop-a.example")],
        [UNAUTH, OK, FORBID, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/request_legal_entity",
        vec![
            ("shop", SHOP),
            ("name", "Shop A Holding OÜ"),
            ("registry_code", "12345678"),
        ],
        [UNAUTH, OK, FORBID, FORBID, NOTF],
    );
    // The shop API takes Basic keys, never a session: without a key every caller is 401.
    row("GET", "/api/v1/me", vec![], [UNAUTH; 5]);
    row(
        "POST",
        "/api/v1/payments",
        vec![("amount", "10")],
        [UNAUTH; 5],
    );
    row(
        "GET",
        "/shops/{shop}/billing",
        vec![],
        [FOUND, OK, OK, OK, NOTF],
    );
    // An invoice that is not the shop's: 404 for its admins; sending is for admins.
    row(
        "POST",
        "/api/send_invoice",
        vec![("shop", SHOP), ("id", "1")],
        [UNAUTH, NOTF, FORBID, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/list_requests",
        shop.clone(),
        [UNAUTH, OK, FORBID, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/request_payout_account",
        vec![
            ("shop", SHOP),
            ("iban", "EE38 2200 2210 2014 5685"),
            ("holder", "Shop A OÜ"),
        ],
        [UNAUTH, OK, FORBID, FORBID, NOTF],
    );
    // A request that is not the shop's: 404 for its admins.
    row(
        "POST",
        "/api/withdraw_request",
        vec![("shop", SHOP), ("id", "1")],
        [UNAUTH, NOTF, FORBID, FORBID, NOTF],
    );
    row(
        "GET",
        "/shops/{shop}/statement",
        vec![],
        [FOUND, OK, OK, OK, NOTF],
    );
    row(
        "GET",
        "/shops/{shop}/transactions/{id}",
        vec![],
        [FOUND, OK, OK, OK, NOTF],
    );
    // The file is chosen per test below: {file} is transactions.csv.
    row(
        "GET",
        "/shops/{shop}/exports/{file}",
        vec![],
        [UNAUTH, OK, OK, OK, NOTF],
    );
    row(
        "GET",
        "/shops/{shop}/audit",
        vec![],
        [FOUND, OK, FORBID, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/sign_in",
        vec![
            ("email", "nobody@test.example"),
            ("password", "wrong password!!"),
        ],
        [INVALID; 5],
    );
    row(
        "POST",
        "/api/request_password_reset",
        // An address of its own per role: one address may ask three times an hour.
        vec![("email", "EMAIL")],
        [OK; 5],
    );
    row(
        "POST",
        "/api/reset_password",
        vec![
            ("token", "bogus"),
            ("password", "long enough password"),
            ("confirm", "long enough password"),
        ],
        [CONFLICT; 5],
    );
    row("POST", "/api/get_invite", vec![("token", "bogus")], [OK; 5]);
    row(
        "POST",
        "/api/accept_invite",
        vec![
            ("token", "bogus"),
            ("name", "X"),
            ("password", "long enough password"),
            ("confirm", "long enough password"),
        ],
        [CONFLICT; 5],
    );
    // An unknown link is refused before anything else is asked.
    row(
        "POST",
        "/api/answer_invite",
        vec![("token", "bogus"), ("accept", "true")],
        [CONFLICT; 5],
    );
    row("POST", "/api/current_account", vec![], [OK; 5]);
    row("GET", "/login/code", vec![], [OK; 5]);
    row(
        "GET",
        "/account/two-factor",
        vec![],
        [FOUND, OK, OK, OK, OK],
    );
    // Without a right password in this session just before, there is no code to check.
    row(
        "POST",
        "/api/sign_in_code",
        vec![("code", "123456")],
        [CONFLICT; 5],
    );
    row(
        "POST",
        "/api/load_two_factor",
        vec![],
        [UNAUTH, OK, OK, OK, OK],
    );
    // The two-factor page (visited first: rows run in path order) made a secret; a wrong
    // code for it is refused.
    row(
        "POST",
        "/api/confirm_two_factor",
        vec![("code", "123456")],
        [UNAUTH, INVALID, INVALID, INVALID, INVALID],
    );
    row(
        "POST",
        "/api/disable_two_factor",
        vec![("password", "wrong password!!"), ("code", "123456")],
        [UNAUTH, INVALID, INVALID, INVALID, INVALID],
    );
    row(
        "POST",
        "/api/reset_two_factor",
        vec![("shop", SHOP), ("user_id", "VICTIM")],
        [UNAUTH, CONFLICT, FORBID, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/require_two_factor",
        vec![("shop", SHOP), ("required", "false")],
        [UNAUTH, OK, FORBID, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/set_test_data",
        vec![("on", "0")],
        [UNAUTH, OK, OK, OK, OK],
    );
    row(
        "POST",
        "/api/update_name",
        vec![("name", "Same Name")],
        [UNAUTH, OK, OK, OK, OK],
    );
    row(
        "POST",
        "/api/change_password",
        vec![
            ("current", "not the password"),
            ("password", "long enough password"),
            ("confirm", "long enough password"),
        ],
        [UNAUTH, INVALID, INVALID, INVALID, INVALID],
    );
    row(
        "POST",
        "/api/load_shop",
        shop.clone(),
        [UNAUTH, OK, OK, OK, NOTF],
    );
    row(
        "POST",
        "/api/list_users",
        shop.clone(),
        [UNAUTH, OK, FORBID, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/list_audit",
        shop.clone(),
        [UNAUTH, OK, FORBID, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/invite_user",
        vec![
            ("shop", SHOP),
            ("email", "EMAIL"),
            ("name", ""),
            ("role", "info_only"),
        ],
        [UNAUTH, OK, FORBID, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/change_role",
        vec![("shop", SHOP), ("user_id", "VICTIM"), ("role", "info_only")],
        [UNAUTH, OK, FORBID, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/set_user_active",
        vec![("shop", SHOP), ("user_id", "VICTIM"), ("active", "true")],
        [UNAUTH, OK, FORBID, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/make_refund",
        vec![
            ("shop", SHOP),
            ("transaction_id", "PAID"),
            ("amount", "1.00"),
            ("key", "KEY"),
        ],
        [UNAUTH, OK, OK, FORBID, NOTF],
    );
    for endpoint in [
        "/api/list_transactions",
        "/api/transaction_totals",
        "/api/load_statement",
        "/api/statement_totals",
        "/api/list_saved_views",
        "/api/load_dashboard",
        "/api/load_payout_schedule",
        "/api/list_payouts",
        "/api/load_billing",
    ] {
        row("POST", endpoint, shop.clone(), [UNAUTH, OK, OK, OK, NOTF]);
    }
    row(
        "POST",
        "/api/get_transaction",
        vec![("shop", SHOP), ("id", "PAID")],
        [UNAUTH, OK, OK, OK, NOTF],
    );
    row(
        "POST",
        "/api/preview_refund",
        vec![
            ("shop", SHOP),
            ("transaction_id", "PAID"),
            ("amount", "1.00"),
        ],
        [UNAUTH, OK, OK, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/save_view",
        vec![("shop", SHOP), ("name", "Matrix view")],
        [UNAUTH, OK, OK, OK, NOTF],
    );
    // Only one's own views can be deleted: another user's id is as unknown as a made-up one.
    row(
        "POST",
        "/api/delete_saved_view",
        vec![("shop", SHOP), ("id", "1")],
        [UNAUTH, NOTF, NOTF, NOTF, NOTF],
    );
    row(
        "POST",
        "/api/get_refund_claim",
        vec![("token", "bogus")],
        [NOTF; 5],
    );
    row(
        "POST",
        "/api/give_refund_account",
        vec![
            ("token", "bogus"),
            ("holder", "Aino Korhonen"),
            ("iban", "FI21 1234 5600 0007 85"),
        ],
        [NOTF; 5],
    );
    row(
        "POST",
        "/api/create_payment_link",
        vec![
            ("shop", SHOP),
            ("link[amount]", "10.00"),
            ("link[reference]", "Matrix"),
        ],
        [UNAUTH, OK, OK, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/list_payment_links",
        shop.clone(),
        [UNAUTH, OK, OK, OK, NOTF],
    );
    // No link with this id: 404 for those who may deactivate, 403 before that for info-only.
    row(
        "POST",
        "/api/deactivate_payment_link",
        vec![("shop", SHOP), ("id", "1")],
        [UNAUTH, NOTF, NOTF, FORBID, NOTF],
    );
    row(
        "POST",
        "/api/send_payment_link",
        vec![("shop", SHOP), ("id", "1"), ("email", "buyer@example.com")],
        [UNAUTH, NOTF, NOTF, FORBID, NOTF],
    );
    // The buyer's pages are public: an unknown link is 404 for everyone, in words.
    row("GET", "/pay/{token}", vec![], [NOTF; 5]);
    row("POST", "/api/pay_page", vec![("token", "bogus")], [NOTF; 5]);
    row("GET", "/test-bank/{token}/{payment}", vec![], [NOTF; 5]);
    row(
        "POST",
        "/api/test_bank_page",
        vec![("token", "bogus"), ("payment", "1")],
        [NOTF; 5],
    );
    row(
        "POST",
        "/test-bank/{token}/{payment}",
        vec![("choice", "approve")],
        [NOTF; 5],
    );
    // Forms answer with a redirect to the page, which then explains.
    row(
        "POST",
        "/pay/{token}/start",
        vec![("method", "swedbank:EE")],
        [SEE_OTHER; 5],
    );
    row(
        "GET",
        "/pay/{token}/return/{payment}",
        vec![],
        [SEE_OTHER; 5],
    );
    row(
        "POST",
        "/connector/{connector}/notify",
        vec![("payment", "1")],
        [NOTF; 5],
    );
    // The session itself stays signed in: only the user's other sessions end.
    row(
        "POST",
        "/api/sign_out_elsewhere",
        vec![],
        [UNAUTH, OK, OK, OK, OK],
    );
    // Last, as it ends the session.
    row("POST", "/api/sign_out", vec![], [OK; 5]);
    m
}

#[tokio::test]
async fn every_endpoint_answers_each_role_as_the_matrix_says() {
    let matrix = matrix();
    let registered = server::endpoints();
    let missing: Vec<_> = registered
        .iter()
        .filter(|(m, p)| !matrix.contains_key(&(m.as_str(), p.as_str())))
        .collect();
    assert!(
        missing.is_empty(),
        "endpoints without a row in the access matrix: {missing:?}"
    );
    let stale: Vec<_> = matrix
        .keys()
        .filter(|(m, p)| !registered.iter().any(|(rm, rp)| rm == m && rp == p))
        .collect();
    assert!(
        stale.is_empty(),
        "matrix rows for endpoints that do not exist: {stale:?}"
    );

    let app = crate::app!();
    let victim =
        sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE email = 'info@test.example'")
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap()
            .to_string();
    let paid = app
        .paid_payment(5_000, app::domain::fees::Channel::Visa)
        .await
        .to_string();
    let mut failures = Vec::new();
    for (i, who) in Who::ALL.into_iter().enumerate() {
        let client = app.client_for(who).await;
        let mut rows: Vec<_> = matrix.iter().collect();
        rows.sort_by_key(|((_, p), _)| *p == "/api/sign_out");
        for ((method, path), (form, expect)) in rows {
            let email = format!("matrix-{i}@test.example");
            let form: Vec<(&str, String)> = form
                .iter()
                .map(|(k, v)| {
                    let v = match *v {
                        "VICTIM" => victim.clone(),
                        "PAID" => paid.clone(),
                        "KEY" => format!("matrix-key-{i}"),
                        "EMAIL" => email.clone(),
                        v => v.to_string(),
                    };
                    (*k, v)
                })
                .collect();
            let url = app.url(
                &path
                    .replace("{shop}", SHOP)
                    .replace("{token}", "bogus-token")
                    .replace("{id}", &paid)
                    .replace("{file}", "transactions.csv")
                    .replace("{payment}", "1")
                    .replace("{connector}", "test"),
            );
            let response = if *method == "GET" {
                client
                    .get(url)
                    .header("Accept", "text/html")
                    .send()
                    .await
                    .unwrap()
            } else {
                client
                    .post(url)
                    .header("Accept", "application/json")
                    .form(&form)
                    .send()
                    .await
                    .unwrap()
            };
            let got = response.status();
            if got != StatusCode::from_u16(expect[i]).unwrap() {
                failures.push(format!(
                    "{who:?} {method} {path}: expected {}, got {got}",
                    expect[i]
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "access matrix mismatches:\n{}",
        failures.join("\n")
    );
}
