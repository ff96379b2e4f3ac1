//! Finnish bank-link refunds end to end over HTTP: the buyer's mail and link, the IBAN check,
//! sending and posting with the reservation released, the 30-day expiry job on a moved
//! clock, and the shop's notification mails.

use crate::harness::{body, TestApp, Who, SHOP};
use app::api::refund_account::RefundClaim;
use app::domain::fees::Channel;
use reqwest::StatusCode;

const BUYER: &str = "aino@example.fi";
const NOTIFY: &str = "orders@shop-a.example";

/// A paid Finnish payment (after a card payment that gives the balance room) and a refund
/// of `amount` on it; returns the payment and the token of the buyer's link.
async fn finnish_refund(app: &TestApp, cents: i64, amount: &str, key: &str) -> (i64, String) {
    app.paid_payment(10_000, Channel::Visa).await;
    let t = app.paid_payment(cents, Channel::Nordea).await;
    let staff = app.client_for(Who::Refunds).await;
    let (s, _, b) = body(
        app.call(
            &staff,
            "make_refund",
            &[
                ("shop", SHOP),
                ("transaction_id", &t.to_string()),
                ("amount", amount),
                ("key", key),
            ],
        )
        .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert!(b.contains("awaiting_account"), "{b}");
    let link = app.link_in_mail(BUYER, "/refund-account/").await;
    (t, link.trim_start_matches("/refund-account/").to_string())
}

async fn balances(app: &TestApp) -> (i64, i64) {
    let shop = app.shop_id(SHOP).await;
    (
        app.scalar(format!(
            "SELECT balance_cents FROM shop_balances WHERE shop_id = {shop}"
        ))
        .await,
        app.scalar(format!(
            "SELECT reserved_cents FROM shop_balances WHERE shop_id = {shop}"
        ))
        .await,
    )
}

async fn claim(app: &TestApp, token: &str) -> (StatusCode, Option<RefundClaim>) {
    let anon = TestApp::client();
    let (s, _, b) = body(
        app.call(&anon, "get_refund_claim", &[("token", token)])
            .await,
    )
    .await;
    (s, serde_json::from_str(&b).ok())
}

async fn give(app: &TestApp, token: &str, holder: &str, iban: &str) -> (StatusCode, String) {
    let anon = TestApp::client();
    let (s, _, b) = body(
        app.call(
            &anon,
            "give_refund_account",
            &[("token", token), ("holder", holder), ("iban", iban)],
        )
        .await,
    )
    .await;
    (s, b)
}

#[tokio::test]
async fn the_buyer_gives_an_account_and_the_refund_is_sent() {
    let app = crate::app!();
    sqlx::query("UPDATE shops SET notification_email = $1 WHERE slug = $2")
        .bind(NOTIFY)
        .bind(SHOP)
        .execute(&app.state.db.pool)
        .await
        .unwrap();
    let (t, token) = finnish_refund(&app, 5_000, "20.00", "fi-1").await;
    let (balance0, reserved) = balances(&app).await;
    assert_eq!(reserved, 2_000, "reserved, not yet posted");
    let posted = app
        .scalar(format!(
            "SELECT COUNT(*) FROM movements WHERE kind = 'REFUND' AND transaction_id = {t}"
        ))
        .await;
    assert_eq!(posted, 0);

    let buyer_mail = app
        .mails()
        .await
        .into_iter()
        .find(|m| m.to == BUYER)
        .unwrap();
    assert!(
        buyer_mail.subject.contains("20.00"),
        "{}",
        buyer_mail.subject
    );
    assert!(buyer_mail.html.contains("/refund-account/"));
    let notice = app
        .mails()
        .await
        .into_iter()
        .find(|m| m.to == NOTIFY)
        .unwrap();
    assert!(
        notice.text.contains("refunds@test.example refunded 20.00"),
        "{}",
        notice.text
    );
    assert!(notice
        .text
        .contains("reserved until the buyer gives a bank account"));

    let (s, c) = claim(&app, &token).await;
    assert_eq!(s, StatusCode::OK);
    let c = c.unwrap();
    assert_eq!((c.state.as_str(), c.amount.cents()), ("open", 2_000));
    assert_eq!(c.merchant, "Test Merchant");

    // The public page shows the form.
    let (s, _, html) = body(
        app.page(&TestApp::client(), &format!("/refund-account/{token}"))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("Send me the refund"));

    let (s, b) = give(&app, &token, "Aino Korhonen", "FI22 1234 5600 0007 85").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b.contains("check digits"), "{b}");
    let (s, b) = give(&app, &token, " ", "FI21 1234 5600 0007 85").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(b.contains("holder"), "{b}");
    assert_eq!(
        balances(&app).await.1,
        2_000,
        "nothing changed on bad input"
    );

    let (s, b) = give(&app, &token, "Aino Korhonen", "fi21 1234 5600 0007 85").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(
        balances(&app).await,
        (balance0 - 2_000, 0),
        "posted, reservation released"
    );
    let (status, refunded): (String, i64) =
        sqlx::query_as("SELECT status, refunded_cents FROM transactions WHERE id = $1")
            .bind(t)
            .fetch_one(&app.state.db.pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), refunded), ("part_refunded", 2_000));
    let iban: String = sqlx::query_scalar("SELECT iban FROM refunds WHERE transaction_id = $1")
        .bind(t)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(iban, "FI2112345600000785");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'refund_sent'")
            .await,
        1
    );

    // The link works once; reopened, it says the refund was sent and how much.
    let (s, b) = give(&app, &token, "Aino Korhonen", "FI21 1234 5600 0007 85").await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(balances(&app).await, (balance0 - 2_000, 0));
    let (s, c) = claim(&app, &token).await;
    assert_eq!(s, StatusCode::OK);
    let c = c.unwrap();
    assert_eq!((c.state.as_str(), c.amount.cents()), ("done", 2_000));
    let (s, _, html) = body(
        app.page(&TestApp::client(), &format!("/refund-account/{token}"))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        html.contains("The refund of 20.00") && html.contains("has been sent to your account"),
        "{html}"
    );
    assert!(!html.contains("not valid"), "{html}");
    let (s, _) = claim(&app, "not-a-token").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn without_an_account_in_30_days_the_refund_fails_and_the_reservation_is_released() {
    let app = crate::app!();
    let (_, token) = finnish_refund(&app, 5_000, "50.00", "fi-2").await;
    let (balance, reserved) = balances(&app).await;
    assert_eq!(reserved, 5_000);

    app.state.clock.advance_ms(29 * 86_400_000);
    assert_eq!(
        app.run_job(app::server::refunds::refund_accounts::EXPIRY_JOB)
            .await
            .done,
        0
    );
    assert_eq!(claim(&app, &token).await.1.unwrap().state, "open");

    app.state.clock.advance_ms(86_400_000 + 60_000);
    assert_eq!(
        app.run_job(app::server::refunds::refund_accounts::EXPIRY_JOB)
            .await
            .done,
        1
    );
    assert_eq!(
        app.run_job(app::server::refunds::refund_accounts::EXPIRY_JOB)
            .await
            .done,
        0,
        "once"
    );
    assert_eq!(balances(&app).await, (balance, 0));
    let status: String = sqlx::query_scalar("SELECT status FROM refunds")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(status, "failed");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM audit_events WHERE kind = 'refund_failed'")
            .await,
        1
    );
    let (s, c) = claim(&app, &token).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(c.unwrap().state, "expired");
    let (s, _, html) = body(
        app.page(&TestApp::client(), &format!("/refund-account/{token}"))
            .await,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("This link has expired"), "{html}");
    let (s, b) = give(&app, &token, "Aino Korhonen", "FI21 1234 5600 0007 85").await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert_eq!(balances(&app).await, (balance, 0), "nothing moved");
    // The whole amount can be refunded again.
    let staff = app.client_for(Who::Refunds).await;
    let t: i64 = sqlx::query_scalar("SELECT transaction_id FROM refunds")
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    let r = app
        .call(
            &staff,
            "preview_refund",
            &[
                ("shop", SHOP),
                ("transaction_id", &t.to_string()),
                ("amount", "50.00"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_account_given_after_the_payment_was_refunded_otherwise_posts_nothing() {
    let app = crate::app!();
    let (t, token) = finnish_refund(&app, 5_000, "50.00", "fi-3").await;
    let (balance, reserved) = balances(&app).await;
    assert_eq!(reserved, 5_000);
    // Meanwhile the whole payment was refunded by another route (the reservation does not
    // stop a refund recorded outside the portal's form).
    sqlx::query(
        "UPDATE transactions SET refunded_cents = amount_cents, status = 'refunded' WHERE id = $1",
    )
    .bind(t)
    .execute(&app.state.db.pool)
    .await
    .unwrap();

    let (s, b) = give(&app, &token, "Aino Korhonen", "FI21 1234 5600 0007 85").await;
    assert_eq!(s, StatusCode::CONFLICT, "{b}");
    assert!(b.contains("refunded meanwhile"), "{b}");
    let refunded: i64 = sqlx::query_scalar("SELECT refunded_cents FROM transactions WHERE id = $1")
        .bind(t)
        .fetch_one(&app.state.db.pool)
        .await
        .unwrap();
    assert_eq!(refunded, 5_000, "never more than the payment");
    assert_eq!(balances(&app).await, (balance, 5_000), "nothing posted");
    assert_eq!(
        app.scalar(format!(
            "SELECT COUNT(*) FROM movements WHERE kind = 'REFUND' AND transaction_id = {t}"
        ))
        .await,
        0
    );
    assert_eq!(claim(&app, &token).await.1.unwrap().state, "open");
}
